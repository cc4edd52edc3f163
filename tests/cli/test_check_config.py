"""--check-config resolves every watchlist symbol and names what cannot be resolved, with the
exact names from the venues' instrument lists when they are cached (no network here)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crashtui.cli import main
from crashtui.config import load_config
from crashtui.config.symbols import UnresolvedSymbol, unresolved_symbols
from crashtui.paths import user_data_dir
from crashtui.sources import instruments
from crashtui.upstream.instrument_lists import VenueList, cache_path, write_cache

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FETCHED_MS = 1_770_336_000_000  # 2026-02-06


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    path.chmod(0o600)
    return path


def cache_fixture_lists() -> None:
    """The venues' real instrument-list fixtures, cached as ``crashtui symbols lookup`` would."""

    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    lists = {
        "binance": instruments.parse_binance_exchange_info(
            read("binance_spot_exchange_info_doc.json"), venue="binance"
        ),
        "binance_futures": instruments.parse_binance_exchange_info(
            read("binance_futures_exchange_info_btc_eth_reconstructed.json"), venue="binance_futures"
        ),
        "bybit": instruments.parse_bybit_instruments(read("bybit_instruments_info_linear.json")),
        "okx": instruments.parse_okx_instruments(read("okx_instruments_swap_reconstructed.json")),
        "coinbase": instruments.parse_coinbase_products(read("coinbase_products_reconstructed.json")),
        "hyperliquid": instruments.parse_hyperliquid_meta(read("hyperliquid_meta_and_asset_ctxs.json")),
    }
    write_cache(
        cache_path(user_data_dir()),
        {venue: VenueList(venue, listings, FETCHED_MS) for venue, listings in lists.items()},
    )


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
    assert 'add [symbols.PEPE] binance = "PEPEUSDT" (check the name: crashtui symbols lookup PEPE)' in err


def check_big_watchlist(tmp_path: Path, capsys: pytest.CaptureFixture[str], count: int) -> tuple[Path, str]:
    """``--check-config`` over one watchlist of ``count`` unmapped symbols (exit 2): the file
    and what it printed on stderr."""
    symbols = ", ".join(f'"S{i}X"' for i in range(count))
    path = write(tmp_path, f"[watchlists.big]\nsymbols = [{symbols}]\n")
    assert main(["--config", str(path), "--check-config"]) == 2
    return path, capsys.readouterr().err


def test_many_unmapped_symbols_take_six_lines_not_one_each(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = check_big_watchlist(tmp_path, capsys, 60)[1].splitlines()
    assert len(lines) == 6
    assert [line.split(": ")[4] for line in lines[:5]] == ["S0X", "S1X", "S2X", "S3X", "S4X"]
    assert lines[5].endswith(
        ": 55 more symbols without a mapping: S5X, S6X, S7X, S8X, S9X, S10X, S11X, S12X, S13X, S14X, …"
    )


def test_a_watchlist_past_the_symbol_limit_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, err = check_big_watchlist(tmp_path, capsys, 3000)
    expected = "watchlists.big.symbols: expected at most 100 symbols, got 3,000"
    assert err == f"crashtui: config error: {path}: {expected}\n"


def test_each_symbol_is_named_once_with_every_watchlist_that_holds_it(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[watchlists.a]\nsymbols = ["PEPE", "WIF"]\n[watchlists.b]\nsymbols = ["ETH", "PEPE"]\n',
    )
    assert unresolved_symbols(load_config(str(path)).config) == [
        UnresolvedSymbol("PEPE", ("a", "b")),
        UnresolvedSymbol("WIF", ("a",)),
    ]
    assert UnresolvedSymbol("PEPE", ("a", "b")).where == "watchlists.a, watchlists.b"


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


def test_cached_instrument_lists_give_the_exact_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cache_fixture_lists()
    path = write(tmp_path, '[watchlists.hl]\nsymbols = ["BTC", "HPOS", "PEPE"]\n')
    assert main(["--config", str(path), "--check-config"]) == 2
    hpos, pepe = capsys.readouterr().err.splitlines()
    # HPOS is on Hyperliquid's list (the fixture): the name to add comes from it, not a guess
    assert hpos.startswith(f"crashtui: config error: {path}: watchlists.hl: HPOS: no mapping for ")
    assert hpos.endswith(
        'add [symbols.HPOS] hyperliquid = "HPOS" (from the venues\' instrument lists of 2026-02-06)'
    )
    # PEPE is on none of the cached lists: said so, never a guessed PEPEUSDT
    assert "PEPE: no mapping" in pepe
    assert "not listed on binance, binance_futures, bybit, coinbase, hyperliquid, okx" in pepe
    assert "PEPEUSDT" not in pepe


def test_a_listing_per_1000_coins_is_never_a_mapping() -> None:
    from crashtui.commands.checkconfig import advice
    from crashtui.sources.instruments import Listing

    lists = {
        "binance_futures": VenueList(
            "binance_futures", (Listing("binance_futures", "1000PEPEUSDT", "PEPE", "USDT", 1000),), FETCHED_MS
        )
    }
    said = advice(UnresolvedSymbol("PEPE", ("meme",)), lists)
    assert said is not None
    assert said.startswith("1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale per-1,000 contracts yet")
    assert 'binance_futures = "1000PEPEUSDT"' not in said
    assert advice(UnresolvedSymbol("PEPE", ("meme",)), {}) is None  # no cache: the plain guess
