"""OKX public REST data (``www.okx.com/api/v5``): swap open interest and funding, and the
"rubik" trading statistics (open interest of all contracts, long/short account ratio).

Every answer is ``{"code": "0", "msg": "", "data": [...]}``; any other ``code`` is an error
inside HTTP 200 (``50011``/``50061``: rate limited). All numbers are strings, and some are
empty strings (``interestRate``, ``impactValue``, ``nextFundingRate``).

* ``public/open-interest`` gives three units in one row: ``oi`` contracts, ``oiCcy`` coins,
  ``oiUsd`` USD (the doc sample's three do not agree with any contract size: read the unit
  you want, never convert between them).
* ``public/funding-rate``: ``fundingRate`` is the rate of the period settling at
  ``fundingTime`` (the next settlement, not the last). The interval is
  ``nextFundingTime − fundingTime`` (8 h is not guaranteed); when either is missing the rate
  is left out rather than guessed.
* rubik rows are **arrays**: ``[ts, oi USD, volume USD]`` for ``contracts/open-interest-volume``
  (every swap and expiry future of the coin: scope ``all``), ``[ts, ratio]`` for the long/short
  account ratios. The per-contract ratio's doc sample repeats a ``ts`` with another value: the
  first row listed wins.

Rate limits: open-interest 20 and funding-rate 10 requests per 2 s; rubik 5 per 2 s.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import ParseError, RateLimitedError, UpstreamError
from crashtui.model import FundingSnapshot, LongShortRatio, OpenInterestPoint, RawPayload
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
    param,
    param_symbols,
    parser,
)
from crashtui.sources.derivs import (
    DAY_MS,
    HOUR_MS,
    MAX_BASE,
    MAX_FUNDING_INTERVAL_MS,
    MAX_USD,
    MIN_FUNDING_INTERVAL_MS,
    MINUTE_MS,
    amount,
    by_time,
    opt_amount,
    param_period,
    rate_8h,
    shares_from_ratio,
    ts_ms,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "okx_public"
SYMBOL_KEY = "okx"  # instrument names: the OKX swaps of the symbol table
_RATE_LIMIT_CODES = frozenset({"50011", "50061"})
PERIODS: dict[str, int] = {
    "5m": 5 * MINUTE_MS,
    "15m": 15 * MINUTE_MS,
    "30m": 30 * MINUTE_MS,
    "1H": HOUR_MS,
    "2H": 2 * HOUR_MS,
    "4H": 4 * HOUR_MS,
    "6H": 6 * HOUR_MS,
    "6Hutc": 6 * HOUR_MS,
    "12H": 12 * HOUR_MS,
    "12Hutc": 12 * HOUR_MS,
    "1D": DAY_MS,
    "1Dutc": DAY_MS,
}
HISTORY_PERIOD = "5m"  # rubik serves 5 min rows for the last two days
DAY_BACKFILL_PERIOD = "1H"  # and hourly ones for 30 days
HISTORY_TAIL_MS = 2 * HOUR_MS
RATIO_LIMIT_BACKFILL = 100  # the per-contract ratio's maximum
RATIO_LIMIT = 24


def envelope_data(data: Any, what: str) -> list[Any]:
    """The ``data`` array of an OKX answer, or the typed error its ``code`` means."""
    envelope = as_dict(data, what)
    code = str(envelope["code"])
    if code != "0":
        message = f"{what}: {envelope.get('msg') or 'error'} (code {code})"
        if code in _RATE_LIMIT_CODES:
            raise RateLimitedError(message)
        raise UpstreamError(message, code=code)
    return as_list(envelope["data"], f"{what} data")


@parser("okx open-interest")
def parse_open_interest(
    body: bytes, *, instruments: dict[str, str], received_ms: int | None = None, venue: str = SOURCE
) -> tuple[FundingSnapshot, ...]:
    """Open interest in coins (``oiCcy``) and USD (``oiUsd``) for the instruments asked for."""

    def read(row: Any) -> FundingSnapshot | None:
        symbol = instruments.get(row["instId"])
        if symbol is None:
            return None
        base = opt_amount(row.get("oiCcy"), "oiCcy", ceiling=MAX_BASE)
        usd = opt_amount(row.get("oiUsd"), "oiUsd", ceiling=MAX_USD)
        if base is None and usd is None:
            raise ParseError("okx open-interest: a row has neither oiCcy nor oiUsd")
        return FundingSnapshot(
            venue=venue,
            symbol=symbol,
            ts_ms=ts_ms(row["ts"], "ts", received_ms=received_ms),
            open_interest_base=base,
            open_interest_usd=usd,
        )

    out = each_row(
        envelope_data(load_json(body, "okx open-interest", venue), "okx open-interest"), read, "open interest"
    )
    return tuple(out)


@parser("okx funding-rate")
def parse_funding_rate(
    body: bytes, *, instruments: dict[str, str], received_ms: int | None = None, venue: str = SOURCE
) -> tuple[FundingSnapshot, ...]:
    """The current period's funding rate normalised to 8 h, and when it settles."""

    def read(row: Any) -> FundingSnapshot | None:
        symbol = instruments.get(row["instId"])
        if symbol is None:
            return None
        settles = row.get("fundingTime")
        following = row.get("nextFundingTime")
        settles_ms = ts_ms(settles, "fundingTime") if settles else None
        rate: float | None = None
        if settles_ms is not None and following:
            interval = ts_ms(following, "nextFundingTime") - settles_ms
            if not MIN_FUNDING_INTERVAL_MS <= interval <= MAX_FUNDING_INTERVAL_MS:
                raise ParseError(f"okx funding-rate: funding interval of {interval} ms is implausible")
            rate = rate_8h(num(row["fundingRate"], "fundingRate"), interval, "okx fundingRate")
        return FundingSnapshot(
            venue=venue,
            symbol=symbol,
            ts_ms=ts_ms(row["ts"], "ts", received_ms=received_ms),
            funding_rate_8h=rate,
            next_funding_ms=settles_ms,
        )

    out = each_row(
        envelope_data(load_json(body, "okx funding-rate", venue), "okx funding-rate"), read, "funding"
    )
    return tuple(out)


