"""The endpoint table: every decoder on every applicable fixture, from a RawPayload alone."""

from __future__ import annotations

import json

import pytest

from crashtui.errors import BlockedError, ParseError, RateLimitedError, SourceError, UpstreamError
from crashtui.model import RawPayload, freeze_params
from crashtui.sources import defillama, registry
from crashtui.sources.common import PollContext
from crashtui.symbols import SymbolTable
from crashtui.wire import Request
from tests.conftest import FixtureReader

TABLE = SymbolTable()
T0 = 1_800_000_000_000

# (source, endpoint, fixture, params, kind, item count)
GOOD = [
    ("binance", "ticker_24hr", "binance_ticker_24hr_multi.json", {"symbols": "BNB"}, "prices", 0),
    ("binance", "klines", "binance_klines.json", {"symbol": "BTC", "interval": "1h"}, "candles", 1),
    ("binance", "depth", "binance_depth.json", {"symbol": "BTC"}, "depth", 1),
    ("binance", "ticker_24hr_all", "binance_ticker_24hr_mini_multi.json", {}, "market_movers", 1),
    ("coingecko", "global", "coingecko_global.json", {}, "market_global", 1),
    (
        "binance_futures",
        "premium_index",
        "binance_futures_premium_index.json",
        {"symbols": "BTC,ETH"},
        "funding",
        1,
    ),
    (
        "binance_futures",
        "open_interest",
        "binance_futures_open_interest.json",
        {"symbol": "BTC"},
        "open_interest",
        1,
    ),
    ("coinbase", "ticker", "coinbase_ticker.json", {"symbol": "BTC"}, "prices", 1),
    ("coinbase", "candles", "coinbase_candles.json", {"symbol": "BTC", "interval": "1d"}, "candles", 1),
    (
        "kraken",
        "ohlc",
        "kraken_ohlc.json",
        {"symbol": "BTC", "interval": "1h", "result_key": "XXBTZUSD"},
        "candles",
        4,
    ),
    ("coingecko", "simple_price", "coingecko_simple_price.json", {"symbols": "BTC,ETH"}, "prices", 1),
    (
        "coingecko",
        "market_chart",
        "coingecko_market_chart.json",
        {"symbol": "BTC", "intervals": "1d"},
        "candles",
        2,
    ),
    ("bybit", "tickers", "bybit_tickers_inverse.json", {"symbols": "BTC", "kind": "funding"}, "funding", 1),
    (
        "hyperliquid",
        "meta_and_asset_ctxs",
        "hyperliquid_meta_and_asset_ctxs.json",
        {"symbols": "BTC,ETH,SOL", "kind": "open_interest"},
        "open_interest",
        2,
    ),
    ("farside", "etf_page", "farside_btc.html", {"asset": "BTC"}, "etf", 5),
    ("sosovalue", "summary_history", "sosovalue_etf_summary_history.json", {"asset": "BTC"}, "etf", 2),
    ("theblock", "etf_flows", "theblock_btc_etf_flows_reconstructed.json", {"asset": "BTC"}, "etf", 2),
    ("alternative_me", "fng", "alternative_me_fng.json", {}, "fear_crypto", 3),
    ("cnn", "graphdata", "cnn_fear_greed_graphdata.json", {}, "fear_stocks", 3),
    ("fred", "fredgraph_csv", "fred_fredgraph_walcl.csv", {"series": "WALCL"}, "macro", 1),
    (
        "fred",
        "series_observations",
        "fred_series_observations_icsa_reconstructed.json",
        {"series": "ICSA"},
        "macro",
        1,
    ),
    ("defillama", "pools", "defillama_yields_pools_aave_usdc_reconstructed.json", {}, "borrow", 0),
    # derivatives positioning (leverage radar)
    (
        "binance_futures",
        "open_interest_hist",
        "binance_futures_open_interest_hist.json",
        {"symbol": "BTC", "period": "5m"},
        "open_interest_history",
        2,
    ),
    (
        "binance_futures",
        "taker_long_short_ratio",
        "binance_futures_taker_long_short_ratio.json",
        {"symbol": "BTC", "period": "5m"},
        "taker_volume",
        2,
    ),
    (
        "binance_futures",
        "global_long_short_account_ratio",
        "binance_futures_global_long_short_account_ratio.json",
        {"symbol": "BTC", "period": "5m"},
        "long_short_ratio",
        2,
    ),
    (
        "binance_futures",
        "funding_rate_history",
        "binance_futures_funding_rate_history.json",
        {"symbol": "BTC"},
        "funding_history",
        2,
    ),
    (
        "bybit",
        "open_interest",
        "bybit_open_interest.json",
        {"symbol": "BTC", "period": "1d"},
        "open_interest_history",
        5,
    ),
    ("bybit", "funding_history", "bybit_funding_history.json", {"symbol": "ETH"}, "funding_history", 1),
    (
        "bybit",
        "account_ratio",
        "bybit_account_ratio.json",
        {"symbol": "BTC", "period": "1h"},
        "long_short_ratio",
        2,
    ),
    (
        "hyperliquid",
        "funding_history",
        "hyperliquid_funding_history_btc.json",
        {"symbol": "BTC"},
        "funding_history",
        34,
    ),
    ("okx_public", "open_interest", "okx_open_interest.json", {"symbols": "BTC"}, "open_interest", 1),
    ("okx_public", "funding_rate", "okx_funding_rate.json", {"symbols": "BTC"}, "funding", 1),
    (
        "okx_public",
        "rubik_open_interest_volume",
        "okx_rubik_contracts_open_interest_volume.json",
        {"symbol": "BTC", "period": "1H"},
        "open_interest_history",
        1,
    ),
    (
        "okx_public",
        "rubik_long_short_account_ratio",
        "okx_rubik_long_short_account_ratio.json",
        {"symbol": "BTC", "period": "1H"},
        "long_short_ratio",
        1,
    ),
    (
        "okx_public",
        "rubik_long_short_account_ratio_contract",
        "okx_rubik_long_short_account_ratio_contract.json",
        {"symbol": "BTC", "period": "5m"},
        "long_short_ratio",
        1,  # the doc sample repeats one ts in both rows: de-duplicated
    ),
    (
        "yahoo",
        "chart",
        "yahoo_chart_nvda_1h_1d.json",
        {"symbol": "NVDA", "series": "NVDA"},
        "macro_quotes",
        1,
    ),
    (
        "defillama_macro",
        "stablecoin_charts",
        "defillama_stablecoincharts_all_reconstructed.json",
        {},
        "macro_defi",
        3,
    ),
    (
        "defillama_macro",
        "chain_tvl",
        "defillama_historical_chain_tvl_reconstructed.json",
        {},
        "macro_defi",
        4,
    ),
]

