"""Open-interest history against price bars and taker flow: one row per OI step.

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

Plain Python: running sums (``itertools.accumulate``) and ``bisect`` over the sorted columns,
so each interval costs two lookups. It replaced a numpy version (same results, bit for bit:
the same additions in the same order) so that the dashboard never imports numpy; a pandas
version (``merge_asof`` and a grouped VWAP) measured slower still. See
``benchmarks/bench_liqmap.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import accumulate, pairwise, repeat
from operator import add, gt, mul, sub, truediv

from crashtui.analysis.liqmap.clean import (
    MAX_PERIOD_MS,
    MAX_TS_MS,
    MIN_TS_MS,
    Bars,
    clean_bars,
    oi_columns,
    taker_columns,
)
from crashtui.analysis.liqmap.inputs import OiPoint, TakerFlow

__all__ = ["MAX_PERIOD_MS", "MAX_TS_MS", "MIN_TS_MS", "Bars", "Steps", "align_steps", "clean_bars"]

_NAN = math.nan
_INF = math.inf


@dataclass(frozen=True, slots=True)
class Steps:
    """One row per OI step (see the module docstring); ``t1`` is the step's end."""

    t1: list[int]
    entry: list[float]
    opened: list[float]
    long_share: list[float]
    share_known: list[bool]
    survival: list[float]
    low_after: list[float]
    high_after: list[float]
    gaps: int
    dropped: int
    last_ts_ms: int | None
    first_ts_ms: int | None
    last_oi_usd: float | None


def _positions(sorted_ts: list[int], ts: list[int]) -> list[int]:
    """For each of the sorted ``ts``, how many of ``sorted_ts`` are before it (``searchsorted`` left).

    One merge pass (a third of the cost of a bisection per value); when both series start on the
    same timestamps (bars and OI on one grid, the usual case) that common run is counted at once.
    """
    n = len(sorted_ts)
    same = min(n, len(ts))
    if sorted_ts[:same] != ts[:same]:
        same = 0
    out = list(range(same))
    j = same
    for t in ts[same:]:
        while j < n and sorted_ts[j] < t:
            j += 1
        out.append(j)
    return out


def _run_start(pos: list[int]) -> int | None:
    """``pos[0]`` when ``pos`` counts up by one (one row per interval, the usual case), else None."""
    if not pos:
        return None
    first = pos[0]
    return first if pos[-1] - first == len(pos) - 1 and pos == list(range(first, first + len(pos))) else None


def _range_sums(cum: list[float], pos: list[int]) -> list[float]:
    """``cum[pos[k+1]] − cum[pos[k]]`` for each ``k``: a running sum's total over each interval."""
    first, n = _run_start(pos), len(pos) - 1
    if first is not None and n > 0:  # the same subtractions, as two shifted slices
        return list(map(sub, cum[first + 1 : first + n + 1], cum[first : first + n]))
    return [cum[hi] - cum[lo] for lo, hi in pairwise(pos)]


def _entry_prices(bars: Bars, ts: list[int]) -> list[float]:
    """Typical price per interval ``[ts[k], ts[k+1])`` (see the module docstring); NaN where no
    bar covers it."""
    typical = [(h + lo + c) / 3.0 for h, lo, c in zip(bars.high, bars.low, bars.close, strict=True)]
    cum_pv = [0.0, *accumulate(map(mul, typical, bars.volume))]
    cum_v = [0.0, *accumulate(bars.volume)]
    pos = _positions(bars.open_ms, ts)
    vols = _range_sums(cum_v, pos)
    if all(map(gt, vols, repeat(0.0))):  # every interval has traded volume: the usual case
        return list(map(truediv, _range_sums(cum_pv, pos), vols))
    out = [pv / v if v > 0 else _NAN for pv, v in zip(_range_sums(cum_pv, pos), vols, strict=True)]
    rest = [k for k, v in enumerate(vols) if not v > 0]
    cum_p = [0.0, *accumulate(typical)]
    for k in rest:
        lo, hi = pos[k], pos[k + 1]
        if hi > lo:  # bars without volume: their plain mean
            out[k] = (cum_p[hi] - cum_p[lo]) / (hi - lo)
        else:  # no bar opens inside (so none at t0): the last one before t0, if it contains t0
            t0, j = ts[k], lo - 1
            out[k] = typical[j] if j >= 0 and bars.end_ms[j] > t0 else _NAN
    return out


def _price_at(bars: Bars, ts: list[int]) -> list[float]:
    """Close of the last bar opened before each ``ts`` (the bar the snapshot fell in or the one before)."""
    close = bars.close
    return [close[j - 1] if j > 0 else _NAN for j in _positions(bars.open_ms, ts)]


