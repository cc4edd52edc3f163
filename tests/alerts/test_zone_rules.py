"""Zone rules on synthetic candles: enter with hysteresis, break and reclaim once per closed candle."""

from __future__ import annotations

from collections.abc import Mapping

from crashtui.alerts.evaluator import Evaluator
from crashtui.analysis.liquidations import LiquidationTally
from crashtui.clock import FakeClock
from crashtui.config.alerts_schema import ZoneRule
from crashtui.config.schema import Config
from crashtui.events import DataEvent
from crashtui.model import Candle, Interval, Ticker
from crashtui.state import FeedState

HOUR = 3_600_000
T0 = 1_770_336_000_000  # 2026-02-06T00:00Z, a whole hour


class ZoneMarket:
    """BTC with 200 hourly candles closing 108–112 and the level 100 pinned."""

    def __init__(self) -> None:
        self.config = Config()
        self.watchlist: tuple[str, ...] = ("BTC",)
        self.clock = FakeClock(T0 + 60_000)
        self.tally = LiquidationTally()
        self.state = FeedState(self.watchlist, now_ms=self.clock.now_ms)
        self.mode = "live"
        closes = [110.0 + (2.0 if i % 2 else -2.0) for i in range(200)]
        self.candles([(T0 - (200 - i) * HOUR, c) for i, c in enumerate(closes)])
        self.price(110.0)

    @property
    def pinned_zones(self) -> Mapping[str, tuple[float, ...]]:
        return {"BTC": (100.0,)}

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def candles(self, rows: list[tuple[int, float]]) -> None:
        items = tuple(
            Candle("BTC", Interval.H1, open_ms, close + 0.5, close + 1.0, close - 1.0, close, 10.0, "binance")
            for open_ms, close in rows
        )
        self.state.apply(DataEvent("binance", "candles", items, self.now_ms()))

    def price(self, value: float) -> None:
        self.clock.advance(60)
        ticker = Ticker("BTC", value, None, self.now_ms(), "binance")
        self.state.apply(DataEvent("binance", "prices", (ticker,), self.now_ms()))


def rule(kind: str, **kw: object) -> ZoneRule:
    return ZoneRule(kind=kind, name=kind, severity="info", cooldown_s=0.0, **kw)  # type: ignore[arg-type]


def test_entering_a_pinned_zone_fires_once_until_price_leaves_it_by_the_band() -> None:
    market = ZoneMarket()
    evaluator = Evaluator(market, [rule("zone_enter", symbol="BTC", hysteresis_pct=1.0)])
    assert evaluator.evaluate() == []
    view = evaluator.inputs.zones("BTC")
    assert view is not None
    assert view.analysis.zones is not None
    (zone,) = [z for z in view.analysis.zones.zones if z.pinned]
    low, high = zone.low, zone.high
    band = 1.0  # 1 % of a price near 100
    inside = (low + high) / 2
    fired = []
    for price in (inside, high + 0.5 * band, inside, high + 1.5 * band, inside, low - 1.5 * band, inside):
        market.price(price)
        fired += [(price, a.details["direction"]) for a in evaluator.evaluate()]
    assert fired == [(inside, "down"), (inside, "down"), (inside, "up")]


def test_break_and_reclaim_fire_once_per_closing_candle() -> None:
    market = ZoneMarket()
    up_only = ZoneRule(
        kind="zone_break",
        name="up only",
        severity="info",
        cooldown_s=0.0,
        symbol="BTC",
        level=100.0,
        direction="up",
    )
    rules = [rule("zone_break"), rule("zone_reclaim"), up_only]  # "up only" must never fire here
    evaluator = Evaluator(market, rules)
    assert evaluator.evaluate() == []  # the history (closes around 110) breaks nothing
    market.candles([(T0, 90.0)])  # closes far below the pinned zone
    market.clock._now_ms = T0 + HOUR + 60_000
    market.price(90.0)
    (alert,) = evaluator.evaluate()
    assert alert.rule == "zone_break"
    assert alert.details["direction"] == "down"
    assert alert.details["event_ms"] == T0 + HOUR
    assert alert.message.startswith("BTC broke below the pinned 100.0 zone")
    assert alert.message.endswith(": 1h close 90.00 at 01:00Z")
    market.candles([(T0 + HOUR, 89.0)])  # another close below: the same break, no new alert
    market.clock._now_ms = T0 + 2 * HOUR + 60_000
    market.price(89.0)
    assert evaluator.evaluate() == []
    market.candles([(T0 + 2 * HOUR, 111.0)])  # back above, one close: not reclaimed yet
    market.clock._now_ms = T0 + 3 * HOUR + 60_000
    market.price(111.0)
    assert evaluator.evaluate() == []  # the screen says "back above, not reclaimed"
    market.candles([(T0 + 3 * HOUR, 112.0)])  # the second close above confirms the reclaim
    market.clock._now_ms = T0 + 4 * HOUR + 60_000
    market.price(112.0)
    (reclaim,) = evaluator.evaluate()
    assert reclaim.rule == "zone_reclaim"
    assert reclaim.message.startswith("BTC reclaimed the pinned 100.0 zone")
    assert "from below" in reclaim.message
    assert reclaim.details["event_ms"] == T0 + 4 * HOUR
