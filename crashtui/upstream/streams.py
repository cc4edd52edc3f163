"""Build the three liquidation streams (and the OKX REST side) from a config and a watchlist.

The live feed starts them next to the REST poller. Every frame goes to ``deliver`` (the one
ingest pipeline, which decodes, de-duplicates and gates it); statuses go to ``sink``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import Config
from crashtui.config.symbols import table_from_config
from crashtui.events import Deliver, EventSink, RawSink
from crashtui.net.ws import StreamRunner, StreamSpec, StreamTiming
from crashtui.streams import binance, bybit, okx
from crashtui.streams.okx_contracts import Fetch, OkxContracts
from crashtui.symbols import SymbolTable
from crashtui.upstream.okx_service import OkxRestService, OkxRestSettings

# Binance closes every connection at 24 h: go a little earlier, on our own terms.
BINANCE_MAX_AGE_S = 24 * 3600.0 - 300.0
# The all-market stream is never quiet for 10 minutes; silence means a dead route.
BINANCE_IDLE_S = 600.0


def _binance_timing() -> StreamTiming:
    return StreamTiming(max_age_s=BINANCE_MAX_AGE_S, idle_timeout_s=BINANCE_IDLE_S)


def _bybit_timing() -> StreamTiming:
    return StreamTiming(ping_interval_s=20.0, pong_timeout_s=10.0)


def _okx_timing() -> StreamTiming:
    return StreamTiming(ping_interval_s=25.0, pong_timeout_s=10.0)


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """Per-venue timings and limits; tests shrink them."""

    binance: StreamTiming = field(default_factory=_binance_timing)
    bybit: StreamTiming = field(default_factory=_bybit_timing)
    okx: StreamTiming = field(default_factory=_okx_timing)
    okx_rest: OkxRestSettings = field(default_factory=OkxRestSettings)


@dataclass(slots=True)
class LiquidationStreams:
    """The built streams. :meth:`start` runs them as tasks; cancel the tasks to stop."""

    runners: tuple[StreamRunner, ...]
    okx_rest: OkxRestService | None = None
    okx_contracts: OkxContracts | None = None

    def coroutines(self) -> list[Coroutine[Any, Any, None]]:
        """One coroutine per stream (and the OKX REST service), none started yet."""
        jobs = [runner.run() for runner in self.runners]
        if self.okx_rest is not None:
            jobs.append(self.okx_rest.run())
        return jobs

    def start(self) -> list[asyncio.Task[None]]:
        """Start every stream as a named task on the running loop."""
        names = [runner.spec.source for runner in self.runners]
        if self.okx_rest is not None:
            names.append("okx_rest")
        return [
            asyncio.create_task(job, name=f"crashtui-{name}")
            for job, name in zip(self.coroutines(), names, strict=True)
        ]


def build_streams(
    config: Config,
    watchlist: Iterable[str],
    deliver: Deliver,
    sink: EventSink,
    raw_sink: RawSink | None = None,
    *,
    fetch: Fetch | None = None,
    contracts: OkxContracts | None = None,
    clock: Clock = SYSTEM_CLOCK,
    symbols: SymbolTable | None = None,
    settings: StreamSettings | None = None,
) -> LiquidationStreams:
    """Streams for every enabled venue: Binance (all symbols), Bybit (the watchlist's perps),
    OKX (all swaps) plus, when ``fetch`` is given, the OKX contract sizes and ~24 h backfill.

    ``contracts`` is the pipeline's OKX contract table (its decoder learns sizes from the
    instruments responses the REST side fetches); without ``fetch`` OKX cannot learn them, so
    its liquidations are skipped. Binance and Bybit need no REST at all.
    """
    table = symbols if symbols is not None else table_from_config(config)
    settings = settings or StreamSettings()
    wanted = tuple(dict.fromkeys(watchlist))
    runners: list[StreamRunner] = []

    if config.source(binance.SOURCE).enabled:
        spec = binance_spec(config, settings.binance)
        runners.append(StreamRunner(spec, deliver, sink, raw_sink, clock=clock))

    bybit_instruments = [name for s in wanted if (name := table.on(bybit.SYMBOL_PROVIDER, s)) is not None]
    if config.source(bybit.SOURCE).enabled and bybit_instruments:
        spec = bybit_spec(config, bybit_instruments, settings.bybit)
        runners.append(StreamRunner(spec, deliver, sink, raw_sink, clock=clock))

    okx_rest: OkxRestService | None = None
    if config.source(okx.SOURCE).enabled:
        contracts = contracts if contracts is not None else OkxContracts()
        runners.append(StreamRunner(okx_spec(config, settings.okx), deliver, sink, raw_sink, clock=clock))
        if fetch is not None and config.source(okx.REST_SOURCE).enabled:
            okx_rest = OkxRestService(
                fetch,
                config.base_url(okx.REST_SOURCE),
                okx_families(table, wanted),
                table.reverse(okx.SYMBOL_PROVIDER),
                contracts,
                deliver,
                sink,
                clock=clock,
                settings=settings.okx_rest,
                source=okx.REST_SOURCE,
            )
    return LiquidationStreams(runners=tuple(runners), okx_rest=okx_rest, okx_contracts=contracts)


def stream_url(config: Config, source: str, path: str) -> str:
    """The configured base URL of ``source`` joined with the venue's stream path."""
    return config.base_url(source).rstrip("/") + path


def binance_spec(config: Config, timing: StreamTiming) -> StreamSpec:
    """Binance USD-M ``/market/ws/!forceOrder@arr``: no subscribe message, Binance pings us."""
    return StreamSpec(
        source=binance.SOURCE,
        url=stream_url(config, binance.SOURCE, binance.STREAM_PATH),
        endpoint=binance.ENDPOINT,
        sampled=binance.SAMPLED,
        timing=timing,
    )


def bybit_spec(config: Config, instruments: Iterable[str], timing: StreamTiming) -> StreamSpec:
    """Bybit v5 linear ``allLiquidation.<instrument>`` per watchlist perp, JSON ping."""
    return StreamSpec(
        source=bybit.SOURCE,
        url=stream_url(config, bybit.SOURCE, bybit.STREAM_PATH),
        endpoint=bybit.ENDPOINT,
        subscribe=bybit.subscribe_messages(instruments),
        ping_message=bybit.PING_MESSAGE,
        sampled=bybit.SAMPLED,
        timing=timing,
    )


def okx_spec(config: Config, timing: StreamTiming) -> StreamSpec:
    """OKX ``liquidation-orders`` for all swaps, text ping."""
    return StreamSpec(
        source=okx.SOURCE,
        url=stream_url(config, okx.SOURCE, okx.STREAM_PATH),
        endpoint=okx.ENDPOINT,
        subscribe=(okx.SUBSCRIBE_MESSAGE,),
        ping_message=okx.PING_MESSAGE,
        sampled=okx.SAMPLED,
        timing=timing,
    )


def okx_families(table: SymbolTable, watchlist: Iterable[str]) -> tuple[str, ...]:
    """instFamily (``BTC-USDT``) of each watchlist symbol's OKX swap, for the REST backfill."""
    families: dict[str, None] = {}
    for symbol in watchlist:
        inst_id = table.on(okx.SYMBOL_PROVIDER, symbol)
        if inst_id is not None and inst_id.endswith("-SWAP"):
            families[inst_id.removesuffix("-SWAP")] = None
    return tuple(families)
