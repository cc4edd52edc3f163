"""Where price stands against one zone: one state machine, one table of how each state reads.

Every place that shows a zone's state (the watchlist badge and its colour, the drilldown, the
chart band, ``--once`` text and JSON, the alert rules) reads it from :func:`zone_state` and
:data:`STATES`; docs/zones.md draws the machine. In short (ATR and ``ZoneParams`` as the
zone finder's; ``N`` = :data:`CONFIRM_CLOSES`):

* The zone's **original role** is where the last close before the state window
  (``state_window_h``) sat: above it → the zone was *support*, below it → *resistance*.
* **Break**: a *closed* candle closes beyond the far edge by more than ``break_atr × ATR``
  (``broke_below`` a support, ``broke_above`` a resistance).
* **Role change** (a retest that failed): after the break, a later candle reaches back into
  the zone (its wick, or a close inside it, or a close back on the original side) and a close
  beyond the zone on the broken side follows → ``support_turned_resistance`` /
  ``resistance_turned_support``. Until such a retest the zone reads ``broke_below`` /
  ``broke_above`` however far price runs.
* **Back**: after a break, price (a close, or the live price) is back beyond the near edge on
  the original side, with fewer than ``N`` closes there in a row → ``back_above`` ("back
  above, not reclaimed") / ``back_below`` ("back below, breakout not failed yet").
* **Reclaim**: ``N`` closes in a row back on the original side → ``reclaimed`` (a support,
  support again) / ``breakout_failed`` (a resistance, resistance again). A close back beyond
  the zone before that returns to the break.
* **testing**: the current price is inside the zone (whatever its history: ``broken_ms``
  says whether it was broken); **approaching**: within ``approach_atr × ATR`` of an intact
  zone; **clear**: none of these.

The live price can move a zone into ``back_*`` (before any close) or out of it (a broken zone
whose last close was back above but whose price is below it again reads as broken); it never
breaks, turns or reclaims a zone on its own: those take closed candles. A ``reclaimed`` zone
whose price is now beyond it on the broken side (no close yet) reads as approaching or clear.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING

from crashtui.analysis.days import HOUR_MS
from crashtui.model import StrEnum

if TYPE_CHECKING:
    from crashtui.analysis.indicators import CandleArrays

# Closes in a row back on the original side that confirm a reclaim (or a failed breakout).
CONFIRM_CLOSES = 2


class ZoneState(StrEnum):
    """Price's relation to a zone (rules in the module docstring, readings in :data:`STATES`)."""

    TESTING = "testing"
    BROKE_BELOW = "broke_below"
    BROKE_ABOVE = "broke_above"
    BACK_ABOVE = "back_above"
    BACK_BELOW = "back_below"
    SUPPORT_TURNED_RESISTANCE = "support_turned_resistance"
    RESISTANCE_TURNED_SUPPORT = "resistance_turned_support"
    RECLAIMED = "reclaimed"
    BREAKOUT_FAILED = "breakout_failed"
    APPROACHING = "approaching"
    CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class StateLook:
    """How one state reads everywhere.

    ``badge`` is the watchlist badge template (``{level}``, ``{low}``, ``{high}`` are filled
    with formatted prices; empty for clear) and ``short`` its form for narrow tables
    (``LOST 62.0k``); ``words`` the state in words (drilldown, chart, JSON ``state_words``);
    ``tone`` the palette colour role (``up``, ``down``, ``warning``, ``accent``, ``muted``);
    ``priority`` the order among equal badges (lower wins); ``lost`` whether the level no
    longer holds on the side it used to (a guarding level counts as lost).
    """

    badge: str
    short: str
    words: str
    tone: str
    priority: int
    lost: bool
    meaning: str


