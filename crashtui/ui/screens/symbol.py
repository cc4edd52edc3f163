"""Symbol drilldown: an interactive chart (timeframes, zoom, scroll, log scale, a cursor with a
readout, volume, overlays, pins), zones with evidence, funding and open interest, spread and
depth."""

from __future__ import annotations

from dataclasses import replace

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crashtui.model import Interval
from crashtui.textsafe import plain
from crashtui.ui.chart_state import LIQ, MA, OVERLAY_NAMES, POSITIONS, ZONES, ChartState
from crashtui.ui.fmt import fmt_price
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.ondemand import OnDemandCandles
from crashtui.ui.pins import PinBook
from crashtui.ui.render.common import fit
from crashtui.ui.render.drill_symbol import book, derivatives, symbol_summary, zone_evidence, zones_table
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.symbol_chart import SymbolChart, all_candles, cursor_readout, symbol_chart
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView

INTERVALS = (Interval.M5, Interval.M15, Interval.H1, Interval.H4, Interval.D1)  # keys 1-5


class SymbolScreen(Drilldown):
    """One symbol in depth."""

    KEYS_TEXT = (
        "1-5 5m/15m/1h/4h/1d  i next  + - zoom  , . scroll  { } cursor  0 reset  L log  v vol  "
        "c candles  M Z B O overlays  P pin  A alert  [ ] symbol"
    )
    BINDINGS = [
        Binding("1", "interval(0)", "5m candles (fetched while shown)", id="symbol.5m"),
        Binding("2", "interval(1)", "15m candles (fetched while shown)", id="symbol.15m"),
        Binding("3", "interval(2)", "1h candles", id="symbol.1h"),
        Binding("4", "interval(3)", "4h candles", id="symbol.4h"),
        Binding("5", "interval(4)", "Daily candles", id="symbol.1d"),
        Binding("i", "next_interval", "Next timeframe (5m 15m 1h 4h 1d)", id="symbol.next_tf"),
        Binding("c", "toggle_candles", "Candles or closes", id="symbol.candles"),
        Binding("plus,equals_sign", "zoom(1)", "Zoom in (fewer candles)", id="symbol.zoom_in"),
        Binding("minus", "zoom(0)", "Zoom out (more candles)", id="symbol.zoom_out"),
        Binding("comma", "scroll_chart(-1)", "Scroll the chart to older candles", id="symbol.older"),
        Binding("full_stop", "scroll_chart(1)", "Scroll the chart to newer candles", id="symbol.newer"),
        Binding(
            "left_curly_bracket,ctrl+left",
            "cursor(-1)",
            "Chart cursor: older candle",
            id="symbol.cursor_left",
        ),
        Binding(
            "right_curly_bracket,ctrl+right",
            "cursor(1)",
            "Chart cursor: newer candle",
            id="symbol.cursor_right",
        ),
        Binding("0", "reset_view", "Chart: newest candles, default zoom", id="symbol.reset"),
        Binding("L", "toggle_log", "Chart: log or linear price scale", id="symbol.log"),
        Binding("v", "toggle_volume", "Chart: volume bars", id="symbol.volume"),
        Binding("M", f"overlay('{MA}')", "Chart: 200-day average", id="symbol.ma"),
        Binding("Z", f"overlay('{ZONES}')", "Chart: zones", id="symbol.zones"),
        Binding("B", f"overlay('{LIQ}')", "Chart: estimated liquidation bands", id="symbol.liq"),
        Binding(
            "O", f"overlay('{POSITIONS}')", "Chart: position entries and liquidations", id="symbol.positions"
        ),
        Binding("P", "pin", "Pin the cursor candle's close (again: unpin)", id="symbol.pin"),
        Binding("left_square_bracket", "step(-1)", "Previous symbol", id="symbol.prev"),
        Binding("right_square_bracket", "step(1)", "Next symbol", id="symbol.next"),
    ]

    def __init__(
        self,
        symbol: str,
        glyphs: Glyphs,
        pins: PinBook | None = None,
        on_demand: OnDemandCandles | None = None,
    ) -> None:
        super().__init__(glyphs)
        self.symbol = symbol
        self.chart = ChartState()
        self.pins = pins if pins is not None else PinBook()
        self.picture: SymbolChart | None = None
        # Fetches 5m and 15m while the chart shows them (the app's; None: never fetched).
        self.on_demand = on_demand

    def on_mount(self) -> None:
        """Fetch the chart's candles if its timeframe is fetched on demand (Textual calls the
        drilldown's own mount handler too: it focuses the body)."""
        self._follow_chart()

    def on_unmount(self) -> None:
        """The screen closed: stop any on-demand fetch."""
        if self.on_demand is not None:
            self.on_demand.release(self)

    def _follow_chart(self) -> None:
        """Tell the on-demand fetcher which symbol and timeframe the chart shows."""
        if self.on_demand is not None:
            self.on_demand.want(self.symbol, self.chart.interval, self)

    @property
    def interval(self) -> Interval:
        """The chart's timeframe."""
        return self.chart.interval

    @property
    def candles(self) -> bool:
        """Candles (True) or a close line."""
        return self.chart.candles

    def compose_body(self) -> ComposeResult:
        """Summary, chart with its readout, zones, evidence, derivatives, book."""
        yield TextView(id="sym-summary")
        yield TextView(id="sym-chart-title", classes="section-title")
        yield ChartView(self.glyphs, id="sym-chart", cursor_row=True)
        yield TextView(id="sym-readout")
        yield TextView(id="sym-liqmap-title", classes="section-title")
        yield TextView(id="sym-liqmap")
        yield TextView(id="sym-zones-title", classes="section-title")
        yield TextView(id="sym-zones")
        yield TextView(id="sym-evidence-title", classes="section-title")
        yield TextView(id="sym-evidence")
        yield TextView(id="sym-deriv-title", classes="section-title")
        yield TextView(id="sym-deriv")
        yield TextView(id="sym-book-title", classes="section-title")
        yield TextView(id="sym-book")

    def title_text(self, frame: Frame) -> str:
        """``ETH: candles, zones, derivatives, order book``."""
        return f"{plain(self.symbol, 10)}: candles, zones, funding and open interest, spread and depth"

    def render_body(self, frame: Frame) -> None:
        """Fill every section for the current symbol and chart view."""
        sym = self.symbol
        self.show_text("sym-summary", lambda w: symbol_summary(frame, sym, w))
        self._render_chart(frame)
        self._render_liqmap(frame, sym)
        self.show_text("sym-zones-title", lambda w: Text("Zones (highest first)"))
        self.show_text("sym-zones", lambda w: zones_table(frame, sym, w))
        self.show_text("sym-evidence-title", lambda w: Text("Evidence"))
        self.show_text("sym-evidence", lambda w: zone_evidence(frame, sym, w))
        self.show_text("sym-deriv-title", lambda w: Text("Funding and open interest"))
        self.show_text("sym-deriv", lambda w: derivatives(frame, sym, w))
        self.show_text("sym-book-title", lambda w: Text("Spread and depth"))
        self.show_text("sym-book", lambda w: book(frame, sym, w))

    def _render_chart(self, frame: Frame) -> None:
        """The chart, its title and the cursor readout (the cursor alone repaints two columns)."""
        self.chart = self.chart.clamped(len(all_candles(frame, self.symbol, self.chart)))
        fetch, interval = self.on_demand, self.chart.interval
        picture = symbol_chart(
            frame,
            self.symbol,
            self.chart,
            self.pins.of(self.symbol),
            missing=fetch.missing(self.symbol, interval) if fetch is not None else None,
            note=fetch.note(self.symbol, interval) if fetch is not None else None,
        )
        self.picture = picture
        self.show_text("sym-chart-title", lambda w: fit(picture.title, w))
        view = self.query_one("#sym-chart", ChartView)
        view.set_spec(picture.spec, defer=frame.deferred_charts)
        view.set_cursor(picture.cursor_x)
        state = self.chart
        self.show_text("sym-readout", lambda w: fit(cursor_readout(frame, picture, state), w))

    def _render_liqmap(self, frame: Frame, sym: str) -> None:
        from crashtui.ui.render.liqmap import heat_band

        title = Text("Estimated liquidation map (estimate; h: every band)")
        self.show_text("sym-liqmap-title", lambda w: title)
        self.show_text("sym-liqmap", lambda w: heat_band(frame, sym, w))

    def _available(self) -> int:
        return len(all_candles(self.frame, self.symbol, self.chart)) if self.frame is not None else 0

    def _chart_changed(self, state: ChartState) -> None:
        self.chart = state
        self._follow_chart()
        if self.frame is not None:
            self._render_chart(self.frame)

    def action_interval(self, index: int) -> None:
        """Switch the chart to 5m, 15m, 1h, 4h or daily candles (5m and 15m are fetched for
        this symbol while the chart shows them)."""
        self._chart_changed(self.chart.with_interval(INTERVALS[index]))

    def action_next_interval(self) -> None:
        """The next timeframe (after the longest: the shortest again)."""
        index = INTERVALS.index(self.chart.interval) if self.chart.interval in INTERVALS else -1
        self._chart_changed(self.chart.with_interval(INTERVALS[(index + 1) % len(INTERVALS)]))

    def action_toggle_candles(self) -> None:
        """Candles or a close line."""
        self._chart_changed(replace(self.chart, candles=not self.chart.candles))

    def action_zoom(self, zoom_in: int) -> None:
        """Fewer (``zoom_in`` 1) or more candles in view."""
        self._chart_changed(self.chart.zoomed(bool(zoom_in), self._available()))

    def action_scroll_chart(self, step: int) -> None:
        """Scroll the window a quarter of its width (negative: older)."""
        self._chart_changed(self.chart.scrolled(step, self._available()))

    def action_cursor(self, step: int) -> None:
        """Move the chart cursor one candle (negative: older)."""
        self._chart_changed(self.chart.cursor_moved(step, self._available()))

    def action_reset_view(self) -> None:
        """Back to the newest candles at the default zoom."""
        self._chart_changed(self.chart.reset())

    def action_toggle_log(self) -> None:
        """Log or linear price axis."""
        self._chart_changed(replace(self.chart, log=not self.chart.log))

    def action_toggle_volume(self) -> None:
        """Volume bars under the chart, or none."""
        self._chart_changed(replace(self.chart, volume=not self.chart.volume))

    def action_overlay(self, name: str) -> None:
        """Show or hide one overlay."""
        self._chart_changed(self.chart.toggled(name))
        shown = "shown" if self.chart.shows(name) else "hidden"
        self.notify(f"{OVERLAY_NAMES[name]}: {shown}", timeout=2)

    def action_pin(self) -> None:
        """Pin the cursor candle's close; a pin inside the cursor candle's range is unpinned."""
        cursor = self.picture.cursor if self.picture is not None else None
        if cursor is None:
            self.notify("no candle at the cursor to pin", severity="warning", timeout=3)
            return
        try:
            pinned, level = self.pins.toggle(self.symbol, cursor.close, (cursor.low, cursor.high))
        except ValueError as exc:
            self.notify(plain(str(exc), 200), severity="warning", timeout=4)
            return
        what = "pinned" if pinned else "unpinned"
        self.notify(f"{plain(self.symbol, 10)} {fmt_price(level)} {what}", timeout=3)
        if self.pins.save_error:
            self.notify(plain(self.pins.save_error, 200), severity="warning", timeout=5)
        self.refresh_from_last()

    def alert_phrase(self) -> str | None:
        """The app's add-alert prompt starts here: the cursor candle's close, ``below`` when that
        is under the last price, else ``above`` (None without a cursor or on the newest candle)."""
        picture = self.picture
        if picture is None or picture.cursor is None or self.frame is None:
            return None
        if picture.candles and picture.cursor is picture.candles[-1]:
            return None  # on the newest candle: the app's default, the current price
        level = picture.cursor.close
        last = all_candles(self.frame, self.symbol, self.chart)[-1].close
        op = "below" if level < last else "above"
        return f"{self.symbol} {op} {f'{level:.8f}'.rstrip('0').rstrip('.')}"

    def action_step(self, step: int) -> None:
        """Previous or next symbol of the watchlist."""
        if self.frame is None:
            return
        symbols = [s.symbol for s in self.frame.analysis.symbols]
        if not symbols:
            return
        index = symbols.index(self.symbol) if self.symbol in symbols else 0
        self.symbol = symbols[(index + step) % len(symbols)]
        self.chart = self.chart.reset()
        self._follow_chart()
        self.refresh_from_last()
