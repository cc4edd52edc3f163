"""Probe REST sources once each (``crashtui sources``): what is reachable from this machine?

Every enabled source is asked for each kind it serves, all at once, with the watchlist's
first symbol. A probe stops at the first payload that decodes to data, so it costs one or
two requests per kind, and it is cut off after ``connect + 2 × read`` timeout seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace

import httpx

from crashtui.catalog import SOURCES
from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import Config
from crashtui.config.symbols import table_from_config
from crashtui.errors import SourceError
from crashtui.events import DataEvent, Event
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import RawPayload, SourceState
from crashtui.net.fetcher import Fetcher
from crashtui.net.http import max_body_bytes
from crashtui.sources.registry import POLLERS, REST_SOURCES
from crashtui.symbols import SymbolTable
from crashtui.textsafe import ERROR_LINE, plain
from crashtui.upstream.context import poll_context
from crashtui.wire import Request


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """The outcome of probing one kind of one source."""

    source: str
    kind: str
    endpoint: str
    state: SourceState
    latency_ms: float | None = None
    items: tuple[object, ...] = ()
    error: str | None = None
    hint: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the source answered with usable data (or an empty but valid answer)."""
        return self.state is SourceState.OK


def probe_timeout_s(config: Config) -> float:
    """How long one probe may take in all."""
    return config.net.connect_timeout_s + 2 * config.net.read_timeout_s


async def probe(
    config: Config,
    fetcher: Fetcher,
    source: str,
    kind: str,
    symbols: tuple[str, ...],
    table: SymbolTable,
    *,
    clock: Clock = SYSTEM_CLOCK,
) -> ProbeResult:
    """Poll ``kind`` from ``source`` until the first payload with data; never raises."""
    endpoints: list[str] = []

    async def tracked(request: Request) -> RawPayload:
        endpoints.append(request.endpoint)
        return await fetcher(request)

    started = clock.now_ms()
    ctx = replace(
        poll_context(config, source, symbols, table, fetcher, started, backfill=False), fetch=tracked
    )
    items: tuple[object, ...] = ()
    applied: list[Event] = []
    pipeline = Pipeline.into(applied.append, table)

    async def run() -> None:
        nonlocal items
        async with contextlib.aclosing(POLLERS[source](kind, ctx)) as payloads:
            async for raw in payloads:
                outcome = pipeline.payload(raw)
                if outcome.error is not None:
                    raise outcome.error
                items = tuple(i for e in applied if isinstance(e, DataEvent) for i in e.items)
                if items:
                    return

    def result(state: SourceState, error: str | None = None, hint: str | None = None) -> ProbeResult:
        return ProbeResult(
            source=source,
            kind=kind,
            endpoint=endpoints[-1] if endpoints else "-",
            state=state,
            latency_ms=float(clock.now_ms() - started),
            items=items,
            error=error,
            hint=hint,
        )

    try:
        await asyncio.wait_for(run(), timeout=probe_timeout_s(config))
    except SourceError as exc:
        return result(exc.state, str(exc), exc.hint)
    except asyncio.TimeoutError:
        return result(SourceState.FAILING, f"no complete answer within {probe_timeout_s(config):g} s")
    except Exception as exc:  # a parser bug shows as a failing row, not a crash
        return result(SourceState.FAILING, plain(f"internal error: {type(exc).__name__}: {exc}", ERROR_LINE))
    return result(SourceState.OK)


async def probe_all(
    config: Config,
    client: httpx.AsyncClient,
    symbols: tuple[str, ...],
    *,
    clock: Clock = SYSTEM_CLOCK,
    table: SymbolTable | None = None,
) -> list[ProbeResult]:
    """Probe every kind of every REST source concurrently; disabled ones are listed, not asked."""
    table = table if table is not None else table_from_config(config)
    fetcher = Fetcher(client, clock, max_body_bytes=max_body_bytes(config.net))
    jobs: list[asyncio.Task[ProbeResult]] = []
    disabled: list[ProbeResult] = []
    for source in REST_SOURCES:
        for kind in SOURCES[source].kinds:
            if not config.source(source).enabled:
                disabled.append(ProbeResult(source, kind, "-", SourceState.DISABLED))
            else:
                jobs.append(
                    asyncio.create_task(probe(config, fetcher, source, kind, symbols, table, clock=clock))
                )
    results = list(await asyncio.gather(*jobs)) + disabled
    order = {name: i for i, name in enumerate(REST_SOURCES)}
    return sorted(results, key=lambda r: (order[r.source], SOURCES[r.source].kinds.index(r.kind)))
