"""The live feed: REST polling with failover plus the liquidation streams, straight from the
providers. Every usable response and frame goes through the attached ingest pipeline."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import Config
from crashtui.events import RawSink, StatusEvent
from crashtui.model import Interval, RawPayload

if TYPE_CHECKING:
    import httpx

    from crashtui.config.schema import NetConfig
    from crashtui.ingest.pipeline import Pipeline
    from crashtui.replay.recording import RecordingHeader, RecordingWriter
    from crashtui.upstream.poller import Poller

ClientFactory = Callable[["NetConfig"], "httpx.AsyncClient"]
POLLER_WAIT_STEPS = 50  # 5 s for a just-started feed to make its poller


class LiveFeed:
    """Polls and streams the providers for ``watchlist`` until cancelled.

    ``recorder`` (a recording writer) receives every response and frame as it arrives, error
    statuses included; it is closed with the feed. ``history`` is a store whose last known
    state :meth:`paint_history` shows before the first answer arrives.
    """

    mode = "live"
    label = "direct"
    header: RecordingHeader | None = None
    first_ms: int | None = None

    def __init__(
        self,
        config: Config,
        watchlist: tuple[str, ...],
        *,
        clock: Clock = SYSTEM_CLOCK,
        streams: bool = True,
        recorder: RecordingWriter | None = None,
        history: Path | None = None,
        client_factory: ClientFactory | None = None,
    ) -> None:
        self.config = config
        self.watchlist = watchlist
        self.clock = clock
        self.streams = streams
        self.recorder = recorder
        self.history = history
        self._client_factory = client_factory
        self._pipeline: Pipeline | None = None
        self._recorded_before_close = 0
        self.stopped = False
        self.poller: Poller | None = None

    @property
    def failure(self) -> str | None:
        """The live feed never fails as a whole: each source reports its own state."""
        return None

    def attach(self, pipeline: Pipeline) -> None:
        """Deliver into ``pipeline``."""
        self._pipeline = pipeline

    def _pipe(self) -> Pipeline:
        if self._pipeline is None:
            raise RuntimeError("live feed is not attached to a pipeline")
        return self._pipeline

    def paint_history(self) -> int:
        """Apply the store's last known state (its statuses marked stale); returns items painted."""
        if self.history is None:
            return 0
        from crashtui.store.sqlite import load_events

        pipeline = self._pipe()
        # This process writes the store: a corrupt one is moved aside (one line says so). The
        # reader's clock, not the newest row, sets how far back history is loaded.
        events, statuses = load_events(self.history, self.watchlist, now_ms=self.clock.now_ms(), repair=True)
        for event in events:
            pipeline.history(event)
        for status in statuses:
            pipeline.history(StatusEvent(status))
        return sum(len(e.items) for e in events)

    async def run(self) -> None:
        """Poll and stream until cancelled."""
        from crashtui.net.http import fetch, max_body_bytes
        from crashtui.upstream.poller import Poller
        from crashtui.wire import Request

        pipeline = self._pipe()
        raw_sink: RawSink | None = self.recorder
        factory = self._client_factory
        if factory is None:
            from crashtui.net.http import make_client

            factory = make_client
        async with factory(self.config.net) as client:
            self.poller = Poller(
                self.config,
                self.watchlist,
                client,
                pipeline.payload,
                pipeline.event,
                raw_sink,
                clock=self.clock,
            )
            jobs: list[Coroutine[Any, Any, None]] = [self.poller.run()]
            if self.streams:
                from crashtui.upstream.streams import build_streams

                cap = max_body_bytes(self.config.net)

                async def okx_fetch(endpoint: str, url: str, params: Mapping[str, str]) -> RawPayload:
                    request = Request(source="okx", endpoint=endpoint, url=url, query=dict(params))
                    return await fetch(client, request, clock=self.clock, max_body_bytes=cap, tap=raw_sink)

                streams = build_streams(
                    self.config,
                    self.watchlist,
                    pipeline.payload,
                    pipeline.event,
                    raw_sink,
                    fetch=okx_fetch,
                    contracts=pipeline.okx_contracts,
                    clock=self.clock,
                )
                jobs.extend(streams.coroutines())
            try:
                await asyncio.gather(*jobs)
            finally:
                self.stopped = True  # the client closes with this block: no more on-demand fetches
                self.poller = None

    async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
        """One on-demand candle fetch through the running poller (its client, budgets, recorder
        and pipeline); see :meth:`crashtui.upstream.poller.Poller.fetch_candles`."""
        for _ in range(POLLER_WAIT_STEPS):  # run() makes the poller in its first loop turns
            if self.stopped:
                return "the feed has stopped"
            if self.poller is not None:
                return await self.poller.fetch_candles(symbol, interval, backfill=backfill)
            await asyncio.sleep(0.1)
        return "the feed has not started yet"

    async def aclose(self) -> None:
        """Close the recorder (flushing what is queued)."""
        if self.recorder is not None:
            recorder, self.recorder = self.recorder, None
            await asyncio.to_thread(recorder.close)
            self._recorded_before_close = recorder.count

    @property
    def recorded(self) -> int:
        """Payloads written to the recording so far (0 when not recording)."""
        return self.recorder.count if self.recorder is not None else self._recorded_before_close
