"""Venue tier payloads → :class:`~crashtui.risk.tiers.Tier` rows (pure; no IO).

The bundled ``tiers.json`` is checked against these in the tests, and a live refresh can use
them: Bybit ``risk-limit``, OKX ``position-tiers`` and Hyperliquid ``meta`` are keyless;
Binance ``leverageBracket`` needs a key.

* **Binance** brackets: ``notionalFloor``/``notionalCap`` (USDT), ``maintMarginRatio``, ``cum``
  (the deduction), ``initialLeverage``; numbers or numeric strings (ccxt and freqtrade keep the
  strings). ``GET /fapi/v1/leverageBracket`` answers an array of ``{symbol, brackets}``, or one
  such object when ``symbol`` is given.
* **Bybit** ``/v5/market/risk-limit``: each row's ``riskLimitValue`` is its cap, the floor is the
  previous row's cap. ``mmDeduction`` is ``""`` on the first tier (and in older answers on all):
  it is then derived, ``MMD_n = cap_(n−1) × (MMR_n − MMR_(n−1)) + MMD_(n−1)`` (Bybit "Margin
  Parameters"); a given value must agree with that to the cent.
* **OKX** ``/api/v5/public/position-tiers``: ``minSz``/``maxSz`` in **contracts**; × ``ctVal`` gives
  coins (BTC-USDT-SWAP 0.01 BTC). No deduction term.
* **Hyperliquid** margin tables (``meta.marginTables`` or ``{"type":"marginTable"}``): each tier
  is a ``lowerBound`` (USDC notional) and ``maxLeverage``; ``MMR = 1/(2 × maxLeverage)`` and the
  deduction follows the same recursion as Bybit's.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from crashtui.errors import ParseError
from crashtui.risk.tiers import Tier
from crashtui.sources.common import as_dict, as_list, load_json, num, parser
from crashtui.sources.okx_public import envelope_data


def _check(tiers: list[Tier], what: str) -> tuple[Tier, ...]:
    if not tiers:
        raise ParseError(f"{what}: no tiers")
    for i, tier in enumerate(tiers):
        if not 0.0 < tier.mmr < 1.0:
            raise ParseError(f"{what}: tier {i + 1}: maintenance rate {tier.mmr!r} is not a fraction")
        if tier.cap is not None and tier.cap <= tier.floor:
            raise ParseError(f"{what}: tier {i + 1}: cap {tier.cap:g} is not above floor {tier.floor:g}")
        if i and tiers[i - 1].cap != tier.floor:
            raise ParseError(f"{what}: tier {i + 1}: floor {tier.floor:g} is not the previous tier's cap")
        if tier.max_leverage < 1 or tier.deduction < 0:
            raise ParseError(f"{what}: tier {i + 1}: impossible leverage or deduction")
    return tuple(tiers)


def derived_deductions(floors: Iterable[float], mmrs: Iterable[float]) -> list[float]:
    """Deductions that keep the maintenance margin continuous across tier floors."""
    out: list[float] = []
    prev_mmr = 0.0
    for floor, mmr in zip(floors, mmrs, strict=True):
        out.append((out[-1] if out else 0.0) + floor * (mmr - prev_mmr))
        prev_mmr = mmr
    return out


@parser("binance leverage brackets")
def binance_bracket_tiers(brackets: list[Any]) -> tuple[Tier, ...]:
    """Tiers from one symbol's list of Binance bracket objects (numbers or numeric strings)."""
    rows = sorted(
        (as_dict(b, "bracket") for b in as_list(brackets, "brackets")),
        key=lambda b: num(b["notionalFloor"], "notionalFloor"),
    )
    tiers = [
        Tier(
            floor=num(b["notionalFloor"], "notionalFloor"),
            cap=num(b["notionalCap"], "notionalCap"),
            mmr=num(b["maintMarginRatio"], "maintMarginRatio"),
            deduction=num(b["cum"], "cum"),
            max_leverage=num(b["initialLeverage"], "initialLeverage"),
        )
        for b in rows
    ]
    return _check(tiers, "binance brackets")


@parser("binance leverageBracket")
def parse_binance_leverage_brackets(body: bytes) -> dict[str, tuple[Tier, ...]]:
    """``GET /fapi/v1/leverageBracket``: tiers by symbol (array, or one object with ``symbol``)."""
    data = load_json(body, "binance leverageBracket", "binance_futures")
    entries = [data] if isinstance(data, dict) else as_list(data, "binance leverageBracket")
    out: dict[str, tuple[Tier, ...]] = {}
    for entry in entries:
        entry = as_dict(entry, "binance leverageBracket entry")
        symbol = entry["symbol"]
        if not isinstance(symbol, str):
            raise ParseError("binance leverageBracket: symbol is not a string")
        out[symbol] = binance_bracket_tiers(entry["brackets"])
    return out


