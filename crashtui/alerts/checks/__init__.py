"""One checker per rule kind; :func:`make_checker` builds the one a rule needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crashtui.alerts.checks.base import Checker, Firing
from crashtui.alerts.checks.flows import (
    CascadeChecker,
    EtfOutflowChecker,
    EtfStreakChecker,
    LiquidationChecker,
)
from crashtui.alerts.checks.price import PriceCrossChecker, PriceMoveChecker
from crashtui.alerts.checks.radar import (
    FundingNegativeChecker,
    LiqClusterChecker,
    OiDropChecker,
    PositionChecker,
    RecoveryChecker,
)
from crashtui.alerts.checks.states import FearGreedChecker, GaugeChecker, SourceFailingChecker
from crashtui.alerts.checks.zones import ZoneChecker
from crashtui.config.alerts_schema import (
    AlertRule,
    CascadeRule,
    EtfOutflowRule,
    EtfStreakRule,
    FearGreedRule,
    FundingNegativeRule,
    GaugeRule,
    LiqClusterRule,
    LiquidationRule,
    OiDropRule,
    PositionRule,
    PriceCrossRule,
    PriceMoveRule,
    RecoveryRule,
    SourceFailingRule,
    ZoneRule,
)

__all__ = ["Checker", "Firing", "make_checker"]


CHECKERS: dict[type, Callable[[Any, int], Checker]] = {
    ZoneRule: ZoneChecker,
    PriceCrossRule: lambda rule, arm_ms: PriceCrossChecker(rule),
    PriceMoveRule: lambda rule, arm_ms: PriceMoveChecker(rule),
    LiquidationRule: lambda rule, arm_ms: LiquidationChecker(rule),
    CascadeRule: CascadeChecker,
    EtfOutflowRule: EtfOutflowChecker,
    EtfStreakRule: EtfStreakChecker,
    FearGreedRule: lambda rule, arm_ms: FearGreedChecker(rule),
    GaugeRule: lambda rule, arm_ms: GaugeChecker(rule),
    SourceFailingRule: lambda rule, arm_ms: SourceFailingChecker(rule),
    LiqClusterRule: lambda rule, arm_ms: LiqClusterChecker(rule),
    OiDropRule: lambda rule, arm_ms: OiDropChecker(rule),
    FundingNegativeRule: lambda rule, arm_ms: FundingNegativeChecker(rule),
    PositionRule: lambda rule, arm_ms: PositionChecker(rule),
    RecoveryRule: lambda rule, arm_ms: RecoveryChecker(rule),
}
"""The checker of each rule class: ``factory(rule, arm_ms)`` (events before ``arm_ms`` are history)."""


def make_checker(rule: AlertRule, arm_ms: int) -> Checker:
    """A fresh checker for ``rule``; events before ``arm_ms`` are history."""
    factory = CHECKERS.get(type(rule))
    if factory is None:
        raise TypeError(f"no checker for rule kind {type(rule).__name__}")
    return factory(rule, arm_ms)
