"""Per-source health for REST polling: what the status bar shows and when to try again.

State rules (one source, whatever kinds it serves):

* ``pending`` until its first attempt; ``disabled`` when the config turns it off.
* ``ok`` after a successful poll.
* After a transient failure (timeout, 5xx, rate limit, parse or upstream error): ``stale``
  while its last success is within ``STALE_INTERVALS`` poll intervals (its data is still
  recent), ``failing`` after that or when it never succeeded. It is retried after a jittered
  backoff (2 s doubling) capped at the kind's poll interval; a rate limit without Retry-After
  backs off further (up to 5 min).
* ``blocked`` after a geo-block or ban; it is retried only after a long pause (15–30 min).
  An anti-bot challenge page is shown as ``blocked`` too, but such walls come and go: it is
  retried on the transient schedule, like a maintenance or other HTML page.
* A rate limit's ``Retry-After`` is honoured up to ``RETRY_AFTER_CAP_S`` (15 min).

:func:`network_notice` decides, from the statuses alone, whether the screen may say
"no network?" (nothing answered at all) or must say what is happening instead.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import dataclass, field

from crashtui.errors import BlockedError, ChallengeError, RateLimitedError, SourceError
from crashtui.model import NOT_PROVIDERS, Failure, SourceState, SourceStatus
from crashtui.net.backoff import Backoff
from crashtui.net.budget import RateBudget
from crashtui.wire import RETRY_AFTER_CAP_S

STALE_INTERVALS = 3
TRANSIENT_BASE_S = 2.0
TRANSIENT_CAP_S = 300.0
BLOCKED_MIN_S = 900.0  # a block is retried after 15–30 min, never in a tight loop
MIN_RETRY_AFTER_S = 1.0


@dataclass(slots=True)
class Lane:
    """One source serving one kind: its own backoff (an endpoint can fail while others work)."""

    backoff: Backoff
    retry_at_ms: int = 0
    last_ok_ms: int | None = None


@dataclass(slots=True)
class SourceHealth:
    """Mutable health of one REST source; :meth:`status` freezes it for an event."""

    name: str
    enabled: bool
    state: SourceState = SourceState.PENDING
    last_ok_ms: int | None = None
    last_error: str | None = None
    hint: str | None = None
    next_attempt_ms: int | None = None
    latency_ms: float | None = None
    hold_until_ms: int = 0  # source-wide pause: blocked or rate limited
    serving: set[str] = field(default_factory=set)
    failure: Failure | None = None

    def __post_init__(self) -> None:
        if not self.enabled:
            self.state = SourceState.DISABLED

    def available_at(self, lane: Lane) -> int:
        """Earliest time this source may be asked for the lane's kind again."""
        return max(self.hold_until_ms, lane.retry_at_ms)

    def succeeded(self, lane: Lane, now_ms: int, next_ms: int, *, note: SourceError | None = None) -> None:
        """Record a successful poll; ``next_ms`` is when that kind is due again.

        ``note`` is a part of the poll that failed while the rest was served (an unknown
        pair): the source stays ok and its status carries the note as its last error.
        """
        lane.backoff.reset()
        lane.retry_at_ms = 0
        lane.last_ok_ms = now_ms
        self.state = SourceState.OK
        self.last_ok_ms = now_ms
        self.last_error = None if note is None else str(note)
        self.hint = None if note is None else note.hint
        self.failure = None
        self.next_attempt_ms = next_ms

    def failed(
        self, lane: Lane, error: SourceError, now_ms: int, interval_s: float, rng: random.Random
    ) -> None:
        """Record a failed poll and schedule the retry the error calls for."""
        self.last_error = str(error)
        self.hint = error.hint
        self.failure = error.failure
        if isinstance(error, BlockedError) and not isinstance(error, ChallengeError):
            self.hold_until_ms = now_ms + round(BLOCKED_MIN_S * (1.0 + rng.random()) * 1000)
            self.state = SourceState.BLOCKED
        elif isinstance(error, ChallengeError):
            # an anti-bot wall may lift with the provider's traffic: the transient schedule
            lane.retry_at_ms = now_ms + round(min(lane.backoff.next_delay(), interval_s) * 1000)
            self.state = SourceState.BLOCKED
        else:
            if isinstance(error, RateLimitedError):
                wait = error.retry_after_s if error.retry_after_s is not None else lane.backoff.next_delay()
                wait = min(RETRY_AFTER_CAP_S, max(MIN_RETRY_AFTER_S, wait))
                self.hold_until_ms = now_ms + round(wait * 1000)
            else:
                # Never wait longer than one poll interval to retry a transient failure: once
                # the fault clears, data is back within an interval (not after a 5 min backoff).
                lane.retry_at_ms = now_ms + round(min(lane.backoff.next_delay(), interval_s) * 1000)
            recent = (
                self.last_ok_ms is not None
                and now_ms - self.last_ok_ms <= STALE_INTERVALS * interval_s * 1000
            )
            self.state = SourceState.STALE if recent else SourceState.FAILING
        self.next_attempt_ms = self.available_at(lane)

    def status(self, now_ms: int, budget: RateBudget | None = None) -> SourceStatus:
        """A frozen snapshot for a :class:`~crashtui.events.StatusEvent`."""
        return SourceStatus(
            source=self.name,
            state=self.state,
            updated_ms=now_ms,
            last_ok_ms=self.last_ok_ms,
            last_error=self.last_error,
            hint=self.hint,
            next_attempt_ms=self.next_attempt_ms,
            latency_ms=self.latency_ms,
            requests_used=budget.used() if budget else 0,
            requests_budget=budget.limit_per_min if budget else None,
            serving=tuple(sorted(self.serving)),
            failure=None if self.failure is None else self.failure.value,
        )


