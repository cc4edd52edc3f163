"""The macro and stress drilldown: jobless claims, Nasdaq correlation, stablecoin borrow APY, spreads."""

from __future__ import annotations

import itertools

from rich.text import Text

from crashtui.analysis.gauge import GaugeComponent
from crashtui.numfmt import fmt_ratio
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age, fmt_day, fmt_pct, fmt_stamp, fmt_usd
from crashtui.ui.render.books import baseline
from crashtui.ui.render.common import Column, lines, table
from crashtui.ui.render.fear import score_style
from crashtui.ui.render.frame import Frame


def _component(frame: Frame, name: str) -> Text:
    """The gauge's reading of one component (or why it is missing)."""
    p = frame.palette
    g = frame.analysis.gauge
    comp: GaugeComponent | None = next((c for c in g.components if c.name == name), None)
    if comp is not None:
        return Text.assemble(
            ("gauge: ", p.muted),
            (f"{comp.normalised:.0f}/100 ", score_style(comp.normalised, p)),
            (plain(comp.detail, 300), ""),
        )
    missing = next((m for m in g.missing if m.name == name), None)
    reason = plain(missing.reason, 200) if missing is not None else "not configured"
    return Text(f"gauge: missing ({reason})", style=p.warning)


def claims(frame: Frame, width: int) -> Text:
    """US initial jobless claims (weekly, FRED ICSA) with the week-on-week change."""
    p = frame.palette
    obs = [o for o in frame.snapshot.macro.get("ICSA", ()) if o.day_ms <= frame.now_ms][-8:]
    rows = [_component(frame, "jobless_claims")]
    if not obs:
        rows.append(Text("no ICSA observations yet", style=p.muted))
        return lines(rows)
    changes = [None, *[b.value - a.value for a, b in itertools.pairwise(obs)]]
    cols = [
        Column("WEEK ENDING", [Text(fmt_day(o.day_ms)) for o in reversed(obs)]),
        Column("CLAIMS", [Text(f"{o.value / 1000:,.0f}k", style="bold") for o in reversed(obs)], "right"),
        Column(
            "CHANGE",
            [
                Text(f"{c / 1000:+,.0f}k" if c is not None else "–", style=p.signed(-(c or 0)))
                for c in reversed(changes)
            ],
            "right",
        ),
    ]
    rows.extend(table(cols, width))
    return lines(rows)


def nasdaq(frame: Frame, width: int) -> Text:
    """Nasdaq closes (FRED NASDAQCOM) and the BTC correlation the gauge uses."""
    p = frame.palette
    obs = [o for o in frame.snapshot.macro.get("NASDAQCOM", ()) if o.day_ms <= frame.now_ms][-6:]
    rows = [_component(frame, "nasdaq_corr")]
    if not obs:
        rows.append(Text("no Nasdaq closes yet", style=p.muted))
        return lines(rows)
    changes = [None, *[(b.value / a.value - 1) * 100 for a, b in itertools.pairwise(obs)]]
    cols = [
        Column("DAY", [Text(fmt_day(o.day_ms)) for o in reversed(obs)]),
        Column("NASDAQ", [Text(f"{o.value:,.0f}", style="bold") for o in reversed(obs)], "right"),
        Column("DAY %", [Text(fmt_pct(c), style=p.signed(c)) for c in reversed(changes)], "right"),
    ]
    rows.extend(table(cols, width))
    return lines(rows)


def borrow(frame: Frame, width: int) -> Text:
    """Stablecoin borrow and supply APY per lending pool."""
    p = frame.palette
    rates = sorted(frame.snapshot.borrow, key=lambda r: -r.borrow_apy_pct)
    rows = [_component(frame, "borrow_apy")]
    if not rates:
        rows.append(Text("no borrow rates yet", style=p.muted))
        return lines(rows)
    cols = [
        Column(
            "POOL", [Text(f"{plain(r.protocol, 16)} {plain(r.chain, 12)} {plain(r.asset, 8)}") for r in rates]
        ),
        Column(
            "BORROW",
            [Text(f"{r.borrow_apy_pct:.2f}%", style=p.down if r.borrow_apy_pct >= 10 else "") for r in rates],
            "right",
        ),
        Column(
            "SUPPLY",
            [Text(f"{r.supply_apy_pct:.2f}%" if r.supply_apy_pct is not None else "–") for r in rates],
            "right",
            priority=1,
        ),
        Column(
            "AGE", [Text(fmt_age(frame.now_ms - r.ts_ms), style=p.muted) for r in rates], "right", priority=2
        ),
    ]
    rows.extend(table(cols, width))
    return lines(rows)


def spreads(frame: Frame, width: int) -> Text:
    """Spread per symbol against the gauge's 7-day baseline and depth against its 12 h median
    (thin books widen spreads); BTC's ratio is the gauge's ``spread`` component, digit for digit."""
    p, g = frame.palette, frame.glyphs
    rows = [_component(frame, "spread")]
    books = {s: h for s, h in sorted(frame.snapshot.books.items()) if h}
    if not books:
        rows.append(Text("no order-book readings yet", style=p.muted))
        return lines(rows)
    names, now, med, ratio, depth, when = [], [], [], [], [], []
    for symbol, history in books.items():
        base = baseline(history, frame.now_ms)
        if base is None:
            continue
        r, d_ratio = base.spread_ratio, base.depth_ratio
        names.append(Text(plain(symbol, 10), style="bold"))
        now.append(Text(f"{base.last.spread_bps:.2f} bps"))
        median_bps = base.median_spread_bps
        med.append(Text(f"{median_bps:.2f} bps" if median_bps is not None else "–", style=p.muted))
        ratio.append(
            Text(f"{fmt_ratio(r)}{g.times}" if r is not None else "–", style=p.down if r and r >= 2 else "")
        )
        depth_text = fmt_usd(base.depth_usd) + (
            f" ({fmt_ratio(d_ratio)}{g.times})" if d_ratio is not None else ""
        )
        depth.append(Text(depth_text, style=p.down if d_ratio is not None and d_ratio < 0.6 else ""))
        when.append(Text(fmt_stamp(base.last.ts_ms)[11:], style=p.muted))
    cols = [
        Column("SYMBOL", names),
        Column("SPREAD", now, "right"),
        Column("7d MEDIAN", med, "right", priority=2),
        Column("RATIO", ratio, "right"),
        Column("DEPTH ±1%", depth, "right", priority=1),
        Column("AS OF", when, priority=3),
    ]
    rows.extend(table(cols, width))
    return lines(rows)


def funding_overview(frame: Frame, width: int) -> Text:
    """Funding per symbol and venue (negative: shorts pay longs, a sign of fear)."""
    p = frame.palette
    rows = [_component(frame, "funding")]
    snaps = sorted(frame.snapshot.funding.values(), key=lambda f: (f.symbol, f.venue))
    if not snaps:
        rows.append(Text("no funding rates yet", style=p.muted))
        return lines(rows)
    cols = [
        Column("SYMBOL", [Text(plain(f.symbol, 10), style="bold") for f in snaps]),
        Column("VENUE", [Text(plain(f.venue, 20), style=p.muted) for f in snaps]),
        Column(
            "FUNDING/8h",
            [
                Text(
                    f"{f.funding_rate_8h * 100:+.4f}%" if f.funding_rate_8h is not None else "n/a",
                    style=p.signed(f.funding_rate_8h),
                )
                for f in snaps
            ],
            "right",
        ),
    ]
    rows.extend(table(cols, width))
    return lines(rows)
