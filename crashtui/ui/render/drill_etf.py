"""The ETF drilldown: per-fund flows by day, the cumulative chart, week/streak figures."""

from __future__ import annotations

import math
from collections.abc import Sequence

from rich.text import Text

from crashtui.analysis.days import DAY_MS, day_start, weekday
from crashtui.analysis.etf import EtfSummary, daily_rows, period_label
from crashtui.model import EtfFlow
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_day, fmt_flow
from crashtui.ui.render.charts import ChartSpec, HLine, Series
from crashtui.ui.render.common import Column, lines, table, wrap_items
from crashtui.ui.render.frame import Frame

TABLE_DAYS = 15


def asset_picker(assets: list[str], current: str, frame: Frame) -> Text:
    """``asset:  1 BTC   2 ETH``."""
    out = Text("asset: ", style=frame.palette.muted)
    for i, asset in enumerate(assets, start=1):
        out.append(f" {i} {plain(asset, 8)} ", style="bold reverse" if asset == current else "dim")
        out.append(" ")
    out.append("(tab: next)", style="dim")
    return out


def summary_block(summary: EtfSummary, frame: Frame) -> Text:
    """Latest day, week to date, trailing 5 days, streak, cumulative, unpublished days, sources."""
    p, g = frame.palette, frame.glyphs
    t = summary.total
    rows: list[Text] = []
    latest = fmt_day(t.latest_day_ms) if t.latest_day_ms is not None else "none"
    rows.append(
        Text.assemble(
            ("latest published day ", p.muted),
            (latest, "bold"),
            (": ", p.muted),
            (f"{fmt_flow(t.latest_usd_m)} US$m", f"bold {p.signed(t.latest_usd_m)}"),
        )
    )
    wtd, t5 = t.week_to_date, t.trailing_5d
    wtd_note = "" if wtd.complete else f" (incomplete: {len(wtd.unpublished_days_ms)} day(s) not published)"
    rows.append(
        Text.assemble(
            (_wtd_label(wtd.first_day_ms), p.muted),
            (f"{fmt_flow(wtd.net_usd_m)} US$m over {wtd.days} day(s)", p.signed(wtd.net_usd_m)),
            (wtd_note, p.warning),
            (f"  {g.sep}  last 5 trading days ", p.muted),
            (f"{fmt_flow(t5.net_usd_m)} US$m", p.signed(t5.net_usd_m)),
            ("" if t5.complete else " (incomplete)", p.warning),
        )
    )
    s = t.streak
    if s.days:
        since = f" since {fmt_day(s.since_day_ms)}" if s.since_day_ms is not None else ""
        rows.append(
            Text(
                f"streak: {s.days} day(s) of {s.direction}s{since}, {fmt_flow(s.net_usd_m)} US$m",
                style=p.signed(s.net_usd_m),
            )
        )
    else:
        rows.append(Text("streak: none", style=p.muted))
    if t.cumulative_usd_m is not None:
        rows.append(
            Text(f"cumulative since launch {t.cumulative_usd_m:+,.0f} US$m ({plain(t.cumulative_note, 120)})")
        )
    else:
        rows.append(Text(f"cumulative since launch: n/a ({plain(t.cumulative_note, 120)})", style=p.muted))
    if summary.unpublished_days_ms:
        days = ", ".join(fmt_day(d) for d in summary.unpublished_days_ms)
        rows.append(Text(f"not published yet (never counted as 0): {days}", style=p.warning))
    if summary.aggregates:
        totals = f" {g.sep} ".join(
            f"{period_label(a.period, a.start_day_ms)} {fmt_flow(a.net_usd_m)} US$m ({plain(a.source, 20)})"
            for a in summary.aggregates[-4:]
        )
        rows.append(Text(f"source totals by period (not days): {totals}", style=p.muted))
    sources = ", ".join(plain(s, 20) for s in summary.sources) or "none"
    rows.append(Text(f"sources: {sources} {g.sep} {summary.history_days} day(s) of history", style=p.muted))
    rows.extend(Text(plain(n, 200), style=p.muted) for n in summary.notes)
    return lines(rows)


def _wtd_label(monday_ms: int | None) -> str:
    """``week to date `` (``week to date (week of 02-02) `` when the week is known)."""
    return "week to date " if monday_ms is None else f"week to date ({period_label('week', monday_ms)}) "


def net_flow(flows: Sequence[EtfFlow]) -> float:
    """The net of published daily totals, summed exactly (the same figure wherever it is shown:
    a float sum in another order can round .5 the other way)."""
    return math.fsum(f.total_usd_m for f in daily_rows(flows) if f.published and f.total_usd_m is not None)


