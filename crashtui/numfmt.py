"""How a figure is written, once for every place that shows it (panes, --once, alerts, config)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crashtui.model import HeldCount  # the config imports this module: keep the model out


def counted(count: int, noun: str) -> str:
    """``1 alert``, ``2 alerts``, ``1,204 alerts``: a count with its noun in the right number
    (nouns that take a plain ``s``)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def fmt_price(value: float) -> str:
    """A price for a human-readable description: ``60,074``, ``182.4``, ``2.13``, ``0.1523``."""
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:,.1f}"
    if size >= 1:
        return f"{value:,.2f}"
    return f"{value:.4g}"


def fmt_usd(value: float) -> str:
    """A USD amount, compact: ``$2.67B``, ``$412M``, ``$38.5K``, ``$950``."""
    size = abs(value)
    sign = "-" if value < 0 else ""
    if size >= 1e9:
        return f"{sign}${size / 1e9:.2f}B"
    if size >= 1e6:
        return f"{sign}${size / 1e6:.1f}M"
    if size >= 1e3:
        return f"{sign}${size / 1e3:.1f}K"
    return f"{sign}${size:.0f}"


def fmt_ratio(value: float) -> str:
    """A multiple (spread over its baseline, liquidations over their median): ``0.72``, ``1.32``,
    ``15.5``, ``120``; the same digits in every pane, drilldown and alert."""
    size = abs(value)
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def held_summary(held: Sequence[HeldCount]) -> str:
    """What the gate held back from one source, on one line: ``3 held: timestamp 74 years
    ahead`` (the most frequent reason; ``+2 more reasons`` when there are others)."""
    if not held:
        return ""
    total = sum(h.count for h in held)
    top = max(held, key=lambda h: (h.count, h.last_ms))
    more = f" (+{len(held) - 1} more reason{'s' if len(held) > 2 else ''})" if len(held) > 1 else ""
    return f"{total} held: {top.reason}{more}"


def fmt_duration(ms: float) -> str:
    """A duration for a reason or an age: ``40 s``, ``12 min``, ``5 h``, ``3 days``, ``74 years``."""
    if not math.isfinite(ms):
        return "an unbounded time"
    seconds = abs(ms) / 1000
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        return f"{seconds / 60:.0f} min"
    if seconds < 2 * 86400:
        return f"{seconds / 3600:.0f} h"
    if seconds < 2 * 365 * 86400:
        return f"{seconds / 86400:.0f} days"
    return f"{seconds / (365.25 * 86400):.0f} years"
