"""Kraken public REST (``api.kraken.com``): OHLC candles and a batched ticker.

Every answer is ``{"error": [...], "result": {...}}``, errors inside HTTP 200
(``EQuery:Unknown asset pair``, ``EAPI:Rate limit exceeded``). Result keys are Kraken's
internal pair names (``XXBTZUSD``), not the names asked for. OHLC rows are
``[time s, o, h, l, c, vwap, volume, count]``; the last row is always still forming.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import ParseError, RateLimitedError, UpstreamError
from crashtui.model import Candle, Interval, RawPayload, Ticker
from crashtui.sources.common import (
    Decoder,
    Items,
    OhlcvColumns,
    PollContext,
    as_dict,
    as_list,
    candles_from_rows,
    context,
    fetch_each,
    load_json,
    num,
    param,
    param_interval,
    param_symbols,
    parser,
)
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "kraken"
OHLC_MINUTES = {Interval.H1: 60, Interval.H4: 240, Interval.D1: 1440}
TAIL_ROWS = 5


def check_envelope(data: Any, what: str) -> dict[str, Any]:
    """The ``result`` object, or the typed error for a non-empty ``error`` list."""
    envelope = as_dict(data, what)
    errors = envelope.get("error") or []
    if errors:
        message = "; ".join(str(e) for e in as_list(errors, f"{what} error"))
        if "rate limit" in message.lower() or "too many requests" in message.lower():
            raise RateLimitedError(f"{what}: {message}")
        raise UpstreamError(f"{what}: {message}", code=str(errors[0]))
    return as_dict(envelope["result"], f"{what} result")


def _pair_rows(result: dict[str, Any], wanted: str | None, what: str) -> list[Any]:
    if wanted and wanted in result:
        return as_list(result[wanted], what)
    pairs = [k for k in result if k != "last"]
    if len(pairs) != 1:
        raise ParseError(f"{what}: expected one pair in result, got {sorted(pairs)}")
    return as_list(result[pairs[0]], what)


# [time s, open, high, low, close, vwap, volume, count]: vwap is the 6th column
OHLC_COLUMNS = OhlcvColumns(time=0, open=1, high=2, low=3, close=4, volume=6, time_unit_ms=1000)


@parser("kraken OHLC")
def parse_ohlc(
    body: bytes,
    *,
    symbol: str,
    interval: Interval,
    received_ms: int,
    result_key: str | None = None,
    source: str = SOURCE,
) -> tuple[Candle, ...]:
    """Candles in ascending order; the last row (still forming) always has ``closed=False``."""
    result = check_envelope(load_json(body, "kraken OHLC", source), "kraken OHLC")
    rows = _pair_rows(result, result_key, "kraken OHLC")
    return candles_from_rows(
        rows,
        OHLC_COLUMNS,
        symbol=symbol,
        interval=interval,
        received_ms=received_ms,
        source=source,
        last_row_forming=True,
    )


@parser("kraken Ticker")
def parse_ticker(
    body: bytes, *, result_keys: dict[str, str], received_ms: int, source: str = SOURCE
) -> tuple[Ticker, ...]:
    """Last price (``c[0]``) and 24 h volume in USD (``v[1]`` × price) per pair.

    ``result_keys`` maps Kraken's result pair names to crashtui symbols. Kraken's ``o`` is
    today's open (since 00:00 UTC), not 24 h ago, so ``change_24h_pct`` is None.
    """
    result = check_envelope(load_json(body, "kraken Ticker", source), "kraken Ticker")
    out = []
    for key, row in result.items():
        symbol = result_keys.get(key)
        if symbol is None:
            continue
        price = num(row["c"][0], "c")
        out.append(
            Ticker(
                symbol=symbol,
                price=price,
                change_24h_pct=None,
                ts_ms=received_ms,
                source=source,
                volume_24h_usd=num(row["v"][1], "v") * price,
            )
        )
    return tuple(sorted(out, key=lambda t: t.symbol))


def ohlc_requests(ctx: PollContext) -> list[Request]:
    """OHLC per listed symbol and interval (Kraken keeps the latest 720 rows; tail via ``since``)."""
    out = []
    for symbol in ctx.symbols:
        pair = ctx.table.on(SOURCE, symbol)
        if pair is None:
            continue
        for interval, minutes in OHLC_MINUTES.items():
            query = {"pair": pair, "interval": str(minutes)}
            if not ctx.backfill:
                query["since"] = str((ctx.now_ms - TAIL_ROWS * interval.ms) // 1000)
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="ohlc",
                    url=ctx.url("/0/public/OHLC"),
                    query=query,
                    context=context(
                        symbol=symbol,
                        interval=interval.value,
                        result_key=ctx.table.on("kraken_result", symbol) or "",
                    ),
                )
            )
    return out


def ticker_request(ctx: PollContext) -> Request | None:
    """One Ticker request for every listed symbol."""
    listed = [s for s in ctx.symbols if ctx.table.on(SOURCE, s)]
    if not listed:
        return None
    pairs = ",".join(ctx.table.on(SOURCE, s) or "" for s in listed)
    return Request(
        source=ctx.source,
        endpoint="ticker",
        url=ctx.url("/0/public/Ticker"),
        query={"pair": pairs},
        context=context(symbols=",".join(listed)),
    )


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``prices`` or ``candles``."""
    if kind == "prices":
        request = ticker_request(ctx)
        return fetch_each([request] if request else [], ctx)
    if kind == "candles":
        return fetch_each(ohlc_requests(ctx), ctx)
    raise ValueError(f"kraken does not serve {kind}")


def _decode_ohlc(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "candles", parse_ohlc(
        raw.body,
        symbol=param(raw, "symbol"),
        interval=param_interval(raw),
        received_ms=raw.received_ms,
        result_key=raw.params.get("result_key") or None,
        source=raw.source,
    )


def _decode_ticker(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    keys: dict[str, str] = {}
    for symbol in param_symbols(raw):
        for name in (table.on("kraken_result", symbol), table.on(SOURCE, symbol)):
            if name:
                keys[name] = symbol
    return "prices", parse_ticker(raw.body, result_keys=keys, received_ms=raw.received_ms, source=raw.source)


DECODERS: dict[str, Decoder] = {"ohlc": _decode_ohlc, "ticker": _decode_ticker}
