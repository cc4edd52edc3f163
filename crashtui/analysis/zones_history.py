"""Longer history for zones: weekly and monthly candles built from daily ones.

A week runs Monday 00:00 UTC to the next Monday; a month is the calendar month (UTC). Each
period's candle opens at its first daily candle's open time and takes the highest high, the
lowest low, the last daily close and the summed volume. A period with a missing
day still makes a candle (its range is what was seen). The newest period is usually still
forming; pivots never come from the last candles of a series (see ``fractal_pivots``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crashtui.analysis.days import DAY_MS
from crashtui.analysis.indicators import CandleArrays

if TYPE_CHECKING:
    from crashtui.analysis.indicators import IntArray

WEEK = "1w"
MONTH = "1M"
# Swing pivots on weekly candles: the extreme of 5 weeks; on monthly ones, of 3 months.
HISTORY_SPANS = {WEEK: 2, MONTH: 1}
# How much a weekly or monthly pivot weighs as a touch (a daily one weighs 1.0).
HISTORY_WEIGHTS = {WEEK: 1.3, MONTH: 1.6}
# Touches decay with age (× exp(−age / 90 days)); longer timeframes decay slower, by this factor.
HISTORY_DECAY = {WEEK: 4.0, MONTH: 8.0}


def period_keys(open_ms: IntArray, period: str) -> IntArray:
    """The period each daily open time falls in: Monday-based week numbers or months since 1970."""
    import numpy as np

    days = open_ms // DAY_MS
    if period == WEEK:
        return (days + 3) // 7  # 1970-01-01 was a Thursday: day 4 (Monday 01-05) starts week 1
    if period != MONTH:
        raise ValueError(f"unknown period {period!r}")
    months: IntArray = open_ms.astype("datetime64[ms]").astype("datetime64[M]").astype(np.int64)
    return months


def resample(daily: CandleArrays, period: str) -> CandleArrays:
    """Weekly (``1w``) or monthly (``1M``) candles from sorted daily candle columns."""
    import numpy as np

    n = len(daily)
    if n == 0:
        return daily
    keys = period_keys(daily.open_ms, period)
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    ends = np.r_[starts[1:], n]
    return CandleArrays(
        open_ms=daily.open_ms[starts],
        high=np.maximum.reduceat(daily.high, starts),
        low=np.minimum.reduceat(daily.low, starts),
        close=daily.close[ends - 1],
        volume=np.add.reduceat(daily.volume, starts),
    )
