"""Rule semantics on a real FeedState driven by hand: edges, hysteresis, cooldown, re-arming."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from crashtui.alerts.evaluator import Evaluator
from crashtui.alerts.inputs import MarketInputs
from crashtui.alerts.triggers import EventGate, Latch
from crashtui.analysis.liquidations import LiquidationTally
from crashtui.clock import FakeClock
from crashtui.config.alerts_schema import (
    AlertRule,
    FearGreedRule,
    LiquidationRule,
    PriceCrossRule,
    PriceMoveRule,
    SourceFailingRule,
)
from crashtui.config.schema import Config
from crashtui.events import DataEvent, StatusEvent
from crashtui.model import FearGreedReading, Liquidation, Side, SourceState, SourceStatus, Ticker
from crashtui.state import FeedState

T0 = 1_770_336_000_000  # 2026-02-06T00:00Z
MIN = 60_000


class FakeMarket:
    """An AlertSource over a real FeedState and tally, fed by hand with a fake clock."""

    def __init__(self, watchlist: tuple[str, ...] = ("BTC", "ETH")) -> None:
        self.config = Config()
        self.watchlist = watchlist
        self.clock = FakeClock(T0)
        self.tally = LiquidationTally(self.config.analysis.cascade)
        self.state = FeedState(watchlist, now_ms=self.clock.now_ms, on_liquidation=self.tally.add)
        self.mode = "live"

    @property
    def pinned_zones(self) -> Mapping[str, tuple[float, ...]]:
        return {}

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def at(self, minutes: float) -> FakeMarket:
        self.clock._now_ms = T0 + round(minutes * MIN)
        return self

    def price(self, symbol: str, price: float) -> None:
        ticker = Ticker(symbol, price, None, self.now_ms(), "binance")
        self.state.apply(DataEvent("binance", "prices", (ticker,), self.now_ms()))

    def fear(self, value: float, label: str = "Fear") -> None:
        reading = FearGreedReading("crypto", self.now_ms(), value, label, "alternative_me")
        self.state.apply(DataEvent("alternative_me", "fear_crypto", (reading,), self.now_ms()))

    def status(self, source: str, state: SourceState, error: str | None = None) -> None:
        self.state.apply(StatusEvent(SourceStatus(source, state, self.now_ms(), last_error=error)))

    def liquidation(self, usd: float, side: Side = Side.LONG, symbol: str = "BTC") -> None:
        liq = Liquidation("bybit", symbol, side, 60_000.0, usd / 60_000.0, usd, self.now_ms())
        self.state.apply(DataEvent("bybit_liq", "liquidations", (liq,), self.now_ms()))


def common(rule_type: type[AlertRule], **kw: object) -> AlertRule:
    base: dict[str, object] = {"name": "r", "severity": "warning", "cooldown_s": 0.0}
    base.update(kw)
    return rule_type(**base)  # type: ignore[arg-type]


def run(market: FakeMarket, evaluator: Evaluator, steps: Sequence[tuple[float, float]]) -> list[float]:
    """Feed (minute, price) steps for BTC; return the minutes at which an alert fired."""
    fired = []
    for minute, price in steps:
        market.at(minute).price("BTC", price)
        if evaluator.evaluate():
            fired.append(minute)
    return fired


def test_latch_fires_once_and_rearms_only_past_the_band() -> None:
    latch = Latch()
    seq = [(True, False), (True, False), (False, False), (True, False), (False, True), (True, False)]
    assert [latch.update(a, c) for a, c in seq] == [True, False, False, False, False, True]


def test_event_gate_history_then_new_events() -> None:
    gate: EventGate[str] = EventGate(arm_ms=100)
    assert gate.new([]) == []  # no data yet: the baseline is not set
    assert gate.new([("old", 50), ("fresh", 150)]) == ["fresh"]
    assert gate.new([("old", 50), ("fresh", 150)]) == []
    assert gate.new([("later-but-dated-early", 10)]) == ["later-but-dated-early"]


def test_price_hovering_on_a_level_fires_once_until_it_clears_the_band() -> None:
    market = FakeMarket()
    rule = common(PriceCrossRule, symbol="BTC", level=60_000.0, hysteresis_pct=0.1)  # band: 60
    evaluator = Evaluator(market, [rule])
    steps = [
        (0, 60_100.0),  # first price: above, a down-cross is armed
        (1, 59_990.0),  # crosses down: fires
        (2, 60_010.0),
        (3, 59_995.0),  # hovering: no re-arm (never above 60,060)
        (4, 60_050.0),
        (5, 59_980.0),  # still no
        (6, 60_070.0),  # clears the band above: re-armed
        (7, 59_990.0),  # fires again
    ]
    assert run(market, evaluator, steps) == [1, 7]


def test_price_cross_direction_and_cooldown() -> None:
    market = FakeMarket()
    rule = common(PriceCrossRule, symbol="BTC", level=60_000.0, direction="up", cooldown_s=600.0)
    evaluator = Evaluator(market, [rule])
    steps = [(0, 59_000.0), (1, 61_000.0), (2, 59_000.0), (3, 61_000.0), (20, 59_000.0), (21, 61_000.0)]
    assert run(market, evaluator, steps) == [1, 21]  # downs never fire; the up at minute 3 is in cooldown
    assert evaluator.suppressed == 1


def test_alert_fields_and_message() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [common(PriceCrossRule, name="btc 60k", symbol="BTC", level=60_000.0)])
    market.at(0).price("BTC", 60_500.0)
    evaluator.evaluate()
    market.at(1).price("BTC", 59_870.0)
    (alert,) = evaluator.evaluate()
    assert alert.rule == "btc 60k"
    assert alert.kind == "price_cross"
    assert alert.at_ms == T0 + MIN
    assert alert.at == "2026-02-06T00:01:00Z"
    assert (alert.symbol, alert.value, alert.threshold) == ("BTC", 59_870.0, 60_000.0)
    assert alert.message == "BTC crossed below 60,000: price 59,870"
    assert alert.details["direction"] == "down"


def test_price_move_from_the_window_high_with_rearm() -> None:
    market = FakeMarket()
    rule = common(PriceMoveRule, symbol="BTC", pct=5.0, window_min=60, direction="down")  # re-arm < 2.5 %
    evaluator = Evaluator(market, [rule])
    steps = [
        (0, 100.0),
        (10, 96.0),  # -4 %
        (20, 94.9),  # -5.1 % from the high: fires
        (25, 97.0),  # -3 %: not clear of the band
        (30, 94.0),  # no
        (35, 98.0),  # -2 %: re-armed
        (40, 94.5),  # -5.5 %: fires
        (95, 94.0),  # the 100 high has left the window; the high is 98 (minute 35): -4.1 %
    ]
    assert run(market, evaluator, steps) == [20, 40]


def test_fear_greed_extreme_fear_fires_once_within_the_hysteresis() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [common(FearGreedRule, at_or_below=24.0, hysteresis_points=5.0)])
    fired = []
    for day, value in enumerate([30, 24, 26, 29, 20, 12, 30, 22]):
        market.at(day * 1440).fear(value, "Extreme Fear" if value < 25 else "Fear")
        fired += [(day, a.value) for a in evaluator.evaluate()]
    assert fired == [(1, 24), (7, 22)]


def test_condition_true_at_start_fires_once() -> None:
    market = FakeMarket()
    market.fear(9, "Extreme Fear")
    evaluator = Evaluator(market, [common(FearGreedRule, at_or_below=24.0)])
    assert [a.value for a in evaluator.evaluate()] == [9]
    assert evaluator.evaluate() == []


def test_source_failing_for_longer_than_the_limit_with_sanitised_error() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [common(SourceFailingRule, minutes=10.0)])
    market.at(0).status("farside", SourceState.BLOCKED, "HTTP 403 \x1b]52;c;ZXZpbA==\x07Cloudflare\x1b[2J")
    market.status("binance", SourceState.OK)
    fired = []
    for minute in (0, 5, 9, 10, 11, 30):
        market.at(minute)
        fired += [(minute, a) for a in evaluator.evaluate()]
    assert [(m, a.details["source"]) for m, a in fired] == [(10, "farside")]
    message = fired[0][1].message
    assert message == "farside blocked for 10 min: HTTP 403 Cloudflare"
    market.at(31).status("farside", SourceState.OK)
    assert evaluator.evaluate() == []
    market.at(32).status("farside", SourceState.FAILING, "timeout")
    market.at(41)
    assert evaluator.evaluate() == []
    market.at(42)
    assert [a.message for a in evaluator.evaluate()] == ["farside failing for 10 min: timeout"]


def test_liquidations_over_a_threshold_rearm_when_the_window_empties() -> None:
    market = FakeMarket()
    rule = common(LiquidationRule, window="1h", usd=50e6, side="long")
    evaluator = Evaluator(market, [rule])
    market.at(0).liquidation(30e6)
    market.liquidation(40e6, Side.SHORT)
    assert evaluator.evaluate() == []  # longs 30M
    market.at(1).liquidation(25e6)
    (alert,) = evaluator.evaluate()
    assert alert.value == 55e6
    assert alert.message == "Liquidations 1h longs: $55.0M ≥ $50.0M"
    market.at(2).liquidation(25e6)
    assert evaluator.evaluate() == []  # still above: no repeat
    market.at(70).liquidation(1e6)  # the first hour left the window: 1M, re-armed
    assert evaluator.evaluate() == []
    market.at(71).liquidation(60e6)
    assert [a.value for a in evaluator.evaluate()] == [61e6]


def test_time_going_backwards_rearms_every_rule() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [common(FearGreedRule, at_or_below=24.0, cooldown_s=86_400.0)])
    market.at(100).fear(10)
    assert len(evaluator.evaluate()) == 1
    market.at(101)
    assert evaluator.evaluate() == []
    market.at(50)  # a replay seek back: start over, armed now
    assert len(evaluator.evaluate()) == 1
    assert evaluator.armed_at_ms == T0 + 50 * MIN


def test_disabled_rules_are_skipped() -> None:
    market = FakeMarket()
    rule = common(FearGreedRule, at_or_below=24.0)
    evaluator = Evaluator(market, [replace(rule, enabled=False)])
    market.fear(5)
    assert evaluator.rules == ()
    assert evaluator.evaluate() == []


def test_the_gauge_rule_never_fires_on_insufficient_data() -> None:
    """Extreme fear alone scores the partial gauge high, but one component of ten is no
    reading: the gauge says 'insufficient data' and its rule stays quiet."""
    from crashtui.config.alerts_schema import GaugeRule

    market = FakeMarket()
    evaluator = Evaluator(market, (common(GaugeRule, at_or_above=50.0),))
    market.at(0).price("BTC", 60_000.0)
    market.fear(5.0, "Extreme Fear")
    gauge = MarketInputs(market).gauge()
    assert not gauge.sufficient
    assert gauge.score is not None
    assert gauge.score >= 50.0  # the partial score would have fired
    assert evaluator.evaluate() == []


def test_price_rules_read_the_current_price_never_a_stale_ticker() -> None:
    """A ticker over 6 h old is history (analysis/price.py): a price alert judges the newer 1h
    close the price pane shows, or nothing, never the old quote as now."""
    from crashtui.model import Candle, Interval

    market = FakeMarket()
    inputs = MarketInputs(market)
    market.at(0).price("BTC", 70_000.0)
    assert inputs.price("BTC") == 70_000.0
    market.at(7 * 60)  # the ticker is 7 h old; no candle since
    assert inputs.price("BTC") is None
    open_ms = market.now_ms() - 2 * 60 * MIN
    candle = Candle("BTC", Interval.H1, open_ms, 69_000.0, 69_500.0, 64_000.0, 65_000.0, 1.0, "binance", True)
    market.state.apply(DataEvent("binance", "candles", (candle,), market.now_ms()))
    assert inputs.price("BTC") == 65_000.0
