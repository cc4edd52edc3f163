"""Zone rules: price enters a zone; a closed candle breaks it; price closes back (reclaim).

Breaks and reclaims are the zone analysis's own (a candle *close* beyond the far edge by the
configured ATR tolerance, see :mod:`crashtui.analysis.zone_state`), so an alert and the
dashboard's ``BROKE 1,826`` badge always agree. An alert fires for a break or reclaim whose
candle closed since the previous look: re-deriving old events as the 48 h state window slides
never fires again. At the first look only events at or after the moment alerts were armed count.
"""

from __future__ import annotations

from types import MappingProxyType

from crashtui.alerts.checks.base import Firing, direction_ok
from crashtui.alerts.inputs import MarketInputs, ZoneView
from crashtui.alerts.triggers import Latch
from crashtui.analysis.zones import Zone, ZoneKind
from crashtui.config.alerts_schema import ZoneRule
from crashtui.numfmt import fmt_price
from crashtui.timeparse import iso_utc


class ZoneChecker:
    """One zone rule over one symbol or every watchlist symbol."""

    def __init__(self, rule: ZoneRule, arm_ms: int) -> None:
        self.rule = rule
        self._watermark: dict[str, int] = {}
        self._seen_version: dict[str, int] = {}
        self._arm_ms = arm_ms
        # zone_enter: per (symbol, zone level) a latch and the side price was last outside on.
        self._inside: dict[tuple[str, float], Latch] = {}
        self._side: dict[tuple[str, float], str] = {}

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Firings for every watched symbol."""
        symbols = (self.rule.symbol,) if self.rule.symbol else inputs.watchlist
        out: list[Firing] = []
        for symbol in symbols:
            view = inputs.zones(symbol)
            if view is None:
                continue
            if self.rule.kind == "zone_enter":
                out.extend(self._enter(symbol, view, inputs.price(symbol)))
            elif self._seen_version.get(symbol) != view.version:
                self._seen_version[symbol] = view.version
                out.extend(self._events(symbol, view))
        return out

    def _watched(self, view: ZoneView) -> list[Zone]:
        zones = view.analysis.zones.zones if view.analysis.zones is not None else ()
        level = self.rule.level
        if level is not None:
            return [z for z in zones if z.low <= level <= z.high][:1]
        if self.rule.zones == "pinned":
            return [z for z in zones if z.pinned]
        return list(zones)

    # -- break / reclaim ---------------------------------------------------------------------

    def _events(self, symbol: str, view: ZoneView) -> list[Firing]:
        watermark = self._watermark.get(symbol, self._arm_ms - 1)
        if view.closed_through_ms is not None:
            self._watermark[symbol] = max(watermark, view.closed_through_ms)
        breaking = self.rule.kind == "zone_break"
        out = []
        for zone in self._watched(view):
            event_ms = zone.broken_ms if breaking else zone.reclaimed_ms
            if event_ms is None or event_ms <= watermark:
                continue
            way = _way(zone, view.last_close)
            if direction_ok(self.rule.direction, way):
                out.append(self._event_firing(symbol, zone, view, event_ms, way))
        return out

    def _event_firing(self, symbol: str, zone: Zone, view: ZoneView, event_ms: int, way: str) -> Firing:
        breaking = self.rule.kind == "zone_break"
        pinned = "pinned " if zone.pinned else ""
        what = f"the {pinned}{fmt_price(zone.level)} zone ({fmt_price(zone.low)}–{fmt_price(zone.high)})"
        if breaking:
            action = f"broke {'below' if way == 'down' else 'above'} {what}"
        else:
            action = f"reclaimed {what} from {'below' if way == 'up' else 'above'}"
        close = view.last_close
        close_text = (
            f": {view.interval} close {fmt_price(close)}" if close is not None and view.interval else ""
        )
        return Firing(
            message=f"{symbol} {action}{close_text} at {iso_utc(event_ms)[11:16]}Z",
            target=(symbol, round(zone.level, 8)),
            symbol=symbol,
            value=close,
            threshold=zone.level,
            details=MappingProxyType(
                {
                    "direction": way,
                    "zone_low": zone.low,
                    "zone_high": zone.high,
                    "pinned": zone.pinned,
                    "event_ms": event_ms,
                    "event_at": iso_utc(event_ms),
                    "interval": view.interval,
                }
            ),
        )

    # -- enter -------------------------------------------------------------------------------

    def _enter(self, symbol: str, view: ZoneView, price: float | None) -> list[Firing]:
        if price is None:
            return []
        band = price * self.rule.hysteresis_pct / 100.0
        out = []
        current: set[tuple[str, float]] = set()
        for zone in self._watched(view):
            key = (symbol, round(zone.level, 8))
            current.add(key)
            inside = zone.low <= price <= zone.high
            latch = self._inside.get(key)
            if latch is None:
                latch = self._inside[key] = Latch(armed=not inside)
            came_from = self._side.get(key)
            if not inside:
                self._side[key] = "above" if price > zone.high else "below"
            fired = latch.update(active=inside, clear=price < zone.low - band or price > zone.high + band)
            way = "down" if came_from == "above" else "up"
            if fired and came_from is not None and direction_ok(self.rule.direction, way):
                out.append(
                    Firing(
                        message=(
                            f"{symbol} entered the {'pinned ' if zone.pinned else ''}{fmt_price(zone.level)} "
                            f"zone ({fmt_price(zone.low)}–{fmt_price(zone.high)}) from {came_from}: "
                            f"price {fmt_price(price)}"
                        ),
                        target=key,
                        symbol=symbol,
                        value=price,
                        threshold=zone.level,
                        details=MappingProxyType(
                            {
                                "direction": way,
                                "zone_low": zone.low,
                                "zone_high": zone.high,
                                "pinned": zone.pinned,
                            }
                        ),
                    )
                )
        for key in [k for k in self._inside if k[0] == symbol and k not in current]:
            self._inside.pop(key, None)
            self._side.pop(key, None)
        return out


def _way(zone: Zone, close: float | None) -> str:
    """Which way price went through the zone: ``down`` (now below it) or ``up``."""
    if close is not None and close < zone.low:
        return "down"
    if close is not None and close > zone.high:
        return "up"
    return "down" if zone.kind is ZoneKind.RESISTANCE else "up"
