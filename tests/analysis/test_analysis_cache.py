"""Analysis cache (zones, ETF summaries) and the per-call zone budget in analyse_snapshot."""

from __future__ import annotations

from crashtui.analysis.market import AnalysisCache, analyse_snapshot
from crashtui.config.schema import Config
from crashtui.events import DataEvent
from crashtui.model import Candle, Interval, Ticker
from crashtui.state import FeedState

NOW = 1_770_336_000_000
SYMBOLS = ("BTC", "ETH", "SOL")


def state_with_prices(prices: dict[str, float]) -> FeedState:
    state = FeedState(SYMBOLS, now_ms=lambda: NOW)
    for i, symbol in enumerate(SYMBOLS):
        base = 100.0 * (i + 1)
        candles = tuple(
            Candle(symbol, Interval.H1, NOW - (300 - k) * 3_600_000, base, base * 1.02, base * 0.98,
                   base * (1 + 0.01 * ((k % 7) - 3)), 10.0, "test")
            for k in range(300)
        )  # fmt: skip
        state.apply(DataEvent("test", "candles", candles, NOW))
    set_prices(state, prices)
    return state


def set_prices(state: FeedState, prices: dict[str, float]) -> None:
    for symbol, price in prices.items():
        state.apply(DataEvent("test", "prices", (Ticker(symbol, price, 0.0, NOW, "test"),), NOW))


def test_unchanged_inputs_reuse_the_analysis() -> None:
    state = state_with_prices({"BTC": 100.0, "ETH": 200.0, "SOL": 300.0})
    cache = AnalysisCache()
    first = analyse_snapshot(state.snapshot(), Config(), cache=cache)
    again = analyse_snapshot(state.snapshot(), Config(), cache=cache)
    assert all(a is b for a, b in zip(first.symbols, again.symbols, strict=True))


def test_budget_refreshes_the_longest_waiting_symbols_first() -> None:
    state = state_with_prices({"BTC": 100.0, "ETH": 200.0, "SOL": 300.0})
    cache = AnalysisCache()
    analyse_snapshot(state.snapshot(), Config(), cache=cache, zone_budget=1)  # first: all computed
    set_prices(state, {"BTC": 101.0, "ETH": 201.0, "SOL": 301.0})
    prices, deferred = [], []
    for _ in range(3):
        result = analyse_snapshot(state.snapshot(), Config(), cache=cache, zone_budget=1)
        prices.append([s.price for s in result.symbols])
        deferred.append(cache.deferred)
    # one symbol per call catches up; after three calls every symbol shows the new price
    assert prices[0] == [101.0, 200.0, 300.0]
    assert prices[1] == [101.0, 201.0, 300.0]
    assert prices[2] == [101.0, 201.0, 301.0]
    assert deferred == [2, 1, 0]  # what the caller reads to know it must call again


def test_an_engine_behind_on_zones_catches_up_while_its_state_stands_still() -> None:
    """The replay ended (or the market is quiet): the state no longer changes, yet the zones
    deferred by the budget must still catch up instead of showing old prices for ever."""
    from crashtui.assemble import build_engine
    from crashtui.clock import FakeClock

    engine = build_engine(Config(), SYMBOLS, clock=FakeClock(start_ms=NOW))
    engine.state = state_with_prices({"BTC": 100.0, "ETH": 200.0, "SOL": 300.0})
    engine.analysis(zone_budget=1)
    set_prices(engine.state, {"BTC": 90.0, "ETH": 180.0, "SOL": 270.0})
    seen = []
    for _ in range(4):  # no event in between: only the deferred zones change
        seen.append([s.price for s in engine.analysis(zone_budget=1).symbols])
    assert seen[-1] == [90.0, 180.0, 270.0]
    assert not engine.analysis_behind
    assert engine.analysis(zone_budget=1) is engine.analysis(zone_budget=1)  # caught up: cached


def test_without_budget_everything_is_fresh() -> None:
    state = state_with_prices({"BTC": 100.0, "ETH": 200.0, "SOL": 300.0})
    cache = AnalysisCache()
    analyse_snapshot(state.snapshot(), Config(), cache=cache)
    set_prices(state, {"BTC": 99.0, "ETH": 199.0, "SOL": 299.0})
    fresh = analyse_snapshot(state.snapshot(), Config(), cache=cache)
    assert [s.price for s in fresh.symbols] == [99.0, 199.0, 299.0]
    plain = analyse_snapshot(state.snapshot(), Config())
    assert [s.zones for s in plain.symbols] == [s.zones for s in fresh.symbols]


def test_etf_summaries_reused_until_a_day_changes() -> None:
    from crashtui.model import EtfFlow

    state = state_with_prices({"BTC": 100.0, "ETH": 200.0, "SOL": 300.0})
    state.apply(DataEvent("farside", "etf", (EtfFlow("BTC", NOW - 86_400_000, -434.1, "farside"),), NOW))
    cache = AnalysisCache()
    first = analyse_snapshot(state.snapshot(), Config(), cache=cache).etf
    set_prices(state, {"BTC": 101.0})  # prices move, flows do not
    assert analyse_snapshot(state.snapshot(), Config(), cache=cache).etf is first
    state.apply(DataEvent("farside", "etf", (EtfFlow("BTC", NOW, 88.1, "farside"),), NOW))
    later = analyse_snapshot(state.snapshot(), Config(), cache=cache).etf
    assert later is not first
    assert later[0].total.latest_usd_m == 88.1
