"""Bybit v5 market tickers (``/v5/market/tickers?category=linear``): funding and open interest.

Every answer is ``{"retCode": 0, "retMsg": "OK", "result": {"category", "list"}}``; a
non-zero ``retCode`` is an error inside HTTP 200 (10006 "Too many visits!" is a rate limit).
All numbers are strings. Funding is normalised to 8 h using ``fundingIntervalHour``.
Linear contracts give ``openInterest`` in base units and ``openInterestValue`` in USD;
inverse contracts the other way round. One ticker answer carries both funding and open
interest, so the same endpoint serves both kinds (the kind asked for is a request param).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import ParseError, RateLimitedError, UpstreamError
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

SOURCE = "bybit"
_RATE_LIMIT_CODES = {10006, 10018}


def check_envelope(data: Any, what: str) -> dict[str, Any]:
    """The ``result`` object, or the typed error for a non-zero ``retCode``."""
    envelope = as_dict(data, what)
    code = envelope["retCode"]
    if code != 0:
        message = f"{what}: {envelope.get('retMsg') or 'error'} (retCode {code})"
        if code in _RATE_LIMIT_CODES:
            raise RateLimitedError(message)
        raise UpstreamError(message, code=str(code))
    return as_dict(envelope["result"], f"{what} result")


@parser("bybit tickers")
def parse_tickers(
    body: bytes, *, instruments: dict[str, str], venue: str = SOURCE
) -> tuple[FundingSnapshot, ...]:
    """Funding (8 h), mark, index and open interest for the instruments asked for.

    ``instruments`` maps Bybit names to crashtui symbols; for inverse contracts an unknown
    ``<SYM>USD`` name maps to ``<SYM>`` when ``<SYM>`` is among the wanted symbols.
    """
    envelope = as_dict(load_json(body, "bybit tickers", venue), "bybit tickers")
    result = check_envelope(envelope, "bybit tickers")
    inverse = result.get("category") == "inverse"
    wanted = set(instruments.values())
    ts_ms = int(envelope.get("time") or 0)
    out = []
    for row in as_list(result["list"], "bybit tickers list"):
        name = row["symbol"]
        symbol = instruments.get(name)
        if symbol is None and inverse and name.endswith("USD") and name[:-3] in wanted:
            symbol = name[:-3]
        if symbol is None:
            continue
        rate = opt_num(row.get("fundingRate"), "fundingRate")
        hours = opt_num(row.get("fundingIntervalHour"), "fundingIntervalHour") or 8.0
        oi = opt_num(row.get("openInterest"), "openInterest")
        oi_value = opt_num(row.get("openInterestValue"), "openInterestValue")
        next_funding = opt_num(row.get("nextFundingTime"), "nextFundingTime")
        out.append(
            FundingSnapshot(
                venue=venue,
                symbol=symbol,
                ts_ms=ts_ms,
                funding_rate_8h=rate * 8.0 / hours if rate is not None else None,
                mark_price=opt_num(row.get("markPrice"), "markPrice"),
                index_price=opt_num(row.get("indexPrice"), "indexPrice"),
                next_funding_ms=int(next_funding) if next_funding else None,
                open_interest_base=oi_value if inverse else oi,
                open_interest_usd=oi if inverse else oi_value,
            )
        )
    return tuple(out)


def ticker_requests(ctx: PollContext, kind: str) -> list[Request]:
    """One linear ticker request per listed symbol."""
    out = []
    for symbol in ctx.symbols:
        name = ctx.table.on(SOURCE, symbol)
        if name is not None:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="tickers",
                    url=ctx.url("/v5/market/tickers"),
                    query={"category": "linear", "symbol": name},
                    context=context(symbols=symbol, kind=kind),
                )
            )
    return out


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``funding`` or ``open_interest`` (same endpoint)."""
    if kind not in ("funding", "open_interest"):
        raise ValueError(f"bybit does not serve {kind}")
    return fetch_each(ticker_requests(ctx, kind), ctx)


def _decode_tickers(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    instruments = instrument_map(table, SOURCE, param_symbols(raw))
    kind = param(raw, "kind")
    if kind not in ("funding", "open_interest"):
        raise ParseError(f"bybit tickers: unknown kind parameter {kind!r}")
    return kind, parse_tickers(raw.body, instruments=instruments, venue=raw.source)


DECODERS: dict[str, Decoder] = {"tickers": _decode_tickers}