STATES: Mapping[ZoneState, StateLook] = MappingProxyType(
    {
        ZoneState.TESTING: StateLook(
            "testing {low}–{high}",
            "testing {level}",
            "testing",
            "warning",
            0,
            False,
            "price is inside the zone",
        ),
        ZoneState.BROKE_BELOW: StateLook(
            "BROKE BELOW {level}",
            "LOST {level}",
            "broke below",
            "down",
            1,
            True,
            "a support: a candle closed below it by more than the break tolerance",
        ),
        ZoneState.BROKE_ABOVE: StateLook(
            "BROKE ABOVE {level}",
            "BROKE UP {level}",
            "broke above",
            "up",
            1,
            True,
            "a resistance: a candle closed above it by more than the break tolerance",
        ),
        ZoneState.BACK_ABOVE: StateLook(
            "back above {level}",
            "back up {level}",
            "back above, not reclaimed",
            "warning",
            2,
            False,
            f"a broken support with price back above it, fewer than {CONFIRM_CLOSES} closes there",
        ),
        ZoneState.BACK_BELOW: StateLook(
            "back below {level}",
            "back dn {level}",
            "back below, breakout not failed yet",
            "warning",
            2,
            False,
            f"a broken resistance with price back below it, fewer than {CONFIRM_CLOSES} closes there",
        ),
        ZoneState.SUPPORT_TURNED_RESISTANCE: StateLook(
            "turned resist {level}",
            "S->R {level}",
            "support turned resistance",
            "down",
            3,
            True,
            "a broken support retested from below: a close below it after price reached back into it",
        ),
        ZoneState.RESISTANCE_TURNED_SUPPORT: StateLook(
            "turned support {level}",
            "R->S {level}",
            "resistance turned support",
            "up",
            3,
            True,
            "a broken resistance retested from above: a close above it after price reached back into it",
        ),
        ZoneState.RECLAIMED: StateLook(
            "reclaimed {level}",
            "reclaim {level}",
            "reclaimed, support again",
            "up",
            4,
            False,
            f"a broken support with {CONFIRM_CLOSES} closes in a row back above it",
        ),
        ZoneState.BREAKOUT_FAILED: StateLook(
            "break failed {level}",
            "failed {level}",
            "breakout failed, resistance again",
            "down",
            4,
            False,
            f"a broken resistance with {CONFIRM_CLOSES} closes in a row back below it",
        ),
        ZoneState.APPROACHING: StateLook(
            "approaching {level}",
            "near {level}",
            "approaching",
            "accent",
            5,
            False,
            "price is within the approach distance of an intact zone",
        ),
        ZoneState.CLEAR: StateLook("", "", "clear", "muted", 9, False, "none of the above"),
    }
)

LOST_STATES = frozenset(s for s, look in STATES.items() if look.lost)


def state_badge(state: ZoneState, level: str, low: str, high: str, *, short: bool = False) -> str:
    """The badge text of ``state`` for a zone whose prices are already formatted."""
    look = STATES[state]
    return (look.short if short else look.badge).format(level=level, low=low, high=high)


@dataclass(frozen=True, slots=True)
class StateResult:
    """A zone's state, when it began, and the latest break and reclaim inside the state window.

    ``reclaimed_ms`` is the close that confirmed a reclaim or a failed breakout (the
    ``CONFIRM_CLOSES``-th close back), never the first close back.
    """

    state: ZoneState
    since_ms: int | None
    broken_ms: int | None
    reclaimed_ms: int | None


@dataclass(frozen=True, slots=True)
class PriceContext:
    """What the state rules look at: closed candles, the forming candle's range, price, ATR."""

    closed: CandleArrays
    interval_ms: int
    price: float
    now_ms: int
    atr: float
    forming_open_ms: int | None = None
    forming_high: float | None = None
    forming_low: float | None = None


_ABOVE = 1
_BELOW = -1

# Phases of the closed-candle machine.
_INTACT, _BROKEN, _TURNED, _BACK, _RECLAIMED = range(5)


@dataclass(slots=True)
class _Machine:
    """The closed-candle part of the state machine for one zone (see the module docstring)."""

    low: float
    high: float
    tolerance: float
    confirm: int
    origin: int = 0
    phase: int = _INTACT
    run: int = 0
    retested: bool = False
    broken_ms: int | None = None
    turned_ms: int | None = None
    back_ms: int | None = None
    reclaimed_ms: int | None = None

    def original_side(self, c: float) -> bool:
        return c > self.high if self.origin == _ABOVE else c < self.low

    def broken_side(self, c: float) -> bool:
        return c < self.low if self.origin == _ABOVE else c > self.high

    def beyond(self, c: float) -> bool:
        return c < self.low - self.tolerance if self.origin == _ABOVE else c > self.high + self.tolerance

    def reaches(self, candle_low: float, candle_high: float) -> bool:
        """Whether a candle's range reaches the zone from the broken side (a retest)."""
        return candle_high >= self.low if self.origin == _ABOVE else candle_low <= self.high

    def step(self, c: float, t: int, candle_low: float, candle_high: float) -> None:
        if self.origin == 0:
            if c > self.high or c < self.low:
                self.origin = _ABOVE if c > self.high else _BELOW
            return
        if self.phase in (_INTACT, _RECLAIMED):
            if self.beyond(c):
                self.phase, self.run, self.broken_ms, self.retested = _BROKEN, 0, t, False
                self.turned_ms = None
        elif self.phase in (_BROKEN, _TURNED):
            if self.original_side(c):
                self.phase, self.run, self.back_ms = _BACK, 1, t
                self._reclaim_if_confirmed(t)
            elif not self.broken_side(c):
                self.retested = True  # a close inside the zone
            elif self.phase == _BROKEN and (self.retested or self.reaches(candle_low, candle_high)):
                self.phase, self.turned_ms = _TURNED, t  # retested and rejected
        elif self.original_side(c):  # _BACK
            self.run += 1
            self._reclaim_if_confirmed(t)
        elif self.broken_side(c):  # back beyond the zone before the reclaim: a failed retest
            self.phase, self.run, self.turned_ms = _TURNED, 0, t
        else:
            self.run = 0

    def _reclaim_if_confirmed(self, t: int) -> None:
        if self.run >= self.confirm:
            self.phase, self.run, self.reclaimed_ms = _RECLAIMED, 0, t


