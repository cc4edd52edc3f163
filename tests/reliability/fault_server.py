"""A loopback server that impersonates every provider crashtui talks to, and misbehaves on demand.

REST: one stdlib asyncio HTTP/1.1 listener. Each source lives under its own path prefix
(``http://127.0.0.1:PORT/binance/api/v3/klines``), so pointing ``[sources.NAME] base_url`` at
``http_url(NAME)`` makes crashtui's real client code talk to it. Websockets: a second listener
(``ws_url("binance_liq")``) speaking the Binance, Bybit and OKX liquidation protocols
(subscribe acks, app-level pongs, pushed frames).

Faults (:class:`~tests.reliability.fault_modes.Fault`) are set per source at any moment with
:meth:`FaultServer.set_fault`; every request and connection is logged in :attr:`hits` and
:attr:`ws_hits` so tests can count what the client did. ``benchmarks/fault_server.py`` runs
the same server by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from crashtui.catalog import SOURCES
from tests.reliability.fault_modes import (
    HOSTILE,
    SHAPE_FAULTS,
    VALUE_FAULTS,
    Fault,
    inject_strings,
    reshape,
)
from tests.reliability.fault_payloads import (
    HttpRequest,
    Quotes,
    Reply,
    base_price,
    fixture_text,
    fmt,
    route,
)

KEY_HEADERS = ("x-cg-demo-api-key", "x-soso-api-key", "cg-api-key")
KEY_PARAMS = ("api_key", "apikey", "key")
MAX_HEADER_BYTES = 64 * 1024
_REASONS = {
    200: "OK",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    418: "I'm a teapot",
    429: "Too Many Requests",
    451: "Unavailable For Legal Reasons",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    b"<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)
_GATEWAY_504 = (
    b"<!DOCTYPE html><html><body><h1>504 Gateway Time-out</h1>"
    b"The server didn't respond in time.</body></html>"
)
_MAINTENANCE = (
    b"<!DOCTYPE html><html><head><title>Scheduled maintenance</title></head>"
    b"<body><h1>We'll be back soon</h1><p>System maintenance in progress.</p></body></html>"
)
_BINANCE_451 = (
    b'{"code":0,"msg":"Service unavailable from a restricted location according to \'b. Eligibility\' in '
    b"https://www.binance.com/en/terms. Please contact customer service if you believe you received this "
    b'message in error."}'
)
_BINANCE_429 = (
    b'{"code":-1003,"msg":"Too many requests; current limit of IP(127.0.0.1) is 6000 requests per minute. '
    b'Please use the websocket for live updates to avoid polling the API."}'
)
WS_SOURCES = ("binance_liq", "bybit_liq", "okx_liq")
WS_PATHS = {
    "binance_liq": "/market/ws/!forceOrder@arr",
    "bybit_liq": "/v5/public/linear",
    "okx_liq": "/ws/v5/public",
}
GARBAGE_FRAMES: tuple[str | bytes, ...] = (
    b"\x00\x01\xfe\xff not even text",
    "this is not json {",
    '{"topic": 5, "data": "oops"}',
    '{"arg": {"channel": "liquidation-orders"}, "data": [{"instId": 7}]}',
    '{"e": "forceOrder", "o": {"s": "BTCUSDT", "S": "SIDEWAYS", "q": "x", "p": "y"}}',
    "[" * 50_000 + "]" * 50_000,
    HOSTILE,
)


def wall_ms() -> int:
    """Wall time in epoch ms."""
    return time.time_ns() // 1_000_000


@dataclass(frozen=True, slots=True)
class FaultSettings:
    """A fault mode and its knobs (seconds and megabytes)."""

    mode: Fault = Fault.OK
    retry_after_s: float | None = 30.0
    slow_s: float = 0.2
    drip_s: float = 0.05
    oversize_mb: float = 64.0
    message: str = "Invalid symbol."
    status: int = 200


@dataclass(frozen=True, slots=True)
class Hit:
    """One HTTP request the server received."""

    loop_s: float
    at_ms: int
    source: str
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    fault: Fault


@dataclass(slots=True)
class WsHit:
    """One websocket connection the server accepted."""

    loop_s: float
    source: str
    path: str
    fault: Fault
    received: list[str] = field(default_factory=list)
    pings: int = 0
    frames_sent: int = 0


class FaultServer:
    """See the module docstring. Use as ``async with FaultServer() as server:``."""

    def __init__(
        self,
        *,
        now_ms: Callable[[], int] = wall_ms,
        ws_interval_s: float = 0.2,
        host: str = "127.0.0.1",
        keep_hits: int | None = None,
    ) -> None:
        self.now_ms = now_ms
        self.ws_interval_s = ws_interval_s
        self.host = host
        self.default = FaultSettings()
        self.faults: dict[str, FaultSettings] = {}
        # The request log; ``keep_hits`` bounds it for long runs (benchmarks/fault_server.py).
        self.hits: deque[Hit] = deque(maxlen=keep_hits)
        self.ws_hits: deque[WsHit] = deque(maxlen=keep_hits)
        self.requests = 0
        self.keys_seen: set[str] = set()
        self.oversize_bytes_sent = 0
        self._http: asyncio.Server | None = None
        self._ws: Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._seq = itertools.count(1)
        self._error_turn = itertools.count()

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self, http_port: int = 0, ws_port: int = 0) -> FaultServer:
        """Listen on ``http_port`` and ``ws_port`` (0: any free port)."""
        self._http = await asyncio.start_server(
            self._serve_http, self.host, http_port, limit=MAX_HEADER_BYTES
        )
        self._ws = await serve(
            self._serve_ws, self.host, ws_port, ping_interval=None, max_size=2**20, close_timeout=0.5
        )
        return self

    async def stop(self) -> None:
        """Close both listeners and every open connection."""
        if self._ws is not None:
            self._ws.close()
            await self._ws.wait_closed()
        if self._http is not None:
            self._http.close()
            # Abort the connections rather than cancel their handlers: each handler then ends
            # on its own (a cancelled stream handler makes asyncio log an error).
            for writer in list(self._writers):
                writer.transport.abort()
            if self._handlers:
                await asyncio.wait(set(self._handlers), timeout=5)
            await self._http.wait_closed()

    async def __aenter__(self) -> FaultServer:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def http_port(self) -> int:
        """The REST listener's port."""
        assert self._http is not None
        return int(self._http.sockets[0].getsockname()[1])

    @property
    def ws_port(self) -> int:
        """The websocket listener's port."""
        assert self._ws is not None
        return int(next(iter(self._ws.sockets)).getsockname()[1])

    def http_url(self, source: str) -> str:
        """The base URL to configure for REST source ``source``."""
        return f"http://{self.host}:{self.http_port}/{source}"

    def ws_url(self, source: str) -> str:
        """The base URL to configure for stream ``source``."""
        return f"ws://{self.host}:{self.ws_port}/{source}"

    def base_urls(self) -> dict[str, str]:
        """``base_url`` for every source crashtui knows."""
        return {
            name: self.ws_url(name) if info.stream else self.http_url(name) for name, info in SOURCES.items()
        }

    def config_toml(self, sources: Iterable[str] | None = None) -> str:
        """A config snippet pointing every (or the named) source at this server."""
        urls = self.base_urls()
        lines = []
        for name in sources or urls:
            lines += [f"[sources.{name}]", f'base_url = "{urls[name]}"', ""]
        return "\n".join(lines)

    # -- faults and the log ------------------------------------------------------------

    def set_fault(self, source: str | None, mode: Fault | str, **knobs: Any) -> None:
        """Set ``source``'s fault (None: the default for every source without its own)."""
        settings = replace(
            self.default if source is None else self.settings(source), mode=Fault(mode), **knobs
        )
        if source is None:
            self.default = settings
        else:
            self.faults[source] = settings

    def clear(self, source: str | None = None) -> None:
        """Back to healthy: one source, or everything."""
        if source is None:
            self.faults.clear()
            self.default = FaultSettings()
        else:
            self.faults.pop(source, None)

    def settings(self, source: str) -> FaultSettings:
        """The fault settings in force for ``source``."""
        return self.faults.get(source, self.default)

    def count(self, source: str, *, since_s: float | None = None, until_s: float | None = None) -> int:
        """Requests received for ``source`` (optionally within loop-time bounds)."""
        return sum(
            1
            for h in self.hits
            if h.source == source
            and (since_s is None or h.loop_s >= since_s)
            and (until_s is None or h.loop_s <= until_s)
        )

    def ws_count(self, source: str) -> int:
        """Websocket connections accepted for ``source``."""
        return sum(1 for h in self.ws_hits if h.source == source)

    def _price(self, mode: Fault) -> Callable[[str], float]:
        fault = VALUE_FAULTS.get(mode)
        if fault is None:
            return base_price
        return lambda symbol: fault(base_price(symbol))

    # -- HTTP --------------------------------------------------------------------------

    async def _serve_http(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        self._writers.add(writer)
        try:
            request = await _read_request(reader)
            if request is not None:
                await self._respond(request, reader, writer)
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            self._handlers.discard(task)
            self._writers.discard(writer)
            writer.close()
            with contextlib.suppress(ConnectionError, asyncio.CancelledError):
                await writer.wait_closed()

    async def _respond(
        self, req: HttpRequest, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        settings = self.settings(req.source)
        mode = settings.mode
        key = _api_key(req)
        if key:
            self.keys_seen.add(key)
        loop = asyncio.get_running_loop()
        self.requests += 1
        self.hits.append(
            Hit(
                loop.time(),
                self.now_ms(),
                req.source,
                req.method,
                req.path,
                dict(req.query),
                dict(req.headers),
                mode,
            )
        )
        if mode is Fault.HANG:
            await reader.read()  # until the client gives up and closes
            return
        if mode is Fault.OVERSIZE:
            await self._send_oversize(writer, settings.oversize_mb)
            return
        reply = self._status_fault(mode, settings, key)
        if reply is None:
            reply = self._healthy(req, mode, key)
        if mode is Fault.TRUNCATED and reply.status == 200:
            reply.body = reply.body[: len(reply.body) // 2]
        if mode is Fault.SLOW:
            await asyncio.sleep(settings.slow_s)
        head = _head(reply, len(reply.body))
        if mode is Fault.DRIP:
            writer.write(head)
            for i in range(len(reply.body)):
                writer.write(reply.body[i : i + 1])
                await writer.drain()
                await asyncio.sleep(settings.drip_s)
            return
        if mode is Fault.CUT:
            writer.write(head + reply.body[: len(reply.body) // 2])
            await writer.drain()
            return
        writer.write(head + reply.body)
        await writer.drain()

    def _status_fault(self, mode: Fault, settings: FaultSettings, key: str | None) -> Reply | None:
        retry = {} if settings.retry_after_s is None else {"Retry-After": f"{settings.retry_after_s:g}"}
        if mode is Fault.RATE_LIMIT:
            return Reply(429, _BINANCE_429, headers=retry)
        if mode is Fault.BANNED:
            return Reply(
                418, b'{"code":-1003,"msg":"Way too many requests; IP banned until later."}', headers=retry
            )
        if mode is Fault.GEO_BLOCK:
            return Reply(451, _BINANCE_451)
        if mode is Fault.CLOUDFLARE:
            page = fixture_text("cloudflare_challenge_page_reconstructed.html").encode()
            return Reply(
                403, page, "text/html; charset=UTF-8", {"cf-mitigated": "challenge", "Server": "cloudflare"}
            )
        if mode is Fault.HTML:
            return Reply(200, _MAINTENANCE, "text/html; charset=UTF-8")
        if mode is Fault.SERVER_ERROR:
            turn = next(self._error_turn) % 4
            if turn == 0:
                return Reply(
                    500, b'{"code":-1000,"msg":"An unknown error occurred while processing the request."}'
                )
            if turn == 1:
                return Reply(502, _NGINX_502, "text/html")
            if turn == 2:
                return Reply(503, b"", "text/plain")
            return Reply(504, _GATEWAY_504, "text/html")
        if mode is Fault.ERROR_ENVELOPE:
            message = settings.message
            body = {"code": -1121, "msg": message, "retCode": 10001, "retMsg": message, "error": [message]}
            return Reply(400, json.dumps(body).encode())
        if mode is Fault.NESTED:
            return Reply(settings.status, b"[" * 50_000 + b"]" * 50_000)
        if mode is Fault.ECHO_KEY and key and next(self._error_turn) % 2:
            body = {"status": {"error_code": 10002, "error_message": f"Invalid API key {key}"}}
            return Reply(401, json.dumps(body).encode())
        return None

    def _healthy(self, req: HttpRequest, mode: Fault, key: str | None) -> Reply:
        generator = route(req)
        if generator is None:
            return Reply(404, b'{"error":"no such endpoint on the fault server"}')
        value = generator(req, Quotes(self.now_ms(), self._price(mode)))
        if isinstance(value, Reply):
            return value
        if mode in SHAPE_FAULTS:
            value = reshape(mode, value)
        elif mode is Fault.INJECT:
            value = inject_strings(value)
        elif mode is Fault.ECHO_KEY and key:
            value = (
                {**value, "echo": key} if isinstance(value, dict) else {"code": 0, "data": value, "echo": key}
            )
        return Reply(200, json.dumps(value).encode())

    async def _send_oversize(self, writer: asyncio.StreamWriter, megabytes: float) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"[" + b"1," * 32_767 + b"1]"
        total = int(megabytes * 1_000_000)
        sent = 0
        while sent < total:
            writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
            await writer.drain()
            sent += len(chunk)
            self.oversize_bytes_sent += len(chunk)
        writer.write(b"0\r\n\r\n")
        await writer.drain()

    # -- websockets ----------------------------------------------------------------------

    async def _serve_ws(self, ws: ServerConnection) -> None:
        path = ws.request.path if ws.request is not None else "/"
        source = path.split("/")[1] if path.count("/") >= 1 else ""
        settings = self.settings(source)
        hit = WsHit(asyncio.get_running_loop().time(), source, path, settings.mode)
        self.ws_hits.append(hit)
        if source not in WS_PATHS or not path.endswith(WS_PATHS[source]):
            await ws.close(1008, "unknown stream")
            return
        if settings.mode is Fault.STORM:
            await ws.close(1013, "try again later")
            return
        subscribed = asyncio.Event()
        if source == "binance_liq":
            subscribed.set()
        reader = asyncio.ensure_future(self._ws_read(ws, source, hit, subscribed))
        # The pusher runs beside the reader, which ends when the connection closes: a client
        # that leaves before subscribing must not leave the pusher waiting for the subscription
        # forever (the server's close waits for every handler: a teardown hung on it).
        pusher = (
            asyncio.ensure_future(self._ws_push(ws, source, hit, subscribed))
            if settings.mode is not Fault.SILENT
            else None
        )
        try:
            await reader
        except ConnectionClosed:
            pass
        finally:
            for task in (reader, pusher):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
                        await task

    async def _ws_read(
        self, ws: ServerConnection, source: str, hit: WsHit, subscribed: asyncio.Event
    ) -> None:
        with contextlib.suppress(ConnectionClosed):
            async for message in ws:
                text = message if isinstance(message, str) else message.decode("utf-8", "replace")
                hit.received.append(text)
                mode = self.settings(source).mode
                if text == "ping" or '"op":"ping"' in text.replace(" ", ""):
                    hit.pings += 1
                    if mode is not Fault.NO_PONG:
                        await ws.send(_pong(source))
                elif '"subscribe"' in text:
                    await ws.send(_ack(source, text))
                    subscribed.set()

    async def _ws_push(
        self, ws: ServerConnection, source: str, hit: WsHit, subscribed: asyncio.Event
    ) -> None:
        await subscribed.wait()
        garbage = itertools.cycle(GARBAGE_FRAMES)
        while True:
            mode = self.settings(source).mode
            if mode is Fault.STORM:
                await ws.close(1013, "try again later")
                return
            if mode is Fault.GARBAGE:
                await ws.send(next(garbage))
            price = self._price(mode)("BTC")
            await ws.send(self._liquidation_frame(source, price, mode is Fault.INJECT))
            hit.frames_sent += 1
            await asyncio.sleep(self.ws_interval_s)

    def _liquidation_frame(self, source: str, price: float, inject: bool) -> str:
        seq = next(self._seq)
        now = self.now_ms()
        qty = f"{0.001 * (seq % 997 + 1):.3f}"
        px = fmt(price)
        if source == "binance_liq":
            instrument = HOSTILE + "USDT" if inject else "BTCUSDT"
            order: dict[str, object] = {"s": instrument, "S": "SELL", "o": "LIMIT", "f": "IOC", "q": qty}
            order.update({"p": px, "ap": px, "X": "FILLED", "l": qty, "z": qty, "T": now})
            return json.dumps({"e": "forceOrder", "E": now, "o": order})
        if source == "bybit_liq":
            instrument = HOSTILE + "USDT" if inject else "BTCUSDT"
            item = {"T": now, "s": instrument, "S": "Buy", "v": qty, "p": px}
            return json.dumps(
                {"topic": "allLiquidation.BTCUSDT", "type": "snapshot", "ts": now, "data": [item]}
            )
        detail = {
            "bkLoss": "0",
            "bkPx": px,
            "ccy": "",
            "posSide": "long",
            "side": "sell",
            "sz": str(seq % 97 + 1),
        }
        detail["ts"] = str(now)
        entry = {"details": [detail], "instFamily": "BTC-USDT", "instId": "BTC-USDT-SWAP", "instType": "SWAP"}
        return json.dumps({"arg": {"channel": "liquidation-orders", "instType": "SWAP"}, "data": [entry]})


def _pong(source: str) -> str:
    if source == "okx_liq":
        return "pong"
    return json.dumps({"success": True, "ret_msg": "pong", "conn_id": "fault-server", "op": "ping"})


def _ack(source: str, text: str) -> str:
    if source == "okx_liq":
        return json.dumps(
            {"event": "subscribe", "arg": {"channel": "liquidation-orders", "instType": "SWAP"}}
        )
    if source == "bybit_liq":
        return json.dumps({"success": True, "ret_msg": "", "conn_id": "fault-server", "op": "subscribe"})
    return json.dumps({"result": None, "id": 1})


def _api_key(req: HttpRequest) -> str | None:
    for name in KEY_HEADERS:
        if req.headers.get(name):
            return req.headers[name]
    for name in KEY_PARAMS:
        if req.query.get(name):
            return req.query[name]
    return None


def _head(reply: Reply, length: int) -> bytes:
    lines = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}"]
    lines.append(f"Content-Type: {reply.content_type}")
    lines.append(f"Content-Length: {length}")
    lines.append("Connection: close")
    lines += [f"{k}: {v}" for k, v in reply.headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def _read_request(reader: asyncio.StreamReader) -> HttpRequest | None:
    """Parse one HTTP/1.1 request (request line, headers, Content-Length body)."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    parts = lines[0].split(" ")
    if len(parts) != 3:
        return None
    method, target, _ = parts
    headers = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or "0")
    body = await reader.readexactly(length) if length else b""
    split = urlsplit(target)
    path = unquote(split.path)
    source, _, rest = path.lstrip("/").partition("/")
    query = dict(parse_qsl(split.query, keep_blank_values=True))
    return HttpRequest(method.upper(), source, "/" + rest, query, headers, body)
