"""The memories that grow with the market are bounded, and cheap per entry (Python allocations).

A long crash session pushes tens of thousands of liquidations through the streams' and the
state's de-duplication memories. Each must stop growing at its capacity, and cost little per
order: they are the largest thing that grows in a soak (see RELIABILITY.md).
"""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator

import pytest

import crashtui.state
from crashtui.events import DataEvent
from crashtui.keymemory import SEAL_EVERY
from crashtui.model import Liquidation, Side
from crashtui.state import FeedState
from crashtui.streams.dedup import DEFAULT_CAPACITY, RecentKeys

T0 = 1_770_000_000_000
CAPACITY = 5_000
# A remembered order costs two 8-byte slots once sealed (the arrival ring, the sorted column)
# and an int and a dict entry while young; a set of int hashes and a deque of them, the memory
# before, cost ~150 bytes an order (at 20k: ~3 MB against this bound's ~1 MB).
BYTES_PER_SEALED_KEY = 24
BYTES_PER_YOUNG_KEY = 120


def orders(start: int, stop: int) -> Iterator[Liquidation]:
    for i in range(start, stop):
        yield Liquidation("binance", "BTC", Side.LONG, 60_000.0, 0.001 * (i % 997 + 1), 60.0, T0 + i * 7)


def traced(feed: object) -> int:
    gc.collect()
    return tracemalloc.get_traced_memory()[0]


@pytest.fixture
def tracing() -> Iterator[None]:
    tracemalloc.start()
    try:
        yield
    finally:
        tracemalloc.stop()


def test_stream_dedup_memory_stops_at_its_capacity_and_is_cheap(tracing: None) -> None:
    """At no point past its capacity does a stream's memory hold more than its sealed keys
    (two flat columns) and a batch of young ones."""
    keys = RecentKeys(DEFAULT_CAPACITY)
    before = traced(None)
    bound = DEFAULT_CAPACITY * BYTES_PER_SEALED_KEY + SEAL_EVERY * BYTES_PER_YOUNG_KEY
    batch = 2_500
    for start in range(0, 4 * DEFAULT_CAPACITY, batch):
        keys.fresh(orders(start, start + batch))
        assert traced(None) - before < bound
    assert DEFAULT_CAPACITY <= len(keys) <= DEFAULT_CAPACITY + SEAL_EVERY


def test_state_dedup_and_recent_orders_stop_at_their_caps(
    tracing: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(crashtui.state, "DEDUP_MEMORY", CAPACITY)
    state = FeedState(("BTC",))

    def feed(start: int, stop: int) -> None:
        batch = tuple(orders(start, stop))
        state.apply(DataEvent("binance_liq", "liquidations", batch, T0))

    feed(0, 2 * CAPACITY)  # the recent-orders window (2,000) is full from here on
    full = traced(None)
    feed(2 * CAPACITY, 6 * CAPACITY)
    later = traced(None)
    assert len(state.liquidations) == crashtui.state.RECENT_LIQUIDATIONS
    assert state.liquidations_total == 6 * CAPACITY
    assert later - full < 0.05 * full + 64_000
    feed(0, 10)  # forgotten long ago: counted again (the memory is bounded, not forever)
    assert state.liquidations_total == 6 * CAPACITY + 10
