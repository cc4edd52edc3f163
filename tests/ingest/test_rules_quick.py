"""The gate's quick checks never let through what the full checks hold: ``item_problem`` (quick
check first) must say exactly what the full rule of the item's type says, or raise what it
raises, whatever the fields hold."""

from __future__ import annotations

import math
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from crashtui.ingest import rules
from crashtui.ingest.rules import item_problem
from crashtui.model import (
    BookStats,
    Candle,
    FundingPoint,
    FundingSnapshot,
    Interval,
    Liquidation,
    LongShortRatio,
    OpenInterestPoint,
    Side,
    TakerVolume,
    Ticker,
)

# Each bound of the rules, just inside and just outside, and values of the wrong type.
_EDGES: list[Any] = [
    0,
    0.0,
    -0.0,
    -1.0,
    1.0,
    True,
    math.nan,
    math.inf,
    -math.inf,
    rules.MAX_PRICE_USD,
    math.nextafter(rules.MAX_PRICE_USD, math.inf),
    rules.MAX_TURNOVER_USD,
    math.nextafter(rules.MAX_TURNOVER_USD, math.inf),
    rules.MAX_BASE_UNITS,
    math.nextafter(rules.MAX_BASE_UNITS, math.inf),
    rules.MAX_ORDER_USD,
    math.nextafter(rules.MAX_ORDER_USD, math.inf),
    rules.MAX_FUNDING_8H,
    -rules.MAX_FUNDING_8H,
    math.nextafter(rules.MAX_FUNDING_8H, math.inf),
    -100.0,
    -100.5,
    100_000.0,
    100_001.0,
    10_000.0,
    10_000.5,
    5e-324,
    2**80,
    10**400,
    "1",
    None,
]
_NAMES: list[Any] = ["BTC", "BTCUSDT", "", "X" * 32, "X" * 33, "BTC\x1b[2J", "É", "a\u009b", 7, None]
numbers: st.SearchStrategy[Any] = st.one_of(
    st.sampled_from(_EDGES), st.floats(allow_nan=True, allow_infinity=True)
)
names: st.SearchStrategy[Any] = st.sampled_from(_NAMES)


def full(item: object) -> Any:
    """What the full rule of ``item``'s type answers: ("ok", reason) or ("raises", type)."""
    try:
        return ("ok", rules._CHECKS[type(item)](item))
    except Exception as exc:
        return ("raises", type(exc))


def judged(item: object) -> Any:
    try:
        return ("ok", item_problem(item))
    except Exception as exc:
        return ("raises", type(exc))


@st.composite
def items(draw: st.DrawFn) -> object:

    def n() -> Any:
        return draw(numbers)

    kind = draw(st.sampled_from(sorted(t.__name__ for t in rules._QUICK)))
    if kind == "Ticker":
        return Ticker(draw(names), n(), n(), 1, "binance", n())
    if kind == "Candle":
        return Candle(draw(names), Interval.H1, 1, n(), n(), n(), n(), n(), "binance")
    if kind == "BookStats":
        return BookStats("binance", "BTC", 1, n(), n(), n(), n())
    if kind == "FundingSnapshot":
        return FundingSnapshot("bybit", "BTC", 1, n(), n(), n(), None, n(), n())
    if kind == "Liquidation":
        return Liquidation("bybit", draw(names), Side.LONG, n(), n(), n(), 1, draw(names))
    if kind == "OpenInterestPoint":
        return OpenInterestPoint("bybit", "BTC", 1, n(), n())
    if kind == "TakerVolume":
        return TakerVolume("binance", "BTC", 1, 300_000, n(), n())
    if kind == "LongShortRatio":
        return LongShortRatio("binance", "BTC", 1, 300_000, n(), n())
    assert kind == "FundingPoint"
    return FundingPoint("bybit", "BTC", 1, n(), 28_800_000)


@settings(max_examples=3000, deadline=None)
@given(items())
def test_the_quick_check_agrees_with_the_full_rule(item: object) -> None:
    assert judged(item) == full(item)


def test_every_quick_check_has_a_full_rule() -> None:
    assert set(rules._QUICK) <= set(rules._CHECKS)
