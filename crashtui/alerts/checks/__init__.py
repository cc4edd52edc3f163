"""One checker per rule kind; :func:`make_checker` builds the one a rule needs."""

from __future__ import annotations

from crashtui.alerts.checks.base import Checker, Firing
from crashtui.alerts.checks.flows import (
    CascadeChecker,
    EtfOutflowChecker,
    EtfStreakChecker,
    LiquidationChecker,
)
from crashtui.alerts.checks.price import PriceCrossChecker, PriceMoveChecker
from crashtui.alerts.checks.states import FearGreedChecker, GaugeChecker, SourceFailingChecker
from crashtui.alerts.checks.zones import ZoneChecker
from crashtui.config.alerts_schema import (
    AlertRule,
    CascadeRule,
    EtfOutflowRule,
    EtfStreakRule,
    FearGreedRule,
    GaugeRule,
    LiquidationRule,
    PriceCrossRule,
    PriceMoveRule,
    SourceFailingRule,
    ZoneRule,
)

__all__ = ["Checker", "Firing", "make_checker"]


def make_checker(rule: AlertRule, arm_ms: int) -> Checker:
    """A fresh checker for ``rule``; events before ``arm_ms`` are history."""
    if isinstance(rule, ZoneRule):
        return ZoneChecker(rule, arm_ms)
    if isinstance(rule, PriceCrossRule):
        return PriceCrossChecker(rule)
    if isinstance(rule, PriceMoveRule):
        return PriceMoveChecker(rule)
    if isinstance(rule, LiquidationRule):
        return LiquidationChecker(rule)
    if isinstance(rule, CascadeRule):
        return CascadeChecker(rule, arm_ms)
    if isinstance(rule, EtfOutflowRule):
        return EtfOutflowChecker(rule, arm_ms)
    if isinstance(rule, EtfStreakRule):
        return EtfStreakChecker(rule, arm_ms)
    if isinstance(rule, FearGreedRule):
        return FearGreedChecker(rule)
    if isinstance(rule, GaugeRule):
        return GaugeChecker(rule)
    if isinstance(rule, SourceFailingRule):
        return SourceFailingChecker(rule)
    raise TypeError(f"no checker for rule kind {type(rule).__name__}")
