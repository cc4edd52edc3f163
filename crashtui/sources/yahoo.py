"""Yahoo Finance chart API (unofficial, keyless): daily closes of the AI basket and of gold.

``GET query1.finance.yahoo.com/v8/finance/chart/{SYMBOL}?interval=1d&range=1y`` (``range=5d``
once history is in). One symbol per request. Each configured symbol becomes a
:class:`~crashtui.model.MacroObservation` series: a stock under its own ticker (``NVDA``),
gold's ``GC=F`` (COMEX front-month future, USD/oz) as ``GOLD``.

Quirks handled here (see ``tests/fixtures/README.md``):

* ``timestamp`` is unix **seconds**, at the bar's start in exchange time (09:30 New York for
  US stocks, so 13:30Z or 14:30Z; futures bars start at midnight exchange time). A bar's
  calendar day is its date in the exchange's time zone, from ``meta.gmtoffset``; because that
  offset is today's, a bar from the other side of a daylight-saving switch is an hour off, so
  two hours of slack are added before taking the date (a midnight bar stays on its day).
* The arrays in ``indicators.quote[0]`` run parallel to ``timestamp``, can hold ``null``
  (skipped: no value, never 0) and come in any key order.
* Prices carry float32 noise (``878.6199951171875``): rounded to ``meta.priceHint`` decimals.
* The last intraday bar can be a **0-volume stub** at the close whose prices all equal
  ``meta.regularMarketPrice``: dropped as a bar. A day's value is its last bar's close, except
  the day of ``meta.regularMarketTime``, whose value is ``regularMarketPrice`` (the latest
  trade; after the session, the official close).
* Unknown symbol: HTTP 404 with ``{"chart":{"result":null,"error":{"code":"Not Found",…}}}``.
  The fetch layer turns the 404 into an error; the poll carries on with the other symbols and
  then reports the unknown ones. The same body inside HTTP 200 is an :class:`UpstreamError`.
* ``meta.symbol`` must be the symbol asked for: an answer for another symbol is a ParseError.
"""

from __future__ import annotations

import math
import re
from collections.abc import AsyncGenerator, Sequence
from typing import Any
from urllib.parse import quote

from crashtui.errors import HttpStatusError, ParseError, UpstreamError
from crashtui.model import MacroObservation, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    Poll,
    PollContext,
    as_dict,
    as_list,
    context,
    load_json,
    num,
    param,
    parser,
    positive,
)
from crashtui.sources.macro_series import check_observations
from crashtui.sources.rows import VALUE_ERRORS, each_row, report, row_reason
from crashtui.symbols import SymbolTable
from crashtui.wire import BROWSER_USER_AGENT, Request

SOURCE = "yahoo"
DEFAULT_SYMBOLS = ("NVDA", "MSFT", "GOOGL", "GC=F")
SERIES_FOR_SYMBOL = {"GC=F": "GOLD"}
BACKFILL_RANGE = "1y"
TAIL_RANGE = "5d"
HEADERS = {"User-Agent": BROWSER_USER_AGENT, "Accept": "application/json"}
_SYMBOL = re.compile(r"^[A-Z0-9^][A-Z0-9.=^-]{0,15}$")
_DAY_S = 86_400
_DST_SLACK_S = 2 * 3600
_MIN_TS_S = 100_000_000  # 1973: anything smaller is not a unix-seconds bar time
_MAX_TS_S = 10_000_000_000  # 2286: anything larger is milliseconds, not seconds
_MAX_OFFSET_S = 15 * 3600


def series_for(symbol: str) -> str:
    """The series id a Yahoo symbol is stored under (``GC=F`` → ``GOLD``, ``NVDA`` → ``NVDA``)."""
    return SERIES_FOR_SYMBOL.get(symbol, symbol)


def valid_symbol(symbol: str) -> bool:
    """Whether ``symbol`` looks like a Yahoo ticker (upper case, digits, ``. = ^ -``; ≤ 16)."""
    return bool(_SYMBOL.match(symbol))


def _int(value: Any, what: str) -> int:
    out = num(value, what)
    if out != math.floor(out):
        raise ParseError(f"yahoo chart: {what} {value!r} is not a whole number")
    return int(out)


def _price_hint(meta: dict[str, Any]) -> int | None:
    hint = meta.get("priceHint")
    if hint is None:
        return None
    digits = _int(hint, "priceHint")
    if not 0 <= digits <= 8:
        raise ParseError(f"yahoo chart: priceHint {digits} out of range")
    return digits


def _exchange_day_ms(ts_s: int, offset_s: int) -> int:
    local = ts_s + offset_s + _DST_SLACK_S
    return (local - local % _DAY_S) * 1000


def _bar_time(value: Any) -> int:
    ts = _int(value, "timestamp")
    if not _MIN_TS_S <= ts < _MAX_TS_S:
        raise ParseError(f"yahoo chart: timestamp {ts} is not unix seconds")
    return ts


def _column(quote_block: dict[str, Any], name: str, n: int) -> list[Any] | None:
    values = quote_block.get(name)
    if values is None:
        return None
    out = as_list(values, name)
    if len(out) != n:
        raise ParseError(f"yahoo chart: {name} has {len(out)} values for {n} timestamps")
    return out


