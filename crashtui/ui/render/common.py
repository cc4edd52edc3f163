"""Building blocks for renderers: fitted cells, width-aware tables, wrapped item lists.

Everything here takes and returns Rich ``Text``; external strings are passed through
:func:`crashtui.textsafe.plain` by :func:`ext` before they become text, and no string is ever
parsed as markup.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from rich.text import Text

from crashtui.textsafe import plain


def ext(value: object, limit: int | None = None, style: str = "") -> Text:
    """External text (symbol, venue, error, ticker) as plain, escape-free ``Text``."""
    return Text(plain(str(value), limit), style=style)


def fit(value: Text | str, width: int, align: str = "left", style: str = "") -> Text:
    """``value`` cut (with an ellipsis) or padded to exactly ``width`` cells."""
    text = Text(value, style=style) if isinstance(value, str) else value.copy()
    if width <= 0:
        return Text()
    if text.cell_len > width:
        text.truncate(width, overflow="ellipsis")
    pad = width - text.cell_len
    if pad > 0:
        if align == "right":
            text = Text(" " * pad) + text
        else:
            text.append(" " * pad)
    return text


def join(parts: Iterable[Text | str], sep: Text | str = " ") -> Text:
    """Concatenate non-empty parts with ``sep``."""
    out = Text()
    first = True
    for part in parts:
        if not part:
            continue
        if not first:
            out.append_text(sep if isinstance(sep, Text) else Text(sep))
        out.append_text(part if isinstance(part, Text) else Text(part))
        first = False
    return out


def lines(rows: Sequence[Text], height: int | None = None) -> Text:
    """Rows joined by newlines, keeping at most ``height`` rows."""
    kept = list(rows if height is None else rows[: max(0, height)])
    return Text("\n").join(kept)


def spread(left: Text, right: Text, width: int) -> Text:
    """``left`` and ``right`` on one line ``width`` wide (right-aligned; left is cut first)."""
    if right.cell_len >= width:
        return fit(right, width)
    room = width - right.cell_len - 1
    out = fit(left, room) if left.cell_len > room else left.copy()
    out.append(" " * (width - out.cell_len - right.cell_len))
    out.append_text(right)
    return out


def wrap_items(items: Sequence[Text], width: int, sep: str, indent: str = "") -> list[Text]:
    """Pack items into lines ``width`` wide, separated by ``sep``; an item never splits."""
    out: list[Text] = []
    current = Text()
    for item in items:
        piece = item if item.cell_len <= width - len(indent) else fit(item, width - len(indent))
        if current.cell_len and current.cell_len + len(sep) + piece.cell_len > width:
            out.append(current)
            current = Text(indent)
        if current.plain.strip():
            current.append(sep)
        current.append_text(piece)
    if current.plain.strip():
        out.append(current)
    return out


def wrap_plain(value: str, width: int, style: str = "", limit: int = 2000) -> list[Text]:
    """External prose (a recording's note, an error) cleaned and word-wrapped to ``width``."""
    return [Text(line, style=style) for line in textwrap.wrap(plain(value, limit), max(10, width))]


@dataclass(slots=True)
class Column:
    """One table column. Lower ``priority`` numbers survive narrow widths longer."""

    header: str
    cells: list[Text]
    align: str = "left"
    priority: int = 0
    min_width: int = 1
    max_width: int = 40
    header_style: str = ""
    width: int = field(default=0)

    def natural(self) -> int:
        """Width that shows every cell and the header, within the column's bounds."""
        widest = max([len(self.header), *(c.cell_len for c in self.cells)])
        return max(self.min_width, min(self.max_width, widest))


def table_width(columns: Sequence[Column], gap: int = 1) -> int:
    """Cells of a row of ``columns`` at their set widths."""
    return sum(c.width for c in columns) + gap * max(0, len(columns) - 1)


def kept_columns(columns: Sequence[Column], width: int, gap: int = 1) -> list[Column]:
    """The columns :func:`table` keeps at ``width`` (each set to its natural width): the least
    important (highest ``priority``) go first; priority 0 columns are never dropped."""
    kept = list(columns)
    for col in kept:
        col.width = col.natural()
    while len(kept) > 1 and table_width(kept, gap) > width:
        worst = max(kept, key=lambda c: (c.priority, kept.index(c)))
        if worst.priority == 0:
            break
        kept.remove(worst)
    return kept


def table(columns: Sequence[Column], width: int, gap: int = 1, header: bool = True) -> list[Text]:
    """Rows of a table ``width`` wide, dropping the least important columns that do not fit.

    Columns keep their natural width; when even the essential ones are too wide, the last
    kept column is cut to fit.
    """
    kept = kept_columns(columns, width, gap)
    overflow = table_width(kept, gap) - width
    if overflow > 0 and kept:
        last = kept[-1]
        last.width = max(1, last.width - overflow)
    rows = max((len(c.cells) for c in kept), default=0)
    out: list[Text] = []
    spacer = " " * gap
    if header:
        out.append(join([fit(Text(c.header, style=c.header_style), c.width, c.align) for c in kept], spacer))
    for i in range(rows):
        cells = [fit(c.cells[i] if i < len(c.cells) else Text(), c.width, c.align) for c in kept]
        out.append(join(cells, spacer) if cells else Text())
    return out
