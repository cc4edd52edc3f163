"""Absurd values are rejected, not plotted: the plausibility rules and where they apply."""

from __future__ import annotations

import json
import math

import pytest

from crashtui.errors import ParseError
from crashtui.events import DataEvent, Event, HeldEvent, StatusEvent
from crashtui.feeds.replay import ReplayFeed
from crashtui.ingest.gate import Gate
from crashtui.ingest.pipeline import Pipeline
from crashtui.ingest.price_guard import PriceGuard
from crashtui.ingest.rules import MAX_PRICE_USD, item_problem, liquidation_problem, price_problem
from crashtui.model import (
    Candle,
    EtfFlow,
    FearGreedReading,
    FundFlow,
    FundingSnapshot,
    Interval,
    Liquidation,
    RawPayload,
    Side,
    SourceState,
    Ticker,
    freeze_params,
)
from crashtui.replay.player import ListSource
from crashtui.sources.registry import decode
from crashtui.symbols import DEFAULT_TABLE
from tests.conftest import FixtureReader

T0 = 1_770_000_000_000


def ticker(price: float, source: str = "binance", symbol: str = "BTC") -> Ticker:
    return Ticker(symbol, price, None, T0, source)


@pytest.mark.parametrize("price", [math.nan, math.inf, -math.inf, -61_940.0, 0.0, 1e12, MAX_PRICE_USD * 1.01])
def test_impossible_prices_are_named(price: float) -> None:
    assert price_problem(price) is not None
    problem = item_problem(ticker(price))
    assert problem is not None
    assert problem.startswith("BTC price ")


@pytest.mark.parametrize("price", [61_940.0, 1.2e-9, 0.094, 99_000_000.0])
def test_real_prices_pass(price: float) -> None:
    assert item_problem(ticker(price)) is None


def test_candle_rules() -> None:
    good = Candle("ETH", Interval.H1, T0, 1830.0, 1840.0, 1750.0, 1771.2, 5.0, "binance")
    assert item_problem(good) is None
    inverted = Candle("ETH", Interval.H1, T0, 1830.0, 1750.0, 1840.0, 1771.2, 5.0, "binance")
    assert "high 1750 is below its low 1840" in (item_problem(inverted) or "")
    negative_close = Candle("ETH", Interval.H1, T0, 1830.0, 1840.0, 1750.0, -1.0, 5.0, "binance")
    assert "close -1 is not a positive price" in (item_problem(negative_close) or "")


def test_other_kinds_have_bounds() -> None:
    assert item_problem(FearGreedReading("crypto", T0, 9.0, "Extreme Fear", "alternative_me")) is None
    assert item_problem(FearGreedReading("crypto", T0, 140.0, "Greed", "alternative_me")) is not None
    calm = FundingSnapshot("bybit", "BTC", T0, funding_rate_8h=-0.0002, mark_price=61_900.0)
    assert item_problem(calm) is None
    assert item_problem(FundingSnapshot("bybit", "BTC", T0, funding_rate_8h=12.0)) is not None
    assert item_problem(FundingSnapshot("bybit", "BTC", T0, mark_price=-3.0)) is not None
    assert item_problem(EtfFlow("BTC", T0, -1_141.0, "farside")) is None
    assert item_problem(EtfFlow("BTC", T0, None, "farside")) is None  # unpublished is fine
    assert item_problem(EtfFlow("BTC", T0, 5e9, "farside")) is not None


def replayed(payloads: list[RawPayload]) -> list[Event]:
    """What the replay feed applies for ``payloads``: the one pipeline plus replay statuses."""
    events: list[Event] = []
    feed = ReplayFeed(ListSource(payloads))
    feed.attach(Pipeline.into(events.append))
    for raw in payloads:
        feed.deliver(raw)
    return events


