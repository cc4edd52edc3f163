"""Sparklines and bars as one-line strings (Unicode blocks or ASCII levels)."""

from __future__ import annotations

import math
from collections.abc import Sequence


def resample(values: Sequence[float], width: int) -> list[float]:
    """At most ``width`` values: the last value of each equal slice (keeps the latest point exact)."""
    if width <= 0:
        return []
    if len(values) <= width:
        return list(values)
    out = []
    for i in range(width):
        end = math.ceil((i + 1) * len(values) / width) - 1
        out.append(values[end])
    return out


def sparkline(values: Sequence[float], width: int, levels: str) -> str:
    """``values`` scaled between their min and max onto ``levels`` (low → high), ``width`` wide at most."""
    points = list(resample([v for v in values if math.isfinite(v)], width))
    if not points:
        return ""
    low, high = min(points), max(points)
    top = len(levels) - 1
    if high == low:
        return levels[top // 2] * len(points)
    return "".join(levels[round((v - low) / (high - low) * top)] for v in points)


def magnitude_bars(values: Sequence[float | None], levels: str, gap: str) -> str:
    """One glyph per value scaled by ``|value|`` against the largest magnitude; None → ``gap``."""
    sizes = [abs(v) for v in values if v is not None and math.isfinite(v)]
    biggest = max(sizes, default=0.0)
    out = []
    top = len(levels) - 1
    for v in values:
        if v is None or not math.isfinite(v):
            out.append(gap)
        elif biggest == 0.0:
            out.append(levels[0])
        else:
            out.append(levels[max(0, round(abs(v) / biggest * top))])
    return "".join(out)


def signed_bars(values: Sequence[float | None], up: str, down: str, gap: str) -> tuple[str, str]:
    """Two rows either side of a zero line, one column per value: a positive value rises above
    it (``up``: levels growing from the bottom of the upper row), a negative one hangs below it
    (``down``: levels growing from the top of the lower row), scaled by ``|value|`` against the
    largest magnitude; None → ``gap`` above and a blank below. Direction reads from the row, so
    without colour (NO_COLOR) or in ASCII an outflow never looks like an inflow.
    """
    sizes = [abs(v) for v in values if v is not None and math.isfinite(v)]
    biggest = max(sizes, default=0.0)
    above, below = [], []
    for v in values:
        if v is None or not math.isfinite(v):
            above.append(gap)
            below.append(" ")
            continue
        levels = up if v >= 0 else down
        level = levels[max(0, round(abs(v) / biggest * (len(levels) - 1)))] if biggest else levels[0]
        above.append(level if v >= 0 else " ")
        below.append(level if v < 0 else " ")
    return "".join(above), "".join(below)


def meter(fraction: float, width: int, full: str, empty: str) -> str:
    """A horizontal meter ``width`` wide filled to ``fraction`` (0–1)."""
    filled = round(max(0.0, min(1.0, fraction)) * width)
    return full * filled + empty * (width - filled)
