"""``crashtui sources``: probes of every REST source over MockTransport, the OKX REST side, the
streams against loopback websocket servers, the table, exit codes (0 all answered, 3 not)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import AsyncIterator
from types import MappingProxyType

import httpx
import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse

from crashtui.catalog import SOURCES
from crashtui.cli import main
from crashtui.commands.sources import describe, render
from crashtui.config.schema import Config, NetConfig, SourceConfig
from crashtui.feeds import probe as probe_module
from crashtui.feeds.probe import STREAM_SOURCES, ProbeResult, probe_all
from crashtui.model import SourceState
from crashtui.net.ws import StreamSpec
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
OKX_REST_ROWS = 2  # contract sizes and one liquidation page
STREAM_ROWS = len(STREAM_SOURCES)


@pytest.fixture(autouse=True)
def quiet_streams(monkeypatch: pytest.MonkeyPatch) -> list[StreamSpec]:
    """No test here touches the venues' websockets: the stream probe answers "connected"."""
    asked: list[StreamSpec] = []

    async def connected(spec: StreamSpec, config: Config, **_: object) -> ProbeResult:
        asked.append(spec)
        return ProbeResult(
            spec.source, "stream", spec.endpoint, SourceState.OK, 1.0, note="connected, no frames yet"
        )

    monkeypatch.setitem(probe_module.__dict__, "_real_probe_stream", probe_module.probe_stream)
    monkeypatch.setattr(probe_module, "probe_stream", connected)
    return asked


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
        ("www.okx.com", "/api/v5/public/instruments"): f("okx_instruments_swap_reconstructed.json"),
        ("www.okx.com", "/api/v5/public/liquidation-orders"): f("okx_liquidation_orders_rest.json"),
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
        if host == "query1.finance.yahoo.com":  # the NVDA answer, for whichever ticker was asked
            ticker = request.url.path.rsplit("/", 1)[1]
            chart = f("yahoo_chart_nvda_1h_1d.json").replace(
                b'"symbol":"NVDA"', f'"symbol":"{ticker}"'.encode()
            )
            return httpx.Response(200, content=chart)
        if host == "fred.stlouisfed.org":  # each series its own header; claims in persons, others small
            series = request.url.params["id"]
            value = "231000" if series.startswith("IC") else "5.0"
            return httpx.Response(200, content=f"observation_date,{series}\n2026-01-31,{value}\n".encode())
        if host == "farside.co.uk" and path == "/eth/":  # the same page layout as /btc/
            return httpx.Response(200, content=f("farside_btc.html"), headers={"content-type": "text/html"})
        if host == "data.tbstat.com":
            return httpx.Response(200, content=f("theblock_btc_etf_flows_reconstructed.json"))
        if host == "api.exchange.coinbase.com":  # the BTC answers, for every product asked
            path = "/products/BTC-USD/" + path.rsplit("/", 1)[1]
        if host == "api.coingecko.com" and path.endswith("/market_chart"):
            path = "/api/v3/coins/bitcoin/market_chart"
        body = bodies.get((host, path))
        if body is None:
            return httpx.Response(404)
        kind = "text/html" if path == "/btc/" else "application/json"
        return httpx.Response(200, content=body, headers={"content-type": kind})

    return httpx.MockTransport(handler)


async def test_every_source_probes_ok_with_a_sample(
    fixture_bytes: FixtureReader, quiet_streams: list[StreamSpec]
) -> None:
    async with httpx.AsyncClient(transport=_router(fixture_bytes)) as client:
        results = await probe_all(Config(), client, ("BTC",))
    assert {r.source for r in results} == {*REST_SOURCES, "okx", *STREAM_SOURCES}
    failed = [(r.source, r.kind, r.error) for r in results if not r.ok]
    assert failed == []
    assert sorted(s.source for s in quiet_streams) == sorted(STREAM_SOURCES)  # every stream asked
    assert [(r.source, r.kind) for r in results if r.source == "okx"] == [
        ("okx", "contracts"),
        ("okx", "liquidations"),
    ]
    table = render(results, width=200)
    assert any(line.split()[:4] == ["binance", "prices", "BTC", "ticker_24hr"] for line in table.splitlines())
    assert "BTC 61,940.00 (-8.9% 24h)" in table
    assert "13 Extreme Fear" in table
    assert "aave-v3 Ethereum borrow APY USDC 5.02%" in table
    assert "2026-07-22 +69.1 US$m" in table  # the latest *published* Farside day
    assert "2026-01-31" in next(line for line in table.splitlines() if line.startswith("fred "))


async def test_offline_every_enabled_source_fails_with_a_reason() -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    config = Config(sources=MappingProxyType({"cnn": SourceConfig(enabled=False)}))
    async with httpx.AsyncClient(transport=httpx.MockTransport(offline)) as client:
        results = await probe_all(config, client, ("BTC",), streams=False)
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
        results = await probe_all(config, client, ("BTC",), streams=False)
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


