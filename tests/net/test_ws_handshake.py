"""A websocket upgrade answered with an HTTP status is judged like a REST answer.

A loopback websocket server refuses the upgrade (451, 403, a Cloudflare challenge, 429); the
runner must report what REST would: a geo-block as ``blocked`` with the same hint, retried
after 15 min; a rate limit with its Retry-After; never "cannot connect".
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from http import HTTPStatus

import pytest
from websockets.asyncio.server import ServerConnection, serve
from websockets.datastructures import Headers
from websockets.http11 import Request as WsRequest
from websockets.http11 import Response as WsResponse

from crashtui.clock import FakeClock
from crashtui.events import Event, Outcome, StatusEvent
from crashtui.model import RawPayload, SourceState, SourceStatus
from crashtui.net.ws import BLOCKED_RETRY_S, StreamRunner, StreamSpec, StreamTiming
from crashtui.wire import blocked_hint
from tests.conftest import FIXTURES

TIMING = StreamTiming(open_timeout_s=2.0, close_timeout_s=0.5, protocol_ping_s=None, backoff_base_s=1.0)


@contextlib.asynccontextmanager
async def refusing(status: int, body: bytes, headers: dict[str, str]) -> AsyncIterator[int]:
    """A websocket server answering every upgrade with ``status``; yields its port."""

    def process_request(connection: ServerConnection, request: WsRequest) -> WsResponse:
        hdrs = Headers({"Content-Type": "text/plain", **headers})
        return WsResponse(status, HTTPStatus(status).phrase, hdrs, body)

    async def never(ws: ServerConnection) -> None:  # pragma: no cover - never upgraded
        await ws.close()

    async with serve(never, "127.0.0.1", 0, process_request=process_request) as server:
        yield int(next(iter(server.sockets)).getsockname()[1])


async def first_failure(port: int, source: str = "binance_liq") -> tuple[SourceStatus, FakeClock]:
    """Run the stream until its first failed attempt; its status then, and the clock's sleeps."""
    clock = FakeClock()
    statuses: list[SourceStatus] = []

    def sink(event: Event) -> None:
        if isinstance(event, StatusEvent):
            statuses.append(event.status)

    def deliver(raw: RawPayload) -> Outcome:  # pragma: no cover - no frame ever arrives
        return Outcome()

    spec = StreamSpec(source=source, url=f"ws://127.0.0.1:{port}/ws", endpoint="forceOrder", timing=TIMING)
    runner = StreamRunner(spec, deliver, sink, clock=clock)
    task = asyncio.create_task(runner.run())

    async def wait() -> None:
        while not clock.sleeps:
            await asyncio.sleep(0.01)

    try:
        await asyncio.wait_for(wait(), 10.0)
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    failed = [s for s in statuses if s.next_attempt_ms is not None]
    return failed[-1], clock


@pytest.mark.parametrize("status", [451, 403])
async def test_a_geo_blocked_handshake_is_blocked_with_the_rest_hint(status: int) -> None:
    body = b'{"code":0,"msg":"Service unavailable from a restricted location according to b. Eligibility"}'
    async with refusing(status, body, {"Content-Type": "application/json"}) as port:
        shown, clock = await first_failure(port)
    assert shown.state is SourceState.BLOCKED
    assert (
        shown.hint
        == blocked_hint("binance_liq")
        == "set [sources.binance_liq] base_url or disable the source"
    )
    assert shown.last_error is not None
    assert shown.last_error.startswith(f"binance_liq handshake: HTTP {status} ")
    assert "restricted location" in shown.last_error
    assert "cannot connect" not in shown.last_error
    assert shown.failure == "blocked"
    assert not shown.connected
    assert clock.sleeps[0] >= BLOCKED_RETRY_S  # not hammered: retried after 15 min at the soonest


async def test_a_challenge_page_on_the_handshake_is_blocked_but_retried_soon() -> None:
    page = (FIXTURES / "cloudflare_challenge_page_reconstructed.html").read_bytes()
    headers = {"Content-Type": "text/html", "cf-mitigated": "challenge"}
    async with refusing(403, page, headers) as port:
        shown, clock = await first_failure(port)
    assert shown.state is SourceState.BLOCKED
    assert shown.last_error == "binance_liq handshake: anti-bot challenge page (HTTP 403)"
    assert shown.hint == blocked_hint("binance_liq")
    assert clock.sleeps[0] <= TIMING.backoff_cap_s


async def test_a_rate_limited_handshake_waits_for_retry_after() -> None:
    async with refusing(429, b"slow down", {"Retry-After": "240"}) as port:
        shown, clock = await first_failure(port)
    assert shown.state is SourceState.FAILING
    assert shown.last_error is not None
    assert "rate limited, retry in 4m" in shown.last_error
    assert shown.failure == "throttled"
    assert clock.sleeps[0] >= 240


async def test_another_status_names_it() -> None:
    async with refusing(500, b"oops", {}) as port:
        shown, _ = await first_failure(port)
    assert shown.state is SourceState.FAILING
    assert shown.last_error == "binance_liq handshake: HTTP 500 Internal Server Error: oops"
    assert shown.failure == "answered"
