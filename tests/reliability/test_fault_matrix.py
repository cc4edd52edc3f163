"""Every REST source against every REST fault, through ``crashtui sources``' probe.

One probe per (source, kind) runs the real poll function, fetch and parser against the fault
server. Whatever the fault, each probe ends (no hang, no exception) in the state the fault
calls for with a one-line reason, and a tolerated fault (slow, extra fields) still yields data.
"""

from __future__ import annotations

import pytest

from crashtui.commands.sources import render
from crashtui.feeds.probe import ProbeResult, probe_all
from crashtui.ingest.rules import item_problem
from crashtui.model import SourceState
from crashtui.net.http import make_client
from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import FaultServer
from tests.reliability.support import assert_one_line, make_config

BLOCKING = {Fault.GEO_BLOCK, Fault.CLOUDFLARE}
TOLERATED = {Fault.SLOW, Fault.EXTRA}
FAILING = {
    Fault.HANG,
    Fault.CUT,
    Fault.RATE_LIMIT,
    Fault.BANNED,
    Fault.SERVER_ERROR,
    Fault.ERROR_ENVELOPE,
    Fault.NESTED,
}
SHAPE = {Fault.TRUNCATED, Fault.MISSING, Fault.RENAMED, Fault.WRONG_TYPES, Fault.NULLS}
VALUES = {Fault.NAN, Fault.NEGATIVE, Fault.ZERO, Fault.ABSURD}
MATRIX = sorted(BLOCKING | TOLERATED | FAILING | SHAPE | VALUES | {Fault.HTML}, key=lambda f: f.value)


def expected(fault: Fault, result: ProbeResult) -> set[SourceState]:
    """The states a probe may end in under ``fault``."""
    if fault in TOLERATED:
        return {SourceState.OK}
    if fault in BLOCKING or (fault is Fault.BANNED and result.source == "cnn"):  # CNN's 418 is a block
        return {SourceState.BLOCKED}
    if fault is Fault.HTML:  # a maintenance page where data was expected: failing, retried soon
        return {SourceState.FAILING}
    if fault in FAILING:
        return {SourceState.FAILING}
    if fault in VALUES and result.kind == "prices":
        return {SourceState.FAILING}
    # A reshaped or repriced body may still be usable (a half row still has its OHLC; an
    # HTML page or CSV has no JSON to reshape; F&G has no price): then its data must be sane.
    return {SourceState.OK, SourceState.FAILING}


@pytest.mark.parametrize("fault", MATRIX, ids=[f.value for f in MATRIX])
async def test_every_source_survives_every_fault(fault_server: FaultServer, fault: Fault) -> None:
    fault_server.set_fault(None, fault)
    config = make_config(fault_server)
    async with make_client(config.net) as client:
        results = await probe_all(config, client, ("BTC",), streams=False)  # REST faults only
    assert {r.source for r in results} >= {"binance", "coinbase", "farside", "fred", "defillama"}
    for result in results:
        states = expected(fault, result)
        assert result.state in states, (result.source, result.kind, result.state, result.error)
        if result.state is SourceState.OK:
            if fault in TOLERATED and result.source != "okx":  # OKX REST rows say what answered
                assert result.items, (result.source, result.kind)
            assert all(item_problem(item) is None for item in result.items), (result.source, result.kind)
            continue
        assert_one_line(result.error)
        assert "internal error" not in (result.error or ""), result.error
    table = render(results, width=200)
    assert table.isprintable() or all(line.isprintable() for line in table.splitlines())
