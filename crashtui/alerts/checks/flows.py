"""Flow rules: liquidations over a threshold, a cascade opening, ETF outflow days and streaks."""

from __future__ import annotations

from types import MappingProxyType

from crashtui.alerts.checks.base import Firing
from crashtui.alerts.inputs import MarketInputs
from crashtui.alerts.triggers import EventGate, Latch
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
        window = inputs.liquidations().window(rule.window)
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
    """Fires once per cascade, when it is first seen open (or closed, if it was short)."""

    def __init__(self, rule: CascadeRule, arm_ms: int) -> None:
        self.rule = rule
        self._gate: EventGate[int] = EventGate(arm_ms)

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire for each new cascade on an allowed side."""
        cascades = {c.start_ms: c for c in inputs.cascades()}
        out = []
        for key in self._gate.new((start, start) for start in cascades):
            cascade = cascades[key]
            side = "long" if cascade.dominant_side is Side.LONG else "short"
            if self.rule.side not in ("any", side):
                continue
            rate_min = cascade.rate_window_s // 60
            baseline = (
                f", {cascade.peak_rate_usd / cascade.baseline_usd:.0f}× the 24h median rate"
                if cascade.baseline_usd
                else ""
            )
            out.append(
                Firing(
                    message=(
                        f"Liquidation cascade since {iso_utc(cascade.start_ms)[11:16]}Z: "
                        f"{fmt_usd(cascade.peak_rate_usd)} in {rate_min} min{baseline}, mostly {side}s"
                    ),
                    value=cascade.peak_rate_usd,
                    threshold=cascade.threshold_usd,
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
            )
        return out


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
