"""Binance spot and USD-M parsers on the fixture payloads and documented edge cases."""

from __future__ import annotations

import pytest

from crashtui.errors import BlockedError, ParseError, RateLimitedError, UpstreamError
from crashtui.model import Candle, Interval, RawPayload, freeze_params
from crashtui.sources import binance, binance_futures
from crashtui.symbols import SymbolTable
from tests.conftest import FixtureReader

TABLE = SymbolTable()
BNB_LTC = {"BNBBTC": "BNB", "LTCBTC": "LTC"}


@pytest.mark.parametrize("name", ["binance_ticker_24hr_multi.json", "binance_ticker_24hr_mini_multi.json"])
def test_ticker_full_and_mini_shapes(name: str, fixture_bytes: FixtureReader) -> None:
    tickers = binance.parse_ticker_24hr(fixture_bytes(name), instruments=BNB_LTC)
    bnb = tickers[0]
    assert bnb.symbol == "BNB"
    assert bnb.price == 4.000002
    assert bnb.ts_ms == 1499869899040
    assert bnb.volume_24h_usd == 15.3
    # full: the API's -95.960%; mini: computed from openPrice 99 → 4.000002
    assert bnb.change_24h_pct == pytest.approx(-95.96, abs=1e-3)
    assert bnb.source == "binance"


def test_ticker_skips_instruments_not_asked_for(fixture_bytes: FixtureReader) -> None:
    tickers = binance.parse_ticker_24hr(
        fixture_bytes("binance_ticker_24hr_mini_multi.json"), instruments={"LTCBTC": "LTC"}
    )
    assert [t.symbol for t in tickers] == ["LTC"]
    assert tickers[0].change_24h_pct == pytest.approx(0.0)


