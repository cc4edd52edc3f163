"""Binance USD-M futures (``fapi.binance.com``): funding + mark price, open interest, and the
positioning history of ``/futures/data`` (open interest, taker buy/sell volume, global
long/short account ratio) plus funding-rate history.

``premiumIndex`` without ``symbol`` returns every perpetual in one request (weight 10), so
funding is one request per cycle whatever the watchlist size. ``openInterest`` is one
symbol per request (weight 1). ``lastFundingRate`` is taken as an 8-hour rate: Binance's
majors fund every 8 h (a few small symbols fund every 4 h; this endpoint does not say, but
the spacing of ``fundingRate`` history rows does, see :func:`parse_funding_rate_history`).

The ``/futures/data`` endpoints cost no weight (1000 requests per 5 min per IP), serve the
last 30 days only, one symbol and one ``period`` per request, and carry numbers as strings.
Their rows have no reliable order (the taker doc sample descends), so every parser sorts.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.model import (
    FUNDING_8H_MS,
    FundingPoint,
    FundingSnapshot,
    LongShortRatio,
    OpenInterestPoint,
    RawPayload,
    TakerVolume,
)
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
from crashtui.sources.derivs import (
    DAY_MS,
    HOUR_MS,
    MAX_BASE,
    MAX_USD,
    MINUTE_MS,
    Settlement,
    amount,
    by_time,
    funding_points,
    param_period,
    shares,
    ts_ms,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "binance_futures"
PREMIUM_INDEX_ALL_WEIGHT = 10
PERIODS: dict[str, int] = {
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "30m": 30 * MINUTE_MS,
    "1h": HOUR_MS,
    "2h": 2 * HOUR_MS,
    "4h": 4 * HOUR_MS,
    "6h": 6 * HOUR_MS,
    "12h": 12 * HOUR_MS,
    "1d": DAY_MS,
}
HISTORY_PERIOD = "5m"
HISTORY_LIMIT_BACKFILL = 500  # the maximum: 41.7 h of 5 min rows, enough for a 24 h change
HISTORY_LIMIT = 30  # 2.5 h: later polls only need the tail
FUNDING_LIMIT_BACKFILL = 100  # 33 days of 8-hourly settlements
FUNDING_LIMIT = 5  # three or more rows let the interval be read from their spacing


@parser("binance premiumIndex")
def parse_premium_index(
    body: bytes, *, instruments: dict[str, str], venue: str = SOURCE
) -> tuple[FundingSnapshot, ...]:
    """Funding rate, mark and index price for the instruments asked for (one object or a list)."""
    data = load_json(body, "binance premiumIndex", venue)
    check_envelope(data, "binance premiumIndex")
    rows = [data] if isinstance(data, dict) else as_list(data, "binance premiumIndex")

    def read(row: Any) -> FundingSnapshot | None:
        symbol = instruments.get(row["symbol"])
        if symbol is None:
            return None
        next_funding = int(row.get("nextFundingTime") or 0)
        return FundingSnapshot(
            venue=venue,
            symbol=symbol,
            ts_ms=ts_ms(row["time"], "time"),
            funding_rate_8h=opt_num(row.get("lastFundingRate"), "lastFundingRate"),
            mark_price=num(row["markPrice"], "markPrice"),
            index_price=opt_num(row.get("indexPrice"), "indexPrice"),
            next_funding_ms=next_funding or None,
        )

    return tuple(each_row(rows, read, "premium index"))


@parser("binance openInterest")
def parse_open_interest(body: bytes, *, symbol: str, venue: str = SOURCE) -> FundingSnapshot:
    """Open interest in base units (USD value is left to whoever also holds the mark price)."""
    data = as_dict(load_json(body, "binance openInterest", venue), "binance openInterest")
    check_envelope(data, "binance openInterest")
    return FundingSnapshot(
        venue=venue,
        symbol=symbol,
        ts_ms=ts_ms(data["time"], "time"),
        open_interest_base=amount(data["openInterest"], "openInterest", ceiling=MAX_BASE),
    )


@parser("binance openInterestHist")
def parse_open_interest_hist(
    body: bytes, *, symbol: str, period_ms: int, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[OpenInterestPoint, ...]:
    """Open-interest history, oldest first: ``sumOpenInterest`` (base coin) and its USDT value.

    ``timestamp`` is a ms string in the doc and a ms int in real replies: both are accepted.
    """
    data = load_json(body, "binance openInterestHist", venue)
    check_envelope(data, "binance openInterestHist")
    return by_time(
        each_row(
            as_list(data, "binance openInterestHist"),
            lambda row: OpenInterestPoint(
                venue=venue,
                symbol=symbol,
                ts_ms=ts_ms(row["timestamp"], "timestamp", received_ms=received_ms),
                oi_base=amount(row["sumOpenInterest"], "sumOpenInterest", ceiling=MAX_BASE),
                oi_usd=amount(row["sumOpenInterestValue"], "sumOpenInterestValue", ceiling=MAX_USD),
                period_ms=period_ms,
            ),
            "open interest",
        )
    )


@parser("binance takerlongshortRatio")
def parse_taker_volume(
    body: bytes, *, symbol: str, period_ms: int, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[TakerVolume, ...]:
    """Taker buy and sell volume per period (base coin), oldest first.

    ``buySellRatio`` is not used: the documented rows disagree with ``buyVol / sellVol``, and
    the two volumes are what a long/short split needs.
    """
    data = load_json(body, "binance takerlongshortRatio", venue)
    check_envelope(data, "binance takerlongshortRatio")
    return by_time(
        each_row(
            as_list(data, "binance takerlongshortRatio"),
            lambda row: TakerVolume(
                venue=venue,
                symbol=symbol,
                ts_ms=ts_ms(row["timestamp"], "timestamp", received_ms=received_ms),
                period_ms=period_ms,
                buy_base=amount(row["buyVol"], "buyVol", ceiling=MAX_BASE),
                sell_base=amount(row["sellVol"], "sellVol", ceiling=MAX_BASE),
            ),
            "taker volume",
        )
    )


@parser("binance globalLongShortAccountRatio")
def parse_global_long_short(
    body: bytes, *, symbol: str, period_ms: int, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[LongShortRatio, ...]:
    """Shares of accounts net long and net short, oldest first.

    ``longShortRatio`` is ignored: it is ``longAccount / shortAccount``, and the doc's first
    row gets it wrong (0.1960 for 0.6622/0.3378 = 1.9604), so the model recomputes it.
    """
    data = load_json(body, "binance globalLongShortAccountRatio", venue)
    check_envelope(data, "binance globalLongShortAccountRatio")

    def read(row: Any) -> LongShortRatio:
        long_share, short_share = shares(row["longAccount"], row["shortAccount"], "account shares")
        return LongShortRatio(
            venue=venue,
            symbol=symbol,
            ts_ms=ts_ms(row["timestamp"], "timestamp", received_ms=received_ms),
            period_ms=period_ms,
            long_share=long_share,
            short_share=short_share,
        )

    return by_time(each_row(as_list(data, "binance globalLongShortAccountRatio"), read, "account ratio"))


@parser("binance fundingRate")
def parse_funding_rate_history(
    body: bytes, *, symbol: str, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[FundingPoint, ...]:
    """Settled funding rates, oldest first, normalised to 8 h.

    The rows do not say their interval (8 h for the majors, 4 h or 1 h for some symbols, and
    Binance changes it in volatile markets), so it is read from the spacing of ``fundingTime``
    (see :func:`~crashtui.sources.derivs.funding_intervals`); a lone row is taken as 8 h.
    """
    data = load_json(body, "binance fundingRate", venue)
    check_envelope(data, "binance fundingRate")
    settlements = each_row(
        as_list(data, "binance fundingRate"),
        lambda row: Settlement(
            ts_ms(row["fundingTime"], "fundingTime", received_ms=received_ms),
            num(row["fundingRate"], "fundingRate"),
        ),
        "funding",
    )
    return funding_points(
        settlements, venue=venue, symbol=symbol, default_ms=FUNDING_8H_MS, what="binance fundingRate"
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


# Positioning history: kind → (endpoint name, path). One request per symbol and kind.
HISTORY_ENDPOINTS: dict[str, tuple[str, str]] = {
    "open_interest_history": ("open_interest_hist", "/futures/data/openInterestHist"),
    "taker_volume": ("taker_long_short_ratio", "/futures/data/takerlongshortRatio"),
    "long_short_ratio": ("global_long_short_account_ratio", "/futures/data/globalLongShortAccountRatio"),
}


def history_requests(
    ctx: PollContext, kind: str, *, period: str = HISTORY_PERIOD, limit: int | None = None
) -> list[Request]:
    """One ``/futures/data`` request per listed symbol: the full 500 rows on backfill, else the tail."""
    endpoint, path = HISTORY_ENDPOINTS[kind]
    if limit is None:
        limit = HISTORY_LIMIT_BACKFILL if ctx.backfill else HISTORY_LIMIT
    out = []
    for symbol in ctx.symbols:
        name = ctx.table.on(SOURCE, symbol)
        if name is not None:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint=endpoint,
                    url=ctx.url(path),
                    query={"symbol": name, "period": period, "limit": str(limit)},
                    context=context(symbol=symbol, period=period),
                    weight=0,
                )
            )
    return out


def funding_history_requests(ctx: PollContext) -> list[Request]:
    """One ``fundingRate`` request per listed symbol (100 rows on backfill, else the last 5)."""
    limit = FUNDING_LIMIT_BACKFILL if ctx.backfill else FUNDING_LIMIT
    out = []
    for symbol in ctx.symbols:
        name = ctx.table.on(SOURCE, symbol)
        if name is not None:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="funding_rate_history",
                    url=ctx.url("/fapi/v1/fundingRate"),
                    query={"symbol": name, "limit": str(limit)},
                    context=context(symbol=symbol),
                )
            )
    return out


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``funding``, ``open_interest``, ``funding_history`` or a positioning
    history kind (``open_interest_history``, ``taker_volume``, ``long_short_ratio``)."""
    if kind == "funding":
        request = premium_index_request(ctx)
        return fetch_each([request] if request else [], ctx)
    if kind == "open_interest":
        return fetch_each(open_interest_requests(ctx), ctx)
    if kind == "funding_history":
        return fetch_each(funding_history_requests(ctx), ctx)
    if kind in HISTORY_ENDPOINTS:
        return fetch_each(history_requests(ctx, kind), ctx)
    raise ValueError(f"binance_futures does not serve {kind}")


