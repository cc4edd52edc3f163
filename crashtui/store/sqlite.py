"""SQLite (WAL) history store with batched writes on a background thread.

Durability: each batch is one transaction; WAL with ``synchronous=NORMAL`` keeps
every committed batch through a process crash or ``kill -9`` (only a power loss can
drop the last commits), and SQLite never leaves a half-written file behind.
The event loop only ever appends to an in-memory queue.
"""

from __future__ import annotations

import contextlib
import json
import queue
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from crashtui.config.schema import StoreConfig
from crashtui.events import DataEvent
from crashtui.model import Interval, SourceState, SourceStatus
from crashtui.paths import user_data_dir
from crashtui.store.codec import TABLES, Row, TableSpec, group_rows

SCHEMA_VERSION = 1
DAY_MS = 86_400_000
_STOP = object()
FEED_LOG_KEEP = 50_000  # rows of the shared-feed log kept for readers that fall behind


@dataclass(frozen=True, slots=True)
class _LogEntry:
    ts_ms: int
    body: str


@dataclass(frozen=True, slots=True)
class _Heartbeat:
    key: str
    value: str


def default_store_path(config: StoreConfig) -> Path:
    """Where the history database lives (``[store] path`` or the user data dir)."""
    if config.path:
        return Path(config.path).expanduser()
    return user_data_dir() / "history.sqlite3"


def connect(path: Path) -> sqlite3.Connection:
    """Open a connection in WAL mode with the store's schema in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(str(path), timeout=10.0, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA busy_timeout=10000")
    conn.execute("BEGIN")
    for spec in TABLES:
        conn.execute(spec.ddl())
    conn.execute(
        "CREATE TABLE IF NOT EXISTS statuses "
        "(source TEXT PRIMARY KEY, updated_ms INTEGER, body TEXT) WITHOUT ROWID"
    )
    conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
    # The shared feed: a collector appends every event here; readers tail it by seq.
    conn.execute(
        "CREATE TABLE IF NOT EXISTS feed_log "
        "(seq INTEGER PRIMARY KEY AUTOINCREMENT, ts_ms INTEGER, body TEXT)"
    )
    conn.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
    conn.execute("COMMIT")
    return conn


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counters for the sources screen and tests."""

    queued: int
    batches_committed: int
    rows_committed: int
    last_error: str | None


