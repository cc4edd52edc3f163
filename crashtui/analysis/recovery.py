"""The recovery checklist of the seed article: what has to be true before the sell-off is over.

Seven items, each ``met``, ``not_met`` or ``unknown`` with the numbers behind it:

``btc_support``
    BTC closed at or above its key support (the floor of the zone given: 60,000 in the seed)
    on each of the last ``support_days`` UTC days.
``eth_ma200``
    ETH closed above its ``ma_period``-day simple moving average of daily closes on each of
    the last ``ma_days`` days ("proves it can hold its 200-day MA").
``etf_inflows``
    The net spot-ETF flow of ``etf_assets`` over each asset's last ``etf_days`` published
    trading days is positive.
``claims_trend``
    The latest weekly 4-week average of initial jobless claims (FRED ``IC4WSA``, or computed
    from four consecutive ``ICSA`` weeks) is not above the week before's.
``ai_basket``
    The equal-weight AI basket (each stock scaled to 1 at the first common day of the window)
    is at least ``ai_off_low_pct`` % above its lowest close of the last ``ai_lookback_days``.
``crypto_fear``
    The crypto Fear & Greed index was above ``fear_extreme_max`` (out of "extreme fear") on
    each of the last ``fear_days`` days.
``leverage_calm``
    Perp funding (mean of the venues' latest 8-hour rates) lies within
    ``funding_min_8h``..``funding_max_8h`` *and* open interest changed by
    ``oi_change_min_pct``..``oi_change_max_pct`` over ``oi_lookback_days``: no flush under way
    and no frantic re-levering.

**Unknown, never a guess.** An item is ``unknown`` when its data is missing, too short, has a
gap where a value is needed, or is stale; the evidence says which.

**Since.** Each item is evaluated at the end of each of the last ``since_lookback_days`` UTC
days and at ``now_ms``; ``since_ms`` is the first moment of the current unbroken run of the
same status. At a past day's end only what was known then counts: a day's close once the day
is over, ETF flows and stock closes of days that are over, a jobless-claims week from the
Thursday of its release (the Saturday it ends + 5 days, 13:30 UTC), Fear & Greed readings and
funding snapshots from their own time. At ``now_ms`` everything given counts (it is what the
feed has received), except a daily candle that has not closed. ``since_open`` is True when the
run reaches back to the first moment evaluated or follows an ``unknown`` stretch: the status
began then *or earlier*.
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from crashtui.analysis.days import DAY_MS, HOUR_MS, iso_day, iso_minute, weekday
from crashtui.model import EtfFlow, FearGreedReading, FundingSnapshot, MacroObservation
from crashtui.numfmt import fmt_price, fmt_usd

MET = "met"
NOT_MET = "not_met"
UNKNOWN = "unknown"
WEEK_MS = 7 * DAY_MS
CLAIMS_RELEASE_MS = 5 * DAY_MS + 13 * HOUR_MS + 30 * 60_000  # Saturday week end → Thursday 13:30Z


@dataclass(frozen=True, slots=True)
class RecoveryThresholds:
    """Every threshold of the checklist (``[analysis.recovery]`` in the config)."""

    support_days: int = 3
    price_max_age_days: float = 2.0
    ma_period: int = 200
    ma_days: int = 3
    etf_days: int = 5
    etf_assets: tuple[str, ...] = ("BTC", "ETH")
    etf_max_missing_weekdays: int = 1
    etf_max_age_days: float = 10.0
    claims_max_age_days: float = 21.0
    ai_lookback_days: int = 90
    ai_min_days: int = 20
    ai_off_low_pct: float = 5.0
    ai_max_age_days: float = 5.0
    fear_extreme_max: float = 25.0
    fear_days: int = 3
    fear_max_age_days: float = 3.0
    oi_lookback_days: float = 7.0
    oi_match_hours: float = 12.0
    oi_change_min_pct: float = -10.0
    oi_change_max_pct: float = 25.0
    funding_min_8h: float = -0.0001
    funding_max_8h: float = 0.0003
    leverage_max_age_hours: float = 24.0
    since_lookback_days: int = 120

    def __post_init__(self) -> None:
        for name in ("support_days", "ma_period", "ma_days", "etf_days", "ai_min_days", "fear_days"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1")
        if self.funding_min_8h > self.funding_max_8h or self.oi_change_min_pct > self.oi_change_max_pct:
            raise ValueError("a range's minimum is above its maximum")


@dataclass(frozen=True, slots=True)
class RecoveryInputs:
    """What the checklist reads. Closes map a UTC day (day_ms) to a finished day's close."""

    now_ms: int
    btc_closes: Mapping[int, float] = field(default_factory=dict)
    btc_support: Sequence[float] = (60_000.0,)
    eth_closes: Mapping[int, float] = field(default_factory=dict)
    etf_flows: Mapping[str, Sequence[EtfFlow]] = field(default_factory=dict)
    claims_4wk: Sequence[MacroObservation] = ()
    claims_weekly: Sequence[MacroObservation] = ()
    ai_basket: Mapping[str, Sequence[MacroObservation]] = field(default_factory=dict)
    fear: Sequence[FearGreedReading] = ()
    leverage: Sequence[FundingSnapshot] = ()
    leverage_symbol: str = "BTC"


