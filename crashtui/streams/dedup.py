"""Bounded memory of recently seen liquidations, to drop orders a venue replays after a reconnect."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable

from crashtui.model import Liquidation

DEFAULT_CAPACITY = 20_000


class RecentKeys:
    """The last ``capacity`` keys seen; the oldest is forgotten when a new one arrives at capacity."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._seen: set[Hashable] = set()
        self._order: deque[Hashable] = deque()
        self.duplicates = 0

    def __len__(self) -> int:
        return len(self._order)

    def add(self, key: Hashable) -> bool:
        """Remember ``key``; True if it is new, False (and counted) if it was seen already."""
        if key in self._seen:
            self.duplicates += 1
            return False
        self._seen.add(key)
        self._order.append(key)
        if len(self._order) > self._capacity:
            self._seen.discard(self._order.popleft())
        return True

    def fresh(self, liquidations: Iterable[Liquidation]) -> tuple[Liquidation, ...]:
        """The liquidations whose ``dedup_key`` was not seen before, in order."""
        return tuple(liq for liq in liquidations if self.add(liq.dedup_key))
