"""The app's engine session: boot the first engine off the loop, start it, stop every engine.

Engines are built by the :class:`~crashtui.ui.session.FeedPlan` in a worker thread (recording
scan, store load, analysis imports), then started on the loop and given the session's alerts
(:mod:`crashtui.ui.app_alerts`). Swapping in a new engine (watchlist change, backward seek) is
:mod:`crashtui.ui.app_swap`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
from typing import TYPE_CHECKING

from crashtui.config.schema import Config
from crashtui.ui.app_base import AppCore
from crashtui.ui.pins import PinBook
from crashtui.ui.watchlists import RECORDING, WatchlistBook

if TYPE_CHECKING:
    from crashtui.engine import Engine
    from crashtui.ui.alerting import DashboardAlerts
    from crashtui.ui.session import FeedPlan


def warm_up_analysis(config: Config) -> None:
    """Import what the first analysis imports lazily (~0.1 s), off the event loop.

    Runs the analysis on an empty, separate state: the engine's own state and tally are not
    touched. The zones and the liquidation map are plain Python (no numpy, issue 19), so
    importing the analysis modules is all the warm-up there is.
    """
    from crashtui.analysis.market import analyse_snapshot
    from crashtui.state import FeedState

    analyse_snapshot(FeedState(()).snapshot(), config)


def settle_heap(*, full: bool) -> None:
    """Set the long-lived feed state aside from the cyclic collector (``gc.freeze``).

    The engine keeps hundreds of thousands of objects alive; every full collection would walk
    them all, a 15-50 ms pause on the event loop while you type. Frozen objects are still freed
    by reference counting when dropped. ``full`` first collects everything (one pause, only at
    start-up and engine swaps), so a replaced engine's reference cycles are reclaimed.
    """
    if full:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


def caught_up(engine: Engine, target: int) -> bool:
    """Whether a replay engine's player stands at ``target`` with nothing left to apply there."""
    player = engine.player
    if player is None:
        return False
    upcoming = player.next_payload_ms()
    return player.clock_ms >= target and (upcoming is None or upcoming > target)


class SessionMixin(AppCore):
    """Boots, builds, starts and stops the app's engines."""

    config_data: Config
    plan: FeedPlan | None
    book: WatchlistBook | None
    pin_book: PinBook
    engine: Engine | None
    alerts: DashboardAlerts | None
    _engines: set[Engine]
    _tasks: list[asyncio.Task[None]]
    _busy: str
    _stopped: bool

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

        def _attach_alerts(self, engine: Engine) -> None: ...  # app_alerts

    async def _boot(self) -> None:
        assert self.plan is not None
        watchlist = self.book.symbols() if self.book is not None else ()
        if self.book is not None and self.book.current == RECORDING:
            watchlist = ()
        from crashtui.replay.recording import RecordingError

        try:
            engine = await asyncio.to_thread(self._build_engine, watchlist, None)
        except RecordingError as exc:  # found past the start-up check (a gzip bomb): one line
            from rich.text import Text

            from crashtui.textsafe import plain

            self.exit(return_code=2, message=Text(f"crashtui: error: {plain(str(exc), 300)}"))
            return
        if self._stopped:
            return
        engine.ui_pins = self.pin_book.pins
        self.engine = engine
        self._engines.add(engine)
        if self.book is not None:
            self.book.set_recording(engine.watchlist)
        self._start(engine)
        self._busy = ""
        self.refresh_now()
        await self._settle_when_caught_up(engine)

    async def _settle_when_caught_up(self, engine: Engine) -> None:
        """Once the first data is in (a replay's catch-up, a live store paint), set it aside."""
        for _ in range(200):  # at most ~10 s
            if self._stopped or engine is not self.engine:
                return
            player = engine.player
            if engine.mode != "replay" or (player is not None and caught_up(engine, player.clock_ms)):
                break
            await asyncio.sleep(0.05)
        settle_heap(full=True)

    def _build_engine(self, watchlist: tuple[str, ...], start_ms: int | None) -> Engine:
        """Build (and paint from the store) a new engine: runs in a worker thread."""
        assert self.plan is not None
        engine = self.plan.build(watchlist, start_ms)
        engine.load_history()
        warm_up_analysis(self.config_data)
        import crashtui.alerts  # noqa: F401  (imported here, off the loop, for the alert manager)

        return engine

    def _start(self, engine: Engine) -> None:
        self._tasks = engine.start()
        self._attach_alerts(engine)

    async def _stop_engines(self) -> None:
        self._stopped = True
        alerts, self.alerts = self.alerts, None
        if alerts is not None:
            await alerts.aclose()
        engines, self._engines = list(self._engines), set()
        for engine in engines:
            with contextlib.suppress(Exception):
                await engine.stop()

    async def action_quit(self) -> None:
        """Stop the feed (flushing the store and recorder), then exit."""
        await self._stop_engines()
        self.exit(0)
