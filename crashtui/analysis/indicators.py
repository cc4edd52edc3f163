"""Candle arithmetic for the zone finder: columns, Wilder ATR, fractal pivots, SMA, volume profile.

Plain Python (no numpy: importing it costs 16 MiB and ~60 ms). The results are those the numpy
version gave, bit for bit: elementwise arithmetic is the same IEEE arithmetic, and sums and means
use numpy's pairwise order (:mod:`crashtui.analysis.pairwise`). The columns are ``array.array``:
compact, and indexed like the numpy arrays they replace.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress
from operator import attrgetter, ge, gt, lt

from crashtui.analysis.columns import sorted_last
from crashtui.analysis.pairwise import pairwise_mean, pairwise_sum
from crashtui.model import Candle

_NAN = math.nan


@dataclass(frozen=True, slots=True)
class CandleArrays:
    """Columns of a chronologically sorted candle series (one row per candle)."""

    open_ms: array[int]
    high: array[float]
    low: array[float]
    close: array[float]
    volume: array[float]

    def __len__(self) -> int:
        return len(self.close)


@dataclass(frozen=True, slots=True)
class FormingCandle:
    """The still-forming latest candle's open time and range (it never makes pivots or breaks)."""

    open_ms: int
    high: float
    low: float


def _as_float(v: object) -> float:
    """``v`` as numpy's float64 conversion takes it: None is NaN."""
    return _NAN if v is None else float(v)  # type: ignore[arg-type]


def _column(candles: Sequence[Candle], name: str) -> tuple[list[float], bool]:
    """One field of every candle (converted as numpy did if any is not a number), and whether
    every value is finite."""
    values: list[float] = list(map(attrgetter(name), candles))
    try:
        return values, all(map(math.isfinite, values))
    except (TypeError, ValueError, OverflowError):
        values = [_as_float(v) for v in values]
        return values, all(map(math.isfinite, values))


def _open_times(candles: Sequence[Candle]) -> tuple[list[int], list[bool]]:
    """Open times as ints, and which are usable (a non-finite one is not)."""
    values: list[int] = list(map(attrgetter("open_ms"), candles))
    if set(map(type, values)) <= {int}:
        return values, [True] * len(values)
    floats = [_as_float(v) for v in values]
    ok = [math.isfinite(f) for f in floats]
    return [int(f) if good else 0 for f, good in zip(floats, ok, strict=True)], ok


def _row_ok(o: float, h: float, lo: float, c: float) -> bool:
    finite = math.isfinite(o) and math.isfinite(h) and math.isfinite(lo) and math.isfinite(c)
    return finite and o > 0.0 and h > 0.0 and lo > 0.0 and c > 0.0 and h >= lo


def _all_rows_ok(op: list[float], hi: list[float], lo: list[float], cl: list[float]) -> bool:
    """Whether every row of finite prices passes :func:`_row_ok` (a column at a time: the common case)."""
    return not op or (min(op) > 0.0 and min(lo) > 0.0 and min(cl) > 0.0 and all(map(ge, hi, lo)))


def candle_arrays(candles: Sequence[Candle]) -> tuple[CandleArrays, FormingCandle | None]:
    """Closed candles as sorted columns, plus the forming candle if it is the latest one.

    Rows are sorted by open time with one row per open time (the last given wins). A candle with
    a non-finite or non-positive price, or a high below its low, is dropped: one bad row from a
    source must not move a support level. Negative or non-finite volume counts as 0.
    """
    ts, ts_ok = _open_times(candles)
    (op, op_ok), (hi, hi_ok), (lo, lo_ok), (cl, cl_ok), (vol, vol_ok) = (
        _column(candles, name) for name in ("open", "high", "low", "close", "volume")
    )
    closed: list[bool] = list(map(attrgetter("closed"), candles))
    if not set(map(type, closed)) <= {bool}:
        closed = [_as_float(v) != 0.0 for v in closed]  # as numpy read it: NaN (None) is closed
    n = len(ts)
    if op_ok and hi_ok and lo_ok and cl_ok and all(ts_ok) and _all_rows_ok(op, hi, lo, cl):
        rows = list(range(n))
    else:
        rows = [i for i in range(n) if ts_ok[i] and _row_ok(op[i], hi[i], lo[i], cl[i])]
    rows = sorted_last(rows, ts)
    forming = None
    if rows and not closed[rows[-1]]:
        last = rows[-1]
        forming = FormingCandle(ts[last], float(hi[last]), float(lo[last]))
    if not all(closed[i] for i in rows):
        rows = [i for i in rows if closed[i]]
    if rows != list(range(n)):
        ts = [ts[i] for i in rows]
        hi, lo, cl, vol = ([col[i] for i in rows] for col in (hi, lo, cl, vol))
    if not (vol_ok and min(vol, default=0.0) >= 0.0):
        vol = [v if math.isfinite(v) and v >= 0.0 else 0.0 for v in vol]
    arrays = CandleArrays(array("q", ts), array("d", hi), array("d", lo), array("d", cl), array("d", vol))
    return arrays, forming


def true_ranges(a: CandleArrays) -> list[float]:
    """True range per candle: max(high−low, |high−prev close|, |low−prev close|); the first is high−low."""
    hi, lo, close = a.high.tolist(), a.low.tolist(), a.close.tolist()
    out = [hi[0] - lo[0]] if hi else []
    for h, low, p in zip(hi[1:], lo[1:], close, strict=False):
        span, up, down = h - low, h - p, p - low  # p − low is −(low − p) exactly
        up = up if up >= 0.0 else -up
        down = down if down >= 0.0 else -down
        far = up if up >= down else down  # numpy.maximum keeps its first argument on a tie
        out.append(span if span >= far else far)
    return out


