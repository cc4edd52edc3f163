"""SQLite store: round trip of every model type, retention, start-up load, kill -9 safety."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from crashtui.config.schema import StoreConfig
from crashtui.model import (
    BookStats,
    BorrowRate,
    Candle,
    EtfFlow,
    FearGreedReading,
    FundFlow,
    FundingSnapshot,
    Interval,
    Liquidation,
    MacroObservation,
    Side,
    SourceState,
    SourceStatus,
    Ticker,
)
from crashtui.state import CANDLE_CAP
from crashtui.store.sqlite import Store, load_events, prepare_store

NOW = 1_770_400_000_000  # 2026-02-06T17:46:40Z
DAY = 86_400_000


def sample_items() -> list[object]:
    return [
        Candle("ETH", Interval.H1, NOW - 3_600_000, 1830.0, 1840.0, 1750.0, 1771.2, 5400.5, "binance"),
        Candle("ETH", Interval.D1, NOW - DAY, 1900.0, 1950.0, 1800.0, 1821.68, 1e6, "binance", closed=False),
        Ticker("ETH", 1771.2, -11.2, NOW, "binance", 2.5e9),
        Liquidation("binance", "ETH", Side.LONG, 1769.0, 2318.0, 4_100_542.0, NOW - 1000, "ETHUSDT"),
        EtfFlow("BTC", NOW - 2 * DAY, -434.1, "farside", (FundFlow("IBIT", -300.5), FundFlow("MSBT", None))),
        EtfFlow("ETH", NOW - DAY, None, "farside"),
        FearGreedReading("crypto", NOW - DAY, 9.0, "Extreme Fear", "alternative_me"),
        FearGreedReading("stocks", NOW - DAY, 31.2, "fear", "cnn"),
        MacroObservation("ICSA", NOW - 7 * DAY, 231000.0, "fred"),
        FundingSnapshot(
            "binance_futures", "BTC", NOW, -0.0002, 61900.0, 61950.0, NOW + 3_600_000, 80000.0, 4.9e9
        ),
        BookStats("binance", "BTC", NOW, 61940.0, 2.4, 3.1e6, 2.2e6),
        BorrowRate("aave-v3", "Ethereum", "USDC", "aa70268e", NOW, 10.8, 7.9),
    ]


def test_round_trip_every_type(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = Store(path, batch_interval_s=0.01)
    items = sample_items()
    store.submit(items)
    store.submit_status(
        SourceStatus(
            "farside", SourceState.BLOCKED, NOW, last_ok_ms=NOW - DAY, last_error="Cloudflare challenge"
        )
    )
    store.close()
    events, statuses = load_events(path, ["ETH", "BTC"])
    loaded = [item for ev in events for item in ev.items]
    assert sorted(map(repr, loaded)) == sorted(map(repr, items))
    kinds = {ev.kind for ev in events}
    assert {"candles", "prices", "liquidations", "etf", "fear_crypto", "fear_stocks", "macro"} <= kinds
    assert {"funding", "depth", "borrow"} <= kinds
    (status,) = statuses
    assert status.source == "farside"
    assert status.state is SourceState.STALE  # a past session's status is never shown as live
    assert status.last_error == "Cloudflare challenge"
    assert status.last_ok_ms == NOW - DAY


def test_upsert_replaces_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = Store(path, batch_interval_s=0.01)
    forming = Candle("BTC", Interval.H1, NOW, 1.0, 2.0, 0.5, 1.5, 10.0, "binance", closed=False)
    store.submit([forming])
    store.submit([Candle("BTC", Interval.H1, NOW, 1.0, 2.5, 0.5, 2.2, 12.0, "binance")])
    store.close()
    events, _ = load_events(path, ["BTC"])
    (candle,) = [i for e in events for i in e.items]
    assert isinstance(candle, Candle)
    assert (candle.close, candle.closed) == (2.2, True)


def test_start_up_load_only_watchlist_candles(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = Store(path, batch_interval_s=0.01)
    store.submit(
        [
            Candle("BTC", Interval.H1, NOW, 1, 1, 1, 1, 1, "binance"),
            Candle("SOL", Interval.H1, NOW, 1, 1, 1, 1, 1, "binance"),
        ]
    )
    store.close()
    events, _ = load_events(path, ["BTC"])
    symbols = {i.symbol for e in events for i in e.items if isinstance(i, Candle)}
    assert symbols == {"BTC"}


def test_retention_prunes_old_rows(tmp_path: Path) -> None:
    path = tmp_path / "h.sqlite3"
    store = Store(path, StoreConfig(liquidations_days=30), batch_interval_s=0.01)
    old = Liquidation("okx", "BTC", Side.SHORT, 1.0, 1.0, 1.0, NOW - 31 * DAY)
    new = Liquidation("okx", "BTC", Side.SHORT, 1.0, 2.0, 2.0, NOW - 29 * DAY)
    store.submit([old, new])
    store.flush()
    store.prune(NOW)
    store.close()
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT qty FROM liquidations").fetchall()
    conn.close()
    assert rows == [(2.0,)]


def test_5m_and_15m_rows_save_load_and_keep_two_weeks(tmp_path: Path) -> None:
    """A chart's on-demand candles: stored like any candle, loaded back per interval up to the
    state's cap, pruned after two weeks while 1h rows of the same age stay."""
    path = tmp_path / "h.sqlite3"
    store = Store(path, batch_interval_s=0.01)
    five = [
        Candle("BTC", Interval.M5, NOW - i * Interval.M5.ms, 1.0, 2.0, 0.5, 1.5, 3.0, "binance")
        for i in range(CANDLE_CAP[Interval.M5] + 20)
    ]
    fifteen = Candle("BTC", Interval.M15, NOW, 1.0, 2.0, 0.5, 1.25, 3.0, "binance", closed=False)
    hour = Candle("BTC", Interval.H1, NOW, 1.0, 2.0, 0.5, 1.75, 3.0, "binance")
    store.submit([*five, fifteen, hour])
    store.close()
    events, _ = load_events(path, ["BTC"])
    loaded = [i for e in events for i in e.items if isinstance(i, Candle)]
    by_interval = {
        iv: [c for c in loaded if c.interval is iv] for iv in (Interval.M5, Interval.M15, Interval.H1)
    }
    # the newest 5m rows, as many as the state keeps, oldest first
    assert [c.open_ms for c in by_interval[Interval.M5]] == sorted(c.open_ms for c in five)[20:]
    assert by_interval[Interval.M15] == [fifteen]
    assert by_interval[Interval.H1] == [hour]

    old_five = Candle("BTC", Interval.M5, NOW - 15 * DAY, 1.0, 1.0, 1.0, 1.0, 1.0, "binance")
    old_fifteen = Candle("BTC", Interval.M15, NOW - 15 * DAY, 1.0, 1.0, 1.0, 1.0, 1.0, "binance")
    old_hour = Candle("BTC", Interval.H1, NOW - 15 * DAY, 1.0, 1.0, 1.0, 1.0, 1.0, "binance")
    recent_five = Candle("BTC", Interval.M5, NOW - 13 * DAY, 1.0, 1.0, 1.0, 1.0, 1.0, "binance")
    store = Store(path, batch_interval_s=0.01)
    store.submit([old_five, old_fifteen, old_hour, recent_five])
    store.flush()
    store.prune(NOW)
    store.close()
    conn = sqlite3.connect(path)
    old = conn.execute("SELECT interval FROM candles WHERE open_ms < ?", (NOW - 14 * DAY,)).fetchall()
    kept = conn.execute("SELECT COUNT(*) FROM candles WHERE open_ms = ?", (NOW - 13 * DAY,)).fetchone()
    conn.close()
    assert old == [("1h",)]
    assert kept == (1,)


