"""What crosses the wire, described without doing IO: request specs and response verdicts.

Sources describe their requests as :class:`Request` values and never import the network
layer; :mod:`crashtui.net.http` sends them. :func:`classify_response` turns an HTTP status and
body into the typed error it stands for, and is the one rule both for a live response and for
a response read back from a recording, so a replay shows the same failures the live run saw.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

from crashtui.errors import (
    BlockedError,
    ChallengeError,
    HttpStatusError,
    PageError,
    RateLimitedError,
)
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
# Words of a maintenance or "temporarily unavailable" page (status pages, CDN error pages).
_MAINTENANCE_MARKERS = (
    b"maintenance",
    b"temporarily unavailable",
    b"service unavailable",
    b"be back soon",
    b"we'll be back",
    b"down for",
    b"scheduled upgrade",
    b"system upgrade",
)
# The body cap of an endpoint that sets none: the largest usual answers are a few hundred kB.
DEFAULT_BODY_CAP = 8 * 2**20
# Pages of a web application firewall or bot manager that are not a challenge to solve.
_WALL_MARKERS = (b"access denied", b"request blocked", b"the request could not be satisfied", b"bot detected")
# A provider asking for more than this is waited for this long only, and the status says so.
RETRY_AFTER_CAP_S = 900.0
_ERROR_KEYS = ("msg", "message", "error_message", "retMsg", "error", "detail")


@dataclass(frozen=True, slots=True)
class Request:
    """One HTTP request of one source's endpoint.

    ``context`` holds what the endpoint's decoder needs to interpret the body (crashtui
    symbol, interval, asset…); it is copied into ``RawPayload.params`` together with the
    query (keys prefixed ``q.``), minus every name in ``secret_names``. ``secret`` is the
    API key value if one is sent: it is redacted from every error message.
    ``max_body_bytes`` sets this endpoint's body cap (decompressed bytes) when it differs from
    :data:`DEFAULT_BODY_CAP` (an endpoint known to answer 11 MB); the ``[net] max_body_mb``
    ceiling applies in any case.
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
    max_body_bytes: int | None = None  # this endpoint's body cap (decompressed); None: the default

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


# The first byte of a body that may be a page: "<", or whitespace that lstrip() removes.
_PAGE_STARTS = frozenset(b"< \t\n\r\x0b\x0c")


