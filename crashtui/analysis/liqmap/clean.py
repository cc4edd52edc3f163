"""The liquidation map's inputs as clean columns: usable rows only, sorted, one per timestamp.

Rows are read the way the numpy version read them (``np.fromiter`` into int64 or float64: a
value is taken as ``int(v)`` or ``float(v)``, None as NaN; when that fails for any row, every
row is read leniently, non-numbers becoming unusable), so the same rows are kept and dropped.
Of several rows with one timestamp the last given wins.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate
from operator import add, attrgetter, le
from typing import TypeVar, cast

from crashtui.analysis.columns import sorted_last
from crashtui.analysis.liqmap.inputs import OiPoint, PriceBar, TakerFlow

MIN_TS_MS = 1_000_000_000_000  # 2001-09-09: anything earlier is a timestamp in seconds
MAX_TS_MS = 4_102_444_800_000  # 2100-01-01
MAX_PERIOD_MS = 366 * 86_400_000
_INT64 = (-(2**63), 2**63 - 1)
_NAN = math.nan
_T = TypeVar("_T")


@dataclass(frozen=True, slots=True)
class Bars:
    """Clean price bars as columns, sorted by open time, one per open time."""

    open_ms: list[int]
    end_ms: list[int]
    high: list[float]
    low: list[float]
    close: list[float]
    volume: list[float]
    dropped: int

    @property
    def empty(self) -> bool:
        """Whether no usable bar is left."""
        return len(self.open_ms) == 0


def _int64s(values: list[object]) -> list[int]:
    """``values`` as ``np.fromiter(values, dtype=np.int64)`` took them (``int(v)``), or raises."""
    out = [int(v) for v in values]  # type: ignore[call-overload]
    if out and (min(out) < _INT64[0] or max(out) > _INT64[1]):
        raise OverflowError("beyond int64")
    return out


def _ints(rows: Sequence[object], attr: str, lo: int = MIN_TS_MS, hi: int = MAX_TS_MS) -> list[int]:
    """``row.attr`` as an int; anything that is not a number in ``[lo, hi]`` becomes 0 (dropped
    later: a timestamp is usable when it is at least ``MIN_TS_MS``)."""
    values: list[object] = list(map(attrgetter(attr), rows))
    if set(map(type, values)) <= {int}:
        ints = cast("list[int]", values)
        if not ints or (lo <= min(ints) and max(ints) <= hi):
            return ints  # the common case: every value an int in range
    try:
        out = _int64s(values)
    except (TypeError, ValueError, OverflowError):
        out = [
            int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi else 0
            for v in values
        ]
    if out and (min(out) < lo or max(out) > hi):
        out = [v if lo <= v <= hi else 0 for v in out]
    return out


def _floats(rows: Sequence[object], attr: str) -> list[float]:
    """``row.attr`` as a float; None, non-numbers and overflowing ints become NaN (dropped later)."""
    values: list[object] = list(map(attrgetter(attr), rows))
    if set(map(type, values)) <= {float}:
        return values  # type: ignore[return-value]
    with contextlib.suppress(TypeError, ValueError, OverflowError):
        return [_NAN if v is None else float(v) for v in values]  # type: ignore[arg-type]
    out = [_NAN] * len(values)
    for i, v in enumerate(values):
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            with contextlib.suppress(OverflowError):
                out[i] = float(v)
    return out


def _finite_at_least(values: list[float], floor: float) -> bool:
    """Whether every value is finite and at least ``floor``."""
    return all(map(math.isfinite, values)) and (not values or min(values) >= floor)


def _pick(column: list[_T], keep: list[int] | None) -> list[_T]:
    return column if keep is None else [column[i] for i in keep]


def _bars_all_ok(
    open_ms: list[int], period: list[int], high: list[float], low: list[float], close: list[float]
) -> bool:
    """Whether every bar is usable (a column at a time: the common case)."""
    isf = math.isfinite
    if not open_ms:
        return True
    if min(open_ms) < MIN_TS_MS or min(period) <= 0:
        return False
    if not (all(map(isf, high)) and all(map(isf, low)) and all(map(isf, close))):
        return False
    return min(low) > 0 and all(map(le, low, close)) and all(map(le, close, high))


def clean_bars(bars: Sequence[PriceBar]) -> Bars:
    """Columns of the usable bars: finite, 0 < low ≤ close ≤ high, positive period."""
    open_ms = _ints(bars, "open_ms")
    period = _ints(bars, "period_ms", 1, MAX_PERIOD_MS)
    high, low, close, volume = (_floats(bars, name) for name in ("high", "low", "close", "volume"))
    n = len(open_ms)
    rows = None
    if not _bars_all_ok(open_ms, period, high, low, close):
        isf = math.isfinite
        rows = [
            i
            for i in range(n)
            if open_ms[i] >= MIN_TS_MS
            and period[i] > 0
            and isf(high[i])
            and isf(low[i])
            and isf(close[i])
            and low[i] > 0
            and low[i] <= close[i] <= high[i]
        ]
    keep = sorted_last(rows, open_ms)
    open_ms = _pick(open_ms, keep)
    volume = _pick(volume, keep)
    if not (all(map(math.isfinite, volume)) and (not volume or min(volume) > 0)):
        volume = [v if math.isfinite(v) and v > 0 else 0.0 for v in volume]
    return Bars(
        open_ms,
        list(map(add, open_ms, _pick(period, keep))),
        _pick(high, keep),
        _pick(low, keep),
        _pick(close, keep),
        volume,
        n - len(open_ms),
    )


@dataclass(frozen=True, slots=True)
class OiColumns:
    """Usable OI points, sorted, one per timestamp; ``base`` is NaN where the venue gave no coins."""

    ts: list[int]
    usd: list[float]
    base: list[float]
    period: list[int]
    dropped: int


def oi_columns(points: Sequence[OiPoint]) -> OiColumns:
    """The usable OI points: a timestamp in range and finite, non-negative USD open interest."""
    ts = _ints(points, "ts_ms")
    usd = _floats(points, "oi_usd")
    base = _floats(points, "oi_base")
    period = _ints(points, "period_ms", 1, MAX_PERIOD_MS)
    rows = None
    if not (_finite_at_least(usd, 0.0) and (not ts or min(ts) >= MIN_TS_MS)):
        rows = [i for i in range(len(ts)) if ts[i] >= MIN_TS_MS and math.isfinite(usd[i]) and usd[i] >= 0]
    keep = sorted_last(rows, ts)
    base = _pick(base, keep)
    if not _finite_at_least(base, 0.0):
        base = [b if math.isfinite(b) and b >= 0 else _NAN for b in base]
    ts = _pick(ts, keep)
    return OiColumns(ts, _pick(usd, keep), base, _pick(period, keep), len(points) - len(ts))


def taker_columns(flows: Sequence[TakerFlow]) -> tuple[list[int], list[float], list[float]]:
    """Sorted (ts, cumulative buy, cumulative sell) of the usable rows, each sum with a leading 0."""
    ts = _ints(flows, "ts_ms")
    buy = _floats(flows, "buy")
    sell = _floats(flows, "sell")
    rows = None
    # both finite and non-negative: their sum is positive when it is not zero
    if not (
        _finite_at_least(buy, 0.0)
        and _finite_at_least(sell, 0.0)
        and (not ts or min(ts) >= MIN_TS_MS)
        and all(map(add, buy, sell))
    ):
        isf = math.isfinite
        rows = [
            i
            for i in range(len(ts))
            if ts[i] >= MIN_TS_MS
            and isf(buy[i])
            and isf(sell[i])
            and buy[i] >= 0
            and sell[i] >= 0
            and buy[i] + sell[i] > 0
        ]
    keep = sorted_last(rows, ts)
    cum_buy = [0.0, *accumulate(_pick(buy, keep))]
    cum_sell = [0.0, *accumulate(_pick(sell, keep))]
    return _pick(ts, keep), cum_buy, cum_sell
