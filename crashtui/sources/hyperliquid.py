"""Hyperliquid (``POST api.hyperliquid.xyz/info {"type": "metaAndAssetCtxs"}``): funding and OI.

The answer is ``[meta, ctxs]`` with ``ctxs[i]`` belonging to ``meta.universe[i]``; every
number is a string and ``premium``, ``midPx``, ``impactPxs`` (and on thin markets other
fields) can be ``null``. ``funding`` is an **hourly** rate: ×8 gives the 8 h rate.
``openInterest`` is in base units. One request covers every asset, for funding and OI.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from crashtui.errors import ParseError, UpstreamError
from crashtui.model import FundingSnapshot, RawPayload
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
    opt_num,
    param,
    param_symbols,
    parser,
)
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "hyperliquid"
INFO_WEIGHT = 20


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
    out = []
    for asset, ctx in zip(universe, ctxs, strict=True):
        symbol = instruments.get(asset["name"])
        if symbol is None or asset.get("isDelisted"):
            continue
        ctx = as_dict(ctx, "asset context")
        hourly = opt_num(ctx.get("funding"), "funding")
        mark = opt_num(ctx.get("markPx"), "markPx")
        oi = opt_num(ctx.get("openInterest"), "openInterest")
        out.append(
            FundingSnapshot(
                venue=venue,
                symbol=symbol,
                ts_ms=received_ms,
                funding_rate_8h=hourly * 8.0 if hourly is not None else None,
                mark_price=mark,
                index_price=opt_num(ctx.get("oraclePx"), "oraclePx"),
                open_interest_base=oi,
                open_interest_usd=oi * mark if oi is not None and mark is not None else None,
            )
        )
    return tuple(out)


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


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``funding`` or ``open_interest`` (same request)."""
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


DECODERS: dict[str, Decoder] = {"meta_and_asset_ctxs": _decode}
