"""Make external text safe to show in a terminal: no escape sequences, no control characters.

Symbols, exchange messages and error strings come from the network. Printed raw, an OSC 52
sequence could write the user's clipboard and a CSI sequence could redraw the screen; in the
UI a ``[`` could be read as markup. :func:`plain` handles the terminal side (the UI also
renders such text with markup disabled). It is the one sanitiser: error messages, status
lines, logs, ``--once`` text, alert hook environments and recording labels all go through it.
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


ERROR_LINE = 160  # the length of a one-line error message in a status line


def plain(text: object, limit: int | None = None, *, secret: str | None = None) -> str:
    """One line of printable text: escape sequences removed, control characters replaced,
    whitespace runs collapsed, ``secret`` (an API key) masked as ``***``, and at most
    ``limit`` characters (cut with "…")."""
    text = str(text)
    if secret:
        text = text.replace(secret, "***")
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
