"""Open-interest history against price bars and taker flow: one row per OI step, vectorised.

For the step from OI point *k−1* to *k* (the interval ``[t0, t1)``) this computes

* ``entry``: the volume-weighted typical price ``(high + low + close) / 3`` of the bars that
  open inside the interval (the plain mean when they carry no volume); when none does (bars
  coarser than the OI history, or a hole), the typical price of the bar containing ``t0``;
* ``opened``: the rise in open interest in coins, zero when it fell;
* ``long_share``: taker buys ÷ (buys + sells) over the taker rows inside the interval, damped
  toward 0.5 by ``taker_weight``; 0.5 when there is no taker row (``share_known`` False);
* ``survival``: the product of ``OI_j / OI_{j−1}`` over every later step where OI fell, i.e. the
  share of these positions that pro-rata closes leave open;
* ``low_after`` / ``high_after``: the lowest low and highest high of the bars that open at or
  after ``t1`` (the price path after the entry period), ±inf when there is none yet.

numpy is imported inside the functions (start-up time). A pandas version (``merge_asof`` and a
grouped VWAP) measured about twice the cost on 8,640 steps while doing less, plus pandas'
import; see ``benchmarks/bench_liqmap.py``.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING

from crashtui.analysis.liqmap.inputs import OiPoint, PriceBar, TakerFlow

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]
    BoolArray = NDArray[np.bool_]

MIN_TS_MS = 1_000_000_000_000  # 2001-09-09: anything earlier is a timestamp in seconds
MAX_TS_MS = 4_102_444_800_000  # 2100-01-01
MAX_PERIOD_MS = 366 * 86_400_000


@dataclass(frozen=True, slots=True)
class Bars:
    """Clean price bars as arrays, sorted by open time, one per open time."""

    open_ms: IntArray
    end_ms: IntArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray
    dropped: int

    @property
    def empty(self) -> bool:
        """Whether no usable bar is left."""
        return len(self.open_ms) == 0


@dataclass(frozen=True, slots=True)
class Steps:
    """One row per OI step (see the module docstring); ``t1`` is the step's end."""

    t1: IntArray
    entry: FloatArray
    opened: FloatArray
    long_share: FloatArray
    share_known: BoolArray
    survival: FloatArray
    low_after: FloatArray
    high_after: FloatArray
    gaps: int
    dropped: int
    last_ts_ms: int | None
    first_ts_ms: int | None
    last_oi_usd: float | None


def _dedupe_sorted(ts: IntArray) -> IntArray:
    """Indices that sort ``ts`` and keep the last row given for each timestamp."""
    import numpy as np

    order = np.argsort(ts, kind="stable")
    sorted_ts = ts[order]
    keep = np.ones(len(order), dtype=bool)
    keep[:-1] = sorted_ts[1:] != sorted_ts[:-1]
    return order[keep]


def _ts_ok(ts: IntArray) -> BoolArray:
    return (ts >= MIN_TS_MS) & (ts <= MAX_TS_MS)


def _ints(rows: Sequence[object], attr: str, lo: int = MIN_TS_MS, hi: int = MAX_TS_MS) -> IntArray:
    """``row.attr`` as int64; anything that is not a number in ``[lo, hi]`` becomes 0 (dropped later)."""
    import numpy as np

    get = attrgetter(attr)
    try:
        out = np.fromiter(map(get, rows), dtype=np.int64, count=len(rows))
    except (TypeError, ValueError, OverflowError):
        out = np.zeros(len(rows), dtype=np.int64)
        for i, v in enumerate(map(get, rows)):
            if isinstance(v, (int, float)) and not isinstance(v, bool) and lo <= v <= hi:
                out[i] = int(v)
    return np.where((out >= lo) & (out <= hi), out, 0)


