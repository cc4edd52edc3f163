"""Checkers of the rules that read the radar: liquidation clusters near price, forced
deleveraging, funding negative across venues, the user's positions and the recovery checklist."""

from __future__ import annotations

from types import MappingProxyType

from crashtui.alerts.checks.base import Firing
from crashtui.alerts.inputs import MarketInputs
from crashtui.alerts.triggers import Latch
from crashtui.analysis.zone_state import LOST_STATES
from crashtui.config.alerts_schema import (
    FundingNegativeRule,
    LiqClusterRule,
    OiDropRule,
    PositionRule,
    RecoveryRule,
)
from crashtui.numfmt import fmt_price, fmt_usd

BROKEN_STATES = LOST_STATES  # a guarding level counts as lost in these states


def _symbols(inputs: MarketInputs, symbol: str | None) -> tuple[str, ...]:
    return (symbol,) if symbol else inputs.watchlist


class LiqClusterChecker:
    """Fires when price comes within ``within_pct`` % of an estimated cluster of ``min_usd``;
    one latch per symbol and side, re-armed once no such cluster is within twice the distance."""

    def __init__(self, rule: LiqClusterRule) -> None:
        self.rule = rule
        self._latches: dict[tuple[str, str], Latch] = {}

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Firings for clusters newly within reach."""
        from crashtui.analysis.liqmap import clusters_within

        radar = inputs.radar()
        if radar is None:
            return []
        out = []
        rule = self.rule
        for symbol in _symbols(inputs, rule.symbol):
            liq_map = radar.liquidation_maps.get(symbol)
            price = inputs.price(symbol)
            if liq_map is None or price is None:
                continue
            near = clusters_within(liq_map, rule.within_pct, rule.min_usd, price=price)
            wider = clusters_within(liq_map, 2 * rule.within_pct, rule.min_usd, price=price)
            for side in ("long", "short"):
                hits = [c for c in near if c.side == side]
                latch = self._latches.setdefault((symbol, side), Latch())
                if not latch.update(active=bool(hits), clear=not any(c.side == side for c in wider)):
                    continue
                top = max(hits, key=lambda c: c.est_usd)
                band = f"{fmt_price(top.low)}-{fmt_price(top.high)}"
                out.append(
                    Firing(
                        message=(
                            f"{symbol} {fmt_price(price)} is within {rule.within_pct:g}% of an estimated "
                            f"{fmt_usd(top.est_usd)} of {side} liquidations at {band} (estimate)"
                        ),
                        target=(symbol, side),
                        symbol=symbol,
                        value=round(top.est_usd, 2),
                        threshold=rule.min_usd,
                        details=MappingProxyType({"low": top.low, "high": top.high, "side": side}),
                    )
                )
        return out


class OiDropChecker:
    """Fires when a symbol's open interest (coins) fell ``pct`` % or more over the last hour."""

    def __init__(self, rule: OiDropRule) -> None:
        self.rule = rule
        self._latches: dict[str, Latch] = {}

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Firings for symbols deleveraging now."""
        radar = inputs.radar()
        if radar is None:
            return []
        out = []
        for symbol in _symbols(inputs, self.rule.symbol):
            row = radar.derivatives.get(symbol)
            change = row.oi_change_1h_pct if row is not None else None
            if change is None:
                continue
            latch = self._latches.setdefault(symbol, Latch())
            if latch.update(active=change <= -self.rule.pct, clear=change > -self.rule.pct / 2):
                out.append(
                    Firing(
                        message=f"{symbol} open interest {change:+.1f}% in 1 h: forced deleveraging",
                        target=symbol,
                        symbol=symbol,
                        value=round(change, 2),
                        threshold=-self.rule.pct,
                    )
                )
        return out


class FundingNegativeChecker:
    """Fires when funding is negative on every venue quoting it (at least ``min_venues``)."""

    def __init__(self, rule: FundingNegativeRule) -> None:
        self.rule = rule
        self._latches: dict[str, Latch] = {}

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Firings for symbols whose funding turned negative everywhere."""
        from crashtui.analysis.derivatives import venue_label

        radar = inputs.radar()
        if radar is None:
            return []
        out = []
        for symbol in _symbols(inputs, self.rule.symbol):
            row = radar.derivatives.get(symbol)
            rates = {venue_label(f.venue): f.rate_8h for f in row.funding} if row is not None else {}
            if len(rates) < self.rule.min_venues:
                continue
            negative = all(r < 0 for r in rates.values())
            latch = self._latches.setdefault(symbol, Latch())
            if latch.update(active=negative, clear=all(r > 0 for r in rates.values())):
                listed = ", ".join(f"{v} {r * 100:+.4f}%" for v, r in sorted(rates.items()))
                out.append(
                    Firing(
                        message=f"{symbol} funding negative on all {len(rates)} venues ({listed} per 8 h)",
                        target=symbol,
                        symbol=symbol,
                        value=round(max(rates.values()) * 100, 5),
                        threshold=0.0,
                    )
                )
        return out


