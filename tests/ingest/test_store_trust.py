"""The store and the gate: what the gate held never reaches the store, and a store poisoned by
an older version heals at start (its rows are gated again by today's rules, against the clock)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from crashtui.assemble import STORE, EngineOptions, build_engine
from crashtui.clock import FakeClock
from crashtui.config.schema import Config
from crashtui.engine import Engine, run_until
from crashtui.events import DataEvent, Event, HeldEvent
from crashtui.model import EtfFlow, Liquidation, Side
from crashtui.store.sqlite import Store, load_events

NOW = 1_770_400_000_000  # 2026-02-06 17:46 UTC
DAY = 86_400_000
FAR_FUTURE = 4_102_444_800_000  # 2100-01-01


def liq(ts_ms: int, usd: float = 1_000_000.0) -> Liquidation:
    return Liquidation("bybit", "BTC", Side.LONG, 65_000.0, usd / 65_000.0, usd, ts_ms, "BTCUSDT")


def poisoned_store(path: Path) -> None:
    """What an older version let through: a liquidation stamped in 2100 and an ETF day far
    ahead, beside good rows from an hour and a day ago."""
    store = Store(path, batch_interval_s=0.01)
    store.submit([liq(NOW - 3_600_000), liq(NOW - 20 * 3_600_000, 2_000_000.0), liq(FAR_FUTURE, 9e6)])
    today = NOW - NOW % DAY
    store.submit(
        [EtfFlow("BTC", today - DAY, -434.1, "farside"), EtfFlow("BTC", today + 30 * DAY, 9_999.0, "farside")]
    )
    store.close()


def tallies(engine: Engine) -> dict[str, float]:
    stats = engine.analysis().liquidations
    return {w.window: w.total.total_usd for w in stats.windows}


def held_reasons(engine: Engine) -> dict[str, int]:
    return {h.reason: h.count for counts in engine.state.snapshot().held.values() for h in counts}


def test_the_loader_is_not_steered_by_a_future_row(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    poisoned_store(path)
    # without a clock the 2100 row is "the newest": the three days before it hold nothing else
    old, _ = load_events(path, ["BTC"])
    assert [i for e in old if e.kind == "liquidations" for i in e.items] == [liq(FAR_FUTURE, 9e6)]
    events, _ = load_events(path, ["BTC"], now_ms=NOW)
    liqs = [i for e in events if e.kind == "liquidations" for i in e.items]
    assert len(liqs) == 3  # the good rows are back, the bad one is read (and gated) too
    assert all(e.received_ms == NOW for e in events)


def test_a_live_engine_heals_a_poisoned_store_at_start(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    poisoned_store(path)
    clean = tmp_path / "clean.sqlite3"
    store = Store(clean, batch_interval_s=0.01)
    store.submit([liq(NOW - 3_600_000), liq(NOW - 20 * 3_600_000, 2_000_000.0)])
    store.submit([EtfFlow("BTC", NOW - NOW % DAY - DAY, -434.1, "farside")])
    store.close()

    def started(store_path: Path) -> Engine:
        engine = build_engine(Config(), ("BTC",), EngineOptions(store_path=store_path), clock=FakeClock(NOW))
        engine.load_history()
        return engine

    healed, reference = started(path), started(clean)
    assert tallies(healed) == tallies(reference)
    assert tallies(healed)["24h"] == 3_000_000.0
    assert [f.day_ms for f in healed.state.snapshot().etf_flows["BTC"]] == [NOW - NOW % DAY - DAY]
    reasons = held_reasons(healed)
    assert any("years ahead" in r for r in reasons), reasons
    assert any("after the current US trading day" in r for r in reasons), reasons
    assert held_reasons(reference) == {}


async def test_an_engine_following_a_poisoned_store_heals(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    poisoned_store(path)
    engine = build_engine(
        Config(), ("BTC",), EngineOptions(store_path=path, feed=STORE), clock=FakeClock(NOW)
    )
    engine.start()
    try:
        assert await run_until(engine, lambda: bool(engine.state.snapshot().liquidations), 10.0)
        await asyncio.sleep(0)
    finally:
        await engine.stop()
    assert tallies(engine)["24h"] == 3_000_000.0
    assert FAR_FUTURE not in [x.ts_ms for x in engine.state.snapshot().liquidations]
    assert any("years ahead" in r for r in held_reasons(engine))


class _Recorder:
    """A sink beside the store: sees exactly what the store sink is handed."""

    def __init__(self) -> None:
        self.events: list[Event] = []

    def __call__(self, event: Event) -> None:
        self.events.append(event)

    async def run(self) -> None:
        """Nothing to run."""

    async def aclose(self) -> None:
        """Nothing to close."""


def test_the_store_never_receives_what_the_gate_held(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    engine = build_engine(Config(), ("BTC",), EngineOptions(store_path=path), clock=FakeClock(NOW))
    seen = _Recorder()
    engine.add_sink(seen)
    event = DataEvent("bybit_liq", "liquidations", (liq(NOW - 1000), liq(FAR_FUTURE), liq(NOW, 5e9)), NOW)
    engine.pipeline.event(event)
    asyncio.run(engine.stop())
    data = [i for e in seen.events if isinstance(e, DataEvent) for i in e.items]
    assert data == [liq(NOW - 1000)]
    assert sum(len(e.items) for e in seen.events if isinstance(e, HeldEvent)) == 2
    events, _ = load_events(path, ["BTC"], now_ms=NOW)  # what the store sink wrote
    assert [i for e in events if e.kind == "liquidations" for i in e.items] == [liq(NOW - 1000)]


def test_etf_aggregates_stay_out_of_the_store_and_the_shared_feed(tmp_path: Path) -> None:
    """The store's rows have no period: a month's total read back (or sent to a follower)
    would pass for a day. Trading days are kept and shared; aggregates stay in the state."""
    from crashtui.config.schema import StoreConfig
    from crashtui.sharedfeed.codec import decode_event, encode_event
    from crashtui.sinks.store import StoreSink

    day = EtfFlow("BTC", NOW - NOW % DAY - DAY, -434.1, "theblock")
    month = EtfFlow("BTC", NOW - NOW % DAY - 5 * DAY, -3_400.0, "theblock", (), "month")
    event = DataEvent("theblock", "etf", (day, month), NOW)
    shared = decode_event(encode_event(event) or "")
    assert isinstance(shared, DataEvent)
    assert shared.items == (day,)
    path = tmp_path / "history.sqlite3"
    sink = StoreSink(path, StoreConfig())
    sink(event)
    asyncio.run(sink.aclose())
    events, _ = load_events(path, ["BTC"], now_ms=NOW)
    assert [i for e in events if e.kind == "etf" for i in e.items] == [day]
