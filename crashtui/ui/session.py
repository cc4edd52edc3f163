"""How the dashboard builds its engines: live or replay, for any watchlist, from any moment.

The dashboard rebuilds its engine when the watchlist changes (and, in replay, to seek
backwards without re-applying the whole recording on the event loop), so it holds a
:class:`FeedPlan` rather than one engine. Headless: no textual here.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.config.schema import Config

if TYPE_CHECKING:
    from crashtui.engine import Engine

DASHBOARD_SPEED = 60.0


@dataclass(frozen=True, slots=True)
class FeedPlan:
    """Everything needed to build an Engine except the watchlist and the replay start."""

    config: Config
    replay_path: Path | None = None
    speed: float | None = DASHBOARD_SPEED
    start_ms: int | None = None
    until_ms: int | None = None
    store_path: Path | None = None
    default_store: bool = False  # the ``[store]`` path, resolved when the first engine is built
    feed: str | None = None  # --feed; None: [feed] redis_url, else a running collector, else direct

    @property
    def store_file(self) -> Path | None:
        """The history store live engines use (None: no store)."""
        if self.store_path is not None or not self.default_store:
            return self.store_path
        from crashtui.store.sqlite import default_store_path  # sqlite3 and the store: not for the first paint

        return default_store_path(self.config.store)

    @property
    def replay(self) -> bool:
        """Whether this plan replays a recording."""
        return self.replay_path is not None

    def build(self, watchlist: tuple[str, ...], start_ms: int | None = None) -> Engine:
        """A new, not yet started Engine (reads the recording: call it off the event loop)."""
        # not needed for the first paint
        from crashtui.assemble import STORE, EngineOptions, ReplayOptions, build_engine, choose_feed

        if self.replay_path is not None:
            start = start_ms if start_ms is not None else self.start_ms
            replay = ReplayOptions(self.replay_path, self.speed, start, self.until_ms)
            return build_engine(self.config, watchlist, EngineOptions(replay=replay))
        store = self.store_file
        feed = choose_feed(self.feed, self.config, store)
        if feed == STORE and store is None:
            from crashtui.store.sqlite import default_store_path

            store = default_store_path(self.config.store)
        return build_engine(self.config, watchlist, EngineOptions(store_path=store, feed=feed))


def default_start(replay_arg: str, path: Path, start_ms: int | None, until_ms: int | None) -> int | None:
    """Where the dashboard starts a replay.

    ``--start`` wins; ``--until`` alone shows that moment (paused at the end, ← to rewind);
    a bundled scenario opens at its telling moment (:data:`crashtui.replay.catalog.TELLING_MOMENTS`,
    shortly before its crash hour); anything else at its beginning.
    """
    if start_ms is not None:
        return start_ms
    if until_ms is not None:
        return until_ms
    from crashtui.replay.catalog import TELLING_MOMENTS, default_start_ms

    for name in TELLING_MOMENTS:
        if replay_arg == name or path.name.startswith(name + "."):
            return default_start_ms(name)
    return None


def plan_from_args(args: argparse.Namespace, config: Config) -> FeedPlan:
    """The plan for the dashboard's CLI arguments (``--replay``, ``--speed``, ``--no-store``…)."""
    replay_arg = getattr(args, "replay", None)
    if replay_arg:
        from crashtui.replay.locate import locate_recording

        path = locate_recording(replay_arg)
        # --speed max is None: as fast as the screen follows (never the default 60)
        speed = args.speed if getattr(args, "speed_given", False) else DASHBOARD_SPEED
        start = default_start(replay_arg, path, args.start, args.until)
        return FeedPlan(config, path, speed, start, args.until)
    return FeedPlan(
        config, default_store=not getattr(args, "no_store", False), feed=getattr(args, "feed", None)
    )
