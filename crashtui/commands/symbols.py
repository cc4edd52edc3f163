"""``crashtui symbols lookup SYMBOL``: find a coin on the venues and print its config table.

The venues' instrument lists (Binance spot and futures, Bybit, OKX, Coinbase, Hyperliquid) are
fetched once a day and cached with their date. A venue that lists the coin only in another
quote is a choice: asked on a terminal, else named with ``--pick``. A listing per 1,000 coins
(``1000PEPEUSDT``) is never mapped: crashtui does not scale its prices and sizes yet.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crashtui.config import LoadedConfig
    from crashtui.sources.instrument_match import Resolution
    from crashtui.upstream.instrument_lists import VenueList

EXIT_OK, EXIT_USAGE, EXIT_NOT_FOUND = 0, 2, 3


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``symbols`` subcommand."""
    parser = subparsers.add_parser(
        "symbols",
        help="look a coin up on the venues and print the [symbols.X] table for the config",
        description="Look SYMBOL up in the venues' instrument lists (cached for a day) and print "
        "the [symbols.SYMBOL] table that maps it.",
    )
    common(parser)
    actions = parser.add_subparsers(dest="symbols_action", metavar="ACTION", required=True)
    lookup = actions.add_parser("lookup", help="find SYMBOL on each venue")
    lookup.add_argument("symbol", metavar="SYMBOL", help="the coin, e.g. PEPE")
    lookup.add_argument("--refresh", action="store_true", help="fetch the lists even if cached today")
    lookup.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    lookup.add_argument(
        "--pick",
        action="append",
        default=[],
        metavar="VENUE=NAME",
        help="the instrument to use where the venue offers a choice (repeatable)",
    )
    parser.set_defaults(command=run)


def _picks(values: list[str]) -> dict[str, str]:
    out = {}
    for value in values:
        venue, sep, name = value.partition("=")
        if not sep or not venue or not name:
            raise ValueError(f"--pick {value[:40]!r}: expected VENUE=NAME, e.g. coinbase=PEPE-USDC")
        out[venue.strip()] = name.strip()
    return out


def _age(fetched_ms: int | None) -> str:
    if fetched_ms is None:
        return "never fetched"
    return datetime.fromtimestamp(fetched_ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d %H:%MZ")


def _ask(venue: str, resolution: Resolution) -> str | None:
    from crashtui.sources.instrument_match import describe

    options = resolution.choices[venue]
    print(f"{venue} lists {resolution.symbol} as:", file=sys.stderr)
    for i, listing in enumerate(options, 1):
        print(f"  {i}) {describe(listing)}", file=sys.stderr)
    answer = input(f"use which on {venue}? [1-{len(options)}, Enter to skip] ").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(options):
        return options[int(answer) - 1].name
    return None


def choose(
    resolution: Resolution, picks: Mapping[str, str], ask: Callable[[str, Resolution], str | None] | None
) -> tuple[dict[str, str], list[str]]:
    """The names to map (plain matches, then picks or answers where a venue offers a choice),
    and one line per choice left open."""
    from crashtui.sources.instrument_match import describe, unscaled_reason

    for venue, picked in picks.items():
        for listing in resolution.unscaled.get(venue, ()):
            if listing.name == picked:
                raise ValueError(f"--pick {venue}={picked}: {unscaled_reason(listing)}")
    names = dict(resolution.names)
    open_choices: list[str] = []
    for venue, options in resolution.choices.items():
        valid = {x.name for x in options}
        pick = picks.get(venue)
        if pick is not None and pick not in valid:
            raise ValueError(f"--pick {venue}={pick}: not among {', '.join(sorted(valid))}")
        if pick is None and ask is not None:
            pick = ask(venue, resolution)
        if pick is None:
            listed = "; ".join(describe(x) for x in options)
            open_choices.append(f"{venue}: choose with --pick {venue}=NAME among {listed}")
        else:
            names[venue] = pick
    return names, open_choices


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Look the symbol up and print what to add to the config."""
    from crashtui.clock import SYSTEM_CLOCK
    from crashtui.config.parse import SYMBOL_RE
    from crashtui.net.http import make_client
    from crashtui.paths import user_data_dir
    from crashtui.sources.instrument_match import resolve, toml_snippet, unscaled_reason
    from crashtui.textsafe import plain
    from crashtui.upstream.instrument_lists import cache_path, instrument_lists

    symbol = args.symbol.strip().upper()
    if not SYMBOL_RE.match(symbol):
        print(f"crashtui: error: {plain(args.symbol, 30)!r} is not a symbol like PEPE", file=sys.stderr)
        return EXIT_USAGE
    try:
        picks = _picks(args.pick)
    except ValueError as exc:
        print(f"crashtui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    async def fetch_lists() -> dict[str, VenueList]:
        async with make_client(loaded.config.net) as client:
            return await instrument_lists(
                loaded.config, client, SYSTEM_CLOCK, cache_path(user_data_dir()), refresh=args.refresh
            )

    lists = asyncio.run(fetch_lists())
    resolution = resolve(symbol, [x for v in lists.values() for x in v.listings])
    interactive = sys.stdin.isatty() and not getattr(args, "json", False)
    try:
        names, open_choices = choose(resolution, picks, _ask if interactive else None)
    except ValueError as exc:
        print(f"crashtui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if getattr(args, "json", False):
        doc = {
            "symbol": symbol,
            "names": names,
            "choices": {
                v: [x.name for x in opts] for v, opts in resolution.choices.items() if v not in names
            },
            "missing": list(resolution.missing),
            "unscaled": {
                v: [{"name": x.name, "reason": unscaled_reason(x)} for x in opts]
                for v, opts in resolution.unscaled.items()
            },
            "lists": {v.venue: {"fetched_ms": v.fetched_ms, "error": v.error} for v in lists.values()},
        }
        print(json.dumps(doc, indent=1))
    else:
        for v in lists.values():
            if v.fetched_ms is None:
                print(f"# {v.venue}: no list (fetch failed: {plain(v.error or 'no answer', 120)})")
                continue
            note = f"; today's fetch failed: {plain(v.error, 120)}" if v.error else ""
            print(f"# {v.venue}: list of {_age(v.fetched_ms)} ({len(v.listings)} instruments){note}")
        for venue in resolution.missing:
            if lists[venue].fetched_ms is not None:  # no list is "unknown", never "not listed"
                print(f"# {venue}: {symbol} not listed")
        for venue, unscaled in resolution.unscaled.items():
            for listing in unscaled:
                print(f"# {venue}: {plain(unscaled_reason(listing), 160)}")
        for line in open_choices:
            print(f"# {line}")
        if names:
            where = loaded.path or "your config.toml"
            print(f"# add to {where}:")
            print(toml_snippet(symbol, names))
    if not names:
        if getattr(args, "json", False):
            pass
        elif all(v.fetched_ms is None for v in lists.values()):
            print(
                f"crashtui: cannot look {symbol} up: no venue answered and no list is cached", file=sys.stderr
            )
        elif resolution.unscaled and not resolution.choices:
            first = next(iter(resolution.unscaled.values()))[0]
            print(
                f"crashtui: {symbol}: nothing to map: {plain(unscaled_reason(first), 160)}", file=sys.stderr
            )
        else:
            print(f"crashtui: {symbol}: not found on any venue that answered", file=sys.stderr)
        return EXIT_NOT_FOUND
    return EXIT_OK
