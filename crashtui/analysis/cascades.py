"""Liquidation cascade detection over the rolling liquidation rate.

The *rate* is the USD liquidated over the last ``rate_window_s`` (5 minutes by default,
whole minutes, the current one included). A cascade **opens** on the first liquidation that lifts
the rate above both ``k ×`` the *baseline* (the median of that rate sampled at the end of every
minute over the trailing 24 hours) and ``floor_usd``. While open it collects every liquidation at
or after the start of the rate window that opened it, and tracks its peak rate. It **closes** once
the rate, checked at the end of every minute against the threshold of that minute, has stayed
under the threshold for a whole rate window (5 consecutive minutes by default), so a short lull
between two waves does not split one cascade in two; its ``end_ms`` is the end of the first of
those quiet minutes. Past cascades are kept oldest first, at most ``max_history``.

All amounts are integer US cents inside, so long runs do not drift.
"""

from __future__ import annotations

import bisect
import math
from collections import deque
from dataclasses import dataclass

from crashtui.analysis.days import MINUTE_MS
from crashtui.config.schema import CascadeParams
from crashtui.model import Side

BASELINE_MINUTES = 24 * 60


@dataclass(frozen=True, slots=True)
class CascadeEvent:
    """One liquidation cascade. ``end_ms`` is None while it is still open.

    ``peak_rate_usd`` is USD per rate window (``rate_window_s``); ``total_usd`` counts every
    liquidation from the start of the window that opened it until it closed.
    """

    start_ms: int
    end_ms: int | None
    peak_rate_usd: float
    peak_ms: int
    total_usd: float
    long_usd: float
    short_usd: float
    dominant_side: Side
    threshold_usd: float
    baseline_usd: float | None
    rate_window_s: int


@dataclass(slots=True)
class _Open:
    start_ms: int
    window_start_ms: int
    peak_cents: int
    peak_ms: int
    long_cents: int
    short_cents: int
    threshold_cents: int
    baseline_cents: float | None

    def event(self, end_ms: int | None, rate_window_s: int) -> CascadeEvent:
        side = Side.LONG if self.long_cents >= self.short_cents else Side.SHORT
        return CascadeEvent(
            start_ms=self.start_ms,
            end_ms=end_ms,
            peak_rate_usd=self.peak_cents / 100.0,
            peak_ms=self.peak_ms,
            total_usd=(self.long_cents + self.short_cents) / 100.0,
            long_usd=self.long_cents / 100.0,
            short_usd=self.short_cents / 100.0,
            dominant_side=side,
            threshold_usd=self.threshold_cents / 100.0,
            baseline_usd=None if self.baseline_cents is None else self.baseline_cents / 100.0,
            rate_window_s=rate_window_s,
        )


class CascadeDetector:
    """Opens and closes cascades from the per-minute and per-event rate (see module docstring)."""

    def __init__(self, params: CascadeParams, max_history: int = 50) -> None:
        self.params = params
        self._samples: deque[int] = deque(maxlen=BASELINE_MINUTES)
        self._sorted: list[int] = []
        self._open: _Open | None = None
        self._history: deque[CascadeEvent] = deque(maxlen=max_history)
        self._cooldown = max(1, math.ceil(params.rate_window_s / 60))
        self._quiet = 0
        self._quiet_end_ms = 0
        self._threshold: int | None = None  # threshold_cents, until the next sample

    @property
    def baseline_cents(self) -> float | None:
        """Median per-window rate over the trailing 24 h of minute samples; None before any."""
        s = self._sorted
        if not s:
            return None
        mid = len(s) // 2
        return float(s[mid]) if len(s) % 2 else (s[mid - 1] + s[mid]) / 2.0

    @property
    def baseline_minutes(self) -> int:
        """How many minute samples the baseline median is taken over (up to 1,440)."""
        return len(self._samples)

    @property
    def threshold_cents(self) -> int:
        """The rate a cascade must exceed: max(k × baseline, floor)."""
        threshold = self._threshold
        if threshold is None:
            base = self.baseline_cents
            floor = round(self.params.floor_usd * 100)
            threshold = max(floor, round(self.params.k * base)) if base is not None else floor
            self._threshold = threshold
        return threshold

    def observe_event(
        self,
        ts_ms: int,
        side: Side,
        cents: int,
        rate_cents: int,
        window_start_ms: int,
        window_long_cents: int,
        window_short_cents: int,
    ) -> None:
        """Account one liquidation; ``rate_*`` describe the rate window after adding it."""
        op = self._open
        if op is None:
            threshold = self.threshold_cents
            if rate_cents > threshold:
                self._open = _Open(
                    start_ms=ts_ms,
                    window_start_ms=window_start_ms,
                    peak_cents=rate_cents,
                    peak_ms=ts_ms,
                    long_cents=window_long_cents,
                    short_cents=window_short_cents,
                    threshold_cents=threshold,
                    baseline_cents=self.baseline_cents,
                )
            return
        if ts_ms >= op.window_start_ms:
            if side is Side.LONG:
                op.long_cents += cents
            else:
                op.short_cents += cents
        if rate_cents > op.peak_cents:
            op.peak_cents = rate_cents
            op.peak_ms = ts_ms

    def observe_minute(self, minute: int, rate_cents: int) -> None:
        """Minute ``minute`` (epoch minutes) has ended with this rate: maybe close, then sample."""
        if self._open is not None:
            if rate_cents < self.threshold_cents:
                self._quiet_for(minute, 1)
            else:
                self._quiet = 0
        self._push(rate_cents)

    def observe_quiet_minutes(self, first_minute: int, count: int) -> None:
        """``count`` minutes from ``first_minute`` with a zero rate (a gap with no liquidations)."""
        if count <= 0:
            return
        if self._open is not None and self.threshold_cents > 0:
            self._quiet_for(first_minute, count)
        self._push_zeros(min(count, BASELINE_MINUTES))

    def _quiet_for(self, first_minute: int, count: int) -> None:
        if self._quiet == 0:
            self._quiet_end_ms = (first_minute + 1) * MINUTE_MS
        self._quiet += count
        if self._quiet >= self._cooldown:
            self._close(self._quiet_end_ms)

    def _push(self, rate_cents: int) -> None:
        samples = self._samples
        if len(samples) == samples.maxlen:
            old = samples[0]
            samples.append(rate_cents)  # (drops the oldest)
            if old == rate_cents:
                return  # the same value leaves and enters: the order is unchanged
            ordered = self._sorted
            del ordered[bisect.bisect_left(ordered, old)]
        else:
            samples.append(rate_cents)
        bisect.insort(self._sorted, rate_cents)
        self._threshold = None

    def _push_zeros(self, count: int) -> None:
        """``count`` zero samples at once: a gap of quiet minutes costs one list splice, not a
        sorted insert per minute."""
        samples, ordered = self._samples, self._sorted
        room = (samples.maxlen or 0) - len(samples)
        for _ in range(count - room if count > room else 0):
            old = samples.popleft()
            del ordered[bisect.bisect_left(ordered, old)]
        samples.extend([0] * count)
        at = bisect.bisect_left(ordered, 0)
        ordered[at:at] = [0] * count
        self._threshold = None

    def _close(self, end_ms: int) -> None:
        assert self._open is not None
        self._history.append(self._open.event(end_ms, self.params.rate_window_s))
        self._open = None
        self._quiet = 0

    def current(self) -> CascadeEvent | None:
        """The open cascade, if any."""
        return None if self._open is None else self._open.event(None, self.params.rate_window_s)

    def history(self) -> tuple[CascadeEvent, ...]:
        """Closed cascades, oldest first."""
        return tuple(self._history)
