"""Edge triggers: fire once when a condition becomes true, never while it stays true.

* :class:`Latch` is for conditions on a state (an index at or beyond a value, a total above a
  threshold). It fires on the first check where the condition holds, then waits until the value
  is clearly back (the hysteresis band the caller passes as ``clear``) before it can fire again.
  A latch starts armed, so a condition already true at start-up fires once.
* :class:`EventGate` is for discrete events with a time (a cascade opening, an ETF day
  published). Each event fires once; on the first observation, events older than the moment the
  alerts were armed are history and only remembered.

Cooldown is applied by the evaluator after a trigger fires (an event inside the cooldown is
consumed without an alert).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

GATE_MEMORY = 10_000

K = TypeVar("K", bound=Hashable)


@dataclass(slots=True)
class Latch:
    """Fires when ``active`` turns true; re-arms only once ``clear`` (the hysteresis) holds."""

    armed: bool = True

    def update(self, active: bool, clear: bool) -> bool:
        """Feed one observation; True when the latch fires now."""
        if self.armed and active:
            self.armed = False
            return True
        if not self.armed and clear and not active:
            self.armed = True
        return False


@dataclass(slots=True)
class EventGate(Generic[K]):
    """Lets each event key through once (bounded memory of the keys already seen)."""

    arm_ms: int
    started: bool = False
    _seen: set[K] = field(default_factory=set)
    _order: deque[K] = field(default_factory=deque)

    def new(self, events: Iterable[tuple[K, int]]) -> list[K]:
        """Keys of ``(key, event_ms)`` not seen before.

        Until the first call that brings any event, only events at or after ``arm_ms`` count as
        new; the rest are history. Callers that track a value per data item (an ETF anchor day)
        pass every item, so the first data seen sets the baseline.
        """
        fresh: list[K] = []
        for key, event_ms in events:
            if key in self._seen:
                continue
            self._remember(key)
            if self.started or event_ms >= self.arm_ms:
                fresh.append(key)
        if self._order:
            self.started = True
        return fresh

    def _remember(self, key: K) -> None:
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > GATE_MEMORY:
            self._seen.discard(self._order.popleft())
