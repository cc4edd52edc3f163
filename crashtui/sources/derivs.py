"""Checks and conversions shared by the derivatives-positioning parsers (OI, taker volume,
long/short account ratios, funding history) of every venue.

The sanity gate (:mod:`crashtui.ingest.rules`) knows nothing of these models, so the parsers hold
them to plausible values here: one impossible row rejects the payload with a one-line
:class:`~crashtui.errors.ParseError`, like the gate does for prices.

* Timestamps must be epoch **milliseconds** between 2009 and 2100: a value in seconds
  (``1583127900``) is a ParseError, not a date in 1970. A row stamped more than
  :data:`FUTURE_SLACK_MS` after the payload was received is one too.
* Open interest and volumes are finite, not negative and below a ceiling no market has come
  near (:data:`MAX_USD`, :data:`MAX_BASE`); account shares lie in 0..1.
* Funding is normalised to 8 h: ``rate × 8 h / interval``, within ±:data:`MAX_FUNDING_8H`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from crashtui.errors import ParseError
from crashtui.model import FUNDING_8H_MS, FundingPoint
from crashtui.sources.common import num
from crashtui.sources.rows import each_row

MINUTE_MS = 60_000
HOUR_MS = 3_600_000
DAY_MS = 86_400_000

MIN_TS_MS = 1_230_768_000_000  # 2009-01-01: nothing here is older than Bitcoin
MAX_TS_MS = 4_102_444_800_000  # 2100-01-01
FUTURE_SLACK_MS = HOUR_MS
MAX_USD = 1e13  # US$10 trillion of open interest in one symbol on one venue
MAX_BASE = 1e16  # coins: above the whole supply of PEPE or SHIB
SHARE_SUM_MAX = 1.02  # long + short account shares: about 1, rounding aside
MAX_RATIO = 1e6  # accounts long per account short
MAX_FUNDING_8H = 1.0  # 100% per 8 h: the sanity gate's bound for funding snapshots too

MIN_FUNDING_INTERVAL_MS = HOUR_MS
MAX_FUNDING_INTERVAL_MS = FUNDING_8H_MS

_DIGITS = re.compile(r"[0-9]{1,16}")


def ts_ms(value: Any, what: str, *, received_ms: int | None = None) -> int:
    """An epoch-ms timestamp from a JSON int or digit string, checked for unit and range."""
    kind = type(value)
    if kind is int:
        out = int(value)
    elif kind is str and _DIGITS.fullmatch(value.strip()):
        out = int(value.strip())
    elif kind is float and value.is_integer() and abs(value) < 1e16:
        out = int(value)
    else:
        raise ParseError(f"{what}: expected an epoch-ms timestamp, got {str(value)[:40]!r}")
    if 0 < out < MIN_TS_MS and out * 1000 >= MIN_TS_MS:
        raise ParseError(f"{what}: {out} looks like seconds, not milliseconds")
    if not MIN_TS_MS <= out <= MAX_TS_MS:
        raise ParseError(f"{what}: {out} is not a plausible epoch-ms timestamp")
    if received_ms is not None and out > received_ms + FUTURE_SLACK_MS:
        ahead_h = (out - received_ms) / HOUR_MS
        raise ParseError(f"{what}: {out} is {ahead_h:.1f} h after the payload was received")
    return out


def amount(value: Any, what: str, *, ceiling: float) -> float:
    """A finite, non-negative number no larger than ``ceiling``."""
    out = num(value, what)
    if out < 0:
        raise ParseError(f"{what}: {out:g} is negative")
    if out > ceiling:
        raise ParseError(f"{what}: {out:g} is above the {ceiling:g} sanity ceiling")
    return out


def opt_amount(value: Any, what: str, *, ceiling: float) -> float | None:
    """Like :func:`amount`, but None, ``""`` mean missing."""
    if value is None or value == "":
        return None
    return amount(value, what, ceiling=ceiling)


def shares(long_value: Any, short_value: Any, what: str) -> tuple[float, float]:
    """Long and short account shares, each in 0..1 and together about 1 at most."""
    long_share = amount(long_value, f"{what} long share", ceiling=1.0)
    short_share = amount(short_value, f"{what} short share", ceiling=1.0)
    total = long_share + short_share
    if not 0 < total <= SHARE_SUM_MAX:
        raise ParseError(f"{what}: long {long_share:g} + short {short_share:g} is not a split of accounts")
    return long_share, short_share


def shares_from_ratio(value: Any, what: str) -> tuple[float, float]:
    """Long and short shares from ``r`` = accounts long per account short."""
    ratio = amount(value, what, ceiling=MAX_RATIO)
    return ratio / (1.0 + ratio), 1.0 / (1.0 + ratio)


def rate_8h(rate: float, interval_ms: int, what: str) -> float:
    """A per-interval funding rate as a fraction per 8 h, checked against the sanity bound."""
    out = rate * FUNDING_8H_MS / interval_ms
    if not -MAX_FUNDING_8H <= out <= MAX_FUNDING_8H:
        raise ParseError(f"{what}: {out:g} per 8 h is outside ±{MAX_FUNDING_8H:g}")
    return out


def param_period(raw_params: Mapping[str, str], table: Mapping[str, int], what: str) -> int:
    """The sampling period recorded with a payload (``period`` param, in the venue's spelling)."""
    text = raw_params.get("period")
    if text is None:
        raise ParseError(f"{what}: payload lacks the 'period' parameter")
    out = table.get(text)
    if out is None:
        raise ParseError(f"{what}: unknown period {text[:20]!r}")
    return out


class _Timed(Protocol):
    @property
    def ts_ms(self) -> int: ...


TimedT = TypeVar("TimedT", bound=_Timed)


def by_time(items: Iterable[TimedT]) -> tuple[TimedT, ...]:
    """``items`` oldest first with one item per timestamp (the first listed wins).

    Venues list newest first (Bybit, OKX, Binance's taker rows in the doc) or oldest first;
    OKX's documented sample repeats a timestamp with a different value.
    """
    seen: dict[int, TimedT] = {}
    for item in items:
        seen.setdefault(item.ts_ms, item)
    return tuple(seen[ts] for ts in sorted(seen))


def _round_interval(delta_ms: int) -> int:
    hours = round(delta_ms / HOUR_MS)
    return min(max(hours * HOUR_MS, MIN_FUNDING_INTERVAL_MS), MAX_FUNDING_INTERVAL_MS)


def funding_intervals(times_ms: Sequence[int], default_ms: int) -> list[int]:
    """The funding interval each settlement paid for, from ascending settlement times.

    A settlement at ``t[i]`` pays for the time since the previous one, so its interval is
    ``t[i] − t[i−1]`` rounded to whole hours (settlements land a few ms, or on Hyperliquid
    once 24 minutes, off the hour) and kept within 1..8 h. A spacing clearly longer than both
    neighbouring spacings is a **missing row**, not a longer interval: it takes the longer
    neighbour's spacing (an hourly series missing 20:00 still has 1 h at 21:00, and the last
    8-hourly row before Hyperliquid's 2023 switch to hourly keeps its 8 h). The first row
    takes the next spacing; a lone row gets ``default_ms``.
    """
    n = len(times_ms)
    if n < 2:
        return [default_ms] * n
    gaps = [times_ms[i] - times_ms[i - 1] for i in range(1, n)]
    out = []
    for i in range(n):
        own = gaps[max(i - 1, 0)]  # the first row has no previous one: the next spacing stands in
        around = (i - 2, i) if i > 0 else (1,)
        neighbours = [gaps[j] for j in around if 0 <= j < len(gaps)]
        if neighbours and _round_interval(own) > 1.5 * _round_interval(max(neighbours)):
            own = max(neighbours)
        out.append(_round_interval(own))
    return out


@dataclass(frozen=True, slots=True)
class Settlement:
    """One funding settlement as the venue lists it: time and the rate for its own interval."""

    ts_ms: int
    rate: float


def funding_points(
    settlements: Iterable[Settlement], *, venue: str, symbol: str, default_ms: int, what: str
) -> tuple[FundingPoint, ...]:
    """FundingPoints, oldest first, each normalised to 8 h with the interval its spacing shows.

    ``default_ms`` is the interval of a lone settlement (nothing to measure it against).
    """
    rows = by_time(settlements)
    intervals = funding_intervals([r.ts_ms for r in rows], default_ms)
    return tuple(
        each_row(
            zip(rows, intervals, strict=True),
            lambda pair: FundingPoint(
                venue=venue,
                symbol=symbol,
                ts_ms=pair[0].ts_ms,
                rate_8h=rate_8h(pair[0].rate, pair[1], what),
                interval_ms=pair[1],
            ),
            "funding",
        )
    )
