"""The symbol table a config asks for: the built-in table overlaid with ``[symbols.NAME]``."""

from __future__ import annotations

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


# Symbol-table keys a watchlist symbol can be priced through (``kraken_result`` only names the
# key of Kraken's replies).
_PRICE_KEYS: tuple[str, ...] = tuple(p for p in PROVIDERS if p != "kraken_result")


def unresolved_symbols(config: Config) -> list[str]:
    """One line per watchlist symbol no provider can be asked for, with what to add.

    A symbol resolves when the built-in table or a ``[symbols.NAME]`` table names it on at least
    one provider; anything else would only be guessed (``PEPEUSDT``) and silently show nothing
    where the guess is wrong. Each symbol is named once, with the watchlists that hold it.
    """
    table = table_from_config(config)
    holders: dict[str, list[str]] = {}
    for wl in config.watchlists:
        for symbol in wl.symbols:
            holders.setdefault(symbol, []).append(wl.name)
    lines = []
    for symbol, names in holders.items():
        if symbol in table and any(table.on(key, symbol) for key in _PRICE_KEYS):
            continue
        where = ", ".join(f"watchlists.{n}" for n in names)
        guess = SYMBOL_FORMATS["binance"].format(symbol=symbol)
        lines.append(
            f"{where}: {symbol}: no mapping for {', '.join(_PRICE_KEYS)}; "
            f'add [symbols.{symbol}] binance = "{guess}" (or another provider\'s name for it)'
        )
    return lines
