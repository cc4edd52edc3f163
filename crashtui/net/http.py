"""The shared HTTP client and one ``fetch`` that turns any response into a payload or a typed error.

Every REST source goes through :func:`fetch`: it streams the body up to a size cap, classifies
HTTP errors, geo-blocks and anti-bot walls into :mod:`crashtui.errors`, and builds a
:class:`~crashtui.model.RawPayload` whose ``params`` never hold a secret. Error strings are one
line with every secret value replaced by ``***``.
"""

from __future__ import annotations

import asyncio
import email.utils
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx

from crashtui import __version__
from crashtui.clock import Clock
from crashtui.config.schema import NetConfig
from crashtui.errors import (
    BlockedError,
    HttpStatusError,
    RateLimitedError,
    TransportError,
)
from crashtui.model import RawPayload, freeze_params
from crashtui.textsafe import ERROR_LINE, plain

USER_AGENT = f"crashtui/{__version__} (+terminal market monitor; httpx/{httpx.__version__})"
# CNN's dataviz API answers 418/403 to anything that does not look like a browser.
BROWSER_USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36"
)
QUERY_PREFIX = "q."  # RawPayload.params key prefix for the query string that was sent

_CHALLENGE_MARKERS = (
    b"just a moment",
    b"challenge-platform",
    b"enable javascript and cookies",
    b"attention required",
    b"cf-chl",
    b"requires javascript to verify your browser",
)
_DNS_FAILURES = (
    "Name or service not known",
    "Temporary failure in name resolution",
    "nodename nor servname",
    "No address associated with hostname",
    "getaddrinfo failed",
)

_ERROR_KEYS = ("msg", "message", "error_message", "retMsg", "error", "detail")
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


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request of one source's endpoint.

    ``context`` holds what the endpoint's decoder needs to interpret the body (crashtui
    symbol, interval, asset…); it is copied into ``RawPayload.params`` together with the
    query (keys prefixed ``q.``), minus every name in ``secret_names``. ``secret`` is the
    API key value if one is sent: it is redacted from every error message.
    """

    source: str
    endpoint: str
    url: str
    query: Mapping[str, str] = field(default_factory=dict)
    context: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "GET"
    json_body: Any = None
    expect: str = "json"  # json | html | csv: what a good body looks like
    weight: int = 1
    secret: str | None = field(default=None, repr=False)
    secret_names: frozenset[str] = frozenset()
    blocked_statuses: frozenset[int] = frozenset({403, 451})

    def record_params(self) -> Mapping[str, str]:
        """Params for the RawPayload: decoder context plus the query, secrets removed."""
        params = {k: v for k, v in self.context.items() if k not in self.secret_names}
        for key, value in self.query.items():
            if key not in self.secret_names:
                params[QUERY_PREFIX + key] = value
        return freeze_params(params)


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
    """The response size cap in bytes (``[net] max_body_mb``, 1 MB = 10^6 bytes)."""
    return int(net.max_body_mb * 1_000_000)


def blocked_hint(source: str) -> str:
    """What the user can do about a block on ``source``."""
    return f"set [sources.{source}] base_url or disable the source"


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    """Whether a body is an HTML page (a bot wall, captive portal or error page)."""
    if "text/html" in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--"))


def is_challenge(body: bytes, headers: Mapping[str, str] | httpx.Headers) -> bool:
    """Whether a response is an anti-bot challenge (Cloudflare or a JS proof-of-work wall)."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    head = body[:20_000].lower()
    return any(marker in head for marker in _CHALLENGE_MARKERS)


def retry_after_s(value: str | None, now_ms: int) -> float | None:
    """Parse a ``Retry-After`` header (seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now_ms / 1000)


def error_excerpt(body: bytes) -> str:
    """The provider's own error message from an error body, best effort, one line."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        return body[:200].decode("utf-8", "replace")
    if isinstance(data, dict):
        status = data.get("status")
        if isinstance(status, dict):
            data = status
        for key in _ERROR_KEYS:
            value = data.get(key)
            if isinstance(value, list) and value:
                value = "; ".join(str(v) for v in value)
            if isinstance(value, str) and value:
                code = data.get("code", data.get("error_code", data.get("retCode")))
                return f"{value} (code {code})" if code not in (None, "", 0, "0") else value
    return body[:200].decode("utf-8", "replace")


