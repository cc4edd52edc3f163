"""The rules that read the radar: clusters near price, deleveraging, funding, positions, recovery."""

from __future__ import annotations

from dataclasses import replace

from crashtui.alerts.evaluator import Evaluator
from crashtui.analysis.derivatives import SymbolDerivatives, VenueFunding
from crashtui.analysis.liqmap.result import LiqLevel, LiqMap
from crashtui.analysis.radar import Radar
from crashtui.analysis.recovery import ChecklistItem
from crashtui.config.alerts_schema import (
    FundingNegativeRule,
    LiqClusterRule,
    OiDropRule,
    PositionRule,
    RecoveryRule,
)
from crashtui.risk.position import Position, PositionSide
from tests.alerts.test_rules import FakeMarket, common


class RadarMarket(FakeMarket):
    """A FakeMarket whose radar the test sets by hand."""

    def __init__(self) -> None:
        super().__init__()
        self.current = Radar(generated_ms=self.now_ms())
        self.reads = 0

    def radar(self) -> Radar:
        self.reads += 1
        return self.current


def test_a_cluster_coming_within_reach_fires_once_per_side_until_price_leaves() -> None:
    market = RadarMarket()
    levels = (LiqLevel(57_000.0, 57_500.0, "long", 120e6), LiqLevel(66_000.0, 66_500.0, "short", 10e6))
    market.current = replace(
        market.current, liquidation_maps={"BTC": LiqMap("BTC", None, levels, 60_000.0, 500)}
    )
    evaluator = Evaluator(market, (common(LiqClusterRule, symbol="BTC", within_pct=1.0, min_usd=50e6),))
    market.at(0).price("BTC", 60_000.0)
    assert evaluator.evaluate() == []  # 4.2% above the long cluster
    market.at(10).price("BTC", 57_900.0)
    (alert,) = evaluator.evaluate()
    assert "within 1% of an estimated $120.0M of long liquidations at 57,000-57,500" in alert.message
    market.at(20).price("BTC", 57_800.0)
    assert evaluator.evaluate() == []  # still near: no repeat
    market.at(30).price("BTC", 60_000.0)
    assert evaluator.evaluate() == []  # left (beyond 2x the distance): re-armed
    market.at(40).price("BTC", 57_800.0)
    assert len(evaluator.evaluate()) == 1  # the short cluster ($10M) never counts: below min_usd


def test_open_interest_falling_in_an_hour_is_forced_deleveraging() -> None:
    market = RadarMarket()
    evaluator = Evaluator(market, (common(OiDropRule, pct=5.0),))
    market.current = replace(
        market.current, derivatives={"BTC": SymbolDerivatives("BTC", oi_change_1h_pct=-2.0)}
    )
    market.at(0).price("BTC", 60_000.0)
    assert evaluator.evaluate() == []
    market.current = replace(
        market.current, derivatives={"BTC": SymbolDerivatives("BTC", oi_change_1h_pct=-7.5)}
    )
    market.at(5).price("BTC", 59_000.0)  # the next 5-minute radar read
    (alert,) = evaluator.evaluate()
    assert alert.message == "BTC open interest -7.5% in 1 h: forced deleveraging"
    assert alert.threshold == -5.0


def test_the_radar_is_read_once_per_five_minutes_of_feed_time() -> None:
    market = RadarMarket()
    evaluator = Evaluator(market, (common(OiDropRule, pct=5.0), common(FundingNegativeRule, name="f")))
    for minute in range(10):
        market.at(minute).price("BTC", 60_000.0)
        evaluator.evaluate()
    assert market.reads == 2  # minutes 0-4 and 5-9


def test_funding_negative_on_every_venue() -> None:
    market = RadarMarket()
    evaluator = Evaluator(market, (common(FundingNegativeRule, min_venues=2),))

    def funding(*rates: float) -> Radar:
        rows = tuple(
            VenueFunding(v, r, market.now_ms()) for v, r in zip(("bybit", "okx_public"), rates, strict=False)
        )
        return replace(market.current, derivatives={"BTC": SymbolDerivatives("BTC", funding=rows)})

    market.current = funding(-0.0001)  # one venue only: not enough to say "across venues"
    market.at(0).price("BTC", 60_000.0)
    assert evaluator.evaluate() == []
    market.current = funding(-0.0001, 0.00005)
    market.at(5).price("BTC", 60_000.0)
    assert evaluator.evaluate() == []
    market.current = funding(-0.0001, -0.00002)
    market.at(10).price("BTC", 60_000.0)
    (alert,) = evaluator.evaluate()
    assert alert.message == "BTC funding negative on all 2 venues (bybit -0.0100%, okx -0.0020% per 8 h)"


def test_a_long_near_liquidation_and_over_levered() -> None:
    market = RadarMarket()
    position = Position("BTC", PositionSide.LONG, entry=70_000.0, leverage=10.0, size=1.0)
    market.config = replace(market.config, positions=(position,))  # the rules watch configured positions
    # the rules evaluate the positions themselves, every feed minute, from the ticker (no radar)
    rules = (
        common(PositionRule, kind="position_near_liq", within_pct=5.0),
        common(PositionRule, kind="position_leverage", name="lev", max_leverage=10.0),
    )
    evaluator = Evaluator(market, rules)

    market.at(0).price("BTC", 70_000.0)  # liquidation near 63,300: 9.6% away, leverage 10x (not above)
    assert evaluator.evaluate() == []
    market.at(5).price("BTC", 65_500.0)  # 3.3% from liquidation; losses lift live leverage past 10x
    messages = sorted(a.message for a in evaluator.evaluate())
    assert len(messages) == 2
    assert messages[0].startswith("BTC long 10x from 70,000 is 3.")
    assert "% from its liquidation price 63," in messages[0]
    assert messages[1].startswith("BTC long 10x from 70,000 runs at ")
    assert market.reads == 0


def test_a_checklist_item_met_or_lost_fires_once() -> None:
    market = RadarMarket()
    evaluator = Evaluator(market, (common(RecoveryRule),))

    def fear(status: str) -> Radar:
        item = ChecklistItem("crypto_fear", "Fear out of extreme", status, "F&G 30 for 3 days", None, False)
        return replace(market.current, recovery=(item,))

    market.current = fear("not_met")
    market.at(0).price("BTC", 60_000.0)
    assert evaluator.evaluate() == []
    market.current = fear("met")
    market.at(5).price("BTC", 60_000.0)
    (alert,) = evaluator.evaluate()
    assert alert.message == "Recovery checklist: Fear out of extreme met (F&G 30 for 3 days)"
    market.current = fear("unknown")  # data gone: not a loss
    market.at(10).price("BTC", 60_000.0)
    assert evaluator.evaluate() == []


def test_position_rules_with_no_positions_configured_never_read_the_radar() -> None:
    """A radar costs tens of ms; the default position rules must not pay it for nobody."""
    market = RadarMarket()
    evaluator = Evaluator(market, (common(PositionRule, kind="position_near_liq", within_pct=5.0),))
    for minute in range(0, 60, 5):
        market.at(minute).price("BTC", 60_000.0)
        assert evaluator.evaluate() == []
    assert market.reads == 0
