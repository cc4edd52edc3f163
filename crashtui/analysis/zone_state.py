"""Where price stands against one zone: approaching, testing, broken, reclaimed (or clear).

Rules (ATR is the zone finder's ATR, ``ZoneParams`` gives the multiples):

* **broken**: a *closed* candle closed beyond the far edge of the zone by more than
  ``break_atr × ATR`` (below a zone price was above, or above a zone price was below);
* **reclaimed**: after a break, a closed candle closed back beyond the edge on the original side;
* **testing**: the current price is inside the zone;
* **approaching**: the current price is within ``approach_atr × ATR`` of the zone;
* **clear**: none of these.

Breaks and reclaims count only within the last ``state_window_h`` hours; the *original side*
is where the last close before that window sat (outside the zone). When several states apply
the badge priority is testing > broken > reclaimed > approaching > clear; the break and
reclaim times are kept separately, so "testing a broken zone from below" is visible.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from crashtui.analysis.days import HOUR_MS
from crashtui.model import StrEnum

if TYPE_CHECKING:
    from crashtui.analysis.indicators import CandleArrays


class ZoneState(StrEnum):
    """Price's relation to a zone, in badge priority order (see module docstring)."""

    TESTING = "testing"
    BROKEN = "broken"
    RECLAIMED = "reclaimed"
    APPROACHING = "approaching"
    CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class StateResult:
    """A zone's state, when it began, and the latest break/reclaim inside the state window."""

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


def zone_state(
    low: float,
    high: float,
    ctx: PriceContext,
    *,
    approach_atr: float,
    break_atr: float,
    state_window_h: float,
) -> StateResult:
    """State of the zone ``[low, high]`` for the given price context (rules in the module docstring)."""
    broken_ms, reclaimed_ms = _break_events(low, high, ctx, break_atr * ctx.atr, state_window_h)
    approach = approach_atr * ctx.atr
    if low <= ctx.price <= high:
        return StateResult(ZoneState.TESTING, _run_start(low, high, ctx), broken_ms, reclaimed_ms)
    if broken_ms is not None and (reclaimed_ms is None or broken_ms > reclaimed_ms):
        return StateResult(ZoneState.BROKEN, broken_ms, broken_ms, reclaimed_ms)
    if reclaimed_ms is not None:
        return StateResult(ZoneState.RECLAIMED, reclaimed_ms, broken_ms, reclaimed_ms)
    if low - approach <= ctx.price <= high + approach:
        since = _run_start(low - approach, high + approach, ctx)
        return StateResult(ZoneState.APPROACHING, since, broken_ms, reclaimed_ms)
    return StateResult(ZoneState.CLEAR, None, broken_ms, reclaimed_ms)


def _break_events(
    low: float, high: float, ctx: PriceContext, tolerance: float, window_h: float
) -> tuple[int | None, int | None]:
    """Times of the latest break and latest reclaim of ``[low, high]`` inside the state window."""
    closes = ctx.closed.close
    n = closes.shape[0]
    if n == 0:
        return None, None
    window_start = ctx.now_ms - round(window_h * HOUR_MS)
    close_times = ctx.closed.open_ms + ctx.interval_ms
    first_in_window = int(close_times.searchsorted(window_start, side="right"))
    origin = 0
    for i in range(first_in_window - 1, -1, -1):
        c = float(closes[i])
        if c > high or c < low:
            origin = _ABOVE if c > high else _BELOW
            break
    broken_ms: int | None = None
    reclaimed_ms: int | None = None
    broken = False
    for i in range(first_in_window, n):
        c = float(closes[i])
        if origin == 0:
            if c > high or c < low:
                origin = _ABOVE if c > high else _BELOW
            continue
        if not broken:
            if (origin == _ABOVE and c < low - tolerance) or (origin == _BELOW and c > high + tolerance):
                broken = True
                broken_ms = int(close_times[i])
        elif (origin == _ABOVE and c > high) or (origin == _BELOW and c < low):
            broken = False
            reclaimed_ms = int(close_times[i])
    return broken_ms, reclaimed_ms


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
    touching = (a.high >= low) & (a.low <= high)
    if not bool(touching[-1]):
        return fallback
    import numpy as np

    misses = np.nonzero(~touching)[0]
    first = int(misses[-1]) + 1 if misses.shape[0] else 0
    return int(a.open_ms[first])
