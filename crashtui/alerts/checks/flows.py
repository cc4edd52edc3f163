"""Flow rules: liquidations over a threshold, a cascade opening, ETF outflow days and streaks."""

from __future__ import annotations

from types import MappingProxyType

from crashtui.alerts.checks.base import Firing
from crashtui.alerts.inputs import MarketInputs
from crashtui.alerts.triggers import EventGate, Latch
from crashtui.analysis.cascades import CascadeEvent
from crashtui.analysis.days import iso_day
from crashtui.config.alerts_schema import CascadeRule, EtfOutflowRule, EtfStreakRule, LiquidationRule
from crashtui.model import Side
from crashtui.numfmt import fmt_usd
from crashtui.timeparse import iso_utc


class LiquidationChecker:
    """Fires when the window's total (or one side, or one symbol) reaches ``usd``.

    Between two liquidations a window total can only fall, so while the latch is armed the
    tallies are read only when a liquidation arrived.
    """

    def __init__(self, rule: LiquidationRule) -> None:
        self.rule = rule
        self._latch = Latch()
        self._count: int | None = None

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire when the total reaches the threshold."""
        count = inputs.liquidation_count()
        if self._latch.armed and count == self._count:
            return []
        self._count = count
        rule = self.rule
        window = inputs.liquidations(rule.window).window(rule.window)
        if window is None:
            return []
        row = (
            window.total
            if rule.symbol is None
            else next((r for r in window.by_symbol if r.name == rule.symbol), None)
        )
        if row is None:
            self._latch.update(active=False, clear=True)
            return []
        value = {"all": row.total_usd, "long": row.long_usd, "short": row.short_usd}[rule.side]
        rearm = rule.usd * (1.0 - rule.hysteresis_pct / 100.0)
        if not self._latch.update(active=value >= rule.usd, clear=value < rearm):
            return []
        scope = " ".join(p for p in (rule.symbol, "" if rule.side == "all" else f"{rule.side}s") if p)
        share = (
            f", {row.long_share * 100:.0f}% longs"
            if rule.side == "all" and row.long_share is not None
            else ""
        )
        bound = " (lower bound: some venues are sampled)" if window.lower_bound else ""
        return [
            Firing(
                message=(
                    f"Liquidations {rule.window}{' ' + scope if scope else ''}: {fmt_usd(value)} "
                    f"≥ {fmt_usd(rule.usd)}{share}{bound}"
                ),
                symbol=rule.symbol,
                value=value,
                threshold=rule.usd,
                details=MappingProxyType(
                    {"window": rule.window, "side": rule.side, "lower_bound": window.lower_bound}
                ),
            )
        ]


class CascadeChecker:
    """Fires once per cascade, when it is first seen open (or closed, if it was short).

    While a cascade it reported stays open, every rise of its peak rate is offered again as an
    ``update`` firing with the peak as its magnitude: the evaluator delivers it only when the
    peak reaches twice the rate of the rule's last alert. So a cascade first seen at the
    threshold inside the cooldown of a smaller one still raises an alert once it is much worse
    (feb-2026: 13:41Z on Feb 6, four times the 13:14Z one).
    """

    def __init__(self, rule: CascadeRule, arm_ms: int) -> None:
        self.rule = rule
        self._gate: EventGate[int] = EventGate(arm_ms)
        self._open: dict[int, float] = {}
        """Reported cascades still open: start_ms → the peak rate last offered."""

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire for each new cascade on an allowed side, and offer each reported open one that grew."""
        cascades = {c.start_ms: c for c in inputs.cascades()}
        out = []
        for key in self._gate.new((start, start) for start in cascades):
            cascade = cascades[key]
            if self.rule.side not in ("any", _side(cascade)):
                continue
            out.append(_cascade_firing(cascade, update=False))
            if cascade.end_ms is None:
                self._open[key] = cascade.peak_rate_usd
        fresh = {f.details["start_ms"] for f in out}
        for key, offered in list(self._open.items()):
            seen = cascades.get(key)
            if key in fresh:
                continue
            if seen is not None and seen.peak_rate_usd > offered:
                out.append(_cascade_firing(seen, update=True))
                self._open[key] = seen.peak_rate_usd
            if seen is None or seen.end_ms is not None:
                del self._open[key]
        return out


