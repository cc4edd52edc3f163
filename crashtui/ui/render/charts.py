"""Chart specifications (pure data) and the downsampling that keeps plotext cheap.

A renderer describes a chart as a :class:`ChartSpec`; the plot widget draws it with plotext
after cutting every series to the plot's width (plotext costs ~10 ms per 100 points).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal


@dataclass(frozen=True, slots=True)
class Series:
    """A line (or bars) over numeric x."""

    xs: tuple[float, ...]
    ys: tuple[float, ...]
    color: str
    label: str = ""
    bars: bool = False


@dataclass(frozen=True, slots=True)
class Band:
    """A horizontal price band (a zone) with a label at the right edge."""

    low: float
    high: float
    color: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class HLine:
    """A horizontal reference line (the 200-day average, a zero line)."""

    y: float
    color: str
    label: str = ""


@dataclass(frozen=True, slots=True)
class CandleSeries:
    """OHLC candles over numeric x (one x step per candle)."""

    xs: tuple[float, ...]
    opens: tuple[float, ...]
    highs: tuple[float, ...]
    lows: tuple[float, ...]
    closes: tuple[float, ...]
    up: str
    down: str


@dataclass(frozen=True, slots=True)
class ChartSpec:
    """Everything a chart shows. ``y_format`` is ``price``, ``int`` or ``flow``."""

    series: tuple[Series, ...] = ()
    candles: CandleSeries | None = None
    bands: tuple[Band, ...] = ()
    hlines: tuple[HLine, ...] = ()
    xticks: tuple[tuple[float, str], ...] = ()
    y_format: str = "price"
    y_range: tuple[float, float] | None = None
    empty_text: str = "no data"
    notes: tuple[str, ...] = field(default=())
    # Volume bars drawn in rows under the plot, one value per candle at its x (None: no rows).
    volume: Series | None = None

    @property
    def empty(self) -> bool:
        """Whether there is nothing to plot."""
        return not any(s.xs for s in self.series) and (self.candles is None or not self.candles.xs)


@dataclass(frozen=True, slots=True)
class LabelSpot:
    """Where a line or band label goes: its text row (0 = top), its side and the y it names."""

    text: str
    y: float
    color: str
    side: Literal["left", "right"]  # which plot edge the label is aligned to
    row: int


def _row(y: float, low: float, high: float, rows: int) -> int:
    """The text row (0 = top) of ``y`` on a plot of ``rows`` rows spanning ``low``..``high``."""
    return round((high - y) / (high - low) * (rows - 1))


def place_labels(
    wanted: Sequence[tuple[float, str, str, str]],
    data: Sequence[tuple[float, float, float]],
    bounds: tuple[float, float],
    x_range: tuple[float, float],
    columns: int,
    rows: int,
) -> list[LabelSpot]:
    """Sides and rows for labels so that none covers the data drawn under it.

    ``wanted`` holds ``(y, text, color, preferred side)``; ``data`` the plotted points as
    ``(x, low, high)`` (a close is ``(x, c, c)``, a candle its wick). A label aligned to a side
    covers the ``len(text)`` columns at that edge; it goes on its preferred side when no data in
    those columns reaches its row, else on the other side when that is free, else it is left
    out (the band or line is still drawn). One label per row, first come first served. The
    newest candles are at the right edge, so a zone label never covers the latest price.
    """
    low, high = bounds
    x_low, x_high = x_range
    if not (high > low) or rows < 1 or columns < 1:
        return []
    span = x_high - x_low

    def busy_rows(side: str, width: int) -> set[int]:
        reach = span * min(1.0, (width + 1) / columns)
        lo_x, hi_x = (x_high - reach, x_high) if side == "right" else (x_low, x_low + reach)
        out: set[int] = set()
        for x, d_low, d_high in data:
            if lo_x <= x <= hi_x and d_high >= low and d_low <= high:
                top = _row(min(d_high, high), low, high, rows)
                bottom = _row(max(d_low, low), low, high, rows)
                out.update(range(top, bottom + 1))
        return out

    taken: set[int] = set()
    placed: list[LabelSpot] = []
    for y, text, color, preferred in wanted:
        if not low <= y <= high:
            continue
        row = _row(y, low, high, rows)
        if row in taken:
            continue
        first: Literal["left", "right"] = "left" if preferred == "left" else "right"
        other: Literal["left", "right"] = "right" if first == "left" else "left"
        for side in (first, other):
            if row not in busy_rows(side, len(text)):
                placed.append(LabelSpot(text, y, color, side, row))
                taken.add(row)
                break
    return placed


def decimate(xs: Sequence[float], ys: Sequence[float], buckets: int) -> tuple[list[float], list[float]]:
    """At most ``2 × buckets`` points: each bucket's minimum and maximum in time order.

    Keeps spikes (a crash wick survives), unlike averaging or taking every n-th point.
    """
    n = len(xs)
    if buckets <= 0 or n <= 2 * buckets:
        return list(xs), list(ys)
    out_x: list[float] = []
    out_y: list[float] = []
    for b in range(buckets):
        lo = b * n // buckets
        hi = max(lo + 1, (b + 1) * n // buckets)
        chunk = range(lo, hi)
        i_min = min(chunk, key=lambda i: ys[i])
        i_max = max(chunk, key=lambda i: ys[i])
        for i in sorted({i_min, i_max}):
            out_x.append(xs[i])
            out_y.append(ys[i])
    return out_x, out_y


def aggregate_candles(c: CandleSeries, limit: int) -> CandleSeries:
    """Merge neighbouring candles so at most ``limit`` remain (OHLC of each group)."""
    n = len(c.xs)
    if limit <= 0 or n <= limit:
        return c
    size = math.ceil(n / limit)
    spans: list[tuple[int, int]] = []
    end = n
    while end > 0:  # group from the newest candle back, so the latest group is complete
        spans.append((max(0, end - size), end))
        end -= size
    xs, o, h, lo, cl = [], [], [], [], []
    for s, e in reversed(spans):
        xs.append(c.xs[e - 1])
        o.append(c.opens[s])
        h.append(max(c.highs[s:e]))
        lo.append(min(c.lows[s:e]))
        cl.append(c.closes[e - 1])
    return CandleSeries(tuple(xs), tuple(o), tuple(h), tuple(lo), tuple(cl), c.up, c.down)


def open_range(low: float, high: float) -> tuple[float, float]:
    """``(low, high)`` widened around its middle when it holds a single value (or is reversed):
    plotext divides by the axis span, so one point in time or one price would crash the draw."""
    if high > low:
        return low, high
    middle = (low + high) / 2
    pad = abs(middle) * 0.01 or 0.5
    return middle - pad, middle + pad


def y_bounds(spec: ChartSpec) -> tuple[float, float] | None:
    """The data's y range (series and candles), padded by 4 %."""
    if spec.y_range is not None:
        return open_range(*spec.y_range)
    values: list[float] = []
    for s in spec.series:
        values.extend(y for y in s.ys if math.isfinite(y))
    if spec.candles is not None:
        values.extend(spec.candles.lows)
        values.extend(spec.candles.highs)
    if not values:
        return None
    low, high = min(values), max(values)
    if any(s.bars for s in spec.series):
        low, high = min(low, 0.0), max(high, 0.0)
    pad = (high - low) * 0.04 or abs(high) * 0.01 or 1.0
    return low - pad, high + pad