def _rows(body: bytes, what: str, venue: str, width: int) -> list[list[Any]]:
    rows = envelope_data(load_json(body, what, venue), what)
    out = []
    for row in rows:
        row = as_list(row, f"{what} row")
        if len(row) < width:
            raise ParseError(f"{what}: a row has {len(row)} fields, expected {width}")
        out.append(row)
    return out


@parser("okx rubik open-interest-volume")
def parse_contracts_open_interest(
    body: bytes, *, symbol: str, period_ms: int, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[OpenInterestPoint, ...]:
    """USD open interest of every contract of the coin (scope ``all``), oldest first.

    The third column (the period's traded volume in USD) is not kept.
    """
    what = "okx rubik open-interest-volume"
    return by_time(
        each_row(
            _rows(body, what, venue, 3),
            lambda row: OpenInterestPoint(
                venue=venue,
                symbol=symbol,
                ts_ms=ts_ms(row[0], "ts", received_ms=received_ms),
                oi_base=None,
                oi_usd=amount(row[1], "oi", ceiling=MAX_USD),
                period_ms=period_ms,
                scope="all",
            ),
            "open interest",
        )
    )


@parser("okx rubik long-short-account-ratio")
def parse_long_short_account_ratio(
    body: bytes, *, symbol: str, period_ms: int, received_ms: int | None = None, venue: str = SOURCE
) -> tuple[LongShortRatio, ...]:
    """Account long/short ratio rows ``[ts, ratio]`` (per coin or per contract), oldest first."""

    def read(row: Any) -> LongShortRatio:
        long_share, short_share = shares_from_ratio(row[1], "long/short account ratio")
        return LongShortRatio(
            venue=venue,
            symbol=symbol,
            ts_ms=ts_ms(row[0], "ts", received_ms=received_ms),
            period_ms=period_ms,
            long_share=long_share,
            short_share=short_share,
        )

    out = each_row(_rows(body, "okx rubik long-short-account-ratio", venue, 2), read, "account ratio")
    return by_time(out)


def _listed(ctx: PollContext) -> list[tuple[str, str]]:
    """(crashtui symbol, OKX swap instId) for every watchlist symbol OKX lists."""
    out = []
    for symbol in ctx.symbols:
        inst_id = ctx.table.on(SYMBOL_KEY, symbol)
        if inst_id is not None:
            out.append((symbol, inst_id))
    return out


def snapshot_requests(ctx: PollContext, kind: str) -> list[Request]:
    """One ``open-interest`` or ``funding-rate`` request per listed swap."""
    endpoint, path = {
        "open_interest": ("open_interest", "/api/v5/public/open-interest"),
        "funding": ("funding_rate", "/api/v5/public/funding-rate"),
    }[kind]
    out = []
    for symbol, inst_id in _listed(ctx):
        query = {"instType": "SWAP", "instId": inst_id} if kind == "open_interest" else {"instId": inst_id}
        out.append(
            Request(
                source=ctx.source,
                endpoint=endpoint,
                url=ctx.url(path),
                query=query,
                context=context(symbols=symbol),
            )
        )
    return out


def contracts_open_interest_requests(ctx: PollContext) -> list[Request]:
    """Rubik OI per coin: 5 min rows (the last 2 h, or two days on backfill) and, on
    backfill, 30 days of hourly rows."""
    plan: list[tuple[str, dict[str, str]]] = [
        (HISTORY_PERIOD, {} if ctx.backfill else {"begin": str(ctx.now_ms - HISTORY_TAIL_MS)})
    ]
    if ctx.backfill:
        plan.insert(0, (DAY_BACKFILL_PERIOD, {}))
    out = []
    for symbol, inst_id in _listed(ctx):
        coin = inst_id.split("-")[0]
        for period, extra in plan:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="rubik_open_interest_volume",
                    url=ctx.url("/api/v5/rubik/stat/contracts/open-interest-volume"),
                    query={"ccy": coin, "period": period, **extra},
                    context=context(symbol=symbol, period=period),
                )
            )
    return out


