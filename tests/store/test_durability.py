"""The store under damage: corrupt files moved aside at open, corruption found later and a full
disk reported as the ``store`` status, batches kept and retried, writing resumed."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from crashtui.config.schema import StoreConfig
from crashtui.events import DataEvent, Event, StatusEvent
from crashtui.model import Liquidation, Side, SourceState
from crashtui.sinks.store import StoreSink
from crashtui.store.sqlite import (
    Store,
    check_store,
    connect,
    load_events,
    prepare_store,
    store_status,
)

T0 = 1_770_400_000_000
FAST_RETRY = (0.02, 0.1)


def liqs(n: int, start: int = 0) -> list[Liquidation]:
    return [
        Liquidation("bybit", "BTC", Side.LONG, 60000.0, 1.0, 60000.0, T0 + start + i, f"o{start + i}")
        for i in range(n)
    ]


def stored_count(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM liquidations").fetchone()[0])
    finally:
        conn.close()


def aside(path: Path) -> list[Path]:
    return sorted(p for p in path.parent.iterdir() if ".corrupt-" in p.name and p.name.startswith(path.name))


def filled_store(path: Path, rows: int = 3000) -> None:
    store = Store(path, batch_interval_s=0.01)
    store.submit(liqs(rows))
    store.close()  # the last connection closing checkpoints the WAL into the main file
    assert not path.with_name(path.name + "-wal").exists()


# -- corrupt at open --------------------------------------------------------------------------


def test_garbage_file_is_moved_aside_named_and_a_fresh_store_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.sqlite3"
    garbage = b"this is not a database\x00" * 500
    path.write_bytes(garbage)
    store = Store(path, batch_interval_s=0.01)
    store.submit(liqs(5))
    store.flush()
    health = store.health()
    store.close()
    (moved,) = aside(path)
    assert moved.read_bytes() == garbage  # kept for forensics, byte for byte
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert str(path) in err[0]
    assert str(moved) in err[0]
    assert "corrupt" in err[0]
    assert stored_count(path) == 5  # the feed goes on into a fresh store
    assert health.error is None
    assert health.notice is not None
    assert str(moved) in health.notice
    status = store_status(health, T0)
    assert status.state is SourceState.OK
    assert status.hint == health.notice


def test_store_truncated_mid_page_is_found_at_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.sqlite3"
    filled_store(path)
    size = path.stat().st_size
    page = 4096
    assert size > 8 * page
    with path.open("r+b") as fh:
        fh.truncate(size - page - page // 2)  # cut in the middle of a page
    assert check_store(path) is not None
    events, statuses = load_events(path, ["BTC"], repair=True)  # what the live feed does at start
    assert events == []
    assert statuses == []
    (moved,) = aside(path)
    assert moved.stat().st_size == size - page - page // 2
    assert not path.exists()
    assert "corrupt" in capsys.readouterr().err
    store = Store(path, batch_interval_s=0.01)
    store.submit(liqs(3))
    store.close()
    assert stored_count(path) == 3
    assert len(aside(path)) == 1  # checked once, moved once


def test_a_sound_store_is_never_moved(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    filled_store(path, 50)
    assert check_store(path) is None
    assert prepare_store(path) is None
    events, _ = load_events(path, ["BTC"], repair=True)
    assert sum(len(e.items) for e in events) == 50
    assert aside(path) == []


def test_a_stale_wal_goes_aside_with_its_database(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"\x00garbage" * 600)
    path.with_name(path.name + "-wal").write_bytes(b"old wal")
    prepare_store(path)
    assert aside(path)
    assert not path.with_name(path.name + "-wal").exists()  # never replayed into the fresh store


# -- failing later: a wrapper that breaks the connection on demand ----------------------------


class Breakable:
    """A store connection whose statements fail with ``error`` while it is set."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.error: sqlite3.Error | None = None

    def execute(self, sql: str, *args: Any) -> Any:
        if self.error is not None and not sql.startswith("ROLLBACK"):
            raise self.error
        return self.conn.execute(sql, *args)

    def executemany(self, sql: str, rows: Any) -> Any:
        if self.error is not None:
            raise self.error
        return self.conn.executemany(sql, rows)

    def close(self) -> None:
        self.conn.close()