def _rows(flows: tuple[EtfFlow, ...], now_ms: int) -> list[EtfFlow]:
    days = [f for f in daily_rows(flows) if weekday(f.day_ms) < 5 and f.day_ms <= now_ms]
    return list(reversed(days))[:TABLE_DAYS]


def fund_table(summary: EtfSummary, frame: Frame, width: int) -> Text:
    """Days (newest first) × funds, plus the total; US$m. The last row is each fund's net over the
    days shown, and the funds are in the order of that row (largest movers first): the order
    is the figure on screen, not one computed over another span."""
    p = frame.palette
    rows = _rows(frame.snapshot.etf_flows.get(summary.asset, ()), frame.now_ms)
    if not rows:
        return Text("no daily rows", style=p.muted)

    def flow(r: EtfFlow, name: str) -> float | None:
        return next((f.flow_usd_m for f in r.funds if f.ticker == name), None) if r.published else None

    oldest_first = rows[::-1]
    nets = {
        fund.name: math.fsum(v for r in oldest_first if (v := flow(r, fund.name)) is not None)
        for fund in summary.funds
    }
    movers = sorted(summary.funds, key=lambda f: -abs(round(nets[f.name], 1)))
    total_net = net_flow(oldest_first)
    net_label = f"{len(rows)}d net"
    cols = [
        Column(
            "DAY", [*(Text(fmt_day(r.day_ms), style=p.muted) for r in rows), Text(net_label, style="bold")]
        ),
        Column(
            "TOTAL",
            [
                *(Text(fmt_flow(r.total_usd_m), style=f"bold {p.signed(r.total_usd_m)}") for r in rows),
                Text(fmt_flow(total_net), style=f"bold {p.signed(total_net)}"),
            ],
            "right",
        ),
    ]
    for rank, fund in enumerate(movers, start=1):
        cells = []
        for r in rows:
            value = flow(r, fund.name)
            cells.append(Text(fmt_flow(value) if value is not None else "–", style=p.signed(value)))
        net = nets[fund.name]
        cells.append(Text(fmt_flow(net), style=f"bold {p.signed(net)}"))
        cols.append(Column(plain(fund.name, 8), cells, "right", priority=rank))
    out = table(cols, width)
    hidden = len(cols) - len(out[0].plain.split())
    if hidden > 0:
        out.append(Text(f"{hidden} more fund(s) off to the right: widen the terminal", style=p.muted))
    out.append(Text("n/p = not published yet; – = fund not listed that day", style=p.muted))
    return lines(out)


def shares(summary: EtfSummary, frame: Frame, width: int) -> Text:
    """Each fund's share of the latest day's gross flow."""
    p, g = frame.palette, frame.glyphs
    parts = [
        Text(f"{plain(s.ticker, 8)} {fmt_flow(s.flow_usd_m)} ({s.share_of_gross_pct:.0f}%)")
        for s in sorted(summary.day_shares, key=lambda s: -(s.share_of_gross_pct or 0.0))
        if s.share_of_gross_pct
    ]
    if not parts:
        return Text("no per-fund split for the latest day", style=p.muted)
    return lines(wrap_items(parts, width, f" {g.sep} "))


def cumulative_chart(summary: EtfSummary, frame: Frame) -> tuple[ChartSpec, Text]:
    """Running sum of published daily totals over the history in memory (US$m)."""
    flows = [
        f
        for f in daily_rows(frame.snapshot.etf_flows.get(summary.asset, ()))
        if f.published and f.day_ms <= frame.now_ms
    ]
    if len(flows) < 2:
        return ChartSpec(empty_text="not enough published days for a cumulative chart"), Text(
            "Cumulative flows"
        )
    xs, ys = [], []
    for i, f in enumerate(flows):
        xs.append(float((day_start(f.day_ms) - day_start(frame.now_ms)) // DAY_MS))
        ys.append(net_flow(flows[: i + 1]))
    total = ys[-1]
    step = max(1, len(flows) // 6)
    ticks = tuple((xs[i], fmt_day(flows[i].day_ms)) for i in range(0, len(flows), step))
    spec = ChartSpec(
        series=(Series(tuple(xs), tuple(ys), frame.palette.signed(total)),),
        hlines=(HLine(0.0, frame.palette.muted),),
        xticks=ticks,
        y_format="flow",
    )
    title = Text(
        f"Cumulative {plain(summary.asset, 8)} ETF flows since {fmt_day(flows[0].day_ms)}, US$m "
        f"(history in memory, not since launch): {fmt_flow(total)}"
    )
    return spec, title
