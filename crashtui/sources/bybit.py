"""Bybit v5 market data: tickers (funding and open interest), open-interest history, funding
history and the long/short account ratio.

Every answer is ``{"retCode": 0, "retMsg": "OK", "result": {"category", "list"}}``; a
non-zero ``retCode`` is an error inside HTTP 200 (10006 "Too many visits!" is a rate limit).
All numbers are strings. Funding is normalised to 8 h using ``fundingIntervalHour``.
Linear contracts give ``openInterest`` in base units and ``openInterestValue`` in USD;
inverse contracts the other way round. One ticker answer carries both funding and open
interest, so the same endpoint serves both kinds (the kind asked for is a request param).

History endpoints (``open-interest``, ``funding/history``, ``account-ratio``) list newest
first with ms-string timestamps; parsers sort. Their periods are spelt ``5min``/``1h``/``1d``
(not Binance's ``5m``). ``open-interest`` is in base coin for linear and USD for inverse
contracts; since 2026 its ``openInterest`` counts **both sides** and ``singleOpenInterest``
one side (the older docs said "returns single side data" with only ``openInterest``), so one
side is ``singleOpenInterest`` when present, else ``openInterest``. Public clients show the
tickers' ``openInterest``/``openInterestValue`` gained ``single…`` twins at the same time;
those are preferred the same way.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import ParseError, RateLimitedError, UpstreamError
from crashtui.model import (
    FUNDING_8H_MS,
    FundingPoint,
    FundingSnapshot,
    LongShortRatio,
    OpenInterestPoint,
    RawPayload,
)
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

SOURCE = "bybit"
_RATE_LIMIT_CODES = {10006, 10018}
PERIODS: dict[str, int] = {
    "5min": 5 * MINUTE_MS,
    "15min": 15 * MINUTE_MS,
    "30min": 30 * MINUTE_MS,
    "1h": HOUR_MS,
    "4h": 4 * HOUR_MS,
    "1d": DAY_MS,
}
HISTORY_PERIOD = "5min"
HISTORY_LIMIT_BACKFILL = 200  # open-interest allows 200 a page (16.7 h of 5 min rows)
HISTORY_LIMIT = 30
DAY_BACKFILL = ("1h", 48)  # plus two days of hourly rows, so a 24 h change is there at once
RATIO_LIMIT_BACKFILL = 500  # account-ratio allows 500
FUNDING_LIMIT_BACKFILL = 200
FUNDING_LIMIT = 5


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


def _one_side(row: dict[str, Any], name: str) -> Any:
    """``single<Name>`` when the row has it (one side), else ``<name>``."""
    single = row.get("single" + name[0].upper() + name[1:])
    return single if single not in (None, "") else row.get(name)


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

    def read(row: Any) -> FundingSnapshot | None:
        name = row["symbol"]
        symbol = instruments.get(name)
        if symbol is None and inverse and name.endswith("USD") and name[:-3] in wanted:
            symbol = name[:-3]
        if symbol is None:
            return None
        rate = opt_num(row.get("fundingRate"), "fundingRate")
        hours = opt_num(row.get("fundingIntervalHour"), "fundingIntervalHour") or 8.0
        # one side, as everywhere in crashtui: the single-side fields where the reply has them
        oi = opt_num(_one_side(row, "openInterest"), "openInterest")
        oi_value = opt_num(_one_side(row, "openInterestValue"), "openInterestValue")
        next_funding = opt_num(row.get("nextFundingTime"), "nextFundingTime")
        return FundingSnapshot(
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

    out = each_row(as_list(result["list"], "bybit tickers list"), read, "tickers")
    return tuple(out)


@parser("bybit open-interest")
def parse_open_interest(
    body: bytes, *, symbol: str, period_ms: int, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[OpenInterestPoint, ...]:
    """One side of the open interest, oldest first: base coin (linear) or USD (inverse)."""
    result = check_envelope(load_json(body, "bybit open-interest", venue), "bybit open-interest")
    category = result["category"]
    if category not in ("linear", "inverse"):
        raise ParseError(f"bybit open-interest: unknown category {str(category)[:20]!r}")
    inverse = category == "inverse"
    ceiling = MAX_USD if inverse else MAX_BASE

    def read(row: Any) -> OpenInterestPoint:
        value = amount(_one_side(row, "openInterest"), "openInterest", ceiling=ceiling)
        return OpenInterestPoint(
            venue=venue,
            symbol=symbol,
            ts_ms=ts_ms(row["timestamp"], "timestamp", received_ms=received_ms),
            oi_base=None if inverse else value,
            oi_usd=value if inverse else None,
            period_ms=period_ms,
        )

    out = each_row(as_list(result["list"], "bybit open-interest list"), read, "open interest")
    return by_time(out)


@parser("bybit funding/history")
def parse_funding_history(
    body: bytes, *, symbol: str, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[FundingPoint, ...]:
    """Settled funding rates, oldest first, normalised to 8 h.

    The rows do not carry the interval (``fundingInterval`` lives in instruments-info and
    differs per symbol), so it is read from the spacing of settlements; a lone row is 8 h.
    """
    result = check_envelope(load_json(body, "bybit funding/history", venue), "bybit funding/history")
    settlements = each_row(
        as_list(result["list"], "bybit funding/history list"),
        lambda row: Settlement(
            ts_ms(row["fundingRateTimestamp"], "fundingRateTimestamp", received_ms=received_ms),
            num(row["fundingRate"], "fundingRate"),
        ),
        "funding",
    )
    return funding_points(
        settlements, venue=venue, symbol=symbol, default_ms=FUNDING_8H_MS, what="bybit fundingRate"
    )


@parser("bybit account-ratio")
def parse_account_ratio(
    body: bytes, *, symbol: str, period_ms: int, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[LongShortRatio, ...]:
    """Shares of holders long (``buyRatio``) and short (``sellRatio``), oldest first."""
    result = check_envelope(load_json(body, "bybit account-ratio", venue), "bybit account-ratio")

    def read(row: Any) -> LongShortRatio:
        long_share, short_share = shares(row["buyRatio"], row["sellRatio"], "buyRatio/sellRatio")
        return LongShortRatio(
            venue=venue,
            symbol=symbol,
            ts_ms=ts_ms(row["timestamp"], "timestamp", received_ms=received_ms),
            period_ms=period_ms,
            long_share=long_share,
            short_share=short_share,
        )

    out = each_row(as_list(result["list"], "bybit account-ratio list"), read, "account ratio")
    return by_time(out)


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


def _symbol_request(
    ctx: PollContext, symbol: str, endpoint: str, path: str, query: dict[str, str], period: str | None = None
) -> Request | None:
    name = ctx.table.on(SOURCE, symbol)
    if name is None:
        return None
    extra = {"period": period} if period is not None else {}
    return Request(
        source=ctx.source,
        endpoint=endpoint,
        url=ctx.url(path),
        query={"category": "linear", "symbol": name, **query},
        context=context(symbol=symbol, **extra),
    )


def open_interest_history_requests(ctx: PollContext) -> list[Request]:
    """5 min open interest per listed symbol; on backfill also two days of hourly rows."""
    out = []
    for symbol in ctx.symbols:
        plan = [(HISTORY_PERIOD, HISTORY_LIMIT_BACKFILL if ctx.backfill else HISTORY_LIMIT)]
        if ctx.backfill:
            plan.insert(0, DAY_BACKFILL)
        for period, limit in plan:
            request = _symbol_request(
                ctx,
                symbol,
                "open_interest",
                "/v5/market/open-interest",
                {"intervalTime": period, "limit": str(limit)},
                period,
            )
            if request is not None:
                out.append(request)
    return out


def account_ratio_requests(ctx: PollContext) -> list[Request]:
    """5 min long/short account ratio per listed symbol (500 rows on backfill)."""
    limit = RATIO_LIMIT_BACKFILL if ctx.backfill else HISTORY_LIMIT
    requests = (
        _symbol_request(
            ctx,
            symbol,
            "account_ratio",
            "/v5/market/account-ratio",
            {"period": HISTORY_PERIOD, "limit": str(limit)},
            HISTORY_PERIOD,
        )
        for symbol in ctx.symbols
    )
    return [r for r in requests if r is not None]


def funding_history_requests(ctx: PollContext) -> list[Request]:
    """Funding history per listed symbol (200 rows on backfill, else the last 5)."""
    limit = FUNDING_LIMIT_BACKFILL if ctx.backfill else FUNDING_LIMIT
    requests = (
        _symbol_request(ctx, symbol, "funding_history", "/v5/market/funding/history", {"limit": str(limit)})
        for symbol in ctx.symbols
    )
    return [r for r in requests if r is not None]


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``funding`` or ``open_interest`` (both from tickers),
    ``open_interest_history``, ``funding_history`` or ``long_short_ratio``."""
    if kind in ("funding", "open_interest"):
        return fetch_each(ticker_requests(ctx, kind), ctx)
    if kind == "open_interest_history":
        return fetch_each(open_interest_history_requests(ctx), ctx)
    if kind == "funding_history":
        return fetch_each(funding_history_requests(ctx), ctx)
    if kind == "long_short_ratio":
        return fetch_each(account_ratio_requests(ctx), ctx)
    raise ValueError(f"bybit does not serve {kind}")


