"""The crashtui Textual application: start-up and shutdown, put together from one mixin per job.

The UI never fetches. A coarse timer reads ``engine.state``/``engine.analysis()`` and hands a
:class:`Frame` to the visible screen, whose widgets repaint only when their text changes (an
idle dashboard writes next to nothing to the terminal). Watchlist changes and backward replay
seeks build a fresh engine off the event loop and swap it in when it has caught up.

Where each job lives: keys and bindings :mod:`crashtui.ui.keys`; engine boot, build, start and
stop :mod:`~crashtui.ui.app_session`; engine swaps :mod:`~crashtui.ui.app_swap`; alerts
:mod:`~crashtui.ui.app_alerts`; the user's price alerts :mod:`~crashtui.ui.app_user_alerts`;
the refresh tick and frames :mod:`~crashtui.ui.app_refresh`;
screens, panes and the command palette :mod:`~crashtui.ui.app_routing`; themes
:mod:`~crashtui.ui.app_themes`; replay keys :mod:`~crashtui.ui.app_replay`; watchlist keys
:mod:`~crashtui.ui.app_watchlists`; the chart's on-demand 5m/15m candles
:mod:`~crashtui.ui.app_candles`.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType
from textual.scrollbar import ScrollBar, ScrollBarRender

from crashtui.config.schema import Config
from crashtui.textsafe import plain
from crashtui.themes import ThemeSpec
from crashtui.ui.alerting import AlertLine
from crashtui.ui.app_alerts import AlertsMixin
from crashtui.ui.app_candles import ChartCandlesMixin
from crashtui.ui.app_exchanges import ExchangesMixin
from crashtui.ui.app_radar import RadarMixin
from crashtui.ui.app_refresh import RefreshMixin
from crashtui.ui.app_replay import ReplayMixin
from crashtui.ui.app_routing import RoutingMixin
from crashtui.ui.app_session import SessionMixin, settle_heap, warm_up_analysis
from crashtui.ui.app_swap import EngineRequest, SwapMixin
from crashtui.ui.app_themes import ThemesMixin
from crashtui.ui.app_user_alerts import UserAlertsMixin
from crashtui.ui.app_watchlists import WatchlistsMixin
from crashtui.ui.glyphs import glyphs_for
from crashtui.ui.keys import app_bindings
from crashtui.ui.options import UiOptions
from crashtui.ui.perf import TickStats
from crashtui.ui.pins import PinBook
from crashtui.ui.positions import PositionBook
from crashtui.ui.screens.dashboard import DashboardScreen
from crashtui.ui.session import FeedPlan
from crashtui.ui.theme import resolve_theme
from crashtui.ui.watchlists import WatchlistBook
from crashtui.ui.widgets.ascii_scrollbar import use_ascii_scrollbars

if TYPE_CHECKING:
    from crashtui.engine import Engine

__all__ = ["CrashApp", "EngineRequest", "settle_heap", "warm_up_analysis"]

HEAP_SETTLE_S = 300.0  # how often survivors are set aside from the collector (gc.freeze)
FIRST_PAINT_FALLBACK_S = 0.5


class CrashApp(
    SessionMixin,
    SwapMixin,
    AlertsMixin,
    UserAlertsMixin,
    RefreshMixin,
    RadarMixin,
    ExchangesMixin,
    ChartCandlesMixin,
    RoutingMixin,
    ThemesMixin,
    ReplayMixin,
    WatchlistsMixin,
    App[int],
):
    """The dashboard. Pass a ``plan`` to build engines, or a ready ``engine`` (tests)."""

    TITLE = "crashtui"
    # --ascii: the command palette's borders in ASCII too (app_routing.action_command_palette).
    CSS = """
    CommandPalette.-ascii #--input { border: ascii $border 50%; }
    CommandPalette.-ascii CommandList { border-bottom: ascii $border; }
    CommandPalette.-ascii CommandList:focus { border: blank; }
    CommandPalette.-ascii LoadingIndicator { border-bottom: ascii $border; }
    """
    # Here, not in a mixin: Textual reads BINDINGS only from App (DOMNode) classes.
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
        positions: PositionBook | None = None,
        environ: Mapping[str, str] | None = None,
        pins: PinBook | None = None,
    ) -> None:
        super().__init__()
        if plan is None and engine is None:
            raise ValueError("CrashApp needs a FeedPlan or an Engine")
        self.config_data = config
        self.plan = plan
        self.options = options or UiOptions(theme=config.ui.theme)
        self.glyphs = glyphs_for(self.options.ascii)
        self.engine = engine
        self.book = book
        self.perf = TickStats()
        self._analysis_ms = 0.0
        self._startup_warnings = list(warnings)
        self._tasks: list[asyncio.Task[None]] = []
        self._engines = set() if engine is None else {engine}
        self._last_key = None
        self._frame_seq = 0  # frames built so far: a tick's late show checks nothing newer came
        self._busy = ""
        self._pending = None
        self._switching = False
        self._seek_target = None
        self._select_after_swap = None
        self._speed = plan.speed if plan is not None else None
        self._max_timer = None  # the fast refresh while a replay plays at max (app_replay)
        self._stopped = False
        self._specs: dict[str, ThemeSpec] = {}
        self._scrollbar_renderer: type[ScrollBarRender] | None = None
        spec, self.palette, warning = resolve_theme(self.options.theme)
        self._theme_spec = spec
        self._theme_name = spec.name
        self._themes_loaded = False
        self._preset_first_theme()
        self._started = False
        self._dashboard_up = False  # pushed by on_mount's callback, out of Textual's start-up batch
        self.alerts = None
        self.alert_line = AlertLine()
        self._alert_line_key = None
        self._init_user_alerts()
        self._init_radar(positions or PositionBook(config.positions))
        self.pin_book = pins or PinBook()
        self.pin_book.on_change = self._pins_changed
        if engine is not None:
            engine.ui_pins = self.pin_book.pins
        self._startup_warnings.extend(self.position_book.warnings)
        self._init_exchanges(environ)  # ``environ``: tests; else exchange keys from os.environ
        self._init_chart_candles()
        if warning:
            self._startup_warnings.append(warning)

    def on_mount(self) -> None:
        """The theme in use, then the dashboard; everything slow waits for the first paint.

        The engine (built off the loop: recording scan, store load, analysis imports), the
        other themes and the refresh timer start once the loading screen is on the terminal.
        """
        self._scrollbar_renderer = use_ascii_scrollbars(self.glyphs.ascii)
        self._use_first_theme()
        # Textual runs this handler inside its start-up batch, whose renders never reach the
        # terminal: a dashboard pushed in here was laid out and rendered once for nothing.
        self.call_later(self._show_dashboard)

    async def _show_dashboard(self) -> None:
        await self.push_screen(DashboardScreen(self.config_data.ui, self.glyphs, self.options.pane))
        self._dashboard_up = True
        if self.engine is None:
            self._busy = "loading"
        self.refresh_now()
        self.call_after_refresh(self._after_first_paint)
        # The callback above waits for the dashboard's repaint; a screen pushed over it at once
        # (a key pressed during start-up) could hold it back, so a timer starts things regardless.
        self.set_timer(FIRST_PAINT_FALLBACK_S, self._after_first_paint)

    async def on_event(self, event: events.Event) -> None:
        """Keys and mouse events that arrive before the dashboard is up wait for it.

        Typed ahead, they would otherwise act on Textual's empty default screen (a drilldown
        opened there would end up under the dashboard); re-posted, they keep their order.
        """
        if not self._dashboard_up and isinstance(event, events.InputEvent) and not event.is_forwarded:
            self.call_later(self.post_message, event)
            return
        await super().on_event(event)

    def _after_first_paint(self) -> None:
        """Start the engine, register the other themes, show start-up warnings, start the tick."""
        if self._stopped or self._started:
            return
        self._started = True
        if not gc.isenabled():
            # Paused for start-up by crashtui.cli.main: what start-up built is long-lived, so it
            # is set aside (the full settle once the first data is in collects everything).
            settle_heap(full=False)
            gc.enable()
        if self.engine is not None:
            if self.options.start_engine:
                self._start(self.engine)
        else:
            self.run_worker(self._boot(), name="crashtui-boot", group="engine")
        self._load_themes()
        self._start_exchange_imports()
        self._start_user_alerts()
        for warning in self._startup_warnings:
            self.say(plain(warning, 300), severity="warning", timeout=8)
        self._startup_warnings.clear()
        self.set_interval(self.options.tick_s, self._tick)
        self.set_interval(HEAP_SETTLE_S, lambda: settle_heap(full=False))
        self._ensure_max_refresh()
        self.refresh_now()

    def _pins_changed(self) -> None:
        """Levels were pinned or unpinned on a chart: the engine's zones and alerts use them."""
        if self.engine is not None:
            self.engine.ui_pins = self.pin_book.pins
        self.refresh_now(force=True)

    async def on_unmount(self) -> None:
        """Make sure the feed is stopped however the app ends."""
        if self._scrollbar_renderer is not None:
            ScrollBar.renderer = self._scrollbar_renderer
        await self._stop_engines()
