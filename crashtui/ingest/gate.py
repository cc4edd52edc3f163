"""The gate: every data event passes here before it reaches the state, the store or a sink.

One place for the rules of what may enter (:mod:`crashtui.ingest.rules` for single values,
:class:`~crashtui.ingest.price_guard.PriceGuard` for price jumps). What the gate holds back is
counted per source and reason, so the user can see it; it never reaches the state.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from types import MappingProxyType

from crashtui.ingest.price_guard import PriceGuard
from crashtui.ingest.rules import item_problem

Items = tuple[object, ...]


class Gate:
    """Admits or holds back the items of one payload (see the module docstring)."""

    def __init__(self) -> None:
        self.guard = PriceGuard()
        self._rejected: Counter[tuple[str, str]] = Counter()

    def check(self, source: str, kind: str, items: Items, now_ms: int) -> str | None:
        """None when ``items`` may enter; else the reason the payload is held back (counted).

        One implausible value holds back the whole payload: a provider that sends a negative
        price in one row is not trusted for the rest of that answer.
        """
        for item in items:
            problem = item_problem(item)
            if problem is not None:
                return self._reject(source, f"rejected: {problem}")
        if kind == "prices":
            suspect = self.guard.check(items, now_ms)
            if suspect is not None:
                return self._reject(source, suspect)
        return None

    def _reject(self, source: str, reason: str) -> str:
        self._rejected[(source, reason)] += 1
        return reason

    @property
    def rejected(self) -> Mapping[tuple[str, str], int]:
        """How many payloads each (source, reason) held back since the start."""
        return MappingProxyType(self._rejected)

    def reset(self) -> None:
        """Forget the anchors and the counts (a replay seeking back starts over)."""
        self.guard = PriceGuard()
        self._rejected.clear()
