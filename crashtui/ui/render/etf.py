"""The ETF flows pane: daily net flows as bars either side of a zero line for the last trading days,
week to date, streak."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from crashtui.analysis.days import DAY_MS, day_start, weekday
from crashtui.analysis.etf import EtfSummary, daily_rows, period_label
from crashtui.model import EtfFlow
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_day, fmt_flow
from crashtui.ui.render.common import fit, join, lines, wrap_plain
from crashtui.ui.render.frame import Frame
from crashtui.ui.sparkline import signed_bars

DAYS = 15


@dataclass(frozen=True, slots=True)
class FlowDays:
    """One asset's last trading days, oldest first; None = not published (yet)."""

    days_ms: tuple[int, ...]
    values: tuple[float | None, ...]
    first_ms: int = 0


def trading_days(end_ms: int, count: int) -> list[int]:
    """The last ``count`` weekdays up to and including ``end_ms``'s day, oldest first."""
    out: list[int] = []
    day = day_start(end_ms)
    while len(out) < count:
        if weekday(day) < 5:
            out.append(day)
        day -= DAY_MS
    return out[::-1]


def flow_days(flows: tuple[EtfFlow, ...], now_ms: int, count: int = DAYS) -> FlowDays:
    """Daily totals for the last ``count`` trading days up to today (not published yet: None).

    A weekday without a row before the newest published day was a market holiday, and a day
    before the first row is before the history: neither is a trading day with a flow, so
    neither is counted (the pane's "15 trading days" are 15 columns). ``first_ms`` is the
    earliest day any row exists for.
    """
    by_day = {day_start(f.day_ms): f.total_usd_m for f in daily_rows(flows)}
    first = min(by_day) if by_day else day_start(now_ms)
    anchor = max(by_day, default=first)
    days: list[int] = []
    for day in reversed(trading_days(now_ms, count + 30)):
        if day < first or len(days) == count:
            break
        if day in by_day or day > anchor:
            days.append(day)
    days.reverse()
    return FlowDays(tuple(days), tuple(by_day.get(d) for d in days), first)


def streak_text(summary: EtfSummary) -> str:
    """``3d out`` / ``2d in`` / ``no streak``."""
    s = summary.total.streak
    if s.days == 0:
        return "no streak"
    return f"{s.days}d {'out' if s.direction == 'outflow' else 'in'}"


def asset_lines(frame: Frame, summary: EtfSummary, width: int) -> list[Text]:
    """Two rows around a zero line, inflows above and outflows below (readable without colour)::

    BTC +▄ █  ▁      · last -434.1 wtd -689.2 3d out
        -  ▀ ▀ ██▀ ▀▀
    """
    p, g = frame.palette, frame.glyphs
    days = flow_days(frame.snapshot.etf_flows.get(summary.asset, ()), frame.now_ms)
    above, below = signed_bars(days.values, g.flow_up, g.flow_down, g.unpublished)
    up_text, down_text = Text("+", style=p.muted), Text("-", style=p.muted)
    for up, down, value in zip(above, below, days.values, strict=True):
        up_text.append(up, style=p.muted if value is None else p.signed(value))
        down_text.append(down, style=p.signed(value))
    name = Text(plain(summary.asset, 6), style="bold")
    indent = Text(" " * name.cell_len)
    t = summary.total
    wtd = t.week_to_date.net_usd_m
    parts = [
        name,
        up_text,
        Text.assemble(("last ", p.muted), (fmt_flow(t.latest_usd_m), p.signed(t.latest_usd_m))),
        Text.assemble(("wtd ", p.muted), (fmt_flow(wtd) if wtd is not None else "n/a", p.signed(wtd))),
        Text(streak_text(summary), style=p.signed(-1 if t.streak.direction == "outflow" else 1)),
    ]
    full = join(parts, " ")
    first = full if full.cell_len <= width else fit(join(parts[:2] + parts[3:], " "), width)
    second = join([indent, down_text], " ")
    return [first, second if second.cell_len <= width else fit(second, width)]


def aggregate_line(frame: Frame, summary: EtfSummary) -> Text:
    """A source's own week or month totals, labelled by their period (never as days or wtd)."""
    p = frame.palette
    parts: list[Text] = [Text(plain(summary.asset, 6), style="bold")]
    for a in summary.aggregates[-3:]:
        parts.append(
            Text.assemble(
                (period_label(a.period, a.start_day_ms) + " ", p.muted),
                (fmt_flow(a.net_usd_m), p.signed(a.net_usd_m)),
            )
        )
    return join(parts, "  ")


def unpublished_note(frame: Frame) -> Text | None:
    """Which recent trading days have no published total yet (never shown as zero)."""
    missing: set[int] = set()
    for summary in frame.analysis.etf:
        days = flow_days(frame.snapshot.etf_flows.get(summary.asset, ()), frame.now_ms, 3)
        anchor = summary.anchor_day_ms or 0
        missing.update(d for d, v in zip(days.days_ms, days.values, strict=True) if v is None and d > anchor)
    if not missing:
        return None
    names = ", ".join(fmt_day(d) for d in sorted(missing))
    today = day_start(frame.now_ms)
    label = f"today {names}" if missing == {today} else names
    return Text(f"{label}: not published yet (US evening / next morning UTC)", style=frame.palette.muted)


def build_etf(frame: Frame, width: int, height: int) -> Text:
    """The pane body for ``width`` × ``height``."""
    p, g = frame.palette, frame.glyphs
    if not frame.analysis.etf:
        msg = "no ETF flows yet" + (" (a daily source: press s for its status)" if frame.live else "")
        return lines(wrap_plain(msg, width, p.muted), height)
    shown = max(
        len(flow_days(frame.snapshot.etf_flows.get(s.asset, ()), frame.now_ms).days_ms)
        for s in frame.analysis.etf
    )
    head = f"US$m net, last {shown} trading days, + in - out ({g.unpublished} = not published)"
    if len(head) > width:
        head = f"US$m, {shown} trading days, +in -out, {g.unpublished} = n/p"
    rows = [Text(head, style=p.muted)]
    for summary in frame.analysis.etf:
        rows.extend(asset_lines(frame, summary, width))
    note = unpublished_note(frame)
    if note is not None:
        rows.append(note)
    rows.extend(aggregate_line(frame, s) for s in frame.analysis.etf if s.aggregates)
    room = height - len(rows) - 1
    if room >= 2:
        rows.append(Text("day    " + "  ".join(f"{s.asset:>8}" for s in frame.analysis.etf), style=p.muted))
        recent = sorted(
            {
                day_start(f.day_ms)
                for s in frame.analysis.etf
                for f in daily_rows(frame.snapshot.etf_flows.get(s.asset, ()))
            }
        )
        recent = [d for d in recent if d <= frame.now_ms and weekday(d) < 5][-room:][::-1]
        for day in recent:
            cells = [Text(fmt_day(day) + "  ")]
            for s in frame.analysis.etf:
                value = next(
                    (
                        f.total_usd_m
                        for f in daily_rows(frame.snapshot.etf_flows.get(s.asset, ()))
                        if day_start(f.day_ms) == day
                    ),
                    None,
                )
                cells.append(fit(Text(fmt_flow(value), style=p.signed(value)), 8, "right"))
            rows.append(join(cells, "  "))
    return lines([fit(r, width) if r.cell_len > width else r for r in rows], height)
