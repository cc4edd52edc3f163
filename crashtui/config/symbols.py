"""The symbol table a config asks for: the built-in table overlaid with ``[symbols.NAME]``."""

from __future__ import annotations

from types import MappingProxyType

from crashtui.config.schema import Config
from crashtui.symbols import PROVIDERS, SymbolInfo, SymbolTable


def table_from_config(config: Config) -> SymbolTable:
    """The built-in symbol table overlaid with the config's ``[symbols.NAME]`` tables."""
    overrides = {
        name: SymbolInfo(name, MappingProxyType({p: v for p, v in names.items() if p in PROVIDERS}))
        for name, names in config.symbols.items()
    }
    return SymbolTable(overrides)