def breakable_store(path: Path, **kwargs: Any) -> tuple[Store, list[Breakable]]:
    made: list[Breakable] = []

    def opener(p: Path) -> Any:
        made.append(Breakable(connect(p)))
        return made[-1]

    store = Store(path, batch_interval_s=0.01, retry_s=FAST_RETRY, opener=opener, **kwargs)
    assert store.wait_open()
    return store, made


def test_corruption_found_while_writing_marks_the_store_failing(tmp_path: Path) -> None:
    store, (conn,) = breakable_store(tmp_path / "h.sqlite3")
    conn.error = sqlite3.DatabaseError("database disk image is malformed")
    store.submit(liqs(10))
    store.flush()
    health = store.health()
    assert health.failing
    assert health.error is not None
    assert health.error.startswith("store corrupt: database disk image is malformed")
    assert health.waiting == 10
    status = store_status(health, T0)
    assert status.source == "store"
    assert status.state is SourceState.FAILING
    assert "10 events waiting" in (status.last_error or "")
    assert "restart" in (status.hint or "")
    store.close()


def _wait(predicate: Callable[[], bool], store: Store, tries: int = 200) -> None:
    for _ in range(tries):
        store.flush(1.0)
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("condition never held")


def test_disk_full_keeps_batches_and_resumes_when_space_returns(tmp_path: Path) -> None:
    """A real SQLITE_FULL: the connection may not grow the file past its current pages."""
    path = tmp_path / "h.sqlite3"
    conns: list[sqlite3.Connection] = []

    def tight(p: Path) -> sqlite3.Connection:
        conn = connect(p)
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
        conn.execute(f"PRAGMA max_page_count = {pages + 3}")
        conns.append(conn)
        return conn

    store = Store(path, batch_interval_s=0.01, retry_s=FAST_RETRY, opener=tight)
    store.submit(liqs(20))
    store.flush()
    assert store.health().error is None
    assert stored_count(path) == 20
    store.submit(liqs(5000, start=1000))  # far more than 3 more pages
    store.flush()
    full = store.health()
    assert full.failing
    assert full.error == "store write failed: database or disk is full"
    assert full.waiting == 5000
    assert full.dropped == 0
    store.submit(liqs(10, start=9000))  # still accepted meanwhile, never blocks
    conns[0].execute("PRAGMA max_page_count = 1073741823")  # space returns
    _wait(lambda: not store.health().failing and store.health().waiting == 0, store)
    assert store.health().last_ok_ms is not None
    store.close()
    assert stored_count(path) == 20 + 5000 + 10  # nothing dropped


def test_the_retry_buffer_is_bounded_and_says_what_it_dropped(tmp_path: Path) -> None:
    store, (conn,) = breakable_store(tmp_path / "h.sqlite3", max_waiting=100)
    conn.error = sqlite3.OperationalError("database or disk is full")
    for i in range(3):
        store.submit(liqs(100, start=i * 100))
        store.flush()
    health = store.health()
    assert health.waiting == 100
    assert health.dropped == 200
    assert "200 dropped" in (store_status(health, T0).last_error or "")
    conn.error = None
    _wait(lambda: not store.health().failing, store)
    store.close()
    assert stored_count(tmp_path / "h.sqlite3") == 100  # the newest hundred


