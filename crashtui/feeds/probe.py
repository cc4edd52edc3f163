"""Probe every source once (``crashtui sources``): what is reachable from this machine?

Every enabled REST source is asked for each kind it serves, all at once, for every symbol of
the watchlist (one poll cycle, batched where the API allows), and each symbol that came back
is listed on its own row. The OKX REST side of the liquidation stream (instruments and one
liquidation page) and every enabled websocket stream are probed too: a stream connects,
subscribes, waits for its first frame at most ``STREAM_WAIT_S`` (a quiet liquidation stream
that connects is "ok, connected, no frames yet") and closes. Each probe is cut off after
``connect + 2 × read`` timeout seconds.
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
from crashtui.errors import PartialError, SourceError
from crashtui.events import DataEvent, Event, Outcome
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import RawPayload, SourceState
from crashtui.net.fetcher import Fetcher
from crashtui.net.http import max_body_bytes
from crashtui.net.ws import StreamSpec, connect_error, refused_handshake
from crashtui.sources.registry import POLLERS, REST_SOURCES
from crashtui.streams import okx
from crashtui.streams.okx_rest import (
    INSTRUMENTS_ENDPOINT,
    INSTRUMENTS_PATH,
    LIQUIDATIONS_ENDPOINT,
    LIQUIDATIONS_PATH,
    instruments_params,
    liquidation_params,
)
from crashtui.symbols import SymbolTable
from crashtui.textsafe import ERROR_LINE, plain
from crashtui.upstream.context import poll_context
from crashtui.upstream.streams import build_streams, okx_families
from crashtui.wire import Request

STREAM_WAIT_S = 5.0  # how long a stream probe waits for its first frame
STREAM = "stream"
STREAM_SOURCES = tuple(name for name, spec in SOURCES.items() if spec.stream)


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
    symbol: str | None = None  # the row of one symbol of a per-symbol kind
    note: str | None = None  # said on an ok row: "connected, no frames yet", an unknown pair

    @property
    def ok(self) -> bool:
        """Whether the source answered with usable data (or an empty but valid answer)."""
        return self.state is SourceState.OK

    @property
    def answered(self) -> bool:
        """Whether the source answered as it should (ok) or is turned off in the config."""
        return self.state in (SourceState.OK, SourceState.DISABLED)


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

    note: str | None = None

    async def run() -> None:
        nonlocal items, note
        try:
            async with contextlib.aclosing(POLLERS[source](kind, ctx)) as payloads:
                async for raw in payloads:  # the whole cycle: every symbol of the watchlist
                    outcome = pipeline.payload(raw)
                    if outcome.error is not None:
                        raise outcome.error
                    items = tuple(i for e in applied if isinstance(e, DataEvent) for i in e.items)
        except PartialError as exc:  # an unknown pair: the others answered
            if not items:
                raise
            note = str(exc)

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
            note=note,
        )

    try:
        await asyncio.wait_for(run(), timeout=probe_timeout_s(config))
    except SourceError as exc:
        return result(exc.state, str(exc), exc.hint)
    except asyncio.TimeoutError:
        if items:  # a slow cycle: what came back is shown, the rest said
            note = f"cut off after {probe_timeout_s(config):g} s; not every symbol was asked"
            return result(SourceState.OK)
        return result(SourceState.FAILING, f"no complete answer within {probe_timeout_s(config):g} s")
    except Exception as exc:  # a parser bug shows as a failing row, not a crash
        return result(SourceState.FAILING, plain(f"internal error: {type(exc).__name__}: {exc}", ERROR_LINE))
    return result(SourceState.OK)


def per_symbol(result: ProbeResult, symbols: tuple[str, ...]) -> list[ProbeResult]:
    """One row per watchlist symbol of an ok per-symbol kind (prices, candles, funding…).

    A symbol the source returned nothing for gets its row too ("no data for ETH"); a kind
    whose items name no symbol (ETF flows, Fear & Greed, macro) stays one row.
    """
    if not result.ok or not result.items:
        return [result]
    by_symbol: dict[str, list[object]] = {}
    for item in result.items:
        symbol = getattr(item, "symbol", None)
        if not isinstance(symbol, str):
            return [result]
        by_symbol.setdefault(symbol, []).append(item)
    rows = [replace(result, symbol=s, items=tuple(by_symbol[s])) for s in symbols if s in by_symbol]
    missing = [s for s in symbols if s not in by_symbol]
    for symbol in missing:
        note = result.note if result.note and symbol in result.note else f"no data for {symbol}"
        rows.append(replace(result, symbol=symbol, items=(), note=note))
    return rows


async def probe_okx_rest(
    config: Config, fetcher: Fetcher, symbols: tuple[str, ...], table: SymbolTable, *, clock: Clock
) -> list[ProbeResult]:
    """The OKX REST side of the liquidation stream: swap instruments, then one liquidation page."""
    source = okx.REST_SOURCE
    base = config.base_url(source).rstrip("/")
    if not config.source(source).enabled:
        return [ProbeResult(source, "liquidations", "-", SourceState.DISABLED)]
    pipeline = Pipeline.into(lambda event: None, table)
    families = okx_families(table, symbols) or ("BTC-USDT",)
    steps = (
        (
            "contracts",
            Request(source, INSTRUMENTS_ENDPOINT, base + INSTRUMENTS_PATH, query=instruments_params()),
        ),
        (
            "liquidations",
            Request(
                source, LIQUIDATIONS_ENDPOINT, base + LIQUIDATIONS_PATH, query=liquidation_params(families[0])
            ),
        ),
    )
    out: list[ProbeResult] = []
    for kind, request in steps:
        started = clock.now_ms()
        try:
            raw = await asyncio.wait_for(fetcher(request), timeout=probe_timeout_s(config))
            outcome: Outcome = pipeline.payload(raw)
            if outcome.error is not None and not outcome.rejected:  # held by the gate: it answered
                raise outcome.error
            note = f"{outcome.accepted} orders in the latest page" if kind == "liquidations" else "answered"
            out.append(
                ProbeResult(
                    source, kind, request.endpoint, SourceState.OK, float(clock.now_ms() - started), note=note
                )
            )
        except SourceError as exc:
            out.append(
                ProbeResult(
                    source,
                    kind,
                    request.endpoint,
                    exc.state,
                    float(clock.now_ms() - started),
                    error=str(exc),
                    hint=exc.hint,
                )
            )
        except asyncio.TimeoutError:
            error = f"no complete answer within {probe_timeout_s(config):g} s"
            out.append(ProbeResult(source, kind, request.endpoint, SourceState.FAILING, error=error))
    return out


async def probe_stream(
    spec: StreamSpec, config: Config, *, clock: Clock = SYSTEM_CLOCK, wait_s: float = STREAM_WAIT_S
) -> ProbeResult:
    """Connect one websocket stream, subscribe, wait for the first frame (or ``wait_s``), close."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    started = clock.now_ms()

    def result(state: SourceState, **kw: object) -> ProbeResult:
        return ProbeResult(spec.source, STREAM, spec.endpoint, state, float(clock.now_ms() - started), **kw)  # type: ignore[arg-type]

    try:
        async with connect(
            spec.url, open_timeout=config.net.connect_timeout_s, close_timeout=1.0, ping_interval=None
        ) as ws:
            for message in spec.subscribe:
                await ws.send(message)
            try:
                await asyncio.wait_for(ws.recv(), timeout=wait_s)
            except asyncio.TimeoutError:
                return result(SourceState.OK, note="connected, no frames yet")
            return result(SourceState.OK, note=f"connected, first frame after {clock.now_ms() - started} ms")
    except asyncio.CancelledError:
        raise
    except InvalidStatus as exc:  # the upgrade answered with an HTTP status: judged like REST
        refused = refused_handshake(spec, exc, clock.now_ms())
        return result(refused.state or SourceState.FAILING, error=refused.reason, hint=refused.hint)
    except Exception as exc:
        reason, _ = connect_error(exc, spec.url)
        return result(SourceState.FAILING, error=plain(f"{spec.source}: {reason}", ERROR_LINE))


