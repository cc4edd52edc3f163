"""Look a symbol typed in the watchlist editor up in the venues' instrument lists (no Textual).

The lists come from the day-old cache in the data directory when it has them, else from the
venues (:func:`crashtui.upstream.instrument_lists.instrument_lists`); a venue that does not
answer keeps its cached list with its date, so the lookup works offline from the cache. Run
:func:`lookup_symbol` in a worker thread: it may fetch several megabytes.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.sources.instrument_match import Resolution, resolve, safe_name

if TYPE_CHECKING:
    from crashtui.clock import Clock
    from crashtui.config.schema import Config
    from crashtui.upstream.instrument_lists import VenueList


def venue_count() -> int:
    """How many exchanges a lookup asks (Binance spot and futures are one)."""
    from crashtui.upstream.instrument_lists import ENDPOINTS

    return len({key.split("_")[0] for key in ENDPOINTS})


@dataclass(frozen=True, slots=True)
class LookupResult:
    """What a lookup found and which lists it read."""

    symbol: str
    resolution: Resolution
    lists: Mapping[str, VenueList]

    @property
    def no_lists(self) -> bool:
        """No venue answered and nothing was cached: the lookup knows nothing."""
        return all(v.fetched_ms is None for v in self.lists.values())

    @property
    def offline(self) -> bool:
        """Every venue's fetch failed this time (cached lists, if any, were used)."""
        return all(v.error is not None for v in self.lists.values())

    @property
    def found(self) -> bool:
        """Something to map or choose on at least one venue."""
        return bool(self.resolution.names or self.resolution.choices)

    @property
    def lists_day(self) -> str | None:
        """``2026-12-05``: the day of the oldest list used (None: no list)."""
        times = [v.fetched_ms for v in self.lists.values() if v.fetched_ms is not None]
        if not times:
            return None
        return datetime.fromtimestamp(min(times) / 1000, tz=timezone.utc).strftime("%Y-%m-%d")

    def lists_note(self) -> str:
        """``instrument lists from 2026-12-05`` (``, offline`` when no venue answered now)."""
        day = self.lists_day
        if day is None:
            return "no instrument lists"
        return f"instrument lists from {day}" + (", offline" if self.offline else "")


def not_found_message(result: LookupResult) -> str:
    """``PEPE: not found on any venue (instrument lists from …)``; a venue with no list is
    unknown, never "not listed", so it is named apart."""
    silent = sorted(v.venue for v in result.lists.values() if v.fetched_ms is None)
    where = "any venue" if not silent else f"any venue that answered (no list from {', '.join(silent)})"
    return f"{result.symbol}: not found on {where} ({result.lists_note()})"


def unscaled_note(result: LookupResult, skip: Mapping[str, str] | None = None) -> str:
    """``binance_futures: 1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale …`` for each
    venue that lists the symbol only per 1,000 coins (venues in ``skip`` are mapped: left out);
    empty when there is none."""
    from crashtui.sources.instrument_match import unscaled_reason

    return "; ".join(
        f"{venue}: {unscaled_reason(listings[0])}"
        for venue, listings in result.resolution.unscaled.items()
        if venue not in (skip or {}) and venue not in result.resolution.choices
    )


def lookup_symbol(config: Config, symbol: str, cache: Path, clock: Clock) -> LookupResult:
    """Find ``symbol`` (upper case) on every venue (blocking: call it from a worker thread)."""
    import crashtui.net.http as http
    from crashtui.upstream.instrument_lists import instrument_lists

    async def fetch() -> dict[str, VenueList]:
        async with http.make_client(config.net) as client:
            return await instrument_lists(config, client, clock, cache)

    lists = asyncio.run(fetch())
    listings = [x for v in lists.values() for x in v.listings if safe_name(x.name)]
    return LookupResult(symbol, resolve(symbol, listings), lists)
