"""Binance USD-M futures (``fapi.binance.com``): funding + mark price, open interest.

``premiumIndex`` without ``symbol`` returns every perpetual in one request (weight 10), so
funding is one request per cycle whatever the watchlist size. ``openInterest`` is one
symbol per request (weight 1). ``lastFundingRate`` is taken as an 8-hour rate: Binance's
majors fund every 8 h (a few small symbols fund every 4 h; this endpoint does not say).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from crashtui.model import FundingSnapshot, RawPayload
from crashtui.sources.binance import check_envelope
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
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "binance_futures"
PREMIUM_INDEX_ALL_WEIGHT = 10


@parser("binance premiumIndex")
def parse_premium_index(
    body: bytes, *, instruments: dict[str, str], venue: str = SOURCE
) -> tuple[FundingSnapshot, ...]:
    """Funding rate, mark and index price for the instruments asked for (one object or a list)."""
    data = load_json(body, "binance premiumIndex", venue)
    check_envelope(data, "binance premiumIndex")
    rows = [data] if isinstance(data, dict) else as_list(data, "binance premiumIndex")
    out = []
    for row in rows:
        symbol = instruments.get(row["symbol"])
        if symbol is None:
            continue
        next_funding = int(row.get("nextFundingTime") or 0)
        out.append(
            FundingSnapshot(
                venue=venue,
                symbol=symbol,
                ts_ms=int(row["time"]),
                funding_rate_8h=opt_num(row.get("lastFundingRate"), "lastFundingRate"),
                mark_price=num(row["markPrice"], "markPrice"),
                index_price=opt_num(row.get("indexPrice"), "indexPrice"),
                next_funding_ms=next_funding or None,
            )
        )
    return tuple(out)


@parser("binance openInterest")
def parse_open_interest(body: bytes, *, symbol: str, venue: str = SOURCE) -> FundingSnapshot:
    """Open interest in base units (USD value is left to whoever also holds the mark price)."""
    data = as_dict(load_json(body, "binance openInterest", venue), "binance openInterest")
    check_envelope(data, "binance openInterest")
    return FundingSnapshot(
        venue=venue,
        symbol=symbol,
        ts_ms=int(data["time"]),
        open_interest_base=num(data["openInterest"], "openInterest"),
    )


def premium_index_request(ctx: PollContext) -> Request | None:
    """One request for every perpetual's funding (filtered to the watchlist when decoded)."""
    listed = [s for s in ctx.symbols if ctx.table.on(SOURCE, s)]
    if not listed:
        return None
    return Request(
        source=ctx.source,
        endpoint="premium_index",
        url=ctx.url("/fapi/v1/premiumIndex"),
        context=context(symbols=",".join(listed)),
        weight=PREMIUM_INDEX_ALL_WEIGHT,
    )


def open_interest_requests(ctx: PollContext) -> list[Request]:
    """One ``openInterest`` request per listed symbol."""
    out = []
    for symbol in ctx.symbols:
        name = ctx.table.on(SOURCE, symbol)
        if name is not None:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="open_interest",
                    url=ctx.url("/fapi/v1/openInterest"),
                    query={"symbol": name},
                    context=context(symbol=symbol),
                )
            )
    return out


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``funding`` or ``open_interest``."""
    if kind == "funding":
        request = premium_index_request(ctx)
        return fetch_each([request] if request else [], ctx)
    if kind == "open_interest":
        return fetch_each(open_interest_requests(ctx), ctx)
    raise ValueError(f"binance_futures does not serve {kind}")


def _decode_premium(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    instruments = instrument_map(table, SOURCE, param_symbols(raw))
    return "funding", parse_premium_index(raw.body, instruments=instruments, venue=raw.source)


def _decode_oi(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "open_interest", (parse_open_interest(raw.body, symbol=param(raw, "symbol"), venue=raw.source),)


DECODERS: dict[str, Decoder] = {"premium_index": _decode_premium, "open_interest": _decode_oi}
