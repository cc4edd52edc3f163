"""Bodies are capped while they stream in, decompressed bytes included (a gzip bomb).

A loopback HTTP server sends the bodies for real (chunked, gzip-encoded), so the test goes
through httpx's own stream handling, not a mock's in-memory content.
"""

from __future__ import annotations

import asyncio
import gzip
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Literal

import httpx
import pytest

from crashtui.clock import FakeClock
from crashtui.config.schema import NetConfig
from crashtui.errors import BodyTooLargeError, ParseError
from crashtui.model import Failure
from crashtui.net.http import body_cap, fetch, fmt_mib, make_client
from crashtui.wire import DEFAULT_BODY_CAP, Request

MiB = 2**20
Writer = Callable[[asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def loopback(send_body: Writer, headers: dict[str, str]) -> AsyncIterator[str]:
    """A one-route HTTP/1.1 server sending ``headers`` and then ``send_body``; yields its URL."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            await reader.readuntil(b"\r\n\r\n")
            head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
            writer.write(f"HTTP/1.1 200 OK\r\n{head}Connection: close\r\n\r\n".encode())
            await send_body(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(serve, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/big"
    finally:
        server.close()
        await server.wait_closed()


def _chunked(pieces: list[bytes]) -> Writer:
    async def send(writer: asyncio.StreamWriter) -> None:
        for piece in pieces:
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    return send


def _req(url: str, cap: int | None = None) -> Request:
    return Request(source="binance", endpoint="ticker_24hr", url=url, max_body_bytes=cap)


async def _get(request: Request, ceiling: int = 32_000_000) -> bytes:
    async with make_client(NetConfig(connect_timeout_s=2.0, read_timeout_s=5.0)) as client:
        raw = await fetch(client, request, clock=FakeClock(), max_body_bytes=ceiling)
    return raw.body


def _json_body(size: int) -> bytes:
    row = b'{"symbol":"BTCUSDT","lastPrice":"61940.00","volume":"12345.678"},'
    return b"[" + row * (size // len(row)) + b"{}]"


async def test_a_29_mib_json_body_is_refused_at_the_endpoint_cap_while_streaming() -> None:
    body = _json_body(29 * MiB)
    pieces = [body[i : i + 64 * 1024] for i in range(0, len(body), 64 * 1024)]
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    async with loopback(_chunked(pieces), headers) as url:
        with pytest.raises(BodyTooLargeError) as err:
            await _get(_req(url))
    assert str(err.value) == "binance ticker_24hr: body over 8 MiB; stopped reading"
    assert err.value.failure is Failure.ANSWERED


async def test_a_gzip_bomb_is_capped_on_its_decompressed_size() -> None:
    # 29 MiB of zeros gzip to about 29 kB: one network chunk would inflate to all of it.
    bomb = gzip.compress(b"0" * (29 * MiB), compresslevel=9)
    assert len(bomb) < 100_000
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Content-Length": str(len(bomb)),
    }

    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(bomb)
        await writer.drain()

    async with loopback(send, headers) as url:
        with pytest.raises(BodyTooLargeError, match="body over 1 MiB"):
            await _get(_req(url, cap=1 * MiB))


async def test_gzip_and_deflate_bodies_under_the_cap_are_inflated() -> None:
    body = _json_body(200_000)
    for encoding, packed in (
        ("gzip", gzip.compress(body)),
        ("deflate", zlib.compress(body)),
        ("deflate", _raw_deflate(body)),
    ):
        headers = {
            "Content-Type": "application/json",
            "Content-Encoding": encoding,
            "Content-Length": str(len(packed)),
        }

        async def send(writer: asyncio.StreamWriter, packed: bytes = packed) -> None:
            writer.write(packed)
            await writer.drain()

        async with loopback(send, headers) as url:
            assert await _get(_req(url)) == body, encoding


def _raw_deflate(body: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-15)
    return packer.compress(body) + packer.flush()


async def test_a_corrupt_gzip_stream_is_a_parse_error_not_a_crash() -> None:
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip", "Content-Length": "160"}

    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(b"\x1f\x8b\x08\x00garbage" * 10)
        await writer.drain()

    async with loopback(send, headers) as url:
        with pytest.raises(ParseError, match="body is not valid gzip data"):
            await _get(_req(url))


async def test_a_corrupt_gzip_body_is_a_parse_error_not_a_crash() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, content=b"\x1f\x8b\x08\x00garbage" * 10, headers={"Content-Encoding": "gzip"}
        )

    async with make_client(NetConfig(), transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ParseError, match="not valid compressed data"):
            await fetch(client, _req("https://example.test/x"), clock=FakeClock(), max_body_bytes=10**7)


async def test_a_mocked_gzip_body_is_inflated_under_the_cap() -> None:
    body = _json_body(50_000)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=gzip.compress(body), headers={"Content-Encoding": "gzip"})

    async with make_client(NetConfig(), transport=httpx.MockTransport(handler)) as client:
        raw = await fetch(client, _req("https://example.test/x"), clock=FakeClock(), max_body_bytes=10**7)
    assert raw.body == body


def test_endpoint_caps_default_to_8_mib_and_never_pass_the_config_ceiling() -> None:
    assert body_cap(_req("u"), 32_000_000) == DEFAULT_BODY_CAP == 8 * MiB
    assert body_cap(_req("u", cap=16 * MiB), 32_000_000) == 16 * MiB
    assert body_cap(_req("u", cap=16 * MiB), 1_000_000) == 1_000_000
    assert fmt_mib(8 * MiB) == "8 MiB"
    assert fmt_mib(1_000_000) == "0.954 MiB"


class CountingSlots(asyncio.Semaphore):
    """The large-body slots, counting how many are held at most."""

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.held = 0
        self.most = 0

    async def acquire(self) -> Literal[True]:
        await super().acquire()
        self.held += 1
        self.most = max(self.most, self.held)
        return True

    def release(self) -> None:
        self.held -= 1
        super().release()


async def test_large_bodies_in_flight_take_turns_and_all_arrive(monkeypatch: pytest.MonkeyPatch) -> None:
    from crashtui.net import http

    slots = CountingSlots(http.LARGE_BODY_SLOTS)
    monkeypatch.setattr(http, "_large_body_slots", lambda: slots)
    body = _json_body(3 * MiB)
    pieces = [body[i : i + 64 * 1024] for i in range(0, len(body), 64 * 1024)]
    headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    async with loopback(_chunked(pieces), headers) as url:
        bodies = await asyncio.gather(*(_get(_req(url)) for _ in range(6)))
    assert all(b == body for b in bodies)
    assert slots.most == http.LARGE_BODY_SLOTS  # never more than two bodies past 1 MiB at once
    assert slots.held == 0


async def test_a_gzip_body_waiting_for_a_slot_loses_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    from crashtui.net import http

    slots = CountingSlots(1)
    monkeypatch.setattr(http, "_large_body_slots", lambda: slots)
    body = _json_body(5 * MiB)
    packed = gzip.compress(body)
    headers = {
        "Content-Type": "application/json",
        "Content-Encoding": "gzip",
        "Content-Length": str(len(packed)),
    }

    async def send(writer: asyncio.StreamWriter) -> None:
        writer.write(packed)
        await writer.drain()

    async with loopback(send, headers) as url:
        bodies = await asyncio.gather(*(_get(_req(url)) for _ in range(3)))
    assert all(b == body for b in bodies)
    assert slots.most == 1