def _survival(factor: list[float]) -> list[float]:
    """Per step, the product of every later step's factor (multiplied from the last step back)."""
    if not factor:
        return []
    backwards = list(accumulate(reversed(factor), mul))
    return [*reversed(backwards[:-1]), 1.0]


def _suffix_extremes(bars: Bars) -> tuple[list[float], list[float]]:
    """The lowest low and highest high of bar ``i`` and every later bar; ±inf past the last."""
    low, high = _INF, -_INF  # (none of the prices is NaN)
    lows = [low := (x if x < low else low) for x in reversed(bars.low)]
    highs = [high := (x if x > high else high) for x in reversed(bars.high)]
    lows.reverse()
    highs.reverse()
    return [*lows, _INF], [*highs, -_INF]


def _path_extremes(bars: Bars, t1: list[int], price: float | None) -> tuple[list[float], list[float]]:
    """The lowest low and highest high from each ``t1`` on (and the live price, if known)."""
    if bars.empty:
        low_after, high_after = [_INF] * len(t1), [-_INF] * len(t1)
    else:
        suffix_low, suffix_high = _suffix_extremes(bars)
        after = _positions(bars.open_ms, t1)
        first = _run_start(after)
        if first is not None:
            low_after, high_after = (s[first : first + len(after)] for s in (suffix_low, suffix_high))
        else:
            low_after = [suffix_low[i] for i in after]
            high_after = [suffix_high[i] for i in after]
    if price is not None:
        low_after = [x if x <= price else price for x in low_after]
        high_after = [x if x >= price else price for x in high_after]
    return low_after, high_after


def _taker_shares(taker: Sequence[TakerFlow], ts: list[int], weight: float) -> tuple[list[float], list[bool]]:
    """Damped taker buy share per interval ``[ts[k], ts[k+1])``, and whether any row was there."""
    tts, cum_buy, cum_sell = taker_columns(taker)
    pos = _positions(tts, ts)
    buys = _range_sums(cum_buy, pos)
    totals = list(map(add, buys, _range_sums(cum_sell, pos)))
    known = list(map(gt, totals, repeat(0.0)))
    if all(known):
        return [0.5 + weight * (r - 0.5) for r in map(truediv, buys, totals)], known
    # no taker row: 0.5 + weight × (0.5 − 0.5), which is 0.5 (weight is finite and not negative)
    shares = [0.5 + weight * (b / t - 0.5) if t > 0 else 0.5 for b, t in zip(buys, totals, strict=True)]
    return shares, known


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
    oi = oi_columns(points)
    ts, usd, base, period = oi.ts, oi.usd, oi.base, oi.period
    # Coins: the venue's own figure, else USD divided by the price of that moment.
    if any(map(math.isnan, base)):
        base = [u / p if math.isnan(b) else b for u, p, b in zip(usd, _price_at(bars, ts), base, strict=True)]
    dropped = oi.dropped
    if not all(map(math.isfinite, base)):
        usable = [i for i, b in enumerate(base) if math.isfinite(b)]
        dropped += len(base) - len(usable)
        ts, usd, period = [ts[i] for i in usable], [usd[i] for i in usable], [period[i] for i in usable]
        base = [base[i] for i in usable]
    last_usd = usd[-1] if usd else None
    t1 = ts[1:]
    if period and min(period) > 0:  # every period known (the usual case)
        gaps = sum(map(gt, map(sub, t1, ts), map(mul, period[1:], repeat(2))))
    else:
        gaps = sum(1 for k, t in enumerate(t1) if period[k + 1] > 0 and t - ts[k] > 2 * period[k + 1])
    delta = list(map(sub, base[1:], base))
    opened = [d if d > 0 else 0.0 for d in delta]
    factor = [a / b if d < 0 else 1.0 for a, b, d in zip(base[1:], base, delta, strict=False)]
    low_after, high_after = _path_extremes(bars, t1, price)
    long_share, known = _taker_shares(taker, ts, taker_weight)
    return Steps(
        t1=t1,
        entry=[_NAN] * len(t1) if bars.empty else _entry_prices(bars, ts),
        opened=opened,
        long_share=long_share,
        share_known=known,
        survival=_survival(factor),
        low_after=low_after,
        high_after=high_after,
        gaps=gaps,
        dropped=dropped,
        last_ts_ms=ts[-1] if ts else None,
        first_ts_ms=ts[0] if ts else None,
        last_oi_usd=last_usd,
    )