class PositionChecker:
    """The position rules (see :class:`~crashtui.config.alerts_schema.PositionRule`)."""

    def __init__(self, rule: PositionRule) -> None:
        self.rule = rule
        self._latches: dict[object, Latch] = {}

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Firings for positions newly in the rule's condition."""
        from crashtui.risk.predicates import effective_leverage_above, guarding_levels, near_liquidation

        portfolio = inputs.portfolio()
        if portfolio is None:
            return []
        out = []
        rule = self.rule
        for index, risk in enumerate(portfolio.positions):
            position = risk.position
            if rule.symbol and position.symbol != rule.symbol:
                continue
            label = (
                f"{position.symbol} {position.side} {position.leverage:g}x from {fmt_price(position.entry)}"
            )
            if rule.kind == "position_near_liq":
                active = near_liquidation(risk, rule.within_pct)
                clear = risk.distance_pct is None or risk.distance_pct > 2 * rule.within_pct
                text = f"{label} is {risk.distance_pct or 0:.1f}% from its liquidation price " + (
                    f"{fmt_price(risk.liquidation_price)}" if risk.liquidation_price else ""
                )
                targets: list[tuple[object, bool, bool, str]] = [(index, active, clear, text)]
            elif rule.kind == "position_leverage":
                active = effective_leverage_above(risk, rule.max_leverage)
                lev = risk.effective_leverage
                text = (
                    f"{label} runs at {lev:.1f}x, above {rule.max_leverage:g}x"
                    if lev
                    else f"{label}: no equity left"
                )
                targets = [(index, active, not active, text)]
            else:
                zones = inputs.zones(position.symbol)
                broken = {
                    z.level
                    for z in (
                        zones.analysis.zones.zones if zones is not None and zones.analysis.zones else ()
                    )
                    if z.state in BROKEN_STATES
                }
                targets = [
                    (
                        (index, level.price),
                        level.price in broken,
                        level.price not in broken,
                        f"{level.name} broke: it stood between {label} and its liquidation",
                    )
                    for level in guarding_levels(risk)
                ]
            for target, active, clear, text in targets:
                latch = self._latches.setdefault(target, Latch())
                if latch.update(active=active, clear=clear):
                    out.append(Firing(message=text.strip(), target=target, symbol=position.symbol))
        return out


class RecoveryChecker:
    """Fires when an item of the recovery checklist turns met or is lost."""

    def __init__(self, rule: RecoveryRule) -> None:
        self.rule = rule
        self._last: dict[str, str] = {}

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Firings for items whose status moved between met and not met."""
        radar = inputs.radar()
        if radar is None:
            return []
        out = []
        for item in radar.recovery:
            if self.rule.item and item.id != self.rule.item:
                continue
            before = self._last.get(item.id)
            self._last[item.id] = item.status
            if before is None or before == item.status or "unknown" in (before, item.status):
                continue
            verb = "met" if item.status == "met" else "lost"
            out.append(
                Firing(
                    message=f"Recovery checklist: {item.label} {verb} ({item.evidence})",
                    target=item.id,
                    details=MappingProxyType({"before": before, "after": item.status}),
                )
            )
        return out
