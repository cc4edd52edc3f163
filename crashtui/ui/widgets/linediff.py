"""Repaint only the lines of a text that changed (Textual repaints whole widgets otherwise)."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget


def changed_lines(old: Text, new: Text) -> list[int] | None:
    """Indexes of the lines that differ, or None when the line count changed (repaint all)."""
    old_lines = old.split("\n", allow_blank=True)
    new_lines = new.split("\n", allow_blank=True)
    if len(old_lines) != len(new_lines):
        return None
    return [i for i, (a, b) in enumerate(zip(old_lines, new_lines, strict=True)) if a != b]


def refresh_changed(widget: Widget, old: Text, new: Text) -> None:
    """Mark only the changed lines of ``widget`` dirty; a new line count relayouts the widget."""
    lines = changed_lines(old, new)
    if lines is None:
        widget.refresh(layout=True)
        return
    width = widget.size.width
    widget.refresh(*[Region(0, y, width, 1) for y in lines])
