"""Candle arithmetic for the zone finder: arrays, Wilder ATR, fractal pivots, SMA, volume profile.

numpy is imported inside the functions so that importing :mod:`crashtui.analysis` stays cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crashtui.model import Candle

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    FloatArray = NDArray[np.float64]
    IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class CandleArrays:
    """Columns of a chronologically sorted candle series (one row per candle)."""

    open_ms: IntArray
    high: FloatArray
    low: FloatArray
    close: FloatArray
    volume: FloatArray

    def __len__(self) -> int:
        return int(self.close.shape[0])


@dataclass(frozen=True, slots=True)
class FormingCandle:
    """The still-forming latest candle's open time and range (it never makes pivots or breaks)."""

    open_ms: int
    high: float
    low: float


def candle_arrays(candles: Sequence[Candle]) -> tuple[CandleArrays, FormingCandle | None]:
    """Closed candles as sorted columns, plus the forming candle if it is the latest one.

    Rows are sorted by open time with one row per open time (the last given wins). A candle with
    a non-finite or non-positive price, or a high below its low, is dropped: one bad row from a
    source must not move a support level. Negative or non-finite volume counts as 0.
    """
    import numpy as np

    n = len(candles)
    if n == 0:
        empty_f = np.zeros(0, dtype=np.float64)
        return CandleArrays(np.zeros(0, dtype=np.int64), empty_f, empty_f, empty_f, empty_f), None
    rows = np.array(
        [(c.open_ms, c.high, c.low, c.close, c.volume, c.open, c.closed) for c in candles], dtype=np.float64
    ).reshape(n, 7)
    prices = rows[:, 1:4]
    valid = (
        np.isfinite(prices).all(axis=1)
        & (prices > 0.0).all(axis=1)
        & np.isfinite(rows[:, 5])
        & (rows[:, 5] > 0.0)
        & (rows[:, 1] >= rows[:, 2])
    )
    rows = rows[valid]
    open_ms = rows[:, 0]
    if open_ms.shape[0] > 1 and not bool((open_ms[1:] > open_ms[:-1]).all()):
        rows = rows[np.argsort(open_ms, kind="stable")]
        open_ms = rows[:, 0]
        last_of_each = np.ones(open_ms.shape[0], dtype=bool)
        last_of_each[:-1] = open_ms[1:] != open_ms[:-1]
        rows = rows[last_of_each]
    forming = None
    if rows.shape[0] and rows[-1, 6] == 0.0:
        forming = FormingCandle(int(rows[-1, 0]), float(rows[-1, 1]), float(rows[-1, 2]))
    rows = rows[rows[:, 6] != 0.0]
    volume = rows[:, 4].copy()
    volume[~np.isfinite(volume) | (volume < 0.0)] = 0.0
    arrays = CandleArrays(
        open_ms=rows[:, 0].astype(np.int64),
        high=rows[:, 1].copy(),
        low=rows[:, 2].copy(),
        close=rows[:, 3].copy(),
        volume=volume,
    )
    return arrays, forming


def true_ranges(a: CandleArrays) -> FloatArray:
    """True range per candle: max(high−low, |high−prev close|, |low−prev close|); the first is high−low."""
    import numpy as np

    tr = a.high - a.low
    if len(a) > 1:
        prev_close = a.close[:-1]
        tr[1:] = np.maximum(
            tr[1:], np.maximum(np.abs(a.high[1:] - prev_close), np.abs(a.low[1:] - prev_close))
        )
    return tr


def wilder_atr(a: CandleArrays, period: int) -> float | None:
    """Latest Average True Range with Wilder's smoothing; None with fewer than ``period`` candles.

    Seeded with the mean of the first ``period`` true ranges, then
    ``ATR_t = ATR_{t-1} + (TR_t − ATR_{t-1}) / period``. The recursion is evaluated in closed form
    (a weighted sum with weights ``(1/period)·(1−1/period)^k``) so a year of hourly candles
    costs one vectorised pass.
    """
    import numpy as np

    tr = true_ranges(a)
    if period < 1 or tr.shape[0] < period:
        return None
    seed = float(tr[:period].mean())
    rest = tr[period:]
    m = rest.shape[0]
    if m == 0:
        return seed
    decay = 1.0 - 1.0 / period
    powers = decay ** np.arange(m - 1, -1, -1, dtype=np.float64)
    return float(decay**m * seed + (rest * powers).sum() / period)


def fractal_pivots(a: CandleArrays, span: int) -> tuple[IntArray, IntArray]:
    """Indices of swing highs and swing lows (Bill Williams fractals of ``span`` bars each side).

    Candle ``i`` is a swing high when its high is above the highs of the ``span`` candles before
    it and not below the highs of the ``span`` candles after it (so a flat top counts once, at
    its first candle); swing lows mirror this. The last ``span`` candles cannot be pivots yet.
    """
    import numpy as np
    from numpy.lib.stride_tricks import sliding_window_view

    n = len(a)
    empty = np.zeros(0, dtype=np.int64)
    if span < 1 or n < 2 * span + 1:
        return empty, empty
    centre = np.arange(span, n - span, dtype=np.int64)
    hi_windows = sliding_window_view(a.high, span)
    lo_windows = sliding_window_view(a.low, span)
    left_max = hi_windows[: n - 2 * span].max(axis=1)
    right_max = hi_windows[span + 1 :].max(axis=1)
    left_min = lo_windows[: n - 2 * span].min(axis=1)
    right_min = lo_windows[span + 1 :].min(axis=1)
    h = a.high[span : n - span]
    lo = a.low[span : n - span]
    highs = centre[(h > left_max) & (h >= right_max)]
    lows = centre[(lo < left_min) & (lo <= right_min)]
    return highs, lows


def sma_last(values: FloatArray, n: int) -> float | None:
    """Mean of the last ``n`` values; None when there are fewer than ``n``."""
    if n < 1 or values.shape[0] < n:
        return None
    return float(values[-n:].mean())


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
    import numpy as np

    total = float(a.volume.sum())
    if len(a) == 0 or not total > 0.0 or not bin_width > 0.0:
        return []
    lo_price = float(a.low.min())
    hi_price = float(a.high.max())
    width = max(bin_width, (hi_price - lo_price) / max_bins)
    nbins = min(int((hi_price - lo_price) // width) + 1, max_bins + 1)
    typical = (a.high + a.low + a.close) / 3.0
    idx = np.clip(((typical - lo_price) // width).astype(np.int64), 0, nbins - 1)
    profile = np.bincount(idx, weights=a.volume, minlength=nbins)
    centres = lo_price + (np.arange(nbins, dtype=np.float64) + 0.5) * width
    padded = np.concatenate(([0.0], profile, [0.0]))
    smooth = padded[:-2] + padded[1:-1] + padded[2:]
    nonzero = smooth[smooth > 0.0]
    if nonzero.shape[0] == 0:
        return []
    mean = float(nonzero.mean())
    peaks = np.nonzero((profile > padded[:-2]) & (profile >= padded[2:]) & (smooth >= 1.5 * mean))[0]
    if peaks.shape[0] == 0:
        return []
    order = peaks[np.argsort(-smooth[peaks], kind="stable")][:max_nodes]
    top = float(smooth[order[0]])
    weighted = np.concatenate(([0.0], profile * centres, [0.0]))
    nodes = []
    for i in order:
        vol = float(smooth[i])
        level = float(weighted[i] + weighted[i + 1] + weighted[i + 2]) / vol
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
