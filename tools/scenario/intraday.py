"""5-minute price paths inside each day's bar, touching its high and low exactly.

A day's path runs open -> first extreme -> second extreme -> close (plus any waypoints the
spec pins), each leg a straight line plus a Brownian bridge of noise, folded back inside the
day's range. The times of the extremes are random unless the spec pins them (``intraday.pin``:
the reported timing of a crash); with ``shared_timing`` every symbol takes the first symbol's
times, so BTC and ETH fall together.
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import date

from .model import DAY_MS, STEP_MS, STEPS_PER_DAY, DayBar, day_ms
from .spec import DayPin

Timing = tuple[bool, int, int]  # high first?, step of the first extreme, step of the second


def _timing(bar: DayBar, pin: DayPin | None, rng: random.Random) -> Timing:
    falling = bar.close < bar.open
    high_first = rng.random() < (0.7 if falling else 0.3)
    if pin is not None:
        return (
            pin.high_step < pin.low_step,
            min(pin.high_step, pin.low_step),
            max(pin.high_step, pin.low_step),
        )
    t1 = rng.randint(12, 150)
    t2 = rng.randint(t1 + 24, 276)
    return high_first, t1, t2


def intraday(bar: DayBar, timing: Timing, pin: DayPin | None, rng: random.Random) -> list[float]:
    """289 prices at 5-minute boundaries from open to close, inside [low, high], touching both."""
    high_first, t1, t2 = timing
    e1, e2 = (bar.high, bar.low) if high_first else (bar.low, bar.high)
    anchors = [(0, bar.open), (t1, e1), (t2, e2), (STEPS_PER_DAY, bar.close)]
    if pin is not None and pin.waypoints:
        span = bar.high - bar.low
        anchors += [(s, bar.low + level * span) for s, level in pin.waypoints if s not in (0, t1, t2)]
        anchors.sort()
    prices = [0.0] * (STEPS_PER_DAY + 1)
    span = bar.high - bar.low
    for (s0, p0), (s1, p1) in itertools.pairwise(anchors):
        n = s1 - s0
        walk = [0.0]
        for _ in range(n):
            walk.append(walk[-1] + rng.gauss(0.0, 1.0))
        for i in range(n + 1):
            t = i / n if n else 1.0
            noise = walk[i] - t * walk[n]
            prices[s0 + i] = p0 + (p1 - p0) * t + noise * span * 0.12 / math.sqrt(max(n, 1))
    for s, p in anchors:
        prices[s] = p
    return [_reflect(p, bar.low, bar.high) for p in prices]


def _reflect(price: float, low: float, high: float) -> float:
    """Fold a price that overshoots the day's range back inside it (no flat lines)."""
    if price < low:
        price = low + (low - price) * 0.3
    if price > high:
        price = high - (price - high) * 0.3
    return min(high, max(low, price))


def build_paths(
    daily: dict[str, list[DayBar]],
    symbols: tuple[str, ...],
    hourly_from: date,
    pins: dict[date, DayPin],
    shared_timing: bool,
    rng: random.Random,
) -> dict[str, list[tuple[int, float]]]:
    """5-minute path per symbol from ``hourly_from`` to the end of its last bar."""
    shared: dict[date, Timing] = {}
    out: dict[str, list[tuple[int, float]]] = {}
    for sym in symbols:
        path: list[tuple[int, float]] = []
        for bar in daily[sym]:
            if bar.day < hourly_from:
                continue
            pin = pins.get(bar.day)
            timing = shared.get(bar.day) if shared_timing else None
            if timing is None:
                timing = _timing(bar, pin, rng)
                if shared_timing:
                    shared[bar.day] = timing
            prices = intraday(bar, timing, pin, rng)
            base = day_ms(bar.day)
            # the last point of a day is the next day's open: keep one of them
            path.extend((base + i * STEP_MS, p) for i, p in enumerate(prices[:-1]))
        last = daily[sym][-1]
        path.append((day_ms(last.day) + DAY_MS, last.close))
        out[sym] = path
    return out
