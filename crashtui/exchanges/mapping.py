"""ccxt's unified position structure → :class:`~crashtui.risk.position.Position` (pure).

The structure (ccxt Manual, "Position Structure"; e.g. ``hyperliquid.parse_position`` in
ccxt/python/ccxt/hyperliquid.py) holds ``symbol`` ("BTC/USDT:USDT": base/quote:settle),
``side`` (long|short), ``contracts`` (in contracts, ×``contractSize`` coins; OKX swaps are
0.01 BTC a contract, Hyperliquid leaves ``contractSize`` None: 1), ``entryPrice``,
``leverage``, ``marginMode`` (cross|isolated), ``notional``, ``initialMargin``,
``collateral`` and the venue's own ``liquidationPrice``.

Only USD(T/C)-settled linear perpetuals are taken: crashtui's liquidation formulas are for
them. Listings per 1,000 coins (Binance/Bybit ``1000PEPE``, Hyperliquid ``kPEPE``) become the
coin's symbol with size and prices converted to one coin, so they meet the feed's prices.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from crashtui.risk.position import MAX_LEVERAGE, MAX_PRICE, MarginMode, Position, PositionSide, Venue
from crashtui.textsafe import plain

STABLE_SETTLE = frozenset({"USDT", "USDC", "USD"})
SYMBOL_RE = re.compile(r"^[A-Z0-9]{1,15}$")
# Listings per N coins: the prefix and N. "1INCH" is a coin, not a multiple: the rest must
# start with a letter and the multiple is one of these.
_MULTIPLE = re.compile(r"^(1000000|100000|10000|1000|1M|k)([A-Z][A-Z0-9]*)$")
_MULTIPLES = {"1000000": 1e6, "1M": 1e6, "100000": 1e5, "10000": 1e4, "1000": 1e3, "k": 1e3}


@dataclass(frozen=True, slots=True)
class Skipped:
    """A position the exchange reported that crashtui cannot evaluate, and why (one line)."""

    venue: Venue
    symbol: str
    reason: str

    def __str__(self) -> str:
        return f"{self.venue.value} {plain(self.symbol, 40)}: skipped, {self.reason}"


def _number(raw: Mapping[str, object], key: str) -> float | None:
    value = raw.get(key)
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]  # ccxt numbers may arrive as str
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def split_symbol(ccxt_symbol: str) -> tuple[str, str, str | None]:
    """``BTC/USDT:USDT`` → (``BTC``, ``USDT``, ``USDT``); no ``:settle`` (spot) gives None."""
    pair, _, settle = ccxt_symbol.partition(":")
    base, _, quote = pair.partition("/")
    settle = settle.split("-", 1)[0]  # dated futures: "BTC/USDT:USDT-250328"
    return base, quote, settle or None


def crashtui_symbol(base: str) -> tuple[str, float]:
    """``1000PEPE`` → (``PEPE``, 1000); ``BTC`` → (``BTC``, 1)."""
    match = _MULTIPLE.match(base)
    if match:
        return match.group(2), _MULTIPLES[match.group(1)]
    return base.upper(), 1.0


def _leverage(raw: Mapping[str, object]) -> float | None:
    """The leverage reported, else notional / initial margin (some venues leave it out)."""
    leverage = _number(raw, "leverage")
    if leverage is not None and leverage > 0:
        return leverage
    notional = _number(raw, "notional")
    margin = _number(raw, "initialMargin") or _number(raw, "collateral")
    if notional is not None and margin:
        return abs(notional) / margin
    return None


def to_position(venue: Venue, raw: Mapping[str, object], fetched_ms: int) -> Position | Skipped | None:
    """One unified ccxt position as ours, or why it is skipped; None for an empty slot (no
    size: some venues list every market, open or not).

    ``fetched_ms`` (when it was read) becomes ``imported_ms`` and ``opened_ms``: the position
    was open then, so only price moves after it can have liquidated it.
    """
    ccxt_symbol = str(raw.get("symbol") or "")
    pair = ccxt_symbol.partition("/")[0]
    if venue is Venue.HYPERLIQUID and ("-" in pair or ":" in pair):
        # ccxt names a builder-deployed market "xyz-XYZ100/USDC:USDC" (Hyperliquid "xyz:XYZ100")
        return Skipped(venue, ccxt_symbol, "a builder-deployed (HIP-3) market: not imported")
    base, _quote, settle = split_symbol(ccxt_symbol)
    if settle is None:
        return Skipped(venue, ccxt_symbol, "not a perpetual or future")
    if settle.upper() not in STABLE_SETTLE:
        kind = " (inverse)" if settle.upper() == base.upper() else ""
        return Skipped(venue, ccxt_symbol, f"settled in {plain(settle, 10)}{kind}: only USD(T/C) contracts")
    symbol, multiple = crashtui_symbol(base)
    if not SYMBOL_RE.match(symbol):
        return Skipped(venue, ccxt_symbol, "a symbol crashtui cannot name")
    contracts = _number(raw, "contracts")
    if contracts is None or contracts == 0:
        return None
    side_text = str(raw.get("side") or "").lower()
    if side_text not in ("long", "short"):
        # a signed size without a side (some venues in one-way mode)
        side_text = "long" if contracts > 0 else "short"
    contract_size = _number(raw, "contractSize") or 1.0
    qty = abs(contracts) * contract_size * multiple
    entry = _number(raw, "entryPrice")
    if entry is None or entry <= 0:
        return Skipped(venue, ccxt_symbol, "no entry price reported")
    entry /= multiple
    leverage = _leverage(raw)
    if leverage is None or not 1.0 <= leverage <= MAX_LEVERAGE:
        shown = "none" if leverage is None else f"{leverage:g}"
        return Skipped(venue, ccxt_symbol, f"leverage {shown} (expected 1 to {MAX_LEVERAGE:g})")
    margin = MarginMode.CROSS if str(raw.get("marginMode") or "").lower() == "cross" else MarginMode.ISOLATED
    venue_liq = _number(raw, "liquidationPrice")
    if venue_liq is not None:
        venue_liq /= multiple
    if venue_liq is not None and not 0 < venue_liq <= MAX_PRICE:
        venue_liq = None  # venues report 0 or "" for "cannot be liquidated"
    try:
        return Position(
            symbol=symbol,
            side=PositionSide(side_text),
            entry=entry,
            leverage=leverage,
            size=qty,
            margin=margin,
            venue=venue,
            opened_ms=fetched_ms,
            imported_ms=fetched_ms,
            venue_liquidation_price=venue_liq,
        )
    except ValueError as exc:
        return Skipped(venue, ccxt_symbol, plain(exc, 100))
