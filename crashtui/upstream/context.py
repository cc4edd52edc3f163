"""Building what a poll needs from the config: the symbol table and a source's poll context."""

from __future__ import annotations

from crashtui.config.schema import Config
from crashtui.net.fetcher import Fetcher
from crashtui.sources.common import PollContext
from crashtui.symbols import SymbolTable


def poll_context(
    config: Config,
    source: str,
    symbols: tuple[str, ...],
    table: SymbolTable,
    fetcher: Fetcher,
    now_ms: int,
    *,
    backfill: bool = True,
) -> PollContext:
    """The context for one poll of ``source``: its base URL and key come from the config."""
    return PollContext(
        source=source,
        symbols=symbols,
        table=table,
        fetch=fetcher,
        base_url=config.base_url(source),
        now_ms=now_ms,
        api_key=config.source(source).api_key,
        backfill=backfill,
    )
