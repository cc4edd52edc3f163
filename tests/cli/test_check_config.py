"""--check-config resolves every watchlist symbol and names what cannot be resolved."""

from __future__ import annotations

from pathlib import Path

import pytest

from crashtui.cli import main
from crashtui.config import load_config
from crashtui.config.symbols import unresolved_symbols


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def test_the_default_config_resolves(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--check-config"]) == 0
    assert capsys.readouterr().out.startswith("config OK")


def test_an_unmapped_symbol_exits_2_naming_it_and_what_to_add(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, '[watchlists.meme]\nsymbols = ["BTC", "PEPE"]\n')
    assert main(["--config", str(path), "--check-config"]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"crashtui: config error: {path}: watchlists.meme: PEPE: no mapping for binance, ")
    assert "coinbase" in err
    assert "kraken_result" not in err  # not a provider anyone configures by hand
    assert 'add [symbols.PEPE] binance = "PEPEUSDT"' in err


def test_each_symbol_is_named_once_with_every_watchlist_that_holds_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[watchlists.a]\nsymbols = ["PEPE", "WIF"]\n[watchlists.b]\nsymbols = ["ETH", "PEPE"]\n',
    )
    lines = unresolved_symbols(load_config(str(path)).config)
    assert [line.split(": ")[:2] for line in lines] == [
        ["watchlists.a, watchlists.b", "PEPE"],
        ["watchlists.a", "WIF"],
    ]


def test_a_symbols_table_resolves_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        '[watchlists.meme]\nsymbols = ["BTC", "PEPE"]\n[symbols.PEPE]\ncoingecko = "pepe"\n',
    )
    assert main(["--config", str(path), "--check-config"]) == 0
    assert any(
        line.startswith("watchlist meme") and line.endswith(": BTC, PEPE")
        for line in capsys.readouterr().out.splitlines()
    )


def test_every_builtin_symbol_resolves() -> None:
    from crashtui.config.schema import Config, Watchlist
    from crashtui.symbols import BUILTIN

    config = Config(watchlists=(Watchlist("all", tuple(BUILTIN)),), default_watchlist="all")
    assert unresolved_symbols(config) == []
