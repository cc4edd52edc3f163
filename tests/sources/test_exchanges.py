"""Coinbase, Kraken, CoinGecko, Bybit and Hyperliquid parsers on fixtures and documented edge cases."""

from __future__ import annotations

import json

import pytest

from crashtui.errors import ParseError, RateLimitedError, UpstreamError
from crashtui.model import Candle, FundingSnapshot, Interval, RawPayload, Ticker, freeze_params
from crashtui.sources import bybit, coinbase, coingecko, hyperliquid, kraken
from crashtui.symbols import SymbolTable
from tests.conftest import FixtureReader

TABLE = SymbolTable()
HOUR = 3_600_000


# --- Coinbase ---------------------------------------------------------------------------


def test_coinbase_ticker(fixture_bytes: FixtureReader) -> None:
    ticker = coinbase.parse_ticker(fixture_bytes("coinbase_ticker.json"), symbol="BTC")
    assert ticker.price == 73367.8
    assert ticker.ts_ms == 1710328241270  # 2024-03-13T11:10:41.270099Z
    assert ticker.change_24h_pct is None


def test_coinbase_candle_column_order(fixture_bytes: FixtureReader) -> None:
    (candle,) = coinbase.parse_candles(
        fixture_bytes("coinbase_candles.json"),
        symbol="BTC",
        interval=Interval.H1,
        received_ms=1710327600000 + HOUR,
    )
    # [time, low, high, open, close, volume]
    assert candle.open_ms == 1710327600000
    assert (candle.low, candle.high, candle.open, candle.close) == (73241.5, 73402.47, 73243.33, 73370.65)
    assert candle.volume == 1.56794406
    assert candle.closed is True


def _cb_rows(hours: list[int], start_s: int) -> bytes:
    """Newest-first 1 h rows at ``start_s + h*3600`` for each h (gaps where h is missing)."""
    rows = [[start_s + h * 3600, 10.0 + h, 20.0 + h, 15.0 + h, 16.0 + h, 1.0] for h in hours]
    return json.dumps(sorted(rows, reverse=True)).encode()


def test_coinbase_newest_first_is_sorted_and_4h_aggregated_with_gaps() -> None:
    day = 1_767_225_600  # 2026-01-01 00:00 UTC, seconds
    # starts at 02:00 (inside the 00:00 bucket: dropped), gap at 05:00, the last bucket still forming
    body = _cb_rows([2, 3, 4, 6, 7, 8, 9], day)
    received_ms = (day + 9 * 3600 + 1800) * 1000
    raw = RawPayload(
        source="coinbase",
        endpoint="candles",
        received_ms=received_ms,
        body=body,
        params=freeze_params({"symbol": "BTC", "interval": "1h"}),
    )
    kind, items = coinbase.DECODERS["candles"](raw, TABLE)
    assert kind == "candles"
    candles = [c for c in items if isinstance(c, Candle)]
    assert len(candles) == len(items)
    hourly = [c for c in candles if c.interval is Interval.H1]
    four = [c for c in candles if c.interval is Interval.H4]
    assert [c.open_ms for c in hourly] == sorted(c.open_ms for c in hourly)
    assert hourly[-1].closed is False
    assert [c.open_ms for c in four] == [(day + 4 * 3600) * 1000, (day + 8 * 3600) * 1000]
    first = four[0]
    assert (first.open, first.close) == (15.0 + 4, 16.0 + 7)
    assert (first.low, first.high) == (10.0 + 4, 20.0 + 7)
    assert first.volume == 3.0  # 04, 06, 07: 05 had no trades
    assert first.closed is True
    assert four[1].closed is False


def test_coinbase_error_message_envelope() -> None:
    with pytest.raises(UpstreamError, match="NotFound"):
        coinbase.parse_candles(b'{"message":"NotFound"}', symbol="X", interval=Interval.H1, received_ms=0)


def test_coinbase_malformed_row() -> None:
    with pytest.raises(ParseError):
        coinbase.parse_candles(b"[[1, 2, 3]]", symbol="X", interval=Interval.H1, received_ms=0)


# --- Kraken -----------------------------------------------------------------------------