def _decode_tickers(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    instruments = instrument_map(table, SOURCE, param_symbols(raw))
    kind = param(raw, "kind")
    if kind not in ("funding", "open_interest"):
        raise ParseError(f"bybit tickers: unknown kind parameter {kind!r}")
    return kind, parse_tickers(raw.body, instruments=instruments, venue=raw.source)


def _period(raw: RawPayload) -> int:
    return param_period(raw.params, PERIODS, f"{raw.source} {raw.endpoint}")


def _decode_open_interest(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    points = parse_open_interest(
        raw.body,
        symbol=param(raw, "symbol"),
        period_ms=_period(raw),
        received_ms=raw.received_ms,
        venue=raw.source,
    )
    return "open_interest_history", points


def _decode_funding_history(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    points = parse_funding_history(
        raw.body, symbol=param(raw, "symbol"), received_ms=raw.received_ms, venue=raw.source
    )
    return "funding_history", points


def _decode_account_ratio(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    ratios = parse_account_ratio(
        raw.body,
        symbol=param(raw, "symbol"),
        period_ms=_period(raw),
        received_ms=raw.received_ms,
        venue=raw.source,
    )
    return "long_short_ratio", ratios


DECODERS: dict[str, Decoder] = {
    "tickers": _decode_tickers,
    "open_interest": _decode_open_interest,
    "funding_history": _decode_funding_history,
    "account_ratio": _decode_account_ratio,
}
