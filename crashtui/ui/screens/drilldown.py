"""Drilldown screens share a frame: header, a scrolling body of sections, a key line."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen

from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.common import fit, spread
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.header import build_header
from crashtui.ui.screens.base import LineBuilder, paint_alert_row
from crashtui.ui.widgets.textview import TextView


class Drilldown(Screen[None]):
    """Base drilldown: subclasses compose sections and render them from each frame."""

    TITLE_TEXT = ""
    KEYS_TEXT = ""
    DEFAULT_CSS = """
    Drilldown { layout: vertical; }
    Drilldown #dd-header, Drilldown #dd-title, Drilldown #dd-keys, Drilldown #dd-alertline { height: 1; }
    Drilldown #dd-alertline { display: none; }
    Drilldown #dd-alertline.-shown { display: block; }
    Drilldown #dd-title { text-style: bold; }
    Drilldown #dd-body { height: 1fr; padding: 0 1; }
    Drilldown .section-title { margin-top: 1; text-style: bold; }
    Drilldown ChartView { height: 45vh; min-height: 8; max-height: 24; }
    """

    BINDINGS = [Binding("escape", "app.back", "Back", id="drill.back", show=False)]

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__()
        self.glyphs = glyphs
        self.frame: Frame | None = None

    def compose(self) -> ComposeResult:
        """Header, title, the scrolling body, the alert line (while an alert waits), key line."""
        yield TextView(id="dd-header")
        yield TextView(id="dd-title")
        with VerticalScroll(id="dd-body"):
            yield from self.compose_body()
        yield TextView(id="dd-alertline")
        yield TextView(id="dd-keys")

    def compose_body(self) -> ComposeResult:
        """The sections (override)."""
        yield from ()

    def on_mount(self) -> None:
        """Focus the body so arrows and page keys scroll it."""
        self.query_one("#dd-body", VerticalScroll).focus()

    def update_frame(self, frame: Frame) -> None:
        """Header, title and key lines, then the subclass's sections."""
        self.frame = frame
        p = frame.palette
        self.query_one("#dd-header", TextView).show(lambda w, h: build_header(frame, w))
        title = Text(self.title_text(frame), style=f"bold {p.primary}")
        self.query_one("#dd-title", TextView).show(lambda w, h: fit(title, w))
        keys = Text(
            f"esc back  {self.KEYS_TEXT}  l e f m s  ? help  q quit".replace("  ", "  ").strip(), style="dim"
        )
        scroll = Text(
            "↑↓ PgUp PgDn scroll" if not self.glyphs.ascii else "up/down pgup/pgdn scroll", style="dim"
        )
        self.query_one("#dd-keys", TextView).show(lambda w, h: spread(keys, scroll, w))
        self.render_body(frame)

    def show_alert_line(self, build: LineBuilder | None) -> None:
        """The alert line above the key line; hidden when no alert waits."""
        paint_alert_row(self.query_one("#dd-alertline", TextView), build)

    def title_text(self, frame: Frame) -> str:
        """The screen's title line."""
        return self.TITLE_TEXT

    def render_body(self, frame: Frame) -> None:
        """Fill the sections from ``frame`` (override)."""

    def refresh_from_last(self) -> None:
        """Re-render after a local change (a key switched what the screen shows)."""
        if self.frame is not None:
            self.update_frame(self.frame)

    def show_text(self, widget_id: str, builder: Callable[[int], Text]) -> None:
        """Fill the text section ``widget_id`` with ``builder(width)``."""
        self.query_one(f"#{widget_id}", TextView).show(lambda w, h: builder(w))
