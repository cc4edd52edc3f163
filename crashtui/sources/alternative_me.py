"""alternative.me crypto Fear & Greed (``api.alternative.me/fng/?limit=N``).

``value`` and ``timestamp`` (unix s, 00:00 UTC) are strings; rows are newest first; the error
channel is ``metadata.error``. The API's own ``value_classification`` is kept (write-ups
disagree on the band cut-offs). ``date_format`` is never sent: it breaks the timestamps.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from crashtui.errors import UpstreamError
from crashtui.model import FearGreedReading, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    fetch_each,
    load_json,
    num,
    parser,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "alternative_me"
BACKFILL_DAYS = 400
TAIL_DAYS = 2


@parser("alternative.me fng")
def parse_fng(body: bytes, *, source: str = SOURCE) -> tuple[FearGreedReading, ...]:
    """Daily readings, oldest first."""
    data = as_dict(load_json(body, "alternative.me fng", source), "alternative.me fng")
    metadata = data.get("metadata")
    if isinstance(metadata, dict) and metadata.get("error"):
        raise UpstreamError(f"alternative.me: {metadata['error']}")
    out = each_row(
        as_list(data["data"], "data"),
        lambda row: FearGreedReading(
            index="crypto",
            ts_ms=int(num(row["timestamp"], "timestamp")) * 1000,
            value=num(row["value"], "value"),
            classification=str(row["value_classification"]),
            source=source,
        ),
        "reading",
    )
    return tuple(sorted(out, key=lambda r: r.ts_ms))


def fng_request(ctx: PollContext) -> Request:
    """History on the first poll, the last two days after that."""
    limit = BACKFILL_DAYS if ctx.backfill else TAIL_DAYS
    return Request(source=ctx.source, endpoint="fng", url=ctx.url("/fng/"), query={"limit": str(limit)})


def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """One poll cycle of ``fear_crypto``."""
    if kind != "fear_crypto":
        raise ValueError(f"alternative_me does not serve {kind}")
    return fetch_each([fng_request(ctx)], ctx)


def _decode(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    return "fear_crypto", parse_fng(raw.body, source=raw.source)


DECODERS: dict[str, Decoder] = {"fng": _decode}