class Store:
    """The history store. ``submit`` never blocks; a thread commits in batches."""

    def __init__(
        self,
        path: Path,
        config: StoreConfig | None = None,
        *,
        batch_interval_s: float = 0.5,
        max_batch_rows: int = 5000,
    ) -> None:
        self.path = path
        self.config = config or StoreConfig()
        self._batch_interval_s = batch_interval_s
        self._max_batch_rows = max_batch_rows
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._conn = connect(path)
        self._thread = threading.Thread(target=self._writer, name="crashtui-store", daemon=True)
        self._batches = 0
        self._rows = 0
        self._last_error: str | None = None
        # First prune an hour after start, then hourly. (0.0 meant "at once if the machine has
        # been up an hour": time.monotonic() counts from boot, so it depended on uptime.)
        self._last_prune = time.monotonic()
        self._log_rows = 0
        self._closed = False
        self._thread.start()

    # -- writing -----------------------------------------------------------------------

    def submit(self, items: Iterable[object]) -> None:
        """Queue model objects for the next batch (ignored after close)."""
        if not self._closed:
            self._queue.put(list(items))

    def submit_event(self, event: DataEvent) -> None:
        """Queue the items of a data event."""
        self.submit(event.items)

    def submit_status(self, status: SourceStatus) -> None:
        """Queue a source status (kept so an offline start can say how old data is)."""
        if not self._closed:
            self._queue.put(status)

    def submit_log(self, ts_ms: int, body: str) -> None:
        """Queue one shared-feed message (written in the same batch as the data)."""
        if not self._closed:
            self._queue.put(_LogEntry(ts_ms, body))

    def submit_meta(self, key: str, value: str) -> None:
        """Queue a ``meta`` key update (the collector's heartbeat)."""
        if not self._closed:
            self._queue.put(_Heartbeat(key, value))

    def flush(self, timeout_s: float = 10.0) -> None:
        """Block until everything submitted so far is committed (for tests and shutdown)."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout_s)

    def close(self) -> None:
        """Commit what is queued and stop the writer thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout=30)
        self._conn.close()

    def stats(self) -> StoreStats:
        """Current counters."""
        return StoreStats(self._queue.qsize(), self._batches, self._rows, self._last_error)

    def _writer(self) -> None:
        pending: list[object] = []
        waiters: list[threading.Event] = []
        stop = False
        while not stop:
            deadline = time.monotonic() + self._batch_interval_s
            while True:
                timeout = deadline - time.monotonic()
                try:
                    item = (
                        self._queue.get(timeout=max(0.0, timeout))
                        if timeout > 0
                        else self._queue.get_nowait()
                    )
                except queue.Empty:
                    break
                if item is _STOP:
                    stop = True
                    break
                if isinstance(item, threading.Event):
                    waiters.append(item)
                    break
                if isinstance(item, list):
                    pending.extend(item)
                else:
                    pending.append(item)
                if len(pending) >= self._max_batch_rows:
                    break
            if pending:
                self._commit(pending)
                pending = []
            self._maybe_prune()
            for waiter in waiters:
                waiter.set()
            waiters = []

    def _commit(self, items: Sequence[object]) -> None:
        statuses = [i for i in items if isinstance(i, SourceStatus)]
        log = [(i.ts_ms, i.body) for i in items if isinstance(i, _LogEntry)]
        meta = [(i.key, i.value) for i in items if isinstance(i, _Heartbeat)]
        grouped = group_rows(items)
        try:
            self._conn.execute("BEGIN IMMEDIATE")
            for spec, rows in grouped.items():
                self._conn.executemany(spec.upsert_sql(), rows)
            for status in statuses:
                self._conn.execute(
                    "INSERT OR REPLACE INTO statuses VALUES (?, ?, ?)",
                    (status.source, status.updated_ms, json.dumps(_status_dict(status))),
                )
            if log:
                self._conn.executemany("INSERT INTO feed_log (ts_ms, body) VALUES (?, ?)", log)
                self._log_rows += len(log)
                if self._log_rows > FEED_LOG_KEEP // 10:
                    self._log_rows = 0
                    self._conn.execute(
                        "DELETE FROM feed_log WHERE seq <= (SELECT MAX(seq) FROM feed_log) - ?",
                        (FEED_LOG_KEEP,),
                    )
            if meta:
                self._conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            self._last_error = f"store write failed: {exc}"
            return
        self._batches += 1
        self._rows += sum(len(r) for r in grouped.values()) + len(statuses) + len(log)

    def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < 3600:
            return
        self._last_prune = now
        try:
            self.prune(int(time.time() * 1000))
        except sqlite3.Error as exc:
            self._last_error = f"store prune failed: {exc}"

    def prune(self, now_ms: int) -> None:
        """Delete rows older than the configured retention."""
        c = self.config
        cutoffs = {
            "liquidations": c.liquidations_days,
            "etf_flows": c.etf_days,
            "fear": c.fear_days,
            "macro": c.macro_days,
            "books": 2,
            "borrow": 90,
        }
        self._conn.execute("BEGIN IMMEDIATE")
        for table, days in cutoffs.items():
            spec = next(s for s in TABLES if s.name == table)
            self._conn.execute(f"DELETE FROM {table} WHERE {spec.time_column} < ?", (now_ms - days * DAY_MS,))
        self._conn.execute(
            "DELETE FROM candles WHERE interval = ? AND open_ms < ?",
            ("1d", now_ms - c.daily_candles_days * DAY_MS),
        )
        self._conn.execute(
            "DELETE FROM candles WHERE interval != ? AND open_ms < ?",
            ("1d", now_ms - c.intraday_candles_days * DAY_MS),
        )
        self._conn.execute("COMMIT")


def _status_dict(status: SourceStatus) -> dict[str, object]:
    data = asdict(status)
    data["state"] = str(status.state)
    data["serving"] = list(status.serving)
    return data


# -- reading ---------------------------------------------------------------------------

# How much history to load per table at start-up, in days back from the newest row.
_LOAD_DAYS = {
    "liquidations": 3,
    "books": 1,
    "borrow": 30,
    "etf_flows": 3650,
    "fear": 400,
    "macro": 3650,
}
_CANDLE_LOAD_ROWS = {Interval.H1: 9000, Interval.H4: 2400, Interval.D1: 800}


def load_events(
    path: Path, symbols: Sequence[str], *, statuses_stale: bool = True, now_ms: int | None = None
) -> tuple[list[DataEvent], list[SourceStatus]]:
    """Read the last known state from the store as data events plus stored statuses.

    The events carry the original sources and timestamps, so the UI can show each
    value's age. Statuses come back as ``stale`` (they describe a past session) unless
    ``statuses_stale`` is False (a reader following a running collector).

    ``now_ms`` (the reader's clock) keeps a store poisoned by an older version from steering
    the read: a row stamped in the future never sets how far back history is loaded, and the
    events are stamped as received now, so the gate judges every row against the real clock
    (and holds the future ones).
    """
    if not path.exists():
        return [], []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    try:
        events = _load_tables(conn, symbols, now_ms)
        statuses = _load_statuses(conn, statuses_stale)
    except sqlite3.Error:
        return [], []
    finally:
        conn.close()
    return events, statuses


