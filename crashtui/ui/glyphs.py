"""Glyph sets: Unicode by default, plain ASCII for fonts without block, braille or box glyphs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Glyphs:
    """Every non-ASCII character the dashboard draws, in one place."""

    ascii: bool
    spark: str
    cursor: str
    up: str
    down: str
    ok: str
    stale: str
    failing: str
    blocked: str
    pending: str
    warn: str
    sep: str
    dash: str
    ellipsis: str
    times: str
    unpublished: str
    bar_full: str
    bar_empty: str
    arrow: str
    up_arrow: str
    down_arrow: str
    border: str
    plot_marker: str


UNICODE = Glyphs(
    ascii=False,
    spark="▁▂▃▄▅▆▇█",
    cursor="▶",
    up="▲",
    down="▼",
    ok="●",
    stale="◐",
    failing="✗",
    blocked="⊘",
    pending="○",
    warn="⚠",
    sep="·",
    dash="–",
    ellipsis="…",
    times="×",
    unpublished="·",
    bar_full="█",
    bar_empty="░",
    arrow="→",
    up_arrow="↑",
    down_arrow="↓",
    border="round",
    plot_marker="braille",
)

ASCII = Glyphs(
    ascii=True,
    spark="_.-=+*#@",
    cursor=">",
    up="^",
    down="v",
    ok="+",
    stale="~",
    failing="x",
    blocked="!",
    pending="o",
    warn="!",
    sep="|",
    dash="-",
    ellipsis="...",
    times="x",
    unpublished="?",
    bar_full="#",
    bar_empty=".",
    arrow="->",
    up_arrow="^",
    down_arrow="v",
    border="ascii",
    plot_marker="*",
)

# Box-drawing and block characters plotext draws, mapped to ASCII (one character each).
_PLOT_ASCII = str.maketrans(
    {
        "─": "-",
        "━": "-",
        "│": "|",
        "┃": "|",
        "┌": "+",
        "┐": "+",
        "└": "+",
        "┘": "+",
        "├": "+",
        "┤": "+",
        "┬": "+",
        "┴": "+",
        "┼": "+",
        "╭": "+",
        "╮": "+",
        "╰": "+",
        "╯": "+",
        "▁": "_",
        "▄": "=",
        "▀": "-",
        "█": "#",
        "•": "*",
        "·": ".",
        "…": ".",
    }
)


def glyphs_for(ascii_only: bool) -> Glyphs:
    """The ASCII set when asked for, else Unicode."""
    return ASCII if ascii_only else UNICODE


def to_ascii(text: str) -> str:
    """Replace the box and block glyphs a plot draws with ASCII, keeping the length."""
    out = text.translate(_PLOT_ASCII)
    return "".join(ch if ord(ch) < 128 else "*" for ch in out)
