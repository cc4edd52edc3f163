"""CNN's stock Fear & Greed (``production.dataviz.cnn.io/index/fearandgreed/graphdata``).

Unofficial: it needs a browser User-Agent and a cnn.com Referer, else HTTP 418/403 (both
treated as blocked), and datacenter IPs are often blocked anyway. The headline
``fear_and_greed.timestamp`` is an ISO string; history points ``x`` are epoch ms floats.
Ratings are lower-case (``extreme fear``) and are title-cased to match alternative.me.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from crashtui.model import FearGreedReading, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    fetch_each,
    iso_ms,
    load_json,
    num,
    parser,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import BROWSER_USER_AGENT, Request

SOURCE = "cnn"
HEADERS = {
    "User-Agent": BROWSER_USER_AGENT,
    "Referer": "https://www.cnn.com/markets/fear-and-greed",
    "Accept": "application/json",
}


def _rating(text: object) -> str:
    return " ".join(str(text).split()).title()


@parser("cnn graphdata")
def parse_graphdata(body: bytes, *, source: str = SOURCE) -> tuple[FearGreedReading, ...]:
    """History points plus the headline reading, oldest first, one per timestamp."""
    data = as_dict(load_json(body, "cnn graphdata", source), "cnn graphdata")
    headline = as_dict(data["fear_and_greed"], "fear_and_greed")
    history = data.get("fear_and_greed_historical")
    points = as_list(history.get("data", []), "history") if isinstance(history, dict) else []

    def read(point: Any) -> FearGreedReading:
        if point is headline:
            ts, value = iso_ms(str(headline["timestamp"])), num(headline["score"], "score")
            rating = headline["rating"]
        else:
            ts, value, rating = int(num(point["x"], "x")), num(point["y"], "y"), point.get("rating", "")
        return FearGreedReading(
            index="stocks", ts_ms=ts, value=value, classification=_rating(rating), source=source
        )

    # the headline is read last, so it replaces a history point of the same timestamp
    readings = {r.ts_ms: r for r in each_row([*points, headline], read, "reading")}
    return tuple(readings[t] for t in sorted(readings))


def graphdata_request(ctx: PollContext) -> Request:
    """The graph data with the headers CNN insists on; 418 and 403 mean blocked."""
    return Request(
        source=ctx.source,
        endpoint="graphdata",
        url=ctx.url("/index/fearandgreed/graphdata"),
        headers=HEADERS,
        blocked_statuses=frozenset({403, 418, 451}),
    )


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``fear_stocks``."""
    if kind != "fear_stocks":
        raise ValueError(f"cnn does not serve {kind}")
    return fetch_each([graphdata_request(ctx)], ctx)


def _decode(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "fear_stocks", parse_graphdata(raw.body, source=raw.source)


DECODERS: dict[str, Decoder] = {"graphdata": _decode}
