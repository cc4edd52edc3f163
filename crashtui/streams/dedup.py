"""Bounded memory of recently seen liquidations, to drop orders a venue replays after a reconnect."""

from __future__ import annotations

from collections.abc import Iterable

from crashtui.keymemory import KeyMemory
from crashtui.model import Liquidation

DEFAULT_CAPACITY = 20_000


class RecentKeys(KeyMemory):
    """The streams' memory of recent liquidations (see :class:`~crashtui.keymemory.KeyMemory`)."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        super().__init__(capacity)

    def fresh(self, liquidations: Iterable[Liquidation]) -> tuple[Liquidation, ...]:
        """The liquidations whose ``dedup_key`` was not seen before, in order."""
        return tuple(liq for liq in liquidations if self.add(liq.dedup_key))
