"""--once against sources that answer but refuse: it says so, never "no network?"."""

from __future__ import annotations

from pathlib import Path

from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import WS_SOURCES, FaultServer
from tests.reliability.support import FAST_NET, config_data, toml_text
from tests.reliability.test_terminal_safety import crashtui


def _config(server: FaultServer, tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    streams_off = {name: {"enabled": False} for name in WS_SOURCES}
    # no fault here stalls a read: a loaded machine must not turn a 429 into a read timeout
    net = {**FAST_NET, "read_timeout_s": 5.0}
    path.write_text(toml_text(config_data(server, sources=streams_off, net=net)))
    return path


async def test_once_names_throttled_and_blocked_sources(fault_server: FaultServer, tmp_path: Path) -> None:
    fault_server.set_fault(None, Fault.RATE_LIMIT, retry_after_s=240.0)
    fault_server.set_fault("binance", Fault.GEO_BLOCK)
    code, out, err = await crashtui(
        "--once", "--deadline", "3", "--no-store", config=_config(fault_server, tmp_path)
    )
    text = out.decode()
    assert code == 3, err.decode()
    assert "sources throttled or blocked" in text
    assert "no network" not in text.lower()
    assert "rate limited, retry in 4m" in text


async def test_once_says_no_network_when_nothing_answers(tmp_path: Path) -> None:
    # every source pointed at a port nothing listens on
    path = tmp_path / "config.toml"
    lines = ["[net]\nconnect_timeout_s = 0.5\nread_timeout_s = 0.5\n"]
    from crashtui.catalog import SOURCES

    for name, info in SOURCES.items():
        scheme = "ws" if info.stream else "http"
        lines.append(f'[sources.{name}]\nbase_url = "{scheme}://127.0.0.1:9/{name}"\n')
    path.write_text("\n".join(lines))
    code, out, _ = await crashtui("--once", "--deadline", "3", "--no-store", config=path)
    assert code == 3
    assert "No data from any source (no network?)" in out.decode()


async def test_once_json_says_why_each_source_failed(fault_server: FaultServer, tmp_path: Path) -> None:
    import json

    fault_server.set_fault(None, Fault.RATE_LIMIT, retry_after_s=240.0)
    fault_server.set_fault("binance", Fault.GEO_BLOCK)
    code, out, err = await crashtui(
        "--once", "--json", "--deadline", "3", "--no-store", config=_config(fault_server, tmp_path)
    )
    assert code == 3, err.decode()
    failures = {s["source"]: s["failure"] for s in json.loads(out)["sources"]}
    assert failures["binance"] == "blocked"
    assert failures["coinbase"] == "throttled"