def test_ticker_single_object_shape(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("binance_ticker_24hr_multi.json").strip()[1:-1]  # the one object, unwrapped
    (ticker,) = binance.parse_ticker_24hr(body, instruments=BNB_LTC)
    assert ticker.symbol == "BNB"


def test_error_bodies_become_typed_errors(fixture_bytes: FixtureReader) -> None:
    with pytest.raises(UpstreamError, match=r"Invalid symbol\. \(code -1121\)"):
        binance.parse_ticker_24hr(fixture_bytes("binance_error_invalid_symbol.json"), instruments=BNB_LTC)
    with pytest.raises(RateLimitedError, match="request weight"):
        binance.parse_klines(
            fixture_bytes("binance_error_429_too_many_requests.json"),
            symbol="BTC",
            interval=Interval.H1,
            received_ms=0,
        )


def test_451_body_is_an_upstream_error_not_a_crash() -> None:
    # binance_error_451_restricted_location.json is held back; its documented shape:
    body = (
        b'{"code":0,"msg":"Service unavailable from a restricted location according to \'b. Eligibility\'."}'
    )
    with pytest.raises(UpstreamError, match="restricted location"):
        binance.parse_depth(body, symbol="BTC", received_ms=0)


def test_klines_fields_and_forming_candle(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("binance_klines.json")
    open_ms = 1499040000000
    (forming,) = binance.parse_klines(body, symbol="BTC", interval=Interval.H1, received_ms=open_ms + 60_000)
    assert forming.closed is False
    assert (forming.open, forming.high, forming.low, forming.close) == (0.0163479, 0.8, 0.015758, 0.015771)
    assert forming.volume == 148976.11427815
    assert forming.open_ms == open_ms
    (done,) = binance.parse_klines(body, symbol="BTC", interval=Interval.H1, received_ms=open_ms + 3_600_000)
    assert done.closed is True


def test_depth_spread_and_band_depth(fixture_bytes: FixtureReader) -> None:
    stats = binance.parse_depth(fixture_bytes("binance_depth.json"), symbol="BNB", received_ms=123)
    mid = (4.0 + 4.000002) / 2
    assert stats.mid == pytest.approx(mid)
    assert stats.spread_bps == pytest.approx(0.000002 / mid * 1e4)
    assert stats.bid_depth_usd == pytest.approx(4.0 * 431)
    assert stats.ask_depth_usd == pytest.approx(4.000002 * 12)
    assert stats.ts_ms == 123


def test_depth_counts_only_levels_within_one_percent() -> None:
    body = (
        b'{"lastUpdateId":1,"bids":[["100.0","1"],["99.2","2"],["98.0","50"]],'
        b'"asks":[["100.2","1"],["101.0","3"],["102.0","50"]]}'
    )
    stats = binance.parse_depth(body, symbol="BTC", received_ms=0)
    assert stats.mid == pytest.approx(100.1)
    assert stats.bid_depth_usd == pytest.approx(100.0 + 99.2 * 2)
    assert stats.ask_depth_usd == pytest.approx(100.2 + 101.0 * 3)


@pytest.mark.parametrize(
    "body",
    [
        b'{"bids":[],"asks":[["1","1"]]}',
        b'{"bids":[["2","1"]],"asks":[["1","1"]]}',
        b'{"bids":[["x","1"]],"asks":[["1","1"]]}',
        b'{"asks":[["1","1"]]}',
        b'{"bids":[["1"]],"asks":[["1","1"]]}',
        b"[]",
        b"not json",
    ],
)
def test_malformed_depth_is_a_parse_error(body: bytes) -> None:
    with pytest.raises(ParseError):
        binance.parse_depth(body, symbol="BTC", received_ms=0)


def test_html_instead_of_json_is_blocked(fixture_bytes: FixtureReader) -> None:
    with pytest.raises(BlockedError):
        binance.parse_klines(
            fixture_bytes("cloudflare_challenge_page_reconstructed.html"),
            symbol="BTC",
            interval=Interval.H1,
            received_ms=0,
        )


def test_premium_index_funding_and_mark(fixture_bytes: FixtureReader) -> None:
    (snap,) = binance_futures.parse_premium_index(
        fixture_bytes("binance_futures_premium_index.json"), instruments={"BTCUSDT": "BTC"}
    )
    assert snap.symbol == "BTC"
    assert snap.venue == "binance_futures"
    assert snap.funding_rate_8h == 0.00038246
    assert snap.mark_price == 11793.63104562
    assert snap.index_price == 11781.8049597
    assert snap.next_funding_ms == 1597392000000
    assert snap.ts_ms == 1597370495002


def test_premium_index_list_is_filtered(fixture_bytes: FixtureReader) -> None:
    one = fixture_bytes("binance_futures_premium_index.json")
    body = b"[" + one + b"," + one.replace(b"BTCUSDT", b"DOGEUSDT") + b"]"
    snaps = binance_futures.parse_premium_index(body, instruments={"DOGEUSDT": "DOGE"})
    assert [s.symbol for s in snaps] == ["DOGE"]


def test_open_interest(fixture_bytes: FixtureReader) -> None:
    snap = binance_futures.parse_open_interest(
        fixture_bytes("binance_futures_open_interest.json"), symbol="BTC"
    )
    assert snap.open_interest_base == 10659.509
    assert snap.ts_ms == 1589437530011
    assert snap.funding_rate_8h is None


def test_decoders_use_only_payload_params(fixture_bytes: FixtureReader) -> None:
    raw = RawPayload(
        source="binance",
        endpoint="klines",
        received_ms=1499040000000 + 3_600_000,
        body=fixture_bytes("binance_klines.json"),
        params=freeze_params({"symbol": "ETH", "interval": "4h"}),
    )
    kind, items = binance.DECODERS["klines"](raw, TABLE)
    assert kind == "candles"
    (candle,) = items
    assert isinstance(candle, Candle)
    assert candle.symbol == "ETH"
    assert candle.interval is Interval.H4
    assert candle.closed is False


def test_decoder_without_its_params_is_a_parse_error(fixture_bytes: FixtureReader) -> None:
    raw = RawPayload(
        source="binance", endpoint="depth", received_ms=0, body=fixture_bytes("binance_depth.json")
    )
    with pytest.raises(ParseError, match="'symbol'"):
        binance.DECODERS["depth"](raw, TABLE)


@pytest.mark.parametrize(
    ("count", "limit", "weight"), [(1, 1000, 50), (15, 1000, 50), (16, 500, 25), (50, 100, 5)]
)
def test_depth_levels_shrink_with_the_watchlist_to_stay_in_budget(
    count: int, limit: int, weight: int
) -> None:
    assert binance.depth_limit(count) == (limit, weight)
    assert count * weight * 4 <= 3000  # four 15-second polls a minute stay under half the budget
