"""The crashtui Textual application: engine lifecycle, refresh tick, keys, watchlists, themes.

The UI never fetches. A coarse timer reads ``engine.state``/``engine.analysis()`` and hands a
:class:`Frame` to the visible screen, whose widgets repaint only when their text changes (an
idle dashboard writes next to nothing to the terminal). Watchlist changes and backward replay
seeks build a fresh engine off the event loop and swap it in when it has caught up.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual.app import App, SystemCommand
from textual.binding import BindingType
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.scrollbar import ScrollBar, ScrollBarRender

from crashtui.config.schema import Config
from crashtui.textsafe import plain
from crashtui.themes import ThemeSpec
from crashtui.ui.glyphs import glyphs_for
from crashtui.ui.keys import app_bindings, palette_keys
from crashtui.ui.options import UiOptions
from crashtui.ui.palette import Palette, palette_from
from crashtui.ui.perf import TickStats
from crashtui.ui.screens.base import FrameView
from crashtui.ui.screens.dashboard import DashboardScreen
from crashtui.ui.session import FeedPlan
from crashtui.ui.theme import PREFIX, available_specs, resolve_theme, textual_theme
from crashtui.ui.watchlists import RECORDING, WatchlistBook, WatchlistError
from crashtui.ui.widgets.ascii_scrollbar import use_ascii_scrollbars

if TYPE_CHECKING:
    from crashtui.alerts import Alert
    from crashtui.engine import Engine
    from crashtui.ui.alerting import DashboardAlerts
    from crashtui.ui.render.frame import Frame, ReplayInfo

HEAP_SETTLE_S = 300.0  # how often survivors are set aside from the collector (gc.freeze)
ZONE_BUDGET = 1  # symbols whose zones are recomputed per refresh tick (~5 ms each)
MIN_SPEED = 1.0
MAX_SPEED = 86_400.0
FIRST_PAINT_FALLBACK_S = 0.5
TURN_GAP_S = 0.002  # between the refresh tick's turns: room for keys and frames in between


def warm_up_analysis(config: Config) -> None:
    """Import what the first analysis imports lazily (~0.2 s), off the event loop.

    Runs the analysis on an empty, separate state: the engine's own state and tally are not
    touched. An empty state computes no zones, so numpy (~0.1 s), which the zones import on
    first use, is imported here by name.
    """
    import numpy  # noqa: F401
    from numpy.lib.stride_tricks import sliding_window_view  # noqa: F401

    from crashtui.analysis.market import analyse_snapshot
    from crashtui.state import FeedState

    analyse_snapshot(FeedState(()).snapshot(), config)


@dataclass(frozen=True, slots=True)
class EngineRequest:
    """What the next engine should look like."""

    watchlist: tuple[str, ...]
    start_ms: int | None
    busy: str


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


class CrashApp(App[int]):
    """The dashboard. Pass a ``plan`` to build engines, or a ready ``engine`` (tests)."""

    TITLE = "crashtui"
    BINDINGS: ClassVar[list[BindingType]] = app_bindings()

    def __init__(
        self,
        config: Config,
        *,
        plan: FeedPlan | None = None,
        engine: Engine | None = None,
        options: UiOptions | None = None,
        book: WatchlistBook | None = None,
        warnings: Iterable[str] = (),
    ) -> None:
        super().__init__()
        if plan is None and engine is None:
            raise ValueError("CrashApp needs a FeedPlan or an Engine")
        self.config_data = config
        self.plan = plan
        self.options = options or UiOptions(theme=config.ui.theme)
        self.glyphs = glyphs_for(self.options.ascii)
        self.engine: Engine | None = engine
        self.book = book
        self.perf = TickStats()
        self._analysis_ms = 0.0
        self._startup_warnings = list(warnings)
        self._tasks: list[asyncio.Task[None]] = []
        self._engines: set[Engine] = set() if engine is None else {engine}
        self._last_key: tuple[object, ...] | None = None
        self._frame_seq = 0  # frames built so far: a tick's late show checks nothing newer came
        self._busy = ""
        self._pending: EngineRequest | None = None
        self._switching = False
        self._seek_target: int | None = None
        self._select_after_swap: str | None = None
        self._speed = plan.speed if plan is not None else None
        self._stopped = False
        self._specs: dict[str, ThemeSpec] = {}
        self._scrollbar_renderer: type[ScrollBarRender] | None = None
        spec, self.palette, warning = resolve_theme(self.options.theme)
        self._theme_spec = spec
        self._theme_name = spec.name
        self._themes_loaded = False
        self._started = False
        self.alerts: DashboardAlerts | None = None
        if warning:
            self._startup_warnings.append(warning)

    # -- start-up ------------------------------------------------------------------------------

    async def on_mount(self) -> None:
        """The theme in use and the dashboard; everything slow waits for the first paint.

        The engine (built off the loop: recording scan, store load, analysis imports), the
        other themes and the refresh timer start once the loading screen is on the terminal.
        """
        self._scrollbar_renderer = use_ascii_scrollbars(self.glyphs.ascii)
        self._specs[self._theme_spec.name] = self._theme_spec
        self.register_theme(textual_theme(self._theme_spec))
        self.theme = PREFIX + self._theme_name
        self.theme_changed_signal.subscribe(self, lambda theme: self._on_theme(theme.name))
        await self.push_screen(DashboardScreen(self.config_data.ui, self.glyphs, self.options.pane))
        if self.engine is None:
            self._busy = "loading"
        self.refresh_now()
        self.call_after_refresh(self._after_first_paint)
        # The callback above waits for the dashboard's repaint; a screen pushed over it at once
        # (a key pressed during start-up) could hold it back, so a timer starts things regardless.
        self.set_timer(FIRST_PAINT_FALLBACK_S, self._after_first_paint)

    def _after_first_paint(self) -> None:
        """Start the engine, register the other themes, show start-up warnings, start the tick."""
        if self._stopped or self._started:
            return
        self._started = True
        if self.engine is not None:
            if self.options.start_engine:
                self._start(self.engine)
        else:
            self.run_worker(self._boot(), name="crashtui-boot", group="engine")
        self._load_themes()
        for warning in self._startup_warnings:
            self.say(plain(warning, 300), severity="warning", timeout=8)
        self._startup_warnings.clear()
        self.set_interval(self.options.tick_s, self._tick)
        self.set_interval(HEAP_SETTLE_S, lambda: settle_heap(full=False))
        self.refresh_now()

    def _load_themes(self) -> None:
        """Read and register every theme file (once; ``t`` cycles through them)."""
        if self._themes_loaded:
            return
        self._themes_loaded = True
        specs, warnings = available_specs()
        self._startup_warnings.extend(warnings)
        for name, spec in specs.items():
            if name not in self._specs:
                self._specs[name] = spec
                self.register_theme(textual_theme(spec))

    async def _boot(self) -> None:
        assert self.plan is not None
        watchlist = self.book.symbols() if self.book is not None else ()
        if self.book is not None and self.book.current == RECORDING:
            watchlist = ()
        engine = await asyncio.to_thread(self._build_engine, watchlist, None)
        if self._stopped:
            return
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
            if engine.mode != "replay" or (player is not None and self._caught_up(engine, player.clock_ms)):
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

    def say(self, message: str, *, severity: SeverityLevel = "information", timeout: float = 4.0) -> None:
        """A toast; the text is never markup and never carries escape sequences."""
        self.notify(plain(message, 300), severity=severity, timeout=timeout, markup=False)

    # -- alerts --------------------------------------------------------------------------------

    def _attach_alerts(self, engine: Engine) -> None:
        """Give a started engine its alert manager (the first one creates the session's alerts)."""
        from crashtui.ui.alerting import DashboardAlerts

        if self.alerts is None:
            self.alerts = DashboardAlerts(
                self.config_data.alerts,
                toast=self._toast_alert,
                error=lambda text: self.say(text, severity="error", timeout=10),
                terminal=self._write_terminal,
            )
        self.alerts.attach(engine, via_collector=engine.feed_label.startswith("via collector"))

    def _toast_alert(self, alert: Alert) -> None:
        from crashtui.ui.alerting import TOAST_SECONDS, TOAST_SEVERITY, toast_text

        title, body = toast_text(alert)
        severity = TOAST_SEVERITY.get(alert.severity, "information")
        timeout = TOAST_SECONDS.get(alert.severity, 8.0)
        self.notify(body, title=title, severity=severity, timeout=timeout, markup=False)

    def _write_terminal(self, data: str) -> None:
        """Raw bytes for the terminal (bell, OSC notifications), in order with the screen updates."""
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(data)

    def _tick(self) -> None:
        """The refresh timer: evaluate the alert rules, then repaint what changed.

        Alerts, analysis and the pane update each take a few milliseconds; they run in separate
        loop turns a moment apart, so a keypress or a stream frame waits for one of them at
        most, never for all three in a row.
        """
        if self.alerts is not None:
            self.alerts.check()
        self.set_timer(TURN_GAP_S, self._tick_analysis)  # a Textual timer: errors are not swallowed

    def _tick_analysis(self) -> None:
        """The tick's second turn: build the frame; the third turn shows it."""
        if self._stopped:
            return
        frame = self._next_frame(force=False, deferred_charts=True)
        if frame is not None:
            seq = self._frame_seq
            self.set_timer(TURN_GAP_S, partial(self._tick_show, frame, seq))

    def _tick_show(self, frame: Frame, seq: int) -> None:
        """Show a frame built a turn ago, unless a newer one (a key, a theme) got there first."""
        if seq == self._frame_seq and not self._stopped:
            self._show_frame(frame)

    def alert_log_path(self) -> Path | None:
        """The JSONL alert log of this session (None when ``[alerts] log`` is off)."""
        if self.alerts is not None and self.alerts.manager is not None:
            return self.alerts.log_path
        from crashtui.alerts import resolve_log_path

        replay = (
            self.plan.replay
            if self.plan is not None
            else self.engine is not None and self.engine.mode == "replay"
        )
        return resolve_log_path(self.config_data.alerts, "replay" if replay else "live")

    def action_alerts(self) -> None:
        """Open the alert log."""
        from crashtui.ui.screens.alerts import AlertLogScreen

        self._open(AlertLogScreen(self.glyphs))

    # -- refresh -------------------------------------------------------------------------------

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
        return Frame(
            now_ms=engine.now_ms(),
            snapshot=engine.state.snapshot(),
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
            screen.update_frame(frame)
        self.perf.record(self._analysis_ms, (time.perf_counter() - started) * 1000)

    def _show_loading(self) -> None:
        dashboard = self._dashboard()
        if dashboard is None:
            return
        if self.plan is not None and self.plan.replay:
            dashboard.show_loading("loading the replay…")
        else:
            dashboard.show_loading("starting: reading the history store…")

    def _dashboard(self) -> DashboardScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        return None

    # -- themes --------------------------------------------------------------------------------

    def _on_theme(self, name: str) -> None:
        spec = self._specs.get(name.removeprefix(PREFIX)) if name.startswith(PREFIX) else None
        if spec is not None:
            self.palette = palette_from(spec)
        else:
            colors = self.current_theme
            self.palette = Palette(
                up=colors.success or "green",
                down=colors.error or "red",
                support=colors.primary,
                resistance=colors.accent or "magenta",
                stale=colors.secondary or "bright_black",
                muted=colors.secondary or "bright_black",
                warning=colors.warning or "yellow",
                error=colors.error or "red",
                success=colors.success or "green",
                accent=colors.accent or "yellow",
                primary=colors.primary,
            )
        self.refresh_now(force=True)

    def action_next_theme(self) -> None:
        """Cycle through crashtui's themes."""
        self._load_themes()
        names = sorted(self._specs)
        if not names:
            return
        current = self.theme.removeprefix(PREFIX)
        following = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.theme = PREFIX + following
        self.say(f"theme: {following}", timeout=2)

    # -- drilldowns ----------------------------------------------------------------------------

    def _open(self, screen: Screen[None]) -> None:
        from crashtui.ui.screens.drilldown import Drilldown

        if isinstance(self.screen, Drilldown):
            self.pop_screen()
        self.push_screen(screen)
        self.call_after_refresh(self.refresh_now, True)

    def action_drilldown(self, name: str) -> None:
        """Open the ``l``/``e``/``f``/``m``/``s`` drilldown."""
        from crashtui.ui.screens.registry import make_drilldown

        self._open(make_drilldown(name, self.glyphs))

    def action_drill(self) -> None:
        """Open the selected symbol's screen."""
        dashboard = self._dashboard()
        symbol = dashboard.selected_symbol if dashboard is not None else None
        if symbol is None:
            self.say("no symbol selected", severity="warning", timeout=3)
            return
        self.open_symbol(symbol)

    def open_symbol(self, symbol: str) -> None:
        """Open the symbol drilldown for ``symbol``."""
        from crashtui.ui.screens.symbol import SymbolScreen

        self._open(SymbolScreen(symbol, self.glyphs))

    def on_watch_table_chosen(self, message: object) -> None:
        """Enter (or a click) on a row of the Price table."""
        symbol = getattr(message, "symbol", None)
        if isinstance(symbol, str):
            self.open_symbol(symbol)

    def action_help(self) -> None:
        """Show every key."""
        from crashtui.ui.screens.help import HelpScreen

        self._open(HelpScreen(self.glyphs))

    async def action_back(self) -> None:
        """Close the drilldown (Esc)."""
        from crashtui.ui.screens.drilldown import Drilldown

        if isinstance(self.screen, Drilldown):
            self.pop_screen()
            self.call_after_refresh(self.refresh_now, True)

    def action_pane(self, name: str) -> None:
        """Show one pane in the one-pane layout."""
        dashboard = self._dashboard()
        if dashboard is not None and self.screen is dashboard:
            dashboard.show_pane(name)
            self.refresh_now(force=True)

    def action_next_pane(self) -> None:
        """Next pane in the one-pane layout (else move focus as usual)."""
        dashboard = self._dashboard()
        if dashboard is not None and self.screen is dashboard and dashboard.mode == "single":
            dashboard.next_pane()
            self.refresh_now(force=True)

    def action_noop(self) -> None:
        """Placeholder for keys a widget handles."""

    # -- replay --------------------------------------------------------------------------------

    def _replay_engine(self) -> Engine | None:
        engine = self.engine
        if engine is None or engine.mode != "replay":
            self.say("replay keys work with --replay (try crashtui --replay feb-2026)", timeout=4)
            return None
        return engine

    def action_pause(self) -> None:
        """Pause or resume the replay."""
        engine = self._replay_engine()
        if engine is None:
            return
        if engine.player is None:
            self.say("replay is not running", timeout=3)
            return
        engine.player.toggle_pause()
        self.refresh_now(force=True)

    def action_speed(self, factor: float) -> None:
        """Change the replay speed by ``factor``."""
        engine = self._replay_engine()
        if engine is None or engine.player is None or engine.player.speed is None:
            return
        speed = max(MIN_SPEED, min(MAX_SPEED, engine.player.speed * factor))
        engine.player.speed = speed
        self._speed = speed
        self.refresh_now(force=True)

    def _bounds(self, engine: Engine) -> tuple[int, int]:
        if engine.player is not None:
            return engine.player.first_ms, engine.player.end_ms
        header = engine.header
        first = header.start_ms if header is not None and header.start_ms is not None else engine.now_ms()
        end = header.end_ms if header is not None and header.end_ms is not None else engine.now_ms()
        if self.plan is not None and self.plan.until_ms is not None:
            end = min(end, self.plan.until_ms)
        return first, end

    def action_seek(self, delta_ms: int) -> None:
        """Move the replay clock (forward in place; backward by rebuilding off the loop)."""
        engine = self._replay_engine()
        if engine is None:
            return
        first, end = self._bounds(engine)
        player = engine.player
        # The player's clock, not the state's: catching up to a later start, the state trails
        # the data applied so far while the player already stands at the start asked for.
        now = player.clock_ms if player is not None else engine.now_ms()
        base = self._seek_target if self._seek_target is not None else now
        target = max(first, min(end, base + delta_ms))
        if target > base and self._seek_target is None and player is not None:
            player.seek(target - base)
            self.refresh_now(force=True)
            return
        if target == base or self.plan is None:
            return
        self._seek_target = target
        self._request(EngineRequest(self._symbols_for_engine(), target, "seeking"))

    # -- watchlists ----------------------------------------------------------------------------

    def _symbols_for_engine(self) -> tuple[str, ...]:
        if self.book is None:
            return self.engine.watchlist if self.engine is not None else ()
        return self.book.symbols()

    def _replay_clock(self) -> int | None:
        if self._seek_target is not None:
            return self._seek_target
        engine = self.engine
        return engine.now_ms() if engine is not None and engine.mode == "replay" else None

    def watchlist_changed(self, select: str | None = None) -> None:
        """The book changed: build an engine for the new symbols."""
        if self.plan is None:
            self.say("watchlist changes need a running feed", severity="warning", timeout=4)
            return
        self._select_after_swap = select
        self._request(EngineRequest(self._symbols_for_engine(), self._replay_clock(), "switching"))

    def _select_when_ready(self, symbol: str) -> None:
        from crashtui.ui.widgets.watchtable import WatchTable

        dashboard = self._dashboard()
        if dashboard is not None:
            dashboard.query_one("#watch", WatchTable).select(symbol)

    def action_watchlists(self) -> None:
        """Pick a watchlist."""
        if self.book is None:
            self.say("no watchlists to switch between", timeout=3)
            return
        from crashtui.ui.screens.watchlist import WatchlistScreen

        def chosen(name: str | None) -> None:
            if name is None or self.book is None or name == self.book.current:
                return
            try:
                self.book.switch(name)
            except WatchlistError as exc:
                self.say(str(exc), severity="error", timeout=5)
                return
            self.say(f"watchlist: {name}", timeout=2)
            self.watchlist_changed()

        self.push_screen(WatchlistScreen(self.book), chosen)

    def action_add_symbol(self) -> None:
        """Ask for a symbol and add it to the current watchlist."""
        if self.book is None:
            return
        from crashtui.ui.screens.prompt import PromptScreen

        def entered(text: str | None) -> None:
            if not text or self.book is None:
                return
            try:
                symbol = self.book.add(text)
            except WatchlistError as exc:
                self.say(str(exc), severity="error", timeout=6)
                return
            self.say(f"added {symbol} to {self.book.current}", timeout=3)
            self.watchlist_changed(select=symbol)

        self.push_screen(PromptScreen(f"Add a symbol to {self.book.current}", "e.g. SOL"), entered)

    def action_remove_symbol(self) -> None:
        """Remove the selected symbol from the current watchlist."""
        dashboard = self._dashboard()
        symbol = dashboard.selected_symbol if dashboard is not None else None
        if self.book is None or symbol is None or self.screen is not dashboard:
            return
        try:
            self.book.remove(symbol)
        except WatchlistError as exc:
            self.say(str(exc), severity="error", timeout=5)
            return
        self.say(f"removed {symbol} from {self.book.current} (a to add it back)", timeout=4)
        self.watchlist_changed()

    # -- engine swaps --------------------------------------------------------------------------

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
                if self._speed is not None:
                    player.speed = self._speed
                if was_paused:
                    player.toggle_pause()
                target = request.start_ms if request.start_ms is not None else player.clock_ms
                while not self._stopped and not self._caught_up(engine, target):
                    await asyncio.sleep(0.05)
            if old is not None:
                await old.stop()
                self._engines.discard(old)
        self.engine = engine
        self._tasks = tasks
        self._attach_alerts(engine)
        settle_heap(full=True)  # the old engine's cycles are freed; the new state set aside

    @staticmethod
    def _caught_up(engine: Engine, target: int) -> bool:
        player = engine.player
        if player is None:
            return False
        upcoming = player.next_payload_ms()
        return player.clock_ms >= target and (upcoming is None or upcoming > target)

    # -- shutdown ------------------------------------------------------------------------------

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

    async def on_unmount(self) -> None:
        """Make sure the feed is stopped however the app ends."""
        if self._scrollbar_renderer is not None:
            ScrollBar.renderer = self._scrollbar_renderer
        await self._stop_engines()

    # -- command palette -----------------------------------------------------------------------

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands plus every crashtui key."""
        yield from super().get_system_commands(screen)
        for key in palette_keys():
            yield SystemCommand(
                key.description, f"key {key.label} · {key.group}", partial(self.run_action, key.action)
            )
