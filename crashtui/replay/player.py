"""Replay a recording's raw payloads, paced by a replay clock.

``speed`` is a multiple of real time (60 = one market minute per second) or None for
as fast as possible. The player can pause, resume and seek; seeking backwards asks the
owner to reset its state and re-applies the recording from the start at full speed.

The player decodes nothing: it hands each payload to ``deliver`` (the replay feed, which
runs the one ingest pipeline live data runs through) and each clock move to ``tick``.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Protocol

from crashtui.model import RawPayload

CLOCK_TICK_S = 0.5  # how often (real time) the replay clock advances while paced
CHUNK = 500  # payloads applied between yields to the event loop (~15 ms)
# At max, payloads are applied in slices of about this long (real time) between yields, a few
# at a time: the screen and the keys get a turn every slice however heavy the payloads are.
MAX_SLICE_S = 0.012
MAX_STEP = 25


@dataclass(frozen=True, slots=True)
class ReplayWindow:
    """Where a replay starts showing paced data and where it stops (epoch ms, inclusive)."""

    start_ms: int | None = None
    until_ms: int | None = None


Deliver = Callable[[RawPayload], object]
Tick = Callable[[int], None]


def replay_all(
    payloads: Iterable[RawPayload],
    deliver: Deliver,
    tick: Tick,
    *,
    until_ms: int | None = None,
) -> int:
    """Apply every payload up to ``until_ms`` at full speed; returns the replay clock.

    The cyclic garbage collector is paused meanwhile: a replay allocates hundreds of thousands
    of short-lived, acyclic objects, and the collector's passes over the growing state would
    otherwise cost about a tenth of the run.
    """
    now: int | None = None
    collecting = gc.isenabled()
    gc.disable()
    try:
        for raw in payloads:
            if until_ms is not None and raw.received_ms > until_ms:
                break
            now = raw.received_ms
            deliver(raw)
    finally:
        if collecting:
            gc.enable()
    end = until_ms if until_ms is not None else (now or 0)
    tick(end)
    return end


class PayloadSource(Protocol):
    """Recorded payloads in time order, iterable again from the start (for seeking back)."""

    first_ms: int | None
    last_ms: int | None

    def __iter__(self) -> Iterator[RawPayload]:
        """A fresh pass from the first payload."""
        ...


class ListSource:
    """A PayloadSource over payloads held in memory (tests, small recordings)."""

    def __init__(self, payloads: Iterable[RawPayload]) -> None:
        self._payloads = sorted(payloads, key=lambda p: p.received_ms)
        self.first_ms = self._payloads[0].received_ms if self._payloads else None
        self.last_ms = self._payloads[-1].received_ms if self._payloads else None

    def __iter__(self) -> Iterator[RawPayload]:
        return iter(self._payloads)


class Player:
    """Paced, pausable, seekable replay of recorded payloads.

    Payloads are pulled from ``source`` as the clock reaches them, so a streamed recording
    is never held in memory; seeking back restarts the pass from the first payload.
    """

    def __init__(
        self,
        source: PayloadSource,
        deliver: Deliver,
        tick: Tick,
        *,
        speed: float | None,
        window: ReplayWindow = ReplayWindow(),
        on_reset: Callable[[], None] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._deliver = deliver
        self._tick = tick
        self.speed = speed
        self._window = window
        self._on_reset = on_reset
        self._monotonic = monotonic
        self._restart()
        first = self.first_ms
        self.clock_ms = max(first, window.start_ms or first)
        self.paused = False
        self.finished = False
        self.seeks = 0
        """How many seeks so far: the alert rules start over after one (a jump is not a stretch
        the trader watched, crashtui.alerts.evaluator)."""
        self._wake = asyncio.Event()

    def _restart(self) -> None:
        self._iter = iter(self._source)
        self._next: RawPayload | None = next(self._iter, None)

    @property
    def first_ms(self) -> int:
        """Time of the first payload."""
        return self._source.first_ms or 0

    @property
    def end_ms(self) -> int:
        """Where the replay stops: ``until`` or the last payload."""
        last = self._source.last_ms or 0
        until = self._window.until_ms
        return min(last, until) if until is not None else last

    def _apply_until(self, target_ms: int, limit: int | None = None) -> bool:
        """Apply payloads up to ``target_ms`` (at most ``limit``); True when all were applied."""
        applied = 0
        while self._next is not None and self._next.received_ms <= target_ms:
            if limit is not None and applied >= limit:
                # The state's clock goes as far as the data applied so far, never to the target:
                # catching up to a later start, a clock at the target would let a reader between
                # chunks (the dashboard's tick) move the liquidation windows past data not yet in.
                frontier = self._next.received_ms - 1
                self.clock_ms = max(self.clock_ms, frontier)
                self._tick(frontier)
                return False
            self._deliver(self._next)
            applied += 1
            self._next = next(self._iter, None)
        # max: a forward seek may have moved the clock past this (older) target meanwhile.
        self.clock_ms = max(self.clock_ms, target_ms)
        self._tick(self.clock_ms)
        return True

    def toggle_pause(self) -> None:
        """Pause or resume the replay clock."""
        self.paused = not self.paused
        self._wake.set()

    def seek(self, delta_ms: int, *, jump: bool = True) -> None:
        """Move the replay clock by ``delta_ms`` (negative: back), within the recording.

        ``jump``: the trader skipped a stretch (counted in :attr:`seeks`); False for a headless
        step (``crashtui watch --replay`` evaluates its rules after every step, nothing skipped).
        """
        target = max(self.first_ms, min(self.end_ms, self.clock_ms + delta_ms))
        if jump:
            self.seeks += 1
        if target < self.clock_ms:
            if self._on_reset is not None:
                self._on_reset()
            self._restart()
            self.clock_ms = target
        self.finished = False
        self._apply_until(target)
        self._wake.set()

    async def _advance(self, target_ms: int) -> None:
        """Apply payloads up to ``target_ms`` in chunks, yielding to the loop between them."""
        while not self._apply_until(target_ms, limit=CHUNK):
            await asyncio.sleep(0)

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
                # max: as fast as the owner follows. One time slice per loop turn, so the
                # dashboard's refresh repaints what was applied meanwhile (many changes, one
                # repaint), and a pause or a new speed takes effect within a slice.
                deadline = self._monotonic() + MAX_SLICE_S
                while not self._apply_until(self.end_ms, limit=MAX_STEP) and self._monotonic() < deadline:
                    pass
                await asyncio.sleep(0)
                last_real = self._monotonic()
                continue
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=CLOCK_TICK_S)
            now_real = self._monotonic()
            speed = self.speed  # read again: a key may have set max (None) during the wait
            if self.paused or speed is None:
                continue
            target = min(self.end_ms, self.clock_ms + int((now_real - last_real) * 1000 * speed))
            last_real = now_real
            await self._advance(max(target, self.clock_ms))
            await asyncio.sleep(0)

    @property
    def behind(self) -> bool:
        """Whether payloads at or before the replay clock are still to be applied (catching up
        to a start or a seek target in chunks)."""
        return self._next is not None and self._next.received_ms <= self.clock_ms

    @property
    def started(self) -> bool:
        """Whether every payload up to the window start has been applied (the catch-up to
        ``--start`` is over)."""
        start = max(self.first_ms, self._window.start_ms or self.first_ms)
        upcoming = self.next_payload_ms()
        return upcoming is None or upcoming > start

    def next_payload_ms(self) -> int | None:
        """Time of the next payload not yet applied (for tests and the UI)."""
        return self._next.received_ms if self._next is not None else None