def _side(cascade: CascadeEvent) -> str:
    return "long" if cascade.dominant_side is Side.LONG else "short"


def _cascade_firing(cascade: CascadeEvent, *, update: bool) -> Firing:
    side = _side(cascade)
    rate_min = cascade.rate_window_s // 60
    baseline = (
        f", {cascade.peak_rate_usd / cascade.baseline_usd:.0f}× the 24h median rate"
        if cascade.baseline_usd
        else ""
    )
    grew = " grew to" if update else ""
    return Firing(
        message=(
            f"Liquidation cascade since {iso_utc(cascade.start_ms)[11:16]}Z:{grew} "
            f"{fmt_usd(cascade.peak_rate_usd)} in {rate_min} min{baseline}, mostly {side}s"
        ),
        value=cascade.peak_rate_usd,
        threshold=cascade.threshold_usd,
        magnitude=cascade.peak_rate_usd,
        update=update,
        details=MappingProxyType(
            {
                "start_ms": cascade.start_ms,
                "start_at": iso_utc(cascade.start_ms),
                "side": side,
                "total_usd": cascade.total_usd,
                "baseline_rate_usd": cascade.baseline_usd,
                "rate_window_s": cascade.rate_window_s,
            }
        ),
    )


class EtfOutflowChecker:
    """Fires for a newly published ETF day (the latest one per asset) with an outflow ≥ ``usd_m``."""

    def __init__(self, rule: EtfOutflowRule, arm_ms: int) -> None:
        self.rule = rule
        self._gate: EventGate[tuple[str, int, bool]] = EventGate(arm_ms)

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire for each asset whose newest published day meets the threshold."""
        rule = self.rule
        days: dict[tuple[str, int, bool], float] = {}
        for summary in inputs.etf():
            flow = summary.total.latest_usd_m
            day = summary.anchor_day_ms
            if flow is None or day is None or rule.asset not in (None, summary.asset):
                continue
            days[(summary.asset, day, flow <= -rule.usd_m)] = flow
        out = []
        for key in self._gate.new((k, k[1]) for k in days):
            asset, day, met = key
            if not met:
                continue
            flow = days[key]
            out.append(
                Firing(
                    message=(
                        f"{asset} spot ETFs: net outflow {flow:+,.1f} US$m on {iso_day(day)} "
                        f"(alert at {rule.usd_m:,.0f})"
                    ),
                    target=asset,
                    symbol=asset,
                    value=flow,
                    threshold=-rule.usd_m,
                    details=MappingProxyType({"day": iso_day(day)}),
                )
            )
        return out


class EtfStreakChecker:
    """Fires once per streak of at least ``days`` consecutive outflow days."""

    def __init__(self, rule: EtfStreakRule, arm_ms: int) -> None:
        self.rule = rule
        self._gate: EventGate[tuple[str, int | None, bool]] = EventGate(arm_ms)

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire for each asset whose outflow streak reached the length."""
        rule = self.rule
        found: dict[tuple[str, int | None, bool], tuple[int, float, int]] = {}
        for summary in inputs.etf():
            streak = summary.total.streak
            anchor = summary.anchor_day_ms
            if anchor is None or rule.asset not in (None, summary.asset):
                continue
            qualifies = streak.direction == "outflow" and streak.days >= rule.days
            found[(summary.asset, streak.since_day_ms, qualifies)] = (streak.days, streak.net_usd_m, anchor)
        out = []
        for key in self._gate.new((k, found[k][2]) for k in found):
            asset, since, qualifies = key
            if not qualifies:
                continue
            days, net, anchor = found[key]
            since_text = f" since {iso_day(since)}" if since is not None else ""
            out.append(
                Firing(
                    message=(
                        f"{asset} spot ETFs: {days} straight days of net outflows "
                        f"({net:+,.1f} US$m{since_text}, to {iso_day(anchor)})"
                    ),
                    target=asset,
                    symbol=asset,
                    value=float(days),
                    threshold=float(rule.days),
                    details=MappingProxyType({"net_usd_m": net, "to_day": iso_day(anchor)}),
                )
            )
        return out