def _decode_premium(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    instruments = instrument_map(table, SOURCE, param_symbols(raw))
    return "funding", parse_premium_index(raw.body, instruments=instruments, venue=raw.source)


def _decode_oi(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "open_interest", (parse_open_interest(raw.body, symbol=param(raw, "symbol"), venue=raw.source),)


def _period(raw: RawPayload) -> int:
    return param_period(raw.params, PERIODS, f"{raw.source} {raw.endpoint}")


def _decode_oi_hist(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    points = parse_open_interest_hist(
        raw.body,
        symbol=param(raw, "symbol"),
        period_ms=_period(raw),
        received_ms=raw.received_ms,
        venue=raw.source,
    )
    return "open_interest_history", points


def _decode_taker(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    volumes = parse_taker_volume(
        raw.body,
        symbol=param(raw, "symbol"),
        period_ms=_period(raw),
        received_ms=raw.received_ms,
        venue=raw.source,
    )
    return "taker_volume", volumes


def _decode_long_short(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    ratios = parse_global_long_short(
        raw.body,
        symbol=param(raw, "symbol"),
        period_ms=_period(raw),
        received_ms=raw.received_ms,
        venue=raw.source,
    )
    return "long_short_ratio", ratios


def _decode_funding_history(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    points = parse_funding_rate_history(
        raw.body, symbol=param(raw, "symbol"), received_ms=raw.received_ms, venue=raw.source
    )
    return "funding_history", points


DECODERS: dict[str, Decoder] = {
    "premium_index": _decode_premium,
    "open_interest": _decode_oi,
    "open_interest_hist": _decode_oi_hist,
    "taker_long_short_ratio": _decode_taker,
    "global_long_short_account_ratio": _decode_long_short,
    "funding_rate_history": _decode_funding_history,
}