def test_missing_store_loads_nothing(tmp_path: Path) -> None:
    assert load_events(tmp_path / "none.sqlite3", ["BTC"]) == ([], [])


WRITER = r"""
import sys, itertools
from pathlib import Path
from crashtui.model import Liquidation, Side
from crashtui.store.sqlite import Store
store = Store(Path(sys.argv[1]), batch_interval_s=0.002)
for batch in itertools.count():
    store.submit(
        [Liquidation("bybit", "BTC", Side.LONG, 60000.0, float(i), 60000.0 * i, batch) for i in range(1, 201)]
    )
    store.flush()
    print(batch, flush=True)
"""


@pytest.mark.slow
def test_kill_9_never_loses_committed_rows_or_corrupts(tmp_path: Path) -> None:
    path = tmp_path / "kill.sqlite3"
    rng = random.Random(7)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for _ in range(20):
        with subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env
        ) as proc:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # at least one batch committed before the kill
            assert first.strip().isdigit()
            time.sleep(rng.uniform(0.0, 0.15))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            committed = [int(line) for line in [first, *proc.stdout.read().splitlines()] if line.strip()]
        conn = sqlite3.connect(path)
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        present = dict(conn.execute("SELECT ts_ms, COUNT(*) FROM liquidations GROUP BY ts_ms").fetchall())
        conn.close()
        for batch in committed:
            assert present.get(batch) == 200, f"batch {batch} lost after kill -9"
    # The app starts again on the file killed 20 times: the check at open finds it sound (it is
    # not moved aside), and it opens, writes and loads as usual.
    assert prepare_store(path) is None
    assert not [p for p in tmp_path.iterdir() if ".corrupt-" in p.name]
    batches = max(present) + 1
    store = Store(path, batch_interval_s=0.01)
    store.submit([Liquidation("okx", "ETH", Side.SHORT, 1800.0, 1.0, 1800.0, batches)])
    store.close()
    events, _ = load_events(path, ["BTC", "ETH"])
    loaded = [i for e in events for i in e.items if isinstance(i, Liquidation)]
    assert len(loaded) == 200 * batches + 1