def wilder_atr(a: CandleArrays, period: int) -> float | None:
    """Latest Average True Range with Wilder's smoothing; None with fewer than ``period`` candles.

    Seeded with the mean of the first ``period`` true ranges, then
    ``ATR_t = ATR_{t-1} + (TR_t − ATR_{t-1}) / period``. The recursion is evaluated in closed form,
    a weighted sum with weights ``(1/period)·(1−1/period)^k`` (the form the numpy version used,
    kept so the figures stay the same). The powers come from the C library's ``pow``, as numpy's
    did except on AVX-512 machines, where numpy used Intel's SVML and was off in the last bit
    for about one power in twenty.
    """
    tr = true_ranges(a)
    if period < 1 or len(tr) < period:
        return None
    seed = pairwise_mean(tr[:period])
    rest = tr[period:]
    m = len(rest)
    if m == 0:
        return seed
    decay = 1.0 - 1.0 / period
    weighted = [t * decay**k for t, k in zip(rest, range(m - 1, -1, -1), strict=True)]
    return decay**m * seed + pairwise_sum(weighted) / period


def _swings(v: list[float], span: int, high: bool) -> array[int]:
    """Indices beating the ``span`` values before them strictly and those after them or tying.

    Filtered one neighbour at a time, nearest first: each pass keeps about a third.
    """
    n = len(v)
    centre = v[span : n - span]
    keep = compress(range(span, n - span), map(gt if high else lt, centre, v[span - 1 : n - span - 1]))
    if high:
        found = [i for i in keep if v[i] >= v[i + 1]]
        for k in range(2, span + 1):
            found = [i for i in found if v[i] > v[i - k] and v[i] >= v[i + k]]
    else:
        found = [i for i in keep if v[i] <= v[i + 1]]
        for k in range(2, span + 1):
            found = [i for i in found if v[i] < v[i - k] and v[i] <= v[i + k]]
    return array("q", found)


def fractal_pivots(a: CandleArrays, span: int) -> tuple[array[int], array[int]]:
    """Indices of swing highs and swing lows (Bill Williams fractals of ``span`` bars each side).

    Candle ``i`` is a swing high when its high is above the highs of the ``span`` candles before
    it and not below the highs of the ``span`` candles after it (so a flat top counts once, at
    its first candle); swing lows mirror this. The last ``span`` candles cannot be pivots yet.
    """
    if span < 1 or len(a) < 2 * span + 1:
        return array("q"), array("q")
    return _swings(a.high.tolist(), span, True), _swings(a.low.tolist(), span, False)


def sma_last(values: Sequence[float], n: int) -> float | None:
    """Mean of the last ``n`` values; None when there are fewer than ``n``."""
    if n < 1 or len(values) < n:
        return None
    return pairwise_mean(values[-n:])


@dataclass(frozen=True, slots=True)
class VolumeNode:
    """A local peak of the volume-at-price profile."""

    level: float
    low: float
    high: float
    share: float
    ratio_to_mean: float
    relative: float


def volume_nodes(a: CandleArrays, bin_width: float, max_bins: int, max_nodes: int) -> list[VolumeNode]:
    """High-volume nodes of the volume-at-price profile, largest first.

    Each candle's volume goes to the price bin of its typical price (high+low+close)/3. A node is
    a bin holding more volume than the bin below it and at least as much as the bin above, whose
    3-bin neighbourhood holds at least 1.5× the mean 3-bin volume (over non-empty neighbourhoods).
    Its level is the volume-weighted centre of those 3 bins; ``share`` is their share of all
    volume; ``relative`` their volume over the largest node's.
    """
    total = pairwise_sum(a.volume)
    if len(a) == 0 or not total > 0.0 or not bin_width > 0.0:
        return []
    lo_price = min(a.low)
    hi_price = max(a.high)
    width = max(bin_width, (hi_price - lo_price) / max_bins)
    nbins = min(int((hi_price - lo_price) // width) + 1, max_bins + 1)
    top_bin = nbins - 1
    profile = [0.0] * nbins
    for h, low, c, v in zip(a.high, a.low, a.close, a.volume, strict=True):
        k = int(((h + low + c) / 3.0 - lo_price) // width)
        profile[0 if k < 0 else top_bin if k > top_bin else k] += v
    padded = [0.0, *profile, 0.0]
    smooth = [(x + y) + z for x, y, z in zip(padded, padded[1:], padded[2:], strict=False)]
    nonzero = [s for s in smooth if s > 0.0]
    if not nonzero:
        return []
    mean = pairwise_mean(nonzero)
    floor = 1.5 * mean
    peaks = [
        i
        for i, p in enumerate(profile)
        if p > padded[i] and p >= padded[i + 2] and smooth[i] >= floor  # padded[i+1] is p
    ]
    if not peaks:
        return []
    order = sorted(peaks, key=lambda i: -smooth[i])[:max_nodes]
    top = smooth[order[0]]
    weighted = [0.0, *(p * (lo_price + (i + 0.5) * width) for i, p in enumerate(profile)), 0.0]
    nodes = []
    for i in order:
        vol = smooth[i]
        level = ((weighted[i] + weighted[i + 1]) + weighted[i + 2]) / vol
        nodes.append(
            VolumeNode(
                level=level,
                low=level - 1.5 * width,
                high=level + 1.5 * width,
                share=vol / total,
                ratio_to_mean=vol / mean,
                relative=vol / top,
            )
        )
    return nodes