BAD = [
    ("binance", "ticker_24hr", "binance_error_invalid_symbol.json", {"symbols": "BTC"}, UpstreamError),
    (
        "binance",
        "klines",
        "binance_error_429_too_many_requests.json",
        {"symbol": "BTC", "interval": "1h"},
        RateLimitedError,
    ),
    ("coingecko", "simple_price", "coingecko_error_429.json", {"symbols": "BTC"}, RateLimitedError),
    ("farside", "etf_page", "cloudflare_challenge_page_reconstructed.html", {"asset": "BTC"}, BlockedError),
    ("binance", "depth", "cloudflare_challenge_page_reconstructed.html", {"symbol": "BTC"}, BlockedError),
    ("fred", "fredgraph_csv", "stooq_blocked_response.txt", {"series": "ICSA"}, ParseError),
    ("fred", "series_observations", "fred_api_error_no_key.txt", {"series": "ICSA"}, ParseError),
    ("alternative_me", "fng", "yahoo_chart_gspc_shape.json", {}, ParseError),
]


def _raw(source: str, endpoint: str, body: bytes, params: dict[str, str]) -> RawPayload:
    return RawPayload(
        source=source, endpoint=endpoint, received_ms=T0, body=body, params=freeze_params(params)
    )


@pytest.mark.parametrize(("source", "endpoint", "name", "params", "kind", "count"), GOOD)
def test_decode_fixture(
    source: str,
    endpoint: str,
    name: str,
    params: dict[str, str],
    kind: str,
    count: int,
    fixture_bytes: FixtureReader,
) -> None:
    got_kind, items = registry.decode(_raw(source, endpoint, fixture_bytes(name), params), TABLE)
    assert got_kind == kind
    assert len(items) == count