def _event(kind: str, items: list[object], received_ms: int) -> DataEvent:
    return DataEvent(source="store", kind=kind, items=tuple(items), received_ms=received_ms)


# A row stamped further than this after the reader's clock is not "the newest row".
_FUTURE_SKEW_MS = 5 * 60_000


def _load_tables(
    conn: sqlite3.Connection, symbols: Sequence[str], now_ms: int | None = None
) -> list[DataEvent]:
    events: list[DataEvent] = []
    latest = None if now_ms is None else now_ms + _FUTURE_SKEW_MS
    marks = ",".join("?" for _ in symbols)
    by_name = {s.name: s for s in TABLES}
    for spec in TABLES:
        cols = ", ".join(spec.columns)
        rows: list[Row]
        if spec.name == "candles":
            rows = []
            for interval, limit in _CANDLE_LOAD_ROWS.items():
                rows.extend(
                    reversed(
                        conn.execute(
                            f"SELECT {cols} FROM candles WHERE interval = ? AND symbol IN ({marks}) "
                            "ORDER BY open_ms DESC LIMIT ?",
                            (str(interval), *symbols, limit * max(1, len(symbols))),
                        ).fetchall()
                    )
                )
        elif spec.name in _LOAD_DAYS:
            if latest is None:
                newest = conn.execute(f"SELECT MAX({spec.time_column}) FROM {spec.name}").fetchone()[0]
            else:
                newest = conn.execute(
                    f"SELECT MAX({spec.time_column}) FROM {spec.name} WHERE {spec.time_column} <= ?",
                    (latest,),
                ).fetchone()[0]
            if newest is None:
                continue
            since = newest - _LOAD_DAYS[spec.name] * DAY_MS
            rows = conn.execute(
                f"SELECT {cols} FROM {spec.name} WHERE {spec.time_column} >= ? ORDER BY {spec.time_column}",
                (since,),
            ).fetchall()
        else:
            rows = conn.execute(f"SELECT {cols} FROM {spec.name}").fetchall()
        if not rows:
            continue
        items = [spec.from_row(r) for r in rows]
        newest_ms = max(r[spec.columns.index(spec.time_column)] for r in rows)
        if now_ms is not None:
            newest_ms = now_ms
        if spec is by_name["fear"]:
            for index in ("crypto", "stocks"):
                part = [i for i, r in zip(items, rows, strict=True) if r[0] == index]
                if part:
                    events.append(_event(f"fear_{index}", part, newest_ms))
        elif spec is by_name["funding"]:
            events.append(_event("funding", items, newest_ms))
        else:
            events.append(_event(spec.kind, items, newest_ms))
    return events


def _load_statuses(conn: sqlite3.Connection, as_stale: bool) -> list[SourceStatus]:
    out: list[SourceStatus] = []
    for (body,) in conn.execute("SELECT body FROM statuses").fetchall():
        try:
            data = json.loads(body)
            state = SourceState(data.get("state"))
            if as_stale and state is not SourceState.DISABLED:
                state = SourceState.STALE
            data["state"] = state
            data["serving"] = tuple(data.get("serving") or ())
            out.append(SourceStatus(**data))
        except (TypeError, ValueError):
            continue
    return out


def table_spec(name: str) -> TableSpec:
    """The spec of a table by name (tests and tools)."""
    return next(s for s in TABLES if s.name == name)


def read_feed_log(conn: sqlite3.Connection, after_seq: int, limit: int = 5000) -> list[tuple[int, str]]:
    """Shared-feed messages after ``after_seq``, oldest first."""
    rows = conn.execute(
        "SELECT seq, body FROM feed_log WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
    ).fetchall()
    return [(int(seq), str(body)) for seq, body in rows]


def feed_log_bounds(conn: sqlite3.Connection) -> tuple[int, int]:
    """(first, last) seq in the shared-feed log; (0, 0) when empty."""
    first, last = conn.execute("SELECT MIN(seq), MAX(seq) FROM feed_log").fetchone()
    return int(first or 0), int(last or 0)


def read_meta(conn: sqlite3.Connection, key: str) -> str | None:
    """A ``meta`` value (e.g. the collector heartbeat)."""
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])
