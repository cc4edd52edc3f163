"""Memory and time stay bounded whatever a server sends: body cap, trickling bodies, slow answers."""

from __future__ import annotations

import asyncio

import pytest

from crashtui.ingest.pipeline import Pipeline
from crashtui.model import SourceState
from crashtui.net.http import make_client
from crashtui.upstream.poller import Poller
from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import FaultServer
from tests.reliability.support import EventLog, assert_one_line, make_config

# A hang detector, not a speed test: every fault below ends in about a second.
GIVE_UP_S = 20.0


async def one_attempt(server: FaultServer, source: str = "binance", kind: str = "prices") -> EventLog:
    config = make_config(server)
    log = EventLog()
    async with make_client(config.net) as client:
        poller = Poller(config, ("BTC", "ETH"), client, Pipeline.into(log).payload, log, kinds=(kind,))
        await asyncio.wait_for(poller.attempt(source, kind), GIVE_UP_S)
    return log


async def test_an_endless_body_is_cut_at_the_size_cap(fault_server: FaultServer) -> None:
    fault_server.set_fault("binance", Fault.OVERSIZE, oversize_mb=64)
    log = await one_attempt(fault_server)
    status = log.last_status("binance")
    assert status is not None
    assert status.state is SourceState.FAILING
    assert status.last_error == "binance ticker_24hr: body over 0.954 MiB; stopped reading"
    assert not log.items()
    await asyncio.sleep(0.1)  # let the server notice the closed connection
    assert fault_server.oversize_bytes_sent < 16_000_000  # the client hung up; it did not read 64 MB


async def test_a_body_trickling_in_byte_by_byte_is_given_up(fault_server: FaultServer) -> None:
    # One byte every 50 ms: each read is well within the 0.3 s read timeout, so only a
    # rate check stops the request from taking the whole body's 15+ s.
    fault_server.set_fault("coinbase", Fault.DRIP, drip_s=0.05)
    log = await one_attempt(fault_server, "coinbase")
    status = log.last_status("coinbase")
    assert status is not None
    assert status.state is SourceState.FAILING
    assert_one_line(status.last_error)
    assert "trickling" in (status.last_error or "")
    assert not log.items()


async def test_slow_but_steady_answers_are_data_not_errors(fault_server: FaultServer) -> None:
    fault_server.set_fault("binance", Fault.SLOW, slow_s=0.2)  # below the 0.3 s read timeout
    log = await one_attempt(fault_server)
    status = log.last_status("binance")
    assert status is not None
    assert status.state is SourceState.OK
    assert status.latency_ms is not None
    assert status.latency_ms >= 200
    assert log.items("binance", "prices")


async def test_an_answer_cut_off_mid_body_says_so(fault_server: FaultServer) -> None:
    fault_server.set_fault("binance", Fault.CUT)
    log = await one_attempt(fault_server)
    status = log.last_status("binance")
    assert status is not None
    assert (status.last_error or "").startswith(
        "binance ticker_24hr: connection dropped: peer closed connection without sending complete"
    )


@pytest.mark.parametrize("status", [200, 500])
async def test_json_nested_thousands_deep_is_a_parse_error_not_a_crash(
    fault_server: FaultServer, status: int
) -> None:
    fault_server.set_fault("binance", Fault.NESTED, status=status)
    log = await one_attempt(fault_server)
    status_seen = log.last_status("binance")
    assert status_seen is not None
    assert status_seen.state is SourceState.FAILING
    assert_one_line(status_seen.last_error)
    assert "internal error" not in (status_seen.last_error or "")
    expected = "invalid JSON: nested too deeply" if status == 200 else "HTTP 500 Internal Server Error"
    assert expected in (status_seen.last_error or "")
