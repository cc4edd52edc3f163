"""``crashtui positions import``: output, exit codes, and no credential anywhere."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from crashtui.cli import main
from tests.exchanges.fake_ccxt import BINANCE_BTC, FAKE_KEY, FAKE_SECRET, FAKE_WALLET, leaky_error, make_ccxt

ROOT = Path(__file__).resolve().parents[2]
BINANCE = {"CRASHTUI_BINANCE_API_KEY": FAKE_KEY, "CRASHTUI_BINANCE_API_SECRET": FAKE_SECRET}


@pytest.fixture
def binance_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in BINANCE.items():
        monkeypatch.setenv(name, value)


def _files_text(root: Path) -> str:
    return "\n".join(p.read_text(errors="replace") for p in root.rglob("*") if p.is_file())


def test_prints_one_line_per_position(
    binance_keys: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    empty_slot = {**BINANCE_BTC, "symbol": "ETH/USDT:USDT", "contracts": 0.0}  # listed, not open
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt(answers={"binanceusdm": [BINANCE_BTC, empty_slot]}))
    assert main(["positions", "import"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines() == [
        "binance BTC long 0.5 @ 62,000 10x isolated · liq (est) 56,024 · binance liq 56,050"
    ]
    assert err == ""


def test_json_lists_positions_with_both_liquidation_prices(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRASHTUI_OKX_API_KEY", "k" * 20)
    monkeypatch.setenv("CRASHTUI_OKX_API_SECRET", "s" * 20)
    monkeypatch.setenv("CRASHTUI_OKX_API_PASSPHRASE", "p" * 20)
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt())
    assert main(["positions", "import", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    [eth] = doc["positions"]
    assert (eth["venue"], eth["symbol"], eth["side"], eth["size"]) == ("okx", "ETH", "short", 1.5)
    assert eth["exchange_liquidation_price"] == 4980.5
    assert eth["liquidation_price"] == pytest.approx(3554.0, abs=1)  # cross without wallet: nearer
    assert eth["liquidation_differs"] is True
    assert doc["errors"] == []
    assert doc["fetched_at"].endswith("Z")


def test_no_positions_is_exit_0(
    binance_keys: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt(answers={}))
    assert main(["positions", "import"]) == 0
    assert capsys.readouterr().out.strip() == "no open positions on binance"


def test_without_keys_says_which_variables(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["positions", "import"]) == 0
    err = capsys.readouterr().err
    assert "no exchange credentials in the environment" in err
    assert "CRASHTUI_HYPERLIQUID_WALLET" in err


def test_missing_ccxt_is_one_line_and_exit_3(
    binance_keys: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)
    assert main(["positions", "import"]) == 3
    out, err = capsys.readouterr()
    assert err == "crashtui: install crashtui[exchanges] to import positions from binance\n"
    assert "Traceback" not in out + err


def test_failing_venue_exit_3_and_the_key_is_nowhere(
    binance_keys: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("CRASHTUI_HYPERLIQUID_WALLET", FAKE_WALLET)
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt(fail={"binanceusdm": leaky_error}))
    monkeypatch.chdir(tmp_path)
    assert main(["positions", "import", "--json"]) == 3
    out, err = capsys.readouterr()
    [line] = err.splitlines()
    assert line.startswith("crashtui: binance: AuthenticationError:")
    doc = json.loads(out)
    assert [p["symbol"] for p in doc["positions"]] == ["SOL"]  # the other venue still read
    assert doc["errors"] == [line.removeprefix("crashtui: ")]
    home = Path(os.environ["CRASHTUI_DATA_DIR"]).parent
    written = _files_text(home) + _files_text(tmp_path)
    for secret in (FAKE_KEY, FAKE_SECRET, FAKE_WALLET):
        assert secret not in out + err
        assert secret not in written


def test_startup_never_imports_ccxt_even_with_keys(tmp_path: Path) -> None:
    """A stand-in ccxt package on the path leaves a mark when imported: start-up must not, the
    import command must (so the check can fail)."""
    package = tmp_path / "site" / "ccxt"
    package.mkdir(parents=True)
    marker = tmp_path / "imported"
    (package / "__init__.py").write_text(
        f"open({str(marker)!r}, 'a').write('x')\n"
        "class binanceusdm:\n"
        "    def __init__(self, config): pass\n"
        "    def fetch_positions(self, symbols=None, params=None): return []\n"
    )
    env = {
        **os.environ,
        **BINANCE,
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(tmp_path / "site")]),
    }
    importtime = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import crashtui.cli; crashtui.cli.build_parser()"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ccxt" not in importtime.stderr
    check = [sys.executable, "-c", "import sys; from crashtui.cli import main; sys.exit(main(sys.argv[1:]))"]
    subprocess.run([*check, "--check-config"], env=env, capture_output=True, check=True)
    assert not marker.exists()
    done = subprocess.run([*check, "positions", "import"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert marker.exists()


def test_once_json_never_imports_nor_shows_the_keys(
    binance_keys: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    calls: list[Any] = []
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt(calls=calls))
    config = tmp_path / "config.toml"
    config.write_text(
        '[[positions]]\nsymbol = "BTC"\nside = "long"\nsize = 0.5\nentry = 70000.0\nleverage = 5\n'
    )
    argv = [
        "--config",
        str(config),
        "--once",
        "--json",
        "--replay",
        "feb-2026",
        "--until",
        "2026-02-06T14:00Z",
    ]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert [(p["symbol"], p["imported"]) for p in doc["positions"]] == [("BTC", False)]
    assert calls == []
    assert FAKE_KEY not in out + err
    assert FAKE_SECRET not in out + err
