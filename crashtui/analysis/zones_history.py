"""Longer history for zones: weekly and monthly candles built from daily ones.

A week runs Monday 00:00 UTC to the next Monday; a month is the calendar month (UTC). Each
period's candle opens at its first daily candle's open time and takes the highest high, the
lowest low, the last daily close and the summed volume (summed as numpy's ``add.reduceat``
did, see :func:`~crashtui.analysis.pairwise.segment_sum`). A period with a missing
day still makes a candle (its range is what was seen). The newest period is usually still
forming; pivots never come from the last candles of a series (see ``fractal_pivots``).
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Iterable

from crashtui.analysis.days import DAY_MS
from crashtui.analysis.indicators import CandleArrays
from crashtui.analysis.pairwise import segment_sum

WEEK = "1w"
MONTH = "1M"
# Swing pivots on weekly candles: the extreme of 5 weeks; on monthly ones, of 3 months.
HISTORY_SPANS = {WEEK: 2, MONTH: 1}
# How much a weekly or monthly pivot weighs as a touch (a daily one weighs 1.0).
HISTORY_WEIGHTS = {WEEK: 1.3, MONTH: 1.6}
# Touches decay with age (× exp(−age / 90 days)); longer timeframes decay slower, by this factor.
HISTORY_DECAY = {WEEK: 4.0, MONTH: 8.0}

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


def _month_of_day(day: int) -> int:
    """Months since January 1970 of the UTC day ``day`` (days since 1970-01-01)."""
    date = dt.date.fromordinal(day + _EPOCH_ORDINAL)
    return (date.year - 1970) * 12 + date.month - 1


def period_keys(open_ms: Iterable[int], period: str) -> array[int]:
    """The period each daily open time falls in: Monday-based week numbers or months since 1970."""
    days = [int(t) // DAY_MS for t in open_ms]
    if period == WEEK:
        return array("q", [(d + 3) // 7 for d in days])  # 1970-01-01 was a Thursday: day 4 starts week 1
    if period != MONTH:
        raise ValueError(f"unknown period {period!r}")
    return array("q", map(_month_of_day, days))


def resample(daily: CandleArrays, period: str) -> CandleArrays:
    """Weekly (``1w``) or monthly (``1M``) candles from sorted daily candle columns."""
    n = len(daily)
    if n == 0:
        return daily
    keys = period_keys(daily.open_ms, period)
    starts = [0, *(i for i in range(1, n) if keys[i] != keys[i - 1])]
    ends = [*starts[1:], n]
    spans = list(zip(starts, ends, strict=True))
    return CandleArrays(
        open_ms=array("q", (daily.open_ms[s] for s in starts)),
        high=array("d", (max(daily.high[s:e]) for s, e in spans)),
        low=array("d", (min(daily.low[s:e]) for s, e in spans)),
        close=array("d", (daily.close[e - 1] for e in ends)),
        volume=array("d", (segment_sum(daily.volume, s, e) for s, e in spans)),
    )