@dataclass(frozen=True, slots=True)
class Verdict:
    """One evaluation of one item."""

    status: str
    evidence: str


@dataclass(frozen=True, slots=True)
class ChecklistItem:
    """One checklist line: ``{id, label, status, evidence, since}``."""

    id: str
    label: str
    status: str
    evidence: str
    since_ms: int | None
    since_open: bool


@dataclass(frozen=True, slots=True)
class Transition:
    """An item whose status changed between two checklists (for alerts)."""

    id: str
    label: str
    before: str
    after: str
    evidence: str


def _unknown(evidence: str) -> Verdict:
    return Verdict(UNKNOWN, evidence)


# --- time series helpers -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Days:
    """A sorted day series: ``days[i]`` (day_ms) → ``values[i]``."""

    days: tuple[int, ...]
    values: tuple[float, ...]

    @staticmethod
    def of(points: Mapping[int, float], positive: bool = True) -> _Days:
        usable = sorted((d, v) for d, v in points.items() if math.isfinite(v) and (v > 0 or not positive))
        return _Days(tuple(d for d, _ in usable), tuple(v for _, v in usable))

    def upto(self, last_day: int) -> int:
        """How many days are on or before ``last_day``."""
        return bisect.bisect_right(self.days, last_day)


def _consecutive(days: Sequence[int]) -> bool:
    return all(b - a == DAY_MS for a, b in itertools.pairwise(days))


def _visible_day(at_ms: int, live: bool, settle_ms: int = DAY_MS) -> int:
    """The last day_ms whose datum is known at ``at_ms``: all days up to ``at_ms`` live, only
    finished days (plus ``settle_ms``) at a past day's end."""
    return at_ms if live else at_ms - settle_ms


# --- the items -----------------------------------------------------------------------------


def check_support(
    closes: _Days, levels: Sequence[float], th: RecoveryThresholds, at_ms: int, symbol: str = "BTC"
) -> Verdict:
    """``symbol`` closed at or above the zone floor on each of the last ``support_days`` days."""
    if not levels:
        return _unknown("no support level set")
    floor = min(levels)
    n = closes.upto(at_ms - DAY_MS)  # a day's close is known once the day is over
    if n == 0:
        return _unknown(f"no {symbol} daily closes")
    last = closes.days[n - 1]
    if at_ms - (last + DAY_MS) > th.price_max_age_days * DAY_MS:
        return _unknown(f"stale: the latest {symbol} daily close is from {iso_day(last)}")
    days = closes.days[max(0, n - th.support_days) : n]
    if len(days) < th.support_days or not _consecutive(days):
        return _unknown(f"the last {th.support_days} {symbol} daily closes are not all there")
    values = closes.values[n - th.support_days : n]
    above = sum(v >= floor for v in values)
    zone = f" (floor of the {fmt_price(floor)}–{fmt_price(max(levels))} zone)" if len(set(levels)) > 1 else ""
    evidence = (
        f"{symbol} closed at or above {fmt_price(floor)}{zone} on {above} of the last "
        f"{th.support_days} days (latest {fmt_price(values[-1])} on {iso_day(last)})"
    )
    return Verdict(MET if above == th.support_days else NOT_MET, evidence)


