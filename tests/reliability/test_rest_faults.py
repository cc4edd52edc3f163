"""REST faults against the real poller and HTTP client, with time on a fake clock.

The poller talks to the loopback fault server over real sockets; its sleeps (poll intervals,
backoff, Retry-After, block pauses) run on a :class:`ScriptedClock`, which also switches
faults on and off at given fake times. Request counts during a fault are checked against a
bound computed from the documented retry rules, and recovery time in fake seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest

from crashtui.catalog import DEFAULT_POLL_S
from crashtui.events import DataEvent, ServingEvent
from crashtui.model import SourceState, Ticker
from crashtui.net.http import make_client
from crashtui.upstream.health import BLOCKED_MIN_S, TRANSIENT_BASE_S, TRANSIENT_CAP_S
from crashtui.upstream.poller import MIN_SLEEP_S
from crashtui.wire import RETRY_AFTER_CAP_S, fmt_wait
from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import FaultServer
from tests.reliability.support import (
    T0,
    EventLog,
    ScriptedClock,
    assert_one_line,
    fake_time_poller,
    make_config,
)

PRICES_S = DEFAULT_POLL_S["prices"]


@dataclass
class Rig:
    server: FaultServer
    clock: ScriptedClock
    log: EventLog

    def hits(self, source: str, path: str = "", since_s: float = 0.0, until_s: float = 1e12) -> list[float]:
        """Fake seconds of every request to ``source`` (path prefix) within a window."""
        return [
            (h.at_ms - T0) / 1000
            for h in self.server.hits
            if h.source == source and h.path.startswith(path) and since_s <= (h.at_ms - T0) / 1000 < until_s
        ]

    def btc_prices(self, source: str | None = None) -> list[float]:
        return [
            t.price for t in self.log.items(source, "prices") if isinstance(t, Ticker) and t.symbol == "BTC"
        ]

    def data_times(self, source: str, kind: str = "prices") -> list[float]:
        return [
            (e.received_ms - T0) / 1000
            for e in self.log.events
            if isinstance(e, DataEvent) and e.source == source and e.kind == kind
        ]

    def serving(self, kind: str) -> list[str | None]:
        return [e.source for e in self.log.events if isinstance(e, ServingEvent) and e.kind == kind]


@contextlib.asynccontextmanager
async def rig(until_s: float) -> AsyncIterator[tuple[Rig, contextlib.AsyncExitStack]]:
    clock = ScriptedClock(until_s)
    async with FaultServer(now_ms=clock.now_ms) as server, contextlib.AsyncExitStack() as stack:
        yield Rig(server, clock, EventLog()), stack


async def run_poller(r: Rig, failover: dict[str, list[str]], **config: Any) -> None:
    async with make_client(make_config(r.server).net) as client:
        poller = fake_time_poller(r.server, r.clock, client, r.log, failover=failover, **config)
        await asyncio.wait_for(poller.run(), timeout=60)


def transient_bound(window_s: float, interval_s: float) -> int:
    """Most attempts one lane can make in ``window_s`` of a transient fault: each retry waits
    at least min(interval, half of the 2 s-doubling backoff) and never less than MIN_SLEEP_S."""
    total, count = 0.0, 1
    for n in itertools.count():
        raw = min(TRANSIENT_CAP_S, TRANSIENT_BASE_S * 2**n)
        total += max(MIN_SLEEP_S, min(interval_s, raw / 2))
        if total > window_s:
            return count
        count += 1
    raise AssertionError("unreachable")


# --- transient faults: bounded retries, failover, recovery -------------------------------


@pytest.mark.parametrize("fault", [Fault.SERVER_ERROR, Fault.TRUNCATED, Fault.CUT])
async def test_transient_faults_retry_within_the_bound_while_the_fallback_serves(fault: Fault) -> None:
    async with rig(until_s=180) as (r, _):
        r.server.set_fault("binance", fault)
        r.clock.at(120, lambda: r.server.clear("binance"))
        await run_poller(r, {"prices": ["binance", "coinbase"]})
    during = r.hits("binance", since_s=0, until_s=120)
    assert 3 <= len(during) <= transient_bound(120, PRICES_S), during
    assert r.serving("prices")[:2] == ["coinbase", "binance"]  # failover, then back to the primary
    assert min(r.data_times("coinbase"), default=None) == 0  # no gap in prices
    back = min(t for t in r.data_times("binance") if t >= 120)
    assert back <= 120 + PRICES_S  # recovery within one poll interval
    failing = [s for s in r.log.statuses("binance") if s.state in (SourceState.FAILING, SourceState.STALE)]
    assert failing
    for status in failing:
        assert_one_line(status.last_error)
    assert all(
        s.state is SourceState.OK for s in r.log.statuses("coinbase") if s.state is not SourceState.PENDING
    )


async def test_recovery_after_a_long_outage_of_the_only_source_takes_one_poll_interval() -> None:
    async with rig(until_s=420) as (r, _):
        r.server.set_fault("binance", Fault.SERVER_ERROR)
        r.clock.at(300, lambda: r.server.clear("binance"))
        await run_poller(r, {"prices": ["binance"]})
    assert not [t for t in r.data_times("binance") if t < 300]
    back = min(r.data_times("binance"))
    assert back <= 300 + PRICES_S, f"prices came back {back - 300:.0f} s after the fault cleared"
    assert len(r.hits("binance", until_s=300)) <= transient_bound(300, PRICES_S)


async def test_hangs_past_the_read_timeout_fail_over_and_recover() -> None:
    async with rig(until_s=90) as (r, _):
        r.server.set_fault("binance", Fault.HANG)
        r.clock.at(45, lambda: r.server.clear("binance"))
        await run_poller(r, {"prices": ["binance", "coinbase"]})
    assert len(r.hits("binance", until_s=45)) <= transient_bound(45, PRICES_S)
    assert min(r.data_times("coinbase")) == 0
    errors = {s.last_error for s in r.log.statuses("binance") if s.last_error}
    assert errors == {"binance ticker_24hr: read timeout"}
    assert min(t for t in r.data_times("binance")) <= 45 + PRICES_S


# --- the provider says when: Retry-After, bans, blocks ------------------------------------


@pytest.mark.parametrize(("fault", "retry_after"), [(Fault.RATE_LIMIT, 30.0), (Fault.BANNED, 120.0)])
async def test_retry_after_holds_every_kind_of_the_source(fault: Fault, retry_after: float) -> None:
    window = 300.0
    async with rig(until_s=window + retry_after + 30) as (r, _):
        r.server.set_fault("binance", fault, retry_after_s=retry_after)
        r.clock.at(window, lambda: r.server.clear("binance"))
        await run_poller(r, {"prices": ["binance", "coinbase"], "depth": ["binance"]})
    for path in ("/api/v3/ticker/24hr", "/api/v3/depth"):
        times = r.hits("binance", path, until_s=window)
        assert 2 <= len(times) <= 1 + int(window // retry_after), (path, times)
        assert all(b - a >= retry_after for a, b in itertools.pairwise(times)), times
    status = next(s for s in r.log.statuses("binance") if s.last_error)
    assert status.last_error is not None
    assert f"HTTP {fault.value}" in status.last_error
    assert f"rate limited, retry in {fmt_wait(retry_after)}" in status.last_error
    assert min(r.data_times("coinbase")) == 0
    assert min(r.data_times("binance")) <= window + retry_after  # the first try after the hold works


async def test_a_retry_after_beyond_the_cap_is_capped_and_says_so() -> None:
    window = 3600.0
    async with rig(until_s=window) as (r, _):
        r.server.set_fault("binance", Fault.RATE_LIMIT, retry_after_s=7200.0)
        await run_poller(r, {"prices": ["binance", "coinbase"]})
    times = r.hits("binance")
    assert 2 <= len(times) <= 1 + int(window // RETRY_AFTER_CAP_S), times
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(RETRY_AFTER_CAP_S <= gap <= RETRY_AFTER_CAP_S + PRICES_S for gap in gaps), gaps
    status = next(s for s in r.log.statuses("binance") if s.last_error)
    assert status.last_error is not None
    assert "rate limited, retry in 15m (asked for 2h, capped at 15m)" in status.last_error
    assert status.failure == "throttled"


@pytest.mark.parametrize(
    ("fault", "state", "named"),
    [
        (Fault.CLOUDFLARE, SourceState.BLOCKED, "anti-bot challenge page (HTTP 403)"),
        (Fault.HTML, SourceState.FAILING, "got a maintenance page where JSON was expected"),
    ],
)
async def test_html_pages_are_named_and_retried_on_the_normal_schedule(
    fault: Fault, state: SourceState, named: str
) -> None:
    window = 600.0
    async with rig(until_s=window) as (r, _):
        r.server.set_fault("binance", fault)
        await run_poller(r, {"prices": ["binance", "coinbase"]})
    times = r.hits("binance")
    assert len(times) >= window / PRICES_S / 2, times  # not paused for half an hour
    assert all(b - a <= PRICES_S + 1 for a, b in itertools.pairwise(times)), times
    status = r.log.statuses("binance")[-1]
    assert status.state is state
    assert status.last_error is not None
    assert named in status.last_error
    assert_one_line(status.last_error)
    assert r.serving("prices") == ["coinbase"]


@pytest.mark.parametrize("fault", [Fault.GEO_BLOCK])
async def test_blocks_pause_the_source_for_at_least_15_minutes(fault: Fault) -> None:
    window = 3600.0
    async with rig(until_s=window) as (r, _):
        r.server.set_fault("binance", fault)
        await run_poller(r, {"prices": ["binance", "coinbase"]})
    times = r.hits("binance")
    assert 2 <= len(times) <= 1 + int(window // BLOCKED_MIN_S)
    assert all(b - a >= BLOCKED_MIN_S for a, b in itertools.pairwise(times))
    status = r.log.statuses("binance")[-1]
    assert status.state is SourceState.BLOCKED
    assert_one_line(status.last_error)
    assert status.hint == "set [sources.binance] base_url or disable the source"
    assert r.serving("prices") == ["coinbase"]
    assert len(r.data_times("coinbase")) >= window / PRICES_S / 2


# --- bad bodies: rejected with a reason, the fallback serves -------------------------------


@pytest.mark.parametrize(
    "fault",
    [Fault.MISSING, Fault.RENAMED, Fault.WRONG_TYPES, Fault.NULLS, Fault.ERROR_ENVELOPE],
)
async def test_schema_drift_and_wrong_types_fail_over_with_a_reason(fault: Fault) -> None:
    async with rig(until_s=60) as (r, _):
        r.server.set_fault("binance", fault)
        await run_poller(r, {"prices": ["binance", "coinbase"]})
    assert not r.btc_prices("binance")
    assert r.serving("prices") == ["coinbase"]
    status = r.log.statuses("binance")[-1]
    assert status.state is SourceState.FAILING
    assert_one_line(status.last_error)


async def test_extra_fields_are_tolerated() -> None:
    async with rig(until_s=60) as (r, _):
        r.server.set_fault("binance", Fault.EXTRA)
        await run_poller(r, {"prices": ["binance", "coinbase"], "candles": ["binance"]})
    assert r.serving("prices") == ["binance"]
    assert r.btc_prices("binance")
    assert r.log.items("binance", "candles")
    assert {s.state for s in r.log.statuses("binance")} <= {SourceState.PENDING, SourceState.OK}


@pytest.mark.parametrize("fault", [Fault.NAN, Fault.NEGATIVE, Fault.ZERO, Fault.ABSURD, Fault.JUMP])
async def test_absurd_prices_are_rejected_and_the_fallback_serves(fault: Fault) -> None:
    async with rig(until_s=120) as (r, _):
        r.clock.at(30, lambda: r.server.set_fault("binance", fault))  # after a good anchor
        await run_poller(r, {"prices": ["binance", "coinbase"]})
    prices = r.btc_prices()
    assert prices
    assert all(30_000 < p < 100_000 for p in prices), sorted(set(prices))
    assert r.serving("prices") == ["binance", "coinbase"]
    status = r.log.statuses("binance")[-1]
    assert status.state in (SourceState.STALE, SourceState.FAILING)
    assert_one_line(status.last_error)
    reason = status.last_error or ""
    assert "held: " in reason or "expected a finite number" in reason
    assert len(r.hits("binance", since_s=30)) <= transient_bound(90, PRICES_S)
