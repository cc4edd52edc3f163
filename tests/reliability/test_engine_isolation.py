"""The whole live engine (poller, streams, OKX REST) on the fault server: faults stay local.

A few sources fail in different ways at once; every other source must carry on as if nothing
happened, each failing one must say why in one line, the failed-over kinds must keep being
served, and once the faults clear the primaries must take over again.
"""

from __future__ import annotations

from crashtui.assemble import EngineOptions, build_engine
from crashtui.catalog import KINDS
from crashtui.engine import Engine, run_until
from crashtui.model import Liquidation, SourceState
from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import FaultServer
from tests.reliability.support import assert_one_line, make_config

FAULTS = {
    "binance": Fault.SERVER_ERROR,  # prices, candles and depth primary
    "cnn": Fault.CLOUDFLARE,  # the only stock F&G source
    "farside": Fault.HANG,  # ETF primary
    "bybit_liq": Fault.STORM,  # one of three liquidation streams
}
EXPECTED_STATE = {
    "binance": {SourceState.FAILING},
    "cnn": {SourceState.BLOCKED},
    "farside": {SourceState.FAILING},
    "bybit_liq": {SourceState.FAILING, SourceState.CONNECTING},
}
FAST_POLLING = dict.fromkeys(KINDS, 0.5)


def _liquidations(engine: Engine, venue: str) -> int:
    return sum(1 for liq in engine.state.liquidations if isinstance(liq, Liquidation) and liq.venue == venue)


async def test_failing_sources_say_why_and_the_others_carry_on(fault_server: FaultServer) -> None:
    for source, fault in FAULTS.items():
        fault_server.set_fault(source, fault)
    engine = build_engine(make_config(fault_server, polling=FAST_POLLING), ("BTC", "ETH"), EngineOptions())

    def settled() -> bool:
        s = engine.state
        return (
            s.serving.get("prices") == "coinbase"
            and s.serving.get("candles") == "coinbase"
            and s.serving.get("etf") == "sosovalue"
            and "fear_crypto" in s.serving
            and all(
                s.statuses.get(name) and s.statuses[name].state in EXPECTED_STATE[name] for name in FAULTS
            )
            and _liquidations(engine, "binance") >= 3
            and _liquidations(engine, "okx") >= 3
        )

    assert await run_until(engine, settled, deadline_s=30), {
        k: (v.state, v.last_error) for k, v in engine.state.statuses.items()
    }
    statuses = engine.state.statuses
    for name in FAULTS:
        assert_one_line(statuses[name].last_error)
    assert "HTTP 5" in (statuses["binance"].last_error or "")
    assert statuses["cnn"].hint == "set [sources.cnn] base_url or disable the source"
    assert "read timeout" in (statuses["farside"].last_error or "")
    for name, status in statuses.items():
        if name in FAULTS:
            continue
        # ok, or a standby source never asked (pending); nobody else picked up an error
        assert status.state in (SourceState.OK, SourceState.PENDING), (name, status.state, status.last_error)
        assert status.last_error is None, (name, status.last_error)
    assert engine.state.serving.get("candles") == "coinbase"
    assert "depth" not in engine.state.serving  # Binance is its only source: nobody serves it
    assert "fear_stocks" not in engine.state.serving
    assert _liquidations(engine, "bybit") == 0


async def test_primaries_take_over_again_once_the_faults_clear(fault_server: FaultServer) -> None:
    for source, fault in FAULTS.items():
        fault_server.set_fault(source, fault)
    engine = build_engine(make_config(fault_server, polling=FAST_POLLING), ("BTC", "ETH"), EngineOptions())
    cleared = False

    def recovered() -> bool:
        nonlocal cleared
        s = engine.state
        if not cleared and s.serving.get("prices") == "coinbase" and s.serving.get("etf") == "sosovalue":
            fault_server.clear()
            cleared = True
        return (
            cleared
            and s.serving.get("prices") == "binance"
            and s.serving.get("depth") == "binance"
            and s.serving.get("etf") == "farside"
            and _liquidations(engine, "bybit") >= 1
            # a block is only retried after 15-30 min (see test_rest_faults), so CNN stays blocked
            and all(s.statuses[name].state is SourceState.OK for name in FAULTS if name != "cnn")
        )

    assert await run_until(engine, recovered, deadline_s=40), {
        k: (v.state, v.last_error) for k, v in engine.state.statuses.items() if k in FAULTS
    }
