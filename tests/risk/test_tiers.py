"""The bundled tier tables: the same numbers as the captured venue payloads, dated and sourced."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from crashtui.risk.position import Venue
from crashtui.risk.tiers import Band, TierDataError, TierTable, book_from_json, bundled_tiers
from crashtui.sources.margin_tiers import (
    binance_bracket_tiers,
    hyperliquid_table_tiers,
    parse_bybit_risk_limit,
    parse_okx_position_tiers,
)
from crashtui.streams.okx_rest import parse_okx_instruments

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TIERS_JSON = Path(__file__).resolve().parents[2] / "crashtui" / "risk" / "tiers.json"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def raw_book() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(TIERS_JSON.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("asset", ["BTC", "ETH", "SOL", "XRP", "BNB", "DOGE"])
def test_binance_tables_are_freqtrades_dated_brackets(asset: str) -> None:
    rows = json.loads(fixture("binance_leverage_tiers_freqtrade_20241024_excerpt.json"))[f"{asset}/USDT:USDT"]
    expected = binance_bracket_tiers([row["info"] for row in rows])
    table = bundled_tiers().tables[("binance", asset)]
    assert table.tiers == expected
    assert table.complete
    assert table.as_of == "2024-10-24"
    assert "3d9514d2660c42dfdbde517f7b421d1a5cf4f196" in table.source


@pytest.mark.parametrize("asset", ["BTC", "ETH", "SOL", "XRP", "BNB", "DOGE"])
def test_binance_cum_follows_the_faq_recursion(asset: str) -> None:
    # cum_n = floor_n × (MMR_n − MMR_(n−1)) + cum_(n−1) (FAQ check: 250,000 × (1 % − 0.5 %) + 50 = 1,300).
    tiers = bundled_tiers().tables[("binance", asset)].tiers
    cum, prev = 0.0, 0.0
    for tier in tiers:
        cum += tier.floor * (tier.mmr - prev)
        prev = tier.mmr
        assert tier.deduction == pytest.approx(cum, abs=0.01)


def test_bybit_btc_table_is_the_captured_risk_limit_and_partial() -> None:
    parsed = parse_bybit_risk_limit(fixture("bybit_risk_limit_linear_btcusdt_reconstructed.json"))
    table = bundled_tiers().tables[("bybit", "BTC")]
    assert table.tiers == parsed["BTCUSDT"]
    assert not table.complete
    assert table.as_of == "2026-09-25"
    assert "Partial" in table.note


def test_okx_tables_are_tier_1_in_coins_from_contracts() -> None:
    instruments = parse_okx_instruments(fixture("okx_instruments_swap_reconstructed.json"))
    ct_val = {
        "BTC-USDT": instruments["BTC-USDT-SWAP"].ct_val,
        "ETH-USDT": instruments["ETH-USDT-SWAP"].ct_val,
    }
    dated = parse_okx_position_tiers(fixture("okx_position_tiers_swap_btc_eth_usdt_20260925.json"), ct_val)
    undated = parse_okx_position_tiers(fixture("okx_position_tiers_swap_btc_usdt.json"), ct_val)
    book = bundled_tiers()
    assert book.tables[("okx", "BTC")].tiers == dated["BTC-USDT"] == undated["BTC-USDT"]
    assert book.tables[("okx", "ETH")].tiers == dated["ETH-USDT"]
    # 1000 contracts × 0.01 BTC and 5000 × 0.1 ETH.
    assert book.tables[("okx", "BTC")].tiers[0].cap == pytest.approx(10.0)
    assert book.tables[("okx", "ETH")].tiers[0].cap == pytest.approx(500.0)
    assert all(
        book.tables[("okx", a)].band is Band.SIZE and not book.tables[("okx", a)].complete
        for a in ("BTC", "ETH")
    )


def test_hyperliquid_tables_follow_the_margin_table_rule() -> None:
    tables = json.loads(fixture("hyperliquid_margin_tables_btc_eth_reconstructed.json"))
    book = bundled_tiers()
    for asset in ("BTC", "ETH"):
        bundled = book.tables[("hyperliquid", asset)].tiers
        parsed = hyperliquid_table_tiers(tables[asset])
        assert len(bundled) == len(parsed)
        for mine, theirs in zip(bundled, parsed, strict=True):
            assert mine.floor == theirs.floor
            assert mine.cap == theirs.cap
            assert mine.mmr == pytest.approx(theirs.mmr, rel=1e-12)
            assert mine.deduction == pytest.approx(theirs.deduction, abs=0.01)
    # BTC: 150M × (2.5 % − 1.25 %) = 1,875,000; ETH: 100M × (1/30 − 2 %) = 1,333,333.33.
    assert book.tables[("hyperliquid", "BTC")].tiers[1].deduction == 1_875_000
    assert book.tables[("hyperliquid", "ETH")].tiers[1].deduction == pytest.approx(1_333_333.33, abs=0.01)


def test_every_table_is_dated_sourced_and_each_venue_covers_btc_and_eth() -> None:
    book = bundled_tiers()
    for venue in Venue:
        for asset in ("BTC", "ETH"):
            table = book.own_table(venue, asset)
            if table is None:
                # Missing tables are named in the data, never silently absent.
                assert (venue.value, asset) in book.missing
                continue
            assert table.as_of[:2] == "20"
            assert table.source
    assert book.own_table(Venue.BYBIT, "ETH") is None


def test_venue_rules_carry_the_formula_differences() -> None:
    rules = bundled_tiers().rules
    assert rules[Venue.BYBIT].mm_at_entry_isolated
    assert not rules[Venue.BINANCE].mm_at_entry_isolated
    assert rules[Venue.OKX].fee_in_mm == 0.0005
    assert rules[Venue.HYPERLIQUID].fee_in_mm == 0.0


def test_table_index_of_partial_and_complete() -> None:
    book = bundled_tiers()
    bybit = book.tables[("bybit", "BTC")]
    assert bybit.index_of(299_999.0) == 0
    assert bybit.index_of(300_000.0) == 1  # floor inclusive, cap exclusive
    assert bybit.index_of(2_000_000.0) is None  # past a partial table
    binance = book.tables[("binance", "BTC")]
    assert binance.index_of(5e9) == len(binance.tiers) - 1
    assert binance.beyond_top(5e9)
    assert not binance.beyond_top(1e9)


def test_table_for_names_the_fallback() -> None:
    book = bundled_tiers()
    assert book.table_for(Venue.HYPERLIQUID, "BTC").fallback is None
    sol = book.table_for(Venue.HYPERLIQUID, "SOL")
    assert sol.table.table_id == "binance:SOL"
    assert sol.fallback == "no hyperliquid tiers bundled for SOL; used binance:SOL tiers (2024-10-24) instead"
    unknown = book.table_for(Venue.BINANCE, "WIF")
    assert unknown.table.table_id == "generic:*"
    assert unknown.fallback is not None
    assert "MMR 1.50%" in unknown.fallback


def _broken(path: list[str | int], value: object) -> dict[str, Any]:
    data = copy.deepcopy(raw_book())
    node: Any = data
    for key in path[:-1]:
        node = node[key]
    if value is KeyError:
        del node[path[-1]]
    else:
        node[path[-1]] = value
    return data


BTC = ["venues", "binance", "tables", "BTC"]


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        pytest.param(
            [*BTC, "tiers", 0, "mmr"], float("nan"), "tiers[0].mmr: expected a finite number", id="nan"
        ),
        pytest.param([*BTC, "tiers", 0, "mmr"], 1.5, "expected a fraction between 0 and 1", id="mmr>1"),
        pytest.param(
            [*BTC, "tiers", 1, "floor"], 40_000, "tiers[1].floor: expected the previous tier's cap", id="gap"
        ),
        pytest.param(
            [*BTC, "tiers", 2, "mmr"], 0.001, "tiers[2].mmr: expected more than the previous", id="order"
        ),
        pytest.param([*BTC, "as_of"], "Oct 2024", "as_of: expected a date YYYY-MM-DD", id="date"),
        pytest.param([*BTC, "source"], " ", "source: expected where the table comes from", id="no-source"),
        pytest.param([*BTC, "band"], "usd", "band: expected 'notional' or 'size'", id="band"),
        pytest.param([*BTC, "tiers"], [], "tiers: expected a non-empty list", id="empty"),
        pytest.param(
            [*BTC, "tiers", 0, "cap"], None, "tiers[0].cap: only the last tier may be open-ended", id="open"
        ),
        pytest.param(["venues", "okx", "fee_in_mm"], 0.5, "fee_in_mm: expected a rate", id="fee"),
        pytest.param(["venues", "okx"], KeyError, "tiers.venues: missing 'okx'", id="no-venue"),
        pytest.param(["fallback_venue"], "kraken", "unknown venue 'kraken'", id="fallback"),
        pytest.param([*BTC, "tiers", 0, "deduction"], True, "deduction: expected a finite number", id="bool"),
    ],
)
def test_malformed_tier_data_is_a_one_line_error(path: list[str | int], value: object, message: str) -> None:
    with pytest.raises(TierDataError, match=None) as info:
        book_from_json(_broken(path, value))
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_the_bundled_file_round_trips() -> None:
    book = book_from_json(raw_book())
    assert book == bundled_tiers()
    assert isinstance(book.generic, TierTable)
