"""The refresh pipeline: the tick reads the engine, builds a :class:`Frame` and hands it to the
visible screen, only when the state, the second or what is on screen changed."""

from __future__ import annotations

import asyncio
import time
from functools import partial
from typing import TYPE_CHECKING

from crashtui.ui.app_base import AppCore
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.palette import Palette
from crashtui.ui.perf import TickStats
from crashtui.ui.screens.base import FrameView
from crashtui.ui.watchlists import RECORDING, WatchlistBook

if TYPE_CHECKING:
    from crashtui.analysis.market import MarketAnalysis
    from crashtui.analysis.radar import Radar
    from crashtui.engine import Engine
    from crashtui.model import Snapshot
    from crashtui.ui.alerting import DashboardAlerts
    from crashtui.ui.positions import PositionBook
    from crashtui.ui.render.frame import Frame, ReplayInfo
    from crashtui.ui.session import FeedPlan

ZONE_BUDGET = 1  # symbols whose zones are recomputed per refresh tick (~5 ms each)
TURN_GAP_S = 0.002  # between the refresh tick's turns: room for keys and frames in between


class RefreshMixin(AppCore):
    """The refresh tick and the frames it shows."""

    plan: FeedPlan | None
    book: WatchlistBook | None
    engine: Engine | None
    alerts: DashboardAlerts | None
    glyphs: Glyphs
    palette: Palette
    perf: TickStats
    _tasks: list[asyncio.Task[None]]
    _busy: str
    _speed: float | None
    _stopped: bool
    _analysis_ms: float
    _last_key: tuple[object, ...] | None
    _frame_seq: int
    position_book: PositionBook
    _import_status: str  # app_exchanges

    if TYPE_CHECKING:

        def current_radar(  # app_radar
            self, engine: Engine, snapshot: Snapshot, analysis: MarketAnalysis
        ) -> Radar | None: ...

    if TYPE_CHECKING:

        def paint_alert_line(self, force: bool = False) -> None: ...  # app_alerts

    def _tick(self) -> None:
        """The refresh timer: evaluate the alert rules, then repaint what changed.

        Alerts, analysis and the pane update each take a few milliseconds; they run in separate
        loop turns a moment apart, so a keypress or a stream frame waits for one of them at
        most, never for all three in a row.
        """
        if self._shutting_down():
            return
        if self.alerts is not None:
            self.alerts.check()
        self.paint_alert_line()  # an alert's time on the line ran out
        self.set_timer(TURN_GAP_S, self._tick_analysis)  # a Textual timer: errors are not swallowed

    def _tick_analysis(self) -> None:
        """The tick's second turn: build the frame; the third turn shows it."""
        if self._shutting_down():
            return
        frame = self._next_frame(force=False, deferred_charts=True)
        if frame is not None:
            seq = self._frame_seq
            self.set_timer(TURN_GAP_S, partial(self._tick_show, frame, seq))

    def _tick_show(self, frame: Frame, seq: int) -> None:
        """Show a frame built a turn ago, unless a newer one (a key, a theme) got there first."""
        if seq == self._frame_seq and not self._shutting_down():
            self._show_frame(frame)

    def _replay_info(self, engine: Engine) -> ReplayInfo | None:
        from crashtui.ui.render.frame import ReplayInfo

        if engine.mode != "replay":
            return None
        header = engine.header
        player = engine.player
        return ReplayInfo(
            label=header.label if header is not None else "recording",
            scenario=bool(header is not None and header.scenario),
            note=header.note if header is not None else "",
            clock_ms=engine.now_ms(),
            speed=player.speed if player is not None else self._speed,
            paused=bool(player.paused) if player is not None else True,
            finished=bool(player.finished) if player is not None else False,
            busy=self._busy or self._catching_up(engine),
            bad_lines=engine.replay.bad_lines if engine.replay is not None else 0,
            market_data=engine.replay.holds_market_data if engine.replay is not None else True,
            symbols=frozenset(header.watchlist) if header is not None else frozenset(),
        )

    def _catching_up(self, engine: Engine) -> str:
        """``catching up`` while the data applied so far trails the replay's start or seek
        target (or the started replay has not applied anything yet)."""
        player = engine.player
        behind = player.behind if player is not None else bool(self._tasks)
        return "catching up" if behind else ""

    def _feed_error(self) -> str | None:
        for task in self._tasks:
            if task.done() and not task.cancelled() and task.exception() is not None:
                exc = task.exception()
                return f"{type(exc).__name__}: {exc}"
        return None

    def build_frame(self, *, deferred_charts: bool = False) -> Frame | None:
        """The frame for the current engine state (None before the first engine exists)."""
        from crashtui.ui.render.frame import Frame

        engine = self.engine
        if engine is None:
            return None
        started = time.perf_counter()
        # A couple of symbols' zones per tick: a long watchlist must not stall the loop.
        analysis = engine.analysis(zone_budget=ZONE_BUDGET)
        self._analysis_ms = (time.perf_counter() - started) * 1000
        dashboard = self._dashboard()
        snapshot = engine.state.snapshot()
        return Frame(
            now_ms=engine.now_ms(),
            snapshot=snapshot,
            analysis=analysis,
            palette=self.palette,
            glyphs=self.glyphs,
            watchlist=self._watchlist_label(engine),
            replay=self._replay_info(engine),
            selected=dashboard.selected_symbol if dashboard is not None else None,
            feed_error=self._feed_error(),
            alerts=self.alerts.count if self.alerts is not None else 0,
            feed=engine.feed_label,
            deferred_charts=deferred_charts,
            radar=self.current_radar(engine, snapshot, analysis),
            positions=len(self.position_book.positions),
            imports=self._import_status,
        )

    def _watchlist_label(self, engine: Engine) -> str:
        if self.book is None:
            if engine.mode == "replay":
                return engine.header.label if engine.header is not None else "recording"
            return "watchlist"
        if self.book.current == RECORDING and engine.header is not None:
            return engine.header.label
        return self.book.current

    def refresh_now(self, force: bool = False) -> None:
        """Rebuild and show the frame now when the state or the second changed (or ``force``)."""
        if self._shutting_down():
            return
        frame = self._next_frame(force)
        if frame is not None:
            self._show_frame(frame)

    def _next_frame(self, force: bool, deferred_charts: bool = False) -> Frame | None:
        """A new frame, or None when nothing changed since the last one (or nothing to show)."""
        engine = self.engine
        if engine is None or (engine.mode == "replay" and engine.state.version == 0):
            # Before the player's first clock event the state's clock is wall time; an analysis now
            # would move the liquidation tally to today and drop the whole recording as late.
            self._show_loading()
            return None
        key = (
            id(engine),
            engine.state.version,
            engine.now_ms() // 1000,
            self._busy,
            self.theme,
            id(self.screen),
            self.alerts.count if self.alerts is not None else 0,
        )
        if key == self._last_key and not force and not engine.analysis_behind:
            self.perf.skipped += 1
            return None
        self._last_key = key
        self._frame_seq += 1
        return self.build_frame(deferred_charts=deferred_charts)

    def _show_frame(self, frame: Frame) -> None:
        """Hand ``frame`` to the visible screen and record the tick's timings."""
        started = time.perf_counter()
        screen = self.screen
        if isinstance(screen, FrameView):
            if not screen.is_mounted:
                # Pushed but not composed yet (a key pressed while the engine boots): its
                # widgets do not exist. Show a fresh frame once they do; the state may not
                # change again, so the refresh key alone would never repaint it.
                screen.call_after_refresh(self.refresh_now, True)
                return
            screen.update_frame(frame)
            self.paint_alert_line()
        self.perf.record(self._analysis_ms, (time.perf_counter() - started) * 1000)

    def _show_loading(self) -> None:
        dashboard = self._dashboard()
        if dashboard is None:
            return
        if self.plan is not None and self.plan.replay:
            dashboard.show_loading("loading the replay…")
        else:
            dashboard.show_loading("starting: reading the history store…")