def long_short_requests(ctx: PollContext) -> list[Request]:
    """Per-swap account long/short ratio, 5 min rows (100 on backfill, else 24)."""
    limit = RATIO_LIMIT_BACKFILL if ctx.backfill else RATIO_LIMIT
    return [
        Request(
            source=ctx.source,
            endpoint="rubik_long_short_account_ratio_contract",
            url=ctx.url("/api/v5/rubik/stat/contracts/long-short-account-ratio-contract"),
            query={"instId": inst_id, "period": HISTORY_PERIOD, "limit": str(limit)},
            context=context(symbol=symbol, period=HISTORY_PERIOD),
        )
        for symbol, inst_id in _listed(ctx)
    ]


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``open_interest``, ``funding``, ``open_interest_history`` or
    ``long_short_ratio``."""
    if kind in ("open_interest", "funding"):
        return fetch_each(snapshot_requests(ctx, kind), ctx)
    if kind == "open_interest_history":
        return fetch_each(contracts_open_interest_requests(ctx), ctx)
    if kind == "long_short_ratio":
        return fetch_each(long_short_requests(ctx), ctx)
    raise ValueError(f"okx does not serve {kind}")


def _period(raw: RawPayload) -> int:
    return param_period(raw.params, PERIODS, f"{raw.source} {raw.endpoint}")


def _decode_open_interest(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    instruments = instrument_map(table, SYMBOL_KEY, param_symbols(raw))
    snapshots = parse_open_interest(
        raw.body, instruments=instruments, received_ms=raw.received_ms, venue=raw.source
    )
    return "open_interest", snapshots


def _decode_funding_rate(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    instruments = instrument_map(table, SYMBOL_KEY, param_symbols(raw))
    snapshots = parse_funding_rate(
        raw.body, instruments=instruments, received_ms=raw.received_ms, venue=raw.source
    )
    return "funding", snapshots


def _decode_contracts_oi(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    points = parse_contracts_open_interest(
        raw.body,
        symbol=param(raw, "symbol"),
        period_ms=_period(raw),
        received_ms=raw.received_ms,
        venue=raw.source,
    )
    return "open_interest_history", points


def _decode_long_short(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    ratios = parse_long_short_account_ratio(
        raw.body,
        symbol=param(raw, "symbol"),
        period_ms=_period(raw),
        received_ms=raw.received_ms,
        venue=raw.source,
    )
    return "long_short_ratio", ratios


DECODERS: dict[str, Decoder] = {
    "open_interest": _decode_open_interest,
    "funding_rate": _decode_funding_rate,
    "rubik_open_interest_volume": _decode_contracts_oi,
    "rubik_long_short_account_ratio": _decode_long_short,
    "rubik_long_short_account_ratio_contract": _decode_long_short,
}