def stream_specs(config: Config, symbols: tuple[str, ...], table: SymbolTable) -> list[StreamSpec]:
    """The specs of every enabled stream, as the live feed would build them."""
    streams = build_streams(config, symbols, lambda raw: Outcome(), lambda event: None, symbols=table)
    return [runner.spec for runner in streams.runners]


PROBES_IN_FLIGHT = 12  # below make_client's 32 pooled connections (some probes send several)


async def probe_all(
    config: Config,
    client: httpx.AsyncClient,
    symbols: tuple[str, ...],
    *,
    clock: Clock = SYSTEM_CLOCK,
    table: SymbolTable | None = None,
    streams: bool = True,
) -> list[ProbeResult]:
    """Probe every kind of every REST source, the OKX REST side and every stream concurrently;
    disabled ones are listed, not asked. ``streams=False`` leaves the websockets out."""
    table = table if table is not None else table_from_config(config)
    specs = stream_specs(config, symbols, table) if streams else []
    fetcher = Fetcher(client, clock, max_body_bytes=max_body_bytes(config.net))
    jobs: list[asyncio.Task[ProbeResult]] = []
    disabled: list[ProbeResult] = []
    # Fewer probes in flight than the client has connections: a probe waiting for a pooled
    # connection would time out on the pool (the connect timeout), not on its provider.
    slots = asyncio.Semaphore(PROBES_IN_FLIGHT)

    async def queued(source: str, kind: str) -> ProbeResult:
        async with slots:
            return await probe(config, fetcher, source, kind, symbols, table, clock=clock)

    for source in REST_SOURCES:
        for kind in SOURCES[source].kinds:
            if not config.source(source).enabled:
                disabled.append(ProbeResult(source, kind, "-", SourceState.DISABLED))
            else:
                jobs.append(asyncio.create_task(queued(source, kind)))
    extra: list[asyncio.Task[list[ProbeResult]]] = [
        asyncio.create_task(probe_okx_rest(config, fetcher, symbols, table, clock=clock))
    ]
    stream_jobs = [asyncio.create_task(probe_stream(spec, config, clock=clock)) for spec in specs]
    rest = list(await asyncio.gather(*jobs))
    order = {name: i for i, name in enumerate(REST_SOURCES)}
    rows = sorted(rest + disabled, key=lambda r: (order[r.source], SOURCES[r.source].kinds.index(r.kind)))
    results = [row for result in rows for row in per_symbol(result, symbols)]
    for okx_rows in await asyncio.gather(*extra):
        results.extend(okx_rows)
    results.extend(await asyncio.gather(*stream_jobs))
    for source in STREAM_SOURCES:
        if not config.source(source).enabled:
            results.append(ProbeResult(source, STREAM, "-", SourceState.DISABLED))
    return results
