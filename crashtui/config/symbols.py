"""The symbol table a config asks for: the built-in table overlaid with ``[symbols.NAME]``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

from crashtui.catalog import SYMBOL_FORMATS
from crashtui.config.schema import Config
from crashtui.symbols import PROVIDERS, SymbolInfo, SymbolTable


def table_from_config(config: Config) -> SymbolTable:
    """The built-in symbol table overlaid with the config's ``[symbols.NAME]`` tables."""
    overrides = {
        name: SymbolInfo(name, MappingProxyType({p: v for p, v in names.items() if p in PROVIDERS}))
        for name, names in config.symbols.items()
    }
    return SymbolTable(overrides)


def with_symbols(config: Config, found: Mapping[str, Mapping[str, str]]) -> Config:
    """``config`` with ``found`` (symbol → key → instrument, e.g. from a lookup in the app) as
    extra ``[symbols.NAME]`` tables; the config's own table of a symbol wins over ``found``."""
    extra = {name: names for name, names in found.items() if name not in config.symbols}
    if not extra:
        return config
    return replace(config, symbols=MappingProxyType({**extra, **config.symbols}))


# Symbol-table keys a watchlist symbol can be priced through (``kraken_result`` only names the
# key of Kraken's replies).
PRICE_KEYS: tuple[str, ...] = tuple(p for p in PROVIDERS if p != "kraken_result")


@dataclass(frozen=True, slots=True)
class UnresolvedSymbol:
    """A watchlist symbol no provider can be asked for, and the watchlists that hold it."""

    symbol: str
    watchlists: tuple[str, ...]

    @property
    def where(self) -> str:
        """``watchlists.a, watchlists.b`` (the config key paths)."""
        return ", ".join(f"watchlists.{n}" for n in self.watchlists)

    def line(self, advice: str | None = None) -> str:
        """The error line: what is missing and what to add (``advice``, else the usual name on
        Binance as a guess to check)."""
        s = self.symbol
        guess = SYMBOL_FORMATS["binance"].format(symbol=s)
        return f"{self.where}: {s}: no mapping for {', '.join(PRICE_KEYS)}; " + (
            advice or f'add [symbols.{s}] binance = "{guess}" (check the name: crashtui symbols lookup {s})'
        )


def unresolved_symbols(config: Config) -> list[UnresolvedSymbol]:
    """Every watchlist symbol no provider can be asked for, once each, in watchlist order.

    A symbol resolves when the built-in table or a ``[symbols.NAME]`` table names it on at least
    one provider; anything else would only be guessed (``PEPEUSDT``) and silently show nothing
    where the guess is wrong.
    """
    table = table_from_config(config)
    holders: dict[str, list[str]] = {}
    for wl in config.watchlists:
        for symbol in wl.symbols:
            holders.setdefault(symbol, []).append(wl.name)
    return [
        UnresolvedSymbol(symbol, tuple(names))
        for symbol, names in holders.items()
        if not (symbol in table and any(table.on(key, symbol) for key in PRICE_KEYS))
    ]
