"""Replay a recording into an event sink, paced by a replay clock.

``speed`` is a multiple of real time (60 = one market minute per second) or None for
as fast as possible. The player can pause, resume and seek; seeking backwards asks the
owner to reset its state and re-applies the recording from the start at full speed.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from crashtui.events import ClockEvent, Event, EventSink
from crashtui.model import RawPayload
from crashtui.replay.decode import PayloadDecoder
from crashtui.symbols import DEFAULT_TABLE, SymbolTable

CLOCK_TICK_S = 0.5  # how often (real time) the replay clock advances while paced
CHUNK = 2000  # payloads applied between yields to the event loop


@dataclass(frozen=True, slots=True)
class ReplayWindow:
    """Where a replay starts showing paced data and where it stops (epoch ms, inclusive)."""

    start_ms: int | None = None
    until_ms: int | None = None


def replay_all(
    payloads: Sequence[RawPayload],
    sink: EventSink,
    *,
    until_ms: int | None = None,
    table: SymbolTable = DEFAULT_TABLE,
) -> int:
    """Apply every payload up to ``until_ms`` at full speed; returns the replay clock."""
    decoder = PayloadDecoder(table)
    now = payloads[0].received_ms if payloads else 0
    for raw in payloads:
        if until_ms is not None and raw.received_ms > until_ms:
            break
        now = raw.received_ms
        for event in decoder.decode(raw):
            sink(event)
    end = until_ms if until_ms is not None else now
    sink(ClockEvent(end))
    return end


class Player:
    """Paced, pausable, seekable replay of recorded payloads."""

    def __init__(
        self,
        payloads: Sequence[RawPayload],
        sink: EventSink,
        *,
        speed: float | None,
        window: ReplayWindow = ReplayWindow(),
        on_reset: Callable[[], None] | None = None,
        table: SymbolTable = DEFAULT_TABLE,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._payloads = list(payloads)
        self._times = [p.received_ms for p in self._payloads]
        self._sink = sink
        self.speed = speed
        self._window = window
        self._on_reset = on_reset
        self._table = table
        self._monotonic = monotonic
        self._decoder = PayloadDecoder(table)
        self._index = 0
        first = self._times[0] if self._times else 0
        self.clock_ms = max(first, window.start_ms or first)
        self.paused = False
        self.finished = False
        self._wake = asyncio.Event()

    @property
    def first_ms(self) -> int:
        """Time of the first payload."""
        return self._times[0] if self._times else 0

    @property
    def end_ms(self) -> int:
        """Where the replay stops: ``until`` or the last payload."""
        last = self._times[-1] if self._times else 0
        until = self._window.until_ms
        return min(last, until) if until is not None else last

    def _emit(self, event: Event) -> None:
        self._sink(event)

    def _apply_until(self, target_ms: int) -> None:
        while self._index < len(self._payloads) and self._times[self._index] <= target_ms:
            for event in self._decoder.decode(self._payloads[self._index]):
                self._emit(event)
            self._index += 1
        self.clock_ms = target_ms
        self._emit(ClockEvent(target_ms))

    def toggle_pause(self) -> None:
        """Pause or resume the replay clock."""
        self.paused = not self.paused
        self._wake.set()

    def seek(self, delta_ms: int) -> None:
        """Move the replay clock by ``delta_ms`` (negative: back), within the recording."""
        target = max(self.first_ms, min(self.end_ms, self.clock_ms + delta_ms))
        if target < self.clock_ms:
            if self._on_reset is not None:
                self._on_reset()
            self._decoder = PayloadDecoder(self._table)
            self._index = 0
        self.finished = False
        self._apply_until(target)
        self._wake.set()

    async def _advance(self, target_ms: int) -> None:
        """Apply payloads up to ``target_ms`` in chunks, yielding to the loop between them."""
        while self._index + CHUNK < len(self._times) and self._times[self._index + CHUNK] <= target_ms:
            self._apply_until(self._times[self._index + CHUNK - 1])
            await asyncio.sleep(0)
        self._apply_until(target_ms)

    async def run(self) -> None:
        """Play to the end of the window, then wait for seeks until cancelled."""
        await self._advance(self.clock_ms)
        last_real = self._monotonic()
        while True:
            if self.clock_ms >= self.end_ms:
                self.finished = True
                self._apply_until(self.end_ms)
                self._wake.clear()
                await self._wake.wait()  # a seek back may restart us
                last_real = self._monotonic()
                continue
            if self.paused:
                self._wake.clear()
                await self._wake.wait()
                last_real = self._monotonic()
                continue
            if self.speed is None:
                target = self.end_ms
            else:
                self._wake.clear()
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=CLOCK_TICK_S)
                now_real = self._monotonic()
                if self.paused:
                    continue
                target = min(self.end_ms, self.clock_ms + int((now_real - last_real) * 1000 * self.speed))
                last_real = now_real
            await self._advance(max(target, self.clock_ms))
            await asyncio.sleep(0)

    def next_payload_ms(self) -> int | None:
        """Time of the next payload not yet applied (for tests and the UI)."""
        return self._times[self._index] if self._index < len(self._times) else None

    def index_at(self, ts_ms: int) -> int:
        """How many payloads lie at or before ``ts_ms``."""
        return bisect.bisect_right(self._times, ts_ms)
