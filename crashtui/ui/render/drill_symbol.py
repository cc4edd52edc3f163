"""The symbol drilldown: summary, zones with evidence, funding and open interest, spread and depth."""

from __future__ import annotations

from rich.text import Text

from crashtui.analysis.zone_state import STATES, ZoneState
from crashtui.analysis.zones import Zone, ZoneKind, distance_pct_at, edge_distance
from crashtui.numfmt import fmt_ratio
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age, fmt_pct, fmt_price, fmt_stamp, fmt_usd
from crashtui.ui.render.books import baseline
from crashtui.ui.render.common import Column, ext, fit, lines, table, wrap_items
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.price import badge_cell, change_cell, shown_price, state_style


def symbol_summary(frame: Frame, symbol: str, width: int) -> Text:
    """``ETH 1,749.23 -11.8% 24h · BROKE 1,796 since … · price: ticker binance``."""
    p, g = frame.palette, frame.glyphs
    item = frame.analysis.symbol(symbol)
    if item is None:
        return Text(f"{plain(symbol, 10)} is not in this watchlist", style=p.muted)
    if item.price is None:
        return Text(f"{plain(symbol, 10)}: {plain(item.note, 80)}", style=p.muted)
    read = shown_price(item, frame.snapshot)
    assert read is not None  # item.price is not None
    change = change_cell(read, frame.snapshot.generated_ms, p)
    if not read.stale:
        change.append(" 24h")
    parts: list[Text | str] = [
        Text(plain(symbol, 10), style="bold"),
        Text(fmt_price(read.price), style=p.warning if read.stale else "bold"),
        change,
        badge_cell(item.summary, p),
    ]
    if item.summary is not None and item.summary.badge_since_ms is not None:
        parts.append(Text(f"since {fmt_stamp(item.summary.badge_since_ms)}", style=p.muted))
    parts.append(Text(f"price: {plain(read.source, 60)}", style=p.warning if read.stale else p.muted))
    out = lines(wrap_items([t if isinstance(t, Text) else Text(t) for t in parts], width, f" {g.sep} "))
    zones = item.zones
    if zones is not None:
        ma = (
            f"200D {fmt_price(zones.ma200)} ({fmt_pct((zones.ma200 / item.price - 1) * 100, 0)})"
            if zones.ma200
            else "200D n/a"
        )
        atr = (
            f"ATR {fmt_price(zones.atr)} ({plain(zones.atr_basis, 40)})"
            if zones.atr
            else plain(zones.atr_basis, 60)
        )
        extra = Text(
            f"{ma} {g.sep} {atr} {g.sep} {zones.daily_candles} daily + {zones.intraday_candles} "
            f"{zones.intraday_interval or 'intraday'} candles",
            style=p.muted,
        )
        notes = [Text(plain(n, 200), style=p.warning) for n in zones.notes]
        return lines([out, *wrap_items([extra], width, " "), *notes])
    return out


def _state_text(z: Zone, frame: Frame) -> Text:
    if z.state is ZoneState.CLEAR:
        return Text("clear", style=frame.palette.muted)
    since = f" {fmt_stamp(z.state_since_ms)[5:]}" if z.state_since_ms is not None else ""
    return Text(f"{STATES[z.state].words}{since}", style=state_style(z.state, frame.palette))


def zones_table(frame: Frame, symbol: str, width: int) -> Text:
    """Every kept zone, nearest first on each side, with distance, strength and state."""
    p = frame.palette
    item = frame.analysis.symbol(symbol)
    if item is None or item.zones is None or not item.zones.zones:
        return Text("no zones yet (needs daily or intraday candles)", style=p.muted)
    zones = sorted(item.zones.zones, key=lambda z: -z.level)
    read = shown_price(item, frame.snapshot)
    price = read.price if read is not None else item.zones.price
    atr = item.zones.atr
    kinds = [
        Text(
            ("support" if z.kind is ZoneKind.SUPPORT else "resist") + (" pin" if z.pinned else ""),
            style=p.support if z.kind is ZoneKind.SUPPORT else p.resistance,
        )
        for z in zones
    ]
    cols = [
        Column("LEVEL", [Text(fmt_price(z.level), style="bold") for z in zones], "right"),
        Column("KIND", kinds),
        Column("DIST", [Text(fmt_pct(distance_pct_at(z, price))) for z in zones], "right"),
        Column("STATE", [_state_text(z, frame) for z in zones], priority=1),
        Column("STRENGTH", [Text(f"{z.strength:.2f}") for z in zones], "right", priority=2),
        Column("RANGE", [Text(f"{fmt_price(z.low)}–{fmt_price(z.high)}") for z in zones], priority=3),
        Column(
            "ATR",
            [Text(f"{edge_distance(z.low, z.high, price) / atr:+.1f}" if atr else "n/a") for z in zones],
            "right",
            priority=4,
        ),
        Column("TOUCH", [Text(str(z.touches)) for z in zones], "right", priority=5),
        Column(
            "LAST TOUCH",
            [Text(fmt_stamp(z.last_touch_ms)[5:] if z.last_touch_ms else "–", style=p.muted) for z in zones],
            priority=6,
        ),
    ]
    return lines(table(cols, width))


