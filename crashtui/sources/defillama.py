"""DefiLlama yields: Aave v3 Ethereum stablecoin (USDC, USDT) borrow APY.

``/pools`` (``{"status": "success", "data": [...]}``, ~16.8k pools, ~11 MB) gives each pool's
id, project, chain, symbol and supply APY; ``/lendBorrow`` (a bare list, not in the free docs,
may go behind the paid API) gives ``apyBaseBorrow`` per pool id. They are joined on the pool
id. APYs are percent numbers (3.81 = 3.81%) and can be null.

Memory and recordings: the 11 MB ``/pools`` body is parsed once, only the matching pool
records are kept, and the full body is dropped at once. The payload handed on (to the
decoder and to the recorder) is **reduced**: its body is ``{"status": "success", "data":
[the matching records, unchanged]}`` and ``lendBorrow``'s body likewise keeps only the
matching entries. A recording therefore holds a few kB per poll instead of 12 MB, and replay
still runs the same parsers on the same record shapes. The pool metadata the join needs is
put into the ``lendBorrow`` payload's ``pools`` param, so each payload decodes on its own.
"""

from __future__ import annotations

import json
from collections.abc import AsyncGenerator
from dataclasses import dataclass, replace
from typing import Any

from crashtui.errors import ParseError, UpstreamError
from crashtui.model import BorrowRate, RawPayload
from crashtui.sources.common import (
    Decoder,
    Items,
    PollContext,
    as_dict,
    as_list,
    context,
    load_json,
    opt_num,
    param,
    parser,
)
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.wire import Request

SOURCE = "defillama"
# /pools is about 11 MB and /lendBorrow a few MB: room to grow, still bounded (see net/http.py).
BIG_BODY_CAP = 16 * 2**20
PROJECT = "aave-v3"
CHAIN = "Ethereum"
ASSETS = ("USDC", "USDT")


@dataclass(frozen=True, slots=True)
class Pool:
    """The facts about one lending pool the borrow-rate join needs."""

    pool_id: str
    project: str
    chain: str
    asset: str
    supply_apy_pct: float | None


def _records(data: Any, what: str) -> list[Any]:
    if isinstance(data, list):
        return data
    envelope = as_dict(data, what)
    if envelope.get("status") not in (None, "success"):
        raise UpstreamError(f"{what}: status {envelope.get('status')!r}")
    return as_list(envelope["data"], f"{what} data")


def _wanted(record: dict[str, Any]) -> bool:
    return (
        record.get("project") == PROJECT and record.get("chain") == CHAIN and record.get("symbol") in ASSETS
    )


@parser("defillama pools")
def select_pool_records(body: bytes, *, source: str = SOURCE) -> list[dict[str, Any]]:
    """The raw records of the Aave v3 Ethereum USDC/USDT pools, unchanged."""
    return [r for r in _records(load_json(body, "defillama pools", source), "defillama pools") if _wanted(r)]


@parser("defillama pools")
def parse_pools(body: bytes, *, source: str = SOURCE) -> tuple[Pool, ...]:
    """The matching pools (id, asset, supply APY) from a full or reduced ``/pools`` body."""
    return tuple(
        each_row(
            select_pool_records(body, source=source),
            lambda r: Pool(
                pool_id=str(r["pool"]),
                project=str(r["project"]),
                chain=str(r["chain"]),
                asset=str(r["symbol"]),
                supply_apy_pct=opt_num(r.get("apy"), "apy"),
            ),
            "pool",
        )
    )


def pools_param(pools: tuple[Pool, ...]) -> str:
    """Pool metadata as the JSON string carried in the ``lendBorrow`` payload's params."""
    return json.dumps(
        [
            {
                "pool": p.pool_id,
                "project": p.project,
                "chain": p.chain,
                "asset": p.asset,
                "apy": p.supply_apy_pct,
            }
            for p in pools
        ],
        separators=(",", ":"),
    )


