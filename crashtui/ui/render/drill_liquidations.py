"""The liquidations drilldown: by venue, side and symbol for a window; cascades; largest orders."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from crashtui.analysis.days import DAY_MS
from crashtui.analysis.liquidations import SideSplit, WindowTally
from crashtui.model import Side
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_day, fmt_price, fmt_stamp, fmt_usd
from crashtui.ui.render.charts import ChartSpec, Series
from crashtui.ui.render.common import Column, ext, lines, table
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.liquidations import cascade_line

WINDOW_NAMES = ("1h", "4h", "24h", "72h")


def window_picker(current: str, frame: Frame) -> Text:
    """``window: 1h [4h] 24h 72h (keys 1–4)``."""
    out = Text("window: ", style=frame.palette.muted)
    for i, name in enumerate(WINDOW_NAMES, start=1):
        out.append(f" {i} {name} ", style="bold reverse" if name == current else "dim")
        out.append(" ")
    return out


def split_table(
    rows: Sequence[SideSplit], sampled: Sequence[str], frame: Frame, width: int, label: str
) -> Text:
    """LONG / SHORT / TOTAL / COUNT / LONG% per row."""
    p = frame.palette
    if not rows:
        return Text("none in this window", style=p.muted)
    names = [ext(r.name + ("*" if r.name in sampled else ""), 16, style="bold") for r in rows]
    cols = [
        Column(label, names),
        Column("LONGS", [Text(fmt_usd(r.long_usd), style=p.down) for r in rows], "right"),
        Column("SHORTS", [Text(fmt_usd(r.short_usd), style=p.up) for r in rows], "right"),
        Column("TOTAL", [Text(fmt_usd(r.total_usd), style="bold") for r in rows], "right"),
        Column(
            "LONG%",
            [Text(f"{r.long_share * 100:.0f}%" if r.long_share is not None else "–") for r in rows],
            "right",
            priority=1,
        ),
        Column("ORDERS", [Text(f"{r.count:,}") for r in rows], "right", priority=2),
    ]
    return lines(table(cols, width))


def window_summary(window: WindowTally | None, frame: Frame) -> Text:
    """Totals line of the window, with the sampled-feed caveat."""
    p = frame.palette
    if window is None:
        return Text("no such window", style=p.muted)
    t = window.total
    share = f"{t.long_share * 100:.0f}% longs" if t.long_share is not None else "no orders"
    text = Text.assemble(
        (f"{window.window}: ", "bold"),
        (fmt_usd(t.total_usd), "bold"),
        (f" in {t.count:,} orders, {share} ", ""),
        (f"({fmt_stamp(window.start_ms)[5:]} → {fmt_stamp(window.end_ms)[11:]})", p.muted),
    )
    if window.lower_bound:
        text.append(
            f"  * sampled venues ({', '.join(plain(v, 12) for v in window.sampled_venues)}): a lower bound",
            style=p.warning,
        )
    return text


def cascades(frame: Frame, width: int) -> Text:
    """The current cascade state and every remembered cascade, newest first."""
    p = frame.palette
    stats = frame.analysis.liquidations
    rows = [cascade_line(stats, frame)]
    baseline = fmt_usd(stats.baseline_rate_usd) if stats.baseline_rate_usd is not None else "n/a"
    rows.append(
        Text(
            f"rate {fmt_usd(stats.rate_usd)} per {stats.rate_window_s // 60} min {frame.glyphs.sep} "
            f"baseline {baseline} {frame.glyphs.sep} "
            f"cascade threshold {fmt_usd(stats.cascade_threshold_usd)}",
            style=p.muted,
        )
    )
    history = list(reversed(stats.cascades))
    if not history:
        rows.append(Text("no cascades in memory", style=p.muted))
        return lines(rows)
    cols = [
        Column("START", [Text(fmt_stamp(c.start_ms)[5:]) for c in history]),
        Column(
            "END",
            [
                Text(
                    fmt_stamp(c.end_ms)[11:] if c.end_ms else "open",
                    style="" if c.end_ms else f"bold {p.down}",
                )
                for c in history
            ],
        ),
        Column("PEAK/5m", [Text(fmt_usd(c.peak_rate_usd), style="bold") for c in history], "right"),
        Column("TOTAL", [Text(fmt_usd(c.total_usd)) for c in history], "right"),
        Column(
            "SIDE",
            [
                Text(
                    f"{'longs' if c.dominant_side is Side.LONG else 'shorts'} "
                    f"{max(c.long_usd, c.short_usd) / c.total_usd * 100 if c.total_usd else 0:.0f}%",
                    style=p.down if c.dominant_side is Side.LONG else p.up,
                )
                for c in history
            ],
            priority=1,
        ),
        Column("PEAK AT", [Text(fmt_stamp(c.peak_ms)[11:], style=p.muted) for c in history], priority=2),
    ]
    rows.extend(table(cols, width))
    return lines(rows)


def largest(window: WindowTally | None, frame: Frame, width: int) -> Text:
    """The largest orders of the window."""
    p = frame.palette
    if window is None or not window.largest:
        return Text("none in this window", style=p.muted)
    orders = window.largest
    cols = [
        Column("TIME", [Text(fmt_stamp(o.ts_ms)[5:], style=p.muted) for o in orders]),
        Column("VENUE", [ext(o.venue, 14) for o in orders]),
        Column("SYMBOL", [ext(o.symbol, 10, style="bold") for o in orders]),
        Column(
            "SIDE",
            [
                Text(
                    "long" if o.liquidated_side is Side.LONG else "short",
                    style=p.down if o.liquidated_side is Side.LONG else p.up,
                )
                for o in orders
            ],
        ),
        Column("USD", [Text(fmt_usd(o.notional_usd), style="bold") for o in orders], "right"),
        Column("PRICE", [Text(fmt_price(o.price)) for o in orders], "right", priority=1),
        Column("QTY", [Text(f"{o.qty:,.4g}") for o in orders], "right", priority=2),
        Column("INSTRUMENT", [ext(o.instrument, 20, style=p.muted) for o in orders], priority=3),
    ]
    return lines(table(cols, width))


def held_orders(frame: Frame, width: int) -> Text:
    """Liquidations the gate quarantined ("held: implausible", never counted), newest first."""
    p = frame.palette
    orders = frame.snapshot.held_liquidations[::-1][:20]
    if not orders:
        return Text("none: every order passed the plausibility checks", style=p.muted)
    cols = [
        Column("TIME", [Text(fmt_stamp(o.ts_ms)[5:], style=p.muted) for o in orders]),
        Column("VENUE", [ext(o.venue, 14) for o in orders]),
        Column("SYMBOL", [ext(o.symbol, 10, style="bold") for o in orders]),
        Column("USD", [Text(fmt_usd(o.notional_usd), style=p.warning) for o in orders], "right"),
        Column("PRICE", [Text(fmt_price(o.price)) for o in orders], "right", priority=1),
        Column("STATUS", [Text("held: implausible", style=p.warning) for _ in orders], priority=2),
    ]
    return lines(table(cols, width))


def daily_chart(frame: Frame) -> tuple[ChartSpec, Text]:
    """Daily liquidation totals (US$ millions) for the days in the tally's memory."""
    days = frame.analysis.liquidations.daily_totals
    title = Text("Daily liquidations, US$ millions (UTC days; sampled venues make these lower bounds)")
    if not days:
        return ChartSpec(empty_text="no daily totals yet"), title
    xs = tuple(float((d.day_ms - frame.now_ms) // DAY_MS) for d in days)
    ys = tuple(d.total_usd / 1e6 for d in days)
    step = max(1, len(days) // 6)
    ticks = tuple((xs[i], fmt_day(days[i].day_ms)) for i in range(0, len(days), step))
    spec = ChartSpec(series=(Series(xs, ys, frame.palette.down, bars=True),), xticks=ticks, y_format="int")
    return spec, title
