"""Recovery checklist drilldown: each item with its status, since when, and the evidence."""

from __future__ import annotations

from textual.app import ComposeResult

from crashtui.ui.render.frame import Frame
from crashtui.ui.render.recovery import checklist
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView


class RecoveryScreen(Drilldown):
    """When is the sell-off over? The seed's checklist, item by item."""

    TITLE_TEXT = "Recovery checklist: what has to be true before the sell-off is over"

    def compose_body(self) -> ComposeResult:
        """The checklist."""
        yield TextView(id="recovery-items")

    def render_body(self, frame: Frame) -> None:
        """Fill the checklist."""
        self.show_text("recovery-items", lambda w: checklist(frame, w))
