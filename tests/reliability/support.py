"""Helpers of the reliability suite: configs pointing every source at the fault server."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import httpx

from crashtui.catalog import SOURCES
from crashtui.clock import SYSTEM_CLOCK, FakeClock
from crashtui.config.parse import parse_config
from crashtui.config.schema import Config
from crashtui.events import DataEvent, Event, StatusEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import RawPayload, SourceStatus
from crashtui.net.http import fetch, max_body_bytes
from crashtui.net.ws import StreamTiming
from crashtui.streams.okx_contracts import Fetch
from crashtui.themes import theme_names
from crashtui.upstream.okx_service import OkxRestSettings
from crashtui.upstream.poller import Poller
from crashtui.upstream.streams import StreamSettings
from crashtui.wire import Request
from tests.reliability.fault_server import FaultServer

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Tight timings so a fault plays out in well under a second of real time. No fault stalls a
# connect, so its timeout is loose: on a loaded CI box a loopback connect can take 0.5 s.
FAST_NET = {"connect_timeout_s": 2.0, "read_timeout_s": 0.3, "max_body_mb": 1.0}


def config_data(
    server: FaultServer,
    *,
    polling: Mapping[str, float] | None = None,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    net: Mapping[str, float] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A TOML-shaped config document with every source pointed at ``server``."""
    tables: dict[str, dict[str, Any]] = {name: {"base_url": url} for name, url in server.base_urls().items()}
    for name, values in (sources or {}).items():
        tables[name].update(values)
    data: dict[str, Any] = {
        "sources": tables,
        "net": dict(FAST_NET if net is None else net),
        "watchlists": {"default": "test", "test": {"symbols": ["BTC", "ETH"]}},
    }
    if polling:
        data["polling"] = dict(polling)
    data.update(extra or {})
    return data


def make_config(server: FaultServer, **kwargs: Any) -> Config:
    """A validated Config (through the real config parser) pointing at ``server``."""
    config = parse_config(config_data(server, **kwargs), "(reliability)", themes=tuple(theme_names()), env={})
    for name in SOURCES:
        assert config.base_url(name).split("/")[2].split(":")[0] in LOOPBACK_HOSTS, name
    return config


def toml_text(data: Mapping[str, Any]) -> str:
    """Write a (flat enough) config document as TOML, for tests that run the CLI on a file."""
    lines: list[str] = []

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(type(v).__name__)

    def table(prefix: str, mapping: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in mapping.items() if not isinstance(v, Mapping)}
        if prefix and scalars:
            lines.append(f"[{prefix}]")
        for k, v in scalars.items():
            lines.append(f"{k} = {value(v)}")
        if scalars:
            lines.append("")
        for k, v in mapping.items():
            if isinstance(v, Mapping):
                table(f"{prefix}.{k}" if prefix else k, v)

    table("", data)
    return "\n".join(lines)


