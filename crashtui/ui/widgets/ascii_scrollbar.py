"""ASCII scrollbars for ``--ascii`` (Textual draws its thumbs with block glyphs)."""

from __future__ import annotations

from typing import ClassVar

from textual.scrollbar import ScrollBar, ScrollBarRender


class AsciiScrollBarRender(ScrollBarRender):
    """A scrollbar thumb drawn with ``#``."""

    VERTICAL_BARS: ClassVar[list[str]] = ["#", "#", "#", "#", "#", "#", "#", " "]
    HORIZONTAL_BARS: ClassVar[list[str]] = ["#", "#", "#", "#", "#", "#", "#", " "]


def use_ascii_scrollbars(enabled: bool) -> type[ScrollBarRender]:
    """Switch every scrollbar's renderer; returns the previous one (to restore it)."""
    previous = ScrollBar.renderer
    if enabled:
        ScrollBar.renderer = AsciiScrollBarRender
    return previous