def test_liquidations_over_the_ceilings_are_rejected() -> None:
    real = Liquidation("binance", "ETH", Side.LONG, 1769.0, 2318.0, 4_100_542.0, T0, "ETHUSDT")
    assert liquidation_problem(real) is None
    too_high = liquidation_problem(Liquidation("bybit", "BTC", Side.LONG, 1e12, 0.001, 1e9, T0))
    assert (too_high or "").startswith("BTC liquidation price 1e+12 is above")
    too_big = liquidation_problem(Liquidation("okx", "BTC", Side.SHORT, 60_000.0, 1e6, 6e10, T0))
    assert "above the 1e+10 USD sanity ceiling" in (too_big or "")


def test_names_with_control_characters_are_rejected_real_names_pass() -> None:
    hostile = "\x1b]52;c;cm0gLXJmIH4=\x07"
    assert (
        liquidation_problem(Liquidation("binance", "币安人生", Side.LONG, 0.1, 10.0, 1.0, T0, "币安人生USDT"))
        is None
    )
    bad = liquidation_problem(Liquidation("binance", hostile, Side.LONG, 1.0, 1.0, 1.0, T0, hostile + "USDT"))
    assert "holds control characters" in (bad or "")
    # the name is shown escaped once (a reason is printed as it is, never repr'd again)
    assert (bad or "").startswith("binance instrument '\\x1b]52;c;cm0gLXJmIH4=\\x07' holds")
    assert item_problem(FearGreedReading("crypto", T0, 9.0, "\x9b31mExtreme Fear", "cnn")) is not None
    assert item_problem(EtfFlow("BTC", T0, 1.0, "theblock", (FundFlow(hostile, 1.0),))) is not None
    assert item_problem(EtfFlow("BTC", T0, 1.0, "theblock", (FundFlow("IBIT", 1.0),))) is None


def test_the_gate_holds_the_implausible_item_admits_the_rest_and_counts_it() -> None:
    gate = Gate()
    eth = ticker(1_771.0, symbol="ETH")
    admission = gate.admit("binance", "prices", (eth, ticker(-5.0)), T0)
    assert admission.admitted == (eth,)
    assert [h.reason for h in admission.held] == ["BTC price -5 is not a positive price"]
    assert gate.admit("binance", "prices", (ticker(61_940.0),), T0).held == ()
    assert dict(gate.held) == {("binance", "BTC price -5 is not a positive price"): 1}


def _coinbase_ticker(body: bytes) -> RawPayload:
    return RawPayload("coinbase", "ticker", T0, body, freeze_params({"symbol": "BTC"}))


def test_the_pipeline_applies_the_rules_to_real_payloads(fixture_bytes: FixtureReader) -> None:
    real = fixture_bytes("coinbase_ticker.json")
    kind, items = decode(_coinbase_ticker(real), DEFAULT_TABLE)
    assert kind == "prices"
    assert isinstance(items[0], Ticker)
    assert items[0].price > 0
    data = json.loads(real)
    for bad in ("-" + data["price"], "0", "1e12"):
        data["price"] = bad
        applied: list[Event] = []
        outcome = Pipeline.into(applied.append).payload(_coinbase_ticker(json.dumps(data).encode()))
        assert isinstance(outcome.error, ParseError)
        assert str(outcome.error).startswith("coinbase ticker: held: BTC price")
        (held,) = applied  # nothing applied as data: the state only counts what was held
        assert isinstance(held, HeldEvent)
        assert held.reason.startswith("BTC price")


def test_replay_rejects_the_same_payloads(fixture_bytes: FixtureReader) -> None:
    data = json.loads(fixture_bytes("coinbase_ticker.json"))
    data["price"] = "1000000000000"
    events = replayed([_coinbase_ticker(json.dumps(data).encode())])
    assert [type(e).__name__ for e in events] == ["HeldEvent", "StatusEvent"]
    event = events[-1]
    assert isinstance(event, StatusEvent)
    assert event.status.state is SourceState.FAILING
    assert "above the 1e+08 USD sanity ceiling" in (event.status.last_error or "")


# --- the jump guard ----------------------------------------------------------------------


