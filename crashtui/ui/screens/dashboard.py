"""The dashboard: header, market strip, four panes (Price, Liquidations, ETF flows, Fear), status bar.

The pane renderers (and the analysis types they read) are imported with the first frame of
data, not with the screen: the first paint is the loading screen and must not wait for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.screen import Screen
from textual.widget import Widget

from crashtui.config.schema import UiConfig
from crashtui.textsafe import plain
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.layout import COMPACT, PANES, SHORT_TITLES, SINGLE, SINGLE_ONLY, TITLES, WIDE, layout_mode
from crashtui.ui.render.common import fit
from crashtui.ui.screens.base import LineBuilder, paint_alert_row
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView
from crashtui.ui.widgets.watchtable import WatchTable

if TYPE_CHECKING:
    from crashtui.ui.render.frame import Frame

MIN_CHART_ROWS = 5


class Pane(Vertical):
    """A titled pane (the title sits in the top border)."""

    def __init__(self, name: str, *children: Widget) -> None:
        super().__init__(*children, id=f"pane-{name}", classes="pane")
        self.border_title = TITLES[name]
        self.pane_name = name


class DashboardScreen(Screen[None]):
    """All four panes in a grid, or one at a time with a tab strip on small terminals.

    In the grid one pane is *active* (its border in the accent colour): ``tab`` moves it on, and
    ``1``-``4``, ``enter`` on the palette's "Maximize" or ``Maximize`` *zoom* the grid to that
    pane alone (the one-pane layout with its tab strip); the same number again or ``esc``
    returns to the grid. On a small terminal or with ``--pane`` the layout is one pane already
    and ``1``-``4``/``tab`` switch panes.
    """

    DEFAULT_CSS = """
    DashboardScreen { layout: vertical; }
    #header, #strip, #status, #tabs, #notice, #alertline { height: 1; }
    #strip.-hidden { display: none; }
    #notice, #alertline { display: none; }
    #notice.-shown, #alertline.-shown { display: block; }
    #tabs { display: none; }
    #panes { height: 1fr; }
    .pane {
        border: round $primary 60%;
        border-title-color: $text;
        border-title-style: bold;
        padding: 0 1;
        height: 1fr;
    }
    .pane .body { height: 1fr; }
    #chart-title { height: 1; }
    #price-chart { height: 1fr; min-height: 4; }
    #price-chart.-hidden, #chart-title.-hidden { display: none; }

    DashboardScreen.-wide #panes, DashboardScreen.-compact #panes {
        layout: grid;
        grid-size: 2 2;
        grid-columns: 1fr 1fr;
        grid-rows: 1fr 1fr;
    }
    DashboardScreen.-compact #panes { grid-columns: 3fr 2fr; }
    DashboardScreen.-compact .pane {
        border: none;
        border-top: solid $primary 60%;
        padding: 0 1 0 0;
    }
    DashboardScreen.-wide .single-only, DashboardScreen.-compact .single-only { display: none; }
    #portfolio { height: 1; display: none; }
    #portfolio.-shown { display: block; }
    DashboardScreen.-single #panes { layout: vertical; }
    DashboardScreen.-single .pane { display: none; }
    DashboardScreen.-single .pane.-active { display: block; }
    DashboardScreen.-single.-tabs #tabs { display: block; }
    DashboardScreen.-ascii .pane { border: ascii $primary 60%; }
    DashboardScreen.-ascii.-compact .pane { border: none; border-top: ascii $primary 60%; }
    DashboardScreen.-wide .pane.-active { border: round $accent; }
    DashboardScreen.-compact .pane.-active { border-top: solid $accent; }
    DashboardScreen.-ascii.-wide .pane.-active { border: ascii $accent; }
    DashboardScreen.-ascii.-compact .pane.-active { border-top: ascii $accent; }
    """

    BINDINGS = [
        Binding("tab", "app.next_pane", "Next pane (in the grid: the active one)", show=False, id="pane.next")
    ]

    def __init__(self, ui: UiConfig, glyphs: Glyphs, pane: str | None = None) -> None:
        super().__init__(id="dashboard")
        self._ui = ui
        self._glyphs = glyphs
        self._forced_pane = pane
        self.active_pane = pane or "price"
        self.mode = WIDE
        self.zoomed = False
        """A grid layout showing its active pane alone (``1``-``4`` or Maximize in the grid)."""
        self._frame: Frame | None = None
        self._resumed = False
        self._deferred = False  # widgets the first frame left out, mounted right after it

    def compose(self) -> ComposeResult:
        """Header, market strip ([ui] market_strip), notice line, tab strip, the panes, the alert
        line (while an alert waits), status bar.

        The layout's classes are set before the widgets exist, so each is styled once, with them
        (set on mount, they re-styled the whole screen before the first paint). In the grid, the
        first frame leaves out what it would not show (the panes only the one-pane layout shows)
        or would show empty (the price chart, drawn with the first data): :meth:`_complete`
        mounts them in the same places right after it is painted.
        """
        self.mode = self._mode_for(self.app.size.width, self.app.size.height)
        _stage_classes(self, self._screen_classes(self.mode))
        self._deferred = self.mode != SINGLE
        yield TextView(id="header")
        yield TextView(id="strip", classes="" if self._ui.market_strip else "-hidden")
        yield TextView(id="notice")
        yield TextView(id="tabs")
        with Container(id="panes"):
            with self._pane("price"):
                yield WatchTable(self._glyphs.cursor, id="watch")
                yield TextView(id="deriv")
                if not self._deferred:
                    yield from self._chart_widgets()
            with self._pane("liquidations"):
                yield TextView(id="liq-body", classes="body")
            with self._pane("etf"):
                yield TextView(id="etf-body", classes="body")
            with self._pane("fear"):
                yield TextView(id="fear-body", classes="body")
            if not self._deferred:
                yield from self._single_only_panes()
        yield TextView(id="portfolio")
        yield TextView(id="alertline")
        yield TextView(id="status")

    def _pane(self, name: str, *children: Widget) -> Pane:
        pane = Pane(name, *children)
        _stage_classes(pane, self._pane_classes(pane))
        return pane

    def _chart_widgets(self) -> tuple[Widget, ...]:
        return TextView(id="chart-title"), ChartView(self._glyphs, id="price-chart")

    def _single_only_panes(self) -> list[Pane]:
        return [self._pane(name, TextView(id=f"{name}-body", classes="body")) for name in SINGLE_ONLY]

    def _complete(self) -> None:
        """Mount what the first frame left out, where :meth:`compose` would have put it (every
        method that reads those widgets calls this first; mounting registers them at once)."""
        if not self._deferred:
            return
        self._deferred = False
        self.query_one("#pane-price", Pane).mount_all(self._chart_widgets())
        self.query_one("#panes", Container).mount_all(self._single_only_panes())

    def on_mount(self) -> None:
        """Pick the layout and focus the watchlist table (what the first frame left out is
        mounted once it is painted, by :meth:`_fit_chart`)."""
        self._apply_layout(self.app.size.width, self.app.size.height)
        self.query_one("#watch", WatchTable).focus()

    def on_resize(self) -> None:
        """Re-pick the layout for the new terminal size."""
        self.apply_layout(self.app.size.width, self.app.size.height)

    def on_screen_resume(self, event: events.ScreenResume) -> None:
        """Back from a drilldown: repaint from the latest frame.

        The first resume is the push: every widget was styled as it mounted, moments before,
        and Textual's restyle of the whole screen here would only repeat that before the first
        paint (this handler runs before Screen's, which reads ``refresh_styles``).
        """
        if not self._resumed:
            self._resumed = True
            event.refresh_styles = False
        if self._frame is not None:
            self.update_frame(self._frame)

    # -- layout --------------------------------------------------------------------------------

    def apply_layout(self, cols: int, rows: int) -> None:
        """Set the layout classes for a terminal of ``cols`` × ``rows``."""
        self._complete()
        self._apply_layout(cols, rows)

    def _apply_layout(self, cols: int, rows: int) -> None:
        self.mode = mode = self._mode_for(cols, rows)
        # Classes first, styles once: each class change alone re-styles the node's whole subtree.
        changed = _stage_classes(self, self._screen_classes(mode))
        panes = [pane for pane in self.query(Pane) if _stage_classes(pane, self._pane_classes(pane))]
        if changed:
            self.update_node_styles()  # the screen and everything in it, the panes included
        else:
            for pane in panes:
                pane.update_node_styles()
        if (mode != SINGLE or self.active_pane == "price") and self.focused is None:
            self.query_one("#watch", WatchTable).focus()  # back where the Price table shows
        self._draw_tabs()
        self.call_after_refresh(self._fit_chart)

    def _mode_for(self, cols: int, rows: int) -> str:
        """The layout for a terminal of ``cols`` × ``rows``: zoomed into one pane, it stays so."""
        mode = layout_mode(cols, rows, self._ui, self._forced_pane)
        if mode == SINGLE:
            self.zoomed = False  # nothing to zoom out to
        elif self.zoomed:
            mode = SINGLE
        return mode

    def _screen_classes(self, mode: str) -> dict[str, bool]:
        return {
            **{f"-{name}": mode == name for name in (WIDE, COMPACT, SINGLE)},
            "-tabs": mode == SINGLE and self._forced_pane is None,
            "-ascii": self._glyphs.ascii,
        }

    def _pane_classes(self, pane: Pane) -> dict[str, bool]:
        return {"-active": pane.pane_name == self.active_pane, "single-only": pane.pane_name in SINGLE_ONLY}

    def show_pane(self, name: str) -> None:
        """Make ``name`` the pane shown in the one-pane layout."""
        if name not in PANES:
            return
        self.active_pane = name
        self.apply_layout(self.app.size.width, self.app.size.height)

    def next_pane(self) -> None:
        """The next pane: shown in the one-pane layout, made active in the grid (whose four
        panes are the only ones it cycles through: the others exist only alone)."""
        cycle = PANES if not self.grid or self.zoomed else tuple(p for p in PANES if p not in SINGLE_ONLY)
        at = cycle.index(self.active_pane) if self.active_pane in cycle else -1
        self.show_pane(cycle[(at + 1) % len(cycle)])

    @property
    def grid(self) -> bool:
        """Whether the terminal gets the grid (zoomed into one pane or not)."""
        return self.zoomed or self.mode != SINGLE

    def zoom(self, name: str | None = None) -> None:
        """Show pane ``name`` (default: the active one) alone; the grid stays one key away."""
        if name is not None and name in PANES:
            self.active_pane = name
        if self.grid:
            self.zoomed = True
            self.apply_layout(self.app.size.width, self.app.size.height)

    def unzoom(self) -> bool:
        """Back to the grid; False when it was not zoomed."""
        if not self.zoomed:
            return False
        self.zoomed = False
        self.apply_layout(self.app.size.width, self.app.size.height)
        return True

    def action_maximize(self) -> None:
        """The palette's Maximize: the active pane alone."""
        self.zoom()

    def action_minimize(self) -> None:
        """The palette's Minimize: back to the grid."""
        self.unzoom()

    def _draw_tabs(self) -> None:
        tabs = self.query_one("#tabs", TextView)

        def build(width: int, height: int) -> Text:
            # too narrow for every title: short titles, then the active pane's title alone
            # narrower: short titles; then, zoomed, the way back (esc) outlives the titles
            empty: dict[str, str] = {}
            tail = (
                [(empty, True), (SHORT_TITLES, False)]
                if self.zoomed
                else [(SHORT_TITLES, False), (empty, True)]
            )
            for titles, hint in [(TITLES, True), (SHORT_TITLES, True), *tail]:
                out = strip(titles, hint)
                if out.cell_len <= width:
                    return out
            return fit(strip({self.active_pane: TITLES[self.active_pane]}, True), width)

        def strip(titles: dict[str, str], hint: bool) -> Text:
            out = Text()
            for i, name in enumerate(PANES, start=1):
                label = f" {i} {titles[name]} " if name in titles else f" {i} "
                if name == self.active_pane:
                    out.append(label, style="bold reverse")
                else:
                    out.append(label, style="dim")
                out.append(" ")
            if hint:
                out.append("tab: next  esc: grid" if self.zoomed else "tab: next", style="dim")
            return out

        tabs.show(build)

    def _fit_chart(self) -> None:
        """Show the price chart only when the Price pane has room for it under the table."""
        self._complete()
        pane = self.query_one("#pane-price", Pane)
        table = self.query_one("#watch", WatchTable)
        leverage_rows = len(self.query_one("#deriv", TextView).text.plain.splitlines()) or 1
        room = pane.content_size.height - (len(table.symbols) + 1) - leverage_rows - 1
        show = room >= MIN_CHART_ROWS
        for widget_id in ("#chart-title", "#price-chart"):
            self.query_one(widget_id).set_class(not show, "-hidden")

    # -- data ----------------------------------------------------------------------------------

    @property
    def selected_symbol(self) -> str | None:
        """The symbol under the Price table's cursor; while the table has never been drawn (another
        pane shown alone), the watchlist's first symbol."""
        selected = self.query_one("#watch", WatchTable).selected
        if selected is None and self._frame is not None and self._frame.analysis.symbols:
            return self._frame.analysis.symbols[0].symbol
        return selected

    def update_frame(self, frame: Frame) -> None:
        """Re-render every pane from ``frame``; unchanged widgets are not repainted."""
        from crashtui.ui.render.etf import build_etf
        from crashtui.ui.render.fear import build_fear
        from crashtui.ui.render.header import build_header
        from crashtui.ui.render.liquidations import build_liquidations
        from crashtui.ui.render.market_strip import build_market_strip
        from crashtui.ui.render.price import build_watch_rows
        from crashtui.ui.render.status import build_status

        self._complete()
        self._frame = frame
        self.query_one("#header", TextView).show(lambda w, h: build_header(frame, w))
        strip = self.query_one("#strip", TextView)
        # A recording with no market data at all would only say so on every frame: its row goes
        # back to the panes (the Sources screen still tells what the recording lacks).
        held = frame.snapshot.market is not None or frame.snapshot.movers is not None
        show_strip = self._ui.market_strip and (frame.replay is None or frame.replay.market_data or held)
        if strip.has_class("-hidden") == show_strip:
            strip.set_class(not show_strip, "-hidden")
        if show_strip:
            strip.show(lambda w, h: build_market_strip(frame, w))
        self.query_one("#status", TextView).show(lambda w, h: build_status(frame, w))
        self._update_notice(frame)
        table = self.query_one("#watch", WatchTable)
        before = len(table.symbols)
        table.show(lambda w: build_watch_rows(frame, w))
        if len(table.symbols) != before:
            self.call_after_refresh(self._fit_chart)
        symbol = table.selected
        if symbol is not None:
            self._show_chart(frame, symbol)
        self._show_leverage(frame, symbol)
        self.query_one("#liq-body", TextView).show(lambda w, h: build_liquidations(frame, w, h))
        self.query_one("#etf-body", TextView).show(lambda w, h: build_etf(frame, w, h))
        self.query_one("#fear-body", TextView).show(lambda w, h: build_fear(frame, w, h))
        self._update_positions(frame)

    def _show_leverage(self, frame: Frame, symbol: str | None) -> None:
        from crashtui.ui.render.derivatives import build_derivatives

        wide = self.mode == WIDE
        view = self.query_one("#deriv", TextView)
        before = len(view.text.plain.splitlines())
        view.show(lambda w, h: build_derivatives(frame, w, wide, symbol))
        if len(view.text.plain.splitlines()) != before:
            self.call_after_refresh(self._fit_chart)

    def _update_positions(self, frame: Frame) -> None:
        """The positions pane, and the portfolio line when the pane is not on screen."""
        from crashtui.ui.render.positions import build_positions, portfolio_line, portfolio_of

        self.query_one("#positions-body", TextView).show(lambda w, h: build_positions(frame, w, h))
        if self.mode == SINGLE:  # the macro and recovery panes exist only in the one-pane layout
            from crashtui.ui.render.macro import build_macro
            from crashtui.ui.render.recovery import build_recovery

            self.query_one("#macro-body", TextView).show(lambda w, h: build_macro(frame, w, h))
            self.query_one("#recovery-body", TextView).show(lambda w, h: build_recovery(frame, w, h))
        line = self.query_one("#portfolio", TextView)
        pane_shown = self.mode == SINGLE and self.active_pane == "positions"
        shown = frame.positions > 0 and not pane_shown
        line.set_class(shown, "-shown")
        if shown:
            portfolio = portfolio_of(frame)
            line.show(lambda w, h: portfolio_line(portfolio, frame, w))

    def show_loading(self, message: str) -> None:
        """Before the first frame: say what is happening instead of showing blank panes."""
        line = Text.assemble((" crashtui", "bold"), ("  ", ""), (message, "dim"))
        self.query_one("#header", TextView).show(lambda w, h: fit(line, w))
        for body in ("#liq-body", "#etf-body", "#fear-body"):
            self.query_one(body, TextView).show(lambda w, h: Text(message, style="dim"))

    def _show_chart(self, frame: Frame, symbol: str) -> None:
        from crashtui.ui.render.price_chart import price_chart

        spec, title = price_chart(frame, symbol)
        self.query_one("#chart-title", TextView).show(lambda w, h: fit(title, w))
        self.query_one("#price-chart", ChartView).set_spec(spec, defer=frame.deferred_charts)

    def _update_notice(self, frame: Frame) -> None:
        from crashtui.ui.render.status import DEMO_HINT, counts
        from crashtui.ui.render.status import notice as network
        from crashtui.upstream.health import OFFLINE

        notice = self.query_one("#notice", TextView)
        message: Text | None = None
        p = frame.palette
        if frame.feed_error:
            message = Text(f"Feed stopped: {plain(frame.feed_error, 200)}", style=f"bold {p.error}")
        elif frame.live and network(frame.snapshot.statuses).kind not in (None, OFFLINE):
            said = network(frame.snapshot.statuses)
            options = [
                Text.assemble(
                    (said.text, f"bold {p.warning}"),
                    (
                        " · the network works; sources refuse or fail · press s for each source's error",
                        p.muted,
                    ),
                ),
                Text.assemble((said.text, f"bold {p.warning}"), (" · s: errors", p.muted)),
            ]
            width = self.app.size.width
            message = next((o for o in options if o.cell_len <= width), options[-1])
        elif frame.live and network(frame.snapshot.statuses).kind == OFFLINE:
            ok, _, total = counts(frame.snapshot.statuses)
            options = [
                Text.assemble(
                    (f"No network? {ok} of {total} sources reachable", f"bold {p.error}"),
                    (" · press s for each source's error · ", p.muted),
                    (DEMO_HINT, f"bold {p.accent}"),
                ),
                Text.assemble(
                    (f"No network? {ok}/{total} reachable", f"bold {p.error}"),
                    (" · s: errors · ", p.muted),
                    (DEMO_HINT, f"bold {p.accent}"),
                ),
            ]
            width = self.app.size.width
            message = next((o for o in options if o.cell_len <= width), options[-1])
        notice.set_class(message is not None, "-shown")
        if message is not None:
            shown = message
            notice.show(lambda w, h: fit(shown, w))

    def show_alert_line(self, build: LineBuilder | None) -> None:
        """The alert line above the status bar; hidden (no row taken) when no alert waits."""
        paint_alert_row(self.query_one("#alertline", TextView), build)

    def on_watch_table_selected(self, message: WatchTable.Selected) -> None:
        """Cursor moved: redraw the chart for the new symbol."""
        if self._frame is not None:
            self._show_chart(self._frame, message.symbol)
            self._show_leverage(self._frame, message.symbol)


def _stage_classes(node: Widget, classes: dict[str, bool]) -> bool:
    """Set ``classes`` on ``node`` without a style update; True when any changed."""
    if all(node.has_class(name) == on for name, on in classes.items()):
        return False
    node.update_classes(classes, update=False)
    return True