def check_moving_average(closes: _Days, th: RecoveryThresholds, at_ms: int, symbol: str = "ETH") -> Verdict:
    """``symbol`` closed above its ``ma_period``-day average on each of the last ``ma_days`` days."""
    need = th.ma_period + th.ma_days - 1
    n = closes.upto(at_ms - DAY_MS)
    if n == 0:
        return _unknown(f"no {symbol} daily closes")
    last = closes.days[n - 1]
    if at_ms - (last + DAY_MS) > th.price_max_age_days * DAY_MS:
        return _unknown(f"stale: the latest {symbol} daily close is from {iso_day(last)}")
    start = max(0, n - need)
    days = closes.days[start:n]
    run = len(days)
    for i in range(len(days) - 1, 0, -1):  # the unbroken run of days that ends at the latest
        if days[i] - days[i - 1] != DAY_MS:
            run = len(days) - i
            break
    if run < need:
        return _unknown(
            f"only {run} consecutive {symbol} daily closes; the {th.ma_period}-day average over "
            f"{th.ma_days} days needs {need}"
        )
    values = closes.values[start:n]
    above = 0
    average = close = math.nan
    for k in range(th.ma_days):
        end = len(values) - th.ma_days + k + 1
        average = math.fsum(values[end - th.ma_period : end]) / th.ma_period
        close = values[end - 1]
        above += close > average
    evidence = (
        f"{symbol} closed above its {th.ma_period}-day average on {above} of the last {th.ma_days} days "
        f"(close {fmt_price(close)} vs average {fmt_price(average)} on {iso_day(last)})"
    )
    return Verdict(MET if above == th.ma_days else NOT_MET, evidence)


@dataclass(frozen=True, slots=True)
class _Flows:
    """One asset's weekday ETF rows, sorted: ``days[i]`` → total (None = not published)."""

    days: tuple[int, ...]
    totals: tuple[float | None, ...]

    @staticmethod
    def of(rows: Iterable[EtfFlow]) -> _Flows:
        by_day: dict[int, float | None] = {}
        for r in rows:
            # a published total is never replaced by a "not published yet" placeholder
            if weekday(r.day_ms) < 5 and (r.total_usd_m is not None or by_day.get(r.day_ms) is None):
                by_day[r.day_ms] = r.total_usd_m
        days = sorted(by_day)
        return _Flows(tuple(days), tuple(by_day[d] for d in days))


def _etf_window(
    flows: _Flows, asset: str, th: RecoveryThresholds, at_ms: int, live: bool
) -> tuple[float, int, int] | str:
    """``(net US$m, first day, last day)`` of ``asset``'s last ``etf_days`` published days, or why not."""
    i = bisect.bisect_right(flows.days, _visible_day(at_ms, live))
    window: list[tuple[int, float]] = []
    while i > 0 and len(window) < th.etf_days:
        i -= 1
        total = flows.totals[i]
        if total is not None and math.isfinite(total):
            window.append((flows.days[i], total))
    if not window:
        return f"no published {asset} ETF flows"
    anchor = window[0][0]
    if at_ms - anchor > th.etf_max_age_days * DAY_MS:
        return f"stale: the latest published {asset} ETF day is {iso_day(anchor)}"
    if len(window) < th.etf_days:
        return f"only {len(window)} published {asset} ETF days (need {th.etf_days})"
    first = window[-1][0]
    weekdays = sum(1 for d in range(first, anchor + 1, DAY_MS) if weekday(d) < 5)
    missing = weekdays - len(window)
    if missing > th.etf_max_missing_weekdays:
        return (
            f"{missing} weekdays without a published {asset} ETF flow between "
            f"{iso_day(first)} and {iso_day(anchor)}"
        )
    return math.fsum(t for _, t in window), first, anchor


