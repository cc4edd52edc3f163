"""Spot-ETF flow aggregates per asset (BTC, ETH), for the total and for each fund, in US$ millions.

Rules a trader can check:

* Only weekdays are trading days; weekend rows are ignored (and noted).
* The **anchor** is the latest day whose total is published. Windows end there; a later
  unpublished day (today's placeholder row) is reported in ``unpublished_days_ms``, never as 0.
* **Periods**: every figure is a trading **day** unless its source's parser says it is an
  aggregate of a **week** or a **month**. Only days make the daily figures below; aggregates are
  listed apart (``aggregates``), labelled by their period, never summed as days.
* **Latest** is the latest published trading day (the anchor).
* **Week to date**: the days of the *current US week* (the New York date of ``now_ms``; without
  ``now_ms``, the anchor's week) up to the anchor. When nothing of the current week is published
  yet it is empty (None), never last week's sum. Unpublished days inside it are listed and make
  it incomplete; the sum covers the published days only.
* **Trailing 5 trading days**: the last five *published* days up to the anchor; an unpublished day
  skipped inside that span is listed and marks the window incomplete.
* **Streak**: consecutive published days of the same sign back from the anchor; it stops at a
  sign change, a zero, or an unpublished day (which cannot be vouched for).
* **Cumulative since launch** (total only): the sum of every published day, given only when the
  history starts on or before the launch (BTC 2024-01-11, ETH 2024-07-23), has no unpublished day
  and no gap longer than 4 calendar days (a weekend plus a holiday); otherwise None with the reason.
* **Fund share of the day**: each fund's |flow| over the sum of all funds' |flows| on the anchor
  day (the sign is in ``flow_usd_m``); shares of a *net* total are meaningless when funds differ
  in sign.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from crashtui.analysis.days import DAY_MS, iso_day, us_week_monday, week_monday, weekday
from crashtui.model import EtfFlow

ETF_LAUNCH_DAY_MS = {"BTC": 1_704_931_200_000, "ETH": 1_721_692_800_000}  # 2024-01-11, 2024-07-23
MAX_GAP_DAYS = 4
LARGEST_OUTFLOWS = 5


@dataclass(frozen=True, slots=True)
class FlowDay:
    """One day's net flow."""

    day_ms: int
    net_usd_m: float


@dataclass(frozen=True, slots=True)
class FlowWindow:
    """A sum of daily net flows over ``[first_day_ms, last_day_ms]``.

    ``net_usd_m`` sums the ``days`` published days (None when there are none);
    ``unpublished_days_ms`` lists trading days inside the span that are not published.
    """

    first_day_ms: int | None
    last_day_ms: int | None
    net_usd_m: float | None
    days: int
    unpublished_days_ms: tuple[int, ...]
    complete: bool


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive same-sign days ending at the anchor: ``inflow``, ``outflow`` or ``none``."""

    direction: str
    days: int
    net_usd_m: float
    since_day_ms: int | None


@dataclass(frozen=True, slots=True)
class SeriesSummary:
    """Aggregates for the total (``name`` = ``TOTAL``) or for one fund (its ticker)."""

    name: str
    latest_day_ms: int | None
    latest_usd_m: float | None
    week_to_date: FlowWindow
    trailing_5d: FlowWindow
    streak: Streak
    cumulative_usd_m: float | None
    cumulative_note: str


@dataclass(frozen=True, slots=True)
class PeriodFlow:
    """A source's aggregate figure for a ``week`` or a ``month`` starting on ``start_day_ms``."""

    period: str
    start_day_ms: int
    net_usd_m: float | None
    source: str


@dataclass(frozen=True, slots=True)
class FundShare:
    """A fund's flow on the anchor day and its share of the day's gross (|flow|) flow, in %."""

    ticker: str
    flow_usd_m: float | None
    share_of_gross_pct: float | None


@dataclass(frozen=True, slots=True)
class EtfSummary:
    """Everything the ETF pane shows for one asset."""

    asset: str
    sources: tuple[str, ...]
    anchor_day_ms: int | None
    total: SeriesSummary
    funds: tuple[SeriesSummary, ...]
    day_shares: tuple[FundShare, ...]
    largest_outflows: tuple[FlowDay, ...]
    unpublished_days_ms: tuple[int, ...]
    history_days: int
    first_day_ms: int | None
    notes: tuple[str, ...] = ()
    aggregates: tuple[PeriodFlow, ...] = ()


