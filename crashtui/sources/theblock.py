"""The Block's undocumented dashboard JSON for spot-ETF flows (a further fallback).

``{"Series": {"IBIT": {"Data": [{"Timestamp": unix s, "Result": USD or null}]}, …}}``;
``Result`` is divided by 1e6 for US$m. A day where every fund is ``null`` is not published.

The dashboards also come in weekly and monthly variants of the same shape; the parser reads
the period from the spacing of the timestamps (the median gap: under 6 days a day, under 25 a
week, else a month) and labels every row with it, so a monthly aggregate is never taken for a
day (nor shown as week to date). A series of one point is taken as daily.
"""

from __future__ import annotations

import itertools
from collections.abc import AsyncGenerator, Iterable
from datetime import datetime, timezone
from typing import Any

from crashtui.analysis.days import DAY_MS, week_monday
from crashtui.errors import ParseError
from crashtui.model import EtfFlow, FundFlow, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    context,
    fetch_each,
    floor_day_ms,
    load_json,
    num,
    opt_num,
    param,
    parser,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "theblock"
PATHS = {
    "BTC": "/dashboard/markets_structuredproducts_btcspotetfflows_daily_other.json",
    "ETH": "/dashboard/markets_structuredproducts_ethspotetfflows_daily_other.json",
}
_TOTAL_KEYS = ("Total", "total", "TOTAL")


@parser("theblock etf flows")
def parse_flows(body: bytes, *, asset: str, source: str = SOURCE) -> tuple[EtfFlow, ...]:
    """Daily flows per fund in US$m, oldest first; a ``Total`` series is used when present."""
    series = as_dict(as_dict(load_json(body, "theblock", source), "theblock")["Series"], "Series")
    by_day: dict[int, dict[str, float | None]] = {}
    totals: dict[int, float | None] = {}
    # Every fund is an object with a "Data" list; other members (metadata added later) are skipped.
    funds_series = {k: v for k, v in series.items() if isinstance(v, dict) and "Data" in v}
    if series and not funds_series:
        raise ParseError("theblock etf flows: no series with Data (layout changed?)")
    tainted: set[int] = set()  # days with an unreadable figure: left out whole, never half-summed

    def read(entry: tuple[str, Any]) -> tuple[str, int, float | None]:
        ticker, point = entry
        day = floor_day_ms(int(num(point["Timestamp"], "Timestamp")) * 1000)
        try:
            usd = opt_num(point.get("Result"), "Result")
        except ParseError:
            tainted.add(day)
            raise
        return ticker, day, usd / 1e6 if usd is not None else None

    points = ((t, p) for t, e in funds_series.items() for p in as_list(e["Data"], f"{t} Data"))
    for ticker, day, value in each_row(points, read, "point"):
        if ticker in _TOTAL_KEYS:
            totals[day] = value
        else:
            by_day.setdefault(day, {})[ticker] = value
    days = (set(by_day) | set(totals)) - tainted
    if not days and tainted:
        raise ParseError(f"theblock etf flows: every day has an unreadable figure ({len(tainted)})")
    period = series_period(days)
    out = []
    for day in sorted(days):
        funds = by_day.get(day, {})
        published = [v for v in funds.values() if v is not None]
        total = totals.get(day) if day in totals else (sum(published) if published else None)
        out.append(
            EtfFlow(
                asset=asset,
                day_ms=day,
                total_usd_m=total,
                source=source,
                funds=tuple(FundFlow(t, v) for t, v in funds.items()),
                period=period,
            )
        )
    if period != "day":
        out = [_period_start(f) for f in out]
    return tuple(out)


def series_period(days_ms: Iterable[int]) -> str:
    """``day``, ``week`` or ``month``: what each point of a series covers, from the median gap
    between its points (a single point is a day)."""
    gaps = sorted(b - a for a, b in itertools.pairwise(sorted(set(days_ms))))
    if not gaps:
        return "day"
    median = gaps[len(gaps) // 2]
    if median >= 25 * DAY_MS:
        return "month"
    if median >= 6 * DAY_MS:
        return "week"
    return "day"


def _period_start(flow: EtfFlow) -> EtfFlow:
    """An aggregate stamped at the start of its period (its Monday, its 1st)."""
    if flow.period == "week":
        start = week_monday(flow.day_ms)
    else:
        date = datetime.fromtimestamp(flow.day_ms / 1000, tz=timezone.utc)
        start = int(datetime(date.year, date.month, 1, tzinfo=timezone.utc).timestamp() * 1000)
    return EtfFlow(flow.asset, start, flow.total_usd_m, flow.source, flow.funds, flow.period)


def flow_requests(ctx: PollContext) -> list[Request]:
    """BTC and ETH daily flow series."""
    return [
        Request(source=ctx.source, endpoint="etf_flows", url=ctx.url(path), context=context(asset=asset))
        for asset, path in PATHS.items()
    ]


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``etf``."""
    if kind != "etf":
        raise ValueError(f"theblock does not serve {kind}")
    return fetch_each(flow_requests(ctx), ctx)


def _decode(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "etf", parse_flows(raw.body, asset=param(raw, "asset"), source=raw.source)


DECODERS: dict[str, Decoder] = {"etf_flows": _decode}
