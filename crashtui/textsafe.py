"""Make external text safe to show in a terminal: no escape sequences, no control characters.

Symbols, exchange messages and error strings come from the network. Printed raw, an OSC 52
sequence could write the user's clipboard and a CSI sequence could redraw the screen; in the
UI a ``[`` could be read as markup. :func:`plain` handles the terminal side (the UI also
renders such text with markup disabled).
"""

from __future__ import annotations

import re
import unicodedata

_ESCAPES = re.compile(
    r"\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?"  # OSC ... BEL/ST (e.g. OSC 52 clipboard writes)
    r"|\x1b[P^_X][^\x1b]*(?:\x1b\\)?"  # DCS/PM/APC/SOS strings
    r"|\x1b\[[0-?]*[ -/]*[@-~]"  # CSI sequences
    r"|\x1b[@-Z\\-_]"  # other two-byte escapes
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x9d[^\x07\x9c]*(?:\x07|\x9c)?"  # 8-bit OSC
)


def plain(text: str, limit: int | None = None) -> str:
    """One line of printable text: escape sequences removed, control characters replaced."""
    cleaned = _ESCAPES.sub("", text)
    out = []
    for ch in cleaned:
        category = unicodedata.category(ch)
        if category in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co"):
            out.append(" " if ch in "\t\n\r\u2028\u2029" else "")
        else:
            out.append(ch)
    result = " ".join("".join(out).split())
    if limit is not None and len(result) > limit:
        result = result[: max(0, limit - 1)] + "…"
    return result