def check_etf(flows: Mapping[str, _Flows], th: RecoveryThresholds, at_ms: int, live: bool) -> Verdict:
    """The net flow of ``etf_assets`` over each one's last ``etf_days`` published days is positive."""
    parts = []
    total = 0.0
    for asset in th.etf_assets:
        window = _etf_window(flows.get(asset, _Flows((), ())), asset, th, at_ms, live)
        if isinstance(window, str):
            return _unknown(window)
        net, first, last = window
        total += net
        parts.append(f"{asset} {net:+,.1f} ({iso_day(first)} to {iso_day(last)})")
    evidence = f"net ETF flow {total:+,.1f} US$m over the last {th.etf_days} published days: " + ", ".join(
        parts
    )
    return Verdict(MET if total > 0 else NOT_MET, evidence)


@dataclass(frozen=True, slots=True)
class _Claims:
    """Weekly 4-week averages (``IC4WSA``) and weekly claims (``ICSA``), week end → value."""

    averages: Mapping[int, float]
    weekly: Mapping[int, float]
    weeks: tuple[int, ...]  # every week either series has, sorted

    @staticmethod
    def of(averages: Iterable[MacroObservation], weekly: Iterable[MacroObservation]) -> _Claims:
        avg = {o.day_ms: o.value for o in averages if math.isfinite(o.value)}
        raw = {o.day_ms: o.value for o in weekly if math.isfinite(o.value)}
        return _Claims(avg, raw, tuple(sorted(set(avg) | set(raw))))

    def average(self, week: int, upto: int) -> tuple[float, bool] | None:
        """The 4-week average of ``week`` if known by ``upto``: FRED's, else computed from four
        consecutive weekly figures (the flag says computed)."""
        if week > upto:
            return None
        if week in self.averages:
            return self.averages[week], False
        four = [self.weekly.get(week - k * WEEK_MS) for k in range(4)]
        if any(v is None for v in four):
            return None
        return math.fsum(v for v in four if v is not None) / 4.0, True


def check_claims(claims: _Claims, th: RecoveryThresholds, at_ms: int, live: bool) -> Verdict:
    """The latest weekly 4-week average of claims is not above the previous week's."""
    upto = _visible_day(at_ms, live, CLAIMS_RELEASE_MS)
    i = bisect.bisect_right(claims.weeks, upto)
    latest = None
    while i > 0 and latest is None:
        i -= 1
        if (now := claims.average(claims.weeks[i], upto)) is not None:
            latest = claims.weeks[i], now
    if latest is None:
        return _unknown("no weekly jobless-claims figures")
    week, (value, computed) = latest
    if at_ms - week > th.claims_max_age_days * DAY_MS:
        return _unknown(f"stale: the latest claims week ended {iso_day(week)}")
    previous = claims.average(week - WEEK_MS, upto)
    if previous is None:
        return _unknown(
            f"no 4-week average for the week ending {iso_day(week - WEEK_MS)} to compare "
            f"{iso_day(week)}'s {value:,.0f} with"
        )
    before, computed_before = previous
    change = value - before
    note = " (computed from weekly ICSA)" if computed or computed_before else ""
    evidence = (
        f"4-week average {value:,.0f} (week ending {iso_day(week)}) vs "
        f"{before:,.0f} a week earlier: {change:+,.0f}{note}"
    )
    return Verdict(MET if change <= 0 else NOT_MET, evidence)