_Series = list[tuple[int, float | None]]


def summarise_etf(flows: Sequence[EtfFlow], asset: str, now_ms: int | None = None) -> EtfSummary:
    """Aggregate one asset's daily flows (any order, duplicates allowed) per the module rules.

    Duplicate days (two sources) keep a published row over an unpublished one, then the row with
    more funds, then the later row in ``flows``. ``now_ms`` (the feed clock) sets the current US
    week for week to date.
    """
    notes: list[str] = []
    days: dict[int, EtfFlow] = {}
    aggregates: dict[tuple[str, int], PeriodFlow] = {}
    weekend = 0
    for f in flows:
        if f.asset != asset:
            continue
        if f.period != "day":
            aggregates[(f.period, f.day_ms)] = PeriodFlow(f.period, f.day_ms, f.total_usd_m, f.source)
            continue
        if weekday(f.day_ms) >= 5:
            weekend += 1
            continue
        day = f.day_ms - f.day_ms % DAY_MS
        old = days.get(day)
        if old is None or (f.published, len(f.funds)) >= (old.published, len(old.funds)):
            days[day] = f
    if weekend:
        notes.append(f"{weekend} weekend row(s) ignored")
    ordered = [days[d] for d in sorted(days)]
    total: _Series = [(d.day_ms - d.day_ms % DAY_MS, d.total_usd_m) for d in ordered]
    anchor = max((d for d, v in total if v is not None), default=None)
    tickers: list[str] = []
    for d in ordered:
        for fund in d.funds:
            if fund.ticker not in tickers:
                tickers.append(fund.ticker)
    fund_series = {t: _fund_series(ordered, t) for t in tickers}
    monday = us_week_monday(now_ms) if now_ms is not None else None
    total_summary = _summarise("TOTAL", total, anchor, monday)
    total_summary = _with_cumulative(total_summary, total, anchor, asset)
    anchor_row = days.get(anchor) if anchor is not None else None
    return EtfSummary(
        asset=asset,
        sources=tuple(sorted({d.source for d in ordered})),
        anchor_day_ms=anchor,
        total=total_summary,
        funds=tuple(_summarise(t, s, anchor, monday) for t, s in fund_series.items()),
        day_shares=_shares(anchor_row) if anchor_row is not None else (),
        largest_outflows=_largest_outflows(total),
        unpublished_days_ms=tuple(d for d, v in total if v is None),
        history_days=len(total),
        first_day_ms=total[0][0] if total else None,
        notes=tuple(notes),
        aggregates=tuple(aggregates[k] for k in sorted(aggregates, key=lambda k: (k[1], k[0]))),
    )


def _fund_series(ordered: list[EtfFlow], ticker: str) -> _Series:
    out: _Series = []
    for d in ordered:
        value = next((f.flow_usd_m for f in d.funds if f.ticker == ticker), None)
        out.append((d.day_ms - d.day_ms % DAY_MS, value if d.published else None))
    return out


def _summarise(name: str, series: _Series, anchor: int | None, monday: int | None) -> SeriesSummary:
    upto = [(d, v) for d, v in series if anchor is not None and d <= anchor]
    latest = next((v for d, v in reversed(upto) if d == anchor), None)
    return SeriesSummary(
        name=name,
        latest_day_ms=anchor,
        latest_usd_m=latest,
        week_to_date=_week_to_date(upto, anchor, monday),
        trailing_5d=_trailing(upto, 5),
        streak=_streak(upto),
        cumulative_usd_m=None,
        cumulative_note="given for the total only",
    )


def _window(days: _Series, first: int | None, last: int | None, complete_days: int | None) -> FlowWindow:
    published = [v for _, v in days if v is not None]
    unpublished = tuple(d for d, v in days if v is None)
    complete = not unpublished and (complete_days is None or len(published) == complete_days)
    return FlowWindow(
        first_day_ms=first,
        last_day_ms=last,
        net_usd_m=sum(published) if published else None,
        days=len(published),
        unpublished_days_ms=unpublished,
        complete=complete,
    )


