"""The one symbol table: crashtui names (``BTC``) to each provider's instrument names.

Extend it from config with ``[symbols.NAME]`` tables (``crashtui.config.symbols.table_from_config``);
see ``config.example.toml``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crashtui.catalog import SYMBOL_FORMATS

# The symbol-table keys: one per naming scheme, from the source registry (``kraken_result`` is
# the key Kraken's OHLC replies use for a pair). Streams use their REST side's key.
PROVIDERS: tuple[str, ...] = tuple(SYMBOL_FORMATS)


_MULTIPLIED = re.compile(r"^(?P<mult>1000000|100000|10000|1000|100|10|1M|k)(?P<base>[A-Z0-9]+)$")
_MULT = {"k": 1000, "1M": 1_000_000}


def split_multiplier(base: str) -> tuple[str, int]:
    """``1000PEPE`` → (``PEPE``, 1000); ``kPEPE`` → (``PEPE``, 1000); ``BTC`` → (``BTC``, 1).

    Low-priced coins are listed per 1,000 (or 1,000,000) units on derivatives venues; such a
    listing's price is that many coins' price. Also works on a whole instrument name
    (``1000PEPEUSDT`` → ``PEPEUSDT``, 1000)."""
    match = _MULTIPLIED.match(base)
    if match is None or not match["base"][:1].isalpha():
        return base, 1
    mult = match["mult"]
    return match["base"], _MULT.get(mult) or int(mult)


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """Instrument names for one crashtui symbol on every provider key (None: not listed)."""

    symbol: str
    names: Mapping[str, str | None] = field(default_factory=lambda: MappingProxyType({}))

    def on(self, provider: str) -> str | None:
        """The instrument name on ``provider``, or None when it is not listed there."""
        return self.names.get(provider)


def _std(symbol: str, **names: str | None) -> SymbolInfo:
    """A symbol's row from each provider's default format (a format of ``""`` gives no default:
    the id must be given, as CoinGecko's are), with ``names`` as the exceptions (None: not
    listed there)."""
    row: dict[str, str | None] = {
        key: pattern.format(symbol=symbol) if pattern else None for key, pattern in SYMBOL_FORMATS.items()
    }
    row.update(names)
    return SymbolInfo(symbol, MappingProxyType(row))


BUILTIN: Mapping[str, SymbolInfo] = {
    info.symbol: info
    for info in (
        _std("BTC", coingecko="bitcoin", kraken="XBTUSD", kraken_result="XXBTZUSD"),
        _std("ETH", coingecko="ethereum", kraken="ETHUSD", kraken_result="XETHZUSD"),
        _std("SOL", coingecko="solana"),
        _std("XRP", coingecko="ripple", kraken="XRPUSD", kraken_result="XXRPZUSD"),
        _std("DOGE", coingecko="dogecoin", kraken="XDGUSD", kraken_result="XDGUSD"),
        _std("ADA", coingecko="cardano"),
        _std("AVAX", coingecko="avalanche-2"),
        _std("LINK", coingecko="chainlink"),
        _std("LTC", coingecko="litecoin", kraken="LTCUSD", kraken_result="XLTCZUSD"),
        _std("DOT", coingecko="polkadot"),
        _std("BCH", coingecko="bitcoin-cash"),
        _std("TRX", coingecko="tron"),
        _std("SUI", coingecko="sui"),
        _std("NEAR", coingecko="near"),
        _std("UNI", coingecko="uniswap"),
        _std("AAVE", coingecko="aave"),
        _std("HYPE", coingecko="hyperliquid"),
        _std("BNB", coingecko="binancecoin", coinbase=None, kraken=None, kraken_result=None),
    )
}


class SymbolTable:
    """Lookup of instrument names, built-ins overlaid by config entries."""

    def __init__(self, overrides: Mapping[str, SymbolInfo] | None = None) -> None:
        self._rows: dict[str, SymbolInfo] = dict(BUILTIN)
        for name, info in (overrides or {}).items():
            base = self._rows.get(name)
            if base is None:
                self._rows[name] = info
                continue
            merged = dict(base.names)
            merged.update({key: value for key, value in info.names.items() if value is not None})
            self._rows[name] = SymbolInfo(name, MappingProxyType(merged))

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._rows

    def known(self) -> tuple[str, ...]:
        """All symbols the table knows, sorted."""
        return tuple(sorted(self._rows))

    def info(self, symbol: str) -> SymbolInfo:
        """The row for ``symbol``; an unknown symbol gets a best-guess standard row."""
        row = self._rows.get(symbol)
        if row is None:
            row = _std(symbol)
        return row

    def on(self, provider: str, symbol: str) -> str | None:
        """Instrument name of ``symbol`` on ``provider``, or None if not listed."""
        return self.info(symbol).on(provider)

    def reverse(self, provider: str) -> dict[str, str]:
        """Map from a provider's instrument names back to crashtui symbols."""
        out: dict[str, str] = {}
        for symbol, row in self._rows.items():
            name = row.on(provider)
            if name is not None:
                out[name] = symbol
        return out


DEFAULT_TABLE = SymbolTable()
