"""``crashtui --check-config``: validate the config, resolve every watchlist symbol, summarise.

A watchlist symbol that neither the built-in table nor a ``[symbols.NAME]`` table names on any
provider is an error (exit 2), one line each, saying what to add. When the venues' instrument
lists are cached (``crashtui symbols lookup`` keeps them in the data directory) the advice
comes from them: the exact names to add, a listing that needs a choice (per 1,000 units, another
quote), or "not listed". Nothing here touches the network.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crashtui.config import LoadedConfig
    from crashtui.config.symbols import UnresolvedSymbol
    from crashtui.upstream.instrument_lists import VenueList

EXIT_OK = 0
EXIT_USAGE = 2


def _day(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def advice(unresolved: UnresolvedSymbol, lists: Mapping[str, VenueList]) -> str | None:
    """What to add for ``unresolved`` according to cached instrument ``lists`` (None: no list)."""
    from crashtui.sources.instrument_match import describe, resolve, unscaled_reason
    from crashtui.textsafe import plain

    fetched = {v.venue: v for v in lists.values() if v.fetched_ms is not None}
    if not fetched:
        return None
    oldest = min(v.fetched_ms for v in fetched.values() if v.fetched_ms is not None)
    source = f"the venues' instrument lists of {_day(oldest)}"
    symbol = unresolved.symbol
    found = resolve(symbol, [x for v in fetched.values() for x in v.listings], venues=tuple(fetched))
    if found.names:
        names = ", ".join(f'{venue} = "{plain(name, 40)}"' for venue, name in found.names.items())
        return f"add [symbols.{symbol}] {names} (from {source})"
    if found.choices:
        listed = "; ".join(describe(x) for options in found.choices.values() for x in options[:2])
        return f"{source} list it only as {plain(listed, 200)}: choose with crashtui symbols lookup {symbol}"
    if found.unscaled:
        first = next(iter(found.unscaled.values()))[0]
        return (
            f"{plain(unscaled_reason(first), 120)} (from {source}); add [symbols.{symbol}] with a "
            "venue's per-coin name for it"
        )
    return (
        f"not listed on {', '.join(sorted(fetched))} ({source}); check the symbol, or add "
        f"[symbols.{symbol}] with a venue's name for it"
    )


def cached_lists() -> dict[str, VenueList]:
    """The instrument lists ``crashtui symbols lookup`` cached (empty when none)."""
    from crashtui.paths import user_data_dir
    from crashtui.upstream.instrument_lists import cache_path, read_cache

    return read_cache(cache_path(user_data_dir()))


SHOWN_PROBLEMS = 5  # one line each; the rest are named on one more line


def check_config(loaded: LoadedConfig) -> int:
    """Print the summary (exit 0), or one error line per unresolved symbol (exit 2)."""
    from crashtui.config.summary import summarize
    from crashtui.config.symbols import unresolved_symbols

    problems = unresolved_symbols(loaded.config)
    if problems:
        lists = cached_lists()
        where = str(loaded.path) if loaded.path else "(defaults)"
        for item in problems[:SHOWN_PROBLEMS]:
            print(f"crashtui: config error: {where}: {item.line(advice(item, lists))}", file=sys.stderr)
        rest = problems[SHOWN_PROBLEMS:]
        if rest:
            names = ", ".join(item.symbol for item in rest[:10]) + (", …" if len(rest) > 10 else "")
            print(
                f"crashtui: config error: {where}: {len(rest):,} more symbols without a mapping: {names}",
                file=sys.stderr,
            )
        return EXIT_USAGE
    print(summarize(loaded))
    return EXIT_OK