def looks_like_html(body: bytes, content_type: str = "") -> bool:
    """Whether a body is an HTML page (a bot wall, captive portal or error page)."""
    if content_type and "text/html" in content_type.lower():
        return True
    if not body or body[0] not in _PAGE_STARTS:
        return False  # empty, or what follows leading whitespace cannot be "<"
    head = body[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--"))


def is_challenge(body: bytes, headers: Mapping[str, str]) -> bool:
    """Whether a response is an anti-bot challenge (Cloudflare or a JS proof-of-work wall)."""
    if headers.get("cf-mitigated", "").lower() == "challenge":
        return True
    head = body[:20_000].lower()
    return any(marker in head for marker in _CHALLENGE_MARKERS)


ANTI_BOT = "anti-bot"
MAINTENANCE = "maintenance"
OTHER_PAGE = "other"


def page_kind(body: bytes, headers: Mapping[str, str]) -> str:
    """What an HTML page is: an ``anti-bot`` challenge, a ``maintenance`` page, or ``other``."""
    if is_challenge(body, headers):
        return ANTI_BOT
    head = body[:20_000].lower()
    if any(marker in head for marker in _WALL_MARKERS):
        return ANTI_BOT
    return MAINTENANCE if any(marker in head for marker in _MAINTENANCE_MARKERS) else OTHER_PAGE


def page_title(body: bytes) -> str:
    """The ``<title>`` of an HTML page (best effort, one short line), or ``""``."""
    head = body[:20_000]
    start = head.lower().find(b"<title")
    if start < 0:
        return ""
    start = head.find(b">", start) + 1
    end = head.lower().find(b"</title", start)
    if start <= 0 or end < 0:
        return ""
    return plain(head[start:end].decode("utf-8", "replace").strip(), 60)


def fmt_wait(seconds: float) -> str:
    """A wait as people say it: ``45s``, ``4m``, ``1h 30m``."""
    if seconds < 90:
        return f"{max(0, round(seconds))}s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"{minutes}m"
    hours, rest = divmod(minutes, 60)
    return f"{hours}h {rest}m" if rest else f"{hours}h"


def capped_retry_after(wait_s: float | None) -> tuple[float | None, str]:
    """The wait to honour (at most :data:`RETRY_AFTER_CAP_S`) and how the status says it."""
    if wait_s is None:
        return None, "rate limited"
    if wait_s > RETRY_AFTER_CAP_S:
        return RETRY_AFTER_CAP_S, (
            f"rate limited, retry in {fmt_wait(RETRY_AFTER_CAP_S)} "
            f"(asked for {fmt_wait(wait_s)}, capped at {fmt_wait(RETRY_AFTER_CAP_S)})"
        )
    return wait_s, f"rate limited, retry in {fmt_wait(wait_s)}"


def retry_after_s(value: str | None, now_ms: int) -> float | None:
    """Parse a ``Retry-After`` header (seconds or an HTTP date) into seconds from now."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    import email.utils  # ~0.9 MiB of modules a replay never needs: only for an HTTP date

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


def _excerpt_suffix(body: bytes, html: bool = False) -> str:
    if html:  # a page's markup says nothing a user can act on: its title at most
        title = page_title(body)
        return f': "{title}"' if title else ""
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


def page_text(kind: str, body: bytes) -> str:
    """How an error line names a page, with its article: ``a maintenance page``,
    ``an HTML page "Title"``."""
    if kind == ANTI_BOT:
        return "an anti-bot page"
    if kind == MAINTENANCE:
        return "a maintenance page"
    title = page_title(body)
    return f'an HTML page "{title}"' if title else "an HTML page"


def classify_response(
    request: Request, status: int, headers: Mapping[str, str], body: bytes, now_ms: int
) -> None:
    """Raise the typed error a response stands for; return if it is a usable body.

    A geo-block (403/451 by default) is a :class:`BlockedError` (paused for long); an
    anti-bot page is a :class:`ChallengeError`; a maintenance or other HTML page where data
    was expected is a :class:`PageError` (both retried on the normal schedule); 429/418 is a
    :class:`RateLimitedError` whose wait (``Retry-After``, seconds or an HTTP date) is capped
    at :data:`RETRY_AFTER_CAP_S`.
    """

    def line(text: str) -> str:
        return plain(f"{request.source} {request.endpoint}: {text}", ERROR_LINE, secret=request.secret)

    hint = blocked_hint(request.source)
    if _is_challenge(request, headers, body):
        raise ChallengeError(line(f"anti-bot challenge page (HTTP {status})"), hint=hint)
    html = request.expect != "html" and looks_like_html(body, headers.get("content-type", ""))
    if html and status not in request.blocked_statuses and page_kind(body, headers) == ANTI_BOT:
        raise ChallengeError(line(f"anti-bot page (HTTP {status}){_excerpt_suffix(body, html)}"), hint=hint)
    if status in request.blocked_statuses:
        raise BlockedError(line(f"HTTP {status} {_reason(status)}{_excerpt_suffix(body, html)}"), hint=hint)
    if status in (418, 429):
        wait, said = capped_retry_after(retry_after_s(headers.get("retry-after"), now_ms))
        raise RateLimitedError(line(f"HTTP {status} {_reason(status)}: {said}"), retry_after_s=wait)
    if html:
        kind = page_kind(body, headers)
        where = f"HTTP {status} {_reason(status)}: " if status >= 400 else ""
        raise PageError(
            line(f"{where}got {page_text(kind, body)} where {request.expect.upper()} was expected"),
            page=kind,
        )
    if status >= 400:
        raise HttpStatusError(
            line(f"HTTP {status} {_reason(status)}{_excerpt_suffix(body)}"), status_code=status
        )


def _reason(status: int) -> str:
    if status == 418:
        return "IP banned"
    if status == 451:
        return "restricted location"
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "error"