def test_a_99_percent_drop_or_jump_is_held_back() -> None:
    guard = PriceGuard()
    assert guard.check([ticker(61_940.0)], T0) is None
    reason = guard.check([ticker(619.4)], T0 + 10_000)
    assert reason is not None
    assert reason.startswith("BTC 619.4 is -99% from the last good price 61940")
    assert guard.check([ticker(61_940.0 * 1.99)], T0 + 20_000) is not None
    assert guard.check([ticker(61_940.0 * 0.7)], T0 + 30_000) is None  # -30%: a crash, not a glitch
    assert guard.rejected == 2


def test_a_second_source_confirms_a_real_move() -> None:
    guard = PriceGuard()
    guard.check([ticker(61_940.0)], T0)
    assert guard.check([ticker(20_000.0, "binance")], T0 + 1_000) is not None
    assert guard.check([ticker(20_300.0, "coinbase")], T0 + 2_000) is None  # same level, other source
    assert guard.check([ticker(20_100.0, "binance")], T0 + 3_000) is None  # the new anchor


def test_one_source_confirms_after_three_readings_at_the_same_level() -> None:
    guard = PriceGuard()
    guard.check([ticker(61_940.0)], T0)
    assert guard.check([ticker(20_000.0)], T0 + 10_000) is not None
    assert guard.check([ticker(20_050.0)], T0 + 20_000) is not None
    assert guard.check([ticker(19_990.0)], T0 + 30_000) is None


def test_a_normal_reading_in_between_resets_the_suspect_level() -> None:
    guard = PriceGuard()
    guard.check([ticker(61_940.0)], T0)
    assert guard.check([ticker(619.0)], T0 + 10_000) is not None
    assert guard.check([ticker(61_900.0, "coinbase")], T0 + 11_000) is None
    assert guard.check([ticker(619.0)], T0 + 20_000) is not None
    assert guard.check([ticker(619.0)], T0 + 30_000) is not None  # only two in a row since the reset


def test_a_stale_anchor_is_replaced_not_defended() -> None:
    guard = PriceGuard()
    guard.check([ticker(61_940.0)], T0)
    assert guard.check([ticker(20_000.0)], T0 + 16 * 60_000) is None


def test_one_suspect_symbol_is_held_and_the_other_symbols_price_is_anchored() -> None:
    guard = PriceGuard()
    guard.screen([ticker(61_940.0), ticker(1_771.0, symbol="ETH")], T0)
    glitch = ticker(17.7, symbol="ETH")
    suspects = guard.screen([ticker(62_000.0), glitch], T0 + 1_000)
    assert list(suspects) == [glitch]
    # BTC was anchored at 62,000: 30,900 is -50.2% from it (held), 31,100 is -49.8% (passes).
    assert guard.check([ticker(30_900.0)], T0 + 2_000) is not None
    assert guard.check([ticker(31_100.0, "coinbase")], T0 + 3_000) is None


def _binance_ticker(price: str, at_ms: int, fixture: bytes) -> RawPayload:
    rows = json.loads(fixture)
    row = {**rows[0], "symbol": "BTCUSDT", "lastPrice": price, "closeTime": at_ms}
    return RawPayload(
        "binance", "ticker_24hr", at_ms, json.dumps([row]).encode(), freeze_params({"symbols": "BTC"})
    )


def test_replay_holds_back_the_same_jump_the_live_poller_does(fixture_bytes: FixtureReader) -> None:
    fixture = fixture_bytes("binance_ticker_24hr_mini_multi.json")
    ticks = (("61940.0", T0), ("619.4", T0 + 10_000), ("61900.0", T0 + 20_000))
    events = replayed([_binance_ticker(price, at, fixture) for price, at in ticks])
    prices = [i.price for e in events if isinstance(e, DataEvent) for i in e.items if isinstance(i, Ticker)]
    assert prices == [61_940.0, 61_900.0]
    # stale, as live: the source's last good price is one poll old
    held = [e.status for e in events if isinstance(e, StatusEvent) and e.status.state is SourceState.STALE]
    assert len(held) == 1
    assert (held[0].last_error or "").startswith(
        "binance ticker_24hr: held: BTC 619.4 is -99% from the last good price"
    )