def test_an_unwritable_place_is_a_failing_status_not_a_crash(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    store = Store(blocker / "h.sqlite3", batch_interval_s=0.01, retry_s=FAST_RETRY)
    store.submit(liqs(3))
    store.flush()
    health = store.health()
    assert health.error is not None
    assert health.error.startswith("store open failed:")
    assert health.waiting == 3
    store.close()


# -- the sink reports the store's status to the engine ----------------------------------------


async def test_the_sink_reports_failing_then_ok(tmp_path: Path) -> None:
    reports: list[Event] = []
    sink = StoreSink(tmp_path / "h.sqlite3", StoreConfig(), report=reports.append)
    made: list[Breakable] = []

    def opener(p: Path) -> Any:
        made.append(Breakable(connect(p)))
        return made[-1]

    sink.store = Store(sink.path, batch_interval_s=0.01, retry_s=FAST_RETRY, opener=opener)
    task = asyncio.create_task(sink.run())
    try:
        sink(DataEvent("bybit", "liquidations", tuple(liqs(2)), T0))
        await asyncio.to_thread(sink.store.flush)
        sink.check_health(0.0)
        assert reports == []  # a healthy store shows no badge
        made[0].error = sqlite3.OperationalError("disk I/O error")
        sink(DataEvent("bybit", "liquidations", tuple(liqs(2, start=10)), T0))
        await asyncio.to_thread(sink.store.flush)
        sink.check_health(1.0)
        failing = reports[-1]
        assert isinstance(failing, StatusEvent)
        assert failing.status.state is SourceState.FAILING
        assert failing.status.last_error == "store write failed: disk I/O error; 2 events waiting"
        made[0].error = None
        for _ in range(200):
            await asyncio.sleep(0.02)
            await asyncio.to_thread(sink.store.flush)
            sink.check_health(2.0)
            last = reports[-1]
            if isinstance(last, StatusEvent) and last.status.state is SourceState.OK:
                break
        else:
            raise AssertionError("the store never reported ok again")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await sink.aclose()
    assert stored_count(tmp_path / "h.sqlite3") == 4


def test_collect_progress_says_writing_failed_with_what_waits(tmp_path: Path) -> None:
    from crashtui.assemble import EngineOptions, build_engine
    from crashtui.commands.collect import progress_line, store_failing
    from crashtui.config.parse import parse_config
    from crashtui.themes import theme_names
    from crashtui.ui.render.status import counts

    config = parse_config({}, "(test)", themes=tuple(theme_names()), env={})
    engine = build_engine(config, ("BTC",), EngineOptions(store_path=tmp_path / "h.sqlite3"))
    (sink,) = engine.sinks
    assert isinstance(sink, StoreSink)
    store, (conn,) = breakable_store(sink.path)
    sink.store = store
    assert progress_line(engine) == "0 sources ok"
    conn.error = sqlite3.OperationalError("database or disk is full")
    engine.sink(DataEvent("bybit", "liquidations", tuple(liqs(3)), T0))
    store.flush()
    assert store_failing(engine)
    assert progress_line(engine) == "writing failed: database or disk is full, 3 events waiting; 0 sources ok"
    sink.check_health(0.0)  # the status bar's badge: failing, and not counted as a source
    status = engine.state.statuses["store"]
    assert status.state is SourceState.FAILING
    assert counts(engine.state.statuses) == (0, 0, 0)
    store.close()


def test_a_writer_that_dies_says_so_and_stops_taking_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(self: Store) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(Store, "_write_loop", broken)
    store = Store(tmp_path / "h.sqlite3")
    store._thread.join(5)
    health = store.health()
    assert health.error == "store writer stopped: boom"
    store.submit(liqs(7))  # not piled up in memory behind a dead thread: counted
    assert store.health().dropped == 7
    assert store.health().waiting == 0
    assert store_status(store.health(), T0).state is SourceState.FAILING
    store.close()


def test_a_corrupt_store_that_cannot_be_moved_is_a_failing_status(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_bytes(b"garbage!" * 1000)

    def refuse(self: Path, target: Any) -> Path:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "replace", refuse)
    assert load_events(path, ["BTC"], repair=True) == ([], [])
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.endswith("could not be moved aside: Permission denied")
    store = Store(path, batch_interval_s=0.01, retry_s=FAST_RETRY)
    store.submit(liqs(1))
    store.flush()
    health = store.health()
    assert health.failing
    assert (
        health.error == "store corrupt: file is not a database (could not move it aside: Permission denied)"
    )
    store.close()


async def test_the_sink_keeps_the_health_it_closed_with(tmp_path: Path) -> None:
    sink = StoreSink(tmp_path / "h.sqlite3", StoreConfig())
    store, (conn,) = breakable_store(sink.path)
    sink.store = store
    conn.error = sqlite3.OperationalError("database or disk is full")
    sink(DataEvent("bybit", "liquidations", tuple(liqs(4)), T0))
    await sink.aclose()
    health = sink.health()
    assert health is not None
    assert health.dropped == 4  # the last attempt at close failed too: said, not silent
    assert health.error == "store write failed: database or disk is full"
