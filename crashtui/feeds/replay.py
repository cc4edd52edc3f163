"""The replay feed: a recording's raw payloads through the live pipeline, on a replay clock."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from crashtui.events import ClockEvent
from crashtui.feeds.replay_status import ReplayStatuses
from crashtui.model import Interval, RawPayload
from crashtui.replay.player import PayloadSource, Player, ReplayWindow, replay_all

if TYPE_CHECKING:
    from crashtui.ingest.pipeline import Pipeline
    from crashtui.replay.recording import RecordingHeader


class ReplayFeed:
    """Plays ``source`` (a recording) at ``speed`` (None: as fast as possible) within ``window``.

    The replay clock is the feed's clock: the state's ``now`` follows the data applied so far.
    """

    mode = "replay"
    label = "replay"

    def __init__(
        self,
        source: PayloadSource,
        *,
        header: RecordingHeader | None = None,
        speed: float | None = 60.0,
        window: ReplayWindow | None = None,
    ) -> None:
        self.source = source
        self.header = header
        self.speed = speed
        self.window = window if window is not None else ReplayWindow()
        self._pipeline: Pipeline | None = None
        self._statuses = ReplayStatuses()
        self.player: Player | None = None

    @property
    def first_ms(self) -> int | None:
        """The recording's first payload: where the replay clock starts."""
        return self.source.first_ms

    @property
    def bad_lines(self) -> int:
        """Malformed recording lines skipped so far (the replay header says so)."""
        return int(getattr(self.source, "bad_lines", 0))

    @property
    def holds_market_data(self) -> bool:
        """Whether the recording holds any market-strip payload (movers, market size); a
        source that does not list its endpoints (an in-memory list) is taken to hold some."""
        from crashtui.sources.market_strip import MARKET_ENDPOINTS

        endpoints = getattr(self.source, "endpoints", None)
        return endpoints is None or bool(MARKET_ENDPOINTS & endpoints)

    @property
    def failure(self) -> str | None:
        """A replay never fails as a whole (bad lines are the pipeline's business)."""
        return None

    def attach(self, pipeline: Pipeline) -> None:
        """Deliver into ``pipeline``."""
        self._pipeline = pipeline

    def _pipe(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("replay feed is not attached to a pipeline")
        return self._pipeline

    def deliver(self, raw: RawPayload) -> None:
        """One recorded payload through the pipeline, plus the status its outcome calls for."""
        pipeline = self._pipe()
        status = self._statuses.observe(raw, pipeline.payload(raw))
        if status is not None:
            pipeline.event(status)

    def tick(self, now_ms: int) -> None:
        """Move the replay clock."""
        self._pipe().event(ClockEvent(now_ms))

    def reset(self) -> None:
        """Start over from the first payload (seeking back)."""
        self._statuses.reset()
        self._pipe().reset()

    def new_player(self, speed: float | None) -> Player:
        """A player over this feed's recording and window (also :attr:`player`)."""
        self.player = Player(
            self.source, self.deliver, self.tick, speed=speed, window=self.window, on_reset=self.reset
        )
        return self.player

    def paint_history(self) -> int:
        """A replay has no history beyond its recording."""
        return 0

    async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
        """A replay fetches nothing: what the recording holds (a live chart's 5m fetches are
        recorded like any poll) is all there is."""
        return "not in this recording"

    async def run(self) -> None:
        """Play paced until the end of the window, then wait for seeks until cancelled."""
        await self.new_player(self.speed).run()

    def run_to_end(self) -> int:
        """Apply everything to ``until`` (or the end) at once; returns the replay clock."""
        return replay_all(self.source, self.deliver, self.tick, until_ms=self.window.until_ms)

    def steps(self, step_ms: int = 60_000) -> Iterator[int]:
        """Full speed, one clock step at a time; yields the replay clock after each step.

        Applies everything up to the window start first, then advances to each multiple of
        ``step_ms`` (and finally to the window end), so a caller can act between steps
        (``crashtui watch`` evaluates its alert rules there).
        """
        player = self.new_player(None)
        player.seek(0, jump=False)
        yield player.clock_ms
        while player.clock_ms < player.end_ms:
            boundary = (player.clock_ms // step_ms + 1) * step_ms
            player.seek(boundary - player.clock_ms, jump=False)
            yield player.clock_ms
        player.finished = True

    async def aclose(self) -> None:
        """Nothing to release: the recording is read a pass at a time."""
