"""The symbol screen's interactive chart: the spec for a :class:`ChartState`, its title and the
cursor readout (pure: frame and state in, spec and ``Text`` out).

Overlays: zones as bands, the 200-day average, the largest estimated liquidation bands in view
(labelled as estimates), the symbol's positions (entry and estimated liquidation price) and the
levels pinned at the cursor. With the log scale every price is drawn as its natural logarithm
and the y labels name the prices again (``y_format="logprice"``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text

from crashtui.analysis.days import DAY_MS, HOUR_MS
from crashtui.model import Candle
from crashtui.numfmt import fmt_usd
from crashtui.textsafe import plain
from crashtui.ui.chart_state import LIQ, MA, POSITIONS, ZONES, ChartState
from crashtui.ui.fmt import fmt_clock, fmt_day, fmt_pct, fmt_price, fmt_short, fmt_stamp
from crashtui.ui.render.charts import Band, CandleSeries, ChartSpec, HLine, Series
from crashtui.ui.render.common import join
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.price_chart import day_ticks, zone_bands

LIQ_BANDS = 3  # the largest estimated liquidation bands in view


@dataclass(frozen=True, slots=True)
class SymbolChart:
    """A chart picture: its spec, title, the candles in view and the cursor's candle."""

    spec: ChartSpec
    title: Text
    candles: tuple[Candle, ...]  # in view, oldest first
    cursor: Candle | None
    cursor_x: float | None  # the cursor's x on the spec's axis
    available: int  # candles of this interval up to now


def all_candles(frame: Frame, symbol: str, state: ChartState) -> tuple[Candle, ...]:
    """The symbol's candles of the state's interval up to the frame's clock, oldest first."""
    candles = frame.snapshot.candles.get((symbol, state.interval), ())
    return tuple(c for c in candles if c.open_ms <= frame.now_ms)


def _span_label(candles: Sequence[Candle], interval_ms: int) -> str:
    span = (candles[-1].open_ms - candles[0].open_ms + interval_ms) if candles else 0
    if span >= 2 * DAY_MS:
        return f"{span / DAY_MS:.0f}d"
    return f"{span / HOUR_MS:.0f}h"


