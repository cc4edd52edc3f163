"""Time source abstraction so tests and replay can drive time explicitly."""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Wall time in epoch ms plus an awaitable sleep that honours the same clock."""

    def now_ms(self) -> int:
        """Current time, epoch milliseconds UTC."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait ``seconds`` of this clock's time."""
        ...


class SystemClock:
    """The real clock."""

    def now_ms(self) -> int:
        """Current wall time in epoch ms."""
        return time.time_ns() // 1_000_000

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await asyncio.sleep(max(0.0, seconds))


class FakeClock:
    """A manually advanced clock for tests: ``sleep`` advances time instantly."""

    def __init__(self, start_ms: int = 1_770_000_000_000) -> None:
        self._now_ms = start_ms
        self.sleeps: list[float] = []

    def now_ms(self) -> int:
        """Current fake time."""
        return self._now_ms

    def advance(self, seconds: float) -> None:
        """Move time forward by ``seconds``."""
        self._now_ms += round(seconds * 1000)

    async def sleep(self, seconds: float) -> None:
        """Record the sleep, advance time and yield to the loop once."""
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        await asyncio.sleep(0)


SYSTEM_CLOCK = SystemClock()


class ShiftedClock:
    """Real time, read as if it had started at ``start_ms``: recorded data (a fixture from last
    month) meets a live code path with its own notion of "now", while sleeps stay real."""

    def __init__(self, start_ms: int) -> None:
        self._offset_ns = start_ms * 1_000_000 - time.monotonic_ns()

    def now_ms(self) -> int:
        """``start_ms`` plus the real time elapsed since construction."""
        return (time.monotonic_ns() + self._offset_ns) // 1_000_000

    async def sleep(self, seconds: float) -> None:
        """Sleep on the event loop."""
        await asyncio.sleep(max(0.0, seconds))
