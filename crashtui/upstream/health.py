"""Per-source health for REST polling: what the status bar shows and when to try again.

State rules (one source, whatever kinds it serves):

* ``pending`` until its first attempt; ``disabled`` when the config turns it off.
* ``ok`` after a successful poll.
* After a transient failure (timeout, 5xx, rate limit, parse or upstream error): ``stale``
  while its last success is within ``STALE_INTERVALS`` poll intervals (its data is still
  recent), ``failing`` after that or when it never succeeded. It is retried after a jittered
  backoff (2 s doubling) capped at the kind's poll interval; a rate limit without Retry-After
  backs off further (up to 5 min).
* ``blocked`` after a geo-block or anti-bot wall; it is retried only after a long pause.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from crashtui.errors import BlockedError, RateLimitedError, SourceError
from crashtui.model import SourceState, SourceStatus
from crashtui.net.backoff import Backoff
from crashtui.net.budget import RateBudget

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

    def __post_init__(self) -> None:
        if not self.enabled:
            self.state = SourceState.DISABLED

    def available_at(self, lane: Lane) -> int:
        """Earliest time this source may be asked for the lane's kind again."""
        return max(self.hold_until_ms, lane.retry_at_ms)

    def succeeded(self, lane: Lane, now_ms: int, next_ms: int) -> None:
        """Record a successful poll; ``next_ms`` is when that kind is due again."""
        lane.backoff.reset()
        lane.retry_at_ms = 0
        lane.last_ok_ms = now_ms
        self.state = SourceState.OK
        self.last_ok_ms = now_ms
        self.last_error = None
        self.hint = None
        self.next_attempt_ms = next_ms

    def failed(
        self, lane: Lane, error: SourceError, now_ms: int, interval_s: float, rng: random.Random
    ) -> None:
        """Record a failed poll and schedule the retry the error calls for."""
        self.last_error = str(error)
        self.hint = error.hint
        if isinstance(error, BlockedError):
            self.hold_until_ms = now_ms + round(BLOCKED_MIN_S * (1.0 + rng.random()) * 1000)
            self.state = SourceState.BLOCKED
        else:
            if isinstance(error, RateLimitedError):
                wait = error.retry_after_s if error.retry_after_s is not None else lane.backoff.next_delay()
                self.hold_until_ms = now_ms + round(max(MIN_RETRY_AFTER_S, wait) * 1000)
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
        )


def new_lane(rng: random.Random) -> Lane:
    """A lane with the transient-error backoff (2 s doubling to 5 min, jittered)."""
    return Lane(backoff=Backoff(base_s=TRANSIENT_BASE_S, cap_s=TRANSIENT_CAP_S, rng=rng))
