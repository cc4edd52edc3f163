"""Hyperliquid (``POST api.hyperliquid.xyz/info {"type": "metaAndAssetCtxs"}``): funding and OI.

The answer is ``[meta, ctxs]`` with ``ctxs[i]`` belonging to ``meta.universe[i]``; every
number is a string and ``premium``, ``midPx``, ``impactPxs`` (and on thin markets other
fields) can be ``null``. ``funding`` is an **hourly** rate: ×8 gives the 8 h rate.
``openInterest`` is in base units. One request covers every asset, for funding and OI.

``{"type": "fundingHistory", "coin", "startTime"}`` lists settled funding oldest first as
``{coin, fundingRate, premium, time}`` (rates strings, ``time`` an int a few ms after the
hour). Settlement was 8-hourly until 2023-06-08 00:00 UTC and hourly from 01:00, with the
same cap reading 0.0001 per 8 h before and 0.0000125 per hour after, so each row's interval
is read from the spacing of settlements (hours can be missing; one 2023 row is 24 minutes
off the hour) before it is normalised to 8 h.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import ParseError, UpstreamError
from crashtui.model import FUNDING_8H_MS, FundingPoint, FundingSnapshot, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    context,
    fetch_each,
    instrument_map,
    load_json,
    num,
    opt_num,
    param,
    param_symbols,
    parser,
)
from crashtui.sources.derivs import DAY_MS, HOUR_MS, Settlement, funding_points, ts_ms
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "hyperliquid"
INFO_WEIGHT = 20
HOURLY_SINCE_MS = 1_686_182_400_000  # 2023-06-08 00:00 UTC: the last 8-hourly settlement
FUNDING_BACKFILL_MS = 7 * DAY_MS  # 168 hourly rows: under the 500-row page
FUNDING_TAIL_MS = 6 * HOUR_MS


@parser("hyperliquid metaAndAssetCtxs")
def parse_meta_and_asset_ctxs(
    body: bytes, *, instruments: dict[str, str], received_ms: int, venue: str = SOURCE
) -> tuple[FundingSnapshot, ...]:
    """Funding (hourly × 8), mark/oracle price and open interest for the assets asked for."""
    data = load_json(body, "hyperliquid metaAndAssetCtxs", venue)
    if isinstance(data, dict) and "error" in data:
        raise UpstreamError(f"hyperliquid metaAndAssetCtxs: {data['error']}")
    meta, ctxs = as_list(data, "hyperliquid metaAndAssetCtxs")
    universe = as_list(as_dict(meta, "meta")["universe"], "universe")
    ctxs = as_list(ctxs, "asset contexts")
    if len(universe) != len(ctxs):
        raise ParseError(f"hyperliquid: {len(universe)} assets but {len(ctxs)} contexts")

    def read(pair: tuple[Any, Any]) -> FundingSnapshot | None:
        asset, ctx = pair
        symbol = instruments.get(asset["name"])
        if symbol is None or asset.get("isDelisted"):
            return None
        ctx = as_dict(ctx, "asset context")
        hourly = opt_num(ctx.get("funding"), "funding")
        mark = opt_num(ctx.get("markPx"), "markPx")
        oi = opt_num(ctx.get("openInterest"), "openInterest")
        return FundingSnapshot(
            venue=venue,
            symbol=symbol,
            ts_ms=received_ms,
            funding_rate_8h=hourly * 8.0 if hourly is not None else None,
            mark_price=mark,
            index_price=opt_num(ctx.get("oraclePx"), "oraclePx"),
            open_interest_base=oi,
            open_interest_usd=oi * mark if oi is not None and mark is not None else None,
        )

    return tuple(each_row(zip(universe, ctxs, strict=True), read, "asset"))


@parser("hyperliquid fundingHistory")
def parse_funding_history(
    body: bytes, *, symbol: str, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[FundingPoint, ...]:
    """Settled funding, oldest first, normalised to 8 h with each row's own interval.

    A lone row (nothing to measure its spacing against) is taken as hourly, or as 8-hourly
    when it settled before the 2023 switch.
    """
    data = load_json(body, "hyperliquid fundingHistory", venue)
    if isinstance(data, dict) and "error" in data:
        raise UpstreamError(f"hyperliquid fundingHistory: {data['error']}")
    settlements = each_row(
        as_list(data, "hyperliquid fundingHistory"),
        lambda row: Settlement(
            ts_ms(row["time"], "time", received_ms=received_ms),
            num(row["fundingRate"], "fundingRate"),
        ),
        "funding",
    )
    lone_ms = HOUR_MS
    if settlements and max(s.ts_ms for s in settlements) <= HOURLY_SINCE_MS + HOUR_MS // 2:
        lone_ms = FUNDING_8H_MS
    return funding_points(
        settlements, venue=venue, symbol=symbol, default_ms=lone_ms, what="hyperliquid fundingRate"
    )


def info_request(ctx: PollContext, kind: str) -> Request | None:
    """The one ``metaAndAssetCtxs`` request for the whole watchlist."""
    listed = [s for s in ctx.symbols if ctx.table.on(SOURCE, s)]
    if not listed:
        return None
    return Request(
        source=ctx.source,
        endpoint="meta_and_asset_ctxs",
        url=ctx.url("/info"),
        method="POST",
        json_body={"type": "metaAndAssetCtxs"},
        context=context(symbols=",".join(listed), kind=kind),
        weight=INFO_WEIGHT,
    )


def funding_history_requests(ctx: PollContext) -> list[Request]:
    """One ``fundingHistory`` request per listed coin: a week on backfill, else the last 6 h."""
    start_ms = ctx.now_ms - (FUNDING_BACKFILL_MS if ctx.backfill else FUNDING_TAIL_MS)
    out = []
    for symbol in ctx.symbols:
        coin = ctx.table.on(SOURCE, symbol)
        if coin is not None:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="funding_history",
                    url=ctx.url("/info"),
                    method="POST",
                    json_body={"type": "fundingHistory", "coin": coin, "startTime": start_ms},
                    context=context(symbol=symbol),
                    weight=INFO_WEIGHT,
                )
            )
    return out


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``funding`` or ``open_interest`` (same request), or ``funding_history``."""
    if kind == "funding_history":
        return fetch_each(funding_history_requests(ctx), ctx)
    if kind not in ("funding", "open_interest"):
        raise ValueError(f"hyperliquid does not serve {kind}")
    request = info_request(ctx, kind)
    return fetch_each([request] if request else [], ctx)


def _decode(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    kind = param(raw, "kind")
    if kind not in ("funding", "open_interest"):
        raise ParseError(f"hyperliquid: unknown kind parameter {kind!r}")
    instruments = instrument_map(table, SOURCE, param_symbols(raw))
    return kind, parse_meta_and_asset_ctxs(
        raw.body, instruments=instruments, received_ms=raw.received_ms, venue=raw.source
    )


def _decode_funding_history(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    points = parse_funding_history(
        raw.body, symbol=param(raw, "symbol"), received_ms=raw.received_ms, venue=raw.source
    )
    return "funding_history", points


DECODERS: dict[str, Decoder] = {
    "meta_and_asset_ctxs": _decode,
    "funding_history": _decode_funding_history,
}
