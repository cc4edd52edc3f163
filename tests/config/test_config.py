"""Config lookup, validation errors, secrets masking and the example file."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from crashtui.catalog import SOURCES
from crashtui.cli import main
from crashtui.config import load_config
from crashtui.config.schema import Config
from crashtui.symbols import PROVIDERS

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


def write(tmp_path: Path, text: str, name: str = "config.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_example_file_is_exactly_the_defaults() -> None:
    loaded = load_config(str(EXAMPLE))
    assert replace(loaded.config, source_file=None) == Config()


def test_example_file_lists_every_registered_source_as_the_registry_describes_it() -> None:
    """Adding a source is one catalog entry: the example file must show it, with its note."""
    text = EXAMPLE.read_text(encoding="utf-8")
    start = text.index("\n[sources.") + 1
    block = text[start : text.index("\n\n", start)].splitlines()
    width = max(len(name) for name in SOURCES) + len("[sources.]") + 1
    expected: list[str] = []
    for info in SOURCES.values():
        expected.append(f"{'[sources.' + info.name + ']':<{width}} # {info.config_note}".rstrip(" #"))
        expected.append("enabled = true")
    assert block == expected
    keys = text[text.index("# Keys: ") :].split(".", 1)[0].replace("#", " ")
    assert [k.strip() for k in keys.removeprefix("  Keys: ").split(",")] == list(PROVIDERS)


def test_no_file_gives_builtin_defaults() -> None:
    loaded = load_config(None, env={})
    assert loaded.path is None
    assert loaded.origin == "built-in defaults"
    assert loaded.config.watchlist().symbols[:2] == ("BTC", "ETH")


def test_lookup_order_cli_then_env_then_user_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    user_dir = Path(os.environ["CRASHTUI_CONFIG_DIR"])
    user_dir.mkdir(parents=True)
    write(user_dir, '[watchlists.u]\nsymbols = ["BTC"]\n')
    env_file = write(tmp_path, '[watchlists.e]\nsymbols = ["ETH"]\n', "env.toml")
    cli_file = write(tmp_path, '[watchlists.c]\nsymbols = ["SOL"]\n', "cli.toml")
    env = {"CRASHTUI_CONFIG": str(env_file)}
    assert load_config(str(cli_file), env=env).config.default_watchlist == "c"
    assert load_config(None, env=env).config.default_watchlist == "e"
    assert load_config(None, env={}).config.default_watchlist == "u"


def test_env_api_key_overrides_and_is_masked(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '[sources.coingecko]\napi_key = "CG-filekey-123456"\n')
    loaded = load_config(str(path), env={"CRASHTUI_COINGECKO_API_KEY": "CG-envkey-abcdef"})
    sc = loaded.config.source("coingecko")
    assert sc.api_key == "CG-envkey-abcdef"
    assert sc.api_key_from == "env"
    assert "envkey" not in repr(sc)
    assert main(["--config", str(path), "--check-config"]) == 0
    out = capsys.readouterr().out
    assert "CG-filekey-123456" not in out
    assert "****56" in out


def test_key_in_group_readable_file_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '[sources.fred]\napi_key = "abcdefabcdef"\n')
    path.chmod(0o644)
    assert main(["--config", str(path), "--check-config"]) == 0
    err = capsys.readouterr().err
    assert "readable by group/others" in err
    assert "chmod 600" in err
    assert "abcdefabcdef" not in err


def test_key_in_private_file_does_not_warn(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, '[sources.fred]\napi_key = "abcdefabcdef"\n')
    assert main(["--config", str(path), "--check-config"]) == 0
    assert capsys.readouterr().err == ""


BAD_CONFIGS = [
    pytest.param('[ui\ntheme = "dark"\n', r"config.toml:1:4: TOML syntax error", id="toml-syntax"),
    pytest.param("[ui]\ntheme = 3\n", "ui.theme: expected a string, got number 3", id="wrong-type"),
    pytest.param('[ui]\nthem = "dark"\n', "ui.them: unknown key (did you mean 'theme'?)", id="unknown-key"),
    pytest.param("[sourcs.binance]\n", "sourcs: unknown key (did you mean 'sources'?)", id="unknown-section"),
    pytest.param(
        '[watchlists]\ndefault = "majros"\n[watchlists.majors]\nsymbols = ["BTC"]\n',
        "watchlists.default: unknown watchlist 'majros' (did you mean 'majors'?)",
        id="unknown-default-watchlist",
    ),
    pytest.param(
        "[watchlists.empty]\nsymbols = []\n",
        "watchlists.empty.symbols: expected a non-empty array of strings, got an empty array",
        id="empty-watchlist",
    ),
    pytest.param(
        "[sources.binance]\npoll_interval_s = 0\n",
        "sources.binance.poll_interval_s: expected seconds greater than 0, got 0",
        id="non-positive-interval",
    ),
    pytest.param(
        "[polling]\nprices = -5\n",
        "polling.prices: expected seconds greater than 0, got -5",
        id="negative-kind-interval",
    ),
    pytest.param(
        '[sources.binance]\nbase_url = "data-api.binance.vision"\n',
        "sources.binance.base_url: expected an absolute URL starting with https:// or http://",
        id="malformed-url",
    ),
    pytest.param(
        '[sources.bybit_liq]\nbase_url = "https://stream.bybit.com"\n',
        "sources.bybit_liq.base_url: expected an absolute URL starting with wss:// or ws://",
        id="stream-url-scheme",
    ),
    pytest.param(
        "[sources.binanse]\nenabled = true\n",
        "sources.binanse: unknown source (did you mean 'binance'?)",
        id="unknown-source",
    ),
    pytest.param(
        '[ui]\ntheme = "drak"\n',
        "ui.theme: unknown value 'drak' (did you mean 'dark'?)",
        id="unknown-theme",
    ),
    pytest.param(
        '[failover]\nprices = ["binance", "fred"]\n',
        "failover.prices: unknown value 'fred'",
        id="failover-source-wrong-kind",
    ),
    pytest.param(
        "[zones.ETH]\nlevels = [1826, -1]\n",
        "zones.ETH.levels: expected prices greater than 0",
        id="negative-zone",
    ),
    pytest.param(
        "[analysis.gauge.bands]\nfunding = [1.0]\n",
        "analysis.gauge.bands.funding: expected two different numbers [calm, panic], got [1.0]",
        id="gauge-band",
    ),
    pytest.param(
        '[watchlists.m]\nsymbols = ["btc"]\n',
        "watchlists.m.symbols: expected upper-case symbols like 'BTC', got 'btc'",
        id="lowercase-symbol",
    ),
    pytest.param(  # its liquidations and open interest would be read per coin: 1,000x off
        '[symbols.PEPE]\nbinance = "PEPEUSDT"\nbinance_futures = "1000PEPEUSDT"\n',
        "symbols.PEPE.binance_futures: expected a per-coin instrument, got '1000PEPEUSDT': it quotes "
        "1,000 coins; crashtui does not scale per-1,000 listings yet",
        id="per-1000-listing",
    ),
    pytest.param(
        '[symbols.PEPE]\nhyperliquid = "kPEPE"\n',
        "symbols.PEPE.hyperliquid: expected a per-coin instrument, got 'kPEPE'",
        id="per-1000-hyperliquid",
    ),
    pytest.param(  # a terminal would act on the escape: shown as TOML writes it, never sent raw
        '[watchlists."\\u001b[2J"]\nsymbols = ["BTC"]\n',
        'watchlists."\\u001b[2J": expected a watchlist name of 1 to 40 printable characters',
        id="watchlist-name-escape",
    ),
    pytest.param(
        '[watchlists."\\u001b]8;;http://e\\u0007[red]W"]\nsymbols = ["BTC"]\n',
        'watchlists."\\u001b]8;;http://e\\u0007[red]W": expected a watchlist name',
        id="watchlist-name-osc8",
    ),
    pytest.param(
        f'[watchlists.{"w" * 41}]\nsymbols = ["BTC"]\n',
        f"watchlists.{'w' * 41}: expected a watchlist name of 1 to 40 printable characters",
        id="watchlist-name-long",
    ),
    pytest.param(
        '[symbols."\\u001b]8;;http://x\\u0007"]\nbinance = "X"\n',
        'symbols."\\u001b]8;;http://x\\u0007": expected an upper-case symbol',
        id="symbol-table-escape",
    ),
    pytest.param(
        '[watchlists."my list"]\nsymbols = ["btc"]\n',
        "watchlists.\"my list\".symbols: expected upper-case symbols like 'BTC', got 'btc'",
        id="quoted-key-path",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_bad_config_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    assert main(["--config", str(path), "--check-config"]) == 2
    captured = capsys.readouterr()
    err_lines = captured.err.strip().splitlines()
    assert len(err_lines) == 1, captured.err
    line = err_lines[0]
    assert line.startswith(f"crashtui: config error: {path}")
    assert expected in line
    assert "Traceback" not in captured.err
    assert "\x1b" not in captured.err
    assert captured.out == ""


def test_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--config", str(tmp_path / "nope.toml"), "--check-config"]) == 2
    assert "config file not found" in capsys.readouterr().err


def test_unknown_watchlist_flag(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--watchlist", "mjors", "--check-config"]) == 2
    assert "watchlist 'mjors' does not exist (did you mean 'majors'?)" in capsys.readouterr().err


def test_bad_config_in_a_real_process_has_no_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "[ui]\nmouse = 'yes'\n")
    proc = subprocess.run(
        [sys.executable, "-m", "crashtui", "--config", str(path), "--check-config"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert (
        proc.stderr.strip()
        == f"crashtui: config error: {path}: ui.mouse: expected true or false, got string 'yes'"
    )


def test_user_theme_is_a_valid_choice(tmp_path: Path) -> None:
    themes = Path(os.environ["CRASHTUI_CONFIG_DIR"]) / "themes"
    themes.mkdir(parents=True)
    (themes / "desk.toml").write_text(
        '[colors]\nprimary="#ffffff"\nbackground="#000000"\nforeground="#ffffff"\n'
    )
    path = write(tmp_path, '[ui]\ntheme = "desk"\n')
    assert load_config(str(path)).config.ui.theme == "desk"


def test_entry_points_agree() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "crashtui", "--version"], capture_output=True, text=True, check=True
    )
    from crashtui import __version__

    assert out.stdout.strip() == f"crashtui {__version__}"
