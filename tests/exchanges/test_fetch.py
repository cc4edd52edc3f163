"""The import itself: ccxt only with credentials, every venue on its own, no credential shown."""

from __future__ import annotations

import logging
import sys
from typing import Any

import pytest

from crashtui.exchanges.fetch import import_positions, missing_ccxt_line
from crashtui.exchanges.keys import credentials_from_env
from crashtui.risk.position import Venue
from tests.exchanges.fake_ccxt import FAKE_KEY, FAKE_OKX, FAKE_SECRET, FAKE_WALLET, leaky_error, make_ccxt

NOW = 1_765_000_000_000
ALL = {
    "CRASHTUI_BINANCE_API_KEY": FAKE_KEY,
    "CRASHTUI_BINANCE_API_SECRET": FAKE_SECRET,
    "CRASHTUI_BYBIT_API_KEY": "fAkEbYbItKeY-5555",
    "CRASHTUI_BYBIT_API_SECRET": "fAkEbYbItSeCrEt-6666",
    "CRASHTUI_OKX_API_KEY": FAKE_OKX[0],
    "CRASHTUI_OKX_API_SECRET": FAKE_OKX[1],
    "CRASHTUI_OKX_API_PASSPHRASE": FAKE_OKX[2],
    "CRASHTUI_HYPERLIQUID_WALLET": FAKE_WALLET,
}
SECRETS = (FAKE_KEY, FAKE_SECRET, *FAKE_OKX, FAKE_WALLET, "fAkEbYbItKeY-5555", "fAkEbYbItSeCrEt-6666")


def test_without_credentials_ccxt_is_never_loaded() -> None:
    loaded: list[bool] = []

    def loader() -> Any:
        loaded.append(True)
        return make_ccxt()

    result = import_positions(credentials_from_env({}), lambda: NOW, loader=loader)
    assert loaded == []
    assert result.positions == ()
    assert result.errors == ()
    assert not result.failed


def test_every_venue_read_with_its_options() -> None:
    calls: list[tuple[str, dict[str, Any], Any]] = []
    result = import_positions(credentials_from_env(ALL), lambda: NOW, loader=lambda: make_ccxt(calls=calls))
    assert not result.failed
    assert [(p.venue, p.symbol) for p in result.positions] == [
        (Venue.BINANCE, "BTC"),
        (Venue.BYBIT, "PEPE"),
        (Venue.OKX, "ETH"),
        (Venue.HYPERLIQUID, "SOL"),
    ]
    assert [str(s) for v in result.venues for s in v.skipped] == [
        "bybit BTC/USD:BTC: skipped, settled in BTC (inverse): only USD(T/C) contracts"
    ]
    by_id = {c[0]: c for c in calls}
    assert by_id["binanceusdm"][1]["apiKey"] == FAKE_KEY
    assert by_id["okx"][1]["password"] == FAKE_OKX[2]
    assert by_id["okx"][2] == {"instType": "SWAP"}
    assert by_id["bybit"][2] == {"category": "linear", "settleCoin": "USDT"}
    assert by_id["hyperliquid"][1]["walletAddress"] == FAKE_WALLET
    assert "apiKey" not in by_id["hyperliquid"][1]
    assert all(c[1]["timeout"] == 15000 for c in calls)


def test_a_failing_venue_names_itself_and_never_a_credential(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    result = import_positions(
        credentials_from_env(ALL), lambda: NOW, loader=lambda: make_ccxt(fail={"binanceusdm": leaky_error})
    )
    assert result.failed
    assert [v.venue for v in result.venues if v.error] == [Venue.BINANCE]
    assert len(result.errors) == 1
    error = result.errors[0]
    assert error.startswith("binance: AuthenticationError: binanceusdm GET https://fapi.binance.com/")
    assert "Invalid API-key" in error
    assert {p.venue for p in result.positions} == {Venue.BYBIT, Venue.OKX, Venue.HYPERLIQUID}
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert "request" in logged  # the fake ccxt did log its request config
    for secret in SECRETS:
        assert secret not in error
        assert secret not in logged
        assert secret not in repr(result)


def test_missing_ccxt_is_one_line_naming_the_venues() -> None:
    env = {k: v for k, v in ALL.items() if "BINANCE" in k}
    result = import_positions(credentials_from_env(env), lambda: NOW, loader=lambda: None)
    assert result.failed
    assert result.errors == ("install crashtui[exchanges] to import positions from binance",)
    assert missing_ccxt_line([Venue.BINANCE, Venue.OKX, Venue.BYBIT]).endswith("binance, okx and bybit")


def test_the_default_loader_imports_ccxt_lazily(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt())
    env = {k: v for k, v in ALL.items() if "HYPERLIQUID" in k}
    result = import_positions(credentials_from_env(env), lambda: NOW)
    assert [p.symbol for p in result.positions] == ["SOL"]


def test_ccxt_not_installed_with_the_default_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)  # import ccxt raises ImportError
    env = {k: v for k, v in ALL.items() if "OKX" in k}
    result = import_positions(credentials_from_env(env), lambda: NOW)
    assert result.errors == ("install crashtui[exchanges] to import positions from okx",)


def test_half_set_credentials_are_reported_by_name() -> None:
    env = {"CRASHTUI_OKX_API_KEY": FAKE_OKX[0], "CRASHTUI_OKX_API_SECRET": FAKE_OKX[1]}
    result = import_positions(credentials_from_env(env), lambda: NOW, loader=lambda: None)
    assert result.errors == (
        "okx: CRASHTUI_OKX_API_PASSPHRASE is not set (its other credential variables are); not imported",
    )


def test_a_venue_answering_garbage_is_an_error_not_a_crash() -> None:
    env = {k: v for k, v in ALL.items() if "HYPERLIQUID" in k}
    module = make_ccxt()

    class Odd(module.hyperliquid):  # type: ignore[misc,name-defined]
        def fetch_positions(self, symbols: Any = None, params: Any = None) -> Any:
            return {"not": "a list"}

    module.hyperliquid = Odd  # type: ignore[attr-defined]
    result = import_positions(credentials_from_env(env), lambda: NOW, loader=lambda: module)
    assert result.errors == ("hyperliquid: unexpected answer (not a list of positions)",)
