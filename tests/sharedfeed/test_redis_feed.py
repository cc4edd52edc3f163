"""One collector across a desk: a real redis-server on a loopback port."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from crashtui.assemble import EngineOptions, build_engine
from crashtui.config.schema import Config
from crashtui.engine import Engine, cancel_and_wait
from crashtui.events import DataEvent, Event, StatusEvent
from crashtui.model import Liquidation, Side, SourceState, Ticker
from crashtui.sharedfeed.redis_feed import RedisFeedReader, RedisPublisher

REDIS = shutil.which("redis-server")
# CI sets CRASHTUI_REQUIRE_REDIS so a missing binary fails the run instead of skipping.
REQUIRED = bool(os.environ.get("CRASHTUI_REQUIRE_REDIS"))
pytestmark = pytest.mark.skipif(
    REDIS is None and not REQUIRED, reason="redis-server binary not installed (apt install redis-server)"
)
T0 = 1_770_336_000_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class RedisServer:
    def __init__(self, tmp: Path) -> None:
        self.port = _free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert REDIS is not None, "redis-server is required here (CRASHTUI_REQUIRE_REDIS is set)"
        self.proc = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.tmp)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def ticker(i: int) -> DataEvent:
    return DataEvent("binance", "prices", (Ticker("BTC", 60000.0 + i, -2.0, T0 + i, "binance"),), T0 + i)


def liquidation(i: int) -> DataEvent:
    liq = Liquidation("bybit", "BTC", Side.LONG, 60000.0, 0.1 + i, 6000.0 * (1 + i), T0 + i)
    return DataEvent("bybit_liq", "liquidations", (liq,), T0 + i)


async def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.05)


def reader_engine(url: str) -> tuple[Engine, RedisFeedReader]:
    engine = build_engine(Config(), ("BTC",), EngineOptions(feed=url))
    return engine, RedisFeedReader(url, engine.sink)


async def test_publish_late_join_and_redis_restart(redis_server: RedisServer) -> None:
    collector = build_engine(
        Config(), ("BTC",), EngineOptions(publish=True, redis_url=redis_server.url, streams=False)
    )
    (publisher,) = [sink for sink in collector.sinks if isinstance(sink, RedisPublisher)]
    tasks = [asyncio.create_task(publisher.run())]
    early, early_reader = reader_engine(redis_server.url)
    tasks.append(asyncio.create_task(early_reader.run()))
    await wait_for(lambda: publisher.connected)
    for i in range(5):
        collector.sink(ticker(i))
        collector.sink(liquidation(i))
    await wait_for(lambda: "BTC" in early.state.tickers and early.state.tickers["BTC"].price == 60004.0)
    assert len(early.state.liquidations) == 5
    assert early.state.statuses["collector"].state is SourceState.OK

    # a late joiner paints the whole state from the snapshot at once: once the snapshot key
    # was written after these events (it is refreshed every 5 s)
    written = publisher.snapshots
    await wait_for(lambda: publisher.snapshots > written)
    late, late_reader = reader_engine(redis_server.url)
    tasks.append(asyncio.create_task(late_reader.run()))
    await wait_for(lambda: "BTC" in late.state.tickers)
    assert late.state.tickers["BTC"].price == 60004.0
    assert len(late.state.liquidations) == 5

    # Redis goes away: a clear status, no crash; it comes back: both follow again
    redis_server.stop()
    collector.sink(ticker(6))  # queued while Redis is down
    await wait_for(lambda: early.state.statuses["collector"].state is SourceState.FAILING)
    assert "redis unreachable" in (early.state.statuses["collector"].last_error or "")
    assert all(not t.done() for t in tasks)
    redis_server.start()
    collector.sink(ticker(7))
    await wait_for(lambda: early.state.tickers["BTC"].price == 60007.0, timeout=40)
    await wait_for(lambda: late.state.tickers["BTC"].price == 60007.0, timeout=40)
    await wait_for(lambda: early.state.statuses["collector"].state is SourceState.OK, timeout=10)
    await stop_all(tasks)


async def stop_all(tasks: list[asyncio.Task[None]]) -> None:
    """Cancel each task once; each must end within a few seconds (not hang the run)."""
    for task in tasks:
        task.cancel()
    _, pending = await asyncio.wait(tasks, timeout=5)
    if pending:
        await cancel_and_wait(pending, grace_s=0.05)
    assert not pending, "a task did not end after its cancel"


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Task.cancelling() is new in Python 3.11")
async def test_a_reader_stops_whenever_it_is_cancelled(redis_server: RedisServer) -> None:
    """The CI hang, made certain: cancelled in the few loop turns after it reports a status,
    the reader's cancel landed in redis-py's send of the next XREAD (``asyncio.wait_for`` on
    Python 3.11 drops it) and the reader followed on for ever."""
    loop = asyncio.get_running_loop()
    for turns in range(5):
        box: dict[str, asyncio.Task[None]] = {}

        def sink(event: Event, turns: int = turns, box: dict[str, asyncio.Task[None]] = box) -> None:
            if isinstance(event, StatusEvent) and "armed" not in box:
                box["armed"] = box["task"]
                cancel_after(loop, turns, box["task"])

        box["task"] = asyncio.create_task(RedisFeedReader(redis_server.url, sink).run())
        done, _ = await asyncio.wait({box["task"]}, timeout=5)
        if not done:
            await cancel_and_wait([box["task"]], grace_s=0.05)
        assert done, f"reader cancelled {turns} loop turns after its status did not stop"


def cancel_after(loop: asyncio.AbstractEventLoop, turns: int, task: asyncio.Task[None]) -> None:
    if turns == 0:
        task.cancel()
    else:
        loop.call_soon(cancel_after, loop, turns - 1, task)
