"""``[[positions]]`` through the real loader: valid tables, and one-line errors per key path."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from crashtui.cli import main
from crashtui.config import load_config
from crashtui.config.schema import Config
from crashtui.risk.position import MarginMode, Position, PositionSide, Venue


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


ONE = """
[[positions]]
symbol = "BTC"
side = "long"
size = 0.5
entry = 96931.0
leverage = 5
"""


def test_a_file_holding_only_positions_is_valid_and_keeps_the_defaults(tmp_path: Path) -> None:
    config = load_config(str(write(tmp_path, ONE))).config
    assert config.positions == (Position("BTC", PositionSide.LONG, entry=96_931.0, leverage=5.0, size=0.5),)
    assert replace(config, source_file=None, positions=()) == Config()


def test_every_key(tmp_path: Path) -> None:
    text = """
[[positions]]
symbol = "ETH"
side = "short"
size_usd = 20000
entry = 3350.5
leverage = 3
margin = "cross"
venue = "bybit"
wallet_usd = 15000
opened = "2026-01-15T12:00Z"

[[positions]]
symbol = "BTC"
side = "long"
size = 1
entry = 60000
leverage = 20
margin = "cross"
venue = "bybit"
"""
    eth, btc = load_config(str(write(tmp_path, text))).config.positions
    assert eth.side is PositionSide.SHORT
    assert eth.size is None
    assert eth.size_usd == 20_000.0
    assert eth.margin is MarginMode.CROSS
    assert eth.venue is Venue.BYBIT
    assert eth.wallet_usd == 15_000.0
    assert eth.opened_ms == 1_768_478_400_000  # 2026-01-15T12:00:00Z
    assert btc.wallet_usd is None  # shares the bybit cross wallet given on ETH
    assert btc.venue is Venue.BYBIT


def test_no_positions_by_default() -> None:
    assert Config().positions == ()
    assert load_config(None, env={}).config.positions == ()


BASE = 'symbol = "BTC"\nside = "long"\nsize = 1\nentry = 60000\nleverage = 10\n'


def pos(extra: str = "", base: str = BASE, drop: str | None = None) -> str:
    lines = [line for line in base.splitlines() if drop is None or not line.startswith(f"{drop} =")]
    return "[[positions]]\n" + "\n".join(lines) + "\n" + extra


BAD = [
    pytest.param(
        pos() + pos() + pos(base=BASE.replace("leverage = 10", "leverage = 0.5")),
        "positions[2].leverage: expected a leverage of at least 1, got 0.5",
        id="leverage-below-1-third-table",
    ),
    pytest.param(
        pos(base=BASE.replace("10\n", "1000\n")),
        "positions[0].leverage: expected a leverage of at most 500",
        id="leverage-high",
    ),
    pytest.param(
        pos(base=BASE.replace("leverage = 10", "leverage = true")),
        "positions[0].leverage: expected a leverage, got boolean true",
        id="leverage-bool",
    ),
    pytest.param(
        pos(drop="leverage"),
        "positions[0].leverage: expected a leverage from 1 to 500, but the key is missing",
        id="leverage-missing",
    ),
    pytest.param(
        pos(drop="side"),
        "positions[0].side: expected 'long' or 'short', but the key is missing",
        id="side-missing",
    ),
    pytest.param(
        pos(base=BASE.replace('"long"', '"buy"')),
        "positions[0].side: unknown value 'buy'; expected one of: long, short",
        id="side-bad",
    ),
    pytest.param(
        pos(drop="symbol"),
        "positions[0].symbol: expected a symbol like 'BTC', but the key is missing",
        id="symbol-missing",
    ),
    pytest.param(
        pos(base=BASE.replace('"BTC"', '"btc"')),
        "positions[0].symbol: expected an upper-case symbol like 'BTC', got 'btc'",
        id="symbol-case",
    ),
    pytest.param(
        pos("size_usd = 5000\n"),
        "positions[0].size_usd: expected either size (coins) or size_usd, not both",
        id="both-sizes",
    ),
    pytest.param(
        pos(drop="size"),
        "positions[0].size: expected size (coins) or size_usd (USD at entry), but both are missing",
        id="no-size",
    ),
    pytest.param(
        pos(base=BASE.replace("size = 1", "size = -1")),
        "positions[0].size: expected a size in coins greater than 0, got -1",
        id="negative-size",
    ),
    pytest.param(
        pos(base=BASE.replace("size = 1", "size = 1e308")),
        "positions[0].size: expected a size in coins of at most 1e+12",
        id="huge-size",
    ),
    pytest.param(
        pos(base=BASE.replace("size = 1", "size = 1e6").replace("60000", "1e7")),
        "positions[0].size: expected a position worth at most $1e+12 at entry",
        id="huge-notional",
    ),
    pytest.param(
        pos(base=BASE.replace("60000", "nan")),
        "positions[0].entry: expected an entry price, got number nan",
        id="entry-nan",
    ),
    pytest.param(
        pos(base=BASE.replace("60000", "inf")),
        "positions[0].entry: expected an entry price, got number inf",
        id="entry-inf",
    ),
    pytest.param(
        pos(drop="entry"),
        "positions[0].entry: expected an entry price, but the key is missing",
        id="entry-missing",
    ),
    pytest.param(
        pos("wallet_usd = 1000\n"),
        'positions[0].wallet_usd: only applies to margin = "cross"',
        id="wallet-isolated",
    ),
    pytest.param(
        pos('margin = "crossed"\n'),
        "positions[0].margin: unknown value 'crossed' (did you mean 'cross'?)",
        id="margin-bad",
    ),
    pytest.param(
        pos('venue = "binanse"\n'),
        "positions[0].venue: unknown value 'binanse' (did you mean 'binance'?)",
        id="venue-typo",
    ),
    pytest.param(
        pos("levrage = 3\n"), "positions[0].levrage: unknown key (did you mean 'leverage'?)", id="unknown-key"
    ),
    pytest.param(
        "[positions]\nsymbol = 'BTC'\n",
        "positions: expected an array of tables ([[positions]]), got a table",
        id="not-an-array",
    ),
    pytest.param(
        pos("opened = 2026-01-15T12:00:00Z\n"),
        'positions[0].opened: expected an ISO time in quotes, like "2026-02-01T12:00Z"',
        id="opened-toml-datetime",
    ),
    pytest.param(
        pos('opened = "yesterday"\n'),
        "positions[0].opened: expected an ISO time like \"2026-02-01T12:00Z\", got 'yesterday'",
        id="opened-text",
    ),
    pytest.param(
        pos('opened = "1768478400"\n'), "positions[0].opened: expected an ISO time", id="opened-epoch-seconds"
    ),
    pytest.param(
        pos('opened = "2226-01-15"\n'),
        "positions[0].opened: expected a time between 2009 and 2100, got '2226-01-15'",
        id="opened-far-ahead",
    ),
    pytest.param(
        pos('margin = "cross"\nwallet_usd = 10000\n') + pos('margin = "cross"\nwallet_usd = 12000\n'),
        "positions[1].wallet_usd: expected 10000 as in positions[0] "
        "(cross positions on binance share one wallet), got 12000",
        id="wallet-mismatch",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_position_is_one_line_naming_the_key_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    assert main(["--config", str(path), "--check-config"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"crashtui: config error: {path}: ")
    assert expected in lines[0]
    assert captured.out == ""


def test_same_wallet_on_different_venues_is_fine(tmp_path: Path) -> None:
    text = pos('margin = "cross"\nwallet_usd = 10000\n') + pos(
        'margin = "cross"\nwallet_usd = 12000\nvenue = "okx"\n'
    )
    positions = load_config(str(write(tmp_path, text))).config.positions
    assert [p.wallet_usd for p in positions] == [10_000.0, 12_000.0]
