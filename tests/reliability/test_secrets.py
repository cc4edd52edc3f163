"""API keys never leave the request: not in logs, errors, statuses, outputs, recordings or the store.

Keys are set the two documented ways (``[sources.NAME] api_key`` and
``CRASHTUI_<SOURCE>_API_KEY``); the fault server echoes every key it receives back, in good
bodies and in 401 error bodies, so a leak anywhere downstream shows up. Each test also
checks the server did receive the key: a key that was never sent proves nothing.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

from crashtui.assemble import EngineOptions, build_engine
from crashtui.cli import main
from crashtui.config.parse import parse_config
from crashtui.engine import run_until
from crashtui.events import Event
from crashtui.headless.document import build_document
from crashtui.headless.once import text_summary
from crashtui.themes import theme_names
from tests.reliability.fault_modes import Fault
from tests.reliability.fault_server import FaultServer
from tests.reliability.support import config_data, toml_text

CONFIG_KEYS = {"coingecko": "CG-reliab1l1ty-c0nfig-KEY-7f3a", "fred": "f4e2d0c8b6a492817263544536271809"}
ENV_KEYS = {"sosovalue": "SOSO-reliab1l1ty-env-KEY-91c4"}
ALL_KEYS = {**CONFIG_KEYS, **ENV_KEYS}
KEYED = tuple(ALL_KEYS)
FAST_POLLING = {"prices": 0.3, "candles": 0.5, "etf": 0.3, "macro": 0.3}
KEYED_FAILOVER = {"prices": ["coingecko"], "candles": ["coingecko"], "etf": ["sosovalue"], "macro": ["fred"]}


def keyed_config_data(server: FaultServer) -> dict[str, Any]:
    return config_data(
        server,
        polling=FAST_POLLING,
        sources={name: {"api_key": key} for name, key in CONFIG_KEYS.items()},
        extra={"failover": KEYED_FAILOVER},
    )


def env_with_keys() -> dict[str, str]:
    return {f"CRASHTUI_{name.upper()}_API_KEY": key for name, key in ENV_KEYS.items()}


def assert_no_key(where: str, text: str | bytes) -> None:
    blob = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    for name, key in ALL_KEYS.items():
        assert key not in blob, f"the {name} API key leaked into {where}"


def assert_keys_were_sent(server: FaultServer) -> None:
    assert set(ALL_KEYS.values()) <= server.keys_seen, "a key never reached the provider: test proves nothing"


async def test_a_live_engine_never_leaks_a_key(
    fault_server: FaultServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    for source in KEYED:
        fault_server.set_fault(source, Fault.ECHO_KEY)
    config = parse_config(
        keyed_config_data(fault_server), "(secrets)", themes=tuple(theme_names()), env=env_with_keys()
    )
    store, recording = tmp_path / "history.sqlite3", tmp_path / "session.jsonl.gz"
    engine = build_engine(config, ("BTC", "ETH"), EngineOptions(store_path=store, record_path=recording))
    seen: list[Event] = []

    class Spy:
        """A sink that keeps every event the engine applied."""

        def __call__(self, event: Event) -> None:
            seen.append(event)

        async def run(self) -> None:
            return None

        async def aclose(self) -> None:
            return None

    engine.add_sink(Spy())
    enough = await run_until(engine, lambda: all(fault_server.count(s) >= 4 for s in KEYED), deadline_s=30)
    assert enough, {s: fault_server.count(s) for s in KEYED}
    assert_keys_were_sent(fault_server)

    # the echoed 401 reached a status, masked: the error path was exercised
    assert any("Invalid API key ***" in repr(e) for e in seen)
    assert_no_key("events and statuses", "\n".join(repr(e) for e in seen))
    analysis = engine.analysis()
    snapshot = engine.state.snapshot()
    document = build_document(snapshot, analysis, header=None, serving=snapshot.serving)
    assert_no_key("the --once JSON document", json.dumps(document, ensure_ascii=False))
    assert_no_key("the --once text summary", text_summary(engine, analysis))
    assert_no_key("log records", "\n".join(f"{r.name} {r.getMessage()}" for r in caplog.records))
    with gzip.open(recording, "rb") as fh:
        recorded = fh.read()
    assert b'"src": "coingecko"' in recorded or b'"src":"coingecko"' in recorded
    assert_no_key("the recording", recorded)
    for part in tmp_path.glob("history.sqlite3*"):
        assert_no_key(f"the store ({part.name})", part.read_bytes())


def test_check_config_masks_keys_from_file_and_env(
    fault_server: FaultServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = tmp_path / "config.toml"
    path.write_text(toml_text(keyed_config_data(fault_server)))
    path.chmod(0o600)
    for name, value in env_with_keys().items():
        monkeypatch.setenv(name, value)
    assert main(["--config", str(path), "--check-config"]) == 0
    out = capsys.readouterr()
    assert f"api_key ****{CONFIG_KEYS['coingecko'][-2:]} (from config)" in out.out
    assert f"api_key ****{ENV_KEYS['sosovalue'][-2:]} (from env)" in out.out
    assert_no_key("--check-config", out.out + out.err)


def test_config_errors_next_to_a_key_do_not_print_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    key = CONFIG_KEYS["coingecko"]
    path = tmp_path / "config.toml"
    for body in (
        f'[sources.coingecko]\napi_kye = "{key}"\n',  # a typo in the key name
        f'[sources.coingecko]\napi_key = "{key}"\nbase_url = "ftp://x"\n',  # another error in the table
        f'[sources.coingecko]\napi_key = "{key}\n',  # a TOML syntax error on the key's line
    ):
        path.write_text(body)
        assert main(["--config", str(path), "--check-config"]) == 2
        out = capsys.readouterr()
        assert out.err.startswith("crashtui: config error:")
        assert_no_key("a config error", out.out + out.err)


async def test_once_json_from_the_command_line_never_prints_a_key(
    fault_server: FaultServer, tmp_path: Path
) -> None:
    for source in KEYED:
        fault_server.set_fault(source, Fault.ECHO_KEY)
    path = tmp_path / "config.toml"
    path.write_text(toml_text(keyed_config_data(fault_server)))
    path.chmod(0o600)
    env = {
        **os.environ,
        **env_with_keys(),
        # Belt and braces: anything not on loopback would go to a dead proxy.
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
        str(path),
        "--once",
        "--json",
        "--deadline",
        "4",
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    out, err = await asyncio.wait_for(proc.communicate(), timeout=60)
    assert proc.returncode == 0, err.decode()
    assert_keys_were_sent(fault_server)
    assert_no_key("--once --json stdout", out)
    assert_no_key("--once --json stderr", err)
    assert b"Traceback" not in err
    document = json.loads(out)
    states = {s["source"]: s for s in document["sources"]}
    assert set(KEYED) <= set(states)
