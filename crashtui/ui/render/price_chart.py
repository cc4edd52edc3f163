"""Chart specs for one symbol: closes or candles with zone bands and the 200-day average."""

from __future__ import annotations

from rich.text import Text

from crashtui.analysis.days import DAY_MS, HOUR_MS
from crashtui.analysis.zone_state import LOST_STATES, STATES, ZoneState
from crashtui.analysis.zones import ZoneAnalysis, ZoneKind
from crashtui.model import Candle, Interval
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_day, fmt_pct, fmt_price
from crashtui.ui.render.charts import Band, CandleSeries, ChartSpec, HLine, Series
from crashtui.ui.render.common import join
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.price import state_style

SPAN_MS = {Interval.H1: 3 * DAY_MS, Interval.H4: 20 * DAY_MS, Interval.D1: 240 * DAY_MS}
SPAN_LABEL = {Interval.H1: "3d", Interval.H4: "20d", Interval.D1: "240d"}


def recent_candles(frame: Frame, symbol: str, interval: Interval) -> tuple[Candle, ...]:
    """The symbol's candles of ``interval`` within the chart span before now."""
    candles = frame.snapshot.candles.get((symbol, interval), ())
    start = frame.now_ms - SPAN_MS[interval]
    return tuple(c for c in candles if c.open_ms >= start and c.open_ms <= frame.now_ms)


def day_ticks(
    first_ms: int, last_ms: int, now_ms: int, unit_ms: int, most: int = 6
) -> tuple[tuple[float, str], ...]:
    """X ticks at day boundaries (x in units before now), at most ``most`` of them."""
    days = list(range(first_ms - first_ms % DAY_MS + DAY_MS, last_ms + 1, DAY_MS))
    step = max(1, -(-len(days) // most))
    return tuple(((d - now_ms) / unit_ms, fmt_day(d)) for d in days[::step])


NEAREST_ZONES = 2


def zone_bands(zones: ZoneAnalysis | None, low: float, high: float, frame: Frame) -> tuple[Band, ...]:
    """Bands for the zones in the visible range: pinned ones and the nearest on each side of price."""
    if zones is None:
        return ()
    p = frame.palette
    below = sorted((z for z in zones.zones if z.kind is ZoneKind.SUPPORT), key=lambda z: -z.level)
    above = sorted((z for z in zones.zones if z.kind is ZoneKind.RESISTANCE), key=lambda z: z.level)
    keep = {id(z) for z in below[:NEAREST_ZONES] + above[:NEAREST_ZONES]}
    keep |= {id(z) for z in zones.zones if z.pinned}
    out = []
    for z in zones.zones:
        if z.high < low or z.low > high or id(z) not in keep:
            continue
        color = (
            state_style(z.state, p).split()[-1]
            if z.state in LOST_STATES
            else p.support
            if z.kind is ZoneKind.SUPPORT
            else p.resistance
        )
        state = "" if z.state is ZoneState.CLEAR else f" {STATES[z.state].words}"
        out.append(Band(z.low, z.high, color, f"{fmt_price(z.level)}{state}"))
    return tuple(out)


def price_chart(
    frame: Frame, symbol: str, interval: Interval = Interval.H1, candles: bool = False
) -> tuple[ChartSpec, Text]:
    """The chart of ``symbol`` and its title line (what it shows, the 200-day average)."""
    p, g = frame.palette, frame.glyphs
    item = frame.analysis.symbol(symbol)
    zones = item.zones if item is not None else None
    data = recent_candles(frame, symbol, interval)
    title_parts: list[Text | str] = [
        Text(plain(symbol, 10), style="bold"),
        Text(f"{interval.value} {g.sep} last {SPAN_LABEL[interval]}", style=p.muted),
    ]
    if not data:
        spec = ChartSpec(empty_text=f"no {interval.value} candles for {plain(symbol, 10)} yet")
        return spec, join(title_parts)
    unit = HOUR_MS if interval is not Interval.D1 else DAY_MS
    xs = tuple((c.open_ms - frame.now_ms) / unit for c in data)
    closes = tuple(c.close for c in data)
    lows = [c.low for c in data]
    highs = [c.high for c in data]
    low, high = (min(lows), max(highs)) if candles else (min(closes), max(closes))
    pad = (high - low) * 0.06 or high * 0.01
    y_low, y_high = low - pad, high + pad
    hlines: list[HLine] = []
    ma = zones.ma200 if zones is not None else None
    if ma is not None:
        if y_low <= ma <= y_high:
            hlines.append(HLine(ma, p.accent, "200D"))
            title_parts.append(Text(f"200D {fmt_price(ma)}", style=p.accent))
        else:
            where = "above" if ma > y_high else "below"
            dist = (ma / closes[-1] - 1) * 100
            title_parts.append(
                Text(f"200D {fmt_price(ma)} ({fmt_pct(dist, 0)}, {where} chart)", style=p.accent)
            )
    bands = zone_bands(zones, y_low, y_high, frame)
    if bands:
        title_parts.append(
            Text(f"nearest {len(bands)} of {len(zones.zones) if zones else 0} zones", style=p.support)
        )
    trend = p.signed(closes[-1] - closes[0])
    if candles:
        series: tuple[Series, ...] = ()
        candle_series: CandleSeries | None = CandleSeries(
            xs, tuple(c.open for c in data), tuple(highs), tuple(lows), closes, p.up, p.down
        )
    else:
        series = (Series(xs, closes, trend, "close"),)
        candle_series = None
    spec = ChartSpec(
        series=series,
        candles=candle_series,
        bands=bands,
        hlines=tuple(hlines),
        xticks=day_ticks(data[0].open_ms, data[-1].open_ms, frame.now_ms, unit),
        y_range=(y_low, y_high),
    )
    return spec, join(title_parts, f" {g.sep} ")