def check_ai_basket(members: Mapping[str, _Days], th: RecoveryThresholds, at_ms: int, live: bool) -> Verdict:
    """The equal-weight basket is ``ai_off_low_pct`` % or more above its ``ai_lookback_days`` low."""
    if not members:
        return _unknown("no AI basket configured")
    upto = _visible_day(at_ms, live)
    since = at_ms - th.ai_lookback_days * DAY_MS
    names = sorted(members)
    closes: dict[str, dict[int, float]] = {}
    for name in names:
        series = members[name]
        lo, hi = bisect.bisect_left(series.days, since), series.upto(upto)
        if lo >= hi:
            return _unknown(f"no {name} closes in the last {th.ai_lookback_days} days")
        closes[name] = dict(zip(series.days[lo:hi], series.values[lo:hi], strict=True))
    common = sorted(set.intersection(*(set(p) for p in closes.values())))
    label = ", ".join(names)
    if len(common) < th.ai_min_days:
        return _unknown(
            f"only {len(common)} days with a close for each of {label} in the last "
            f"{th.ai_lookback_days} days (need {th.ai_min_days})"
        )
    last = common[-1]
    if at_ms - last > th.ai_max_age_days * DAY_MS:
        return _unknown(f"stale: the latest day with every {label} close is {iso_day(last)}")
    base = common[0]
    scale = [(closes[n], closes[n][base] * len(names)) for n in names]
    basket = {d: sum(points[d] / weight for points, weight in scale) for d in common}
    low_day = min(common, key=lambda d: (basket[d], d))
    off = (basket[last] / basket[low_day] - 1.0) * 100.0
    evidence = (
        f"AI basket ({label}, equal weight) {off:.1f}% above its {th.ai_lookback_days}-day low of "
        f"{iso_day(low_day)} (needs {th.ai_off_low_pct:g}%; latest {iso_day(last)})"
    )
    return Verdict(MET if off >= th.ai_off_low_pct else NOT_MET, evidence)


@dataclass(frozen=True, slots=True)
class _Fear:
    """Crypto Fear & Greed readings sorted by time."""

    ts: tuple[int, ...]
    readings: tuple[FearGreedReading, ...]

    @staticmethod
    def of(readings: Iterable[FearGreedReading]) -> _Fear:
        usable = sorted(
            (r for r in readings if r.index == "crypto" and math.isfinite(r.value)), key=lambda r: r.ts_ms
        )
        return _Fear(tuple(r.ts_ms for r in usable), tuple(usable))


def check_fear(fear: _Fear, th: RecoveryThresholds, at_ms: int) -> Verdict:
    """Crypto Fear & Greed above ``fear_extreme_max`` on each of the last ``fear_days`` days."""
    i = bisect.bisect_right(fear.ts, at_ms)
    per_day: dict[int, FearGreedReading] = {}  # the latest reading of each of the last days
    while i > 0 and len(per_day) <= th.fear_days:
        i -= 1
        r = fear.readings[i]
        per_day.setdefault(r.ts_ms - r.ts_ms % DAY_MS, r)
    if not per_day:
        return _unknown("no crypto Fear & Greed readings")
    days = sorted(per_day)
    latest = per_day[days[-1]]
    if at_ms - latest.ts_ms > th.fear_max_age_days * DAY_MS:
        return _unknown(f"stale: the latest Fear & Greed reading is from {iso_day(latest.ts_ms)}")
    window = days[-th.fear_days :]
    if len(window) < th.fear_days or not _consecutive(window):
        return _unknown(f"the last {th.fear_days} daily Fear & Greed readings are not all there")
    above = sum(per_day[d].value > th.fear_extreme_max for d in window)
    evidence = (
        f"Fear & Greed above {th.fear_extreme_max:g} on {above} of the last {th.fear_days} days "
        f"(latest {latest.value:g}, {latest.classification}, on {iso_day(latest.ts_ms)})"
    )
    return Verdict(MET if above == th.fear_days else NOT_MET, evidence)


@dataclass(frozen=True, slots=True)
class _Venue:
    """One venue's snapshots of one symbol, sorted by time."""

    ts: tuple[int, ...]
    snaps: tuple[FundingSnapshot, ...]


def _venues(snapshots: Iterable[FundingSnapshot], symbol: str) -> dict[str, _Venue]:
    by_venue: dict[str, list[FundingSnapshot]] = {}
    for s in snapshots:
        if s.symbol == symbol:
            by_venue.setdefault(s.venue, []).append(s)
    out = {}
    for venue, snaps in by_venue.items():
        snaps.sort(key=lambda s: s.ts_ms)
        out[venue] = _Venue(tuple(s.ts_ms for s in snaps), tuple(snaps))
    return out