def test_kraken_ohlc_result_key_and_last_row_forming(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("kraken_ohlc.json")
    candles = kraken.parse_ohlc(
        body,
        symbol="BTC",
        interval=Interval.H1,
        received_ms=1688671380_000 + 10 * HOUR,
        result_key="XXBTZUSD",
    )
    assert len(candles) == 4
    first = candles[0]
    assert first.open_ms == 1688671200_000
    assert (first.open, first.high, first.low, first.close) == (30306.1, 30306.2, 30305.7, 30305.7)
    assert first.volume == 3.39243896  # column 6; column 5 is vwap
    assert [c.closed for c in candles] == [True, True, True, False]


def test_kraken_result_key_found_without_hint(fixture_bytes: FixtureReader) -> None:
    candles = kraken.parse_ohlc(
        fixture_bytes("kraken_ohlc.json"),
        symbol="BTC",
        interval=Interval.H1,
        received_ms=0,
        result_key="XBTUSD",
    )
    assert len(candles) == 4


def test_kraken_unknown_pair_error_envelope() -> None:
    # kraken_error_unknown_pair.json is held back; the documented body:
    body = b'{"error":["EQuery:Unknown asset pair"]}'
    with pytest.raises(UpstreamError, match="EQuery:Unknown asset pair"):
        kraken.parse_ohlc(body, symbol="BTC", interval=Interval.H1, received_ms=0)


def test_kraken_rate_limit_envelope() -> None:
    with pytest.raises(RateLimitedError):
        kraken.parse_ohlc(
            b'{"error":["EAPI:Rate limit exceeded"]}', symbol="B", interval=Interval.H1, received_ms=0
        )


def test_kraken_ticker_batched() -> None:
    body = json.dumps(
        {
            "error": [],
            "result": {
                "XXBTZUSD": {"a": ["1", "1", "1"], "c": ["60000.5", "0.1"], "v": ["10", "200"], "o": "59000"},
                "XETHZUSD": {"c": ["1800.0", "1"], "v": ["5", "1000"], "o": "1850"},
            },
        }
    ).encode()
    raw = RawPayload(
        source="kraken",
        endpoint="ticker",
        received_ms=42,
        body=body,
        params=freeze_params({"symbols": "BTC,ETH"}),
    )
    kind, items = kraken.DECODERS["ticker"](raw, TABLE)
    assert kind == "prices"
    btc, eth = items
    assert isinstance(btc, Ticker)
    assert isinstance(eth, Ticker)
    assert (btc.symbol, btc.price, btc.volume_24h_usd) == ("BTC", 60000.5, 200 * 60000.5)
    assert (eth.symbol, eth.price) == ("ETH", 1800.0)
    assert btc.ts_ms == 42


# --- CoinGecko --------------------------------------------------------------------------


def test_coingecko_simple_price(fixture_bytes: FixtureReader) -> None:
    (ticker,) = coingecko.parse_simple_price(
        fixture_bytes("coingecko_simple_price.json"), ids={"bitcoin": "BTC", "ethereum": "ETH"}, received_ms=0
    )
    assert ticker.symbol == "BTC"
    assert ticker.price == 67187.3358936566
    assert ticker.change_24h_pct == 3.63727894677354
    assert ticker.volume_24h_usd == 31260929299.5248
    assert ticker.ts_ms == 1711356300_000


def test_coingecko_status_envelope(fixture_bytes: FixtureReader) -> None:
    with pytest.raises(RateLimitedError, match="Rate Limit"):
        coingecko.parse_simple_price(fixture_bytes("coingecko_error_429.json"), ids={}, received_ms=0)
    body = b'{"status":{"error_code":10012,"error_message":"Your request exceeds the allowed time range."}}'
    with pytest.raises(UpstreamError, match="10012"):
        coingecko.parse_market_chart(body, symbol="BTC", intervals=(Interval.D1,), received_ms=0)


def test_coingecko_market_chart_to_daily_candles(fixture_bytes: FixtureReader) -> None:
    candles = coingecko.parse_market_chart(
        fixture_bytes("coingecko_market_chart.json"),
        symbol="BTC",
        intervals=(Interval.D1,),
        received_ms=1711929600000 + 3600_000,
    )
    assert [c.open_ms for c in candles] == [1711843200000, 1711929600000]
    assert candles[0].close == 69702.31
    assert candles[1].open == candles[1].close == 71246.95
    assert [c.closed for c in candles] == [True, False]
    assert all(c.volume == 0.0 for c in candles)


def test_coingecko_hourly_points_bucket_into_4h() -> None:
    base = 1_767_225_600_000
    points = [[base + i * HOUR + 17_000, 100.0 + i] for i in range(8)]
    body = json.dumps({"prices": points, "market_caps": [], "total_volumes": []}).encode()
    candles = coingecko.parse_market_chart(
        body, symbol="BTC", intervals=(Interval.H1, Interval.H4), received_ms=base + 8 * HOUR
    )
    four = [c for c in candles if c.interval is Interval.H4]
    assert [(c.open, c.high, c.low, c.close) for c in four] == [(100, 103, 100, 103), (104, 107, 104, 107)]
    assert len([c for c in candles if c.interval is Interval.H1]) == 8


# --- Bybit ------------------------------------------------------------------------------


def test_bybit_inverse_ticker(fixture_bytes: FixtureReader) -> None:
    (snap,) = bybit.parse_tickers(fixture_bytes("bybit_tickers_inverse.json"), instruments={"BTCUSDT": "BTC"})
    assert snap.symbol == "BTC"
    assert snap.funding_rate_8h == pytest.approx(0.0001)
    assert snap.mark_price == 114898.43
    assert snap.open_interest_usd == 240113967  # inverse: contracts of 1 USD
    assert snap.open_interest_base == 2089.79
    assert snap.next_funding_ms == 1760371200000
    assert snap.ts_ms == 1760352369814


def test_bybit_linear_ticker_and_funding_interval() -> None:
    body = json.dumps(
        {
            "retCode": 0,
            "retMsg": "OK",
            "result": {
                "category": "linear",
                "list": [
                    {
                        "symbol": "ETHUSDT",
                        "markPrice": "1800",
                        "indexPrice": "1799",
                        "fundingRate": "-0.0002",
                        "fundingIntervalHour": "4",
                        "openInterest": "1000",
                        "openInterestValue": "1800000",
                        "nextFundingTime": "",
                    }
                ],
            },
            "time": 5,
        }
    ).encode()
    raw = RawPayload(
        source="bybit",
        endpoint="tickers",
        received_ms=9,
        body=body,
        params=freeze_params({"symbols": "ETH", "kind": "open_interest"}),
    )
    kind, (snap,) = bybit.DECODERS["tickers"](raw, TABLE)
    assert kind == "open_interest"
    assert isinstance(snap, FundingSnapshot)
    assert snap.funding_rate_8h == pytest.approx(-0.0004)
    assert snap.open_interest_base == 1000
    assert snap.open_interest_usd == 1_800_000
    assert snap.next_funding_ms is None


def test_bybit_retcode_envelopes() -> None:
    with pytest.raises(RateLimitedError, match="Too many visits"):
        bybit.parse_tickers(b'{"retCode":10006,"retMsg":"Too many visits!","result":{}}', instruments={})
    with pytest.raises(UpstreamError, match="10001"):
        bybit.parse_tickers(b'{"retCode":10001,"retMsg":"params error","result":{}}', instruments={})
    with pytest.raises(ParseError):
        bybit.parse_tickers(b'{"retMsg":"OK"}', instruments={})


# --- Hyperliquid ------------------------------------------------------------------------


def test_hyperliquid_funding_is_hourly_times_eight(fixture_bytes: FixtureReader) -> None:
    snaps = hyperliquid.parse_meta_and_asset_ctxs(
        fixture_bytes("hyperliquid_meta_and_asset_ctxs.json"),
        instruments={"BTC": "BTC", "ETH": "ETH"},
        received_ms=7,
    )
    btc, eth = snaps
    assert btc.symbol == "BTC"
    assert btc.funding_rate_8h == pytest.approx(0.0000125 * 8)
    assert btc.mark_price == 14.3161
    assert btc.index_price == 14.32
    assert btc.open_interest_base == 688.11
    assert btc.open_interest_usd == pytest.approx(688.11 * 14.3161)
    assert eth.open_interest_base == 1882.55
    assert btc.ts_ms == 7


def test_hyperliquid_nulls_are_missing_values(fixture_bytes: FixtureReader) -> None:
    # hyperliquid_meta_and_asset_ctxs_nulls.json is held back: premium, midPx, impactPxs null.
    meta, ctxs = json.loads(fixture_bytes("hyperliquid_meta_and_asset_ctxs.json"))
    for ctx in ctxs:
        ctx.update(premium=None, midPx=None, impactPxs=None)
    ctxs[1].update(markPx=None, funding=None)
    body = json.dumps([meta, ctxs]).encode()
    btc, eth = hyperliquid.parse_meta_and_asset_ctxs(
        body, instruments={"BTC": "BTC", "ETH": "ETH"}, received_ms=0
    )
    assert btc.funding_rate_8h == pytest.approx(0.0001)
    assert eth.funding_rate_8h is None
    assert eth.mark_price is None
    assert eth.open_interest_usd is None
    assert eth.open_interest_base == 1882.55


def test_hyperliquid_mismatched_lengths() -> None:
    body = b'[{"universe":[{"name":"BTC"}]},[]]'
    with pytest.raises(ParseError, match="1 assets but 0 contexts"):
        hyperliquid.parse_meta_and_asset_ctxs(body, instruments={"BTC": "BTC"}, received_ms=0)
    with pytest.raises(ParseError):
        hyperliquid.parse_meta_and_asset_ctxs(b"[1,2,3]", instruments={}, received_ms=0)
