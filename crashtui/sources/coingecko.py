"""CoinGecko (``api.coingecko.com/api/v3``): batched simple price and market-chart candles.

Ids are CoinGecko slugs (``bitcoin``). Errors come as ``{"status": {"error_code",
"error_message"}}``, sometimes inside HTTP 200. An optional free Demo key goes in the
``x-cg-demo-api-key`` header. ``market_chart`` gives price points, not OHLC: candles are
built by bucketing the points (hourly for 30 days → 1 h and 4 h; daily for 365 days → 1 d)
and carry ``volume=0.0`` because the API's volumes are rolling 24 h totals, not per candle.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import RateLimitedError, UpstreamError
from crashtui.model import Candle, Interval, RawPayload, Ticker
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    candle_closed,
    context,
    fetch_each,
    instrument_map,
    load_json,
    num,
    opt_num,
    param,
    param_symbols,
    parser,
    positive,
)
from crashtui.sources.market_strip import parse_global
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "coingecko"
KEY_HEADER = "x-cg-demo-api-key"
# days requested → the candle intervals built from its points.
CHART_DAYS = {"30": (Interval.H1, Interval.H4), "365": (Interval.D1,)}


def check_envelope(data: Any, what: str) -> None:
    """Raise the typed error for a ``status.error_code`` (or top-level ``error``) body."""
    if not isinstance(data, dict):
        return
    status = data.get("status")
    if isinstance(status, dict) and status.get("error_code") is not None:
        code = status.get("error_code")
        message = f"{what}: {status.get('error_message') or 'error'} (code {code})"
        if code == 429:
            raise RateLimitedError(message)
        raise UpstreamError(message, code=str(code))
    if isinstance(data.get("error"), str):
        raise UpstreamError(f"{what}: {data['error']}")


@parser("coingecko simple/price")
def parse_simple_price(
    body: bytes, *, ids: dict[str, str], received_ms: int, source: str = SOURCE
) -> tuple[Ticker, ...]:
    """Tickers for ``ids`` (CoinGecko id → crashtui symbol); a missing id is skipped."""
    data = as_dict(load_json(body, "coingecko simple/price", source), "coingecko simple/price")
    check_envelope(data, "coingecko simple/price")

    def read(entry: tuple[str, str]) -> Ticker | None:
        coin_id, symbol = entry
        row = data.get(coin_id)
        if not isinstance(row, dict) or row.get("usd") is None:
            return None
        updated = row.get("last_updated_at")
        return Ticker(
            symbol=symbol,
            price=num(row["usd"], "usd"),
            change_24h_pct=opt_num(row.get("usd_24h_change"), "usd_24h_change"),
            ts_ms=int(num(updated, "last_updated_at")) * 1000 if updated is not None else received_ms,
            source=source,
            volume_24h_usd=opt_num(row.get("usd_24h_vol"), "usd_24h_vol"),
        )

    return tuple(each_row(ids.items(), read, "price"))


@parser("coingecko market_chart")
def parse_market_chart(
    body: bytes, *, symbol: str, intervals: tuple[Interval, ...], received_ms: int, source: str = SOURCE
) -> tuple[Candle, ...]:
    """Candles per interval built from the ``prices`` points (first/max/min/last per bucket)."""
    data = as_dict(load_json(body, "coingecko market_chart", source), "coingecko market_chart")
    check_envelope(data, "coingecko market_chart")
    points = sorted(
        each_row(
            as_list(data["prices"], "prices"),
            lambda p: (int(num(p[0], "time")), positive(p[1], "price")),
            "price point",
        )
    )
    out: list[Candle] = []
    for interval in intervals:
        buckets: dict[int, list[float]] = {}
        for ts, price in points:
            buckets.setdefault(ts - ts % interval.ms, []).append(price)
        for start, prices in sorted(buckets.items()):
            out.append(
                Candle(
                    symbol=symbol,
                    interval=interval,
                    open_ms=start,
                    open=prices[0],
                    high=max(prices),
                    low=min(prices),
                    close=prices[-1],
                    volume=0.0,
                    source=source,
                    closed=candle_closed(start, interval, received_ms),
                )
            )
    return tuple(out)


def _key_headers(ctx: PollContext) -> tuple[dict[str, str], frozenset[str]]:
    if ctx.api_key:
        return {KEY_HEADER: ctx.api_key}, frozenset({KEY_HEADER})
    return {}, frozenset()


def simple_price_request(ctx: PollContext) -> Request | None:
    """One request for every watchlist symbol with a CoinGecko id."""
    listed = [s for s in ctx.symbols if ctx.table.on(SOURCE, s)]
    if not listed:
        return None
    headers, secret_names = _key_headers(ctx)
    return Request(
        source=ctx.source,
        endpoint="simple_price",
        url=ctx.url("/simple/price"),
        query={
            "ids": ",".join(ctx.table.on(SOURCE, s) or "" for s in listed),
            "vs_currencies": "usd",
            "include_24hr_change": "true",
            "include_24hr_vol": "true",
            "include_last_updated_at": "true",
        },
        context=context(symbols=",".join(listed)),
        headers=headers,
        secret=ctx.api_key,
        secret_names=secret_names,
    )


def market_chart_requests(ctx: PollContext) -> list[Request]:
    """Two charts per symbol: 30 days (hourly points) and 365 days (daily points)."""
    headers, secret_names = _key_headers(ctx)
    out = []
    for symbol in ctx.symbols:
        coin_id = ctx.table.on(SOURCE, symbol)
        if coin_id is None:
            continue
        for days, intervals in CHART_DAYS.items():
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="market_chart",
                    url=ctx.url(f"/coins/{coin_id}/market_chart"),
                    query={"vs_currency": "usd", "days": days},
                    context=context(symbol=symbol, intervals=",".join(i.value for i in intervals)),
                    headers=headers,
                    secret=ctx.api_key,
                    secret_names=secret_names,
                )
            )
    return out


def global_request(ctx: PollContext) -> Request:
    """The whole market's size and dominance (``/global``)."""
    headers, secret_names = _key_headers(ctx)
    return Request(
        source=ctx.source,
        endpoint="global",
        url=ctx.url("/global"),
        headers=headers,
        secret=ctx.api_key,
        secret_names=secret_names,
    )


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``prices``, ``candles`` or ``market_global``."""
    if kind == "prices":
        request = simple_price_request(ctx)
        return fetch_each([request] if request else [], ctx)
    if kind == "candles":
        return fetch_each(market_chart_requests(ctx), ctx)
    if kind == "market_global":
        return fetch_each([global_request(ctx)], ctx)
    raise ValueError(f"coingecko does not serve {kind}")


def _decode_price(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    ids = instrument_map(table, SOURCE, param_symbols(raw))
    return "prices", parse_simple_price(raw.body, ids=ids, received_ms=raw.received_ms, source=raw.source)


def _decode_chart(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    intervals = tuple(
        Interval(v) for v in param(raw, "intervals").split(",") if v in Interval._value2member_map_
    )
    return "candles", parse_market_chart(
        raw.body,
        symbol=param(raw, "symbol"),
        intervals=intervals,
        received_ms=raw.received_ms,
        source=raw.source,
    )


def _decode_global(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "market_global", (parse_global(raw.body, source=raw.source),)


DECODERS: dict[str, Decoder] = {
    "simple_price": _decode_price,
    "market_chart": _decode_chart,
    "global": _decode_global,
}