def new_lane(rng: random.Random) -> Lane:
    """A lane with the transient-error backoff (2 s doubling to 5 min, jittered)."""
    return Lane(backoff=Backoff(base_s=TRANSIENT_BASE_S, cap_s=TRANSIENT_CAP_S, rng=rng))


# --- the offline banner ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NetworkNotice:
    """What the screen says about connectivity: ``kind`` is ``offline`` (nothing answered at
    all: "No network?"), ``refused`` (sources answer, but throttle, block or fail: say so,
    never "no network"), or ``None`` (nothing to say). ``text`` is the one-line message."""

    kind: str | None
    text: str = ""
    ok: int = 0
    total: int = 0
    throttled_or_blocked: int = 0


OFFLINE = "offline"
REFUSED = "refused"
_FAILED = (SourceState.FAILING, SourceState.BLOCKED)
_TROUBLED = (SourceState.FAILING, SourceState.BLOCKED, SourceState.STALE)


def _answered(status: SourceStatus) -> bool:
    """Whether a failing source's server answered (an HTTP status, a page, a frame)."""
    if status.connected:
        return True
    if status.failure is not None:
        return status.failure != Failure.UNREACHABLE.value
    # statuses from before failures were recorded (a store, a collector): blocked means answered
    return status.state is SourceState.BLOCKED


def _refused(status: SourceStatus) -> bool:
    return status.state is SourceState.BLOCKED or status.failure in (
        Failure.THROTTLED.value,
        Failure.BLOCKED.value,
    )


def network_notice(statuses: Iterable[SourceStatus]) -> NetworkNotice:
    """The connectivity notice for a set of statuses (pure: decided from the statuses alone).

    Nothing to say while any enabled source is ok or none has failed. "No network?" only
    when, besides, no source that is in trouble got any answer at all. When sources answer
    429/451, an anti-bot page or other errors, the notice says how many are throttled or
    blocked instead ("4 sources throttled or blocked").
    """
    enabled = [s for s in statuses if s.state is not SourceState.DISABLED and s.source not in NOT_PROVIDERS]
    ok = sum(1 for s in enabled if s.state is SourceState.OK)
    total = len(enabled)
    troubled = [s for s in enabled if s.state in _TROUBLED]
    refused = sum(1 for s in troubled if _refused(s))
    if ok or not any(s.state in _FAILED for s in enabled):
        return NetworkNotice(None, ok=ok, total=total, throttled_or_blocked=refused)
    if not any(_answered(s) for s in troubled):
        return NetworkNotice(OFFLINE, f"No network? {ok} of {total} sources reachable", ok, total, refused)
    if refused:
        text = f"{refused} source{'s' if refused != 1 else ''} throttled or blocked"
        others = sum(1 for s in troubled if not _refused(s))
        if others:
            text += f", {others} failing"
    else:
        text = f"{len(troubled)} source{'s' if len(troubled) != 1 else ''} answering with errors"
    return NetworkNotice(REFUSED, text, ok, total, refused)
