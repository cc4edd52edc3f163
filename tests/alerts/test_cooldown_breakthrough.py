"""A much worse event breaks through the cooldown a smaller one started (issue 20).

feb-2026: the 13:14Z cascade on Feb 6 ($27.6M in 5 min) started the cascade rule's one-hour
cooldown, and the 13:41Z one ($99.4M, the biggest of the day) raised no alert. A firing whose
magnitude is at least twice the one that started the cooldown is delivered inside it.
"""

from __future__ import annotations

from crashtui.alerts.alert import Alert
from crashtui.alerts.evaluator import BREAKTHROUGH_RATIO, Evaluator
from crashtui.config.alerts_schema import CascadeRule
from tests.alerts.test_rules import FakeMarket

RULE = CascadeRule(name="cascade", severity="critical", cooldown_s=3600.0)


def step(market: FakeMarket, evaluator: Evaluator, minute: float, usd: float = 0.0) -> list[Alert]:
    market.at(minute)
    if usd:
        market.liquidation(usd)
    return evaluator.evaluate()


def quiet(market: FakeMarket, evaluator: Evaluator, first: int, last: int) -> list[Alert]:
    fired: list[Alert] = []
    for minute in range(first, last + 1):
        fired += step(market, evaluator, minute)
    return fired


def first_cascade(market: FakeMarket, evaluator: Evaluator) -> Alert:
    assert step(market, evaluator, 0) == []  # arms the rules
    (alert,) = step(market, evaluator, 1, 30e6)  # opens, and is alerted at the next check
    assert alert.value == 30e6
    assert quiet(market, evaluator, 2, 15) == []  # closes after five quiet minutes
    return alert


def test_a_cascade_twice_as_big_breaks_through_the_cooldown_at_once() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [RULE])
    first_cascade(market, evaluator)
    # 20 minutes later, well inside the hour: $65M in one go, more than twice $30M.
    (alert,) = step(market, evaluator, 20, 65e6)
    assert alert.value == 65e6
    assert alert.details["breaks_cooldown_of"] == 30e6
    assert alert.message.startswith("Liquidation cascade since 00:20Z: $65.0M")
    assert evaluator.suppressed == 0


def test_a_cascade_first_seen_small_breaks_through_once_it_doubles() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [RULE])
    first_cascade(market, evaluator)
    assert step(market, evaluator, 20, 26e6) == []  # a smaller cascade: held by the cooldown
    assert evaluator.suppressed == 1
    assert step(market, evaluator, 21, 20e6) == []  # grows to $46M: less than 2 x $30M
    (alert,) = step(market, evaluator, 22, 20e6)  # $66M in 5 min: 2.2 x, delivered
    assert alert.value == 66e6
    assert alert.value >= BREAKTHROUGH_RATIO * 30e6
    assert alert.details["breaks_cooldown_of"] == 30e6
    assert alert.message.startswith("Liquidation cascade since 00:20Z: grew to $66.0M in 5 min")
    # The next breakthrough needs twice the new alert's rate, not twice the first one's.
    assert step(market, evaluator, 23, 60e6) == []  # $126M < 2 x $66M
    assert evaluator.suppressed == 1  # growth that does not break through is not "held back"


def test_growth_of_a_cascade_is_never_delivered_just_because_the_cooldown_ended() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [CascadeRule(name="c", severity="critical", cooldown_s=60.0)])
    first_cascade(market, evaluator)
    (second,) = step(market, evaluator, 20, 40e6)  # the cooldown is over: a new cascade fires
    assert "breaks_cooldown_of" not in second.details
    assert step(market, evaluator, 21, 30e6) == []  # grew to $70M: under 2 x $40M
    (grown,) = step(market, evaluator, 22, 20e6)  # $90M: over 2 x $40M
    assert grown.details["breaks_cooldown_of"] == 40e6