def test_cli_offline_exits_3(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def offline(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    _patch_client(monkeypatch, httpx.MockTransport(offline))
    assert main(["sources"]) == 3
    out = capsys.readouterr().out
    assert "cannot resolve api.kraken.com (offline, or DNS blocked?)" in out
    failing = PROBES + OKX_REST_ROWS
    assert f"{failing} failing, {STREAM_ROWS} ok ({failing + STREAM_ROWS} probes in" in out
    assert "not answering: alternative_me, binance," in out
    assert main(["sources", "--strict"]) == 3


def test_cli_strict_all_ok_exits_0(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], fixture_bytes: FixtureReader
) -> None:
    _patch_client(monkeypatch, _router(fixture_bytes))
    assert main(["sources", "--watchlist", "core"]) == 0
    out = capsys.readouterr().out
    assert "not answering" not in out
    assert "bybit_liq    stream" in out or "bybit_liq  stream" in out or "connected, no frames yet" in out


# --- every symbol, the streams for real (loopback), the OKX REST side ----------------------


async def test_every_symbol_gets_its_row_and_an_unknown_kraken_pair_is_named(
    fixture_bytes: FixtureReader,
) -> None:
    router = _router(fixture_bytes)
    unknown = fixture_bytes("kraken_error_unknown_pair.json")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.kraken.com" and "ETHUSD" in request.url.params.get("pair", ""):
            return httpx.Response(200, content=unknown)  # this Kraken does not know ETH
        return router.handler(request)  # type: ignore[return-value]

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        results = await probe_all(Config(), client, ("BTC", "ETH"), streams=False)
    binance = [(r.symbol, r.state) for r in results if (r.source, r.kind) == ("binance", "prices")]
    assert binance == [("BTC", SourceState.OK), ("ETH", SourceState.OK)]
    kraken_eth = next(r for r in results if (r.source, r.kind, r.symbol) == ("kraken", "prices", "ETH"))
    assert kraken_eth.state is SourceState.OK  # the source answered; this pair is unknown to it
    assert (
        kraken_eth.note == "kraken Ticker: EQuery:Unknown asset pair ETHUSD (ETH); the other pairs are served"
    )
    table = render(results, width=400)
    kraken_line = next(line for line in table.splitlines() if line.split()[:3] == ["kraken", "prices", "ETH"])
    assert "  no data  " in kraken_line
    assert "EQuery:Unknown asset pair ETHUSD (ETH)" in kraken_line


async def test_the_okx_rest_side_is_probed_and_its_failure_counts(fixture_bytes: FixtureReader) -> None:
    router = _router(fixture_bytes)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "www.okx.com" and request.url.path.endswith("/liquidation-orders"):
            return httpx.Response(451, json={"code": "51001", "msg": "restricted"})
        return router.handler(request)  # type: ignore[return-value]

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        results = await probe_all(Config(), client, ("BTC",), streams=False)
    okx_rows = {r.kind: r for r in results if r.source == "okx"}
    assert okx_rows["contracts"].state is SourceState.OK
    assert okx_rows["liquidations"].state is SourceState.BLOCKED
    assert okx_rows["liquidations"].hint == "set [sources.okx] base_url or disable the source"


@contextlib.asynccontextmanager
async def ws_server(mode: str) -> AsyncIterator[str]:
    """A loopback websocket server: ``frame`` sends one frame, ``silent`` nothing, ``451`` refuses."""

    async def handler(ws: ServerConnection) -> None:
        if mode == "frame":
            await ws.send('{"event":"subscribe"}')
        await ws.wait_closed()

    def process_request(connection: ServerConnection, request: WsRequest) -> WsResponse | None:
        if mode != "451":
            return None
        return WsResponse(451, "Unavailable For Legal Reasons", Headers({"Content-Type": "text/plain"}), b"")

    async with serve(handler, "127.0.0.1", 0, process_request=process_request) as server:
        port = next(iter(server.sockets)).getsockname()[1]
        yield f"ws://127.0.0.1:{port}/ws"


@pytest.mark.parametrize(
    ("mode", "state", "said"),
    [
        ("frame", SourceState.OK, "connected, first frame after"),
        ("silent", SourceState.OK, "connected, no frames yet"),
        ("451", SourceState.BLOCKED, "bybit_liq handshake: HTTP 451 restricted location"),
    ],
)
async def test_a_stream_probe_connects_waits_for_a_frame_and_closes(
    mode: str, state: SourceState, said: str
) -> None:
    from crashtui.feeds.probe import STREAM_WAIT_S

    real_probe = probe_module.__dict__["_real_probe_stream"]
    async with ws_server(mode) as url:
        spec = StreamSpec(
            source="bybit_liq", url=url, endpoint="allLiquidation", subscribe=('{"op":"subscribe"}',)
        )
        result = await real_probe(spec, Config(), wait_s=0.3)
    assert STREAM_WAIT_S > 0.3
    assert result.state is state
    assert said in (result.note or result.error or "")
    if mode == "451":
        assert result.hint == "set [sources.bybit_liq] base_url or disable the source"
