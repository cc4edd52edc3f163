"""Sources drilldown: state, age, last error and hint of every source; counters behind ``c``."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.drill_sources import overview, problems, source_table
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView


class SourcesScreen(Drilldown):
    """Where every number comes from, and what is wrong with the ones that are missing."""

    TITLE_TEXT = "Sources: state, age of the data, last error, hint"
    KEYS_TEXT = "c counters"
    BINDINGS = [
        Binding("c", "counters", "Counters on/off: polls, requests, latency, streams", id="src.counters")
    ]

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__(glyphs)
        self.counters = False
        """Whether the developer's counters (and the UI's timings) are shown."""

    def action_counters(self) -> None:
        """``c``: the counters on or off."""
        self.counters = not self.counters
        self.refresh_from_last()

    def title_text(self, frame: Frame) -> str:
        """The title, with the counters when they are on."""
        if self.counters:
            return "Sources: state, age, last error, hint; counters: next poll, requests, latency, streams"
        return self.TITLE_TEXT

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
        perf_line = perf.summary() if perf is not None and timings and self.counters else ""
        counters = self.counters
        title = "Every source" if counters else "Every source (c: counters)"
        self.show_text("src-overview", lambda w: overview(frame, perf_line, w))
        self.show_text("src-table-title", lambda w: Text(title))
        self.show_text("src-table", lambda w: source_table(frame, w, counters))
        self.show_text("src-problems-title", lambda w: Text("Problems (errors and hints)"))
        self.show_text("src-problems", lambda w: problems(frame, w))
