"""net/http: payload building, error classification, body cap and secret redaction."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from crashtui import __version__
from crashtui.clock import FakeClock
from crashtui.config.schema import NetConfig
from crashtui.errors import BlockedError, HttpStatusError, RateLimitedError, TransportError
from crashtui.net.http import fetch, make_client
from crashtui.wire import BROWSER_USER_AGENT, Request, retry_after_s
from tests.conftest import FixtureReader

SECRET = "sk-live-1234567890abcdef"
Handler = Callable[[httpx.Request], httpx.Response]


def _client(handler: Handler) -> httpx.AsyncClient:
    return make_client(NetConfig(), transport=httpx.MockTransport(handler))


async def _fetch(handler: Handler, request: Request, clock: FakeClock | None = None, cap: int = 10_000_000):
    async with _client(handler) as client:
        return await fetch(client, request, clock=clock or FakeClock(), max_body_bytes=cap)


def _req(**kw: object) -> Request:
    base: dict[str, object] = {
        "source": "binance",
        "endpoint": "klines",
        "url": "https://example.test/api/v3/klines",
    }
    base.update(kw)
    return Request(**base)  # type: ignore[arg-type]


async def test_payload_carries_context_query_status_and_clock_time() -> None:
    clock = FakeClock(start_ms=1_700_000_000_000)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=[[1, "2"]])

    raw = await _fetch(
        handler,
        _req(query={"symbol": "BTCUSDT", "interval": "1h"}, context={"symbol": "BTC", "interval": "1h"}),
        clock,
    )
    assert raw.source == "binance"
    assert raw.endpoint == "klines"
    assert raw.status == 200
    assert raw.received_ms == 1_700_000_000_000
    assert raw.body == b'[[1,"2"]]'
    assert dict(raw.params) == {"symbol": "BTC", "interval": "1h", "q.symbol": "BTCUSDT", "q.interval": "1h"}
    assert seen[0].url.params["symbol"] == "BTCUSDT"
    assert seen[0].headers["user-agent"].startswith(f"crashtui/{__version__}")


async def test_per_request_headers_override_the_default_user_agent() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    headers = {"User-Agent": BROWSER_USER_AGENT, "Referer": "https://www.cnn.com/markets/fear-and-greed"}
    await _fetch(handler, _req(source="cnn", endpoint="graphdata", headers=headers))
    assert seen[0].headers["user-agent"] == BROWSER_USER_AGENT
    assert seen[0].headers["referer"] == "https://www.cnn.com/markets/fear-and-greed"


def test_client_uses_configured_timeouts_and_a_real_user_agent() -> None:
    client = make_client(NetConfig(connect_timeout_s=2.5, read_timeout_s=7.0))
    assert client.timeout.connect == 2.5
    assert client.timeout.read == 7.0
    assert client.headers["user-agent"].startswith("crashtui/")


async def test_api_key_never_reaches_params_or_error_messages() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["api_key"] == SECRET
        return httpx.Response(400, text=f"Bad Request. api_key={SECRET} is invalid")

    request = _req(
        source="fred",
        endpoint="series_observations",
        query={"series_id": "ICSA", "api_key": SECRET},
        secret=SECRET,
        secret_names=frozenset({"api_key"}),
    )
    with pytest.raises(HttpStatusError) as err:
        await _fetch(handler, request)
    assert SECRET not in str(err.value)
    assert "***" in str(err.value)
    assert "api_key" not in request.record_params()
    assert "q.api_key" not in request.record_params()


async def test_key_in_header_is_sent_but_not_recorded() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["x-soso-api-key"] == SECRET
        return httpx.Response(200, json=[])

    raw = await _fetch(
        handler,
        _req(headers={"x-soso-api-key": SECRET}, secret=SECRET, secret_names=frozenset({"x-soso-api-key"})),
    )
    assert SECRET not in repr(dict(raw.params))


async def test_transport_error_text_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"failed for {request.url}", request=request)

    request = _req(query={"api_key": SECRET}, secret=SECRET, secret_names=frozenset({"api_key"}))
    with pytest.raises(TransportError) as err:
        await _fetch(handler, request)
    assert "cannot connect" in str(err.value)
    assert SECRET not in str(err.value)


@pytest.mark.parametrize("status", [429, 418])
async def test_rate_limit_carries_retry_after_seconds(status: int, fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("binance_error_429_too_many_requests.json")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"Retry-After": "37"})

    with pytest.raises(RateLimitedError) as err:
        await _fetch(handler, _req())
    assert err.value.retry_after_s == 37.0
    assert "rate limited, retry in 37s" in str(err.value)


def test_retry_after_accepts_http_dates() -> None:
    now_ms = 1_700_000_000_000  # 2023-11-14T22:13:20Z
    assert retry_after_s("Tue, 14 Nov 2023 22:14:20 GMT", now_ms) == pytest.approx(60.0)
    assert retry_after_s("garbage", now_ms) is None
    assert retry_after_s(None, now_ms) is None


async def test_coingecko_429_body_is_rate_limited(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("coingecko_error_429.json")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, content=body)

    with pytest.raises(RateLimitedError) as err:
        await _fetch(handler, _req(source="coingecko", endpoint="simple_price"))
    assert err.value.retry_after_s is None


async def test_451_is_blocked_with_base_url_hint() -> None:
    body = (
        b'{"code":0,"msg":"Service unavailable from a restricted location according to \'b. Eligibility\'."}'
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(451, content=body)

    with pytest.raises(BlockedError) as err:
        await _fetch(handler, _req())
    assert "451" in str(err.value)
    assert "restricted location" in str(err.value)
    assert err.value.hint == "set [sources.binance] base_url or disable the source"


async def test_cloudflare_challenge_is_blocked(fixture_bytes: FixtureReader) -> None:
    page = fixture_bytes("cloudflare_challenge_page_reconstructed.html")

    def with_header(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            403, content=page, headers={"cf-mitigated": "challenge", "content-type": "text/html"}
        )

    def markers_only(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, content=page, headers={"content-type": "text/html"})

    for handler in (with_header, markers_only):
        with pytest.raises(BlockedError) as err:
            await _fetch(handler, _req(source="farside", endpoint="etf_page", expect="html"))
        assert "challenge" in str(err.value)
        assert err.value.hint is not None
        assert "[sources.farside]" in err.value.hint


async def test_challenge_with_status_200_is_blocked_even_for_html_sources(
    fixture_bytes: FixtureReader,
) -> None:
    page = fixture_bytes("cloudflare_challenge_page_reconstructed.html")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=page, headers={"content-type": "text/html"})

    with pytest.raises(BlockedError):
        await _fetch(handler, _req(source="farside", endpoint="etf_page", expect="html"))


async def test_real_html_page_is_fine_where_html_is_expected(fixture_bytes: FixtureReader) -> None:
    # Cloudflare injects its challenge-platform script into real pages too.
    page = (
        fixture_bytes("farside_btc.html") + b'<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js">'
    )

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=page, headers={"content-type": "text/html"})

    raw = await _fetch(handler, _req(source="farside", endpoint="etf_page", expect="html"))
    assert raw.body == page


async def test_html_where_json_expected_is_blocked(fixture_bytes: FixtureReader) -> None:
    page = fixture_bytes("cloudflare_challenge_page_reconstructed.html")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=page)

    with pytest.raises(BlockedError):
        await _fetch(handler, _req())


async def test_js_wall_html_where_csv_expected_is_blocked(fixture_bytes: FixtureReader) -> None:
    # The stooq file describes a 200 text/html JS proof-of-work wall; serve it as such.
    wall = fixture_bytes("stooq_blocked_response.txt")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=wall, headers={"content-type": "text/html"})

    with pytest.raises(BlockedError) as err:
        await _fetch(handler, _req(source="fred", endpoint="fredgraph_csv", expect="csv"))
    assert "challenge" in str(err.value) or "HTML" in str(err.value)


async def test_cnn_418_is_blocked_not_rate_limited() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(418, text="I'm a teapot")

    request = _req(source="cnn", endpoint="graphdata", blocked_statuses=frozenset({403, 418, 451}))
    with pytest.raises(BlockedError):
        await _fetch(handler, request)


async def test_5xx_is_http_status_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(502, text="bad gateway")

    with pytest.raises(HttpStatusError) as err:
        await _fetch(handler, _req())
    assert err.value.status_code == 502


async def test_400_error_body_message_is_kept(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("binance_error_invalid_symbol.json")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=body)

    with pytest.raises(HttpStatusError) as err:
        await _fetch(handler, _req())
    assert "Invalid symbol. (code -1121)" in str(err.value)
    assert "\n" not in str(err.value)


async def test_fred_keyless_api_error_is_readable(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("fred_api_error_no_key.txt").splitlines()[-1]

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, content=body)

    with pytest.raises(HttpStatusError) as err:
        await _fetch(handler, _req(source="fred", endpoint="series_observations"))
    assert "api_key is not set" in str(err.value)


@pytest.mark.parametrize(
    ("exc", "text"),
    [(httpx.ReadTimeout, "read timeout"), (httpx.ConnectTimeout, "connect timeout")],
)
async def test_timeouts_are_transport_errors(exc: type[httpx.TimeoutException], text: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise exc("timed out", request=request)

    with pytest.raises(TransportError) as err:
        await _fetch(handler, _req())
    assert text in str(err.value)


async def test_declared_oversize_body_is_refused() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"x" * 2_000)

    with pytest.raises(TransportError) as err:
        await _fetch(handler, _req(), cap=1_000)
    assert "body over" in str(err.value)


async def test_streamed_body_stops_reading_at_the_cap() -> None:
    produced = 0

    async def endless() -> AsyncIterator[bytes]:
        nonlocal produced
        while True:
            produced += 1
            yield b"[" * 1000

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=endless())

    with pytest.raises(TransportError) as err:
        await _fetch(handler, _req(), cap=50_000)
    assert "stopped reading" in str(err.value)
    assert produced <= 52


async def test_dns_failure_reads_as_such() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)

    with pytest.raises(TransportError) as err:
        await _fetch(handler, _req())
    assert str(err.value) == "binance klines: cannot resolve example.test (offline, or DNS blocked?)"


async def test_empty_error_body_leaves_no_dangling_colon() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(404)

    with pytest.raises(HttpStatusError) as err:
        await _fetch(handler, _req())
    assert str(err.value) == "binance klines: HTTP 404 Not Found"


async def test_read_timeout_against_a_silent_loopback_server() -> None:
    accepted: list[asyncio.StreamWriter] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)  # accept the connection, never answer

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with make_client(NetConfig(connect_timeout_s=1.0, read_timeout_s=0.2)) as client:
            with pytest.raises(TransportError, match="read timeout"):
                await fetch(
                    client, _req(url=f"http://127.0.0.1:{port}/x"), clock=FakeClock(), max_body_bytes=1000
                )
    finally:
        for writer in accepted:
            writer.close()
        server.close()
        await server.wait_closed()
