"""Per-host rate budgets: a sliding one-minute window of request weight.

Limits come from ``catalog.SOURCES[name].budget_per_min`` (requests per minute, or request
weight per minute where the provider counts weight, as Binance and Hyperliquid do). A
request waits on the injectable clock until its weight fits in the window, so a poll loop
slows down instead of earning a 429 or a ban.
"""

from __future__ import annotations

from collections import deque
from urllib.parse import urlsplit

from crashtui.catalog import SOURCES
from crashtui.clock import Clock

WINDOW_MS = 60_000


class RateBudget:
    """Weight spent in the last 60 s against a per-minute limit (None: unlimited)."""

    def __init__(self, limit_per_min: int | None, clock: Clock) -> None:
        self.limit_per_min = limit_per_min
        self._clock = clock
        self._spent: deque[tuple[int, int]] = deque()

    def _expire(self, now_ms: int) -> None:
        while self._spent and self._spent[0][0] <= now_ms - WINDOW_MS:
            self._spent.popleft()

    def used(self) -> int:
        """Weight spent in the last minute."""
        self._expire(self._clock.now_ms())
        return sum(weight for _, weight in self._spent)

    def delay_s(self, weight: int) -> float:
        """Seconds until ``weight`` more fits in the window (0 when it fits now)."""
        if self.limit_per_min is None:
            return 0.0
        now = self._clock.now_ms()
        self._expire(now)
        # A request heavier than the whole budget waits for an empty window, then goes.
        allowed = max(0, self.limit_per_min - min(weight, self.limit_per_min))
        total = sum(w for _, w in self._spent)
        if total <= allowed:
            return 0.0
        for at_ms, w in self._spent:
            total -= w
            if total <= allowed:
                return max(0.001, (at_ms + WINDOW_MS - now) / 1000)
        return 0.0  # pragma: no cover - the loop always ends by emptying the window

    def spend(self, weight: int) -> None:
        """Record ``weight`` spent now."""
        self._spent.append((self._clock.now_ms(), weight))

    async def acquire(self, weight: int) -> None:
        """Wait until ``weight`` fits, then spend it."""
        while (wait := self.delay_s(weight)) > 0:
            await self._clock.sleep(wait)
        self.spend(weight)


def host_of(url: str) -> str:
    """The host name a URL points at (the key budgets are kept under)."""
    return (urlsplit(url).hostname or url).lower()


class Budgets:
    """One :class:`RateBudget` per host, created on first use with its source's limit."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._by_host: dict[str, RateBudget] = {}

    def for_request(self, source: str, url: str) -> RateBudget:
        """The budget of the host ``url`` points at; its limit comes from ``source``."""
        host = host_of(url)
        budget = self._by_host.get(host)
        if budget is None:
            info = SOURCES.get(source)
            budget = RateBudget(info.budget_per_min if info else None, self._clock)
            self._by_host[host] = budget
        return budget
