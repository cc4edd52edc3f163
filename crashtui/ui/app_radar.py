"""The radar behind the dashboard (derivatives, the estimated liquidation map, the recovery
checklist, macro, the user's positions) and the positions' add/edit/remove keys.

A radar costs tens of milliseconds (a second on a cold start), so it is never computed on the
event loop or on every tick: at most every :data:`RADAR_EVERY_S` seconds a worker thread
computes one from the frame's own snapshot and analysis (immutable: safe to read from the
thread), and the frame after it is ready shows it. A position edit asks for a new one at once.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Mapping
from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from crashtui.ui.app_base import AppCore
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.positions import PositionBook, PositionError, describe

if TYPE_CHECKING:
    from textual.screen import Screen

    from crashtui.analysis.market import MarketAnalysis
    from crashtui.analysis.radar import Radar, RadarCache
    from crashtui.engine import Engine
    from crashtui.model import Snapshot
    from crashtui.risk.position import Position

RADAR_EVERY_S = 3.0


class RadarMixin(AppCore):
    """Keeps a recent radar for the frames; position edits."""

    engine: Engine | None
    glyphs: Glyphs
    position_book: PositionBook
    _stopped: bool
    _radar: Radar | None
    _radar_engine: int | None
    _radar_cache: RadarCache | None
    _radar_busy: bool
    _radar_due: float
    _radar_failed: bool

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

        def action_drilldown(self, name: str) -> None: ...  # app_routing

        def _open(self, screen: Screen[None]) -> None: ...  # app_routing

    def _init_radar(self, book: PositionBook) -> None:
        self.position_book = book
        self._radar = None
        self._radar_engine = None
        self._radar_cache = None
        self._radar_busy = False
        self._radar_due = 0.0
        self._radar_failed = False
        self._radar_wanted_ms: int | None = None  # the newest frame's snapshot time

    @property
    def radar(self) -> Radar | None:
        """The latest radar of the current engine (None until the first is ready)."""
        return self._radar

    def current_radar(self, engine: Engine, snapshot: Snapshot, analysis: MarketAnalysis) -> Radar | None:
        """The radar for a frame of ``engine``; starts a new one in a thread when one is due."""
        if self._radar_engine != id(engine):
            self._radar, self._radar_cache, self._radar_due = None, None, 0.0
            self._radar_engine = id(engine)
        self._radar_wanted_ms = snapshot.generated_ms
        if not self._radar_busy and time.monotonic() >= self._radar_due:
            self._start_radar(engine, snapshot, analysis)
        return self._radar

    def _start_radar(self, engine: Engine, snapshot: Snapshot, analysis: MarketAnalysis) -> None:
        positions = self.position_book.positions
        engine.positions = positions  # the engine's alert rules evaluate the same positions
        job = partial(self._compute_radar, snapshot, analysis, positions, engine.pinned_zones)
        self._radar_busy = True
        self._radar_due = time.monotonic() + RADAR_EVERY_S
        self.run_worker(self._radar_job(job, id(engine)), name="crashtui-radar", group="radar")

    def _compute_radar(
        self,
        snapshot: Snapshot,
        analysis: MarketAnalysis,
        positions: tuple[Position, ...],
        pinned: Mapping[str, tuple[float, ...]],
    ) -> Radar:
        """In the worker thread: the radar modules (liquidation map, derivatives, risk) are
        imported here too, so their import never holds up the first frame."""
        from crashtui.analysis.radar import RadarCache, radar

        if self._radar_cache is None:
            self._radar_cache = RadarCache()
        return radar(snapshot, analysis, positions=positions, pinned=pinned, cache=self._radar_cache)

    async def _radar_job(self, job: Callable[[], Radar], engine_id: int) -> None:
        try:
            result = await asyncio.to_thread(job)
        except Exception as exc:  # an analysis bug must not take the dashboard down
            if not self._radar_failed:
                self.say(f"radar failed: {type(exc).__name__}: {exc}", severity="error", timeout=8)
            self._radar_failed = True
            return
        finally:
            self._radar_busy = False
        if self._stopped or engine_id != self._radar_engine:
            return
        self._radar = result
        self.refresh_now(force=True)
        if self._radar_wanted_ms != result.generated_ms:
            # Frames moved on while this radar was computed (a replay catching up, then paused
            # at --until: no frame may come again): one more radar once it is due, else the
            # panes would keep figures of an earlier moment beside the current ones.
            self.set_timer(RADAR_EVERY_S, self._radar_follow_up)

    def _radar_follow_up(self) -> None:
        """The frame that asks for the radar a stopped replay still owes (see :meth:`_radar_job`);
        nothing once the app is closing (its timer may fire after the last screen is gone)."""
        if self._shutting_down():
            return
        self.refresh_now(force=True)

    def radar_soon(self) -> None:
        """Ask for a new radar with the next frame (positions changed)."""
        self._radar_due = 0.0
        self.refresh_now(force=True)

    def action_liqmap(self) -> None:
        """The estimated liquidation map of the symbol on screen (or selected)."""
        from crashtui.ui.screens.liqmap import LiqMapScreen
        from crashtui.ui.screens.symbol import SymbolScreen

        screen = self.screen
        symbol = screen.symbol if isinstance(screen, SymbolScreen) else None
        if symbol is None:
            dashboard = self._dashboard()
            symbol = dashboard.selected_symbol if dashboard is not None else None
        self._open(LiqMapScreen(self.glyphs, symbol))

    # -- positions ----------------------------------------------------------------------------

    def action_position_add(self) -> None:
        """Open the form for a new position."""
        from crashtui.ui.screens.position_form import PositionFormScreen

        self.push_screen(PositionFormScreen(None), self._added)

    def _added(self, position: Position | None) -> None:
        if position is None:
            return
        now_ms = self.engine.now_ms() if self.engine is not None else time.time_ns() // 1_000_000
        try:
            self.position_book.add(position, now_ms=now_ms)
        except PositionError as exc:
            self.say(str(exc), severity="error")
            return
        self.say(f"added {describe(position)}")
        self._positions_changed(len(self.position_book.positions) - 1)

    def _selected_position(self) -> int | None:
        from crashtui.ui.screens.positions import PositionsScreen

        screen = self.screen
        if isinstance(screen, PositionsScreen) and self.position_book.positions:
            return screen.selected
        if not self.position_book.positions:
            self.say("no positions yet: press n to add one", severity="warning", timeout=3)
            return None
        if len(self.position_book.positions) == 1:
            return 0  # nothing to choose between
        self.action_drilldown("positions")
        self.say("select a position, then u to edit or d to remove", timeout=4)
        return None

    def action_position_edit(self) -> None:
        """Edit the selected position (in the positions drilldown)."""
        from crashtui.ui.screens.position_form import PositionFormScreen

        index = self._selected_position()
        if index is None:
            return
        current = self.position_book.positions[index]
        self.push_screen(PositionFormScreen(current), partial(self._edited, index))

    def _edited(self, index: int, position: Position | None) -> None:
        if position is None:
            return
        try:
            index = self.position_book.replace(index, position)
        except PositionError as exc:
            self.say(str(exc), severity="error")
            return
        self.say(f"saved {describe(position)}")
        self._positions_changed(index)

    def action_position_remove(self) -> None:
        """Remove the selected position (after a y/n confirmation)."""
        from crashtui.ui.screens.position_form import ConfirmScreen

        index = self._selected_position()
        if index is None:
            return
        target = self.position_book.positions[index]
        if target.imported:  # nothing to confirm: the book refuses, saying why
            try:
                self.position_book.remove(index)
            except PositionError as exc:
                self.say(str(exc), severity="warning", timeout=6)
            return
        self.push_screen(ConfirmScreen(f"Remove {describe(target)}?"), partial(self._removed, index))

    def _removed(self, index: int, confirmed: bool | None) -> None:
        if not confirmed:
            return
        try:
            gone = self.position_book.remove(index)
        except PositionError as exc:
            self.say(str(exc), severity="error")
            return
        self.say(f"removed {describe(gone)}")
        self._positions_changed(max(0, index - 1))

    def _imports_changed(self) -> None:
        """The imported positions changed (app_exchanges): evaluate the new list (the last
        evaluation shows until then unless the count changed: portfolio_of checks)."""
        if self.engine is not None:
            self.engine.positions = self.position_book.positions
        self.radar_soon()

    def _positions_changed(self, select: int) -> None:
        from crashtui.ui.screens.positions import PositionsScreen

        for screen in self.screen_stack:
            if isinstance(screen, PositionsScreen):
                screen.select(select)
        if self.engine is not None:
            self.engine.positions = self.position_book.positions
        if self._radar is not None:
            # the old evaluation is of other positions: "evaluating…" until the new one is ready
            self._radar = replace(self._radar, portfolio=None)
        self.radar_soon()
