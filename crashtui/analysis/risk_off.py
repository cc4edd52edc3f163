"""The "risk-off" read: did yields, gold, equities and crypto each move the way a flight to
safety moves them, on their latest day? Stated from the numbers, never as free text.

A **day change** is a series' latest value against its previous value (the previous trading
day for an index, the previous UTC day for crypto), so each series is read on its own latest
day: on a Sunday the S&P 500's is Friday's move, BTC's Saturday's. A series whose latest
value is older than ``max_age_days`` has no day change (it is listed as missing).

Each condition groups series (``yields``: DGS10 by default) and holds when **every** series in
the group that has a day change moved in the expected direction by more than the rule's
minimum; it is unknown (None) when no series of the group has one. The read is three-valued:
risk-off when all four conditions hold, not risk-off as soon as one condition does not hold
(whatever the others, known or not: "all four hold" is then impossible), and unknown only
when none failed and some have no data.

Default directions: equities and crypto **down**, gold **up**, Treasury yields **down**. A
flight to safety is a bid for Treasuries, which pushes their yields down (on 2026-02-05 the
10-year fell 8 bp while stocks and crypto fell). ``RiskOffRule.yields_direction`` can be set
to ``up`` for the other reading (a rates scare).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crashtui.analysis.days import DAY_MS, iso_day
from crashtui.numfmt import fmt_price

UP = "up"
DOWN = "down"


@dataclass(frozen=True, slots=True)
class DayChange:
    """``name``'s latest value against the one before it.

    ``change`` is ``value - prev_value`` (for a rate in percent, ×100 is basis points);
    ``change_pct`` is that change in percent of ``prev_value``.
    """

    name: str
    day_ms: int
    value: float
    prev_day_ms: int
    prev_value: float
    change: float
    change_pct: float
    rate: bool = False

    def text(self) -> str:
        """``DGS10 4.21% (-8 bp vs 2026-02-04)``, ``SP500 6,798 (-1.23% vs 2026-02-04)``."""
        if self.rate:
            return (
                f"{self.name} {self.value:.2f}% ({self.change * 100:+.0f} bp vs {iso_day(self.prev_day_ms)})"
            )
        return f"{self.name} {fmt_price(self.value)} ({self.change_pct:+.2f}% vs {iso_day(self.prev_day_ms)})"


def day_change(
    name: str, points: Mapping[int, float], *, now_ms: int, max_age_days: float = 5.0, rate: bool = False
) -> DayChange | None:
    """The latest day change of ``points`` (day_ms → value) as of ``now_ms``; None when there
    are fewer than two usable values, or the latest is older than ``max_age_days``."""
    days = sorted(d for d, v in points.items() if d <= now_ms and math.isfinite(v) and (rate or v > 0))
    if len(days) < 2 or now_ms - days[-1] > max_age_days * DAY_MS:
        return None
    last, prev = days[-1], days[-2]
    value, before = points[last], points[prev]
    change = value - before
    pct = change / before * 100.0 if before != 0 else math.copysign(math.inf, change)
    return DayChange(name, last, value, prev, before, change, pct, rate)


@dataclass(frozen=True, slots=True)
class RiskOffRule:
    """Which series form each condition, the direction each must move, and the smallest move
    that counts (``min_move_pct`` for prices, ``min_move_bp`` for yields)."""

    yields: tuple[str, ...] = ("DGS10",)
    gold: tuple[str, ...] = ("GOLD",)
    equities: tuple[str, ...] = ("SP500", "NASDAQCOM")
    crypto: tuple[str, ...] = ("BTC", "ETH")
    yields_direction: str = DOWN
    min_move_pct: float = 0.0
    min_move_bp: float = 0.0

    def groups(self) -> tuple[tuple[str, tuple[str, ...], str], ...]:
        """``(condition id stem, series, direction)`` for the four conditions."""
        return (
            ("yields", self.yields, self.yields_direction),
            ("gold", self.gold, UP),
            ("equities", self.equities, DOWN),
            ("crypto", self.crypto, DOWN),
        )


@dataclass(frozen=True, slots=True)
class Condition:
    """One condition (``yields_down``, ``gold_up``…): None = no series of it has a day change."""

    id: str
    holds: bool | None
    moves: tuple[DayChange, ...]
    missing: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class RiskOffRead:
    """The four conditions, and whether together they read risk-off: False when any condition
    does not hold, None when none failed but some have no data."""

    conditions: tuple[Condition, ...]
    holding: int
    known: int
    risk_off: bool | None
    text: str


def _moved(change: DayChange, direction: str, rule: RiskOffRule) -> bool:
    size = change.change * 100.0 if change.rate else change.change_pct
    least = rule.min_move_bp if change.rate else rule.min_move_pct
    return size < -least if direction == DOWN else size > least


def risk_off_read(changes: Mapping[str, DayChange | None], rule: RiskOffRule = RiskOffRule()) -> RiskOffRead:
    """Evaluate the rule on ``changes`` (series or symbol → its day change, or None)."""
    if rule.yields_direction not in (UP, DOWN):
        raise ValueError(f"yields_direction must be {UP!r} or {DOWN!r}")
    conditions = []
    for stem, names, direction in rule.groups():
        cid = f"{stem}_{direction}"
        moves = tuple(c for n in names if (c := changes.get(n)) is not None)
        missing = tuple(n for n in names if changes.get(n) is None)
        if not moves:
            text = f"{cid}: no recent day change for {', '.join(names)}"
            conditions.append(Condition(cid, None, (), missing, text))
            continue
        holds = all(_moved(c, direction, rule) for c in moves)
        text = f"{cid} {'holds' if holds else 'does not hold'}: " + "; ".join(c.text() for c in moves)
        if missing:
            text += f" (no data: {', '.join(missing)})"
        conditions.append(Condition(cid, holds, moves, missing, text))
    known = sum(c.holds is not None for c in conditions)
    holding = sum(c.holds is True for c in conditions)
    failed = [c.id for c in conditions if c.holds is False]
    risk_off = False if failed else (True if known == len(conditions) else None)
    summary = f"{holding} of {len(conditions)} risk-off conditions hold"
    if failed:
        summary += f"; {', '.join(failed)} {'does' if len(failed) == 1 else 'do'} not hold"
    if known < len(conditions):
        summary += f" ({len(conditions) - known} without data)"
    return RiskOffRead(tuple(conditions), holding, known, risk_off, summary)


def risk_off_json(read: RiskOffRead) -> dict[str, Any]:
    """The read for ``--once --json``: the verdict, the count and every move behind it."""
    return {
        "risk_off": read.risk_off,
        "holding": read.holding,
        "known": read.known,
        "text": read.text,
        "conditions": [
            {
                "id": c.id,
                "holds": c.holds,
                "missing": list(c.missing),
                "moves": [_move_json(m) for m in c.moves],
            }
            for c in read.conditions
        ],
    }


def _move_json(m: DayChange) -> dict[str, Any]:
    return {
        "name": m.name,
        "day": iso_day(m.day_ms),
        "value": m.value,
        "prev_day": iso_day(m.prev_day_ms),
        "prev_value": m.prev_value,
        "change": m.change,
        "change_pct": round(m.change_pct, 4) if math.isfinite(m.change_pct) else None,
    }


def changes_for(
    points: Mapping[str, Mapping[int, float]],
    *,
    now_ms: int,
    rates: Sequence[str] = ("DGS10", "DTB3"),
    max_age_days: float = 5.0,
) -> dict[str, DayChange | None]:
    """:func:`day_change` of every named series (those in ``rates`` read in bp)."""
    return {
        name: day_change(name, values, now_ms=now_ms, max_age_days=max_age_days, rate=name in rates)
        for name, values in points.items()
    }
