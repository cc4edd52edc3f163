"""Evaluate every enabled rule against the engine and turn firings into alerts, with cooldowns.

Call :meth:`Evaluator.evaluate` on every state change or on a timer (the dashboard: every
second; ``watch --replay --speed max``: after every replay minute). Time is engine time, so
replay alerts carry the replay clock. When time goes backwards, the engine's state is
replaced (a replay seek back) or the replay seeks (forward too), every trigger starts over,
armed at the new time: what happened in a stretch the trader skipped is history, like what
happened before start-up, and never fires stamped with the new time (a cascade that ended
hours before the seek target); a condition on a state that still holds at the new time fires
as it would at start-up.

Cooldowns: after a rule fires for a target it stays quiet for that target for ``cooldown_s``,
unless a firing is much worse than the one that started the cooldown: a firing whose
``magnitude`` is at least :data:`BREAKTHROUGH_RATIO` times the magnitude of the target's last
alert breaks through (the biggest cascade of a day must not be swallowed by the cooldown of a
small one an hour earlier). Such an alert says so in its details (``breaks_cooldown_of``).
"""

from __future__ import annotations

from collections.abc import Sequence
from types import MappingProxyType

from crashtui.alerts.alert import Alert
from crashtui.alerts.checks import Checker, Firing, make_checker
from crashtui.alerts.inputs import AlertSource, MarketInputs
from crashtui.config.alerts_schema import AlertRule

BREAKTHROUGH_RATIO = 2.0
"""A firing this many times as severe as the alert that started a cooldown breaks through it."""


class Evaluator:
    """The rules' trigger state, per-target cooldowns and a counter for alert ids."""

    def __init__(self, source: AlertSource, rules: Sequence[AlertRule]) -> None:
        self.source = source
        self.rules = tuple(r for r in rules if r.enabled)
        self.inputs = MarketInputs(source)
        self.suppressed = 0
        self._checkers: list[Checker] = []
        self._last_fired: dict[tuple[str, object], tuple[int, float | None]] = {}
        self._last_now: int | None = None
        self._state_id: int | None = None
        self._seeks = 0
        self._seq = 0
        self.armed_at_ms: int | None = None
        """When the triggers were (last) armed: events before it are history."""

    def _arm(self, now_ms: int) -> None:
        self._checkers = [make_checker(rule, now_ms) for rule in self.rules]
        self._last_fired.clear()
        self.armed_at_ms = now_ms
        self.inputs = MarketInputs(self.source)

    def set_rules(self, rules: Sequence[AlertRule]) -> None:
        """Use ``rules`` from now on, without starting over: a rule equal to one already in use
        keeps its trigger state and cooldowns; a new or changed rule starts armed at the last
        check (so it fires on the next crossing, not on history); a rule no longer there is
        dropped with its cooldowns."""
        wanted = tuple(r for r in rules if r.enabled)
        if self._last_now is None:  # not armed yet: the first evaluate arms every rule
            self.rules = wanted
            return
        kept: list[AlertRule] = list(self.rules)
        old_checkers = list(self._checkers)
        checkers: list[Checker] = []
        for rule in wanted:
            index = next((i for i, old in enumerate(kept) if old == rule), None)
            if index is None:
                checkers.append(make_checker(rule, self._last_now))
            else:
                checkers.append(old_checkers.pop(index))
                kept.pop(index)
        names = {r.name for r in wanted}
        for key in [k for k in self._last_fired if k[0] not in names]:
            del self._last_fired[key]
        self.rules = wanted
        self._checkers = checkers

    def arms_next(self) -> bool:
        """Whether the next :meth:`evaluate` starts every trigger over (see the module docstring)."""
        now = self.source.now_ms()
        return (
            self._last_now is None
            or now < self._last_now
            or id(self.source.state) != self._state_id
            or _seeks(self.source) != self._seeks
        )

    def evaluate(self) -> list[Alert]:
        """Check every rule now; the new alerts, in rule order."""
        now = self.source.now_ms()
        if self.arms_next():
            self._arm(now)
        self._last_now = now
        self._state_id = id(self.source.state)
        self._seeks = _seeks(self.source)
        alerts = []
        for rule, checker in zip(self.rules, self._checkers, strict=True):
            for firing in checker.check(self.inputs, now):
                admitted, breaks_ref = self._admit(rule, firing, now)
                if admitted:
                    alerts.append(self._alert(rule, firing, now, breaks_ref))
        return alerts

    def _admit(self, rule: AlertRule, firing: Firing, now_ms: int) -> tuple[bool, float | None]:
        """Whether ``firing`` is delivered; with the cooldown's magnitude when it broke through one."""
        key = (rule.name, firing.target)
        last = self._last_fired.get(key)
        ref = last[1] if last is not None else None
        breaks = (
            firing.magnitude is not None
            and ref is not None
            and ref > 0
            and firing.magnitude >= BREAKTHROUGH_RATIO * ref
        )
        cooling = last is not None and now_ms - last[0] < rule.cooldown_s * 1000
        if firing.update and not breaks:
            return False, None  # an event already seen that did not get much worse
        if cooling and not breaks:
            self.suppressed += 1
            return False, None
        self._last_fired[key] = (now_ms, firing.magnitude)
        return True, ref if breaks and (cooling or firing.update) else None

    def _alert(self, rule: AlertRule, firing: Firing, now_ms: int, breaks_ref: float | None) -> Alert:
        self._seq += 1
        details = dict(firing.details)
        if breaks_ref is not None:
            details["breaks_cooldown_of"] = breaks_ref
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
            details=MappingProxyType(details),
        )


def _seeks(source: AlertSource) -> int:
    """How many times the source's replay has seeked (0 live or before the player runs)."""
    player = getattr(source, "player", None)
    seeks = getattr(player, "seeks", 0)
    return seeks if isinstance(seeks, int) else 0
