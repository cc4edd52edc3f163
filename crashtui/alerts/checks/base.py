"""What a rule checker returns, and the interface every checker has."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Protocol

from crashtui.alerts.alert import Detail
from crashtui.alerts.inputs import MarketInputs


@dataclass(frozen=True, slots=True)
class Firing:
    """A rule's condition became true for ``target`` (a zone, a source, an asset, or None).

    The evaluator applies the rule's cooldown per target and turns a firing into an Alert.

    ``magnitude`` (bigger is worse: a cascade's peak rate, liquidated USD) lets a much worse
    event break through a cooldown that a smaller one started: a firing whose magnitude is at
    least :data:`crashtui.alerts.evaluator.BREAKTHROUGH_RATIO` times the magnitude of the
    target's last alert is delivered even inside the cooldown. ``update`` marks a firing about
    an event already seen (an open cascade whose peak grew): it is delivered only when it breaks
    through that way, never merely because a cooldown ended.
    """

    message: str
    target: Hashable = None
    symbol: str | None = None
    value: float | None = None
    threshold: float | None = None
    details: Mapping[str, Detail] = field(default_factory=lambda: MappingProxyType({}))
    magnitude: float | None = None
    update: bool = False


class Checker(Protocol):
    """Holds one rule's trigger state; :meth:`check` is called at every evaluation."""

    def check(self, inputs: MarketInputs, now_ms: int) -> list[Firing]:
        """Firings at this evaluation (usually none)."""
        ...


def direction_ok(wanted: str, actual: str) -> bool:
    """Whether a move ``actual`` (``up`` or ``down``) passes a rule's ``direction`` filter."""
    return wanted == "any" or wanted == actual
