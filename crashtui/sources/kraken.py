"""Kraken public REST (``api.kraken.com``): OHLC candles and a batched ticker.

Every answer is ``{"error": [...], "result": {...}}``, errors inside HTTP 200
(``EQuery:Unknown asset pair``, ``EAPI:Rate limit exceeded``). One unknown pair in a batched
Ticker request fails the whole batch (no ``result`` at all): the poll then asks pair by pair,
serves the pairs Kraken knows and names the ones it does not. Result keys are Kraken's
internal pair names (``XXBTZUSD``), not the names asked for. OHLC rows are
``[time s, o, h, l, c, vwap, volume, count]``; the last row is always still forming.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui import jsonfast
from crashtui.errors import ParseError, PartialError, RateLimitedError, UpstreamError
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
    load_json,
    num,
    param,
    param_interval,
    param_symbols,
    parser,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "kraken"
OHLC_MINUTES = {Interval.H1: 60, Interval.H4: 240, Interval.D1: 1440}
TAIL_ROWS = 5
UNKNOWN_PAIR = "EQuery:Unknown asset pair"


def check_envelope(data: Any, what: str, pair: str | None = None) -> dict[str, Any]:
    """The ``result`` object, or the typed error for a non-empty ``error`` list.

    ``pair`` (the pair that was asked for, when one was) is named in an unknown-pair error.
    """
    envelope = as_dict(data, what)
    errors = envelope.get("error") or []
    if errors:
        message = "; ".join(str(e) for e in as_list(errors, f"{what} error"))
        if "rate limit" in message.lower() or "too many requests" in message.lower():
            raise RateLimitedError(f"{what}: {message}")
        if pair and UNKNOWN_PAIR in message:
            message = f"{message} {pair}"
        raise UpstreamError(f"{what}: {message}", code=str(errors[0]))
    return as_dict(envelope["result"], f"{what} result")


def is_unknown_pair(body: bytes) -> bool:
    """Whether a body is Kraken's unknown-pair error (HTTP 200, no ``result``)."""
    if UNKNOWN_PAIR.encode() not in body[:4096]:
        return False
    try:
        data = jsonfast.loads(body)
    except ValueError:
        return False
    errors = data.get("error") if isinstance(data, dict) else None
    return isinstance(errors, list) and any(UNKNOWN_PAIR in str(e) for e in errors)


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
    pair: str | None = None,
) -> tuple[Candle, ...]:
    """Candles in ascending order; the last row (still forming) always has ``closed=False``."""
    result = check_envelope(load_json(body, "kraken OHLC", source), "kraken OHLC", _named(pair, symbol))
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
    body: bytes,
    *,
    result_keys: dict[str, str],
    received_ms: int,
    source: str = SOURCE,
    pair: str | None = None,
) -> tuple[Ticker, ...]:
    """Last price (``c[0]``) and 24 h volume in USD (``v[1]`` × price) per pair.

    ``result_keys`` maps Kraken's result pair names to crashtui symbols. Kraken's ``o`` is
    today's open (since 00:00 UTC), not 24 h ago, so ``change_24h_pct`` is None.
    """
    symbols = sorted(set(result_keys.values()))
    named = _named(pair, symbols[0]) if pair and len(symbols) == 1 else pair
    result = check_envelope(load_json(body, "kraken Ticker", source), "kraken Ticker", named)

    def read(entry: tuple[str, Any]) -> Ticker | None:
        key, row = entry
        symbol = result_keys.get(key)
        if symbol is None:
            return None
        price = num(row["c"][0], "c")
        return Ticker(
            symbol=symbol,
            price=price,
            change_24h_pct=None,
            ts_ms=received_ms,
            source=source,
            volume_24h_usd=num(row["v"][1], "v") * price,
        )

    out = each_row(result.items(), read, "ticker")
    return tuple(sorted(out, key=lambda t: t.symbol))


def _named(pair: str | None, symbol: str | None) -> str | None:
    """``XBTUSD (BTC)``: the pair as asked for, and whose it is."""
    if not pair:
        return None
    return f"{pair} ({symbol})" if symbol and symbol != pair else pair


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


def ticker_request(ctx: PollContext, only: tuple[str, ...] | None = None) -> Request | None:
    """One Ticker request for every listed symbol (or for the symbols ``only``)."""
    listed = [s for s in (ctx.symbols if only is None else only) if ctx.table.on(SOURCE, s)]
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
        return _poll_prices(ctx)
    if kind == "candles":
        return _per_pair(ohlc_requests(ctx), ctx)
    raise ValueError(f"kraken does not serve {kind}")


async def _poll_prices(ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """The batched Ticker; when one unknown pair fails the batch, each pair on its own."""
    request = ticker_request(ctx)
    if request is None:
        return
    raw = await ctx.fetch(request)
    if not is_unknown_pair(raw.body):
        yield raw
        return
    singles = [r for s in ctx.symbols if (r := ticker_request(ctx, (s,))) is not None]
    async for payload in _per_pair(singles, ctx):
        yield payload


async def _per_pair(requests: list[Request], ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """Send one-pair requests; pairs Kraken does not know are named, the others served."""
    unknown: list[str] = []
    served = 0
    for request in requests:
        raw = await ctx.fetch(request)
        if is_unknown_pair(raw.body):
            symbol = request.context.get("symbol") or request.context.get("symbols")
            name = _named(request.query.get("pair"), symbol) or "?"
            if name not in unknown:
                unknown.append(name)
            continue
        served += 1
        yield raw
    if unknown:
        what = f"kraken {'OHLC' if requests[0].endpoint == 'ohlc' else 'Ticker'}"
        text = f"{what}: {UNKNOWN_PAIR} {', '.join(unknown)}"
        hint = "set the symbol's kraken name under [symbols.NAME], or leave it to other sources"
        if served:
            raise PartialError(f"{text}; the other pairs are served", code=UNKNOWN_PAIR, hint=hint)
        raise UpstreamError(text, code=UNKNOWN_PAIR, hint=hint)


def _decode_ohlc(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "candles", parse_ohlc(
        raw.body,
        symbol=param(raw, "symbol"),
        interval=param_interval(raw),
        received_ms=raw.received_ms,
        result_key=raw.params.get("result_key") or None,
        source=raw.source,
        pair=raw.params.get("q.pair"),
    )


def _decode_ticker(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    keys: dict[str, str] = {}
    for symbol in param_symbols(raw):
        for name in (table.on("kraken_result", symbol), table.on(SOURCE, symbol)):
            if name:
                keys[name] = symbol
    return "prices", parse_ticker(
        raw.body,
        result_keys=keys,
        received_ms=raw.received_ms,
        source=raw.source,
        pair=raw.params.get("q.pair"),
    )


DECODERS: dict[str, Decoder] = {"ohlc": _decode_ohlc, "ticker": _decode_ticker}
