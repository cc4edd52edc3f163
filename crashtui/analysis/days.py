"""Calendar arithmetic on epoch-ms timestamps (UTC), shared by the analysis modules."""

from __future__ import annotations

from datetime import datetime, timezone

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000


def day_start(ts_ms: int) -> int:
    """00:00 UTC of the day containing ``ts_ms``, in epoch ms."""
    return ts_ms - ts_ms % DAY_MS


def weekday(ts_ms: int) -> int:
    """Day of the week of ``ts_ms`` in UTC, Monday = 0 … Sunday = 6 (1970-01-01 was a Thursday)."""
    return (ts_ms // DAY_MS + 3) % 7


def week_monday(ts_ms: int) -> int:
    """00:00 UTC of the Monday starting the week that contains ``ts_ms``."""
    return day_start(ts_ms) - weekday(ts_ms) * DAY_MS


def iso_day(ts_ms: int) -> str:
    """``YYYY-MM-DD`` (UTC) for a timestamp."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def iso_minute(ts_ms: int) -> str:
    """``YYYY-MM-DD HH:MMZ`` (UTC) for a timestamp."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%MZ")


def _nth_sunday_ms(year: int, month: int, n: int) -> int:
    """00:00 UTC of the ``n``-th Sunday of ``month``."""
    first = int(datetime(year, month, 1, tzinfo=timezone.utc).timestamp() * 1000)
    return first + ((6 - weekday(first)) % 7) * DAY_MS + (n - 1) * 7 * DAY_MS


def new_york_offset_ms(ts_ms: int) -> int:
    """America/New_York's UTC offset at ``ts_ms``: EDT (-4 h) from the second Sunday of March
    02:00 EST to the first Sunday of November 02:00 EDT, else EST (-5 h) (the US rule since
    2007; written out so no tz database is needed)."""
    year = datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).year
    dst_start = _nth_sunday_ms(year, 3, 2) + 7 * HOUR_MS  # 02:00 EST
    dst_end = _nth_sunday_ms(year, 11, 1) + 6 * HOUR_MS  # 02:00 EDT
    return -4 * HOUR_MS if dst_start <= ts_ms < dst_end else -5 * HOUR_MS


def us_trading_day_ms(now_ms: int) -> int:
    """The current US trading day: the New York calendar date at ``now_ms``, as 00:00 UTC of
    that date (how ETF days are stamped)."""
    return day_start(now_ms + new_york_offset_ms(now_ms))


def us_week_monday(now_ms: int) -> int:
    """The Monday (00:00 UTC of its date) of the current US week at ``now_ms``."""
    return week_monday(us_trading_day_ms(now_ms))
