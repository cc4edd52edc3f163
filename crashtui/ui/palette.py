"""Rich style strings for the panes, derived from a theme (headless: no textual)."""

from __future__ import annotations

from dataclasses import dataclass

from crashtui.themes import ThemeSpec


def rich_color(value: str) -> str:
    """A theme colour as Rich understands it: ``ansi_bright_red`` → ``bright_red``."""
    return value.removeprefix("ansi_")


@dataclass(frozen=True, slots=True)
class Palette:
    """The semantic colours every renderer uses (Rich colour strings)."""

    up: str
    down: str
    support: str
    resistance: str
    stale: str
    muted: str
    warning: str
    error: str
    success: str
    accent: str
    primary: str

    @property
    def title(self) -> str:
        """Style of headings inside panes."""
        return f"bold {self.primary}"

    def signed(self, value: float | None) -> str:
        """Up colour for positive values, down colour for negative, muted for zero/None."""
        if value is None or value == 0:
            return self.muted
        return self.up if value > 0 else self.down


_FALLBACK = {
    "up": "green",
    "down": "red",
    "support": "blue",
    "resistance": "magenta",
    "stale": "bright_black",
    "muted": "bright_black",
    "warning": "yellow",
    "error": "red",
    "success": "green",
    "accent": "yellow",
    "primary": "blue",
}


def palette_from(spec: ThemeSpec) -> Palette:
    """The palette of a theme: its [variables], then its [colors], then ANSI defaults."""
    values = dict(_FALLBACK)
    for key in ("warning", "error", "success", "accent", "primary"):
        if key in spec.colors:
            values[key] = rich_color(spec.colors[key])
    for key, value in spec.variables.items():
        values[key] = rich_color(value)
    return Palette(**values)
