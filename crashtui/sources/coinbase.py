"""Coinbase Exchange (``api.exchange.coinbase.com``): ticker and candles.

Candles are ``[time s, low, high, open, close, volume]`` (low/high before open/close),
newest first, with gaps where nothing traded. There is no 4 h granularity: 4 h candles are
aggregated from 1 h ones (UTC-aligned buckets; the oldest bucket is dropped when the
window starts inside it). The ticker has no 24 h change.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from crashtui.errors import UpstreamError
from crashtui.model import Candle, Interval, RawPayload, Ticker
from crashtui.sources.common import (
    Decoder,
    Items,
    OhlcvColumns,
    PollContext,
    as_dict,
    as_list,
    candle_closed,
    candles_from_rows,
    context,
    fetch_each,
    iso_ms,
    load_json,
    num,
    param,
    param_interval,
    parser,
)
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "coinbase"
GRANULARITY = {Interval.H1: 3600, Interval.D1: 86400}  # 4h comes from 1h


def _check_envelope(data: object, what: str) -> None:
    if isinstance(data, dict) and "message" in data and len(data) <= 2:
        raise UpstreamError(f"{what}: {data['message']}")


@parser("coinbase ticker")
def parse_ticker(body: bytes, *, symbol: str, source: str = SOURCE) -> Ticker:
    """Last trade price and time (ISO-8601 with µs)."""
    data = as_dict(load_json(body, "coinbase ticker", source), "coinbase ticker")
    _check_envelope(data, "coinbase ticker")
    return Ticker(
        symbol=symbol,
        price=num(data["price"], "price"),
        change_24h_pct=None,
        ts_ms=iso_ms(data["time"]),
        source=source,
    )


# [time s, low, high, open, close, volume]: low and high come before open and close
CANDLE_COLUMNS = OhlcvColumns(time=0, open=3, high=2, low=1, close=4, volume=5, time_unit_ms=1000)


@parser("coinbase candles")
def parse_candles(
    body: bytes, *, symbol: str, interval: Interval, received_ms: int, source: str = SOURCE
) -> tuple[Candle, ...]:
    """Candles in ascending time order; ``closed=False`` for one whose interval has not ended."""
    data = load_json(body, "coinbase candles", source)
    _check_envelope(data, "coinbase candles")
    rows = as_list(data, "coinbase candles")
    return candles_from_rows(
        rows, CANDLE_COLUMNS, symbol=symbol, interval=interval, received_ms=received_ms, source=source
    )


def aggregate(candles: tuple[Candle, ...], interval: Interval, received_ms: int) -> tuple[Candle, ...]:
    """Aggregate ascending smaller candles into UTC-aligned ``interval`` buckets.

    The first bucket is dropped when the input starts after that bucket's start (it would be
    missing its first hours); gaps inside a bucket are fine (nothing traded).
    """
    buckets: dict[int, list[Candle]] = {}
    for candle in candles:
        buckets.setdefault(candle.open_ms - candle.open_ms % interval.ms, []).append(candle)
    out: list[Candle] = []
    for start, group in sorted(buckets.items()):
        if not out and candles and candles[0].open_ms > start:
            continue
        out.append(
            Candle(
                symbol=group[0].symbol,
                interval=interval,
                open_ms=start,
                open=group[0].open,
                high=max(c.high for c in group),
                low=min(c.low for c in group),
                close=group[-1].close,
                volume=sum(c.volume for c in group),
                source=group[0].source,
                closed=candle_closed(start, interval, received_ms),
            )
        )
    return tuple(out)


def ticker_requests(ctx: PollContext, *, reference: bool = False) -> list[Request]:
    """One ticker request per symbol listed on Coinbase (the API has no batch ticker).

    ``reference``: the quote is the Coinbase side of the Coinbase premium (kind
    ``spot_reference``), polled beside whichever venue serves the watchlist's prices.
    """
    out = []
    for symbol in ctx.symbols:
        product = ctx.table.on(SOURCE, symbol)
        if product is not None:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="ticker",
                    url=ctx.url(f"/products/{product}/ticker"),
                    context=context(symbol=symbol, purpose="reference" if reference else "prices"),
                )
            )
    return out


def candle_requests(ctx: PollContext) -> list[Request]:
    """1 h (also yields 4 h) and 1 d candles per listed symbol, 300 each (the API maximum)."""
    out = []
    for symbol in ctx.symbols:
        product = ctx.table.on(SOURCE, symbol)
        if product is None:
            continue
        for interval, seconds in GRANULARITY.items():
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="candles",
                    url=ctx.url(f"/products/{product}/candles"),
                    query={"granularity": str(seconds)},
                    context=context(symbol=symbol, interval=interval.value),
                )
            )
    return out


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``prices`` or ``candles``."""
    if kind == "prices":
        return fetch_each(ticker_requests(ctx), ctx)
    if kind == "spot_reference":
        return fetch_each(ticker_requests(ctx, reference=True), ctx)
    if kind == "candles":
        return fetch_each(candle_requests(ctx), ctx)
    raise ValueError(f"coinbase does not serve {kind}")


def _decode_ticker(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    kind = "spot_reference" if raw.params.get("purpose") == "reference" else "prices"
    return kind, (parse_ticker(raw.body, symbol=param(raw, "symbol"), source=raw.source),)


def _decode_candles(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    interval = param_interval(raw)
    candles = parse_candles(
        raw.body,
        symbol=param(raw, "symbol"),
        interval=interval,
        received_ms=raw.received_ms,
        source=raw.source,
    )
    if interval is Interval.H1:
        return "candles", candles + aggregate(candles, Interval.H4, raw.received_ms)
    return "candles", candles


DECODERS: dict[str, Decoder] = {"ticker": _decode_ticker, "candles": _decode_candles}