@parser("defillama pools param")
def pools_from_param(text: str) -> tuple[Pool, ...]:
    """Inverse of :func:`pools_param`."""
    return tuple(
        Pool(
            pool_id=str(p["pool"]),
            project=str(p["project"]),
            chain=str(p["chain"]),
            asset=str(p["asset"]),
            supply_apy_pct=opt_num(p.get("apy"), "apy"),
        )
        for p in as_list(json.loads(text), "pools param")
    )


@parser("defillama lendBorrow")
def parse_lend_borrow(
    body: bytes, *, pools: tuple[Pool, ...], received_ms: int, source: str = SOURCE
) -> tuple[BorrowRate, ...]:
    """Borrow APY (``apyBaseBorrow``, percent) per pool joined on pool id; null APYs are skipped."""
    by_id = {p.pool_id: p for p in pools}

    def read(record: Any) -> BorrowRate | None:
        pool = by_id.get(str(as_dict(record, "lendBorrow entry").get("pool")))
        if pool is None:
            return None
        borrow = opt_num(record.get("apyBaseBorrow"), "apyBaseBorrow")
        if borrow is None:
            return None
        return BorrowRate(
            protocol=pool.project,
            chain=pool.chain,
            asset=pool.asset,
            pool_id=pool.pool_id,
            ts_ms=received_ms,
            borrow_apy_pct=borrow,
            supply_apy_pct=pool.supply_apy_pct,
            source=source,
        )

    out = each_row(
        _records(load_json(body, "defillama lendBorrow", source), "defillama lendBorrow"), read, "pool"
    )
    return tuple(sorted(out, key=lambda r: r.asset))


@parser("defillama lendBorrow")
def select_lend_records(body: bytes, *, wanted: set[str], source: str = SOURCE) -> list[dict[str, Any]]:
    """The raw ``lendBorrow`` entries of the ``wanted`` pool ids, unchanged."""
    entries = _records(load_json(body, "defillama lendBorrow", source), "defillama lendBorrow")
    return [e for e in entries if isinstance(e, dict) and e.get("pool") in wanted]


def reduce_body(raw: RawPayload, records: list[dict[str, Any]], *, envelope: bool) -> RawPayload:
    """``raw`` with its body replaced by only ``records`` (see the module docstring)."""
    data: Any = {"status": "success", "data": records} if envelope else records
    return replace(raw, body=json.dumps(data, separators=(",", ":")).encode())


async def poll(kind: str, ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """Fetch ``/pools`` then ``/lendBorrow``, yielding both payloads reduced to the wanted pools."""
    if kind != "borrow":
        raise ValueError(f"defillama does not serve {kind}")
    full = await ctx.fetch(
        Request(source=ctx.source, endpoint="pools", url=ctx.url("/pools"), max_body_bytes=BIG_BODY_CAP)
    )
    records = select_pool_records(full.body, source=ctx.source)
    pools_payload = reduce_body(full, records, envelope=True)
    del full  # the 11 MB body is not kept past this point
    pools = parse_pools(pools_payload.body, source=ctx.source)
    if not pools:
        raise ParseError(f"defillama pools: no {PROJECT} {CHAIN} {'/'.join(ASSETS)} pools listed")
    yield pools_payload
    wanted = {p.pool_id for p in pools}
    lend = await ctx.fetch(
        Request(
            source=ctx.source,
            endpoint="lend_borrow",
            url=ctx.url("/lendBorrow"),
            context=context(pools=pools_param(pools)),
            max_body_bytes=BIG_BODY_CAP,
        )
    )
    yield reduce_body(lend, select_lend_records(lend.body, wanted=wanted, source=ctx.source), envelope=False)


def _decode_pools(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    parse_pools(raw.body, source=raw.source)  # validates; the rates come with lendBorrow
    return "borrow", ()


def _decode_lend_borrow(raw: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    pools = pools_from_param(param(raw, "pools"))
    return "borrow", parse_lend_borrow(raw.body, pools=pools, received_ms=raw.received_ms, source=raw.source)


DECODERS: dict[str, Decoder] = {"pools": _decode_pools, "lend_borrow": _decode_lend_borrow}
