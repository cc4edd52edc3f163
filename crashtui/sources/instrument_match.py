"""Match a symbol a user typed (``PEPE``) against the venues' instrument lists.

Per symbol-table key the venue's plain listing in its usual quote (USDT on Binance, Bybit and
OKX, USD on Coinbase, USDC on Hyperliquid) is taken as it is. Anything else found for the coin
(another quote, or a listing per 1,000 coins such as ``1000PEPEUSDT``) is offered as a choice,
never taken silently: a per-1,000 price read as a per-coin price would be 1,000 times off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crashtui.sources.instruments import Listing

PREFERRED_QUOTE: Mapping[str, str] = MappingProxyType(
    {
        "binance": "USDT",
        "binance_futures": "USDT",
        "bybit": "USDT",
        "okx": "USDT",
        "coinbase": "USD",
        "hyperliquid": "USDC",
    }
)
"""The symbol-table keys the lookup covers, with the quote each key's sources expect."""

_INSTRUMENT = re.compile(r"^[A-Za-z0-9._:/-]{1,40}$")


def safe_name(name: str) -> bool:
    """Whether ``name`` looks like an instrument name (``1000PEPEUSDT``, ``PEPE-USDT-SWAP``,
    ``kPEPE``): a venue's text that is anything else is never mapped or saved."""
    return _INSTRUMENT.match(name) is not None


@dataclass(frozen=True, slots=True)
class Resolution:
    """What the lookup found for ``symbol``: ``names`` (key → instrument) taken as they are,
    ``choices`` (key → listings) where the user must pick, ``missing`` keys with nothing."""

    symbol: str
    names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    choices: Mapping[str, tuple[Listing, ...]] = field(default_factory=lambda: MappingProxyType({}))
    missing: tuple[str, ...] = ()

    @property
    def ambiguous(self) -> bool:
        """Whether some venue needs the user to choose."""
        return bool(self.choices)


def resolve(
    symbol: str, listings: Iterable[Listing], venues: Iterable[str] = tuple(PREFERRED_QUOTE)
) -> Resolution:
    """Match ``symbol`` (upper case) on each of ``venues`` (symbol-table keys)."""
    coin = symbol.upper()
    by_venue: dict[str, list[Listing]] = {}
    for listing in listings:
        if listing.base == coin:
            by_venue.setdefault(listing.venue, []).append(listing)
    names: dict[str, str] = {}
    choices: dict[str, tuple[Listing, ...]] = {}
    missing: list[str] = []
    for venue in venues:
        found = by_venue.get(venue, [])
        plain = [x for x in found if x.multiplier == 1 and x.quote == PREFERRED_QUOTE.get(venue)]
        if len(plain) == 1:
            names[venue] = plain[0].name
        elif found:
            choices[venue] = tuple(sorted(found, key=lambda x: (x.multiplier, x.quote, x.name)))
        else:
            missing.append(venue)
    return Resolution(coin, MappingProxyType(names), MappingProxyType(choices), tuple(missing))


def describe(listing: Listing) -> str:
    """``1000PEPEUSDT (1,000 PEPE per unit, quoted in USDT)`` for a choice prompt."""
    per = f"{listing.multiplier:,} {listing.base} per unit, " if listing.multiplier != 1 else ""
    return f"{listing.name} ({per}quoted in {listing.quote})"


def toml_snippet(symbol: str, names: Mapping[str, str]) -> str:
    """The ``[symbols.SYMBOL]`` table that maps ``names`` (for the user's config)."""
    lines = [f"[symbols.{symbol}]"]
    lines += [f'{venue} = "{name}"' for venue, name in names.items()]
    return "\n".join(lines)
