"""Sources drilldown: status, last error, next poll and rate budget of every source."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from crashtui.ui.render.drill_sources import overview, problems, source_table
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView


class SourcesScreen(Drilldown):
    """Where every number comes from, and what is wrong with the ones that are missing."""

    TITLE_TEXT = "Sources: status, last error, next poll, rate budget, streams"

    def compose_body(self) -> ComposeResult:
        """Overview, table, problems."""
        yield TextView(id="src-overview")
        yield TextView(id="src-table-title", classes="section-title")
        yield TextView(id="src-table")
        yield TextView(id="src-problems-title", classes="section-title")
        yield TextView(id="src-problems")

    def render_body(self, frame: Frame) -> None:
        """Fill the sections."""
        perf = getattr(self.app, "perf", None)
        options = getattr(self.app, "options", None)
        timings = options is None or getattr(options, "show_timings", True)
        perf_line = perf.summary() if perf is not None and timings else ""
        self.show_text("src-overview", lambda w: overview(frame, perf_line, w))
        self.show_text("src-table-title", lambda w: Text("Every source"))
        self.show_text("src-table", lambda w: source_table(frame, w))
        self.show_text("src-problems-title", lambda w: Text("Problems (errors and hints)"))
        self.show_text("src-problems", lambda w: problems(frame, w))
