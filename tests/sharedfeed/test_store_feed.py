"""One collector, many panes on one machine: the SQLite feed log, readers, the lock."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import MappingProxyType

import httpx
import pytest

from crashtui.assemble import EngineOptions, build_engine
from crashtui.config.schema import Config, NetConfig, SourceConfig
from crashtui.engine import Engine
from crashtui.events import DataEvent, ServingEvent, StatusEvent
from crashtui.model import (
    Candle,
    EtfFlow,
    FundFlow,
    Interval,
    Liquidation,
    Side,
    SourceState,
    SourceStatus,
    Ticker,
)
from crashtui.sharedfeed.codec import FeedDecodeError, decode_event, encode_event
from crashtui.sharedfeed.lock import CollectorLock, collector_alive
from crashtui.sharedfeed.store_feed import StoreFeedReader
from crashtui.sinks.store import StoreSink
from crashtui.store.sqlite import Store
from tests.conftest import FixtureReader, freshen

T0 = 1_770_336_000_000
WATCHLIST = ("BTC", "ETH")


def test_codec_round_trip() -> None:
    items = (
        Ticker("BTC", 62000.5, -3.2, T0, "binance", 1e9),
        Candle("ETH", Interval.H1, T0, 1.0, 2.0, 0.5, 1.5, 10.0, "binance", closed=False),
        Liquidation("okx", "BTC", Side.LONG, 60000.0, 0.5, 30000.0, T0, "BTC-USDT-SWAP"),
        EtfFlow("BTC", T0, None, "farside", (FundFlow("IBIT", None),)),
    )
    data = DataEvent("binance", "prices", items, T0)
    status = StatusEvent(
        SourceStatus("farside", SourceState.BLOCKED, T0, last_error="Just a moment", serving=("etf",))
    )
    serving = ServingEvent("etf", None)
    for event in (data, status, serving):
        text = encode_event(event)
        assert text is not None
        assert decode_event(text) == event
    with pytest.raises(FeedDecodeError):
        decode_event('{"t":"data","rows":{"nope":[[1]]}}')


def test_the_radar_and_market_strip_items_reach_followers() -> None:
    """Items the store keeps no table for still travel the shared feed, field for field."""
    from crashtui.model import (
        FundingPoint,
        LongShortRatio,
        MarketGlobal,
        MarketMovers,
        OpenInterestPoint,
        PairMove,
        TakerVolume,
    )

    items = (
        OpenInterestPoint("binance_futures", "BTC", T0, 90_000.5, 5.6e9, 300_000),
        TakerVolume("binance_futures", "BTC", T0, 300_000, 120.5, 250.0),
        LongShortRatio("bybit", "ETH", T0, 300_000, 0.62, 0.38),
        FundingPoint("hyperliquid", "BTC", T0, -0.0001, 3_600_000),
        MarketGlobal("coingecko", T0, 2.2e12, None, -7.4, 58.1, None),
        MarketMovers("binance", T0, (PairMove("SOLUSDT", "SOL", 79.4, 3.1, 8e8),), (), 120, 5e6),
    )
    event = DataEvent("binance_futures", "open_interest_history", items, T0)
    text = encode_event(event)
    assert text is not None
    assert decode_event(text) == event
    with pytest.raises(FeedDecodeError):
        decode_event('{"t":"data","src":"x","kind":"k","at":1,"rows":{},"items":{"Evil":[{}]}}')
    with pytest.raises(FeedDecodeError):
        decode_event('{"t":"data","src":"x","kind":"k","at":1,"rows":{},"items":{"TakerVolume":[{"x":1}]}}')


def _forbidden_client(net: NetConfig) -> httpx.AsyncClient:
    raise AssertionError("a reader must never call a provider")


def _binance_only() -> Config:
    sources = {name: SourceConfig(enabled=False) for name in ("coinbase", "kraken", "coingecko")}
    return Config(sources=MappingProxyType({**Config().sources, **sources}))


def _collector(store: Path) -> Engine:
    return build_engine(
        _binance_only(), WATCHLIST, EngineOptions(store_path=store, publish=True, streams=False)
    )


def _reader(store: Path) -> tuple[Engine, StoreFeedReader]:
    engine = build_engine(
        _binance_only(),
        WATCHLIST,
        EngineOptions(store_path=store, feed="store"),
        client_factory=_forbidden_client,
    )
    return engine, StoreFeedReader(store, WATCHLIST, engine.sink)


def _events(n: int) -> list[DataEvent]:
    return [
        DataEvent(
            "binance", "prices", (Ticker("BTC", 60000.0 + i, -1.0, T0 + i * 1000, "binance"),), T0 + i * 1000
        )
        for i in range(n)
    ] + [
        DataEvent(
            "bybit_liq",
            "liquidations",
            (Liquidation("bybit", "ETH", Side.LONG, 1800.0, 1.0 + i, 1800.0 * (1 + i), T0 + i),),
            T0 + i,
        )
        for i in range(n)
    ]


def test_two_readers_show_the_collectors_snapshot(tmp_path: Path) -> None:
    store = tmp_path / "history.sqlite3"
    collector = _collector(store)
    (sink,) = collector.sinks
    assert isinstance(sink, StoreSink)
    sink.store = Store(store, batch_interval_s=0.01)
    for event in _events(5):
        collector.sink(event)
    collector.sink(StatusEvent(SourceStatus("binance", SourceState.OK, T0, last_ok_ms=T0)))
    collector.sink(ServingEvent("prices", "binance"))
    sink.store.flush()
    readers = [_reader(store) for _ in range(2)]
    for _, reader in readers:
        reader.catch_up()
    want = collector.state.snapshot()
    for engine, reader in readers:
        got = engine.state.snapshot()
        assert got.tickers == want.tickers
        assert got.liquidations == want.liquidations
        assert got.serving == want.serving
        assert got.statuses["binance"].state is SourceState.OK
        assert reader.seq > 0
    # later events reach every reader through the log
    for event in _events(8)[5:8]:
        collector.sink(event)
    sink.store.flush()
    for engine, reader in readers:
        assert reader.poll_once() == 3
        assert engine.state.tickers["BTC"].price == 60007.0
    sink.store.close()


async def test_collector_request_count_does_not_depend_on_readers(
    tmp_path: Path, fixture_bytes: FixtureReader
) -> None:
    """Run the real collector engine against a mock provider with 0 and then 2 readers."""
    requests: list[str] = []
    # the real MINI ticker rows, renamed to the watchlist's instruments
    rows = json.loads(fixture_bytes("binance_ticker_24hr_mini_multi.json"))
    for row, name in zip(rows, ("BTCUSDT", "ETHUSDT"), strict=True):
        row["symbol"] = name
    # the collector runs on the wall clock: its quotes must be of now, not of the docs' 2022
    ticker = freshen(json.dumps(rows).encode(), time.time_ns() // 1_000_000)

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request.url.path)
        if request.url.path == "/api/v3/ticker/24hr":
            return httpx.Response(200, content=ticker)
        return httpx.Response(503, text="down")

    def client(net: NetConfig) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(handler))

    async def run(readers: int) -> int:
        requests.clear()
        store = tmp_path / f"h{readers}.sqlite3"
        polling = MappingProxyType({**Config().polling, "prices": 0.25})
        config = Config(
            sources=_binance_only().sources,
            polling=polling,
            failover=MappingProxyType({"prices": ("binance",)}),
        )
        collector = build_engine(
            config,
            WATCHLIST,
            EngineOptions(store_path=store, publish=True, streams=False),
            client_factory=client,
        )
        collector.start()
        attached = [_reader(store) for _ in range(readers)]
        tasks = [asyncio.create_task(r.run()) for _, r in attached]
        await asyncio.sleep(1.1)
        count = len(requests)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await collector.stop()
        for engine, _ in attached:
            assert engine.state.statuses["collector"].state in (SourceState.OK, SourceState.STALE)
            assert engine.state.statuses["binance"].state is SourceState.OK
        return count

    alone = await run(0)
    shared = await run(2)
    assert alone > 0
    # readers add no requests: the count is set by the poll interval alone (±1 cycle of timing)
    assert abs(shared - alone) <= 1


HOLDER = r"""
import sys, time
from pathlib import Path
from crashtui.sharedfeed.lock import CollectorLock
lock = CollectorLock(Path(sys.argv[1]))
assert lock.acquire()
print("locked", flush=True)
time.sleep(60)
"""


def test_lock_is_single_instance_and_recovers_after_kill_9(tmp_path: Path) -> None:
    store = tmp_path / "history.sqlite3"
    assert not collector_alive(store)
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(store)], stdout=subprocess.PIPE, text=True
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "locked"
        assert collector_alive(store)
        second = CollectorLock(store)
        assert not second.acquire()
        assert second.owner_pid() == proc.pid
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    # the kernel dropped the dead collector's lock: the stale lock file is recovered
    deadline = time.monotonic() + 5
    while collector_alive(store) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not collector_alive(store)
    third = CollectorLock(store)
    assert third.acquire()
    assert third.owner_pid() == os.getpid()
    third.release()


def test_second_collect_command_refuses(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crashtui.cli import main

    config = tmp_path / "config.toml"
    store = tmp_path / "h.sqlite3"
    config.write_text(f'[store]\npath = "{store}"\n')
    lock = CollectorLock(store)
    assert lock.acquire()
    try:
        assert main(["collect", "--config", str(config)]) == 1
    finally:
        lock.release()
    assert "another collector" in capsys.readouterr().err


def test_reader_without_collector_reports_stale(tmp_path: Path) -> None:
    store = tmp_path / "h.sqlite3"
    from crashtui.store.sqlite import Store

    Store(store).close()
    engine, reader = _reader(store)
    reader.catch_up()
    status = engine.state.statuses["collector"]
    assert status.state is SourceState.STALE
    assert "crashtui collect" in (status.last_error or "")
