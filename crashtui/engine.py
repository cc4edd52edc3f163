"""The headless engine: feeds (live or replay) → state → views, plus store and recorder.

The TUI, ``--once``, ``watch``, ``record`` and ``collect`` all run one Engine and read
its state; nothing in here knows about Textual.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable, Coroutine, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import Config
from crashtui.events import ClockEvent, DataEvent, Event, ServingEvent, StatusEvent
from crashtui.model import Liquidation, RawPayload, SourceState, SourceStatus
from crashtui.replay.recording import RecordingHeader, RecordingSource
from crashtui.state import FeedState

if TYPE_CHECKING:
    import httpx

    from crashtui.analysis.market import AnalysisCache, MarketAnalysis
    from crashtui.config.schema import NetConfig

SAMPLED_VENUES = ("binance_liq", "okx_liq", "okx")


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """What to replay and how fast (``speed`` None: as fast as possible)."""

    path: Path
    speed: float | None = 60.0
    start_ms: int | None = None
    until_ms: int | None = None


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """How an Engine runs: live or replay, with or without store and recorder."""

    replay: ReplayOptions | None = None
    store_path: Path | None = None
    record_path: Path | None = None
    streams: bool = True
    # Where live data comes from: "direct" (poll and stream the providers), "store" (follow a
    # collector through store_path) or a redis:// URL (follow a collector across machines).
    feed: str = "direct"
    # Collector: publish every event to the store's feed log (and to redis_url when set).
    publish: bool = False
    redis_url: str | None = None


class Engine:
    """Owns the feed state and the tasks that fill it."""

    def __init__(
        self,
        config: Config,
        watchlist: tuple[str, ...],
        options: EngineOptions = EngineOptions(),
        *,
        clock: Clock = SYSTEM_CLOCK,
        on_change: Callable[[], None] | None = None,
        client_factory: Callable[[NetConfig], httpx.AsyncClient] | None = None,
    ) -> None:
        from crashtui.analysis.liquidations import LiquidationTally

        self._client_factory = client_factory
        self.poller: Any = None

        self.config = config
        self.options = options
        self.clock = clock
        self.watchlist = watchlist
        self.header: RecordingHeader | None = None
        self.recording: RecordingSource | None = None
        if options.replay is not None:
            from crashtui.replay.recording import RecordingSource

            self.recording = RecordingSource(options.replay.path)
            self.header = self.recording.header
            if self.header.watchlist and not watchlist:
                self.watchlist = self.header.watchlist
        self.mode = "replay" if options.replay is not None else "live"
        self.tally = LiquidationTally(config.analysis.cascade)
        self.state = self._new_state()
        self._on_change = on_change
        self._store: Any = None
        self._recorder: Any = None
        self._record_counter: Any = None
        self._publishers: list[Callable[[Event], None]] = []
        self.player: Any = None
        self._tasks: list[asyncio.Task[None]] = []
        self.failure: str | None = None
        self._analysis: tuple[tuple[int, int, int], MarketAnalysis] | None = None
        self._cache: AnalysisCache | None = None
        self._cache_for: FeedState | None = None

    # -- events ------------------------------------------------------------------------------

    def _on_liquidation(self, liq: Liquidation) -> None:
        self.tally.add(liq)

    def sink(self, event: Event) -> None:
        """EventSink: fold into state, persist (live), publish (collector), notify."""
        self.state.apply(event)
        if self._store is not None:
            if isinstance(event, DataEvent):
                self._store.submit_event(event)
            elif isinstance(event, StatusEvent):
                self._store.submit_status(event.status)
            if self.options.publish:
                from crashtui.sharedfeed.codec import encode_event

                text = encode_event(event)
                if text is not None:
                    self._store.submit_log(self.clock.now_ms(), text)
                if isinstance(event, ServingEvent):
                    from crashtui.sharedfeed.store_feed import SERVING_KEY

                    self._store.submit_meta(SERVING_KEY, json.dumps(dict(self.state.serving)))
        for publisher in self._publishers:
            publisher(event)
        if self._on_change is not None:
            self._on_change()

    @property
    def feed_label(self) -> str:
        """How this engine gets its data, for the status bar."""
        if self.mode == "replay":
            return "replay"
        if self.options.feed == "store":
            return "via collector"
        if self.options.feed.startswith(("redis://", "rediss://", "unix://")):
            return "via collector (redis)"
        return "direct"

    def reset_state(self) -> None:
        """Start over with empty state (replay seeks backwards)."""
        from crashtui.analysis.liquidations import LiquidationTally

        self.tally = LiquidationTally(self.config.analysis.cascade)
        self.state = self._new_state()

    def _new_state(self) -> FeedState:
        """Empty state. In replay its clock starts at the recording's first payload, never at
        wall time: reading the analysis before the player's first tick must not move the
        liquidation tally months ahead of the data."""
        state = FeedState(
            self.watchlist, mode=self.mode, now_ms=self.clock.now_ms, on_liquidation=self._on_liquidation
        )
        if self.recording is not None and self.recording.first_ms is not None:
            state.apply(ClockEvent(self.recording.first_ms))
        return state

    @property
    def pinned_zones(self) -> Mapping[str, tuple[float, ...]]:
        """Pinned levels: the config's, plus the recording's in replay (config wins)."""
        merged = dict(self.header.pinned_zones) if self.header is not None else {}
        merged.update(self.config.zones)
        return merged

    # -- start-up ----------------------------------------------------------------------------

    def load_history(self) -> int:
        """Paint from the store: apply its last known state (statuses marked stale)."""
        if self.options.store_path is None or self.mode != "live" or self.options.feed != "direct":
            return 0
        from crashtui.store.sqlite import load_events

        events, statuses = load_events(self.options.store_path, self.watchlist)
        for event in events:
            self.state.apply(event)
        for status in statuses:
            self.state.apply(StatusEvent(status))
        return sum(len(e.items) for e in events)

    def replay_to_end(self) -> int:
        """Headless replay at full speed to ``until`` (or the end); returns the replay clock."""
        from crashtui.replay.player import replay_all

        assert self.options.replay is not None
        assert self.recording is not None
        return replay_all(self.recording, self.sink, until_ms=self.options.replay.until_ms)

    def replay_steps(self, step_ms: int = 60_000) -> Iterator[int]:
        """Headless replay at full speed, one clock step at a time; yields the replay clock.

        Applies everything up to the window start first, then advances to each multiple of
        ``step_ms`` (and finally to the window end), yielding after each step's payloads and clock
        event are applied, so a caller can act between steps (``crashtui watch`` evaluates its
        alert rules there). ``self.player`` is the Player doing it.
        """
        from crashtui.replay.player import Player, ReplayWindow

        replay = self.options.replay
        assert replay is not None
        assert self.recording is not None
        player = Player(
            self.recording,
            self.sink,
            speed=None,
            window=ReplayWindow(replay.start_ms, replay.until_ms),
            on_reset=self.reset_state,
        )
        self.player = player
        player.seek(0)
        yield player.clock_ms
        while player.clock_ms < player.end_ms:
            boundary = (player.clock_ms // step_ms + 1) * step_ms
            player.seek(boundary - player.clock_ms)
            yield player.clock_ms
        player.finished = True

    def start(self) -> list[asyncio.Task[None]]:
        """Start the feed tasks on the running loop."""
        if self.options.replay is not None:
            job = self._run_replay()
        elif self.options.feed == "store":
            job = self._run_store_reader()
        elif self.options.feed != "direct":
            job = self._run_redis_reader()
        else:
            job = self._run_live()
        self._tasks = [asyncio.create_task(job, name=f"crashtui-{self.feed_label}")]
        return self._tasks

    async def _run_store_reader(self) -> None:
        from crashtui.sharedfeed.store_feed import StoreFeedReader

        if self.options.store_path is None:
            raise ValueError("--feed store needs a history store")
        await StoreFeedReader(self.options.store_path, self.watchlist, self.sink, clock=self.clock).run()

    async def _run_redis_reader(self) -> None:
        from crashtui.sharedfeed.redis_feed import RedisFeedReader

        await RedisFeedReader(self.options.feed, self.sink, clock=self.clock).run()

    async def _heartbeat(self) -> None:
        from crashtui.sharedfeed.store_feed import HEARTBEAT_EVERY_S, HEARTBEAT_KEY

        while True:
            if self._store is not None:
                self._store.submit_meta(HEARTBEAT_KEY, str(self.clock.now_ms()))
            await asyncio.sleep(HEARTBEAT_EVERY_S)

    async def stop(self) -> None:
        """Cancel the feed tasks and close store and recorder (flushing what is queued)."""
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._store is not None:
            store, self._store = self._store, None
            await asyncio.to_thread(store.close)
        if self._recorder is not None:
            recorder, self._recorder = self._recorder, None
            await asyncio.to_thread(recorder.close)

    async def _run_replay(self) -> None:
        from crashtui.replay.player import Player, ReplayWindow

        replay = self.options.replay
        assert replay is not None
        assert self.recording is not None
        self.player = Player(
            self.recording,
            self.sink,
            speed=replay.speed,
            window=ReplayWindow(replay.start_ms, replay.until_ms),
            on_reset=self.reset_state,
        )
        await self.player.run()

    async def _run_live(self) -> None:
        from crashtui.feed.poller import Poller
        from crashtui.net.http import fetch, max_body_bytes
        from crashtui.wire import Request

        if self.options.store_path is not None:
            from crashtui.store.sqlite import Store

            self._store = Store(self.options.store_path, self.config.store)
        raw_sink = self._open_recorder()
        if self._client_factory is None:
            from crashtui.net.http import make_client

            self._client_factory = make_client
        async with self._client_factory(self.config.net) as client:
            poller = Poller(self.config, self.watchlist, client, self.sink, raw_sink, clock=self.clock)
            self.poller = poller
            jobs: list[Coroutine[Any, Any, None]] = [poller.run()]
            if self.options.publish:
                jobs.append(self._heartbeat())
                if self.options.redis_url:
                    from crashtui.sharedfeed.redis_feed import RedisPublisher

                    publisher = RedisPublisher(self.options.redis_url, self, clock=self.clock)
                    self._publishers.append(publisher.publish)
                    jobs.append(publisher.run())
            if self.options.streams:
                from crashtui.streams.runner import build_streams

                async def okx_fetch(endpoint: str, url: str, params: Mapping[str, str]) -> RawPayload:
                    request = Request(source="okx", endpoint=endpoint, url=url, query=dict(params))
                    payload = await fetch(
                        client, request, clock=self.clock, max_body_bytes=max_body_bytes(self.config.net)
                    )
                    if raw_sink is not None:
                        raw_sink(payload)
                    return payload

                streams = build_streams(
                    self.config, self.watchlist, self.sink, raw_sink, fetch=okx_fetch, clock=self.clock
                )
                jobs.extend(streams.coroutines())
            await asyncio.gather(*jobs)

    def _open_recorder(self) -> Callable[[RawPayload], None] | None:
        if self.options.record_path is None:
            return None
        from crashtui.replay.recording import RecordingHeader, RecordingWriter

        header = RecordingHeader(
            created_ms=self.clock.now_ms(),
            label=self.options.record_path.name,
            watchlist=self.watchlist,
            pinned_zones=dict(self.config.zones),
        )
        self._recorder = RecordingWriter(self.options.record_path, header)
        self._record_counter = self._recorder
        recorder: Callable[[RawPayload], None] = self._recorder
        return recorder

    def recorded_count(self) -> int:
        """Payloads written to the recording so far (0 when not recording)."""
        return int(getattr(self._record_counter, "count", 0))

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
        """How many sources are currently ok."""
        return sum(1 for st in self.state.statuses.values() if st.state is SourceState.OK)


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
