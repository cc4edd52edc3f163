"""Engine swaps: a watchlist change or a backward seek builds a new engine off the loop and swaps
it in once it has caught up; requests made meanwhile collapse into the latest one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crashtui.ui.app_base import AppCore
from crashtui.ui.app_session import caught_up, settle_heap
from crashtui.ui.pins import PinBook
from crashtui.ui.watchlists import RECORDING, WatchlistBook

if TYPE_CHECKING:
    from crashtui.engine import Engine
    from crashtui.ui.ondemand import OnDemandCandles


@dataclass(frozen=True, slots=True)
class EngineRequest:
    """What the next engine should look like."""

    watchlist: tuple[str, ...]
    start_ms: int | None
    busy: str


class SwapMixin(AppCore):
    """Replaces the running engine with one built for an :class:`EngineRequest`."""

    book: WatchlistBook | None
    pin_book: PinBook
    engine: Engine | None
    _engines: set[Engine]
    _tasks: list[asyncio.Task[None]]
    _busy: str
    _pending: EngineRequest | None
    _switching: bool
    _seek_target: int | None
    _select_after_swap: str | None
    _speed: float | None
    _stopped: bool
    chart_candles: OnDemandCandles  # app_candles

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

        # app_session
        def _build_engine(self, watchlist: tuple[str, ...], start_ms: int | None) -> Engine: ...

        def _attach_alerts(self, engine: Engine) -> None: ...  # app_alerts

        def _imports_follow_engine(self) -> None: ...  # app_exchanges

        def _select_when_ready(self, symbol: str) -> None: ...  # app_watchlists

    def _request(self, request: EngineRequest) -> None:
        self._pending = request
        self._busy = request.busy
        if not self._switching:
            self._switching = True
            self.run_worker(self._swap_loop(), name="crashtui-swap", group="engine")
        self.refresh_now(force=True)

    async def _swap_loop(self) -> None:
        try:
            while self._pending is not None and not self._stopped:
                request, self._pending = self._pending, None
                await self._swap(request)
        finally:
            self._switching = False
            self._busy = ""
            self._seek_target = None
            self.refresh_now(force=True)
            if self._select_after_swap is not None:
                self._select_when_ready(self._select_after_swap)
                self._select_after_swap = None

    async def _swap(self, request: EngineRequest) -> None:
        old = self.engine
        replay = old is not None and old.mode == "replay"
        was_paused = bool(replay and old is not None and old.player is not None and old.player.paused)
        if old is not None and not replay:
            await old.stop()  # frees the history store before the new engine opens it
            self._engines.discard(old)
        watchlist = request.watchlist
        if self.book is not None and self.book.current == RECORDING and replay and old is not None:
            watchlist = self.book.symbols()
        engine = await asyncio.to_thread(self._build_engine, watchlist, request.start_ms)
        if self._stopped:
            return
        self._engines.add(engine)
        tasks = engine.start()
        if replay:
            await asyncio.sleep(0)
            player = engine.player
            if player is not None:
                player.speed = self._speed  # None is max, not "unchanged"
                if was_paused:
                    player.toggle_pause()
                target = request.start_ms if request.start_ms is not None else player.clock_ms
                while not self._stopped and not caught_up(engine, target):
                    await asyncio.sleep(0.05)
            if old is not None:
                await old.stop()
                self._engines.discard(old)
        engine.ui_pins = self.pin_book.pins
        self.engine = engine
        self._tasks = tasks
        self._attach_alerts(engine)
        self._imports_follow_engine()
        self.chart_candles.poke()  # the new engine gets the chart's 5m/15m now, not in 30 s
        settle_heap(full=True)  # the old engine's cycles are freed; the new state set aside