def _floats(rows: Sequence[object], attr: str) -> FloatArray:
    """``row.attr`` as float64; None, non-numbers and overflowing ints become NaN (dropped later)."""
    import numpy as np

    get = attrgetter(attr)
    try:
        return np.fromiter(map(get, rows), dtype=np.float64, count=len(rows))
    except (TypeError, ValueError, OverflowError):
        pass
    values = list(map(get, rows))
    try:
        return np.array(values, dtype=np.float64)  # None → NaN
    except (TypeError, ValueError, OverflowError):
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                with contextlib.suppress(OverflowError):
                    out[i] = float(v)
        return out


def clean_bars(bars: Sequence[PriceBar]) -> Bars:
    """Arrays of the usable bars: finite, 0 < low ≤ close ≤ high, positive period."""
    import numpy as np

    open_ms = _ints(bars, "open_ms")
    period = _ints(bars, "period_ms", 1, MAX_PERIOD_MS)
    high = _floats(bars, "high")
    low = _floats(bars, "low")
    close = _floats(bars, "close")
    volume = _floats(bars, "volume")
    with np.errstate(invalid="ignore"):
        ok = (
            _ts_ok(open_ms)
            & (period > 0)
            & np.isfinite(high)
            & np.isfinite(low)
            & np.isfinite(close)
            & (low > 0)
            & (low <= close)
            & (close <= high)
        )
    volume = np.where(np.isfinite(volume) & (volume > 0), volume, 0.0)
    idx = np.flatnonzero(ok)
    keep = idx[_dedupe_sorted(open_ms[idx])]
    return Bars(
        open_ms[keep],
        open_ms[keep] + period[keep],
        high[keep],
        low[keep],
        close[keep],
        volume[keep],
        len(bars) - len(keep),
    )


def _oi_arrays(points: Sequence[OiPoint]) -> tuple[IntArray, FloatArray, FloatArray, IntArray, int]:
    """(ts, usd, base-or-NaN, period) of the usable OI points, sorted, one per ts; and drops."""
    import numpy as np

    ts = _ints(points, "ts_ms")
    usd = _floats(points, "oi_usd")
    base = _floats(points, "oi_base")
    period = _ints(points, "period_ms", 1, MAX_PERIOD_MS)
    with np.errstate(invalid="ignore"):
        ok = _ts_ok(ts) & np.isfinite(usd) & (usd >= 0)
        base = np.where(np.isfinite(base) & (base >= 0), base, np.nan)
    idx = np.flatnonzero(ok)
    keep = idx[_dedupe_sorted(ts[idx])]
    return ts[keep], usd[keep], base[keep], period[keep], len(points) - len(keep)


def _taker_arrays(flows: Sequence[TakerFlow]) -> tuple[IntArray, FloatArray, FloatArray]:
    """Sorted (ts, cumulative buy, cumulative sell), each with a leading 0 for range sums."""
    import numpy as np

    ts = _ints(flows, "ts_ms")
    buy = _floats(flows, "buy")
    sell = _floats(flows, "sell")
    with np.errstate(invalid="ignore"):
        ok = _ts_ok(ts) & np.isfinite(buy) & np.isfinite(sell) & (buy >= 0) & (sell >= 0) & (buy + sell > 0)
    idx = np.flatnonzero(ok)
    keep = idx[_dedupe_sorted(ts[idx])]
    cum_buy = np.concatenate(([0.0], np.cumsum(buy[keep])))
    cum_sell = np.concatenate(([0.0], np.cumsum(sell[keep])))
    return ts[keep], cum_buy, cum_sell