def symbol_chart(
    frame: Frame,
    symbol: str,
    state: ChartState,
    pins: Sequence[float] = (),
    missing: str | None = None,
    note: str | None = None,
) -> SymbolChart:
    """The chart of ``symbol`` as ``state`` asks; ``missing`` says why there are no candles
    (e.g. a timeframe a recording does not hold, or one still loading) instead of the generic
    "none yet"; ``note`` (e.g. a failed refresh) goes in the title when there are candles."""
    p, g = frame.palette, frame.glyphs
    data = all_candles(frame, symbol, state)
    start, end = state.window(len(data))
    view = data[start:end]
    interval = state.interval
    title_parts: list[Text | str] = [
        Text(plain(symbol, 10), style="bold"),
        Text(interval.value, style=p.muted),
    ]
    if not view:
        text = plain(missing, 200) if missing else f"no {interval.value} candles for {plain(symbol, 10)} yet"
        return SymbolChart(ChartSpec(empty_text=text), join(title_parts, f" {g.sep} "), (), None, None, 0)
    title_parts[-1] = Text(
        f"{interval.value} {g.sep} {len(view)} candles ({_span_label(view, interval.ms)})"
        + (f", {state.offset} back" if end < len(data) else ""),
        style=p.muted,
    )
    if note:
        title_parts.append(Text(plain(note, 120), style=p.warning))
    if state.log:
        title_parts.append(Text("log", style=p.accent))
    if pins:
        title_parts.append(Text(f"{len(pins)} pinned", style=p.primary))
    unit = HOUR_MS if interval.ms < DAY_MS else DAY_MS
    xs = tuple((c.open_ms - frame.now_ms) / unit for c in view)
    tf = math.log if state.log else float
    closes = tuple(c.close for c in view)
    highs = [c.high for c in view]
    lows = [c.low for c in view]
    low, high = (min(lows), max(highs)) if state.candles else (min(closes), max(closes))
    low_t, high_t = tf(low), tf(high)
    pad = (high_t - low_t) * 0.06 or abs(high_t) * 0.01 or 1.0
    y_low, y_high = low_t - pad, high_t + pad
    p_low, p_high = (math.exp(y_low), math.exp(y_high)) if state.log else (y_low, y_high)

    def inside(price: float) -> bool:
        return price > 0 and p_low <= price <= p_high

    hlines: list[HLine] = []
    bands: list[Band] = []
    item = frame.analysis.symbol(symbol)
    zones = item.zones if item is not None else None
    last = data[-1].close
    if state.shows(MA) and zones is not None and zones.ma200 is not None:
        ma = zones.ma200
        if inside(ma):
            hlines.append(HLine(tf(ma), p.accent, "200D"))
            title_parts.append(Text(f"200D {fmt_price(ma)}", style=p.accent))
        else:
            where = "above" if ma > p_high else "below"
            title_parts.append(
                Text(
                    f"200D {fmt_price(ma)} ({fmt_pct((ma / last - 1) * 100, 0)}, {where} chart)",
                    style=p.accent,
                )
            )
    if state.shows(ZONES):
        shown = zone_bands(zones, p_low, p_high, frame)
        bands.extend(Band(tf(b.low), tf(b.high), b.color, b.label) for b in shown if b.low > 0)
        if shown:
            total = len(zones.zones) if zones is not None else 0
            title_parts.append(Text(f"{len(shown)} of {total} zones", style=p.support))
    if state.shows(LIQ):
        liq_bands = _liq_bands(frame, symbol, p_low, p_high)
        bands.extend(Band(tf(b.low), tf(b.high), b.color, b.label) for b in liq_bands)
        if liq_bands:
            title_parts.append(Text("liq bands: estimate", style=p.warning))
    if state.shows(POSITIONS):
        lines, notes = _position_lines(frame, symbol, inside)
        hlines.extend(HLine(tf(h.y), h.color, h.label) for h in lines)
        title_parts.extend(Text(n, style=p.warning) for n in notes)
    for pin in pins:
        if inside(pin):
            hlines.append(HLine(tf(pin), p.primary, f"pin {fmt_price(pin)}"))
    if state.candles:
        series: tuple[Series, ...] = ()
        candle_series: CandleSeries | None = CandleSeries(
            xs,
            tuple(tf(c.open) for c in view),
            tuple(tf(h) for h in highs),
            tuple(tf(lo) for lo in lows),
            tuple(tf(c) for c in closes),
            p.up,
            p.down,
        )
    else:
        series = (Series(xs, tuple(tf(c) for c in closes), p.signed(closes[-1] - closes[0]), "close"),)
        candle_series = None
    spec = ChartSpec(
        series=series,
        candles=candle_series,
        bands=tuple(bands),
        hlines=tuple(hlines),
        xticks=time_ticks(view[0].open_ms, view[-1].open_ms, frame.now_ms, unit),
        y_format="logprice" if state.log else "price",
        y_range=(y_low, y_high),
        volume=Series(xs, tuple(c.volume for c in view), p.muted, "volume", bars=True)
        if state.volume
        else None,
    )
    index = state.cursor_index(len(data))
    cursor = data[index] if index is not None else None
    cursor_x = (cursor.open_ms - frame.now_ms) / unit if cursor is not None else None
    return SymbolChart(spec, join(title_parts, f" {g.sep} "), view, cursor, cursor_x, len(data))


# Hours between x ticks when a chart spans under two days (5m, 15m, a zoomed 1h).
HOUR_STEPS = (1, 2, 3, 4, 6, 12)


