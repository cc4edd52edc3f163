"""The Block's undocumented dashboard JSON for spot-ETF flows (a further fallback).

``{"Series": {"IBIT": {"Data": [{"Timestamp": unix s, "Result": USD or null}]}, …}}``;
``Result`` is divided by 1e6 for US$m. A day where every fund is ``null`` is not published.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

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
    for ticker, entry in funds_series.items():
        for point in as_list(entry["Data"], f"{ticker} Data"):
            day = floor_day_ms(int(num(point["Timestamp"], "Timestamp")) * 1000)
            usd = opt_num(point.get("Result"), "Result")
            value = usd / 1e6 if usd is not None else None
            if ticker in _TOTAL_KEYS:
                totals[day] = value
            else:
                by_day.setdefault(day, {})[ticker] = value
    out = []
    for day in sorted(set(by_day) | set(totals)):
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
            )
        )
    return tuple(out)


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
