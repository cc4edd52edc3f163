"""The one current price: a ticker while it is current, else the newer of the latest close and
the old ticker, which then says how old it is."""

from __future__ import annotations

from crashtui.analysis.price import price_read
from crashtui.model import Candle, Interval, Ticker

HOUR = 3_600_000
NOW = 1_771_632_000_000  # 2026-02-21 00:00Z


def ticker(age_ms: int, price: float = 66_601.0) -> Ticker:
    return Ticker("BTC", price, 1.1, NOW - age_ms, "binance")


def hourly(last_open_ms: int, close: float = 68_005.0) -> tuple[Candle, ...]:
    return tuple(
        Candle("BTC", Interval.H1, last_open_ms - k * HOUR, 1.0, 1.0, 1.0, close - k, 1.0, "binance")
        for k in (2, 1, 0)
    )


def test_a_current_ticker_is_the_price_with_its_change() -> None:
    read = price_read(ticker(5 * HOUR), hourly(NOW - HOUR), (), NOW)
    assert read is not None
    assert (read.price, read.source, read.stale) == (66_601.0, "ticker binance", False)
    assert read.change_24h_pct == 1.1
    assert read.as_of_ms == NOW - 5 * HOUR


def test_a_ticker_older_than_6_h_gives_way_to_a_newer_close() -> None:
    # the tester's noticker recording: tickers stop 36 h before the end, candles go on
    read = price_read(ticker(36 * HOUR + 10 * 60_000), hourly(NOW - HOUR), (), NOW)
    assert read is not None
    assert (read.price, read.source, read.stale) == (68_005.0, "last 1h close (binance)", False)
    assert read.change_24h_pct is None  # the old ticker's 24 h change is of another day
    assert read.as_of_ms == NOW


def test_an_old_ticker_with_nothing_newer_says_its_age() -> None:
    read = price_read(ticker(36 * HOUR), hourly(NOW - 40 * HOUR), (), NOW)
    assert read is not None
    assert (read.price, read.stale, read.change_24h_pct) == (66_601.0, True, None)
    assert read.source == "ticker binance, stale: quoted 36 h ago"
    assert price_read(ticker(36 * HOUR), (), (), NOW) == read


def test_without_a_ticker_the_close_says_when_it_is_stale() -> None:
    read = price_read(None, hourly(NOW - 5 * HOUR), (), NOW)
    assert read is not None
    assert read.source == "last 1h close (binance), stale: closed 4 h ago"
    assert read.stale
    assert price_read(None, (), (), NOW) is None
