"""Feeds that follow a collector (``crashtui collect``) instead of asking the providers.

The collector already decoded what it received; a follower hands its events to the same
pipeline, whose gate checks them again (so a store written by an older version cannot put
what today's rules reject on the screen).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.clock import SYSTEM_CLOCK, Clock

if TYPE_CHECKING:
    from crashtui.ingest.pipeline import Pipeline
    from crashtui.model import Interval
    from crashtui.replay.recording import RecordingHeader


class _Follower:
    mode = "live"
    header: RecordingHeader | None = None
    first_ms: int | None = None

    def __init__(self) -> None:
        self._pipeline: Pipeline | None = None

    @property
    def failure(self) -> str | None:
        """A follower reports a lost collector as the ``collector`` source's status."""
        return None

    def attach(self, pipeline: Pipeline) -> None:
        """Deliver into ``pipeline``."""
        self._pipeline = pipeline

    def _pipe(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("feed is not attached to a pipeline")
        return self._pipeline

    def paint_history(self) -> int:
        """A follower paints the collector's history as its first step of :meth:`run`."""
        return 0

    async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
        """A follower asks no provider: it shows what the collector polls (1h, 4h, 1d)."""
        return "not polled by the collector (it polls 1h, 4h and 1d)"

    async def aclose(self) -> None:
        """Nothing to release."""


class StoreFollower(_Follower):
    """Follows a collector on this machine through its SQLite store."""

    label = "via collector"

    def __init__(self, path: Path, watchlist: Sequence[str], *, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.path = path
        self.watchlist = tuple(watchlist)
        self.clock = clock

    async def run(self) -> None:
        """Paint from the store, then tail its feed log until cancelled."""
        from crashtui.sharedfeed.store_feed import StoreFeedReader

        pipe = self._pipe()
        await StoreFeedReader(
            self.path, self.watchlist, pipe.event, clock=self.clock, history_sink=pipe.history
        ).run()


class RedisFollower(_Follower):
    """Follows a collector anywhere on the desk through Redis."""

    label = "via collector (redis)"

    def __init__(self, url: str, *, clock: Clock = SYSTEM_CLOCK) -> None:
        super().__init__()
        self.url = url
        self.clock = clock

    async def run(self) -> None:
        """Paint from the snapshot key, then tail the stream until cancelled."""
        from crashtui.sharedfeed.redis_feed import RedisFeedReader

        await RedisFeedReader(self.url, self._pipe().event, clock=self.clock).run()
