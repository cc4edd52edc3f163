"""Fetch the venues' instrument lists for symbol lookup, cached for a day in the data directory.

One request per venue (Bybit pages by cursor), each through the same capped ``fetch`` as the
pollers. A venue that fails keeps its cached list (with its date) when there is one; the
lookup says which lists it used and how old they are. The cache keeps only what matching
needs (name, coin, quote, multiplier), written atomically.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.errors import SourceError
from crashtui.paths import write_atomic
from crashtui.sources.instruments import (
    Listing,
    parse_binance_exchange_info,
    parse_bybit_instruments,
    parse_coinbase_products,
    parse_hyperliquid_meta,
    parse_okx_instruments,
)
from crashtui.wire import Request

if TYPE_CHECKING:
    import httpx

    from crashtui.clock import Clock
    from crashtui.config.schema import Config

CACHE_FILE = "instruments.json"
FRESH_MS = 24 * 3_600_000
MAX_BYBIT_PAGES = 4
MAX_LIST_BYTES = 40_000_000  # Binance's full spot list is several MB; cached for a day


@dataclass(frozen=True, slots=True)
class VenueList:
    """One venue's listings and when they were fetched (``error`` when this run's fetch failed)."""

    venue: str
    listings: tuple[Listing, ...]
    fetched_ms: int | None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class _Endpoint:
    source: str  # the catalog source whose base URL serves the list
    path: str
    parse: Callable[[bytes], tuple[Listing, ...]]
    query: Mapping[str, str] = field(default_factory=dict)
    json_body: object = None


ENDPOINTS: Mapping[str, _Endpoint] = {
    "binance": _Endpoint(
        "binance",
        "/api/v3/exchangeInfo",
        lambda body: parse_binance_exchange_info(body, venue="binance"),
        {"permissions": "SPOT", "symbolStatus": "TRADING"},
    ),
    "binance_futures": _Endpoint(
        "binance_futures",
        "/fapi/v1/exchangeInfo",
        lambda body: parse_binance_exchange_info(body, venue="binance_futures"),
    ),
    "bybit": _Endpoint(
        "bybit",
        "/v5/market/instruments-info",
        parse_bybit_instruments,
        {"category": "linear", "limit": "1000"},
    ),
    "okx": _Endpoint("okx", "/api/v5/public/instruments", parse_okx_instruments, {"instType": "SWAP"}),
    "coinbase": _Endpoint("coinbase", "/products", parse_coinbase_products),
    "hyperliquid": _Endpoint("hyperliquid", "/info", parse_hyperliquid_meta, json_body={"type": "meta"}),
}


def cache_path(data_dir: Path) -> Path:
    """Where the lists are cached."""
    return data_dir / CACHE_FILE


def read_cache(path: Path) -> dict[str, VenueList]:
    """The cached lists; an unreadable or odd cache is no cache (it is only a cache)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        out = {}
        for venue, entry in doc.items():
            listings = tuple(
                Listing(venue, str(n), str(b), str(q), int(m)) for n, b, q, m in entry["listings"]
            )
            out[venue] = VenueList(venue, listings, int(entry["fetched_ms"]))
        return out
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def write_cache(path: Path, lists: Mapping[str, VenueList]) -> None:
    """Write the lists that have a fetch time, atomically (a failure leaves the old cache)."""
    doc = {
        v.venue: {
            "fetched_ms": v.fetched_ms,
            "listings": [[x.name, x.base, x.quote, x.multiplier] for x in v.listings],
        }
        for v in lists.values()
        if v.fetched_ms is not None
    }
    write_atomic(path, json.dumps(doc, separators=(",", ":")))


async def _fetch_venue(
    venue: str, config: Config, client: httpx.AsyncClient, clock: Clock
) -> tuple[Listing, ...]:
    from crashtui.net.http import fetch

    endpoint = ENDPOINTS[venue]
    url = config.base_url(endpoint.source).rstrip("/") + endpoint.path
    query = dict(endpoint.query)
    listings: list[Listing] = []
    for _ in range(MAX_BYBIT_PAGES if venue == "bybit" else 1):
        request = Request(
            source=endpoint.source,
            endpoint="instruments",
            url=url,
            query=query,
            method="POST" if endpoint.json_body is not None else "GET",
            json_body=endpoint.json_body,
        )
        payload = await fetch(client, request, clock=clock, max_body_bytes=MAX_LIST_BYTES)
        listings.extend(endpoint.parse(payload.body))
        cursor = _bybit_cursor(payload.body) if venue == "bybit" else ""
        if not cursor:
            break
        query["cursor"] = cursor
    return tuple(listings)


def _bybit_cursor(body: bytes) -> str:
    try:
        cursor = json.loads(body)["result"].get("nextPageCursor") or ""
    except (ValueError, KeyError, TypeError, AttributeError):
        return ""
    return str(cursor)


async def instrument_lists(
    config: Config,
    client: httpx.AsyncClient,
    clock: Clock,
    cache: Path,
    *,
    refresh: bool = False,
    venues: tuple[str, ...] = tuple(ENDPOINTS),
) -> dict[str, VenueList]:
    """Each venue's list: from the cache when it is under a day old (unless ``refresh``), else
    fetched (all venues at once); a failed fetch falls back to the cached list, with the error."""
    import asyncio

    now = clock.now_ms()
    cached = read_cache(cache)
    out: dict[str, VenueList] = {}
    stale = []
    for venue in venues:
        old = cached.get(venue)
        if (
            not refresh
            and old is not None
            and old.fetched_ms is not None
            and 0 <= now - old.fetched_ms < FRESH_MS
        ):
            out[venue] = old
        else:
            stale.append(venue)
    results = await asyncio.gather(
        *(_fetch_venue(v, config, client, clock) for v in stale), return_exceptions=True
    )
    fetched_any = False
    for venue, result in zip(stale, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, (SourceError, OSError)):
                raise result
            old = cached.get(venue)
            reason = str(result).splitlines()[0] if str(result) else type(result).__name__
            out[venue] = VenueList(
                venue, old.listings if old else (), old.fetched_ms if old else None, reason
            )
        else:
            out[venue] = VenueList(venue, result, now)
            fetched_any = True
    if fetched_any:
        with contextlib.suppress(OSError):  # a read-only data dir costs a refetch next time
            write_cache(cache, {**cached, **out})
    return out
