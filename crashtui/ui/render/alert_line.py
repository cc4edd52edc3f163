"""The alert line: one row above the status bar with the alert that waits, in its severity's colour.

It takes the place toasts had over the panes: it covers no data (the panes give up one row
while an alert waits) and says how to dismiss (``d``) or snooze (``z``) it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from crashtui.textsafe import plain
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.palette import Palette
from crashtui.ui.render.common import fit

if TYPE_CHECKING:
    from crashtui.alerts import Alert

MIN_MESSAGE = 40  # cells of the message before the rule's name or the key words give way
SEVERITY_WORDS = {"critical": ("CRITICAL", "CRIT"), "warning": ("WARNING", "WARN"), "info": ("INFO", "INFO")}


def severity_style(severity: str, palette: Palette) -> str:
    """The lead's style: critical in reverse error colour, warning bold, info in the accent."""
    if severity == "critical":
        return f"bold reverse {palette.error}"
    if severity == "warning":
        return f"bold {palette.warning}"
    return f"bold {palette.accent}"


def build_alert_line(alert: Alert, others: int, palette: Palette, glyphs: Glyphs, width: int) -> Text:
    """``CRITICAL 13:43Z liquidation cascade · message…  +2 more  d dismiss z snooze`` for
    ``width`` columns; the message is cut first, then the key words, never the severity."""
    upper = plain(alert.severity.upper(), 10)
    long_word, short_word = SEVERITY_WORDS.get(alert.severity, (upper, upper))
    at = f"{alert.at[11:16]}Z"
    rule = plain(alert.rule, 40)
    message = plain(alert.message, 300)
    more = f"+{others} more" if others else ""
    tails = [
        f"{more}  d dismiss  z snooze".strip(),
        f"{more}  d/z".strip(),
        more,
    ]
    leads = [(long_word, f"{at} {rule} {glyphs.sep} "), (short_word, f"{at} "), (short_word, "")]
    style = severity_style(alert.severity, palette)
    # Most detail first; the rule's name gives way before the keys, the keys before the message.
    order = [(0, 0), (1, 0), (0, 1), (1, 1), (2, 1), (2, 2)]
    for n, (i, j) in enumerate(order):
        (word, rest), tail = leads[i], tails[j]
        lead = Text.assemble((f" {word} ", style), (f" {rest}", "bold"))
        room = width - lead.cell_len - (len(tail) + 2 if tail else 0)
        if room < MIN_MESSAGE and n < len(order) - 1:
            continue
        out = lead
        out.append_text(Text(message) if len(message) <= room else _cut(message, room, glyphs))
        if tail:
            out.append(" " * max(2, width - out.cell_len - len(tail)))
            out.append(tail, style=palette.muted)
        return fit(out, width)
    return fit(Text(message), width)  # pragma: no cover - the loop always returns


def _cut(text: str, width: int, glyphs: Glyphs) -> Text:
    """``text`` cut to ``width`` cells with the glyph set's ellipsis."""
    if width <= len(glyphs.ellipsis):
        return Text(text[: max(0, width)])
    return Text(text[: width - len(glyphs.ellipsis)] + glyphs.ellipsis)