def _latest(
    v: _Venue, at_ms: int, oldest_ms: int, value: Callable[[FundingSnapshot], float | None]
) -> FundingSnapshot | None:
    i = bisect.bisect_right(v.ts, at_ms)
    while i > 0 and v.ts[i - 1] >= oldest_ms:
        i -= 1
        candidate = value(v.snaps[i])
        if candidate is not None and math.isfinite(candidate):
            return v.snaps[i]
    return None


def _nearest_oi(v: _Venue, target_ms: int, slack_ms: int) -> FundingSnapshot | None:
    lo, hi = bisect.bisect_left(v.ts, target_ms - slack_ms), bisect.bisect_right(v.ts, target_ms + slack_ms)
    usable = [
        s for s in v.snaps[lo:hi] if s.open_interest_usd is not None and math.isfinite(s.open_interest_usd)
    ]
    return min(usable, key=lambda s: abs(s.ts_ms - target_ms), default=None)


def check_leverage(venues: Mapping[str, _Venue], symbol: str, th: RecoveryThresholds, at_ms: int) -> Verdict:
    """Funding within its calm band and open interest's change within its band."""
    oldest = at_ms - round(th.leverage_max_age_hours * HOUR_MS)
    rates = []
    for name, v in sorted(venues.items()):
        snap = _latest(v, at_ms, oldest, lambda s: s.funding_rate_8h)
        if snap is not None and snap.funding_rate_8h is not None:
            rates.append((name, snap.funding_rate_8h))
    if not rates:
        return _unknown(f"no {symbol} funding rate from the last {th.leverage_max_age_hours:g} h")
    lookback = round(th.oi_lookback_days * DAY_MS)
    now_oi = then_oi = 0.0
    pairs = 0
    for v in venues.values():
        latest = _latest(v, at_ms, oldest, lambda s: s.open_interest_usd)
        if latest is None:
            continue
        earlier = _nearest_oi(v, latest.ts_ms - lookback, round(th.oi_match_hours * HOUR_MS))
        if earlier is None or not earlier.open_interest_usd:
            continue
        now_oi += latest.open_interest_usd or 0.0
        then_oi += earlier.open_interest_usd
        pairs += 1
    if not pairs or then_oi <= 0:
        return _unknown(
            f"no {symbol} open interest from {th.oi_lookback_days:g} days before the latest to compare with"
        )
    funding = math.fsum(r for _, r in rates) / len(rates)
    change = (now_oi / then_oi - 1.0) * 100.0
    funding_ok = th.funding_min_8h <= funding <= th.funding_max_8h
    oi_ok = th.oi_change_min_pct <= change <= th.oi_change_max_pct
    out = [] if funding_ok else ["funding out of range"]
    if not oi_ok:
        out.append("open interest change out of range")
    evidence = (
        f"{symbol} funding {funding * 100:+.4f}% per 8 h (mean of {len(rates)} venue(s)), open interest "
        f"{fmt_usd(now_oi)}, {change:+.1f}% over {th.oi_lookback_days:g} days ({pairs} venue(s)); calm: "
        f"funding {th.funding_min_8h * 100:+.4f}% to {th.funding_max_8h * 100:+.4f}%, OI change "
        f"{th.oi_change_min_pct:+g}% to {th.oi_change_max_pct:+g}%"
    )
    if out:
        evidence += " — " + ", ".join(out)
    return Verdict(MET if funding_ok and oi_ok else NOT_MET, evidence)


# --- the checklist -------------------------------------------------------------------------


def _instants(now_ms: int, lookback_days: int) -> list[int]:
    """The ends of the last ``lookback_days`` UTC days before today, then ``now_ms``."""
    today = now_ms - now_ms % DAY_MS
    out = [today - k * DAY_MS for k in range(lookback_days - 1, -1, -1)]
    if out[-1] == now_ms:
        out.pop()
    out.append(now_ms)
    return out


