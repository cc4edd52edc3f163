"""Binance spot market data (``data-api.binance.vision``): 24 h tickers, klines, order book.

Prices and quantities are strings, times are ms integers. Errors come as
``{"code": -1121, "msg": "Invalid symbol."}``; -1003 is "too much request weight".
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import ParseError, RateLimitedError, UpstreamError
from crashtui.model import POLLED_INTERVALS, BookStats, Candle, Interval, RawPayload, Ticker
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
    instrument_map,
    load_json,
    num,
    param,
    param_interval,
    param_symbols,
    parser,
)
from crashtui.sources.market_strip import parse_movers
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "binance"
INTERVALS = POLLED_INTERVALS  # polled for every symbol; 5m and 15m only on demand
# Rows asked for on a backfill (1000 is Binance's most; the weight is 2 whatever the limit).
BACKFILL_LIMIT = {
    Interval.M5: 1000,
    Interval.M15: 1000,
    Interval.H1: 500,
    Interval.H4: 500,
    Interval.D1: 400,
}
TAIL_LIMIT = 5
# Depth levels fetched per side, by watchlist size: (max symbols, limit, weight). The ±1%
# band is summed over what these levels cover; for BTC at a 0.01 tick even 1000 levels can
# fall short of 1%, but the figure stays comparable with its own trailing baseline, which is
# what the stress signal uses. The steps keep depth polls (every 15 s) under about half of
# the 6000/min weight budget whatever the watchlist size (5000 levels would cost 250 each).
DEPTH_STEPS = ((15, 1000, 50), (30, 500, 25), (10**9, 100, 5))
KLINES_WEIGHT = 2
MOVERS_WEIGHT = 80  # /ticker/24hr without a symbol
BAND = 0.01


def check_envelope(data: Any, what: str) -> None:
    """Raise the typed error for a Binance ``{"code", "msg"}`` error body."""
    if isinstance(data, dict) and "code" in data and "msg" in data:
        code = data.get("code")
        message = f"{what}: {data.get('msg')} (code {code})"
        if code == -1003:
            raise RateLimitedError(message)
        raise UpstreamError(message, code=str(code))


def ticker_weight(count: int) -> int:
    """Request weight of ``ticker/24hr`` for ``count`` symbols."""
    return 2 if count <= 20 else 40 if count <= 100 else 80


@parser("binance ticker/24hr")
def parse_ticker_24hr(
    body: bytes, *, instruments: dict[str, str], source: str = SOURCE
) -> tuple[Ticker, ...]:
    """Tickers for the instruments in ``instruments`` (Binance name → crashtui symbol).

    Accepts the full and the ``MINI`` shape (24 h change computed from ``openPrice`` then).
    """
    data = load_json(body, "binance ticker/24hr", source)
    check_envelope(data, "binance ticker/24hr")
    rows = [data] if isinstance(data, dict) else as_list(data, "binance ticker/24hr")

    def read(row: Any) -> Ticker | None:
        symbol = instruments.get(row["symbol"])
        if symbol is None:
            return None
        price = num(row["lastPrice"], "lastPrice")
        if "priceChangePercent" in row:
            change: float | None = num(row["priceChangePercent"], "priceChangePercent")
        else:
            open_price = num(row["openPrice"], "openPrice")
            change = (price / open_price - 1.0) * 100.0 if open_price > 0 else None
        return Ticker(
            symbol=symbol,
            price=price,
            change_24h_pct=change,
            ts_ms=int(row["closeTime"]),
            source=source,
            volume_24h_usd=num(row["quoteVolume"], "quoteVolume"),
        )

    return tuple(each_row(rows, read, "ticker"))


# [openTime ms, open, high, low, close, volume, closeTime, …]
KLINE_COLUMNS = OhlcvColumns(time=0, open=1, high=2, low=3, close=4, volume=5)


@parser("binance klines")
def parse_klines(
    body: bytes, *, symbol: str, interval: Interval, received_ms: int, source: str = SOURCE
) -> tuple[Candle, ...]:
    """Candles from a klines array; the still-forming last one has ``closed=False``."""
    data = load_json(body, "binance klines", source)
    check_envelope(data, "binance klines")
    rows = as_list(data, "binance klines")
    return candles_from_rows(
        rows, KLINE_COLUMNS, symbol=symbol, interval=interval, received_ms=received_ms, source=source
    )


@parser("binance depth")
def parse_depth(
    body: bytes, *, symbol: str, received_ms: int, venue: str = SOURCE, band: float = BAND
) -> BookStats:
    """Spread (bps) and USD depth within ``±band`` of mid on each side of the book."""
    data = as_dict(load_json(body, "binance depth", venue), "binance depth")
    check_envelope(data, "binance depth")
    # A level is [price, qty]; columns added later (an order count, as other venues send) are ignored.
    bids = [(num(level[0], "bid price"), num(level[1], "bid qty")) for level in as_list(data["bids"], "bids")]
    asks = [(num(level[0], "ask price"), num(level[1], "ask qty")) for level in as_list(data["asks"], "asks")]
    if not bids or not asks:
        raise ParseError(f"binance depth: empty book side for {symbol}")
    best_bid = max(p for p, _ in bids)
    best_ask = min(p for p, _ in asks)
    if best_bid <= 0 or best_ask < best_bid:
        raise ParseError(f"binance depth: crossed or invalid book for {symbol} ({best_bid} / {best_ask})")
    mid = (best_bid + best_ask) / 2
    return BookStats(
        venue=venue,
        symbol=symbol,
        ts_ms=received_ms,
        mid=mid,
        spread_bps=(best_ask - best_bid) / mid * 10_000,
        bid_depth_usd=sum(p * q for p, q in bids if p >= mid * (1 - band)),
        ask_depth_usd=sum(p * q for p, q in asks if p <= mid * (1 + band)),
    )


def ticker_request(ctx: PollContext) -> Request | None:
    """One ``ticker/24hr`` request for every watchlist symbol listed on Binance."""
    listed = [s for s in ctx.symbols if ctx.table.on(SOURCE, s)]
    if not listed:
        return None
    names = [ctx.table.on(SOURCE, s) for s in listed]
    return Request(
        source=ctx.source,
        endpoint="ticker_24hr",
        url=ctx.url("/api/v3/ticker/24hr"),
        query={"symbols": json.dumps(names, separators=(",", ":")), "type": "MINI"},
        context=context(symbols=",".join(listed)),
        weight=ticker_weight(len(listed)),
    )


def klines_request(ctx: PollContext, symbol: str, interval: Interval) -> Request | None:
    """Klines of one symbol and interval (full history on backfill, else the tail); None when
    the symbol is not listed on Binance. Any :class:`Interval` is a Binance kline interval."""
    name = ctx.table.on(SOURCE, symbol)
    if name is None:
        return None
    limit = BACKFILL_LIMIT[interval] if ctx.backfill else TAIL_LIMIT
    return Request(
        source=ctx.source,
        endpoint="klines",
        url=ctx.url("/api/v3/klines"),
        query={"symbol": name, "interval": interval.value, "limit": str(limit)},
        context=context(symbol=symbol, interval=interval.value),
        weight=KLINES_WEIGHT,
    )


def klines_requests(ctx: PollContext) -> list[Request]:
    """Klines for every listed symbol and polled interval (see :func:`klines_request`)."""
    out = []
    for symbol in ctx.symbols:
        for interval in INTERVALS:
            request = klines_request(ctx, symbol, interval)
            if request is not None:
                out.append(request)
    return out


def depth_limit(count: int) -> tuple[int, int]:
    """``(levels, weight)`` of each depth request when ``count`` symbols are polled."""
    for most, limit, weight in DEPTH_STEPS:
        if count <= most:
            return limit, weight
    return DEPTH_STEPS[-1][1:]  # pragma: no cover - the last step has no real upper bound


def depth_requests(ctx: PollContext) -> list[Request]:
    """One order-book request per listed symbol."""
    limit, weight = depth_limit(len(ctx.symbols))
    out = []
    for symbol in ctx.symbols:
        name = ctx.table.on(SOURCE, symbol)
        if name is not None:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="depth",
                    url=ctx.url("/api/v3/depth"),
                    query={"symbol": name, "limit": str(limit)},
                    context=context(symbol=symbol),
                    weight=weight,
                )
            )
    return out


def movers_request(ctx: PollContext) -> Request:
    """Every pair's 24 h mini ticker (no symbol: weight 80), for the market strip's movers."""
    return Request(
        source=ctx.source,
        endpoint="ticker_24hr_all",
        url=ctx.url("/api/v3/ticker/24hr"),
        query={"type": "MINI"},
        weight=MOVERS_WEIGHT,
    )


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``kind`` (prices, candles, depth or market_movers)."""
    if kind == "prices":
        request = ticker_request(ctx)
        return fetch_each([request] if request else [], ctx)
    if kind == "candles":
        return fetch_each(klines_requests(ctx), ctx)
    if kind == "depth":
        return fetch_each(depth_requests(ctx), ctx)
    if kind == "market_movers":
        return fetch_each([movers_request(ctx)], ctx)
    raise ValueError(f"binance does not serve {kind}")


def _decode_ticker(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "prices", parse_ticker_24hr(
        raw.body, instruments=instrument_map(table, SOURCE, param_symbols(raw)), source=raw.source
    )


def _decode_klines(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "candles", parse_klines(
        raw.body,
        symbol=param(raw, "symbol"),
        interval=param_interval(raw),
        received_ms=raw.received_ms,
        source=raw.source,
    )


def _decode_depth(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "depth", (
        parse_depth(raw.body, symbol=param(raw, "symbol"), received_ms=raw.received_ms, venue=raw.source),
    )


def _decode_movers(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "market_movers", (parse_movers(raw.body, received_ms=raw.received_ms, source=raw.source),)


DECODERS: dict[str, Decoder] = {
    "ticker_24hr_all": _decode_movers,
    "ticker_24hr": _decode_ticker,
    "klines": _decode_klines,
    "depth": _decode_depth,
}