def zone_state(
    low: float,
    high: float,
    ctx: PriceContext,
    *,
    approach_atr: float,
    break_atr: float,
    state_window_h: float,
    confirm_closes: int = CONFIRM_CLOSES,
) -> StateResult:
    """State of the zone ``[low, high]`` for the given price context (rules in the module docstring)."""
    m = _run_machine(low, high, ctx, break_atr * ctx.atr, state_window_h, max(1, confirm_closes))
    price = ctx.price
    if low <= price <= high:
        return StateResult(ZoneState.TESTING, _run_start(low, high, ctx), m.broken_ms, m.reclaimed_ms)
    support = m.origin == _ABOVE
    phase = m.phase
    if phase == _BACK and m.broken_side(price):
        phase = _BROKEN if m.turned_ms is None else _TURNED  # the price is beyond the zone again
    elif phase in (_BROKEN, _TURNED) and m.original_side(price):
        phase, m.back_ms = _BACK, _live_since(ctx)  # back before any close
    if phase == _BROKEN:
        state = ZoneState.BROKE_BELOW if support else ZoneState.BROKE_ABOVE
        return StateResult(state, m.broken_ms, m.broken_ms, m.reclaimed_ms)
    if phase == _TURNED:
        state = ZoneState.SUPPORT_TURNED_RESISTANCE if support else ZoneState.RESISTANCE_TURNED_SUPPORT
        return StateResult(state, m.turned_ms, m.broken_ms, m.reclaimed_ms)
    if phase == _BACK:
        state = ZoneState.BACK_ABOVE if support else ZoneState.BACK_BELOW
        return StateResult(state, m.back_ms, m.broken_ms, m.reclaimed_ms)
    if phase == _RECLAIMED and m.original_side(price):
        state = ZoneState.RECLAIMED if support else ZoneState.BREAKOUT_FAILED
        return StateResult(state, m.reclaimed_ms, m.broken_ms, m.reclaimed_ms)
    approach = approach_atr * ctx.atr
    if low - approach <= price <= high + approach:
        since = _run_start(low - approach, high + approach, ctx)
        return StateResult(ZoneState.APPROACHING, since, m.broken_ms, m.reclaimed_ms)
    return StateResult(ZoneState.CLEAR, None, m.broken_ms, m.reclaimed_ms)


def _live_since(ctx: PriceContext) -> int:
    """When a state the live price set began: the forming candle's open, else now."""
    return ctx.forming_open_ms if ctx.forming_open_ms is not None else ctx.now_ms


def _run_machine(
    low: float, high: float, ctx: PriceContext, tolerance: float, window_h: float, confirm: int
) -> _Machine:
    """The closed-candle machine after every close inside the state window."""
    m = _Machine(low, high, tolerance, confirm)
    a = ctx.closed
    closes = a.close
    n = len(closes)
    if n == 0:
        return m
    window_start = ctx.now_ms - round(window_h * HOUR_MS)
    # the first candle whose close time (open + interval) is after the window's start
    first_in_window = bisect.bisect_right(a.open_ms, window_start - ctx.interval_ms)
    for i in range(first_in_window - 1, -1, -1):
        c = closes[i]
        if c > high or c < low:
            m.origin = _ABOVE if c > high else _BELOW
            break
    lows, highs, opens, interval = a.low, a.high, a.open_ms, ctx.interval_ms
    for i in range(first_in_window, n):
        m.step(closes[i], opens[i] + interval, lows[i], highs[i])
    return m


def _run_start(low: float, high: float, ctx: PriceContext) -> int:
    """Open time of the first candle of the unbroken run of candles, up to now, touching ``[low, high]``.

    When the latest candle does not touch the band (price moved in since), the run starts now.
    """
    if ctx.forming_open_ms is not None and ctx.forming_high is not None and ctx.forming_low is not None:
        if not (ctx.forming_high >= low and ctx.forming_low <= high):
            return ctx.now_ms
        fallback = ctx.forming_open_ms
    else:
        fallback = ctx.now_ms
    a = ctx.closed
    if len(a) == 0:
        return fallback
    highs, lows = a.high, a.low
    last = len(a) - 1
    if not (highs[last] >= low and lows[last] <= high):
        return fallback
    first = last
    while first > 0 and highs[first - 1] >= low and lows[first - 1] <= high:
        first -= 1
    return a.open_ms[first]
