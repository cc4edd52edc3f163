"""Fear drilldown: Fear & Greed history, gauge components with raw values and sources."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from crashtui.ui.render.common import fit
from crashtui.ui.render.drill_fear import gauge_table, history_chart, readings
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView


class FearScreen(Drilldown):
    """How scared is everyone, and why the gauge says what it says."""

    TITLE_TEXT = "Fear: Fear & Greed history and the crash gauge, component by component"

    def compose_body(self) -> ComposeResult:
        """Readings, chart, gauge table."""
        yield TextView(id="fear-readings")
        yield TextView(id="fear-chart-title", classes="section-title")
        yield ChartView(self.glyphs, id="fear-chart")
        yield TextView(id="fear-gauge-title", classes="section-title")
        yield TextView(id="fear-gauge")

    def render_body(self, frame: Frame) -> None:
        """Fill the sections."""
        self.show_text("fear-readings", lambda w: readings(frame))
        spec, title = history_chart(frame)
        self.show_text("fear-chart-title", lambda w: fit(title, w))
        self.query_one("#fear-chart", ChartView).set_spec(spec, defer=frame.deferred_charts)
        self.show_text("fear-gauge-title", lambda w: Text("Crash gauge components"))
        self.show_text("fear-gauge", lambda w: gauge_table(frame, w))
