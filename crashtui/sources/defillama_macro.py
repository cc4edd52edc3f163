"""DefiLlama market-wide series: total stablecoin supply and DeFi TVL (keyless).

* ``GET stablecoins.llama.fi/stablecoincharts/all``: a bare array of daily points
  ``{"date": "1707955200", "totalCirculating": {"peggedUSD": …, "peggedEUR": …},
  "totalCirculatingUSD": {…}, "totalBridgedToUSD": {…}, "totalMintedUSD": {…}, …}``. The
  ``date`` is a unix-seconds **string** (an int in the OpenAPI example: both are read). Series
  ``STABLECOINS_USD`` is ``totalCirculatingUSD.peggedUSD``: the USD-pegged coins' supply valued
  in USD. A point without that key is skipped (never 0, never another peg's number).
* ``GET api.llama.fi/v2/historicalChainTvl``: a bare array ``{"date": 1609459200, "tvl": …}``
  (``date`` an int), the TVL of all chains in USD: series ``DEFI_TVL_USD``.

The newest point of either is today's, still moving (a snapshot, not a settled close).
Points are dated 00:00 UTC; a point off midnight is put on its UTC day (the later one wins).

The two endpoints live on two hosts. ``[sources.defillama_macro] base_url`` is the TVL host;
the stablecoin host is fixed unless a non-default base URL is configured, in which case both
paths are asked under it (a mirror or a test server serves both).

Memory and recordings: the stablecoin answer holds every day since 2017 with nested maps
(about 1 MB); the payload handed on is **reduced** to the points of the last
:data:`KEEP_DAYS` days (the records unchanged), :data:`TAIL_DAYS` once history is in.
Replay therefore runs the same parser on the same record shapes.

No real capture of either reply was found: the fixtures are RECONSTRUCTED from the
documented shapes (see ``tests/fixtures/README.md``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import replace
from typing import Any

from crashtui.errors import ParseError, UpstreamError
from crashtui.model import MacroObservation, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    load_json,
    num,
    parser,
)
from crashtui.sources.macro_series import check_observations
from crashtui.sources.rows import VALUE_ERRORS, each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "defillama_macro"
BASE_URL = "https://api.llama.fi"
STABLECOINS_URL = "https://stablecoins.llama.fi/stablecoincharts/all"
TVL_PATH = "/v2/historicalChainTvl"
STABLECOINS_PATH = "/stablecoincharts/all"
STABLECOINS_SERIES = "STABLECOINS_USD"
TVL_SERIES = "DEFI_TVL_USD"
KEEP_DAYS = 400
TAIL_DAYS = 7
_DAY_S = 86_400
_MIN_TS_S = 1_262_304_000  # 2010-01-01: nothing DeFi is older
_MAX_TS_S = 10_000_000_000  # beyond this it is milliseconds, not seconds


def _points(data: Any, what: str) -> list[Any]:
    if isinstance(data, dict):
        message = data.get("message") or data.get("error")
        if message:
            raise UpstreamError(f"{what}: {str(message)[:120]}")
    return as_list(data, what)


def _day_ms(value: Any, what: str) -> int:
    seconds = num(value, f"{what} date")  # a string or a number
    if not _MIN_TS_S <= seconds < _MAX_TS_S:
        raise ParseError(f"{what}: date {value!r} is not unix seconds")
    whole = int(seconds)
    return (whole - whole % _DAY_S) * 1000


def _by_day(pairs: list[tuple[int, float]], series: str, source: str) -> tuple[MacroObservation, ...]:
    days: dict[int, float] = {}
    for day, value in pairs:  # a later point of the same day replaces an earlier one
        days[day] = value
    return tuple(
        MacroObservation(series=series, day_ms=day, value=value, source=source)
        for day, value in sorted(days.items())
    )


@parser("defillama stablecoincharts")
def parse_stablecoin_charts(body: bytes, *, source: str = SOURCE) -> tuple[MacroObservation, ...]:
    """``STABLECOINS_USD`` per day, oldest first; points without ``totalCirculatingUSD.peggedUSD`` skipped."""
    what = "defillama stablecoincharts"

    def read(point: Any) -> tuple[int, float] | None:
        row = as_dict(point, what)
        totals = row.get("totalCirculatingUSD")
        if totals is None:
            return None
        value = as_dict(totals, "totalCirculatingUSD").get("peggedUSD")
        if value is None:
            return None
        return _day_ms(row["date"], what), num(value, "totalCirculatingUSD.peggedUSD")

    pairs = each_row(_points(load_json(body, what, source), what), read, "point")
    return _by_day(pairs, STABLECOINS_SERIES, source)


@parser("defillama historicalChainTvl")
def parse_chain_tvl(body: bytes, *, source: str = SOURCE) -> tuple[MacroObservation, ...]:
    """``DEFI_TVL_USD`` per day, oldest first."""
    what = "defillama historicalChainTvl"

    def read(point: Any) -> tuple[int, float]:
        row = as_dict(point, what)
        return _day_ms(row["date"], what), num(row["tvl"], "tvl")

    pairs = each_row(_points(load_json(body, what, source), what), read, "point")
    return _by_day(pairs, TVL_SERIES, source)


@parser("defillama reduce")
def recent_points(body: bytes, *, since_ms: int, what: str, source: str = SOURCE) -> list[Any]:
    """The raw points dated on or after ``since_ms``, unchanged (for a smaller payload)."""
    keep = []
    for point in _points(load_json(body, what, source), what):
        try:
            recent = _day_ms(as_dict(point, what)["date"], what) >= since_ms
        except VALUE_ERRORS:
            recent = True  # kept for the parser, which leaves it out and reports it
        if recent:
            keep.append(point)
    return keep


def reduce_body(raw: RawPayload, points: list[Any]) -> RawPayload:
    """``raw`` with its body replaced by only ``points`` (see the module docstring)."""
    return replace(raw, body=json.dumps(points, separators=(",", ":")).encode())


def stablecoins_url(ctx: PollContext) -> str:
    """stablecoins.llama.fi, or the path under a configured non-default base URL."""
    if ctx.base_url.rstrip("/") == BASE_URL:
        return STABLECOINS_URL
    return ctx.url(STABLECOINS_PATH)


async def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``macro_defi``: stablecoin supply, then DeFi TVL, each reduced."""
    if kind != "macro_defi":
        raise ValueError(f"defillama_macro does not serve {kind}")
    keep_days = KEEP_DAYS if ctx.backfill else TAIL_DAYS
    since = ctx.now_ms - ctx.now_ms % (_DAY_S * 1000) - keep_days * _DAY_S * 1000
    for endpoint, url, what in (
        ("stablecoin_charts", stablecoins_url(ctx), "defillama stablecoincharts"),
        ("chain_tvl", ctx.url(TVL_PATH), "defillama historicalChainTvl"),
    ):
        raw = await ctx.fetch(Request(source=ctx.source, endpoint=endpoint, url=url))
        yield reduce_body(raw, recent_points(raw.body, since_ms=since, what=what, source=ctx.source))


def _decode_stablecoins(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    items = parse_stablecoin_charts(raw.body, source=raw.source)
    items = check_observations(items, f"{raw.source} {raw.endpoint}", received_ms=raw.received_ms)
    return "macro_defi", items


def _decode_tvl(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    items = parse_chain_tvl(raw.body, source=raw.source)
    items = check_observations(items, f"{raw.source} {raw.endpoint}", received_ms=raw.received_ms)
    return "macro_defi", items


DECODERS: dict[str, Decoder] = {"stablecoin_charts": _decode_stablecoins, "chain_tvl": _decode_tvl}
