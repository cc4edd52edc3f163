"""The one symbol table: crashtui names (``BTC``) to each provider's instrument names.

Extend it from config with ``[symbols.NAME]`` tables (``crashtui.config.symbols.table_from_config``);
see ``config.example.toml``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

# Provider keys used in the table. Streams use the same venue names as their REST side.
PROVIDERS = (
    "binance",
    "binance_futures",
    "coinbase",
    "kraken",
    "kraken_result",
    "coingecko",
    "bybit",
    "okx",
    "hyperliquid",
)


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """Instrument names for one crashtui symbol on every provider (None: not listed)."""

    symbol: str
    binance: str | None = None
    binance_futures: str | None = None
    coinbase: str | None = None
    kraken: str | None = None
    kraken_result: str | None = None
    coingecko: str | None = None
    bybit: str | None = None
    okx: str | None = None
    hyperliquid: str | None = None

    def on(self, provider: str) -> str | None:
        """The instrument name on ``provider``, or None when it is not listed there."""
        value = getattr(self, provider, None)
        return value if isinstance(value, str) else None


def _std(
    symbol: str, coingecko: str, kraken: str | None = None, kraken_result: str | None = None
) -> SymbolInfo:
    """Table row for a symbol listed as <SYM>USDT on Binance/Bybit and <SYM>-USD on Coinbase."""
    return SymbolInfo(
        symbol=symbol,
        binance=f"{symbol}USDT",
        binance_futures=f"{symbol}USDT",
        coinbase=f"{symbol}-USD",
        kraken=kraken if kraken is not None else f"{symbol}USD",
        kraken_result=kraken_result if kraken_result is not None else f"{symbol}USD",
        coingecko=coingecko,
        bybit=f"{symbol}USDT",
        okx=f"{symbol}-USDT-SWAP",
        hyperliquid=symbol,
    )


BUILTIN: Mapping[str, SymbolInfo] = {
    info.symbol: info
    for info in (
        _std("BTC", "bitcoin", kraken="XBTUSD", kraken_result="XXBTZUSD"),
        _std("ETH", "ethereum", kraken="ETHUSD", kraken_result="XETHZUSD"),
        _std("SOL", "solana"),
        _std("XRP", "ripple", kraken="XRPUSD", kraken_result="XXRPZUSD"),
        _std("DOGE", "dogecoin", kraken="XDGUSD", kraken_result="XDGUSD"),
        _std("ADA", "cardano"),
        _std("AVAX", "avalanche-2"),
        _std("LINK", "chainlink"),
        _std("LTC", "litecoin", kraken="LTCUSD", kraken_result="XLTCZUSD"),
        _std("DOT", "polkadot"),
        _std("BCH", "bitcoin-cash"),
        _std("TRX", "tron"),
        _std("SUI", "sui"),
        _std("NEAR", "near"),
        _std("UNI", "uniswap"),
        _std("AAVE", "aave"),
        _std("HYPE", "hyperliquid"),
        replace(_std("BNB", "binancecoin"), coinbase=None, kraken=None, kraken_result=None),
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
            changes: dict[str, str] = {}
            for provider in PROVIDERS:
                value = info.on(provider)
                if value is not None:
                    changes[provider] = value
            self._rows[name] = replace(base, **changes)

    def __contains__(self, symbol: object) -> bool:
        return symbol in self._rows

    def known(self) -> tuple[str, ...]:
        """All symbols the table knows, sorted."""
        return tuple(sorted(self._rows))

    def info(self, symbol: str) -> SymbolInfo:
        """The row for ``symbol``; an unknown symbol gets a best-guess standard row."""
        row = self._rows.get(symbol)
        if row is None:
            row = replace(_std(symbol, symbol.lower()), coingecko=None)
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
