"""ccxt's unified position structure → our Position (fake dicts in the shape of ccxt's docs)."""

from __future__ import annotations

from typing import Any

import pytest

from crashtui.exchanges.mapping import Skipped, crashtui_symbol, split_symbol, to_position
from crashtui.risk.position import MarginMode, Position, PositionSide, Venue
from tests.exchanges.fake_ccxt import BINANCE_BTC, BYBIT_INVERSE, BYBIT_PEPE, HYPERLIQUID_SOL, OKX_ETH

NOW = 1_765_000_000_000


def mapped(venue: Venue, raw: dict[str, Any]) -> Position:
    out = to_position(venue, raw, NOW)
    assert isinstance(out, Position), out
    return out


def test_binance_isolated_long() -> None:
    p = mapped(Venue.BINANCE, BINANCE_BTC)
    assert (p.symbol, p.side, p.qty, p.entry, p.leverage) == ("BTC", PositionSide.LONG, 0.5, 62000.0, 10.0)
    assert (p.margin, p.venue, p.venue_liquidation_price) == (MarginMode.ISOLATED, Venue.BINANCE, 56050.1)
    assert p.imported
    assert p.imported_ms == NOW
    assert p.opened_ms == NOW
    assert p.wallet_usd is None


def test_okx_contracts_times_contract_size_and_cross() -> None:
    p = mapped(Venue.OKX, OKX_ETH)
    assert p.qty == pytest.approx(1.5)  # 150 contracts of 0.01 ETH
    assert (p.side, p.margin) == (PositionSide.SHORT, MarginMode.CROSS)


def test_per_thousand_listing_becomes_the_coin() -> None:
    p = mapped(Venue.BYBIT, BYBIT_PEPE)
    assert p.symbol == "PEPE"
    assert p.qty == pytest.approx(1e8)
    assert p.entry == pytest.approx(0.0000123)
    assert p.venue_liquidation_price == pytest.approx(0.00001005)
    assert p.entry_notional == pytest.approx(1230.0)  # the same money as on the exchange


def test_hyperliquid_without_contract_size() -> None:
    p = mapped(Venue.HYPERLIQUID, HYPERLIQUID_SOL)
    assert (p.symbol, p.qty, p.leverage) == ("SOL", 30.0, 20.0)


@pytest.mark.parametrize(
    ("symbol", "expected"),
    [
        ("BTC/USDT:USDT", ("BTC", "USDT", "USDT")),
        ("SOL/USDC:USDC", ("SOL", "USDC", "USDC")),
        ("BTC/USDT", ("BTC", "USDT", None)),
        ("BTC/USDT:USDT-250328", ("BTC", "USDT", "USDT")),
    ],
)
def test_split_symbol(symbol: str, expected: tuple[str, str, str | None]) -> None:
    assert split_symbol(symbol) == expected


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("1000PEPE", ("PEPE", 1e3)),
        ("kPEPE", ("PEPE", 1e3)),
        ("1000000MOG", ("MOG", 1e6)),
        ("1INCH", ("1INCH", 1.0)),
    ],
)
def test_crashtui_symbol(base: str, expected: tuple[str, float]) -> None:
    assert crashtui_symbol(base) == expected


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (BYBIT_INVERSE, "inverse"),
        ({**BINANCE_BTC, "symbol": "BTC/USDT"}, "not a perpetual"),
        ({**BINANCE_BTC, "entryPrice": None}, "entry"),
        ({**BINANCE_BTC, "leverage": None, "notional": None}, "leverage none"),
        ({**BINANCE_BTC, "leverage": 0.5}, "leverage 0.5"),
        ({**BINANCE_BTC, "symbol": "ÄÖ/USDT:USDT"}, "cannot name"),
    ],
)
def test_what_is_skipped_and_why(raw: dict[str, Any], reason: str) -> None:
    out = to_position(Venue.BYBIT, raw, NOW)
    assert isinstance(out, Skipped)
    assert reason in str(out)
    assert str(out).startswith("bybit ")


@pytest.mark.parametrize("symbol", ["xyz-XYZ100/USDC:USDC", "flx-XMR/USDH:USDH", "xyz:NVDA/USDC:USDC"])
def test_builder_deployed_hyperliquid_markets_are_named_as_such(symbol: str) -> None:
    out = to_position(Venue.HYPERLIQUID, {**HYPERLIQUID_SOL, "symbol": symbol}, NOW)
    assert isinstance(out, Skipped)
    assert "HIP-3" in str(out)
    assert "inverse" not in str(out)


def test_a_market_settled_in_another_stablecoin_is_not_called_inverse() -> None:
    out = to_position(Venue.BYBIT, {**BINANCE_BTC, "symbol": "BTC/USDE:USDE"}, NOW)
    assert isinstance(out, Skipped)
    assert "settled in USDE" in str(out)
    assert "inverse" not in str(out)


def test_an_empty_slot_is_no_position_and_no_skip_line() -> None:
    for contracts in (0.0, None, "0"):
        assert to_position(Venue.BINANCE, {**BINANCE_BTC, "contracts": contracts}, NOW) is None


def test_leverage_falls_back_to_notional_over_margin() -> None:
    p = mapped(Venue.BINANCE, {**BINANCE_BTC, "leverage": None})
    assert p.leverage == pytest.approx(10.0)  # 31,000 / 3,100


def test_no_liquidation_price_reported_is_none() -> None:
    for value in (0.0, None, "", "nan"):
        assert (
            mapped(Venue.BINANCE, {**BINANCE_BTC, "liquidationPrice": value}).venue_liquidation_price is None
        )


def test_numbers_as_strings_are_read() -> None:
    raw = {**BINANCE_BTC, "contracts": "0.5", "entryPrice": "62000", "leverage": "10"}
    assert mapped(Venue.BINANCE, raw).qty == 0.5


def test_signed_size_without_side() -> None:
    raw = {**BINANCE_BTC, "side": None, "contracts": -0.5}
    p = mapped(Venue.BINANCE, raw)
    assert (p.side, p.qty) == (PositionSide.SHORT, 0.5)


def test_external_text_in_a_skip_reason_is_plain() -> None:
    out = to_position(Venue.OKX, {**BINANCE_BTC, "symbol": "X/\x1b[2JUSD:\x1b]52;c;Zm9v\x07EVIL"}, NOW)
    assert isinstance(out, Skipped)
    assert "\x1b" not in str(out)