def _week_to_date(upto: _Series, anchor: int | None, monday: int | None) -> FlowWindow:
    """The current week's days up to the anchor (``monday`` None: the anchor's week)."""
    if monday is None:
        if anchor is None:
            return _window([], None, None, None)
        monday = week_monday(anchor)
    if anchor is None or anchor < monday:
        return _window([], monday, None, None)  # nothing of this week is published yet
    week = [(d, v) for d, v in upto if d >= monday]
    return _window(week, monday, anchor, None)


def _trailing(upto: _Series, n: int) -> FlowWindow:
    picked = 0
    start = len(upto)
    for i in range(len(upto) - 1, -1, -1):
        if upto[i][1] is not None:
            picked += 1
            start = i
            if picked == n:
                break
    span = upto[start:]
    if not span:
        return _window([], None, None, n)
    return _window(span, span[0][0], span[-1][0], n)


def _streak(upto: _Series) -> Streak:
    if not upto or upto[-1][1] is None or upto[-1][1] == 0.0:
        return Streak("none", 0, 0.0, None)
    sign = 1.0 if upto[-1][1] > 0 else -1.0
    days = 0
    net = 0.0
    since = None
    for d, v in reversed(upto):
        if v is None or v * sign <= 0.0:
            break
        days += 1
        net += v
        since = d
    return Streak("inflow" if sign > 0 else "outflow", days, net, since)


def _with_cumulative(summary: SeriesSummary, total: _Series, anchor: int | None, asset: str) -> SeriesSummary:
    launch = ETF_LAUNCH_DAY_MS.get(asset)
    value: float | None = None
    if launch is None:
        note = f"launch date of {asset} spot ETFs unknown"
    elif anchor is None:
        note = "no published day"
    else:
        history = [(d, v) for d, v in total if launch <= d <= anchor]
        holes = [d for d, v in history if v is None]
        gaps = [(a, b) for (a, _), (b, _) in itertools.pairwise(history) if b - a > MAX_GAP_DAYS * DAY_MS]
        if not total or total[0][0] > launch:
            first = iso_day(total[0][0]) if total else "?"
            note = f"history starts {first}, after the launch on {iso_day(launch)}"
        elif holes:
            note = f"{len(holes)} unpublished day(s) since launch, first {iso_day(holes[0])}"
        elif gaps:
            note = f"history has gaps, first {iso_day(gaps[0][0])} → {iso_day(gaps[0][1])}"
        else:
            value = sum(v for _, v in history if v is not None)
            note = f"sum of {len(history)} published days since launch on {iso_day(launch)}"
    return SeriesSummary(
        name=summary.name,
        latest_day_ms=summary.latest_day_ms,
        latest_usd_m=summary.latest_usd_m,
        week_to_date=summary.week_to_date,
        trailing_5d=summary.trailing_5d,
        streak=summary.streak,
        cumulative_usd_m=value,
        cumulative_note=note,
    )


def _shares(row: EtfFlow) -> tuple[FundShare, ...]:
    gross = sum(abs(f.flow_usd_m) for f in row.funds if f.flow_usd_m is not None)
    return tuple(
        FundShare(
            ticker=f.ticker,
            flow_usd_m=f.flow_usd_m,
            share_of_gross_pct=abs(f.flow_usd_m) / gross * 100.0
            if f.flow_usd_m is not None and gross > 0
            else None,
        )
        for f in row.funds
    )


def _largest_outflows(total: _Series) -> tuple[FlowDay, ...]:
    outflows = [(v, d) for d, v in total if v is not None and v < 0.0]
    outflows.sort()
    return tuple(FlowDay(d, v) for v, d in outflows[:LARGEST_OUTFLOWS])


def daily_rows(flows: Sequence[EtfFlow]) -> tuple[EtfFlow, ...]:
    """The trading-day rows of ``flows`` (aggregates of a week or a month left out)."""
    return tuple(f for f in flows if f.period == "day")


def period_label(period: str, start_day_ms: int) -> str:
    """How a figure is labelled by what it covers: ``day 02-05``, ``week of 02-02``,
    ``month 2026-02``."""
    day = iso_day(start_day_ms)
    if period == "month":
        return f"month {day[:7]}"
    if period == "week":
        return f"week of {day[5:]}"
    return f"day {day[5:]}"
