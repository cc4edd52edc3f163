"""The three liquidation streams against the fault server: garbage, storms, silence, bad values.

The streams are built from a config pointing at the fault server (``build_streams``, the
engine's own factory) with timings shrunk to fractions of a second. Waits are generous
upper bounds; nothing asserts how fast the machine is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable

from crashtui.ingest.pipeline import Pipeline
from crashtui.model import Liquidation, SourceState
from crashtui.net.http import make_client
from crashtui.upstream.streams import build_streams
from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import GARBAGE_FRAMES, WS_SOURCES, FaultServer
from tests.reliability.support import (
    FAST_STREAM,
    EventLog,
    assert_one_line,
    fast_stream_settings,
    make_config,
    okx_fetch,
)

WAIT_S = 15.0


async def run_streams(server: FaultServer, log: EventLog, until: Callable[[], bool], what: str) -> None:
    """Run the liquidation streams (plus OKX REST) until ``until()`` holds."""
    config = make_config(server)
    async with make_client(config.net) as client:
        pipeline = Pipeline.into(log)
        streams = build_streams(
            config,
            ("BTC", "ETH"),
            pipeline.payload,
            log,
            fetch=okx_fetch(client, config),
            contracts=pipeline.okx_contracts,
            settings=fast_stream_settings(),
        )
        tasks = streams.start()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + WAIT_S
            while not until():
                assert loop.time() < deadline, f"timed out waiting for: {what}"
                assert not any(t.done() for t in tasks), "a stream task ended"
                await asyncio.sleep(0.01)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)


def liquidations(log: EventLog, source: str) -> list[Liquidation]:
    return [i for i in log.items(source, "liquidations") if isinstance(i, Liquidation)]


def bad_frames(log: EventLog, source: str) -> int:
    status = log.last_status(source)
    return status.bad_frames if status else 0


def every(sources: Iterable[str], check: Callable[[str], bool]) -> Callable[[], bool]:
    names = tuple(sources)
    return lambda: all(check(s) for s in names)


async def test_garbage_frames_are_counted_and_good_frames_still_count(fault_server: FaultServer) -> None:
    for source in WS_SOURCES:
        fault_server.set_fault(source, Fault.GARBAGE)
    log = EventLog()
    await run_streams(
        fault_server,
        log,
        # every kind of garbage frame, at least once on each stream
        every(
            WS_SOURCES, lambda s: len(liquidations(log, s)) >= 3 and bad_frames(log, s) > len(GARBAGE_FRAMES)
        ),
        "liquidations and bad frames on every stream",
    )
    for source in WS_SOURCES:
        status = log.last_status(source)
        assert status is not None
        assert status.state is SourceState.OK
        assert status.connected is True
        assert_one_line(status.last_error)
        assert (status.last_error or "").startswith("bad frame:")
        assert all(abs(liq.price - 61_940.0) < 1 for liq in liquidations(log, source))
        assert fault_server.ws_count(source) == 1  # garbage is no reason to reconnect


def _storm_bound(elapsed_s: float) -> int:
    """Most connections a client can open in ``elapsed_s`` with FAST_STREAM's jittered backoff
    (each delay at least half of min(cap, base·2ⁿ)), plus the first one."""
    total, n, count = 0.0, 0, 1
    while True:
        total += 0.5 * min(FAST_STREAM.backoff_cap_s, FAST_STREAM.backoff_base_s * 2**n)
        if total > elapsed_s:
            return count
        count += 1
        n += 1


async def test_disconnect_storm_backs_off_and_leaves_the_other_streams_alone(
    fault_server: FaultServer,
) -> None:
    fault_server.set_fault("bybit_liq", Fault.STORM)
    log = EventLog()
    loop = asyncio.get_running_loop()
    started = loop.time()
    await run_streams(
        fault_server,
        log,
        lambda: (
            fault_server.ws_count("bybit_liq") >= 6
            and len(liquidations(log, "binance_liq")) >= 3
            and len(liquidations(log, "okx_liq")) >= 3
        ),
        "six refused bybit connections while the others stream",
    )
    elapsed = loop.time() - started
    connections = fault_server.ws_count("bybit_liq")
    assert connections <= _storm_bound(elapsed), (connections, elapsed)
    statuses = log.statuses("bybit_liq")
    assert statuses[-1].state is SourceState.FAILING
    assert statuses[-1].last_error == "closed by server (code 1013: try again later)"
    for status in statuses:
        if status.next_attempt_ms is not None:  # never scheduled later than the backoff cap
            assert status.next_attempt_ms - status.updated_ms <= FAST_STREAM.backoff_cap_s * 1000
    assert not liquidations(log, "bybit_liq")
    for other in ("binance_liq", "okx_liq"):
        assert fault_server.ws_count(other) == 1
        last = log.last_status(other)
        assert last is not None
        assert last.state is SourceState.OK


async def test_a_storm_that_clears_recovers(fault_server: FaultServer) -> None:
    fault_server.set_fault("bybit_liq", Fault.STORM)
    log = EventLog()

    def cleared_then_flowing() -> bool:
        if fault_server.ws_count("bybit_liq") >= 4:
            fault_server.clear("bybit_liq")
        return len(liquidations(log, "bybit_liq")) >= 2

    await run_streams(fault_server, log, cleared_then_flowing, "bybit data after the storm")
    last = log.last_status("bybit_liq")
    assert last is not None
    assert last.state is SourceState.OK


async def test_unanswered_pings_force_a_reconnect(fault_server: FaultServer) -> None:
    for source in ("bybit_liq", "okx_liq"):
        fault_server.set_fault(source, Fault.NO_PONG)
    log = EventLog()
    await run_streams(
        fault_server,
        log,
        every(("bybit_liq", "okx_liq"), lambda s: fault_server.ws_count(s) >= 3),
        "three connections each",
    )
    for source in ("bybit_liq", "okx_liq"):
        errors = {s.last_error for s in log.statuses(source)}
        assert "no pong within 0.3s" in errors
        assert liquidations(log, source)  # data kept flowing between the reconnects
        assert sum(hit.pings for hit in fault_server.ws_hits if hit.source == source) >= 2


async def test_a_silent_stream_is_replaced_after_its_idle_timeout(fault_server: FaultServer) -> None:
    fault_server.set_fault("binance_liq", Fault.SILENT)
    log = EventLog()
    await run_streams(
        fault_server, log, lambda: fault_server.ws_count("binance_liq") >= 3, "three connections"
    )
    assert "no frame for 0.5s" in {s.last_error for s in log.statuses("binance_liq")}
    assert not liquidations(log, "binance_liq")


async def test_absurd_and_negative_liquidations_never_reach_the_tally(fault_server: FaultServer) -> None:
    for source, fault in zip(WS_SOURCES, (Fault.ABSURD, Fault.NEGATIVE, Fault.ABSURD), strict=True):
        fault_server.set_fault(source, fault)
    log = EventLog()
    await run_streams(fault_server, log, every(WS_SOURCES, lambda s: bad_frames(log, s) >= 3), "bad frames")
    for source in WS_SOURCES:
        assert not liquidations(log, source)
    reasons = {s: getattr(log.last_status(s), "last_error", None) or "" for s in WS_SOURCES}
    assert "BTC liquidation price 1e+12 is above the 1e+08 USD sanity ceiling" in reasons["binance_liq"]
    assert "expected a positive number" in reasons["bybit_liq"]
    assert "BTC liquidation price 1e+12 is above the 1e+08 USD sanity ceiling" in reasons["okx_liq"]
