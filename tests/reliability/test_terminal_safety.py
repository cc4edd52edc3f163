"""Provider strings never drive the terminal: escapes and control bytes stop at crashtui's output.

Every provider string the fault server sends (fund names, classifications, error messages,
instrument names, timestamps) is prefixed with an OSC 52 clipboard write, a screen clear, a
title change and an 8-bit CSI, plus Rich markup. The headless outputs (``--once`` text and
JSON, ``crashtui sources``) run as real commands against it; their bytes must hold no ESC,
BEL or C1 control, raw or UTF-8 encoded. (Markup in the TUI is the UI suite's test: it
renders external text with markup off.)
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from pathlib import Path

import pytest

from crashtui.textsafe import plain
from tests.reliability.fault_modes import HOSTILE, Fault
from tests.reliability.fault_server import WS_SOURCES, FaultServer
from tests.reliability.support import config_data, toml_text

# ESC, BEL, and the C1 controls (CSI, OSC, DCS, ST...) raw and as UTF-8.
FORBIDDEN = [b"\x1b", b"\x07", b"\x9b", b"\x9d", b"\x90", b"\x9c"] + [
    bytes([0xC2, c]) for c in range(0x80, 0xA0)
]


def assert_terminal_safe(where: str, output: bytes) -> None:
    for seq in FORBIDDEN:
        assert seq not in output, f"{where} writes {seq!r} to the terminal"


async def crashtui(*args: str, config: Path) -> tuple[int, bytes, bytes]:
    env = {
        **os.environ,
        "HTTP_PROXY": "http://127.0.0.1:9",  # anything not on loopback goes nowhere
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "127.0.0.1,localhost",
        "PYTHONDONTWRITEBYTECODE": "1",
        "COLUMNS": "200",
    }
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "crashtui",
        "--config",
        str(config),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode is not None
    return proc.returncode, out, err


@pytest.fixture
def hostile_config(fault_server: FaultServer, tmp_path: Path) -> Path:
    fault_server.set_fault(None, Fault.INJECT)  # every source, REST and websocket
    for source in ("binance", "binance_futures", "cnn"):  # error messages carry it too
        fault_server.set_fault(source, Fault.ERROR_ENVELOPE, message=HOSTILE + "Invalid symbol.")
    path = tmp_path / "config.toml"
    fast = {"prices": 0.5, "candles": 1.0, "depth": 0.5, "funding": 0.5, "open_interest": 0.5}
    path.write_text(toml_text(config_data(fault_server, polling=fast)))
    return path


async def test_once_text_output_is_terminal_safe(fault_server: FaultServer, hostile_config: Path) -> None:
    code, out, err = await crashtui("--once", "--deadline", "3", "--no-store", config=hostile_config)
    assert code in (0, 3), err.decode()
    assert_terminal_safe("--once", out + err)
    assert b"Traceback" not in err
    assert b"pwned" in out  # the hostile text did arrive, and shows as inert text
    assert any(h.source in WS_SOURCES for h in fault_server.ws_hits)


async def test_once_json_output_is_terminal_safe(fault_server: FaultServer, hostile_config: Path) -> None:
    code, out, err = await crashtui(
        "--once", "--json", "--deadline", "3", "--no-store", config=hostile_config
    )
    assert code in (0, 3), err.decode()
    assert_terminal_safe("--once --json", out + err)
    document = json.loads(out)
    errors = " ".join(s["last_error"] or "" for s in document["sources"])
    assert "pwned" in errors  # the hostile text arrived, as inert text
    symbols = [name for w in document["liquidations"]["windows"].values() for name in w["by_symbol"]]
    assert all(name.isprintable() for name in symbols)  # hostile instrument names were rejected
    assert b"Traceback" not in err


async def test_sources_table_is_terminal_safe(fault_server: FaultServer, hostile_config: Path) -> None:
    code, out, err = await crashtui("sources", config=hostile_config)
    assert code == 3, err.decode()  # some sources answer with errors: exit 3 (a script can tell)
    assert_terminal_safe("crashtui sources", out + err)
    assert b"Invalid symbol." in out
    assert b"pwned" in out
    assert b"Traceback" not in err


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        "\x1bP1$r0m\x1b\\",  # DCS
        "\x1b_hidden\x1b\\",  # APC
        "\x9d52;c;AAAA\x9c",  # 8-bit OSC
        "line\nbreak\rreturn\u2028sep",
        "\u202eevil\u202c",  # bidi override
    ],
)
def test_plain_removes_every_terminal_control(text: str) -> None:
    cleaned = plain(text)
    assert_terminal_safe("plain()", cleaned.encode())
    assert cleaned.isprintable()
