"""Glyph sets: Unicode by default, plain ASCII for fonts without block, braille or box glyphs."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text


@dataclass(frozen=True, slots=True)
class Glyphs:
    """Every non-ASCII character the dashboard draws, in one place."""

    ascii: bool
    spark: str
    flow_up: str
    flow_down: str
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
    flow_up="▁▄█",
    flow_down="▔▀█",
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
    flow_up=".:#",
    flow_down=".:#",
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

# Every other character the app's own text uses, one ASCII character each (so columns keep
# their width): what ``--ascii`` draws for words that came through with Unicode punctuation.
_TEXT_ASCII = str.maketrans(
    {
        "–": "-",
        "—": "-",
        "−": "-",
        "…": ".",
        "·": ".",
        "×": "x",
        "→": ">",
        "←": "<",
        "↑": "^",
        "↓": "v",
        "▲": "^",
        "▼": "v",
        "▶": ">",
        "≤": "<",
        "≥": ">",
        "±": "+",
        "≈": "~",
        "°": "o",
        "⏎": "~",
        "’": "'",
        "‘": "'",
        "“": '"',
        "”": '"',
        "●": "+",
        "○": "o",
        "◐": "~",
        "✗": "x",
        "⊘": "!",
        "⚠": "!",
        "░": ".",
        "▌": "|",
        "▐": "|",
        " ": " ",
    }
)


def glyphs_for(ascii_only: bool) -> Glyphs:
    """The ASCII set when asked for, else Unicode."""
    return ASCII if ascii_only else UNICODE


def to_ascii(text: str) -> str:
    """Replace the box and block glyphs a plot draws with ASCII, keeping the length."""
    out = text.translate(_PLOT_ASCII)
    return "".join(ch if ord(ch) < 128 else "*" for ch in out)


def ascii_str(text: str) -> str:
    """``text`` in 7-bit ASCII, one character for one (punctuation, arrows, blocks, boxes);
    anything else becomes ``?``."""
    if text.isascii():
        return text
    out = text.translate(_TEXT_ASCII).translate(_PLOT_ASCII)
    return "".join(ch if ord(ch) < 128 else "?" for ch in out)


def ascii_text(text: Text) -> Text:
    """A Rich ``Text`` in 7-bit ASCII, styles kept (the same length: spans stay in place).

    ``--ascii`` promises a screen without a single non-ASCII character; the widgets pass all
    they draw through this, so a word from an analysis module or an external string that
    brings an en dash or an ellipsis cannot break the promise.
    """
    plain = text.plain
    if plain.isascii():
        return text
    out = text.copy()
    out.plain = ascii_str(plain)
    return out


def ascii_screen(widget: object) -> bool:
    """Whether ``widget``'s app draws in ASCII (``--ascii``); False outside a running app."""
    try:
        glyphs = getattr(getattr(widget, "app", None), "glyphs", None)
    except Exception:  # no active app (a widget rendered on its own)
        return False
    return isinstance(glyphs, Glyphs) and glyphs.ascii
