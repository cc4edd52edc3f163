"""FRED macro series: jobless claims, equity indices, VIX, Treasury yields and the dollar.

Series (see :mod:`crashtui.sources.macro_series` for units): weekly ``ICSA`` and ``IC4WSA``
(initial claims and their 4-week average), daily ``NASDAQCOM``, ``SP500``, ``VIXCLS``,
``DGS10``, ``DTB3`` and ``DTWEXBGS``.

Keyless by default: ``fred.stlouisfed.org/graph/fredgraph.csv?id=SERIES`` (one series per
request; several ids return a ZIP). The CSV header is ``observation_date,SERIES`` (older
files: ``DATE``; copies saved by other tools: ``date,value``) and a missing value is an
**empty field** in current downloads, ``.`` in older ones (both are skipped: a holiday has no
value to show, and it is never 0). A header naming a *different* series is a ParseError: a
proxy or mirror answering with the wrong series must not be shown under this one's name.
With ``[sources.fred] api_key`` the JSON API (``api.stlouisfed.org/fred/series/observations``,
or the same path under a configured ``base_url``) is used instead, where a missing value is
``"."``. Every value is checked against the series' plausible range, and an observation dated
after the payload arrived is rejected.
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncGenerator
from datetime import date, datetime, timedelta, timezone
from typing import Any

from crashtui.catalog import SOURCES
from crashtui.errors import BlockedError, ParseError, UpstreamError
from crashtui.model import MacroObservation, RawPayload
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
from crashtui.sources.macro_series import check_observations
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request, blocked_hint, looks_like_html

SOURCE = "fred"
API_PATH = "/fred/series/observations"
API_URL = "https://api.stlouisfed.org" + API_PATH
# series → days of history to ask for. ICSA stays first: `crashtui sources` probes only the
# first series of a source.
SERIES = {
    "ICSA": 730,
    "IC4WSA": 730,
    "NASDAQCOM": 400,
    "SP500": 400,
    "VIXCLS": 400,
    "DGS10": 400,
    "DTB3": 400,
    "DTWEXBGS": 400,
    "DEXJPUS": 400,
}
_DATE_COLUMNS = ("observation_date", "DATE", "date")
_GENERIC_VALUE_COLUMNS = ("value", "VALUE")


@parser("fred csv")
def parse_fredgraph_csv(body: bytes, *, series: str, source: str = SOURCE) -> tuple[MacroObservation, ...]:
    """Observations from a fredgraph CSV, oldest first; empty (or ``.``) fields are skipped."""
    if looks_like_html(body):
        raise BlockedError("fred csv: got an HTML page where CSV was expected", hint=blocked_hint(source))
    text = body.decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header or header[0].strip() not in _DATE_COLUMNS:
        raise ParseError(f"fred csv: unexpected header {(header or [''])[:2]!r}")
    columns = [h.strip() for h in header]
    if series in columns:
        column = columns.index(series)
    elif len(columns) >= 2 and columns[1] in _GENERIC_VALUE_COLUMNS:
        column = 1
    else:
        raise ParseError(f"fred csv: asked for {series} but the header is {columns[:2]!r}")

    def read(row: Any) -> MacroObservation | None:
        if not row:
            return None
        value = opt_num(row[column].strip() if column < len(row) else "", series)
        if value is None:
            return None
        return MacroObservation(series=series, day_ms=iso_day_ms(row[0]), value=value, source=source)

    out = each_row(reader, read, "observation")
    return tuple(sorted(out, key=lambda o: o.day_ms))


@parser("fred api")
def parse_observations(body: bytes, *, series: str, source: str = SOURCE) -> tuple[MacroObservation, ...]:
    """Observations from the keyed JSON API, oldest first; ``"."`` values are skipped."""
    data = as_dict(load_json(body, "fred api", source), "fred api")
    if "error_message" in data:
        raise UpstreamError(f"fred: {data['error_message']}", code=str(data.get("error_code")))

    def read(row: Any) -> MacroObservation | None:
        value = opt_num(row["value"], series)
        if value is None:
            return None
        return MacroObservation(series=series, day_ms=iso_day_ms(row["date"]), value=value, source=source)

    out = each_row(as_list(data["observations"], "observations"), read, "observation")
    return tuple(sorted(out, key=lambda o: o.day_ms))


def series_requests(ctx: PollContext) -> list[Request]:
    """One request per series: the keyed API when a key is configured, else the keyless CSV."""
    out = []
    for series, days in SERIES.items():
        start = start_day(ctx.now_ms, days).isoformat()
        if ctx.api_key:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="series_observations",
                    url=api_url(ctx),
                    query={
                        "series_id": series,
                        "api_key": ctx.api_key,
                        "file_type": "json",
                        "observation_start": start,
                    },
                    context=context(series=series),
                    secret=ctx.api_key,
                    secret_names=frozenset({"api_key"}),
                )
            )
        else:
            out.append(
                Request(
                    source=ctx.source,
                    endpoint="fredgraph_csv",
                    url=ctx.url("/graph/fredgraph.csv"),
                    query={"id": series, "cosd": start},
                    context=context(series=series),
                    expect="csv",
                )
            )
    return out


def api_url(ctx: PollContext) -> str:
    """The keyed API's URL: api.stlouisfed.org, or under ``[sources.fred] base_url`` when set.

    A configured base URL (a proxy, a mirror, a test server) must be honoured with a key as
    well as without one, or setting a key would quietly send requests somewhere else.
    """
    if ctx.base_url.rstrip("/") == SOURCES[SOURCE].base_url:
        return API_URL
    return ctx.url(API_PATH)


def start_day(now_ms: int, days: int) -> date:
    """The calendar day ``days`` before ``now_ms`` (UTC)."""
    return (datetime.fromtimestamp(now_ms / 1000, tz=timezone.utc) - timedelta(days=days)).date()


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``macro``."""
    if kind != "macro":
        raise ValueError(f"fred does not serve {kind}")
    return fetch_each(series_requests(ctx), ctx)


def _decode_csv(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    items = parse_fredgraph_csv(raw.body, series=param(raw, "series"), source=raw.source)
    items = check_observations(items, f"{raw.source} {raw.endpoint}", received_ms=raw.received_ms)
    return "macro", items


def _decode_api(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    items = parse_observations(raw.body, series=param(raw, "series"), source=raw.source)
    items = check_observations(items, f"{raw.source} {raw.endpoint}", received_ms=raw.received_ms)
    return "macro", items


EXPECT: dict[str, str] = {"fredgraph_csv": "csv"}
"""Endpoints whose good body is not JSON (see :data:`crashtui.sources.registry.EXPECTS`)."""
DECODERS: dict[str, Decoder] = {"fredgraph_csv": _decode_csv, "series_observations": _decode_api}
