"""What the builder reconstructs, before it is rendered as provider payloads."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

STEP_MS = 300_000  # 5-minute intraday resolution
STEPS_PER_DAY = 288
DAY_MS = 86_400_000
HOUR_MS = 3_600_000

# (ts_ms, venue, symbol, liquidated side "LONG"/"SHORT", bankruptcy price, quantity)
Order = tuple[int, str, str, str, float, float]


def day_ms(d: date) -> int:
    """00:00 UTC of ``d`` in epoch ms."""
    return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1000)


def ms_day(ts_ms: int) -> date:
    """The UTC calendar day holding ``ts_ms``."""
    return datetime.fromtimestamp(ts_ms / 1000, tz=timezone.utc).date()


def days(first: date, last: date) -> Iterator[date]:
    """Each date from first to last inclusive."""
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


def read_csv(path: Path) -> list[dict[str, str]]:
    """Rows of a CSV file with a header line."""
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@dataclass(frozen=True)
class DayBar:
    """One daily OHLC(V) bar; ``real`` tells whether it comes from a dataset."""

    day: date
    open: float
    high: float
    low: float
    close: float
    volume_usd: float
    real: bool


@dataclass
class Market:
    """Everything reconstructed, ready to be encoded into provider payloads.

    A payload family reads what it needs from here; a series no dataset holds stays empty
    and its family emits nothing.
    """

    daily: dict[str, list[DayBar]] = field(default_factory=dict)
    # 5-minute price path per symbol: (ts_ms, price) at each step boundary.
    path: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    liquidations: list[Order] = field(default_factory=list)
    # ETF flows per asset: (day, {fund: US$m}) with per-fund figures, or (day, {"TOTAL": US$m}).
    etf: dict[str, list[tuple[date, dict[str, float]]]] = field(default_factory=dict)
    fear_crypto: list[tuple[date, int, str]] = field(default_factory=list)
    fear_stocks: list[tuple[date, float, str]] = field(default_factory=list)
    # FRED series id -> (observation day, value) in time order
    macro: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    claims: list[tuple[date, int, date]] = field(default_factory=list)
    funding: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    open_interest: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    spread_bps: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    depth_usd: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    borrow_apy: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    # Positioning at 5-minute marks (``positioning.py``), from before the window to its end:
    # (venue, symbol) -> open interest in coins (one side) and funding per 8 h; symbol -> taker
    # buy share of the 5 minutes starting at each mark, and the share of accounts net long.
    oi_coins: dict[tuple[str, str], list[tuple[int, float]]] = field(default_factory=dict)
    venue_funding: dict[tuple[str, str], list[tuple[int, float]]] = field(default_factory=dict)
    taker_buy_share: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    long_account: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
