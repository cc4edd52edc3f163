"""The positions' mark: a venue's mark price only while it is a live quote at least as fresh as
the price the pane shows, and always the time of the price actually used."""

from __future__ import annotations

from types import MappingProxyType

from crashtui.analysis.market import SymbolAnalysis
from crashtui.analysis.radar import portfolio_of, position_mark
from crashtui.model import Candle, FundingSnapshot, Interval, Snapshot, Ticker
from crashtui.risk.position import Position, PositionSide

H = 3_600_000
NOW = 1_770_386_400_000  # 2026-02-06 14:00Z
# 1 BTC long at 100,000, 10x isolated: liquidated at about 90,402.
LONG = Position("BTC", PositionSide.LONG, entry=100_000.0, leverage=10.0, size=1.0)


class NoZones:
    def symbol(self, name: str) -> SymbolAnalysis | None:
        return None


def snap(ticker: Ticker | None, *marks: FundingSnapshot, candles: tuple[Candle, ...] = ()) -> Snapshot:
    return Snapshot(
        generated_ms=NOW,
        mode="replay",
        watchlist=("BTC",),
        tickers=MappingProxyType({"BTC": ticker} if ticker is not None else {}),
        candles=MappingProxyType({("BTC", Interval.H1): candles} if candles else {}),
        liquidations=(),
        etf_flows=MappingProxyType({}),
        fear=MappingProxyType({}),
        macro=MappingProxyType({}),
        funding=MappingProxyType({(f.venue, f.symbol): f for f in marks}),
        books=MappingProxyType({}),
        borrow=(),
        statuses=MappingProxyType({}),
    )


def ticker(age_ms: int, price: float) -> Ticker:
    return Ticker("BTC", price, -3.0, NOW - age_ms, "binance")


def mark(venue: str, age_ms: int, price: float) -> FundingSnapshot:
    return FundingSnapshot(venue, "BTC", NOW - age_ms, funding_rate_8h=0.0001, mark_price=price)


def test_a_fresher_venue_mark_is_used_with_its_own_time() -> None:
    s = snap(ticker(H, 95_000.0), mark("binance_futures", 10 * 60_000, 89_000.0))
    assert position_mark(s, "BTC") == (89_000.0, NOW - 10 * 60_000)
    risk = portfolio_of(s, NoZones(), {}, [LONG]).positions[0]
    assert risk.mark == 89_000.0
    assert risk.liquidated
    assert risk.liquidated_at_ms == NOW - 10 * 60_000  # the mark's time, not the ticker's


def test_the_newest_of_several_live_venue_marks() -> None:
    s = snap(
        ticker(H, 95_000.0),
        mark("bybit", 30 * 60_000, 94_000.0),
        mark("binance_futures", 5 * 60_000, 93_000.0),
        mark("hyperliquid", 2 * H, 92_000.0),  # older than the ticker: not used
    )
    assert position_mark(s, "BTC") == (93_000.0, NOW - 5 * 60_000)


def test_a_venue_mark_older_than_the_shown_price_gives_way_to_it() -> None:
    s = snap(ticker(10 * 60_000, 89_000.0), mark("binance_futures", H, 95_000.0))
    assert position_mark(s, "BTC") == (89_000.0, NOW - 10 * 60_000)
    risk = portfolio_of(s, NoZones(), {}, [LONG]).positions[0]
    assert risk.mark == 89_000.0
    assert risk.liquidated_at_ms == NOW - 10 * 60_000  # the ticker's time: the price used


def test_a_venue_mark_over_6_h_old_is_history_even_beside_an_older_price() -> None:
    # the ticker stopped 36 h ago and there are no candles: the stale ticker is the shown price
    # (it says its age); a 7 h old mark is newer but no live quote either, so it is not used
    s = snap(ticker(36 * H, 66_601.0), mark("binance_futures", 7 * H, 89_000.0))
    assert position_mark(s, "BTC") == (66_601.0, NOW - 36 * H)
    s = snap(ticker(36 * H, 66_601.0), mark("binance_futures", 5 * H, 89_000.0))
    assert position_mark(s, "BTC") == (89_000.0, NOW - 5 * H)


def test_a_stale_ticker_gives_way_to_the_newer_close_not_to_an_older_mark() -> None:
    closes = tuple(
        Candle("BTC", Interval.H1, NOW - k * H, 1.0, 1.0, 1.0, 68_005.0, 1.0, "binance") for k in (3, 2, 1)
    )
    s = snap(ticker(36 * H, 66_601.0), mark("binance_futures", 2 * H, 89_000.0), candles=closes)
    assert position_mark(s, "BTC") == (68_005.0, NOW)  # the last 1h close, as the pane shows


def test_without_any_price_there_is_no_mark() -> None:
    assert position_mark(snap(None), "BTC") == (None, None)
    assert position_mark(snap(None, mark("bybit", 7 * H, 89_000.0)), "BTC") == (None, None)
    assert position_mark(snap(None, mark("bybit", H, 89_000.0)), "BTC") == (89_000.0, NOW - H)
    assert position_mark(snap(None, mark("bybit", H, float("nan"))), "BTC") == (None, None)
