"""The time rule of the gate: an item's time must lie in the feed clock's window.

The feed clock is wall time live and the replay clock in replay (a recorded payload carries
the time it was received). An item stamped more than :data:`MAX_AHEAD_MS` after it, or before
:data:`EARLIEST_MS`, is held; so is a live item older than its kind's maximum age (a price
quote hours old is not a current price). History read back from a store skips the age rule.
A time that is a plausible time in another unit (seconds, µs, ns) says so in the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from operator import attrgetter
from typing import Any

from crashtui.analysis.days import us_trading_day_ms
from crashtui.analysis.freshness import TICKER_MAX_AGE_MS
from crashtui.model import (
    BookStats,
    BorrowRate,
    Candle,
    EtfFlow,
    FearGreedReading,
    FundingPoint,
    FundingSnapshot,
    Liquidation,
    LongShortRatio,
    MacroObservation,
    MarketGlobal,
    MarketMovers,
    OpenInterestPoint,
    TakerVolume,
    Ticker,
)
from crashtui.numfmt import fmt_duration

HOUR_MS = 3_600_000
DAY_MS = 86_400_000
# Venue clocks, NTP drift and a recorded payload's own receive stamp: five minutes is far more
# than any of them; a liquidation "from next week" is not drift.
MAX_AHEAD_MS = 5 * 60_000
EARLIEST_MS = 1_230_940_800_000  # 2009-01-03, the first bitcoin block: no crypto datum is older
# Macro series reach back decades (FRED's 3-month bill from 1954): they start in 1900.
EARLIEST_MACRO_MS = -2_208_988_800_000
# How old a live item may be when it arrives (kinds not listed are history and have no limit).
MAX_AGE_MS: dict[type, int] = {
    Ticker: TICKER_MAX_AGE_MS,  # CoinGecko's quote of an illiquid coin can lag an hour or two
    Liquidation: 48 * HOUR_MS,  # the OKX REST backfill reaches 24 h back
    BookStats: HOUR_MS,
    FundingSnapshot: 2 * DAY_MS,
    MarketMovers: HOUR_MS,
    MarketGlobal: DAY_MS,  # CoinGecko refreshes /global every few minutes; a day old is broken
}
# A stamp in another unit, and what turns it into ms.
_UNITS = (("seconds", 1000.0), ("µs", 1e-3), ("ns", 1e-6))


_TIME_FIELD: dict[type, Callable[[Any], Any]] = {
    Candle: attrgetter("open_ms"),
    EtfFlow: attrgetter("day_ms"),
    MacroObservation: attrgetter("day_ms"),
    **{
        kind: attrgetter("ts_ms")
        for kind in (
            Ticker,
            Liquidation,
            FearGreedReading,
            FundingSnapshot,
            BookStats,
            BorrowRate,
            OpenInterestPoint,
            TakerVolume,
            LongShortRatio,
            FundingPoint,
            MarketMovers,
            MarketGlobal,
        )
    },
}


def item_time_ms(item: object) -> int | None:
    """The time an item is stamped with (epoch ms), or None for items without one."""
    field = _TIME_FIELD.get(type(item))
    return None if field is None else field(item)


def time_problem(item: object, now_ms: int, *, history: bool = False) -> str | None:
    """Why ``item``'s time is outside the feed clock's window at ``now_ms``, or None."""
    kind = type(item)
    field = _TIME_FIELD.get(kind)
    if field is None:
        return None
    ts = field(item)
    if type(ts) is not int:
        return f"timestamp {ts!r} is not an integer of epoch ms"
    if kind is EtfFlow:
        return _etf_day_problem(item, now_ms)  # type: ignore[arg-type]
    earliest = EARLIEST_MACRO_MS if kind is MacroObservation else EARLIEST_MS
    if ts > now_ms + MAX_AHEAD_MS or ts < earliest:
        return _out_of_window(ts, now_ms)
    limit = None if history else MAX_AGE_MS.get(kind)
    if limit is not None and now_ms - ts > limit:
        return (
            f"timestamp {span(now_ms - ts)} old (a live {type(item).__name__.lower()} may be {span(limit)})"
        )
    return None


def _out_of_window(ts: int, now_ms: int) -> str:
    for unit, to_ms in _UNITS:
        if EARLIEST_MS <= ts * to_ms <= now_ms + MAX_AHEAD_MS:
            return f"timestamp {ts} looks like {unit}, not ms"
    if ts > now_ms:
        return f"timestamp {span(ts - now_ms)} ahead"
    return f"timestamp {span(now_ms - ts)} before the feed clock (before 2009)"


def _etf_day_problem(flow: EtfFlow, now_ms: int) -> str | None:
    """An ETF day after the current US trading day (New York date of the feed clock) is held."""
    today = us_trading_day_ms(now_ms)
    if flow.day_ms > today:
        return f"ETF day {_iso_day(flow.day_ms)} is after the current US trading day {_iso_day(today)}"
    if flow.day_ms < EARLIEST_MS:
        return f"ETF day {flow.day_ms} is before 2009 (a unit slip?)"
    return None


def _iso_day(day_ms: int) -> str:
    try:
        return datetime.fromtimestamp(day_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")
    except (OverflowError, OSError, ValueError):
        return str(day_ms)


def span(ms: float) -> str:
    """A duration for a reason (see :func:`crashtui.numfmt.fmt_duration`)."""
    return fmt_duration(ms)