@pytest.mark.parametrize(("source", "endpoint", "name", "params", "error"), BAD)
def test_decode_error_fixture(
    source: str,
    endpoint: str,
    name: str,
    params: dict[str, str],
    error: type[SourceError],
    fixture_bytes: FixtureReader,
) -> None:
    with pytest.raises(error):
        registry.decode(_raw(source, endpoint, fixture_bytes(name), params), TABLE)


def test_every_endpoint_is_covered_by_a_fixture_case() -> None:
    covered = {(s, e) for s, e, *_ in GOOD} | {("defillama", "lend_borrow"), ("kraken", "ticker")}
    assert set(registry.ENDPOINTS) == covered


def test_unknown_endpoint_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no decoder"):
        registry.decode(_raw("binance", "nope", b"{}", {}), TABLE)


def test_every_rest_catalog_source_has_a_poller() -> None:
    assert set(registry.POLLERS) == set(registry.REST_SOURCES)
    assert "okx" not in registry.POLLERS
    assert "binance_liq" not in registry.POLLERS


async def test_defillama_poll_yields_reduced_payloads(fixture_bytes: FixtureReader) -> None:
    usdc = json.loads(fixture_bytes("defillama_yields_pools_aave_usdc_reconstructed.json"))["data"][0]
    lido = json.loads(fixture_bytes("defillama_yields_pools.json"))["data"][0]
    filler = [dict(lido, pool=f"filler-{i}") for i in range(2000)]
    pools_body = json.dumps({"status": "success", "data": [*filler, usdc]}).encode()
    lend = json.loads(fixture_bytes("defillama_lendborrow_reconstructed.json"))
    lend_body = json.dumps(
        lend + [{"pool": f"filler-{i}", "apyBaseBorrow": 1.0} for i in range(2000)]
    ).encode()
    sent: list[Request] = []

    async def fetch(request: Request) -> RawPayload:
        sent.append(request)
        body = pools_body if request.endpoint == "pools" else lend_body
        return RawPayload(request.source, request.endpoint, T0, body, request.record_params())

    ctx = PollContext(
        source="defillama",
        symbols=(),
        table=TABLE,
        fetch=fetch,
        base_url="https://yields.llama.fi",
        now_ms=T0,
    )
    payloads = [p async for p in defillama.poll("borrow", ctx)]
    assert [r.url for r in sent] == ["https://yields.llama.fi/pools", "https://yields.llama.fi/lendBorrow"]
    pools_raw, lend_raw = payloads
    assert len(pools_raw.body) < 2_000 < len(pools_body) // 100
    assert json.loads(pools_raw.body)["data"] == [usdc]  # the matching record, unchanged
    assert len(json.loads(lend_raw.body)) == 1
    kind, items = registry.decode(lend_raw, TABLE)
    assert kind == "borrow"
    assert len(items) == 1
    assert registry.decode(pools_raw, TABLE) == ("borrow", ())


def test_decoder_for_lookup() -> None:
    assert registry.decoder_for("fred", "fredgraph_csv") is registry.DECODERS[("fred", "fredgraph_csv")]
    assert registry.decoder_for("okx", "liquidation_orders") is None