def _entry_prices(bars: Bars, t0: IntArray, t1: IntArray) -> FloatArray:
    """Typical price per interval (see the module docstring); NaN where no bar covers it."""
    import numpy as np

    typical = (bars.high + bars.low + bars.close) / 3.0
    cum_pv = np.concatenate(([0.0], np.cumsum(typical * bars.volume)))
    cum_v = np.concatenate(([0.0], np.cumsum(bars.volume)))
    cum_p = np.concatenate(([0.0], np.cumsum(typical)))
    lo = np.searchsorted(bars.open_ms, t0, side="left")
    hi = np.searchsorted(bars.open_ms, t1, side="left")
    count = hi - lo
    vol = cum_v[hi] - cum_v[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        vwap = np.where(vol > 0, (cum_pv[hi] - cum_pv[lo]) / vol, (cum_p[hi] - cum_p[lo]) / count)
    # No bar opens inside: the bar that contains t0, if any.
    j = np.searchsorted(bars.open_ms, t0, side="right") - 1
    jc = np.clip(j, 0, max(len(bars.open_ms) - 1, 0))
    contains = (j >= 0) & (bars.end_ms[jc] > t0) if len(bars.open_ms) else np.zeros(len(t0), dtype=bool)
    fallback = np.where(contains, typical[jc] if len(typical) else np.nan, np.nan)
    return np.where(count > 0, vwap, fallback)


def _price_at(bars: Bars, ts: IntArray) -> FloatArray:
    """Close of the last bar opened before ``ts`` (the bar the snapshot fell in or the one before)."""
    import numpy as np

    if bars.empty:
        return np.full(len(ts), np.nan)
    j = np.searchsorted(bars.open_ms, ts, side="left") - 1
    return np.where(j >= 0, bars.close[np.clip(j, 0, None)], np.nan)


def align_steps(
    points: Sequence[OiPoint],
    taker: Sequence[TakerFlow],
    bars: Bars,
    taker_weight: float,
    price: float | None,
) -> Steps:
    """The per-step table for one venue's OI history (see the module docstring).

    ``price`` (the live price, if known) counts as traded after every step.
    """
    import numpy as np

    ts, usd, base, period, dropped = _oi_arrays(points)
    # Coins: the venue's own figure, else USD divided by the price of that moment.
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.where(np.isnan(base), usd / _price_at(bars, ts), base)
    usable = np.isfinite(base)
    ts, base, period = ts[usable], base[usable], period[usable]
    dropped += int((~usable).sum())
    last_usd = float(usd[usable][-1]) if usable.any() else None
    t0, t1 = ts[:-1], ts[1:]
    n = len(t1)
    step_len = t1 - t0
    gaps = int(((period[1:] > 0) & (step_len > 2 * period[1:])).sum()) if n else 0

    delta = np.diff(base)
    opened = np.where(delta > 0, delta, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        factor = np.where(delta < 0, base[1:] / base[:-1], 1.0)
    # Positions opened in step k are shrunk by every later step's factor.
    survival = np.ones(n)
    if n > 1:
        survival[:-1] = np.cumprod(factor[::-1])[::-1][1:]

    if bars.empty:
        entry = np.full(n, np.nan)
        low_after = np.full(n, np.inf)
        high_after = np.full(n, -np.inf)
    else:
        entry = _entry_prices(bars, t0, t1)
        suffix_low = np.concatenate((np.minimum.accumulate(bars.low[::-1])[::-1], [np.inf]))
        suffix_high = np.concatenate((np.maximum.accumulate(bars.high[::-1])[::-1], [-np.inf]))
        after = np.searchsorted(bars.open_ms, t1, side="left")
        low_after = suffix_low[after]
        high_after = suffix_high[after]
    if price is not None:
        low_after = np.minimum(low_after, price)
        high_after = np.maximum(high_after, price)

    tts, cum_buy, cum_sell = _taker_arrays(taker)
    lo = np.searchsorted(tts, t0, side="left")
    hi = np.searchsorted(tts, t1, side="left")
    buy = cum_buy[hi] - cum_buy[lo]
    sell = cum_sell[hi] - cum_sell[lo]
    known = (buy + sell) > 0
    with np.errstate(invalid="ignore", divide="ignore"):
        raw_share = np.where(known, buy / (buy + sell), 0.5)
    long_share = 0.5 + taker_weight * (raw_share - 0.5)

    return Steps(
        t1=t1,
        entry=entry,
        opened=opened,
        long_share=long_share,
        share_known=known,
        survival=survival,
        low_after=low_after,
        high_after=high_after,
        gaps=gaps,
        dropped=dropped,
        last_ts_ms=int(ts[-1]) if len(ts) else None,
        first_ts_ms=int(ts[0]) if len(ts) else None,
        last_oi_usd=last_usd,
    )
