"""The shared HTTP client and one ``fetch`` that turns any response into a payload or a typed error.

Every REST source goes through :func:`fetch`: it streams the body up to a size cap, classifies
HTTP errors, geo-blocks and anti-bot walls into :mod:`crashtui.errors`, and builds a
:class:`~crashtui.model.RawPayload` whose ``params`` never hold a secret. Error strings are one
line with every secret value replaced by ``***``.
"""

from __future__ import annotations

import asyncio
import logging
import re
import weakref
import zlib
from collections.abc import AsyncIterator

import httpx

from crashtui import __version__
from crashtui.clock import Clock
from crashtui.config.schema import NetConfig
from crashtui.errors import BodyTooLargeError, ParseError, TransportError
from crashtui.events import RawSink
from crashtui.model import Failure, RawPayload
from crashtui.textsafe import ERROR_LINE, plain
from crashtui.wire import DEFAULT_BODY_CAP, Request, classify_response

USER_AGENT = f"crashtui/{__version__} (+terminal market monitor; httpx/{httpx.__version__})"


_DNS_FAILURES = (
    "Name or service not known",
    "Temporary failure in name resolution",
    "nodename nor servname",
    "No address associated with hostname",
    "getaddrinfo failed",
)


# A body still arriving after TRICKLE_GRACE_READS read timeouts at under MIN_BODY_RATE bytes/s
# on average is a server feeding it a byte at a time, not a slow link: give up on it.
MIN_BODY_RATE = 16_000
TRICKLE_GRACE_READS = 2


# Query parameters whose values are credentials (FRED takes its key as ``api_key=``).
_SECRET_QUERY = re.compile(r"(?i)([?&][\w.-]*(?:key|token|secret|signature|password|auth)=)[^&#\s\"']+")


def redact_query(text: str) -> str:
    """``text`` (a URL or a log line) with every credential-looking query value replaced by ``***``."""
    return _SECRET_QUERY.sub(r"\1***", text)


class _RedactQuerySecrets(logging.Filter):
    """httpx logs every request URL at INFO level, query string and all: mask the credentials."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(
                redact_query(str(arg)) if isinstance(arg, (httpx.URL, str)) else arg for arg in record.args
            )
        return True


logging.getLogger("httpx").addFilter(_RedactQuerySecrets())


def make_client(net: NetConfig, *, transport: httpx.AsyncBaseTransport | None = None) -> httpx.AsyncClient:
    """The one long-lived client: explicit timeouts, HTTP/1.1 keep-alive, a real User-Agent."""
    timeout = httpx.Timeout(
        connect=net.connect_timeout_s,
        read=net.read_timeout_s,
        write=net.read_timeout_s,
        pool=net.connect_timeout_s,
    )
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=16, keepalive_expiry=60.0)
    return httpx.AsyncClient(
        timeout=timeout,
        limits=limits,
        http2=False,
        headers={"User-Agent": USER_AGENT, "Accept-Encoding": "gzip, deflate"},
        follow_redirects=True,
        transport=transport,
    )


def max_body_bytes(net: NetConfig) -> int:
    """The response size ceiling in bytes (``[net] max_body_mb``, 1 MB = 10^6 bytes)."""
    return int(net.max_body_mb * 1_000_000)


def body_cap(request: Request, ceiling: int) -> int:
    """The body cap of ``request``'s endpoint (its own, else the default), under ``ceiling``."""
    own = request.max_body_bytes if request.max_body_bytes is not None else DEFAULT_BODY_CAP
    return max(1, min(own, ceiling))


def fmt_mib(size: int) -> str:
    """``8 MiB``, ``0.954 MiB``: a byte count in MiB, as short as it is exact enough."""
    return f"{size / 2**20:.3g} MiB"


def _over(where: str, cap: int) -> BodyTooLargeError:
    return BodyTooLargeError(f"{where}: body over {fmt_mib(cap)}; stopped reading")


