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
        # Hashes, not the keys: a full 20k memory costs ~2.4 MB instead of ~3.6 MB; a 64-bit
        # collision (odds ~1e-11 at 20k) would drop one order.
        self._seen: set[int] = set()
        self._order: deque[int] = deque()
        self.duplicates = 0

    def __len__(self) -> int:
        return len(self._order)

    def add(self, key: Hashable) -> bool:
        """Remember ``key``; True if it is new, False (and counted) if it was seen already."""
        digest = hash(key)
        if digest in self._seen:
            self.duplicates += 1
            return False
        self._seen.add(digest)
        self._order.append(digest)
        if len(self._order) > self._capacity:
            self._seen.discard(self._order.popleft())
        return True

    def fresh(self, liquidations: Iterable[Liquidation]) -> tuple[Liquidation, ...]:
        """The liquidations whose ``dedup_key`` was not seen before, in order."""
        return tuple(liq for liq in liquidations if self.add(liq.dedup_key))
