"""Margin-tier payload parsers: the real shapes, and hostile ones as one-line ParseErrors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crashtui.errors import ParseError, UpstreamError
from crashtui.risk.tiers import Tier
from crashtui.sources.margin_tiers import (
    derived_deductions,
    parse_binance_leverage_brackets,
    parse_bybit_risk_limit,
    parse_hyperliquid_margin_tables,
    parse_okx_position_tiers,
)

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_binance_doc_payload_is_an_array_of_symbols() -> None:
    # The doc example: ETHUSDT, one bracket 0–10,000 at 0.65 %, 75x, cum 0 (JSON numbers).
    parsed = parse_binance_leverage_brackets(fixture("binance_futures_leverage_bracket_doc.json"))
    assert parsed == {"ETHUSDT": (Tier(0.0, 10_000.0, 0.0065, 0.0, 75.0),)}


def test_binance_single_symbol_answer_is_a_bare_object() -> None:
    body = json.loads(fixture("binance_futures_leverage_bracket_doc.json"))[0]
    assert parse_binance_leverage_brackets(json.dumps(body).encode()) == parse_binance_leverage_brackets(
        fixture("binance_futures_leverage_bracket_doc.json")
    )


def test_bybit_first_tier_deduction_blank_is_derived() -> None:
    parsed = parse_bybit_risk_limit(fixture("bybit_risk_limit_linear_btcusdt_reconstructed.json"))
    tier1, tier2 = parsed["BTCUSDT"]
    assert tier1 == Tier(0.0, 300_000.0, 0.0033, 0.0, 150.0)
    # 300,000 × (0.005 − 0.0033) = 510, as the payload says.
    assert tier2 == Tier(300_000.0, 2_000_000.0, 0.005, 510.0, 100.0)


def test_bybit_rows_out_of_order_are_sorted_by_limit() -> None:
    body = json.loads(fixture("bybit_risk_limit_linear_btcusdt_reconstructed.json"))
    body["result"]["list"].reverse()
    assert parse_bybit_risk_limit(json.dumps(body).encode()) == parse_bybit_risk_limit(
        fixture("bybit_risk_limit_linear_btcusdt_reconstructed.json")
    )


def _bybit(mutate: str) -> bytes:
    body = json.loads(fixture("bybit_risk_limit_linear_btcusdt_reconstructed.json"))
    row = body["result"]["list"][1]
    if mutate == "deduction":
        row["mmDeduction"] = "999"
    elif mutate == "nan":
        row["maintenanceMargin"] = "NaN"
    elif mutate == "missing":
        del row["riskLimitValue"]
    elif mutate == "retcode":
        body["retCode"] = 10001
    elif mutate == "mmr":
        row["maintenanceMargin"] = "1.2"
        row["mmDeduction"] = ""
    return json.dumps(body).encode()


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        ("deduction", "mmDeduction 999 disagrees with the tiers (510)"),
        ("nan", "expected a finite number"),
        ("missing", "missing field 'riskLimitValue'"),
        ("retcode", "retCode 10001"),
        ("mmr", "is not a fraction"),
    ],
)
def test_bybit_hostile_payloads(mutate: str, message: str) -> None:
    with pytest.raises(ParseError) as info:
        parse_bybit_risk_limit(_bybit(mutate))
    assert message in str(info.value)


@pytest.mark.parametrize("body", [b"", b'{"retCode":0,"result":{"list":[{"symbol":"BTCUSDT"', b"[[[[" * 5000])
def test_truncated_or_absurd_bodies_are_parse_errors(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_bybit_risk_limit(body)
    with pytest.raises(ParseError):
        parse_binance_leverage_brackets(body)
    with pytest.raises(ParseError):
        parse_hyperliquid_margin_tables(body)


def test_okx_contracts_become_coins_and_need_a_contract_value() -> None:
    parsed = parse_okx_position_tiers(fixture("okx_position_tiers_swap_btc_usdt.json"), {"BTC-USDT": 0.01})
    assert parsed == {"BTC-USDT": (Tier(0.0, 10.0, 0.004, 0.0, 100.0),)}
    with pytest.raises(ParseError, match="no contract value for BTC-USDT"):
        parse_okx_position_tiers(fixture("okx_position_tiers_swap_btc_usdt.json"), {})
    with pytest.raises(ParseError, match="no contract value"):
        parse_okx_position_tiers(fixture("okx_position_tiers_swap_btc_usdt.json"), {"BTC-USDT": float("inf")})


def test_okx_error_envelope_is_an_upstream_error() -> None:
    body = b'{"code":"51000","msg":"Parameter instFamily error","data":[]}'
    with pytest.raises(UpstreamError, match="51000"):
        parse_okx_position_tiers(body, {})


def test_hyperliquid_meta_fixture_single_tier_table() -> None:
    # The docs' metaAndAssetCtxs example lists table 50: one tier from 0 at 50x → MMR 1/100.
    parsed = parse_hyperliquid_margin_tables(fixture("hyperliquid_meta_and_asset_ctxs.json"))
    assert parsed == {50: (Tier(0.0, None, 0.01, 0.0, 50.0),)}


def test_hyperliquid_zero_leverage_is_rejected() -> None:
    body = json.dumps(
        {
            "universe": [],
            "marginTables": [
                [3, {"description": "", "marginTiers": [{"lowerBound": "0", "maxLeverage": 0}]}]
            ],
        }
    ).encode()
    with pytest.raises(ParseError, match="maxLeverage below 1"):
        parse_hyperliquid_margin_tables(body)


def test_derived_deductions_keep_maintenance_continuous() -> None:
    # At each floor, MM by the lower tier equals MM by the upper one.
    floors, mmrs = [0.0, 50_000.0, 250_000.0], [0.004, 0.005, 0.01]
    deds = derived_deductions(floors, mmrs)
    assert deds == pytest.approx([0.0, 50.0, 1_300.0])  # the Binance FAQ's own check: 1,300
    for i in range(1, 3):
        assert floors[i] * mmrs[i - 1] - deds[i - 1] == pytest.approx(floors[i] * mmrs[i] - deds[i])