class _Inflater:
    """Bounded decompression of one response body (``gzip`` or ``deflate``).

    httpx inflates each network chunk whole: 64 kB of a gzip bomb become 64 MB before a
    running total could look at them. Here every ``decompress`` call is limited to the room
    it is given; input not yet inflated is kept for the next call.
    """

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._z = zlib.decompressobj(zlib.MAX_WBITS | 16 if encoding != "deflate" else zlib.MAX_WBITS)
        self._pending = b""
        self._started = False

    @property
    def pending(self) -> bool:
        """Whether input is waiting to be inflated."""
        return bool(self._pending) and not self._z.eof

    def feed(self, data: bytes, room: int) -> list[bytes]:
        """Inflate what is pending plus ``data``: at most ``room + 1`` bytes now, the rest later."""
        if self.encoding == "deflate" and not self._started and data:
            self._started = True
            try:  # "deflate" is zlib-wrapped by the spec, raw deflate by some servers
                return self._feed(data, room)
            except zlib.error:
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                self._pending = b""
        self._started = True
        return self._feed(data, room)

    def _feed(self, data: bytes, room: int) -> list[bytes]:
        self._pending = self._pending + data if self._pending else data
        out: list[bytes] = []
        produced = 0
        while self._pending and produced <= room and not self._z.eof:
            piece = self._z.decompress(self._pending, room + 1 - produced)
            produced += len(piece)
            if piece:
                out.append(piece)
            progressed = piece or len(self._z.unconsumed_tail) < len(self._pending)
            self._pending = self._z.unconsumed_tail
            if not progressed:  # no progress: a corrupt stream
                raise zlib.error("no progress")
        return out

    def flush(self, room: int) -> bytes:
        """What is left in the decompressor (bounded too)."""
        return self._z.flush() if self._z.eof else self._z.decompress(b"", room + 1)


# Bodies beyond LARGE_BODY take one of LARGE_BODY_SLOTS per event loop before they may grow
# further: forty requests in flight each holding up to its cap (8 MiB) would be 320 MiB; with
# the slots it is at most 40 × 1 MiB plus two large bodies. The others wait (TCP backpressure).
LARGE_BODY = 2**20
LARGE_BODY_SLOTS = 2
_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _large_body_slots() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    slots = _slots.get(loop)
    if slots is None:
        slots = _slots[loop] = asyncio.Semaphore(LARGE_BODY_SLOTS)
    return slots


def _encoding(response: httpx.Response) -> str | None:
    """The body's one content encoding we inflate ourselves; "" for none; None for others."""
    value = response.headers.get("content-encoding", "").strip().lower()
    if value in ("", "identity"):
        return ""
    if value in ("gzip", "x-gzip"):
        return "gzip"
    if value == "deflate":
        return "deflate"
    return None


async def _in_memory(response: httpx.Response) -> AsyncIterator[bytes]:
    yield response.content


async def _read_capped(
    response: httpx.Response, max_bytes: int, where: str, grace_s: float | None = None
) -> bytes:
    """The body, streamed: refused once it (decompressed) grows over ``max_bytes``.

    Past :data:`LARGE_BODY` a body waits for a large-body slot before it grows further, so
    what all requests in flight hold together stays bounded too.
    """
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _over(where, max_bytes)
    if response.is_stream_consumed:  # read whole already (a mock transport): decoded by httpx
        encoding: str | None = ""
        stream = _in_memory(response)
    else:
        encoding = _encoding(response)
        stream = response.aiter_bytes() if encoding is None else response.aiter_raw()
    loop = asyncio.get_running_loop()
    started = loop.time()
    waited = 0.0  # time spent waiting for a large-body slot: not the server's slowness
    chunks: list[bytes] = []
    size = 0
    received = 0
    inflater = _Inflater(encoding) if encoding else None
    slots: asyncio.Semaphore | None = None

    def room() -> int:
        return max_bytes - size if slots is not None else max(0, min(max_bytes, LARGE_BODY) - size)

    def keep(pieces: list[bytes]) -> None:
        nonlocal size
        size += sum(len(piece) for piece in pieces)
        if size > max_bytes:
            pieces.clear()  # not kept alive by the error's traceback
            raise _over(where, max_bytes)
        chunks.extend(pieces)

    async def grow() -> None:
        """Take a large-body slot once the body is large; then inflate what waited."""
        nonlocal slots, waited
        if slots is None and size >= min(max_bytes, LARGE_BODY):
            before = loop.time()
            candidate = _large_body_slots()
            await candidate.acquire()
            slots = candidate
            waited += loop.time() - before
        while inflater is not None and slots is not None and inflater.pending:
            keep(inflater.feed(b"", room()))

    try:
        async for chunk in stream:
            received += len(chunk)
            keep([chunk] if inflater is None else inflater.feed(chunk, room()))
            await grow()
            # The read timeout is per read: a body sent a byte at a time would never trip it.
            elapsed = loop.time() - started - waited
            if grace_s is not None and elapsed > grace_s and received < MIN_BODY_RATE * elapsed:
                raise TransportError(
                    f"{where}: body trickling in ({received} bytes in {elapsed:.0f}s); gave up on it"
                )
        if inflater is not None:
            while inflater.pending:
                keep(inflater.feed(b"", room()))
                await grow()
            keep([inflater.flush(max_bytes - size)])
    except zlib.error:
        chunks.clear()
        raise ParseError(f"{where}: body is not valid {encoding} data") from None
    except BaseException:
        # the error's traceback keeps this frame (and ``chunks``) alive until the error is
        # collected, often by the cyclic GC much later: drop the refused body now
        chunks.clear()
        raise
    finally:
        if slots is not None:
            slots.release()
    body = b"".join(chunks)
    chunks.clear()
    return body


