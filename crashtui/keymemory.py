"""A bounded, compact memory of recently seen keys (64-bit hashes), for de-duplication."""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Hashable

SEAL_EVERY = 4_096  # keys held in a dict before they join the sorted column


class KeyMemory:
    """The last ``capacity`` keys seen, as 64-bit hashes in flat columns: ~20 bytes a key where
    a set of ints and a deque of them cost ~100 (at 100k keys: ~2 MB instead of ~10).

    New keys wait in a small insertion-ordered dict; every ``min(capacity, SEAL_EVERY)`` keys
    they join an arrival ring of ``capacity`` slots (over the oldest) and the ring is re-sorted
    into the column looked up by bisection. So at least the last ``capacity`` keys are
    remembered, and at most ``min(capacity, SEAL_EVERY)`` more. A 64-bit collision (odds
    ~1e-10 at 100k keys) would take one new key for a seen one.
    """

    def __init__(self, capacity: int) -> None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        self._capacity = capacity
        self._seal_at = min(SEAL_EVERY, capacity)
        self._young: dict[int, None] = {}  # insertion-ordered: the ring keeps arrival order
        self._ring = array("q")  # sealed keys in arrival order; grows to capacity, then wraps
        self._next = 0  # once full, the slot of the oldest key: the next to be replaced
        self._sorted = array("q")  # the ring's keys, sorted
        self.duplicates = 0

    def __len__(self) -> int:
        return len(self._ring) + len(self._young)

    def __contains__(self, key: Hashable) -> bool:
        return self._seen(hash(key))

    def _seen(self, digest: int) -> bool:
        if digest in self._young:
            return True
        column = self._sorted
        at = bisect_left(column, digest)
        return at < len(column) and column[at] == digest

    def add(self, key: Hashable) -> bool:
        """Remember ``key``; True if it is new, False (and counted) if it was seen already."""
        digest = hash(key)
        if self._seen(digest):
            self.duplicates += 1
            return False
        self._young[digest] = None
        if len(self._young) >= self._seal_at:
            self._seal()
        return True

    def _seal(self) -> None:
        """Move the young keys into the ring (over the oldest once full) and re-sort the column."""
        ring, capacity = self._ring, self._capacity
        for digest in self._young:
            if len(ring) < capacity:
                ring.append(digest)
            else:
                ring[self._next] = digest
                self._next = (self._next + 1) % capacity
        self._young.clear()
        self._sorted = array("q", sorted(ring))
