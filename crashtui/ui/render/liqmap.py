"""The estimated liquidation map: a heat band of price rows around the price (under the symbol's
chart) and the full list of price bands (the ``h`` drilldown).

Every figure is a model's **estimate** (:mod:`crashtui.analysis.liqmap`: open-interest increases
placed at the price where they happened, spread over leverage tiers), never reported
liquidations, and every view says so. Pure: frame in, Rich ``Text`` out.
"""

from __future__ import annotations

import math

from rich.text import Text

from crashtui.analysis.liqmap.result import LiqLevel, LiqMap
from crashtui.numfmt import fmt_price, fmt_usd
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age, fmt_pct, fmt_stamp
from crashtui.ui.render.common import Column, fit, lines, table, wrap_plain
from crashtui.ui.render.frame import Frame

ESTIMATE = "estimate"
HEAT_ROWS = 11  # price rows of the heat band (odd: the price sits in the middle one)
HEAT_SPAN_PCT = 12.0  # the band covers price ± this much


def map_of(frame: Frame, symbol: str) -> LiqMap | None:
    """The symbol's estimated map, if the radar has one."""
    radar = frame.radar
    return radar.liquidation_maps.get(symbol) if radar is not None else None


def why_none(frame: Frame, symbol: str) -> Text:
    """Why there is no map to show (never an empty picture that looks like "no risk")."""
    p = frame.palette
    if frame.radar is None:
        return Text(f"Estimated liquidation map: computing{frame.glyphs.ellipsis}", style=p.muted)
    return Text(
        f"Estimated liquidation map: none for {plain(symbol, 12)} yet "
        "(it needs perpetual open-interest history and hourly candles)",
        style=p.muted,
    )


def header(frame: Frame, liq: LiqMap) -> Text:
    """``ESTIMATE · from binance, bybit OI since 02-04 · 60% taker split known · as of 1m``."""
    p, g = frame.palette, frame.glyphs
    sep = f" {g.sep} "
    parts = [f"{ESTIMATE.upper()}: modelled from open interest, not reported liquidations"]
    if liq.venues:
        since = f" since {fmt_stamp(liq.from_ms)}" if liq.from_ms is not None else ""
        parts.append(f"OI of {', '.join(plain(v, 16) for v in liq.venues)}{since}")
    if liq.taker_known is not None:
        parts.append(f"{liq.taker_known * 100:.0f}% with a taker split")
    if liq.at_ms is not None:
        parts.append(f"as of {fmt_age(frame.now_ms - liq.at_ms)}")
    return Text(sep.join(parts), style=p.warning)


def _rows(liq: LiqMap, price: float, rows: int, span_pct: float) -> list[tuple[float, float, float, float]]:
    """``(low, high, long_usd, short_usd)`` per price row, highest first."""
    low, high = price * (1 - span_pct / 100), price * (1 + span_pct / 100)
    step = (high - low) / rows
    out = []
    for i in range(rows):
        top = high - i * step
        bottom = top - step
        longs = shorts = 0.0
        for lv in liq.levels:
            overlap = min(lv.high, top) - max(lv.low, bottom)
            if overlap <= 0 or lv.high <= lv.low:
                continue
            share = lv.est_usd * overlap / (lv.high - lv.low)
            if lv.side == "long":
                longs += share
            else:
                shorts += share
        out.append((bottom, top, longs, shorts))
    return out


def heat_band(
    frame: Frame, symbol: str, width: int, rows: int = HEAT_ROWS, span_pct: float = HEAT_SPAN_PCT
) -> Text:
    """Price rows around the price, each with a bar as long as the estimated USD liquidated
    there (longs below the price, shorts above), labelled as an estimate."""
    p, g = frame.palette, frame.glyphs
    liq = map_of(frame, symbol)
    if liq is None or liq.price is None or not math.isfinite(liq.price) or liq.price <= 0:
        return why_none(frame, symbol)
    price = liq.price
    out = list(wrap_plain(header(frame, liq).plain, width, style=p.warning))
    bands = _rows(liq, price, rows, span_pct)
    biggest = max((max(lo, sh) for _, _, lo, sh in bands), default=0.0)
    bar_room = max(4, width - 34)
    for bottom, top, longs, shorts in bands:
        mid = (bottom + top) / 2
        here = bottom <= price < top
        label = Text(
            f"{fmt_price(mid):>9} {fmt_pct((mid / price - 1) * 100, 1):>6} ", style="bold" if here else ""
        )
        usd = longs + shorts
        if usd <= 0 or biggest <= 0:
            bar = Text(g.bar_empty * 1, style=p.muted)
            amount = Text("")
        else:
            size = max(1, round(usd / biggest * bar_room))
            style = p.down if longs >= shorts else p.up
            bar = Text(g.bar_full * size, style=style)
            side = "longs" if longs >= shorts else "shorts"
            amount = Text(f" ~{fmt_usd(usd)} {side}", style=style)
        row = label + bar + amount
        if here:
            row.append(f"  {g.arrow} price {fmt_price(price)}", style=f"bold {p.accent}")
        out.append(fit(row, width))
    total_long, total_short = liq.total_usd("long"), liq.total_usd("short")
    out.append(
        fit(
            Text(
                f"est. longs ~{fmt_usd(total_long)} below, shorts ~{fmt_usd(total_short)} above "
                f"(all bands; h: every band)",
                style=p.muted,
            ),
            width,
        )
    )
    return lines(out)


def _distance(lv: LiqLevel, price: float | None) -> str:
    return fmt_pct(lv.distance_pct(price), 1) if price is not None and price > 0 else "n/a"


def bands_table(frame: Frame, symbol: str, width: int, limit: int = 60) -> Text:
    """Every estimated band, nearest the price first: band, side, estimated USD, distance."""
    p = frame.palette
    liq = map_of(frame, symbol)
    if liq is None:
        return why_none(frame, symbol)
    out = list(wrap_plain(header(frame, liq).plain, width, style=p.warning))
    if not liq.levels:
        out.append(Text("no estimated positions left to liquidate in any band", style=p.muted))
        return lines(out)
    price = liq.price
    levels = sorted(liq.levels, key=lambda lv: abs(lv.distance_pct(price)) if price else lv.low)[:limit]
    cols = [
        Column(
            "Price band",
            [Text(f"{fmt_price(lv.low)} {frame.glyphs.dash} {fmt_price(lv.high)}") for lv in levels],
        ),
        Column(
            "Side",
            [Text(str(lv.side), style=p.down if lv.side == "long" else p.up) for lv in levels],
        ),
        Column(f"Est. USD ({ESTIMATE})", [Text(f"~{fmt_usd(lv.est_usd)}") for lv in levels], "right"),
        Column("From price", [Text(_distance(lv, price)) for lv in levels], "right", priority=1),
    ]
    out += table(cols, width)
    if len(liq.levels) > limit:
        out.append(
            Text(f"{frame.glyphs.ellipsis} {len(liq.levels) - limit} more bands further away", style=p.muted)
        )
    notes = [f"bands {fmt_usd(liq.bucket_usd)} wide", f"{liq.steps} OI steps placed"]
    if liq.gaps:
        notes.append(f"{liq.gaps} gaps in the OI history")
    if liq.dropped:
        notes.append(f"{liq.dropped} unusable rows left out")
    out.append(Text("; ".join(notes), style=p.muted))
    out.append(Text("model and limits: docs/liquidation-map.md", style=p.muted))
    return lines(out)
