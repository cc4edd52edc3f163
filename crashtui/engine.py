"""The headless engine: a feed → the one ingest pipeline → state → views, plus sinks.

The TUI, ``--once``, ``watch``, ``record`` and ``collect`` all run one Engine (built by
:func:`crashtui.assemble.build_engine`) and read its state. The engine is handed its feed and
its sinks; it never asks which kind of feed it has. Nothing in here knows about Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import Config
from crashtui.config.symbols import table_from_config
from crashtui.events import ClockEvent, Event
from crashtui.feeds.base import Feed
from crashtui.ingest.decode import PayloadDecoder
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import LOCAL_SOURCES, Interval, Liquidation, SourceState, SourceStatus
from crashtui.sinks.base import Sink
from crashtui.state import FeedState

if TYPE_CHECKING:
    from crashtui.analysis.market import AnalysisCache, MarketAnalysis
    from crashtui.analysis.radar import Radar, RadarCache
    from crashtui.feeds.replay import ReplayFeed
    from crashtui.replay.player import Player
    from crashtui.replay.recording import RecordingHeader
    from crashtui.risk.position import Position


class Engine:
    """Owns the state, the pipeline that fills it and the tasks that run the feed and sinks."""

    def __init__(
        self,
        config: Config,
        watchlist: tuple[str, ...],
        feed: Feed,
        sinks: Iterable[Sink] = (),
        *,
        clock: Clock = SYSTEM_CLOCK,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        from crashtui.analysis.liquidations import LiquidationTally

        self.config = config
        self.watchlist = watchlist
        self.feed = feed
        self.sinks: list[Sink] = list(sinks)
        self.clock = clock
        self.tally = LiquidationTally(config.analysis.cascade)
        self.state = self._new_state()
        self._on_change = on_change
        self.pipeline = Pipeline(
            PayloadDecoder(table_from_config(config)), self.sink, paint=self.note, on_reset=self.reset_state
        )
        feed.attach(self.pipeline)
        self._tasks: list[asyncio.Task[None]] = []
        self._analysis: tuple[tuple[int, int, int], MarketAnalysis] | None = None
        self._cache: AnalysisCache | None = None
        self._cache_for: FeedState | None = None
        self._radar_cache: RadarCache | None = None
        # The positions the radar and its alert rules evaluate: the config's, or the dashboard's
        # list once the user edits positions in the app.
        self.positions: tuple[Position, ...] = config.positions
        self._ui_pins: Mapping[str, tuple[float, ...]] = {}
        self._radar_for: FeedState | None = None

    # -- what the feed is --------------------------------------------------------------------

    @property
    def mode(self) -> str:
        """``live`` or ``replay``: what the feed shows."""
        return self.feed.mode

    @property
    def feed_label(self) -> str:
        """How this engine gets its data, for the status bar."""
        return self.feed.label

    @property
    def header(self) -> RecordingHeader | None:
        """The recording a replay plays (None live)."""
        return self.feed.header

    @property
    def failure(self) -> str | None:
        """Why the feed cannot deliver at all, or None."""
        return self.feed.failure

    @property
    def replay(self) -> ReplayFeed | None:
        """The replay feed when this engine plays a recording (for its controls), else None."""
        from crashtui.feeds.replay import ReplayFeed

        return self.feed if isinstance(self.feed, ReplayFeed) else None

    @property
    def player(self) -> Player | None:
        """The replay's player once it runs (pause, seek, speed), else None."""
        replay = self.replay
        return replay.player if replay is not None else None

    # -- events ------------------------------------------------------------------------------

    def _on_liquidation(self, liq: Liquidation) -> None:
        self.tally.add(liq)

    def sink(self, event: Event) -> None:
        """Where the pipeline applies an event: the state, then every sink, then listeners."""
        self.state.apply(event)
        for sink in self.sinks:
            sink(event)
        if self._on_change is not None:
            self._on_change()

    def note(self, event: Event) -> None:
        """Apply an event to the state only (history painted at start, a sink's own status)."""
        self.state.apply(event)
        if self._on_change is not None:
            self._on_change()

    def add_sink(self, sink: Sink) -> None:
        """Hand every later event to ``sink`` too (before :meth:`start`)."""
        self.sinks.append(sink)

    def reset_state(self) -> None:
        """Start over with empty state (replay seeks backwards)."""
        from crashtui.analysis.liquidations import LiquidationTally

        self.tally = LiquidationTally(self.config.analysis.cascade)
        self.state = self._new_state()

    def _new_state(self) -> FeedState:
        """Empty state. With a feed clock (replay) it starts at the feed's first payload, never
        at wall time: reading the analysis before the first tick must not move the liquidation
        tally months ahead of the data."""
        state = FeedState(
            self.watchlist, mode=self.feed.mode, now_ms=self.clock.now_ms, on_liquidation=self._on_liquidation
        )
        if self.feed.first_ms is not None:
            state.apply(ClockEvent(self.feed.first_ms))
        return state

    @property
    def pinned_zones(self) -> Mapping[str, tuple[float, ...]]:
        """Pinned levels: the config's (else the recording's in replay), plus those pinned in
        the dashboard (:attr:`ui_pins`)."""
        merged = dict(self.header.pinned_zones) if self.header is not None else {}
        merged.update(self.config.zones)
        for symbol, levels in self._ui_pins.items():
            merged[symbol] = (
                *merged.get(symbol, ()),
                *(x for x in levels if x not in merged.get(symbol, ())),
            )
        return merged

    @property
    def ui_pins(self) -> Mapping[str, tuple[float, ...]]:
        """Levels pinned in the dashboard's chart, per symbol."""
        return self._ui_pins

    @ui_pins.setter
    def ui_pins(self, pins: Mapping[str, tuple[float, ...]]) -> None:
        if dict(pins) != dict(self._ui_pins):
            self._ui_pins = dict(pins)
            self._analysis = None  # the zones of a pinned symbol change at once, not next second

    # -- running -----------------------------------------------------------------------------

    def load_history(self) -> int:
        """Paint what the feed knows from before this run; returns the items painted."""
        return self.feed.paint_history()

    def replay_to_end(self) -> int:
        """Headless replay at full speed to ``until`` (or the end); returns the replay clock."""
        return self._replay_feed().run_to_end()

    def replay_steps(self, step_ms: int = 60_000) -> Iterator[int]:
        """Headless replay one clock step at a time (see :meth:`ReplayFeed.steps`)."""
        return self._replay_feed().steps(step_ms)

    def _replay_feed(self) -> ReplayFeed:
        replay = self.replay
        if replay is None:
            raise RuntimeError("this engine does not replay a recording")
        return replay

    def start(self) -> list[asyncio.Task[None]]:
        """Start the feed and the sinks' background work on the running loop; returns the feed's
        task (it ends only if the feed fails as a whole)."""
        feed = asyncio.create_task(self.feed.run(), name=f"crashtui-{self.feed.label}")
        self._tasks = [feed]
        self._tasks.extend(asyncio.create_task(sink.run(), name="crashtui-sink") for sink in self.sinks)
        return [feed]

    async def stop(self) -> None:
        """Cancel the tasks, then close the feed and the sinks (flushing what is queued).

        Bounded, so quitting never hangs on a feed: see :func:`cancel_and_wait`."""
        await cancel_and_wait(self._tasks)
        self._tasks = []
        await self.feed.aclose()
        for sink in self.sinks:
            await sink.aclose()

    async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
        """Ask the feed for one symbol's candles of an interval it does not poll (a chart's 5m
        or 15m): None when they arrived in the state, else why not (one plain line)."""
        return await self.feed.fetch_candles(symbol, interval, backfill=backfill)

    def recorded_count(self) -> int:
        """Payloads written to the recording so far (0 when not recording)."""
        return int(getattr(self.feed, "recorded", 0))

    # -- reading -----------------------------------------------------------------------------

    def analysis(self, zone_budget: int | None = None) -> MarketAnalysis:
        """Analysis of the current state (cached until the state or the second changes).

        Zones are cached per symbol while their inputs are unchanged; with ``zone_budget`` at
        most that many changed symbols are recomputed per call (the dashboard's tick), the rest
        shown from their previous analysis until a later call refreshes them.
        """
        from crashtui.analysis.market import AnalysisCache, analyse_snapshot

        key = (id(self.state), self.state.version, self.now_ms() // 1000)
        if self._analysis is not None and self._analysis[0] == key and not self.analysis_behind:
            return self._analysis[1]
        if self._cache is None or self._cache_for is not self.state:
            self._cache, self._cache_for = AnalysisCache(), self.state
        result = analyse_snapshot(
            self.state.snapshot(),
            self.config,
            self.tally,
            pinned=self.pinned_zones,
            cache=self._cache,
            zone_budget=zone_budget,
        )
        self._analysis = (key, result)
        return result

    def radar(self) -> Radar:
        """The radar of the current state: leverage, the estimated liquidation map, macro
        correlation, the recovery checklist and the configured positions (each part recomputed
        only when its inputs changed; call it off the event loop in the UI)."""
        from crashtui.analysis.market import ZonesOnDemand
        from crashtui.analysis.radar import RadarCache, radar

        if self._radar_cache is None or self._radar_for is not self.state:
            self._radar_cache, self._radar_for = RadarCache(), self.state
        snapshot = self.state.snapshot()
        return radar(
            snapshot,
            ZonesOnDemand(snapshot, self.config, self.pinned_zones),
            positions=self.positions,
            pinned=self.pinned_zones,
            cache=self._radar_cache,
        )

    @property
    def analysis_behind(self) -> bool:
        """Whether the last :meth:`analysis` served some symbols' zones from older inputs (a
        ``zone_budget`` was hit): calling again catches up even if the state does not change."""
        return self._cache is not None and self._cache_for is self.state and self._cache.deferred > 0

    def now_ms(self) -> int:
        """The engine's clock: replay time in replay, else wall time."""
        return self.state.now_ms()

    def status_list(self) -> list[SourceStatus]:
        """Statuses sorted by source name, with never-heard-from sources as pending."""
        return [self.state.statuses[k] for k in sorted(self.state.statuses)]

    def any_data(self) -> bool:
        """Whether any source has delivered anything at all."""
        s = self.state
        return bool(s.tickers or s.candles or s.liquidations or s.etf or s.fear or s.macro or s.funding)

    def healthy_sources(self) -> int:
        """How many sources are currently ok (the store and the recorder are not sources)."""
        return sum(
            1
            for st in self.state.statuses.values()
            if st.state is SourceState.OK and st.source not in LOCAL_SOURCES
        )


STOP_GRACE_S = 1.0
"""A task still running this long after a cancel is cancelled again."""
STOP_TIMEOUT_S = 5.0
"""How long :meth:`Engine.stop` waits for its tasks in all before leaving them behind."""


async def cancel_and_wait(
    tasks: Iterable[asyncio.Task[None]],
    *,
    grace_s: float = STOP_GRACE_S,
    timeout_s: float = STOP_TIMEOUT_S,
) -> set[asyncio.Task[None]]:
    """Cancel ``tasks`` and wait until they end, at most ``timeout_s``; returns those still
    running then. A task still running ``grace_s`` after a cancel is cancelled again: a
    library can lose a cancel (Python 3.11's ``asyncio.wait_for``, used by redis-py, drops
    one that arrives as the awaited work finishes), and a lost cancel must not hang a quit."""
    tasks = list(tasks)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    pending = {task for task in tasks if not task.done()}
    while pending:
        for task in pending:
            task.cancel()
        wait_s = min(grace_s, deadline - loop.time())
        if wait_s <= 0:
            break
        _, pending = await asyncio.wait(pending, timeout=wait_s)
    for task in tasks:
        if task.done() and not task.cancelled():
            task.exception()  # retrieved, as gather(return_exceptions=True) did
    return pending


async def run_until(engine: Engine, predicate: Callable[[], bool], deadline_s: float) -> bool:
    """Run the engine until ``predicate`` holds or ``deadline_s`` passes; True if it held."""
    tasks = engine.start()
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + deadline_s
        while loop.time() < end:
            if predicate():
                return True
            if all(t.done() for t in tasks):
                break
            await asyncio.sleep(0.1)
        return predicate()
    finally:
        with contextlib.suppress(Exception):
            await engine.stop()
