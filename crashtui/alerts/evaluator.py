"""Evaluate every enabled rule against the engine and turn firings into alerts, with cooldowns.

Call :meth:`Evaluator.evaluate` on every state change or on a timer (the dashboard: every
second; ``watch --replay --speed max``: after every replay minute). Time is engine time, so
replay alerts carry the replay clock. When time goes backwards or the engine's state is
replaced (a replay seek back), every trigger starts over, armed at the new time.
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from crashtui.alerts.alert import Alert
from crashtui.alerts.checks import Checker, Firing, make_checker
from crashtui.alerts.inputs import AlertSource, MarketInputs
from crashtui.config.alerts_schema import AlertRule


class Evaluator:
    """The rules' trigger state, per-target cooldowns and a counter for alert ids."""

    def __init__(self, source: AlertSource, rules: Sequence[AlertRule]) -> None:
        self.source = source
        self.rules = tuple(r for r in rules if r.enabled)
        self.inputs = MarketInputs(source)
        self.suppressed = 0
        self._checkers: list[Checker] = []
        self._last_fired: dict[tuple[str, object], int] = {}
        self._last_now: int | None = None
        self._state_id: int | None = None
        self._seq = 0
        self.armed_at_ms: int | None = None
        """When the triggers were (last) armed: events before it are history."""

    def _arm(self, now_ms: int) -> None:
        self._checkers = [make_checker(rule, now_ms) for rule in self.rules]
        self._last_fired.clear()
        self.armed_at_ms = now_ms
        self.inputs = MarketInputs(self.source)

    def evaluate(self) -> list[Alert]:
        """Check every rule now; the new alerts, in rule order."""
        now = self.source.now_ms()
        state_id = id(self.source.state)
        if self._last_now is None or now < self._last_now or state_id != self._state_id:
            self._arm(now)
        self._last_now = now
        self._state_id = state_id
        alerts = []
        for rule, checker in zip(self.rules, self._checkers, strict=True):
            for firing in checker.check(self.inputs, now):
                if self._cooling(rule, firing, now):
                    self.suppressed += 1
                    continue
                alerts.append(self._alert(rule, firing, now))
        return alerts

    def _cooling(self, rule: AlertRule, firing: Firing, now_ms: int) -> bool:
        key = (rule.name, firing.target)
        last = self._last_fired.get(key)
        if last is not None and now_ms - last < rule.cooldown_s * 1000:
            return True
        self._last_fired[key] = now_ms
        return False

    def _alert(self, rule: AlertRule, firing: Firing, now_ms: int) -> Alert:
        self._seq += 1
        return Alert(
            id=f"{now_ms}-{self._seq}",
            at_ms=now_ms,
            rule=rule.name,
            kind=rule.kind,
            severity=rule.severity,
            message=firing.message,
            symbol=firing.symbol,
            value=firing.value,
            threshold=firing.threshold,
            mode=self.source.mode,
            details=MappingProxyType(dict(firing.details)),
        )