def time_ticks(
    first_ms: int, last_ms: int, now_ms: int, unit_ms: int, most: int = 6
) -> tuple[tuple[float, str], ...]:
    """X ticks: at day boundaries (``02-06``), or under two days at whole hours (``14:00``,
    a midnight as its day) spaced to give at most ``most`` ticks."""
    if last_ms - first_ms >= 2 * DAY_MS:
        return day_ticks(first_ms, last_ms, now_ms, unit_ms, most)
    hours = (last_ms - first_ms) / HOUR_MS
    step = next((h for h in HOUR_STEPS if hours / h <= most), HOUR_STEPS[-1]) * HOUR_MS
    first = first_ms - first_ms % step + (step if first_ms % step else 0)
    return tuple(
        ((t - now_ms) / unit_ms, fmt_day(t) if t % DAY_MS == 0 else fmt_clock(t).removesuffix("Z"))
        for t in range(first, last_ms + 1, step)
    )


def _liq_bands(frame: Frame, symbol: str, low: float, high: float) -> list[Band]:
    """The largest estimated liquidation buckets inside ``low``..``high`` (never reported ones)."""
    radar = frame.radar
    liq = radar.liquidation_maps.get(symbol) if radar is not None else None
    if liq is None:
        return []
    inside = [lv for lv in liq.levels if lv.high >= low and lv.low <= high and lv.est_usd > 0]
    biggest = sorted(inside, key=lambda lv: -lv.est_usd)[:LIQ_BANDS]
    return [
        Band(lv.low, lv.high, frame.palette.warning, f"est {lv.side} liq {fmt_usd(lv.est_usd)}")
        for lv in sorted(biggest, key=lambda lv: lv.low)
    ]


def _position_lines(
    frame: Frame, symbol: str, inside: Callable[[float], bool]
) -> tuple[list[HLine], list[str]]:
    """Entry and estimated liquidation lines of the symbol's positions; notes for those off chart."""
    p = frame.palette
    radar = frame.radar
    portfolio = radar.portfolio if radar is not None else None
    lines: list[HLine] = []
    notes: list[str] = []
    if portfolio is None:
        return lines, notes
    for risk in portfolio.positions:
        pos = risk.position
        if pos.symbol != symbol:
            continue
        side = str(pos.side.value)
        entry_label = f"entry {side} {pos.leverage:g}x"
        if inside(pos.entry):
            lines.append(HLine(pos.entry, p.accent, entry_label))
        else:
            notes.append(f"{entry_label} {fmt_price(pos.entry)} off chart")
        liq = risk.liquidation_price
        if liq is None:
            continue
        if inside(liq):
            lines.append(HLine(liq, p.error, f"liq est {side}"))
        else:
            notes.append(f"{side} liq est {fmt_price(liq)} off chart")
    return lines, notes


def cursor_readout(frame: Frame, chart: SymbolChart, state: ChartState) -> Text:
    """``▸ 2026-02-06 13:00Z  O 1,801 H 1,822 L 1,790 C 1,811  vol 12.3k  -2.1% vs last``."""
    p, g = frame.palette, frame.glyphs
    c = chart.cursor
    if c is None:
        return Text("cursor: no candle", style=p.muted)
    last = frame.snapshot.candles.get((c.symbol, state.interval), ())
    newest = chart.candles[-1].close if not last else last[-1].close
    dist = (c.close / newest - 1) * 100 if newest else None
    mark = ">" if g.ascii else "▸"
    parts: list[Text | str] = [
        Text(f"{mark} {fmt_stamp(c.open_ms).removesuffix('Z')} UTC", style="bold"),
        Text.assemble("O ", fmt_price(c.open), "  H ", fmt_price(c.high), "  L ", fmt_price(c.low)),
        Text.assemble("C ", Text(fmt_price(c.close), style=p.signed(c.close - c.open))),
        Text(f"vol {fmt_short(c.volume)}"),
        Text(f"{fmt_pct(dist)} vs last {fmt_price(newest)}", style=p.muted) if dist is not None else "",
    ]
    if not c.closed:
        parts.append(Text("forming", style=p.warning))
    return join([x for x in parts if x], "  ")
