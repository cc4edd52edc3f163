"""Typed source errors: every failure a parser or fetch can raise.

Nothing below a source ever raises a bare KeyError/IndexError/ValueError out of a
parser; it is wrapped in :class:`ParseError`. The poller maps each error class to a
:class:`~crashtui.model.SourceState` and a one-line message for the status bar.
"""

from __future__ import annotations

from crashtui.model import Failure, SourceState
from crashtui.textsafe import plain

MAX_MESSAGE = 200


class SourceError(Exception):
    """Base class: a source could not deliver data. ``str()`` is a one-line reason.

    The message is made one printable line of at most ``MAX_MESSAGE`` characters here, so a
    parser quoting a hostile or huge value (a 50,000-character CSV header) cannot put it into
    a status line.
    """

    state: SourceState = SourceState.FAILING
    failure: Failure = Failure.ANSWERED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(plain(message, MAX_MESSAGE))
        self.hint = hint


class ParseError(SourceError):
    """The body did not have the documented shape or held impossible values."""


class UpstreamError(SourceError):
    """The provider answered with an error envelope (often inside HTTP 200)."""

    def __init__(self, message: str, *, code: str | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.code = code


class PartialError(UpstreamError):
    """Part of a poll was unusable (an unknown pair) while the rest was delivered.

    Raised by a source's poll after its good payloads: the poller keeps the source ok (it
    serves the other symbols) and shows this message as a note.
    """


class BlockedError(SourceError):
    """Geo-block or ban: retrying soon will not help."""

    state = SourceState.BLOCKED
    failure = Failure.BLOCKED


class ChallengeError(BlockedError):
    """An anti-bot challenge page (Cloudflare and the like) instead of data.

    Shown as blocked, but such walls come and go with the provider's traffic: the source is
    retried on its normal schedule, not paused like a geo-block.
    """


class PageError(SourceError):
    """An HTML page where data was expected: ``page`` is ``maintenance`` or ``other``.

    Usually transient (maintenance, an error page of a proxy): retried on the normal schedule.
    """

    def __init__(self, message: str, *, page: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.page = page


class RateLimitedError(SourceError):
    """HTTP 429/418 or an equivalent envelope; ``retry_after_s`` when the provider says."""

    failure = Failure.THROTTLED

    def __init__(self, message: str, *, retry_after_s: float | None = None, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.retry_after_s = retry_after_s


class HttpStatusError(SourceError):
    """An HTTP error status not covered by a more specific class."""

    def __init__(self, message: str, *, status_code: int, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.status_code = status_code


class TransportError(SourceError):
    """Network-level failure: DNS, connect, read timeout, TLS, oversize body."""

    failure = Failure.UNREACHABLE


class BodyTooLargeError(TransportError):
    """The body grew past its endpoint's cap while streaming; reading stopped there."""

    failure = Failure.ANSWERED
