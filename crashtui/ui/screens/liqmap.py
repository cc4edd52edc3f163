"""Estimated liquidation map drilldown: the heat band and every price band (side, estimated USD,
distance from price) of one symbol; ``[`` and ``]`` step through the watchlist."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crashtui.textsafe import plain
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.liqmap import bands_table, heat_band
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView


class LiqMapScreen(Drilldown):
    """Where might the next forced selling (or buying) be? An estimate, labelled as one."""

    KEYS_TEXT = "[ ] symbol"
    BINDINGS = [
        Binding("left_square_bracket", "step(-1)", "Previous symbol", id="liqmap.prev"),
        Binding("right_square_bracket", "step(1)", "Next symbol", id="liqmap.next"),
    ]

    def __init__(self, glyphs: Glyphs, symbol: str | None = None) -> None:
        super().__init__(glyphs)
        self.symbol = symbol

    def compose_body(self) -> ComposeResult:
        """Heat band, then the bands."""
        yield TextView(id="liqmap-heat-title", classes="section-title")
        yield TextView(id="liqmap-heat")
        yield TextView(id="liqmap-bands-title", classes="section-title")
        yield TextView(id="liqmap-bands")

    def _symbol(self, frame: Frame) -> str:
        if self.symbol is None:
            watch = frame.snapshot.watchlist
            self.symbol = frame.selected or (watch[0] if watch else "BTC")
        return self.symbol

    def title_text(self, frame: Frame) -> str:
        """``BTC: estimated liquidation map (an estimate, not reported liquidations)``."""
        return f"{plain(self._symbol(frame), 12)}: estimated liquidation map (an estimate, not reported)"

    def render_body(self, frame: Frame) -> None:
        """Fill the sections."""
        sym = self._symbol(frame)
        self.show_text("liqmap-heat-title", lambda w: Text("Heat band around the price (estimate)"))
        self.show_text("liqmap-heat", lambda w: heat_band(frame, sym, w, rows=15))
        self.show_text("liqmap-bands-title", lambda w: Text("Price bands, nearest first (estimate)"))
        self.show_text("liqmap-bands", lambda w: bands_table(frame, sym, w))

    def action_step(self, step: int) -> None:
        """Previous or next watchlist symbol."""
        if self.frame is None:
            return
        symbols = list(self.frame.snapshot.watchlist)
        if not symbols:
            return
        index = symbols.index(self.symbol) if self.symbol in symbols else 0
        self.symbol = symbols[(index + step) % len(symbols)]
        self.refresh_from_last()