def visual_key(spec: ChartSpec, width: int, height: int) -> tuple[object, ...]:
    """What a chart would look like at ``width`` × ``height``, at the plot's resolution.

    Two specs with the same key draw the same picture (positions quantised to braille dots,
    x relative to the plotted span), so a new spec with an unchanged key needs no repaint:
    a price moving within one dot, or the replay clock sliding every x by the same amount.
    """
    bounds = y_bounds(spec)
    if spec.empty or bounds is None or width < 12 or height < 4:
        return ("empty", spec.empty_text, width, height)
    plot_w = max(10, width - 10) * 2
    dots = max(1, height - 3) * 4
    lo, hi = bounds
    xs_all = [x for s in spec.series for x in s.xs]
    if spec.candles is not None:
        xs_all.extend(spec.candles.xs)
    x_lo, x_hi = min(xs_all), max(xs_all)

    def qy(y: float) -> int:
        return round((y - lo) / (hi - lo) * dots) if hi > lo else 0

    def qx(x: float) -> int:
        return round((x - x_lo) / (x_hi - x_lo) * plot_w) if x_hi > x_lo else 0

    parts: list[object] = [width, height, tuple(nice_ticks(lo, hi, max(2, height // 3)))]
    for s in spec.series:
        dx, dy = decimate(s.xs, s.ys, plot_w // 2)
        parts.append((s.color, s.label, s.bars, tuple(qx(x) for x in dx), tuple(qy(y) for y in dy)))
    if spec.candles is not None:
        c = aggregate_candles(spec.candles, max(8, min(120, plot_w // 2 - 2)))
        parts.append(
            tuple(
                (qx(x), qy(o), qy(h), qy(lw), qy(cl))
                for x, o, h, lw, cl in zip(c.xs, c.opens, c.highs, c.lows, c.closes, strict=True)
            )
        )
    parts.append(tuple((qy(b.low), qy(b.high), b.color, b.label) for b in spec.bands))
    parts.append(tuple((qy(h.y), h.color, h.label) for h in spec.hlines))
    parts.append(tuple((qx(x), label) for x, label in spec.xticks))
    parts.append((spec.y_format, spec.notes))
    if spec.volume is not None:
        parts.append(volume_columns(spec.volume, x_lo, x_hi, plot_w // 2))
    return tuple(parts)


def volume_columns(volume: Series, x_low: float, x_high: float, columns: int) -> tuple[float, ...]:
    """Volume summed per plot column (``columns`` of them spanning ``x_low``..``x_high``)."""
    out = [0.0] * max(0, columns)
    if columns <= 0:
        return ()
    span = x_high - x_low
    for x, v in zip(volume.xs, volume.ys, strict=True):
        if not math.isfinite(v) or v <= 0:
            continue
        col = round((x - x_low) / span * (columns - 1)) if span > 0 else columns - 1
        if 0 <= col < columns:
            out[col] += v
    return tuple(out)


VOLUME_BLOCKS = " ▁▂▃▄▅▆▇█"
ASCII_BLOCKS = " .:-=+*#@"


def volume_rows(cells: Sequence[float], rows: int, ascii_only: bool = False) -> list[str]:
    """Bars of ``cells`` (one per column, tallest = ``rows`` full rows), top row first."""
    if rows <= 0:
        return []
    blocks = ASCII_BLOCKS if ascii_only else VOLUME_BLOCKS
    top = max(cells, default=0.0)
    eighths = [round(v / top * rows * 8) if top > 0 else 0 for v in cells]
    out = []
    for r in range(rows):
        floor = (rows - 1 - r) * 8  # eighths below this row
        out.append("".join(blocks[max(0, min(8, e - floor))] for e in eighths))
    return out


def nice_ticks(low: float, high: float, count: int) -> list[float]:
    """About ``count`` round tick values between ``low`` and ``high``."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low or count < 1:
        return []
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks
