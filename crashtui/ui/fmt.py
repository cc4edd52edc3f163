"""Short, fixed-width number and time formats for the panes (no textual, no IO)."""

from __future__ import annotations

import math
from datetime import datetime, timezone

from crashtui.numfmt import fmt_price, fmt_usd

__all__ = ["fmt_age", "fmt_clock", "fmt_day", "fmt_flow", "fmt_pct", "fmt_price", "fmt_short", "fmt_usd"]


def fmt_age(age_ms: int | None) -> str:
    """A coarse age: ``now`` under 5 s, then ``12s``, ``3m``, ``2h``, ``4d`` (``?`` when unknown).

    Coarse on purpose: the text only changes when the unit's count changes, so an idle
    dashboard does not redraw a ticking label every second.
    """
    if age_ms is None:
        return "?"
    seconds = max(0, age_ms) // 1000
    if seconds < 5:
        return "now"
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 172_800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86_400}d"


def fmt_pct(value: float | None, digits: int = 1, sign: bool = True) -> str:
    """``-11.8%`` (``n/a`` for None or NaN)."""
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{value:+.{digits}f}%" if sign else f"{value:.{digits}f}%"


def fmt_short(value: float) -> str:
    """A price in at most 6 characters: ``61.9k``, ``1,771``, ``79.4``, ``0.1523``."""
    size = abs(value)
    if size >= 1e6:
        return f"{value / 1e6:.1f}M"
    if size >= 1e4:
        return f"{value / 1e3:.1f}k"
    return fmt_price(value)


def fmt_flow(value_usd_m: float | None) -> str:
    """An ETF flow in US$ millions with its sign: ``-434.1``, ``+12.0`` (``n/p`` when unpublished)."""
    if value_usd_m is None:
        return "n/p"
    if abs(value_usd_m) >= 1000:
        return f"{value_usd_m:+,.0f}"
    return f"{value_usd_m:+,.1f}"


def fmt_clock(ts_ms: int) -> str:
    """``14:05Z`` (UTC)."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%H:%MZ")


def fmt_day(ts_ms: int) -> str:
    """``02-06`` (UTC month-day)."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%m-%d")


def fmt_stamp(ts_ms: int) -> str:
    """``2026-02-06 14:05Z`` (UTC)."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%MZ")
