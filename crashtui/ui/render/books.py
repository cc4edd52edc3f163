"""Order-book baselines: the spread against the crash gauge's own baseline (the same venue's
7-day median of 10-minute readings, :func:`crashtui.analysis.stress.spread`, so the Macro
screen, the symbol screen and the gauge show one figure), and depth over the last 12 hours."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from crashtui.model import BookStats

BASELINE_MS = 12 * 3_600_000


@dataclass(frozen=True, slots=True)
class BookBaseline:
    """The latest reading against the median of the readings in the last 12 hours."""

    last: BookStats
    median_spread_bps: float | None
    median_depth_usd: float
    readings: int
    spread_ratio: float | None = None
    """Spread now over the 7-day median (the gauge's ``spread`` component); None without one."""
    spread_note: str = ""
    """Why there is no spread ratio (too few earlier readings, a stale book)."""

    @property
    def depth_usd(self) -> float:
        """Bid plus ask depth within ±1 % of mid, now."""
        return self.last.bid_depth_usd + self.last.ask_depth_usd

    @property
    def depth_ratio(self) -> float | None:
        """Depth now over its 12 h median."""
        return self.depth_usd / self.median_depth_usd if self.median_depth_usd > 0 else None


def baseline(history: Sequence[BookStats], now_ms: int) -> BookBaseline | None:
    """The baseline of a symbol's book readings (None without readings)."""
    if not history:
        return None
    from crashtui.analysis.gauge import MissingInput, StressInput
    from crashtui.analysis.stress import spread

    last = history[-1]
    window = [b for b in history if now_ms - BASELINE_MS <= b.ts_ms <= now_ms] or [last]
    gauge = spread(history, now_ms)
    ratio = gauge.raw if isinstance(gauge, StressInput) else None
    return BookBaseline(
        last=last,
        median_spread_bps=last.spread_bps / ratio if ratio else None,
        median_depth_usd=statistics.median(b.bid_depth_usd + b.ask_depth_usd for b in window),
        readings=len(window),
        spread_ratio=ratio,
        spread_note=gauge.reason if isinstance(gauge, MissingInput) else "",
    )