class EventLog:
    """An EventSink that keeps everything, with the look-ups the fault tests need."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def statuses(self, source: str) -> list[SourceStatus]:
        """Every status ``source`` reported, in order."""
        return [e.status for e in self.events if isinstance(e, StatusEvent) and e.status.source == source]

    def last_status(self, source: str) -> SourceStatus | None:
        """The latest status of ``source``."""
        found = self.statuses(source)
        return found[-1] if found else None

    def items(self, source: str | None = None, kind: str | None = None) -> list[object]:
        """Data items delivered (optionally of one source and kind)."""
        return [
            item
            for e in self.events
            if isinstance(e, DataEvent)
            and (source is None or e.source == source)
            and (kind is None or e.kind == kind)
            for item in e.items
        ]


def assert_one_line(text: str | None) -> None:
    """A status reason is one short printable line (no escapes, no traceback)."""
    assert text, "expected a reason"
    assert text.isprintable(), repr(text)
    assert len(text) <= 200, text
    assert "Traceback" not in text


FAST_STREAM = StreamTiming(
    ping_interval_s=0.05,
    pong_timeout_s=0.3,
    status_interval_s=0.05,
    open_timeout_s=1.0,
    close_timeout_s=0.3,
    protocol_ping_s=None,
    backoff_base_s=0.05,
    backoff_cap_s=0.4,
)


def fast_stream_settings() -> StreamSettings:
    """Stream timings shrunk so reconnects and ping timeouts play out in a fraction of a second."""
    return StreamSettings(
        binance=replace(FAST_STREAM, ping_interval_s=None, idle_timeout_s=0.5),
        bybit=FAST_STREAM,
        okx=FAST_STREAM,
        okx_rest=OkxRestSettings(page_pause_s=0.0, retry_base_s=0.05, retry_cap_s=0.2, refresh_check_s=0.5),
    )


def okx_fetch(client: httpx.AsyncClient, config: Config) -> Fetch:
    """The OKX REST fetch the engine builds, on ``client``."""

    async def fetch_okx(endpoint: str, url: str, params: Mapping[str, str]) -> RawPayload:
        request = Request(source="okx", endpoint=endpoint, url=url, query=dict(params))
        return await fetch(client, request, clock=SYSTEM_CLOCK, max_body_bytes=max_body_bytes(config.net))

    return fetch_okx


T0 = 1_770_000_000_000  # 2026-02-02T02:40Z on the fake clock


class ScriptedClock(FakeClock):
    """A fake clock for a poller on real sockets: time only jumps when every poll loop sleeps.

    Each of the ``participants`` loops is either doing real I/O (fake time stands still) or
    asleep on this clock; once all of them sleep, time jumps to the earliest wake-up. So a
    request in flight in one loop never sees another loop's 30 s sleep pass. Scheduled actions
    (faults on and off) run as time passes; the poller is stopped at ``until_s``.
    """

    def __init__(self, until_s: float) -> None:
        super().__init__(start_ms=T0)
        self.until_ms = T0 + round(until_s * 1000)
        self.poller: Poller | None = None
        self.participants = 1
        self._actions: list[tuple[int, Callable[[], None]]] = []
        self._sleepers: list[tuple[int, asyncio.Future[None]]] = []

    def at(self, seconds: float, action: Callable[[], None]) -> None:
        """Run ``action`` once fake time reaches ``seconds`` after the start."""
        self._actions.append((T0 + round(seconds * 1000), action))
        self._actions.sort(key=lambda pair: pair[0])

    def elapsed_s(self, at_ms: int | None = None) -> float:
        """Fake seconds since the start (at ``at_ms``, default now)."""
        return ((self.now_ms() if at_ms is None else at_ms) - T0) / 1000

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        entry = (self.now_ms() + round(max(0.0, seconds) * 1000), asyncio.get_running_loop().create_future())
        self._sleepers.append(entry)
        if len(self._sleepers) >= self.participants:
            self._jump()
        try:
            await entry[1]
        finally:
            if entry in self._sleepers:
                self._sleepers.remove(entry)

    def _jump(self) -> None:
        wake = min(at for at, _ in self._sleepers)
        self.advance(max(0, wake - self.now_ms()) / 1000)
        while self._actions and self._actions[0][0] <= self.now_ms():
            self._actions.pop(0)[1]()
        for entry in [e for e in self._sleepers if e[0] <= self.now_ms()]:
            self._sleepers.remove(entry)
            entry[1].set_result(None)
        if self.now_ms() >= self.until_ms and self.poller is not None:
            self.poller.stop()


def fake_time_poller(
    server: FaultServer,
    clock: ScriptedClock,
    client: httpx.AsyncClient,
    log: EventLog,
    *,
    failover: Mapping[str, list[str]],
    raw_sink: Callable[[RawPayload], None] | None = None,
    **config: Any,
) -> Poller:
    """A Poller on the fault server, driven by ``clock``, polling only the kinds in ``failover``."""
    extra = {"failover": dict(failover), **config.pop("extra", {})}
    poller = Poller(
        make_config(server, extra=extra, **config),
        ("BTC", "ETH"),
        client,
        Pipeline.into(log).payload,
        log,
        raw_sink,
        clock=clock,
        rng=random.Random(7),
        kinds=tuple(failover),
    )
    clock.poller = poller
    clock.participants = sum(1 for chain in poller.chains.values() if chain)
    return poller
