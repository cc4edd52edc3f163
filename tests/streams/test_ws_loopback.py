"""The websocket runner against a loopback server started by each test.

The server misbehaves the way venues do: it drops the connection mid-burst, sends garbage,
replays orders after a reconnect, stops answering pings and asks for a reconnect. The client
must reconnect, re-subscribe, lose nothing sent after a reconnect, count nothing twice and
never raise out of its task.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import random
import socket
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import pytest
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from crashtui.clock import FakeClock, ShiftedClock
from crashtui.config.schema import Config, SourceConfig
from crashtui.events import DataEvent, Event, StatusEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import Liquidation, RawPayload, SourceState, SourceStatus
from crashtui.net.backoff import Backoff
from crashtui.net.ws import StreamRunner, StreamSpec, StreamTiming
from crashtui.streams import bybit, okx
from crashtui.streams.okx import OkxContract
from crashtui.upstream.okx_service import OkxRestSettings
from crashtui.upstream.streams import LiquidationStreams, StreamSettings, build_streams

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BYBIT_LINES = (FIXTURES / "bybit_all_liquidation_ws_real.jsonl").read_text(encoding="utf-8").splitlines()
OKX_LINES = (FIXTURES / "okx_liquidation_orders_ws_real.jsonl").read_text(encoding="utf-8").splitlines()
BINANCE_LINES = (
    (FIXTURES / "binance_futures_force_order_ws_real.jsonl").read_text(encoding="utf-8").splitlines()
)
BYBIT_PONG = BYBIT_LINES[2]
# The fixtures are real frames of 2026-10-04..10; the gate holds liquidations more than 48 h
# older than the feed clock, so the streams here run on a real-time clock that reads as a
# moment just after the newest fixture.
FIXTURE_NOW_MS = 1_791_594_200_000
SYSTEM_CLOCK = ShiftedClock(FIXTURE_NOW_MS)


def fresh_binance(line: str, at_ms: int) -> str:
    """A real Binance forceOrder frame restamped (event and trade time) to ``at_ms``."""
    message = json.loads(line)
    event = message.get("data", message)  # combined-stream frames wrap the event
    event["E"] = at_ms
    event["o"]["T"] = at_ms
    return json.dumps(message)


WAIT_S = 10.0

FAST = StreamTiming(
    ping_interval_s=0.05,
    pong_timeout_s=0.3,
    status_interval_s=0.05,
    open_timeout_s=2.0,
    close_timeout_s=0.5,
    protocol_ping_s=None,
    backoff_base_s=0.01,
    backoff_cap_s=0.05,
)


async def eventually(condition: Callable[[], bool], what: str) -> None:
    """Wait (event-loop time, generous bound) until ``condition`` holds."""

    async def wait() -> None:
        while not condition():
            await asyncio.sleep(0.005)

    await asyncio.wait_for(wait(), WAIT_S)  # asyncio.timeout is 3.11+; 3.10 is supported
    assert condition(), what


@dataclass
class ConnRecord:
    """What the server saw on one client connection."""

    index: int
    path: str
    answer_pings: bool = True
    received: list[str] = field(default_factory=list)
    pings: int = 0
    subscribed: asyncio.Event = field(default_factory=asyncio.Event)
    closed: asyncio.Event = field(default_factory=asyncio.Event)


Script = Callable[[ServerConnection, ConnRecord], Awaitable[None]]


class Loopback:
    """A websocket server on 127.0.0.1 with a per-connection script and a ping-answering reader."""

    def __init__(self, script: Script, ping: str, pong: str, subscribes: bool = True) -> None:
        self.script = script
        self.ping = ping
        self.pong = pong
        self.subscribes = subscribes
        self.conns: list[ConnRecord] = []
        self.answer_pings_on: Callable[[int], bool] = lambda index: True
        self._server: Server | None = None

    @property
    def port(self) -> int:
        assert self._server is not None
        return int(self._server.sockets[0].getsockname()[1])

    async def __aenter__(self) -> Loopback:
        self._server = await serve(self._handle, "127.0.0.1", 0, ping_interval=None)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, ws: ServerConnection) -> None:
        index = len(self.conns)
        record = ConnRecord(index, ws.request.path if ws.request else "", self.answer_pings_on(index))
        if not self.subscribes:
            record.subscribed.set()
        self.conns.append(record)
        reader = asyncio.ensure_future(self._read(ws, record))
        try:
            await self.script(ws, record)
        except ConnectionClosed:
            pass
        finally:
            with contextlib.suppress(ConnectionClosed, asyncio.CancelledError):
                await reader
            record.closed.set()

    async def _read(self, ws: ServerConnection, record: ConnRecord) -> None:
        async for message in ws:
            text = message if isinstance(message, str) else message.decode()
            record.received.append(text)
            if text == self.ping:
                record.pings += 1
                if record.answer_pings:
                    await ws.send(self.pong)
            elif '"subscribe"' in text:
                record.subscribed.set()


def bybit_frame(n: int) -> str:
    """A real Bybit frame made unique by its trade time and size."""
    message = json.loads(BYBIT_LINES[1])
    item = message["data"][0]
    item.update(T=1791565600992 + n, v=str(n))
    return json.dumps(message)


class Collector:
    """The pipeline a runner delivers into, plus event and raw sinks that keep what arrives."""

    def __init__(self) -> None:
        self.pipeline = Pipeline.into(self)
        self.deliver = self.pipeline.payload
        self.events: list[Event] = []
        self.raws: list[RawPayload] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    def raw(self, payload: RawPayload) -> None:
        self.raws.append(payload)

    @property
    def liquidations(self) -> list[Liquidation]:
        return [
            item
            for e in self.events
            if isinstance(e, DataEvent)
            for item in e.items
            if isinstance(item, Liquidation)
        ]

    @property
    def statuses(self) -> list[SourceStatus]:
        return [e.status for e in self.events if isinstance(e, StatusEvent)]


async def stop(task: asyncio.Task[None]) -> None:
    """Cancel a runner task: it must end cancelled, not with an exception."""
    assert not task.done(), "the runner ended on its own (it must only end when cancelled)"
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task


def bybit_spec(port: int, timing: StreamTiming = FAST) -> StreamSpec:
    return StreamSpec(
        source=bybit.SOURCE,
        url=f"ws://127.0.0.1:{port}{bybit.STREAM_PATH}",
        endpoint=bybit.ENDPOINT,
        subscribe=bybit.subscribe_messages(["STRKUSDT", "BTCUSDT"]),
        ping_message=bybit.PING_MESSAGE,
        sampled=bybit.SAMPLED,
        timing=timing,
    )


async def test_reconnects_resubscribes_dedups_and_survives_garbage_and_silent_pings() -> None:
    got = Collector()

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        await asyncio.wait_for(conn.subscribed.wait(), WAIT_S)
        if conn.index == 0:
            for frame in (bybit_frame(1), "not json", bybit_frame(2), bybit_frame(3)):
                await ws.send(frame)
            await eventually(lambda: len(got.liquidations) >= 3, "client saw the first frames")
            await ws.send(bybit_frame(4))
            ws.transport.abort()  # drop mid-burst: frame 4 may or may not arrive
        elif conn.index == 1:
            for n in (3, 4, 5, 6):  # replays 3 and 4, then new frames
                await ws.send(bybit_frame(n))
            await ws.wait_closed()  # pings go unanswered: the client must give up on us
        else:
            await ws.send(bybit_frame(6))  # one more replay
            await ws.send(bybit_frame(7))
            await ws.wait_closed()

    server = Loopback(script, ping=bybit.PING_MESSAGE, pong=BYBIT_PONG)
    server.answer_pings_on = lambda index: index != 1
    async with server:
        runner = StreamRunner(bybit_spec(server.port), got.deliver, got, got.raw, clock=SYSTEM_CLOCK)
        task = asyncio.create_task(runner.run())
        await eventually(lambda: len(got.liquidations) >= 7 and len(server.conns) >= 3, "all frames arrive")
        await eventually(lambda: server.conns[2].pings >= 2, "third connection is pinged")
        assert not task.done()
        await stop(task)
        await asyncio.wait_for(server.conns[2].closed.wait(), WAIT_S)  # the client closed cleanly

    # Nothing lost, nothing twice, in order.
    assert [liq.qty for liq in got.liquidations] == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]
    assert {liq.symbol for liq in got.liquidations} == {"STRK"}
    assert got.pipeline.decoder.liquidations.dedup["bybit_liq"].duplicates >= 2
    assert runner.bad_frames == 1
    assert runner.reconnects == 2
    assert len(server.conns) == 3
    # Every connection was subscribed again before anything else was sent.
    for conn in server.conns:
        assert conn.received[: len(bybit.subscribe_messages(["STRKUSDT", "BTCUSDT"]))] == list(
            bybit.subscribe_messages(["STRKUSDT", "BTCUSDT"])
        )
    assert server.conns[1].pings >= 1
    # Status: connected and ok at times, the pong timeout and the bad frame reported.
    statuses = got.statuses
    assert any(s.state is SourceState.OK and s.connected for s in statuses)
    assert any(s.last_error and "no pong" in s.last_error for s in statuses)
    assert any(s.bad_frames == 1 and s.connected for s in statuses)
    assert any(s.state is SourceState.CONNECTING and not s.connected and s.reconnects >= 1 for s in statuses)
    final = runner.status()
    assert (final.bad_frames, final.reconnects, final.sampled) == (1, 2, False)
    assert final.frames_per_min is not None
    assert final.frames_per_min >= 10
    assert final.last_frame_ms is not None
    # Every frame went to the raw sink, and replaying it reproduces the live liquidations.
    assert all(
        raw.kind == "ws" and raw.source == "bybit_liq" and raw.endpoint == "allLiquidation"
        for raw in got.raws
    )
    assert b"not json" in [raw.body for raw in got.raws]
    assert BYBIT_PONG.encode() in [raw.body for raw in got.raws]
    assert len(got.raws) == runner.frames
    again = Collector()
    outcomes = [again.deliver(raw) for raw in got.raws]
    assert again.liquidations == got.liquidations
    assert sum(1 for outcome in outcomes if outcome.error is not None) == 1


async def test_okx_text_ping_and_service_upgrade_notice_reconnect_without_an_error() -> None:
    got = Collector()
    notice = (
        '{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade."}'
    )
    ack = '{"event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"},"connId":"a"}'

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        await asyncio.wait_for(conn.subscribed.wait(), WAIT_S)
        await ws.send(ack)
        if conn.index == 0:
            await ws.send(OKX_LINES[0])
            await eventually(lambda: conn.pings >= 1, "client sends the text ping")
            await ws.send(notice)
        else:
            await ws.send(OKX_LINES[0])  # replayed
            await ws.send(OKX_LINES[1])
        await ws.wait_closed()

    got.pipeline.okx_contracts.update(
        {"BTC-USDT-SWAP": OkxContract(0.01), "CELO-USDT-SWAP": OkxContract(10.0)}, 0
    )
    async with Loopback(script, ping="ping", pong="pong") as server:
        spec = StreamSpec(
            source=okx.SOURCE,
            url=f"ws://127.0.0.1:{server.port}{okx.STREAM_PATH}",
            endpoint=okx.ENDPOINT,
            subscribe=(okx.SUBSCRIBE_MESSAGE,),
            ping_message=okx.PING_MESSAGE,
            sampled=okx.SAMPLED,
            timing=FAST,
        )
        runner = StreamRunner(spec, got.deliver, got, clock=SYSTEM_CLOCK)
        task = asyncio.create_task(runner.run())
        await eventually(lambda: len(got.liquidations) >= 2, "both orders arrive")
        await stop(task)

    assert [(liq.symbol, liq.liquidated_side.value) for liq in got.liquidations] == [
        ("BTC", "LONG"),
        ("CELO", "SHORT"),
    ]
    assert runner.reconnects == 1
    assert [conn.received[0] for conn in server.conns] == [okx.SUBSCRIBE_MESSAGE, okx.SUBSCRIBE_MESSAGE]
    assert all(s.state is not SourceState.FAILING for s in got.statuses)
    assert all(s.last_error is None for s in got.statuses)
    assert all(s.sampled and s.hint for s in got.statuses)


async def test_binance_stream_from_config_uses_the_market_path_and_forces_reconnect_at_max_age() -> None:
    got = Collector()

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        if conn.index < len(BINANCE_LINES):
            await ws.send(fresh_binance(BINANCE_LINES[conn.index], SYSTEM_CLOCK.now_ms() - 1000))
        await ws.wait_closed()

    async with Loopback(script, ping="", pong="", subscribes=False) as server:
        config = Config(
            sources=MappingProxyType(
                {
                    "binance_liq": SourceConfig(base_url=f"ws://127.0.0.1:{server.port}/"),
                    "bybit_liq": SourceConfig(enabled=False),
                    "okx_liq": SourceConfig(enabled=False),
                }
            )
        )
        timing = StreamTiming(
            max_age_s=0.2, status_interval_s=0.05, protocol_ping_s=None, close_timeout_s=0.5
        )
        streams = build_streams(
            config,
            ["BTC", "ETH"],
            got.deliver,
            got,
            settings=StreamSettings(binance=timing),
            clock=SYSTEM_CLOCK,
        )
        assert [runner.spec.source for runner in streams.runners] == ["binance_liq"]
        tasks = streams.start()
        await eventually(lambda: len(got.liquidations) >= 3, "a frame per connection")
        for task in tasks:
            await stop(task)

    assert {conn.path for conn in server.conns} == {"/market/ws/!forceOrder@arr"}
    assert [liq.symbol for liq in got.liquidations][:3] == ["BTC", "XRP", "MANTA"]
    assert all(conn.received == [] for conn in server.conns)  # no subscribe message, no app ping
    statuses = got.statuses
    assert max(s.reconnects for s in statuses) >= 2
    assert all(s.state is not SourceState.FAILING and s.last_error is None for s in statuses)
    assert all(s.sampled for s in statuses)


async def test_unreachable_server_backs_off_with_jitter_and_reports_failing() -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    clock = FakeClock()
    got = Collector()
    backoff = Backoff(base_s=1.0, factor=2.0, cap_s=8.0, rng=random.Random(7))
    runner = StreamRunner(bybit_spec(port), got.deliver, got, clock=clock, backoff=backoff)
    task = asyncio.create_task(runner.run())
    await eventually(lambda: len(clock.sleeps) >= 6, "six retries")
    await stop(task)

    for attempt, delay in enumerate(clock.sleeps[:6]):
        ceiling = min(8.0, 2.0**attempt)
        assert ceiling * 0.5 <= delay <= ceiling
    assert len(set(clock.sleeps[:6])) == 6  # jittered, not a fixed schedule
    assert all(s.state is SourceState.FAILING for s in got.statuses[1:])  # failing, also while retrying
    final = [s for s in got.statuses if s.next_attempt_ms is not None][-1]
    assert not final.connected
    assert final.last_error
    assert final.next_attempt_ms is not None
    assert final.next_attempt_ms > final.updated_ms
    assert runner.reconnects >= 5


async def test_server_that_closes_at_once_is_retried_and_data_resets_the_backoff() -> None:
    got = Collector()

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        await asyncio.wait_for(conn.subscribed.wait(), WAIT_S)
        if conn.index < 3:
            await ws.close(code=1011, reason="overloaded [red]x[/red]")
            return
        await ws.send(bybit_frame(1))
        await ws.wait_closed()

    async with Loopback(script, ping=bybit.PING_MESSAGE, pong=BYBIT_PONG) as server:
        backoff = Backoff(base_s=0.01, cap_s=0.05)
        runner = StreamRunner(bybit_spec(server.port), got.deliver, got, clock=SYSTEM_CLOCK, backoff=backoff)
        task = asyncio.create_task(runner.run())
        await eventually(lambda: len(got.liquidations) == 1, "data after three refusals")
        assert backoff.failures == 0  # a connection that delivers data resets the backoff
        await stop(task)

    failing = [s for s in got.statuses if s.state is SourceState.FAILING]
    assert failing
    assert failing[0].last_error == "closed by server (code 1011: overloaded [red]x[/red])"
    assert got.statuses[-1].state is SourceState.OK
    assert runner.reconnects == 3


async def test_unknown_topic_is_a_bad_frame_shown_in_status_while_the_stream_stays_up() -> None:
    got = Collector()

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        await asyncio.wait_for(conn.subscribed.wait(), WAIT_S)
        await ws.send('{"topic":"publicTrade.BTCUSDT","data":[]}')
        await ws.send(bybit_frame(1))
        await ws.wait_closed()

    async with Loopback(script, ping=bybit.PING_MESSAGE, pong=BYBIT_PONG) as server:
        runner = StreamRunner(bybit_spec(server.port), got.deliver, got, clock=SYSTEM_CLOCK)
        task = asyncio.create_task(runner.run())
        await eventually(lambda: any(s.bad_frames == 1 for s in got.statuses), "status shows the bad frame")
        await stop(task)

    shown = next(s for s in got.statuses if s.bad_frames == 1)
    assert shown.last_error == "bad frame: bybit: unknown topic publicTrade.BTCUSDT"
    assert (shown.state, shown.connected) == (SourceState.OK, True)
    assert len(got.liquidations) == 1
    assert runner.reconnects == 0


async def test_okx_from_config_backfill_and_live_frame_count_the_same_order_once() -> None:
    got = Collector()
    rest_body = (FIXTURES / "okx_liquidation_orders_rest.json").read_bytes()  # same order as OKX_LINES[0]
    instruments = json.dumps(
        {
            "code": "0",
            "msg": "",
            "data": [{"instId": "BTC-USDT-SWAP", "ctVal": "0.01", "ctMult": "1", "ctValCcy": "BTC"}],
        }
    ).encode()
    calls: list[tuple[str, dict[str, str]]] = []

    async def fetch(endpoint: str, url: str, params: Mapping[str, str]) -> RawPayload:
        calls.append((endpoint, dict(params)))
        body = instruments if endpoint == "instruments" else rest_body
        if "after" in params:
            body = b'{"code":"0","msg":"","data":[]}'
        return RawPayload(source="okx", endpoint=endpoint, received_ms=SYSTEM_CLOCK.now_ms(), body=body)

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        await asyncio.wait_for(conn.subscribed.wait(), WAIT_S)
        await ws.send(OKX_LINES[0])  # may arrive before or after the contract sizes: counted once either way
        await ws.send(OKX_LINES[1])  # CELO: no contract size known, skipped and noted
        await ws.wait_closed()

    async with Loopback(script, ping="ping", pong="pong") as server:
        config = Config(
            sources=MappingProxyType(
                {
                    "okx_liq": SourceConfig(base_url=f"ws://127.0.0.1:{server.port}"),
                    "okx": SourceConfig(base_url="https://okx.test"),
                    "binance_liq": SourceConfig(enabled=False),
                    "bybit_liq": SourceConfig(enabled=False),
                }
            )
        )
        settings = StreamSettings(okx=FAST, okx_rest=OkxRestSettings(window_s=10 * 365 * 86_400.0))
        streams = build_streams(
            config,
            ["BTC"],
            got.deliver,
            got,
            fetch=fetch,
            contracts=got.pipeline.okx_contracts,
            clock=SYSTEM_CLOCK,
            settings=settings,
        )
        tasks = streams.start()
        await eventually(
            lambda: streams.okx_rest is not None and streams.okx_rest.backfill is not None, "backfill done"
        )
        await eventually(lambda: runner_frames(streams) >= 2, "both frames reach the client")
        for task in tasks:
            await stop(task)

    btc = [liq for liq in got.liquidations if liq.symbol == "BTC"]
    assert len(btc) == 1
    assert btc[0].qty == pytest.approx(0.0855)
    assert [c[0] for c in calls][:2] == ["instruments", "liquidation-orders"]
    assert calls[1][1]["instFamily"] == "BTC-USDT"
    assert streams.okx_contracts is not None
    assert "CELO-USDT-SWAP" in streams.okx_contracts.missing


def runner_frames(streams: LiquidationStreams) -> int:
    return sum(runner.frames for runner in streams.runners)


async def test_reconnect_requests_right_after_connecting_still_back_off() -> None:
    got = Collector()
    notice = (
        '{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade."}'
    )

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        await asyncio.wait_for(conn.subscribed.wait(), WAIT_S)
        await ws.send(notice)
        await ws.wait_closed()

    async with Loopback(script, ping="ping", pong="pong") as server:
        backoff = Backoff(base_s=0.01, cap_s=0.05)
        spec = StreamSpec(
            source=okx.SOURCE,
            url=f"ws://127.0.0.1:{server.port}{okx.STREAM_PATH}",
            endpoint=okx.ENDPOINT,
            subscribe=(okx.SUBSCRIBE_MESSAGE,),
            timing=FAST,
        )
        runner = StreamRunner(spec, got.deliver, got, clock=SYSTEM_CLOCK, backoff=backoff)
        task = asyncio.create_task(runner.run())
        await eventually(lambda: len(server.conns) >= 3, "three connections")
        await stop(task)

    assert backoff.failures >= 2  # each reconnect waited for a backoff delay
    assert all(s.state is not SourceState.FAILING and s.last_error is None for s in got.statuses)


async def test_silent_connection_is_replaced_after_the_idle_timeout() -> None:
    got = Collector()

    async def script(ws: ServerConnection, conn: ConnRecord) -> None:
        await ws.wait_closed()  # accepts, then never sends a thing

    async with Loopback(script, ping="", pong="", subscribes=False) as server:
        timing = StreamTiming(
            idle_timeout_s=0.2, status_interval_s=0.05, protocol_ping_s=None, close_timeout_s=0.5
        )
        spec = StreamSpec(
            source="binance_liq",
            url=f"ws://127.0.0.1:{server.port}/market/ws/!forceOrder@arr",
            endpoint="forceOrder",
            timing=timing,
        )
        runner = StreamRunner(
            spec, got.deliver, got, clock=SYSTEM_CLOCK, backoff=Backoff(base_s=0.01, cap_s=0.05)
        )
        task = asyncio.create_task(runner.run())
        await eventually(lambda: len(server.conns) >= 2, "a second connection")
        await stop(task)

    assert any(s.last_error == "no frame for 0.2s" for s in got.statuses)


async def test_unresolvable_host_says_so_in_one_line() -> None:
    clock = FakeClock()
    got = Collector()
    spec = dataclasses.replace(bybit_spec(1), url="wss://no-such-host.invalid/v5/public/linear")
    runner = StreamRunner(spec, got.deliver, got, clock=clock)
    task = asyncio.create_task(runner.run())
    await eventually(lambda: len(clock.sleeps) >= 1, "one retry")
    await stop(task)
    errors = [s.last_error for s in got.statuses if s.last_error]
    assert errors[-1] == "cannot resolve no-such-host.invalid (offline, or DNS blocked?)"
