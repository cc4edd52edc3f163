"""The compact key memory against a plain first-in-first-out reference."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crashtui.keymemory import KeyMemory


@settings(max_examples=200, deadline=None)
@given(
    capacity=st.integers(1, 40),
    keys=st.lists(st.integers(0, 60), max_size=400),
)
def test_remembers_the_last_capacity_keys_and_forgets_old_ones(capacity: int, keys: list[int]) -> None:
    """Every key among the last ``capacity`` new ones is seen; a key not among the last
    ``2 * capacity`` new ones is forgotten; duplicates are counted."""
    memory = KeyMemory(capacity)
    arrivals: list[int] = []  # new keys in arrival order
    duplicates = 0
    for key in keys:
        recent = arrivals[-capacity:]
        if key in recent:
            assert not memory.add(key)
            duplicates += 1
            continue
        if key not in arrivals[-2 * capacity :]:
            assert memory.add(key)
            arrivals.append(key)
            continue
        if memory.add(key):  # between the two bounds: either answer, kept consistent
            arrivals.append(key)
        else:
            duplicates += 1
        assert min(capacity, len(arrivals)) <= len(memory) <= min(len(arrivals), 2 * capacity)
    assert memory.duplicates == duplicates


def test_large_memory_holds_its_window_across_many_seals() -> None:
    memory = KeyMemory(10_000)
    for i in range(50_000):
        assert memory.add(("bybit", "BTC", i, 0.5))
    assert all(("bybit", "BTC", i, 0.5) in memory for i in range(40_000, 50_000))
    assert not any(("bybit", "BTC", i, 0.5) in memory for i in range(30_000))
    assert 10_000 <= len(memory) <= 10_000 + 4_096
    assert not memory.add(("bybit", "BTC", 49_999, 0.5))
    assert memory.duplicates == 1
