"""``crashtui sources``: probes of every REST source over MockTransport, the table, exit codes."""

from __future__ import annotations

import asyncio
import json
import time
from types import MappingProxyType

import httpx
import pytest

from crashtui.catalog import SOURCES
from crashtui.cli import main
from crashtui.commands.sources import describe, render
from crashtui.config.schema import Config, NetConfig, SourceConfig
from crashtui.feeds.probe import probe_all
from crashtui.model import SourceState
from crashtui.sources.registry import REST_SOURCES
from tests.conftest import FixtureReader, freshen

LIVE_QUOTES = frozenset(
    {
        "coinbase_ticker.json",
        "coingecko_simple_price.json",
        "binance_futures_premium_index.json",
        "binance_futures_open_interest.json",
        "bybit_tickers_inverse.json",
        "okx_open_interest.json",
        "okx_funding_rate.json",
    }
)
PROBES = sum(len(SOURCES[s].kinds) for s in REST_SOURCES)  # one probe per kind of each source


def _router(fixture_bytes: FixtureReader) -> httpx.MockTransport:
    now_ms = time.time_ns() // 1_000_000

    def f(name: str) -> bytes:
        """The fixture, its quote times brought to now (the probe runs on the wall clock)."""
        body = fixture_bytes(name)
        return freshen(body, now_ms) if name in LIVE_QUOTES else body

    kraken_ticker = {"error": [], "result": {"XXBTZUSD": {"c": ["60000.0", "1"], "v": ["1", "2"]}}}
    bodies: dict[tuple[str, str], bytes] = {
        ("data-api.binance.vision", "/api/v3/klines"): f("binance_klines.json"),
        ("data-api.binance.vision", "/api/v3/depth"): f("binance_depth.json"),
        ("fapi.binance.com", "/fapi/v1/premiumIndex"): b"[" + f("binance_futures_premium_index.json") + b"]",
        ("fapi.binance.com", "/fapi/v1/openInterest"): f("binance_futures_open_interest.json"),
        ("api.exchange.coinbase.com", "/products/BTC-USD/ticker"): f("coinbase_ticker.json"),
        ("api.exchange.coinbase.com", "/products/BTC-USD/candles"): f("coinbase_candles.json"),
        ("api.kraken.com", "/0/public/Ticker"): json.dumps(kraken_ticker).encode(),
        ("api.kraken.com", "/0/public/OHLC"): f("kraken_ohlc.json"),
        ("api.coingecko.com", "/api/v3/simple/price"): f("coingecko_simple_price.json"),
        ("api.coingecko.com", "/api/v3/coins/bitcoin/market_chart"): f("coingecko_market_chart.json"),
        ("api.bybit.com", "/v5/market/tickers"): f("bybit_tickers_inverse.json"),
        ("api.hyperliquid.xyz", "/info"): f("hyperliquid_meta_and_asset_ctxs.json"),
        ("farside.co.uk", "/btc/"): f("farside_btc.html"),
        ("openapi.sosovalue.com", "/openapi/v1/etfs/summary-history"): f(
            "sosovalue_etf_summary_history.json"
        ),
        ("api.alternative.me", "/fng/"): f("alternative_me_fng_extreme_fear.json"),
        ("production.dataviz.cnn.io", "/index/fearandgreed/graphdata"): f("cnn_fear_greed_graphdata.json"),
        ("fred.stlouisfed.org", "/graph/fredgraph.csv"): b"observation_date,ICSA\n2026-01-31,231000\n",
        ("yields.llama.fi", "/pools"): f("defillama_yields_pools_aave_usdc_reconstructed.json"),
        ("yields.llama.fi", "/lendBorrow"): f("defillama_lendborrow_reconstructed.json"),
        ("fapi.binance.com", "/futures/data/openInterestHist"): f("binance_futures_open_interest_hist.json"),
        ("fapi.binance.com", "/futures/data/takerlongshortRatio"): f(
            "binance_futures_taker_long_short_ratio.json"
        ),
        ("fapi.binance.com", "/futures/data/globalLongShortAccountRatio"): f(
            "binance_futures_global_long_short_account_ratio.json"
        ),
        ("fapi.binance.com", "/fapi/v1/fundingRate"): f("binance_futures_funding_rate_history.json"),
        ("api.bybit.com", "/v5/market/open-interest"): f("bybit_open_interest.json"),
        ("api.bybit.com", "/v5/market/funding/history"): f("bybit_funding_history.json"),
        ("api.bybit.com", "/v5/market/account-ratio"): f("bybit_account_ratio.json"),
        ("www.okx.com", "/api/v5/public/open-interest"): f("okx_open_interest.json"),
        ("www.okx.com", "/api/v5/public/funding-rate"): f("okx_funding_rate.json"),
        ("www.okx.com", "/api/v5/rubik/stat/contracts/open-interest-volume"): f(
            "okx_rubik_contracts_open_interest_volume.json"
        ),
        ("www.okx.com", "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract"): f(
            "okx_rubik_long_short_account_ratio_contract.json"
        ),
        ("stablecoins.llama.fi", "/stablecoincharts/all"): f(
            "defillama_stablecoincharts_all_reconstructed.json"
        ),
        ("api.llama.fi", "/v2/historicalChainTvl"): f("defillama_historical_chain_tvl_reconstructed.json"),
    }

    def handler(request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, request.url.path
        if path == "/api/v3/ticker/24hr" and "symbols" not in request.url.params:  # every pair: movers
            row = json.loads(f("binance_ticker_24hr_btcusdt_ccxt_reconstructed.json"))[0]
            row |= {"openTime": now_ms - 86_400_000, "closeTime": now_ms}
            return httpx.Response(200, json=[row])
        if host == "api.coingecko.com" and path == "/api/v3/global":
            doc = json.loads(f("coingecko_global.json"))
            doc["data"]["updated_at"] = now_ms // 1000
            return httpx.Response(200, json=doc)
        if path == "/api/v3/ticker/24hr":
            rows = [
                {
                    "symbol": s,
                    "lastPrice": "61940",
                    "openPrice": "68000",
                    "quoteVolume": "1",
                    "closeTime": now_ms,
                }
                for s in json.loads(request.url.params["symbols"])
            ]
            return httpx.Response(200, json=rows)
        if host == "api.hyperliquid.xyz" and json.loads(request.content).get("type") == "fundingHistory":
            return httpx.Response(200, content=f("hyperliquid_funding_history_btc.json"))
        if host == "query1.finance.yahoo.com":
            return httpx.Response(200, content=f("yahoo_chart_nvda_1h_1d.json"))
        if host == "data.tbstat.com":
            return httpx.Response(200, content=f("theblock_btc_etf_flows_reconstructed.json"))
        body = bodies.get((host, path))
        if body is None:
            return httpx.Response(404)
        kind = "text/html" if path == "/btc/" else "application/json"
        return httpx.Response(200, content=body, headers={"content-type": kind})

    return httpx.MockTransport(handler)


async def test_every_source_probes_ok_with_a_sample(fixture_bytes: FixtureReader) -> None:
    async with httpx.AsyncClient(transport=_router(fixture_bytes)) as client:
        results = await probe_all(Config(), client, ("BTC",))
    assert {r.source for r in results} == set(REST_SOURCES)
    failed = [(r.source, r.kind, r.error) for r in results if not r.ok]
    assert failed == []
    table = render(results, width=200)
    assert any(line.split()[:3] == ["binance", "prices", "ticker_24hr"] for line in table.splitlines())
    assert "BTC 61,940.00 (-8.9% 24h)" in table
    assert "13 Extreme Fear" in table
    assert "aave-v3 Ethereum borrow APY USDC 5.02%" in table
    assert "BTC 2026-07-22 +69.1 US$m" in table  # the latest *published* Farside day
    assert "ICSA 2026-01-31 231,000.00" in table


async def test_offline_every_enabled_source_fails_with_a_reason() -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    config = Config(sources=MappingProxyType({"cnn": SourceConfig(enabled=False)}))
    async with httpx.AsyncClient(transport=httpx.MockTransport(offline)) as client:
        results = await probe_all(config, client, ("BTC",))
    states = {(r.source, r.kind): r.state for r in results}
    assert states.pop(("cnn", "fear_stocks")) is SourceState.DISABLED
    assert set(states.values()) == {SourceState.FAILING}
    for result in results:
        if result.source != "cnn":
            assert result.error is not None
            assert "cannot resolve" in result.error
    assert "disabled in config" in render(results)


async def test_probe_is_cut_off_at_the_configured_timeouts() -> None:
    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    config = Config(net=NetConfig(connect_timeout_s=0.01, read_timeout_s=0.01))
    async with httpx.AsyncClient(transport=httpx.MockTransport(hang)) as client:
        results = await probe_all(config, client, ("BTC",))
    assert all(r.state is SourceState.FAILING for r in results)
    assert all(r.error == "no complete answer within 0.03 s" for r in results)


async def test_blocked_rows_carry_the_hint(fixture_bytes: FixtureReader) -> None:
    page = fixture_bytes("cloudflare_challenge_page_reconstructed.html")

    def challenge(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, content=page, headers={"cf-mitigated": "challenge"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(challenge)) as client:
        results = await probe_all(Config(), client, ("BTC",))
    farside = next(r for r in results if r.source == "farside")
    assert farside.state is SourceState.BLOCKED
    assert "(hint: set [sources.farside] base_url or disable the source)" in render([farside], width=400)


def test_render_cuts_the_last_column_to_the_width() -> None:
    from crashtui.feeds.probe import ProbeResult

    row = ProbeResult("binance", "prices", "ticker_24hr", SourceState.FAILING, 12.0, error="x" * 500)
    lines = render([row], width=100).splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert lines[1].endswith("…")


def test_describe_without_items() -> None:
    assert describe("prices", ()) == "answered, but no data for these symbols"


def _patch_client(monkeypatch: pytest.MonkeyPatch, transport: httpx.MockTransport) -> None:
    import crashtui.net.http as http

    real = http.make_client

    def fake(net: NetConfig, **_: object) -> httpx.AsyncClient:
        return real(net, transport=transport)

    monkeypatch.setattr(http, "make_client", fake)


def test_cli_offline_exits_0_and_strict_exits_1(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    _patch_client(monkeypatch, httpx.MockTransport(offline))
    assert main(["sources"]) == 0
    out = capsys.readouterr().out
    assert "cannot resolve api.kraken.com (offline, or DNS blocked?)" in out
    assert (
        f"{PROBES - 1} failing ({PROBES} probes in" in out or f"{PROBES} failing ({PROBES} probes in" in out
    )
    assert main(["sources", "--strict"]) == 1


def test_cli_strict_all_ok_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixture_bytes: FixtureReader
) -> None:
    _patch_client(monkeypatch, _router(fixture_bytes))
    assert main(["sources", "--strict", "--watchlist", "core"]) == 0
    assert f"{PROBES} ok" in capsys.readouterr().out
