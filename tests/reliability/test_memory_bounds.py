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
from crashtui.model import Liquidation, Side
from crashtui.state import FeedState
from crashtui.streams.dedup import RecentKeys

T0 = 1_770_000_000_000
CAPACITY = 5_000
# Bytes per remembered order in one memory (hash, set slot, deque slot): ~150 here; the
# (venue, symbol, ts, qty) tuples themselves would add ~90 more.
MAX_BYTES_PER_ORDER = 200


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
    keys = RecentKeys(CAPACITY)
    before = traced(None)
    keys.fresh(orders(0, CAPACITY))
    full = traced(None)
    keys.fresh(orders(CAPACITY, 4 * CAPACITY))
    later = traced(None)
    assert len(keys) == CAPACITY
    assert (full - before) / CAPACITY < MAX_BYTES_PER_ORDER
    assert later - full < 0.1 * (full - before)  # three more capacities' worth: no growth


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
