"""What every screen that shows live data implements, and the alert row they share."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from rich.text import Text

from crashtui.ui.widgets.textview import TextView

if TYPE_CHECKING:
    from crashtui.ui.render.frame import Frame  # with the first frame of data, not the first paint


@runtime_checkable
class FrameView(Protocol):
    """A screen the app feeds a new :class:`Frame` on every refresh tick."""

    def update_frame(self, frame: Frame) -> None:
        """Re-render from ``frame`` (only what changed is repainted)."""


LineBuilder = Callable[[int], Text]


@runtime_checkable
class AlertLineView(Protocol):
    """A screen with an alert line (one row above its key or status line)."""

    is_mounted: bool

    def show_alert_line(self, build: LineBuilder | None) -> None:
        """Show the line ``build(width)`` draws, or hide the row (None: no alert waits)."""


def paint_alert_row(row: TextView, build: LineBuilder | None) -> None:
    """Show or hide an alert row: hidden, it takes no room from the panes."""
    row.set_class(build is not None, "-shown")
    if build is not None:
        row.show(lambda w, h: build(w))