async def fetch(
    client: httpx.AsyncClient,
    request: Request,
    *,
    clock: Clock,
    max_body_bytes: int,
    tap: RawSink | None = None,
) -> RawPayload:
    """Send ``request`` and return its payload, or raise a typed :class:`SourceError`.

    The body is streamed (and inflated) under the endpoint's cap (:func:`body_cap`, at most
    ``max_body_bytes``): reading stops with "body over N MiB" once it grows past it, before
    it is ever held whole. Secrets never reach the payload's params or any error message.
    """
    where = f"{request.source} {request.endpoint}"
    try:
        return await _fetch(client, request, clock=clock, max_body_bytes=max_body_bytes, tap=tap)
    except httpx.DecodingError:
        raise ParseError(plain(f"{where}: body is not valid compressed data", ERROR_LINE)) from None
    except httpx.TimeoutException as exc:
        raise TransportError(
            plain(f"{where}: {_timeout_text(exc)}", ERROR_LINE, secret=request.secret)
        ) from None
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        reason = str(exc) or type(exc).__name__
        if any(marker in reason for marker in _DNS_FAILURES):
            host = httpx.URL(request.url).host
            reason = f"cannot resolve {host} (offline, or DNS blocked?)"
        elif isinstance(exc, (httpx.RemoteProtocolError, httpx.ReadError)):
            # connected, but the answer broke off: "cannot connect" would send users hunting
            # for a firewall problem
            dropped = TransportError(
                plain(f"{where}: connection dropped: {reason}", ERROR_LINE, secret=request.secret)
            )
            dropped.failure = Failure.ANSWERED
            raise dropped from None
        else:
            reason = f"cannot connect: {reason}"
        raise TransportError(plain(f"{where}: {reason}", ERROR_LINE, secret=request.secret)) from None


def _timeout_text(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect timeout"
    if isinstance(exc, httpx.ReadTimeout):
        return "read timeout"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a connection"
    return "timeout"


async def _fetch(
    client: httpx.AsyncClient, request: Request, *, clock: Clock, max_body_bytes: int, tap: RawSink | None
) -> RawPayload:
    http_request = client.build_request(
        request.method,
        request.url,
        params=dict(request.query) if request.query else None,
        headers=dict(request.headers) if request.headers else None,
        json=request.json_body,
    )
    read_s = client.timeout.read
    response = await client.send(http_request, stream=True)
    try:
        body = await _read_capped(
            response,
            body_cap(request, max_body_bytes),
            f"{request.source} {request.endpoint}",
            None if read_s is None else TRICKLE_GRACE_READS * read_s,
        )
    finally:
        await response.aclose()
    if request.secret and request.secret.encode() in body:
        # A provider echoing the key back (e.g. "invalid key X") must not carry it into the
        # recording, the parsers' error messages or anything else downstream.
        body = body.replace(request.secret.encode(), b"***")
    payload = RawPayload(
        source=request.source,
        endpoint=request.endpoint,
        received_ms=clock.now_ms(),
        body=body,
        params=request.record_params(),
        status=response.status_code,
    )
    if tap is not None:  # every response is recorded, error statuses too: replay judges them again
        tap(payload)
    classify_response(request, response.status_code, response.headers, body, payload.received_ms)
    return payload