@parser("bybit risk-limit")
def parse_bybit_risk_limit(body: bytes) -> dict[str, tuple[Tier, ...]]:
    """``GET /v5/market/risk-limit?category=linear``: tiers by symbol."""
    data = as_dict(load_json(body, "bybit risk-limit", "bybit"), "bybit risk-limit")
    if data.get("retCode") != 0:
        raise ParseError(f"bybit risk-limit: retCode {data.get('retCode')!r}: {data.get('retMsg')!r}")
    rows_by_symbol: dict[str, list[dict[str, Any]]] = {}
    for row in as_list(as_dict(data["result"], "result")["list"], "list"):
        row = as_dict(row, "risk-limit row")
        rows_by_symbol.setdefault(str(row["symbol"]), []).append(row)
    out: dict[str, tuple[Tier, ...]] = {}
    for symbol, rows in rows_by_symbol.items():
        rows.sort(key=lambda r: num(r["riskLimitValue"], "riskLimitValue"))
        caps = [num(r["riskLimitValue"], "riskLimitValue") for r in rows]
        mmrs = [num(r["maintenanceMargin"], "maintenanceMargin") for r in rows]
        floors = [0.0, *caps[:-1]]
        derived = derived_deductions(floors, mmrs)
        tiers = []
        for i, row in enumerate(rows):
            given = row.get("mmDeduction")
            deduction = derived[i] if given in (None, "") else num(given, "mmDeduction")
            if abs(deduction - derived[i]) > 0.01:
                raise ParseError(
                    f"bybit risk-limit: {symbol} tier {i + 1}: mmDeduction {deduction:g} "
                    f"disagrees with the tiers ({derived[i]:g})"
                )
            tiers.append(Tier(floors[i], caps[i], mmrs[i], deduction, num(row["maxLeverage"], "maxLeverage")))
        out[symbol] = _check(tiers, f"bybit risk-limit {symbol}")
    return out


@parser("okx position-tiers")
def parse_okx_position_tiers(body: bytes, ct_val: dict[str, float]) -> dict[str, tuple[Tier, ...]]:
    """``GET /api/v5/public/position-tiers?instType=SWAP``: tiers by instFamily, bands in coins.

    ``ct_val`` maps instFamily (``BTC-USDT``) to the contract value in coins; a family without
    one is a ParseError (contracts cannot be turned into coins).
    """
    rows_by_family: dict[str, list[dict[str, Any]]] = {}
    for row in envelope_data(load_json(body, "okx position-tiers", "okx"), "okx position-tiers"):
        row = as_dict(row, "position-tiers row")
        rows_by_family.setdefault(str(row.get("instFamily") or row["uly"]), []).append(row)
    out: dict[str, tuple[Tier, ...]] = {}
    for family, rows in rows_by_family.items():
        if family not in ct_val or not (math.isfinite(ct_val[family]) and ct_val[family] > 0):
            raise ParseError(f"okx position-tiers: no contract value for {family}")
        size = ct_val[family]
        rows.sort(key=lambda r: num(r["minSz"], "minSz"))
        tiers = [
            Tier(
                floor=num(r["minSz"], "minSz") * size,
                cap=num(r["maxSz"], "maxSz") * size,
                mmr=num(r["mmr"], "mmr"),
                deduction=0.0,
                max_leverage=num(r["maxLever"], "maxLever"),
            )
            for r in rows
        ]
        out[family] = _check(tiers, f"okx position-tiers {family}")
    return out


@parser("hyperliquid margin table")
def hyperliquid_table_tiers(table: dict[str, Any]) -> tuple[Tier, ...]:
    """Tiers from one Hyperliquid margin table ``{"description", "marginTiers": [...]}``."""
    rows = as_list(as_dict(table, "margin table")["marginTiers"], "marginTiers")
    rows = sorted((as_dict(r, "margin tier") for r in rows), key=lambda r: num(r["lowerBound"], "lowerBound"))
    floors = [num(r["lowerBound"], "lowerBound") for r in rows]
    levs = [num(r["maxLeverage"], "maxLeverage") for r in rows]
    if any(lev < 1 for lev in levs):
        raise ParseError("hyperliquid margin table: maxLeverage below 1")
    mmrs = [1.0 / (2.0 * lev) for lev in levs]
    deductions = derived_deductions(floors, mmrs)
    caps: list[float | None] = [*floors[1:], None]
    tiers = [
        Tier(f, c, m, d, lev) for f, c, m, d, lev in zip(floors, caps, mmrs, deductions, levs, strict=True)
    ]
    return _check(tiers, "hyperliquid margin table")


@parser("hyperliquid meta")
def parse_hyperliquid_margin_tables(body: bytes) -> dict[int, tuple[Tier, ...]]:
    """Margin tables by id from ``{"type":"meta"}`` or the meta half of ``metaAndAssetCtxs``."""
    data = load_json(body, "hyperliquid meta", "hyperliquid")
    meta = as_dict(data[0] if isinstance(data, list) else data, "meta")
    out: dict[int, tuple[Tier, ...]] = {}
    for entry in as_list(meta["marginTables"], "marginTables"):
        ident, table = as_list(entry, "marginTables entry")
        if isinstance(ident, bool) or not isinstance(ident, int):
            raise ParseError("hyperliquid meta: margin table id is not an integer")
        out[ident] = hyperliquid_table_tiers(table)
    return out
