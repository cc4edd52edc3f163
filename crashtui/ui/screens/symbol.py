"""Symbol drilldown: candles 1h/4h/1d with zones and the 200-day average, zones with evidence,
funding and open interest, spread and depth."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crashtui.model import Interval
from crashtui.textsafe import plain
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.common import fit
from crashtui.ui.render.drill_symbol import book, derivatives, symbol_summary, zone_evidence, zones_table
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.price_chart import price_chart
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView

INTERVALS = (Interval.H1, Interval.H4, Interval.D1)


class SymbolScreen(Drilldown):
    """One symbol in depth."""

    KEYS_TEXT = "1 1h  2 4h  3 1d  c candles/line  [ ] symbol"
    BINDINGS = [
        Binding("1", "interval(0)", "1h candles", id="symbol.1h"),
        Binding("2", "interval(1)", "4h candles", id="symbol.4h"),
        Binding("3", "interval(2)", "Daily candles", id="symbol.1d"),
        Binding("c", "toggle_candles", "Candles or closes", id="symbol.candles"),
        Binding("left_square_bracket", "step(-1)", "Previous symbol", id="symbol.prev"),
        Binding("right_square_bracket", "step(1)", "Next symbol", id="symbol.next"),
    ]

    def __init__(self, symbol: str, glyphs: Glyphs) -> None:
        super().__init__(glyphs)
        self.symbol = symbol
        self.interval = Interval.H1
        self.candles = True

    def compose_body(self) -> ComposeResult:
        """Summary, chart, zones, evidence, derivatives, book."""
        yield TextView(id="sym-summary")
        yield TextView(id="sym-chart-title", classes="section-title")
        yield ChartView(self.glyphs, id="sym-chart")
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
        """Fill every section for the current symbol and interval."""
        sym = self.symbol
        self.show_text("sym-summary", lambda w: symbol_summary(frame, sym, w))
        spec, title = price_chart(frame, sym, self.interval, candles=self.candles)
        self.show_text("sym-chart-title", lambda w: fit(title, w))
        self.query_one("#sym-chart", ChartView).set_spec(spec, defer=frame.deferred_charts)
        self._render_liqmap(frame, sym)
        self.show_text("sym-zones-title", lambda w: Text("Zones (highest first)"))
        self.show_text("sym-zones", lambda w: zones_table(frame, sym, w))
        self.show_text("sym-evidence-title", lambda w: Text("Evidence"))
        self.show_text("sym-evidence", lambda w: zone_evidence(frame, sym, w))
        self.show_text("sym-deriv-title", lambda w: Text("Funding and open interest"))
        self.show_text("sym-deriv", lambda w: derivatives(frame, sym, w))
        self.show_text("sym-book-title", lambda w: Text("Spread and depth"))
        self.show_text("sym-book", lambda w: book(frame, sym, w))

    def _render_liqmap(self, frame: Frame, sym: str) -> None:
        from crashtui.ui.render.liqmap import heat_band

        title = Text("Estimated liquidation map (estimate; h: every band)")
        self.show_text("sym-liqmap-title", lambda w: title)
        self.show_text("sym-liqmap", lambda w: heat_band(frame, sym, w))

    def action_interval(self, index: int) -> None:
        """Switch the chart to 1h, 4h or daily candles."""
        self.interval = INTERVALS[index]
        self.refresh_from_last()

    def action_toggle_candles(self) -> None:
        """Candles or a close line."""
        self.candles = not self.candles
        self.refresh_from_last()

    def action_step(self, step: int) -> None:
        """Previous or next symbol of the watchlist."""
        if self.frame is None:
            return
        symbols = [s.symbol for s in self.frame.analysis.symbols]
        if not symbols:
            return
        index = symbols.index(self.symbol) if self.symbol in symbols else 0
        self.symbol = symbols[(index + step) % len(symbols)]
        self.refresh_from_last()
