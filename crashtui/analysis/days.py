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