def track(evaluate: Callable[[int, bool], Verdict], instants: Sequence[int]) -> tuple[Verdict, int, bool]:
    """Evaluate at each instant (the last one live); return the final verdict, when its run of
    the same status began, and whether that start is open (the status may be older)."""
    statuses = [evaluate(t, i == len(instants) - 1) for i, t in enumerate(instants)]
    final = statuses[-1]
    start = len(statuses) - 1
    while start > 0 and statuses[start - 1].status == final.status:
        start -= 1
    open_start = start == 0 or (final.status != UNKNOWN and statuses[start - 1].status == UNKNOWN)
    return final, instants[start], open_start


def labels(th: RecoveryThresholds, btc_support: Sequence[float]) -> dict[str, str]:
    """Each item's label, with the thresholds it uses."""
    support = f"BTC holds {fmt_price(min(btc_support))}" if btc_support else "BTC holds its key support"
    return {
        "btc_support": f"{support} ({th.support_days} daily closes)",
        "eth_ma200": f"ETH above its {th.ma_period}-day moving average ({th.ma_days} daily closes)",
        "etf_inflows": f"Spot ETF net inflows ({'+'.join(th.etf_assets)}, last {th.etf_days} days)",
        "claims_trend": "Jobless claims' 4-week average no longer rising",
        "ai_basket": f"AI basket {th.ai_off_low_pct:g}% off its {th.ai_lookback_days}-day low",
        "crypto_fear": (
            f"Crypto fear out of extreme (F&G above {th.fear_extreme_max:g} for {th.fear_days} days)"
        ),
        "leverage_calm": "Leverage rebuilt calmly (funding and open interest in range)",
    }


def recovery_checklist(
    inputs: RecoveryInputs, th: RecoveryThresholds = RecoveryThresholds()
) -> tuple[ChecklistItem, ...]:
    """The seven items in the seed's order, each with its status, evidence and since."""
    btc = _Days.of(inputs.btc_closes)
    eth = _Days.of(inputs.eth_closes)
    flows = {asset: _Flows.of(rows) for asset, rows in inputs.etf_flows.items()}
    claims = _Claims.of(inputs.claims_4wk, inputs.claims_weekly)
    basket = {name: _Days.of({o.day_ms: o.value for o in obs}) for name, obs in inputs.ai_basket.items()}
    fear = _Fear.of(inputs.fear)
    venues = _venues(inputs.leverage, inputs.leverage_symbol)
    checks: dict[str, Callable[[int, bool], Verdict]] = {
        "btc_support": lambda t, live: check_support(btc, inputs.btc_support, th, t, "BTC"),
        "eth_ma200": lambda t, live: check_moving_average(eth, th, t, "ETH"),
        "etf_inflows": lambda t, live: check_etf(flows, th, t, live),
        "claims_trend": lambda t, live: check_claims(claims, th, t, live),
        "ai_basket": lambda t, live: check_ai_basket(basket, th, t, live),
        "crypto_fear": lambda t, live: check_fear(fear, th, t),
        "leverage_calm": lambda t, live: check_leverage(venues, inputs.leverage_symbol, th, t),
    }
    names = labels(th, inputs.btc_support)
    instants = _instants(inputs.now_ms, th.since_lookback_days)
    items = []
    for item_id, evaluate in checks.items():
        verdict, since, open_start = track(evaluate, instants)
        items.append(
            ChecklistItem(item_id, names[item_id], verdict.status, verdict.evidence, since, open_start)
        )
    return tuple(items)


def transitions(before: Iterable[ChecklistItem], after: Iterable[ChecklistItem]) -> tuple[Transition, ...]:
    """Items whose status changed from ``before`` to ``after`` (items new in ``after`` are not)."""
    old = {i.id: i for i in before}
    return tuple(
        Transition(i.id, i.label, old[i.id].status, i.status, i.evidence)
        for i in after
        if i.id in old and old[i.id].status != i.status
    )


def checklist_json(items: Iterable[ChecklistItem]) -> list[dict[str, Any]]:
    """``[{id, label, status, evidence, since, since_open}]``; ``since`` is ``YYYY-MM-DD HH:MMZ``."""
    return [
        {
            "id": i.id,
            "label": i.label,
            "status": i.status,
            "evidence": i.evidence,
            "since": None if i.since_ms is None else iso_minute(i.since_ms),
            "since_open": i.since_open,
        }
        for i in items
    ]
