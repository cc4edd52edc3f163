"""Small numeric helpers: median, Pearson correlation, clamping, price formatting."""

from __future__ import annotations

import math
from collections.abc import Sequence


def clamp(value: float, low: float, high: float) -> float:
    """``value`` limited to ``[low, high]``."""
    return low if value < low else high if value > high else value


def median(values: Sequence[float]) -> float | None:
    """Median of ``values`` (mean of the middle two for an even count); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    if len(ordered) % 2:
        return float(ordered[mid])
    return (ordered[mid - 1] + ordered[mid]) / 2.0


def pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson correlation of two equal-length series; None when undefined (n < 2 or no variance)."""
    n = len(xs)
    if n != len(ys) or n < 2:
        return None
    mx = sum(xs) / n
    my = sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0.0 or syy <= 0.0:
        return None
    return clamp(sxy / math.sqrt(sxx * syy), -1.0, 1.0)


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
