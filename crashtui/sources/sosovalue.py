"""SoSoValue ETF summary history (``openapi.sosovalue.com/openapi/v1/etfs/summary-history``).

The answer is a bare list of ``{date, total_net_inflow, …}`` **or** the same list wrapped
as ``{"code": 0, "data": [...]}``; the legacy v2 shape ``{"code": 0, "data": {"list":
[{date, totalNetInflow, …}]}}`` is read too. Flows are in **USD** and converted to US$m.
An optional key goes in the ``x-soso-api-key`` header.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.errors import RateLimitedError, UpstreamError
from crashtui.model import EtfFlow, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    context,
    fetch_each,
    iso_day_ms,
    load_json,
    opt_num,
    param,
    parser,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "sosovalue"
KEY_HEADER = "x-soso-api-key"
ASSETS = ("BTC", "ETH")
LIMIT = 30


def _rows(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    envelope = as_dict(data, "sosovalue")
    code = envelope.get("code")
    if code not in (0, "0", None):
        message = f"sosovalue: {envelope.get('msg') or envelope.get('message') or 'error'} (code {code})"
        if code in (429, "429"):
            raise RateLimitedError(message)
        raise UpstreamError(message, code=str(code))
    inner = envelope["data"]
    if isinstance(inner, dict):
        inner = inner["list"]
    return as_list(inner, "sosovalue data")


@parser("sosovalue summary-history")
def parse_summary_history(body: bytes, *, asset: str, source: str = SOURCE) -> tuple[EtfFlow, ...]:
    """Daily total net inflow in US$m, oldest first (no per-fund split)."""

    def read(row: Any) -> EtfFlow:
        row = as_dict(row, "sosovalue row")
        inflow = row["total_net_inflow"] if "total_net_inflow" in row else row["totalNetInflow"]
        usd = opt_num(inflow, "total_net_inflow")
        return EtfFlow(
            asset=asset,
            day_ms=iso_day_ms(row["date"]),
            total_usd_m=usd / 1e6 if usd is not None else None,
            source=source,
            period="day",  # summary-history rows are trading days
        )

    out = each_row(_rows(load_json(body, "sosovalue summary-history", source)), read, "day")
    return tuple(sorted(out, key=lambda f: f.day_ms))


def history_requests(ctx: PollContext) -> list[Request]:
    """BTC and ETH US spot ETF summary history (the free tier holds about a month)."""
    headers = {KEY_HEADER: ctx.api_key} if ctx.api_key else {}
    return [
        Request(
            source=ctx.source,
            endpoint="summary_history",
            url=ctx.url("/openapi/v1/etfs/summary-history"),
            query={"symbol": asset, "country_code": "US", "limit": str(LIMIT)},
            context=context(asset=asset),
            headers=headers,
            secret=ctx.api_key,
            secret_names=frozenset({KEY_HEADER}),
        )
        for asset in ASSETS
    ]


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``etf``."""
    if kind != "etf":
        raise ValueError(f"sosovalue does not serve {kind}")
    return fetch_each(history_requests(ctx), ctx)


def _decode(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "etf", parse_summary_history(raw.body, asset=param(raw, "asset"), source=raw.source)


DECODERS: dict[str, Decoder] = {"summary_history": _decode}
