"""Pure tests for the position alerts (the alert rules that use them live in ``crashtui.alerts``)."""

from __future__ import annotations

from crashtui.risk.evaluate import Level, LevelKind, PositionRisk
from crashtui.risk.position import Position, PositionSide

DEFAULT_NEAR_LIQUIDATION_PCT = 5.0
DEFAULT_LEVERAGE_LIMIT = 10.0


def near_liquidation(risk: PositionRisk, within_pct: float = DEFAULT_NEAR_LIQUIDATION_PCT) -> bool:
    """Whether an open position's mark is within ``within_pct`` % of its liquidation price."""
    return not risk.liquidated and risk.distance_pct is not None and risk.distance_pct <= within_pct


def leverage_above(position: Position, limit: float = DEFAULT_LEVERAGE_LIMIT) -> bool:
    """Whether the position's configured leverage exceeds ``limit`` (10x by default)."""
    return position.leverage > limit


def effective_leverage_above(risk: PositionRisk, limit: float = DEFAULT_LEVERAGE_LIMIT) -> bool:
    """Whether the live leverage (notional at mark / equity backing it) exceeds ``limit``.

    Losses raise it above the leverage entered: a 10x long down 5 % runs at 20x. A position
    whose equity is gone (or that is liquidated) counts as above any limit.
    """
    if risk.liquidated:
        return True
    if risk.effective_leverage is None:
        return risk.mark is not None
    return risk.effective_leverage > limit


def guarding_levels(risk: PositionRisk) -> tuple[Level, ...]:
    """Supports (long) or resistances (short) between the mark and the liquidation price.

    The lead's "a support between price and liquidation breaks" alert fires when one of these
    breaks (zone state): it is the last level standing between the position and its liquidation.
    """
    wanted = LevelKind.SUPPORT if risk.position.side is PositionSide.LONG else LevelKind.RESISTANCE
    return tuple(level for level in risk.levels_between if level.kind is wanted)
