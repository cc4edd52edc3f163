"""Liquidations drilldown: by venue, side and symbol per window; cascade timeline; largest orders."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.common import fit
from crashtui.ui.render.drill_liquidations import (
    WINDOW_NAMES,
    cascades,
    daily_chart,
    held_orders,
    largest,
    split_table,
    window_picker,
    window_summary,
)
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView


class LiquidationsScreen(Drilldown):
    """Who is being liquidated, where, and how fast."""

    TITLE_TEXT = "Liquidations: by venue, side and symbol; cascades; largest orders"
    KEYS_TEXT = "1-4 window"
    BINDINGS = [
        Binding("1", "window(0)", "1 hour window", id="liq.1h"),
        Binding("2", "window(1)", "4 hour window", id="liq.4h"),
        Binding("3", "window(2)", "24 hour window", id="liq.24h"),
        Binding("4", "window(3)", "72 hour window", id="liq.72h"),
    ]

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__(glyphs)
        self.window = "24h"

    def compose_body(self) -> ComposeResult:
        """Window picker, tables, cascades, daily chart, largest orders."""
        yield TextView(id="liq-picker")
        yield TextView(id="liq-summary")
        yield TextView(id="liq-venues-title", classes="section-title")
        yield TextView(id="liq-venues")
        yield TextView(id="liq-symbols-title", classes="section-title")
        yield TextView(id="liq-symbols")
        yield TextView(id="liq-cascades-title", classes="section-title")
        yield TextView(id="liq-cascades")
        yield TextView(id="liq-chart-title", classes="section-title")
        yield ChartView(self.glyphs, id="liq-chart")
        yield TextView(id="liq-largest-title", classes="section-title")
        yield TextView(id="liq-largest")
        yield TextView(id="liq-held-title", classes="section-title")
        yield TextView(id="liq-held")

    def render_body(self, frame: Frame) -> None:
        """Fill the sections for the chosen window."""
        stats = frame.analysis.liquidations
        window = stats.window(self.window)
        sampled = window.sampled_venues if window is not None else ()
        self.show_text("liq-picker", lambda w: window_picker(self.window, frame))
        self.show_text("liq-summary", lambda w: window_summary(window, frame))
        self.show_text("liq-venues-title", lambda w: Text(f"By venue ({self.window})"))
        rows = ((window.total, *window.by_venue)) if window is not None else ()
        self.show_text("liq-venues", lambda w: split_table(rows, sampled, frame, w, "VENUE"))
        self.show_text("liq-symbols-title", lambda w: Text(f"By symbol ({self.window})"))
        by_symbol = window.by_symbol if window is not None else ()
        self.show_text("liq-symbols", lambda w: split_table(by_symbol, (), frame, w, "SYMBOL"))
        self.show_text("liq-cascades-title", lambda w: Text("Cascades (newest first)"))
        self.show_text("liq-cascades", lambda w: cascades(frame, w))
        spec, title = daily_chart(frame)
        self.show_text("liq-chart-title", lambda w: fit(title, w))
        self.query_one("#liq-chart", ChartView).set_spec(spec, defer=frame.deferred_charts)
        self.show_text("liq-largest-title", lambda w: Text(f"Largest orders ({self.window})"))
        self.show_text("liq-largest", lambda w: largest(window, frame, w))
        self.show_text(
            "liq-held-title", lambda w: Text("Held back by the sanity gate (not counted anywhere)")
        )
        self.show_text("liq-held", lambda w: held_orders(frame, w))

    def action_window(self, index: int) -> None:
        """Show another window."""
        self.window = WINDOW_NAMES[index]
        self.refresh_from_last()
