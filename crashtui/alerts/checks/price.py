"""Price rules: a level crossed, a % move within a window."""

from __future__ import annotations

from collections import deque
from types import MappingProxyType

from crashtui.alerts.checks.base import Firing, direction_ok
from crashtui.alerts.inputs import MarketInputs
from crashtui.alerts.triggers import Latch
from crashtui.config.alerts_schema import PriceCrossRule, PriceMoveRule
from crashtui.numfmt import fmt_price


class PriceCrossChecker:
    """Fires when price goes through ``level``.

    A down-cross is armed while price is above the level (at the first price seen, or once it
    has been ``hysteresis_pct`` % above it since the last down-cross) and fires when price drops
    below the level; an up-cross mirrors it. So a price hovering on the level fires once.
    """

    def __init__(self, rule: PriceCrossRule) -> None:
        self.rule = rule
        self._down: Latch | None = None
        self._up: Latch | None = None

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire on a crossing in an allowed direction."""
        rule = self.rule
        price = inputs.price(rule.symbol)
        if price is None:
            return []
        level = rule.level
        band = level * rule.hysteresis_pct / 100.0
        if self._down is None or self._up is None:
            self._down = Latch(armed=price > level)
            self._up = Latch(armed=price < level)
            return []
        out = []
        if self._down.update(active=price < level, clear=price > level + band) and direction_ok(
            rule.direction, "down"
        ):
            out.append(self._firing(price, "down"))
        if self._up.update(active=price > level, clear=price < level - band) and direction_ok(
            rule.direction, "up"
        ):
            out.append(self._firing(price, "up"))
        return out

    def _firing(self, price: float, way: str) -> Firing:
        rule = self.rule
        side = "below" if way == "down" else "above"
        return Firing(
            message=f"{rule.symbol} crossed {side} {fmt_price(rule.level)}: price {fmt_price(price)}",
            target=way,
            symbol=rule.symbol,
            value=price,
            threshold=rule.level,
            details=MappingProxyType({"direction": way}),
        )


class _Extremes:
    """Running max and min of (time, price) samples over a sliding window (monotonic deques)."""

    def __init__(self) -> None:
        self._max: deque[tuple[int, float]] = deque()
        self._min: deque[tuple[int, float]] = deque()

    def add(self, ts_ms: int, price: float) -> None:
        while self._max and self._max[-1][1] <= price:
            self._max.pop()
        self._max.append((ts_ms, price))
        while self._min and self._min[-1][1] >= price:
            self._min.pop()
        self._min.append((ts_ms, price))

    def expire(self, since_ms: int) -> None:
        for queue in (self._max, self._min):
            while queue and queue[0][0] < since_ms:
                queue.popleft()

    def high(self) -> float | None:
        return self._max[0][1] if self._max else None

    def low(self) -> float | None:
        return self._min[0][1] if self._min else None


class PriceMoveChecker:
    """Fires when price is ``pct`` % off the window's high (down) or low (up).

    The window's high and low come from the prices seen at each evaluation and from the
    intraday candles that opened inside the window (so wicks between samples and the time
    before start-up count). Re-arms once the move is back under ``pct - hysteresis_pct``.
    """

    def __init__(self, rule: PriceMoveRule) -> None:
        self.rule = rule
        self._extremes = _Extremes()
        self._down = Latch()
        self._up = Latch()
        self._rearm = rule.pct - (rule.hysteresis_pct if rule.hysteresis_pct is not None else rule.pct / 2.0)

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Fire on a move reaching ``pct`` in an allowed direction."""
        rule = self.rule
        price = inputs.price(rule.symbol)
        if price is None:
            return []
        since = now_ms - rule.window_min * 60_000
        self._extremes.add(now_ms, price)
        self._extremes.expire(since)
        high = self._extremes.high() or price
        low = self._extremes.low() or price
        candles = inputs.candle_range(rule.symbol, since)
        if candles is not None:
            high, low = max(high, candles[0]), min(low, candles[1])
        drop = (1.0 - price / high) * 100.0
        rise = (price / low - 1.0) * 100.0
        out = []
        if direction_ok(rule.direction, "down") and self._down.update(
            active=drop >= rule.pct, clear=drop < self._rearm
        ):
            out.append(self._firing(price, high, -drop, "down"))
        if direction_ok(rule.direction, "up") and self._up.update(
            active=rise >= rule.pct, clear=rise < self._rearm
        ):
            out.append(self._firing(price, low, rise, "up"))
        return out

    def _firing(self, price: float, reference: float, move: float, way: str) -> Firing:
        rule = self.rule
        window = _window_text(rule.window_min)
        origin = "high" if way == "down" else "low"
        return Firing(
            message=(
                f"{rule.symbol} {move:+.1f}% within {window}: {fmt_price(reference)} → {fmt_price(price)} "
                f"(from the {window} {origin})"
            ),
            target=way,
            symbol=rule.symbol,
            value=round(move, 4),
            threshold=rule.pct if way == "up" else -rule.pct,
            details=MappingProxyType(
                {
                    "direction": way,
                    "window_min": rule.window_min,
                    "reference_price": reference,
                    "price": price,
                }
            ),
        )


def _window_text(minutes: int) -> str:
    return f"{minutes // 60}h" if minutes % 60 == 0 else f"{minutes}m"