def _excerpt_suffix(body: bytes) -> str:
    excerpt = error_excerpt(body).strip()
    return f": {excerpt}" if excerpt else ""


async def _read_capped(
    response: httpx.Response, max_bytes: int, where: str, grace_s: float | None = None
) -> bytes:
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise TransportError(
            f"{where}: response body of {int(declared) / 1e6:.1f} MB is over the {max_bytes / 1e6:g} MB cap"
        )
    loop = asyncio.get_running_loop()
    started = loop.time()
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise TransportError(
                f"{where}: response body is over the {max_bytes / 1e6:g} MB cap; stopped reading"
            )
        chunks.append(chunk)
        # The read timeout is per read: a body sent a byte at a time would never trip it.
        elapsed = loop.time() - started
        if grace_s is not None and elapsed > grace_s and size < MIN_BODY_RATE * elapsed:
            raise TransportError(
                f"{where}: body trickling in ({size} bytes in {elapsed:.0f}s); gave up on it"
            )
    return b"".join(chunks)


def _is_challenge(request: Request, headers: httpx.Headers, body: bytes) -> bool:
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if not looks_like_html(body, headers.get("content-type", "")) or not is_challenge(body, headers):
        return False
    # Cloudflare also injects its challenge-platform script into real pages: a page that
    # holds the table we came for is not a challenge.
    return request.expect != "html" or b"<table" not in body.lower()


def _classify(request: Request, status: int, headers: httpx.Headers, body: bytes, now_ms: int) -> None:
    """Raise the typed error a response stands for; return if it is a usable body."""

    def line(text: str) -> str:
        return plain(f"{request.source} {request.endpoint}: {text}", ERROR_LINE, secret=request.secret)

    hint = blocked_hint(request.source)
    if _is_challenge(request, headers, body):
        raise BlockedError(line(f"anti-bot challenge page (HTTP {status})"), hint=hint)
    if status in request.blocked_statuses:
        raise BlockedError(line(f"HTTP {status} {_reason(status)}{_excerpt_suffix(body)}"), hint=hint)
    if status in (418, 429):
        wait = retry_after_s(headers.get("retry-after"), now_ms)
        after = f", retry after {wait:.0f}s" if wait is not None else ""
        raise RateLimitedError(line(f"HTTP {status} {_reason(status)}{after}"), retry_after_s=wait)
    if status >= 400:
        raise HttpStatusError(
            line(f"HTTP {status} {_reason(status)}{_excerpt_suffix(body)}"), status_code=status
        )
    if request.expect != "html" and looks_like_html(body, headers.get("content-type", "")):
        raise BlockedError(line(f"got an HTML page where {request.expect.upper()} was expected"), hint=hint)


def _reason(status: int) -> str:
    if status == 418:
        return "IP banned"
    if status == 451:
        return "restricted location"
    return httpx.codes.get_reason_phrase(status) or "error"


async def fetch(
    client: httpx.AsyncClient, request: Request, *, clock: Clock, max_body_bytes: int
) -> RawPayload:
    """Send ``request`` and return its payload, or raise a typed :class:`SourceError`.

    The body is streamed and reading stops at ``max_body_bytes``. Secrets never reach the
    payload's params or any error message.
    """
    where = f"{request.source} {request.endpoint}"
    try:
        return await _fetch(client, request, clock=clock, max_body_bytes=max_body_bytes)
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
            reason = f"connection dropped: {reason}"
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
    client: httpx.AsyncClient, request: Request, *, clock: Clock, max_body_bytes: int
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
            max_body_bytes,
            f"{request.source} {request.endpoint}",
            None if read_s is None else TRICKLE_GRACE_READS * read_s,
        )
    finally:
        await response.aclose()
    if request.secret and request.secret.encode() in body:
        # A provider echoing the key back (e.g. "invalid key X") must not carry it into the
        # recording, the parsers' error messages or anything else downstream.
        body = body.replace(request.secret.encode(), b"***")
    received_ms = clock.now_ms()
    _classify(request, response.status_code, response.headers, body, received_ms)
    return RawPayload(
        source=request.source,
        endpoint=request.endpoint,
        received_ms=received_ms,
        body=body,
        params=request.record_params(),
        status=response.status_code,
    )
