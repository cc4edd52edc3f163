"""Never stuck after a bad run: ``--once`` after an outage asks the providers again, and a
corrupt history store is moved aside while the feed goes on. Run as real commands against
the loopback fault server."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
from pathlib import Path

from crashtui.catalog import SOURCES
from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import FaultServer
from tests.reliability.support import config_data, toml_text


async def run_once(config: Path, *extra: str) -> tuple[int, str, str]:
    env = {
        **os.environ,
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "crashtui",
        "--config",
        str(config),
        "--once",
        "--deadline",
        "5",
        *extra,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=90)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


def write_config(server: FaultServer, tmp_path: Path, store: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(toml_text(config_data(server, extra={"store": {"path": str(store)}})))
    return path


def outage(server: FaultServer) -> None:
    server.set_fault(None, Fault.SERVER_ERROR)
    for name, info in SOURCES.items():
        if info.stream:
            server.set_fault(name, Fault.STORM)


async def test_once_after_an_outage_makes_its_own_requests(fault_server: FaultServer, tmp_path: Path) -> None:
    store = tmp_path / "history.sqlite3"
    config = write_config(fault_server, tmp_path, store)
    outage(fault_server)
    code, out, err = await run_once(config)
    assert code == 3, err
    conn = sqlite3.connect(store)
    stored = dict(conn.execute("SELECT source, body FROM statuses").fetchall())
    conn.close()
    assert '"failing"' in stored["binance"]  # the outage is in the store's history
    fault_server.clear()
    before = len(fault_server.hits)
    code, out, err = await run_once(config)
    assert code == 0, out + err
    assert len(fault_server.hits) - before >= 5  # this run asked the providers itself
    sources_line = next(line for line in out.splitlines() if line.startswith("Sources:"))
    assert not sources_line.startswith("Sources: 0 ok")
    assert "stored history" not in out


async def test_once_during_an_outage_with_history_exits_3_and_says_so(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    store = tmp_path / "history.sqlite3"
    config = write_config(fault_server, tmp_path, store)
    code, _, err = await run_once(config)
    assert code == 0, err
    outage(fault_server)
    code, out, err = await run_once(config)
    assert code == 3, out + err  # stored prices are shown with their age, but nothing answered
    assert "No source answered in this run: the figures above are stored history." in out


async def test_a_corrupt_store_is_moved_aside_and_the_feed_goes_on(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    store = tmp_path / "history.sqlite3"
    store.write_bytes(b"SQLite format 3\x00" + b"\xff" * 8000)  # a damaged header, then garbage
    config = write_config(fault_server, tmp_path, store)
    code, _out, err = await run_once(config, "--json")
    assert code == 0, err
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("history.sqlite3.corrupt-")]
    assert len(moved) == 1
    lines = [line for line in err.splitlines() if "corrupt" in line]
    assert len(lines) == 1
    assert str(store) in lines[0]
    assert str(moved[0]) in lines[0]
    assert "Traceback" not in err
    conn = sqlite3.connect(store)
    assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert conn.execute("SELECT COUNT(*) FROM statuses").fetchone()[0] > 0  # the fresh store is written
    conn.close()
