"""What every screen that shows live data implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from crashtui.ui.render.frame import Frame


@runtime_checkable
class FrameView(Protocol):
    """A screen the app feeds a new :class:`Frame` on every refresh tick."""

    def update_frame(self, frame: Frame) -> None:
        """Re-render from ``frame`` (only what changed is repainted)."""