def zone_evidence(frame: Frame, symbol: str, width: int) -> Text:
    """Why each zone exists: its evidence, one line each."""
    p, g = frame.palette, frame.glyphs
    item = frame.analysis.symbol(symbol)
    if item is None or item.zones is None or not item.zones.zones:
        return Text("")
    rows: list[Text] = []
    for z in sorted(item.zones.zones, key=lambda z: -z.level):
        kind_style = p.support if z.kind is ZoneKind.SUPPORT else p.resistance
        sp = z.strength_parts
        rows.append(
            Text.assemble(
                (fmt_price(z.level), f"bold {kind_style}"),
                (
                    f"  strength {z.strength:.2f} = touches {sp.touches:.2f} {g.sep} recency {sp.recency:.2f}"
                    f" {g.sep} volume {sp.volume:.2f} {g.sep} agreement {sp.agreement:.2f}",
                    p.muted,
                ),
            )
        )
        for ev in z.evidence:
            rows.append(Text(f"  - {plain(ev.description, 160)}"))
        if z.evidence_omitted:
            rows.append(Text(f"  - and {z.evidence_omitted} older pivot(s)", style=p.muted))
    return lines([r if r.cell_len <= width else fit(r, width) for r in rows])


def derivatives(frame: Frame, symbol: str, width: int) -> Text:
    """Funding (8 h), next funding, mark/index and open interest per venue."""
    p = frame.palette
    snaps = [f for (venue, sym), f in sorted(frame.snapshot.funding.items()) if sym == symbol]
    if not snaps:
        return Text("no funding or open-interest data for this symbol yet", style=p.muted)
    venues, funding, nexts, marks, oi, ages = [], [], [], [], [], []
    for f in snaps:
        venues.append(ext(f.venue, 20))
        rate = f.funding_rate_8h * 100 if f.funding_rate_8h is not None else None
        funding.append(Text(f"{rate:+.4f}%" if rate is not None else "n/a", style=p.signed(rate)))
        nexts.append(Text(fmt_stamp(f.next_funding_ms)[11:] if f.next_funding_ms else "–"))
        mark = fmt_price(f.mark_price) if f.mark_price else "–"
        index = fmt_price(f.index_price) if f.index_price else "–"
        marks.append(Text(f"{mark} / {index}"))
        oi_usd = f.open_interest_usd
        if oi_usd is None and f.open_interest_base is not None and f.mark_price:
            oi_usd = f.open_interest_base * f.mark_price
        base = f"{f.open_interest_base:,.0f} {plain(symbol, 10)}" if f.open_interest_base is not None else "–"
        oi.append(Text(f"{base} ({fmt_usd(oi_usd)})" if oi_usd is not None else base))
        ages.append(Text(fmt_age(frame.now_ms - f.ts_ms), style=p.muted))
    cols = [
        Column("VENUE", venues),
        Column("FUNDING/8h", funding, "right"),
        Column("OPEN INTEREST", oi, priority=1),
        Column("MARK / INDEX", marks, priority=2),
        Column("NEXT", nexts, priority=3),
        Column("AGE", ages, "right", priority=4),
    ]
    return lines(table(cols, width))


def book(frame: Frame, symbol: str, width: int) -> Text:
    """Spread now against the gauge's 7-day baseline, ±1% depth against its 12 h median."""
    p, g = frame.palette, frame.glyphs
    base = baseline(frame.snapshot.books.get(symbol, ()), frame.now_ms)
    if base is None:
        return Text("no order-book readings for this symbol yet", style=p.muted)
    last, ratio, depth_ratio = base.last, base.spread_ratio, base.depth_ratio
    median_bps = base.median_spread_bps
    ratio_text = (
        f" ({fmt_ratio(ratio)}{g.times} the 7-day median {median_bps:.2f})"
        if ratio is not None and median_bps is not None
        else ""
    )
    spread_style = p.down if ratio is not None and ratio >= 2 else ""
    thin = depth_ratio is not None and depth_ratio < 0.6
    rows = [
        Text.assemble(
            (f"{plain(last.venue, 20)} ", p.muted),
            ("spread ", p.muted),
            (f"{last.spread_bps:.2f} bps{ratio_text}", spread_style),
            (f" {g.sep} mid {fmt_price(last.mid)} {g.sep} as of {fmt_stamp(last.ts_ms)[11:]}", p.muted),
        ),
        Text.assemble(
            ("depth ±1%  ", p.muted),
            (f"bid {fmt_usd(last.bid_depth_usd)}  ask {fmt_usd(last.ask_depth_usd)}", ""),
            (
                f"  ({fmt_ratio(depth_ratio)}{g.times} the 12 h median, {base.readings} readings)"
                if depth_ratio
                else "",
                p.down if thin else p.muted,
            ),
        ),
    ]
    if thin:
        rows.append(Text("order book is thin: depth well under its 12 h median", style=p.down))
    return lines([fit(r, width) for r in rows])