def _is_stub(i: int, n: int, volume: list[Any] | None, bars: dict[str, list[Any] | None]) -> bool:
    """The 0-volume closing-print stub: last bar, volume 0, open = high = low = close."""
    if i != n - 1 or volume is None or volume[i] != 0:
        return False
    prices = [column[i] for column in bars.values() if column is not None]
    return len(prices) == 4 and all(p is not None and p == prices[0] for p in prices)


@parser("yahoo chart")
def parse_chart(
    body: bytes, *, symbol: str, series: str | None = None, source: str = SOURCE
) -> tuple[MacroObservation, ...]:
    """One observation per exchange day (the day's last close), oldest first.

    Raises :class:`UpstreamError` for Yahoo's error envelope, :class:`ParseError` for an
    answer about another symbol or a malformed one.
    """
    name = series or series_for(symbol)
    chart = as_dict(as_dict(load_json(body, "yahoo chart", source), "yahoo chart")["chart"], "chart")
    error = chart.get("error")
    if error is not None:
        err = as_dict(error, "chart.error")
        raise UpstreamError(
            f"yahoo {symbol}: {err.get('description') or err.get('code') or 'error'}",
            code=str(err.get("code")),
        )
    results = chart.get("result")
    if not results:
        raise ParseError(f"yahoo chart: no result for {symbol}")
    result = as_dict(as_list(results, "chart.result")[0], "chart.result[0]")
    meta = as_dict(result["meta"], "meta")
    answered = str(meta.get("symbol", ""))
    if answered.upper() != symbol.upper():
        raise ParseError(f"yahoo chart: asked for {symbol} but the answer is for {answered[:20]!r}")
    digits = _price_hint(meta)
    offset = _int(meta.get("gmtoffset", 0), "gmtoffset")
    if abs(offset) > _MAX_OFFSET_S:
        raise ParseError(f"yahoo chart: gmtoffset {offset} s is not a time zone")

    def rounded(value: float) -> float:
        return round(value, digits) if digits is not None else value

    days: dict[int, float] = {}
    stamps = as_list(result.get("timestamp") or [], "timestamp")  # absent when the range is empty
    if stamps:
        quote_block = as_dict(
            as_list(as_dict(result["indicators"], "indicators")["quote"], "quote")[0], "quote"
        )
        n = len(stamps)
        closes = _column(quote_block, "close", n)
        if closes is None:
            raise ParseError("yahoo chart: no close prices")
        volume = _column(quote_block, "volume", n)
        bars = {k: _column(quote_block, k, n) for k in ("open", "high", "low", "close")}

        def read(entry: tuple[int, Any]) -> tuple[int, float] | None:
            i, stamp = entry
            ts = _bar_time(stamp)
            if closes[i] is None or _is_stub(i, n, volume, bars):
                return None
            return _exchange_day_ms(ts, offset), rounded(positive(closes[i], "close"))

        days.update(each_row(enumerate(stamps), read, "bar"))
    price, at = meta.get("regularMarketPrice"), meta.get("regularMarketTime")
    if price is not None and at is not None:
        try:
            day = _exchange_day_ms(_bar_time(at), offset)
            if not days or day >= max(days):
                days[day] = rounded(positive(price, "regularMarketPrice"))
        except VALUE_ERRORS as exc:  # the live quote is one more row: the bars stand without it
            if not days:
                raise
            report(row_reason("quote", exc))
    return tuple(
        MacroObservation(series=name, day_ms=day, value=value, source=source)
        for day, value in sorted(days.items())
    )


def chart_request(ctx: PollContext, symbol: str) -> Request:
    """The daily chart of one symbol: a year on the first poll, the last five days after."""
    return Request(
        source=ctx.source,
        endpoint="chart",
        url=ctx.url("/v8/finance/chart/" + quote(symbol, safe="")),
        query={"interval": "1d", "range": BACKFILL_RANGE if ctx.backfill else TAIL_RANGE},
        context=context(symbol=symbol, series=series_for(symbol)),
        headers=HEADERS,
    )


def make_poll(symbols: Sequence[str] = DEFAULT_SYMBOLS) -> Poll:
    """A poll function for ``macro_quotes`` over ``symbols`` (validated, duplicates dropped).

    A symbol Yahoo does not know (HTTP 404) does not stop the others: they are fetched and
    yielded first, then an :class:`UpstreamError` names the unknown ones.
    """
    wanted = tuple(dict.fromkeys(s.strip().upper() for s in symbols))
    bad = [s for s in wanted if not valid_symbol(s)]
    if bad:
        raise ValueError(f"not a Yahoo symbol: {', '.join(repr(s) for s in bad)}")

    async def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
        if kind != "macro_quotes":
            raise ValueError(f"yahoo does not serve {kind}")
        unknown = []
        for symbol in wanted:
            try:
                payload = await ctx.fetch(chart_request(ctx, symbol))
            except HttpStatusError as exc:
                if exc.status_code != 404:
                    raise
                unknown.append(symbol)
                continue
            yield payload
        if unknown:
            raise UpstreamError(f"yahoo: unknown symbol(s) {', '.join(unknown)} (HTTP 404)")

    return poll


poll = make_poll()


def _decode_chart(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    items = parse_chart(raw.body, symbol=param(raw, "symbol"), series=param(raw, "series"), source=raw.source)
    items = check_observations(items, f"{raw.source} {raw.endpoint}", received_ms=raw.received_ms)
    return "macro_quotes", items


DECODERS: dict[str, Decoder] = {"chart": _decode_chart}
