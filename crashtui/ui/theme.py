"""Themes as data → Textual themes; a broken or missing theme warns and falls back."""

from __future__ import annotations

from textual.theme import BUILTIN_THEMES, Theme

from crashtui.themes import ThemeSpec, load_theme, read_theme, theme_files
from crashtui.ui.palette import Palette, palette_from

PREFIX = "crashtui-"


def textual_theme(spec: ThemeSpec) -> Theme:
    """The Textual theme for a crashtui theme spec (semantic colours become ``$crash-*`` variables)."""
    colors = dict(spec.colors)
    variables: dict[str, str] = {}
    if spec.ansi:
        # Textual's own ANSI themes define variables its widgets need (e.g. $ansi-background).
        base = BUILTIN_THEMES["ansi-dark" if spec.dark else "ansi-light"]
        variables.update(base.variables)
    variables.update({f"crash-{key}": value for key, value in spec.variables.items()})
    return Theme(
        name=PREFIX + spec.name,
        primary=colors["primary"],
        secondary=colors.get("secondary"),
        warning=colors.get("warning"),
        error=colors.get("error"),
        success=colors.get("success"),
        accent=colors.get("accent"),
        foreground=colors.get("foreground"),
        background=colors.get("background"),
        surface=colors.get("surface"),
        panel=colors.get("panel"),
        dark=spec.dark,
        ansi=spec.ansi,
        boost="ansi_default" if spec.ansi else None,
        variables=variables,
    )


def available_specs() -> tuple[dict[str, ThemeSpec], list[str]]:
    """Every usable theme by name, plus one warning per unusable theme file."""
    specs: dict[str, ThemeSpec] = {}
    warnings: list[str] = []
    for name, path in theme_files().items():
        try:
            specs[name] = read_theme(path)
        except Exception as exc:  # a user's theme file must never stop the app
            warnings.append(f"theme {name!r} is unusable ({exc}); skipped")
    return specs, warnings


def resolve_theme(name: str) -> tuple[ThemeSpec, Palette, str | None]:
    """The named theme (or the default with a warning) and its palette."""
    spec, warning = load_theme(name)
    return spec, palette_from(spec), warning
