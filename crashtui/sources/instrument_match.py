"""Match a symbol a user typed (``PEPE``) against the venues' instrument lists.

Per symbol-table key the venue's plain listing in its usual quote (USDT on Binance, Bybit and
OKX, USD on Coinbase, USDC on Hyperliquid) is taken as it is; a listing in another quote is
offered as a choice, never taken silently.

A listing per 1,000 coins (``1000PEPEUSDT``, ``kPEPE``) is never mapped, not even by choice:
the symbol table carries names only, so its prices, liquidations, open interest, funding marks
and liquidation levels would all be read as per-coin values, 1,000 times off. Such listings are
kept apart as ``unscaled`` with the reason (:func:`unscaled_reason`) so the user is told why.
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
    ``choices`` (key → per-coin listings) where the user must pick, ``unscaled`` (key → listings
    per 1,000 or more coins) that crashtui cannot map, ``missing`` keys with nothing."""

    symbol: str
    names: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    choices: Mapping[str, tuple[Listing, ...]] = field(default_factory=lambda: MappingProxyType({}))
    missing: tuple[str, ...] = ()
    unscaled: Mapping[str, tuple[Listing, ...]] = field(default_factory=lambda: MappingProxyType({}))

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
    unscaled: dict[str, tuple[Listing, ...]] = {}
    missing: list[str] = []
    for venue in venues:
        found = by_venue.get(venue, [])
        per_coin = [x for x in found if x.multiplier == 1]
        many = sorted((x for x in found if x.multiplier != 1), key=lambda x: (x.multiplier, x.name))
        if many:
            unscaled[venue] = tuple(many)
        plain = [x for x in per_coin if x.quote == PREFERRED_QUOTE.get(venue)]
        if len(plain) == 1:
            names[venue] = plain[0].name
        elif per_coin:
            choices[venue] = tuple(sorted(per_coin, key=lambda x: (x.quote, x.name)))
        elif not many:
            missing.append(venue)
    return Resolution(
        coin, MappingProxyType(names), MappingProxyType(choices), tuple(missing), MappingProxyType(unscaled)
    )


DERIVATIVE_KEYS = frozenset({"binance_futures", "bybit", "okx", "hyperliquid"})
"""Symbol-table keys that name contracts (their listings per 1,000 coins are contracts)."""


def unscaled_reason(listing: Listing) -> str:
    """``1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale per-1,000 contracts yet``."""
    kind = "contracts" if listing.venue in DERIVATIVE_KEYS else "pairs"
    n = f"{listing.multiplier:,}"
    return f"{listing.name} quotes {n} {listing.base}; crashtui does not scale per-{n} {kind} yet"


def describe(listing: Listing) -> str:
    """``PEPE-USDC (quoted in USDC)`` for a choice prompt."""
    per = f"{listing.multiplier:,} {listing.base} per unit, " if listing.multiplier != 1 else ""
    return f"{listing.name} ({per}quoted in {listing.quote})"


def toml_snippet(symbol: str, names: Mapping[str, str]) -> str:
    """The ``[symbols.SYMBOL]`` table that maps ``names`` (for the user's config)."""
    lines = [f"[symbols.{symbol}]"]
    lines += [f'{venue} = "{name}"' for venue, name in names.items()]
    return "\n".join(lines)
