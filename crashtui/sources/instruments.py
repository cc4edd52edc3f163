"""Instrument lists of the venues, read into one shape for symbol lookup.

Each venue lists what it trades with its own names and quirks (tests/fixtures/README.md):

* Binance spot ``/api/v3/exchangeInfo``: ``symbols[]`` with ``baseAsset``/``quoteAsset`` and
  ``status`` (``TRADING``); Binance futures ``/fapi/v1/exchangeInfo`` the same plus
  ``contractType`` (only ``PERPETUAL`` counts: quarterlies share the pair).
* Bybit ``/v5/market/instruments-info?category=linear``: ``result.list[]`` with
  ``baseCoin``/``quoteCoin``, ``contractType`` ``LinearPerpetual``, ``status`` ``Trading``
  (``PreLaunch`` rows are pre-market).
* OKX ``/api/v5/public/instruments?instType=SWAP``: ``data[]``; the coin is ``ctValCcy`` for
  linear swaps, the quote the tail of ``instFamily``; ``state`` ``live``.
* Coinbase ``/products``: a bare array; ``base_currency``/``quote_currency``; delisted products
  stay listed (keep ``status == "online"`` and not ``trading_disabled``/``cancel_only``).
* Hyperliquid ``{"type": "meta"}`` (or the ``meta`` half of ``metaAndAssetCtxs``):
  ``universe[].name``; ``isDelisted`` marks the dead ones.

Low-priced coins are listed per 1,000 (or 1,000,000) units on the derivatives venues
(``1000PEPEUSDT`` on Binance and Bybit, ``kPEPE`` on Hyperliquid): such a listing's price is
that many coins' price, so it carries its ``multiplier`` and is never taken as a plain match.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crashtui.sources.common import as_dict, as_list, load_json, parser
from crashtui.symbols import split_multiplier

__all__ = [
    "Listing",
    "parse_binance_exchange_info",
    "parse_bybit_instruments",
    "parse_coinbase_products",
    "parse_hyperliquid_meta",
    "parse_okx_instruments",
    "split_multiplier",
]


@dataclass(frozen=True, slots=True)
class Listing:
    """One tradable instrument: ``name`` on ``venue`` (a symbol-table key) is ``multiplier``
    units of ``base`` quoted in ``quote``."""

    venue: str
    name: str
    base: str
    quote: str
    multiplier: int = 1


def _listing(venue: str, name: Any, base: Any, quote: Any) -> Listing:
    coin, multiplier = split_multiplier(str(base))
    return Listing(venue, str(name), coin.upper(), str(quote).upper(), multiplier)


@parser("binance exchangeInfo")
def parse_binance_exchange_info(body: bytes, *, venue: str = "binance") -> tuple[Listing, ...]:
    """Trading spot pairs (``venue="binance"``) or perpetuals (``venue="binance_futures"``)."""
    rows = as_list(
        as_dict(load_json(body, "binance exchangeInfo", venue), "exchangeInfo")["symbols"], "symbols"
    )
    out = []
    for row in rows:
        r = as_dict(row, "symbols[]")
        if r["status"] != "TRADING" or r.get("contractType", "PERPETUAL") != "PERPETUAL":
            continue
        out.append(_listing(venue, r["symbol"], r["baseAsset"], r["quoteAsset"]))
    return tuple(out)


@parser("bybit instruments-info")
def parse_bybit_instruments(body: bytes) -> tuple[Listing, ...]:
    """Trading linear perpetuals."""
    data = as_dict(load_json(body, "bybit instruments-info", "bybit"), "instruments-info")
    if data.get("retCode") not in (0, "0"):
        raise ValueError(f"retCode {data.get('retCode')}: {str(data.get('retMsg'))[:80]}")
    out = []
    for row in as_list(as_dict(data["result"], "result")["list"], "result.list"):
        r = as_dict(row, "list[]")
        if r["status"] != "Trading" or r.get("contractType") != "LinearPerpetual":
            continue
        out.append(_listing("bybit", r["symbol"], r["baseCoin"], r["quoteCoin"]))
    return tuple(out)


@parser("okx instruments")
def parse_okx_instruments(body: bytes) -> tuple[Listing, ...]:
    """Live linear swaps (the symbol-table key ``okx`` names swaps)."""
    data = as_dict(load_json(body, "okx instruments", "okx"), "instruments")
    if str(data.get("code")) != "0":
        raise ValueError(f"code {data.get('code')}: {str(data.get('msg'))[:80]}")
    out = []
    for row in as_list(data["data"], "data"):
        r = as_dict(row, "data[]")
        if r.get("state") != "live" or r.get("ctType") != "linear":
            continue
        family = str(r["instFamily"])
        out.append(_listing("okx", r["instId"], r["ctValCcy"], family.rsplit("-", 1)[-1]))
    return tuple(out)


@parser("coinbase products")
def parse_coinbase_products(body: bytes) -> tuple[Listing, ...]:
    """Products open for trading."""
    out = []
    for row in as_list(load_json(body, "coinbase products", "coinbase"), "products"):
        r = as_dict(row, "products[]")
        if r["status"] != "online" or r.get("trading_disabled") or r.get("cancel_only"):
            continue
        out.append(_listing("coinbase", r["id"], r["base_currency"], r["quote_currency"]))
    return tuple(out)


@parser("hyperliquid meta")
def parse_hyperliquid_meta(body: bytes) -> tuple[Listing, ...]:
    """Listed perpetuals (all quoted in USDC) from ``meta`` or ``metaAndAssetCtxs``."""
    data = load_json(body, "hyperliquid meta", "hyperliquid")
    meta = as_dict(data[0] if isinstance(data, list) else data, "meta")
    out = []
    for row in as_list(meta["universe"], "universe"):
        r = as_dict(row, "universe[]")
        if r.get("isDelisted"):
            continue
        out.append(_listing("hyperliquid", r["name"], r["name"], "USDC"))
    return tuple(out)
