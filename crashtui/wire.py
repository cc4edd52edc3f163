"""What crosses the wire, described without doing IO: request specs and response verdicts.

Sources describe their requests as :class:`Request` values and never import the network
layer; :mod:`crashtui.net.http` sends them. :func:`classify_response` turns an HTTP status and
body into the typed error it stands for, and is the one rule both for a live response and for
a response read back from a recording, so a replay shows the same failures the live run saw.
"""

from __future__ import annotations

import email.utils
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from crashtui.errors import BlockedError, HttpStatusError, RateLimitedError
from crashtui.model import freeze_params
from crashtui.textsafe import ERROR_LINE, plain

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
_ERROR_KEYS = ("msg", "message", "error_message", "retMsg", "error", "detail")


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


def blocked_hint(source: str) -> str:
    """What the user can do about a block on ``source``."""
    return f"set [sources.{source}] base_url or disable the source"


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    """Whether a body is an HTML page (a bot wall, captive portal or error page)."""
    if "text/html" in content_type.lower():
        return True
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--"))


def is_challenge(body: bytes, headers: Mapping[str, str]) -> bool:
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


def _is_challenge(request: Request, headers: Mapping[str, str], body: bytes) -> bool:
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    if not looks_like_html(body, headers.get("content-type", "")) or not is_challenge(body, headers):
        return False
    # Cloudflare also injects its challenge-platform script into real pages: a page that
    # holds the table we came for is not a challenge.
    return request.expect != "html" or b"<table" not in body.lower()


def classify_response(
    request: Request, status: int, headers: Mapping[str, str], body: bytes, now_ms: int
) -> None:
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
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"
