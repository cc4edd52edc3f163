"""Order-book baselines: median spread and depth over the last 12 hours."""

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
    median_spread_bps: float
    median_depth_usd: float
    readings: int

    @property
    def depth_usd(self) -> float:
        """Bid plus ask depth within ±1 % of mid, now."""
        return self.last.bid_depth_usd + self.last.ask_depth_usd

    @property
    def spread_ratio(self) -> float | None:
        """Spread now over its 12 h median."""
        return self.last.spread_bps / self.median_spread_bps if self.median_spread_bps > 0 else None

    @property
    def depth_ratio(self) -> float | None:
        """Depth now over its 12 h median."""
        return self.depth_usd / self.median_depth_usd if self.median_depth_usd > 0 else None


def baseline(history: Sequence[BookStats], now_ms: int) -> BookBaseline | None:
    """The baseline of a symbol's book readings (None without readings)."""
    if not history:
        return None
    last = history[-1]
    window = [b for b in history if now_ms - BASELINE_MS <= b.ts_ms <= now_ms] or [last]
    return BookBaseline(
        last=last,
        median_spread_bps=statistics.median(b.spread_bps for b in window),
        median_depth_usd=statistics.median(b.bid_depth_usd + b.ask_depth_usd for b in window),
        readings=len(window),
    )
