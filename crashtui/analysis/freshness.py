"""How current a series is: its newest point's age against the series' interval.

One rule for candles and every other series with a cadence (DATA-TRUST.md, "Freshness"):

* ``fresh``: the newest point is at most one interval old (for candles: the newest candle closed
  at most one interval ago, or is still forming);
* ``late``: one missed point: older than one interval, at most :data:`STALE_AFTER_INTERVALS`;
* ``stale``: older than that. A stale series is history, never "current": a 1h series whose
  newest candle closed 3 h ago is stale, and so are daily candles two years old.

A point stamped after ``now_ms`` (a forming candle's close) has age 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crashtui.model import Candle, Interval
from crashtui.numfmt import fmt_duration

DAY_MS = 86_400_000
# Intervals of the series that are not candles: a crypto index prints every day; a US
# trading-day series (FRED closes, Yahoo quotes, CNN's index) has Friday's print as its newest
# until Monday's, so its interval spans a weekend (a holiday makes it late, not stale).
DAILY_MS = DAY_MS
TRADING_DAILY_MS = 3 * DAY_MS
WEEKLY_MS = 7 * DAY_MS

# A ticker is a live quote: at most this old it stands for the current price (the gate admits
# no older one, ingest/timing.py); older, it is history (analysis/price.py).
TICKER_MAX_AGE_MS = 6 * 3_600_000

FRESH = "fresh"
LATE = "late"
STALE = "stale"
STALE_AFTER_INTERVALS = 2


@dataclass(frozen=True, slots=True)
class Freshness:
    """The verdict on one series at one moment (``age_ms`` ≥ 0)."""

    state: str
    age_ms: int
    interval_ms: int

    @property
    def stale(self) -> bool:
        """Whether the series is too old to pass as current."""
        return self.state == STALE


def freshness(newest_ms: int, interval_ms: int, now_ms: int) -> Freshness:
    """``fresh``, ``late`` or ``stale`` for a series whose newest point is at ``newest_ms`` and
    which gets a point every ``interval_ms`` (see the module docstring). Never raises."""
    interval = max(1, int(interval_ms))
    age = max(0, int(now_ms) - int(newest_ms))
    if age <= interval:
        state = FRESH
    elif age <= STALE_AFTER_INTERVALS * interval:
        state = LATE
    else:
        state = STALE
    return Freshness(state, age, interval)


def candle_freshness(candles: Sequence[Candle], interval: Interval, now_ms: int) -> Freshness | None:
    """The freshness of a candle series (oldest first) from its newest candle's close; None
    when there are no candles."""
    if not candles:
        return None
    newest = max(c.open_ms for c in candles[-3:])
    return freshness(newest + interval.ms, interval.ms, now_ms)


def day_freshness(day_ms: int, interval_ms: int, now_ms: int) -> Freshness:
    """The freshness of a series whose newest point covers the day starting at ``day_ms``
    (it is complete at the end of that day)."""
    return freshness(day_ms + DAY_MS, interval_ms, now_ms)


def age_text(ms: int) -> str:
    """``40 s``, ``12 min``, ``5 h``, ``3 days``, ``2 years`` (:func:`crashtui.numfmt.fmt_duration`)."""
    return fmt_duration(ms)


def describe(f: Freshness, what: str) -> str:
    """``stale: the newest 1h candle closed 3 h ago`` (``what`` names the point)."""
    if f.age_ms == 0:
        return f"{f.state}: {what} is current"
    return f"{f.state}: {what} {age_text(f.age_ms)} ago"
