"""Every bundled theme's text reaches a WCAG contrast ratio of 4.5:1 on every background it is
drawn on (issue 20: the light and high-contrast themes had low-contrast labels).

Computed from the theme files themselves with WCAG 2 relative luminance. The ANSI theme names
only the terminal's own 16 colours, which the terminal (not crashtui) chooses: it is checked to
be ANSI-only instead.
"""

from __future__ import annotations

import pytest

from crashtui.paths import bundled_dir
from crashtui.themes import read_theme

BACKGROUNDS = ("background", "surface", "panel")
LABELS = ("foreground", "secondary", "muted", "stale")
DIM_FACTOR = 0.66  # Textual's default blend for dim text (textual.constants.DIM_FACTOR)
THEMES = sorted(p.stem for p in bundled_dir("themes").glob("*.toml"))


def rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def luminance(color: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance."""

    def linear(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in color)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def blend(bg: tuple[int, int, int], fg: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    return tuple(round(b + (f - b) * factor) for b, f in zip(bg, fg, strict=True))  # type: ignore[return-value]


def test_the_formula() -> None:
    assert contrast(rgb("#000000"), rgb("#ffffff")) == pytest.approx(21.0)
    assert contrast(rgb("#777777"), rgb("#ffffff")) == pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("name", THEMES)
def test_every_text_colour_reaches_4_5_to_1_on_every_background(name: str) -> None:
    spec = read_theme(bundled_dir("themes") / f"{name}.toml")
    colors = {**spec.colors, **spec.variables}
    if spec.ansi:
        assert all(v.startswith("ansi_") for v in colors.values())  # the terminal's palette
        return
    failing = []
    for text, value in colors.items():
        if text in BACKGROUNDS:
            continue
        need = 7.0 if name == "high-contrast" and text in LABELS else 4.5
        for bg in BACKGROUNDS:
            ratio = contrast(rgb(value), rgb(colors[bg]))
            if ratio < need:
                failing.append(f"{text} {value} on {bg} {colors[bg]}: {ratio:.2f} < {need}")
    # Dim text (key hints, table headers) is the foreground blended toward the background.
    dim = blend(rgb(colors["background"]), rgb(colors["foreground"]), DIM_FACTOR)
    for bg in BACKGROUNDS:
        ratio = contrast(dim, rgb(colors[bg]))
        if ratio < 4.5:
            failing.append(f"dim foreground on {bg}: {ratio:.2f} < 4.5")
    assert failing == []
