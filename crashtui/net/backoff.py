"""Exponential backoff with full jitter, shared by REST polls and websocket reconnects."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(slots=True)
class Backoff:
    """Delay generator: ``base * factor**n`` capped at ``cap``, jittered in [50%, 100%].

    Call :meth:`next_delay` after each failure and :meth:`reset` after a success.
    """

    base_s: float = 1.0
    factor: float = 2.0
    cap_s: float = 300.0
    rng: random.Random = field(default_factory=random.Random)
    failures: int = 0

    def next_delay(self) -> float:
        """Delay before the next attempt, in seconds; grows with each call."""
        raw = min(self.cap_s, self.base_s * (self.factor**self.failures))
        self.failures += 1
        return raw * (0.5 + 0.5 * self.rng.random())

    def peek_max(self) -> float:
        """The upper bound of the next delay without consuming it."""
        return min(self.cap_s, self.base_s * (self.factor**self.failures))

    def reset(self) -> None:
        """Forget past failures (call after a success)."""
        self.failures = 0
