"""SQLite (WAL) history store with batched writes on a background thread.

Durability: each batch is one transaction; WAL with ``synchronous=NORMAL`` keeps
every committed batch through a process crash or ``kill -9`` (only a power loss can
drop the last commits), and SQLite never leaves a half-written file behind.
The event loop only ever appends to an in-memory queue.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from crashtui.config.schema import StoreConfig
from crashtui.events import DataEvent
from crashtui.model import LOCAL_SOURCES, ON_DEMAND_INTERVALS, STORE_SOURCE, SourceState, SourceStatus
from crashtui.paths import user_data_dir
from crashtui.state import CANDLE_CAP
from crashtui.store.codec import TABLES, Row, TableSpec, group_rows
from crashtui.textsafe import plain

SCHEMA_VERSION = 1
DAY_MS = 86_400_000
_STOP = object()
FEED_LOG_KEEP = 50_000  # rows of the shared-feed log kept for readers that fall behind
log = logging.getLogger(__name__)


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
    try:
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
    except BaseException:
        conn.close()
        raise
    return conn


# -- corruption: found at open (moved aside) or later (reported) ---------------------------

_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
_CORRUPT_WORDS = ("malformed", "not a database", "corrupt")
_checked: dict[Path, tuple[int, int, int]] = {}  # store → (inode, size, mtime) when last found sound
_notices: dict[Path, str] = {}  # store → the line said when it was moved aside (for its status)
_check_lock = threading.Lock()


def is_corruption(exc: BaseException) -> bool:
    """Whether ``exc`` says the database file itself is damaged (not locked, full or missing)."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = getattr(exc, "sqlite_errorcode", None)  # Python 3.11+
    if isinstance(code, int) and (code & 0xFF) in (_SQLITE_CORRUPT, _SQLITE_NOTADB):
        return True
    text = str(exc).lower()
    return any(word in text for word in _CORRUPT_WORDS)


def check_store(path: Path) -> str | None:
    """Why the store at ``path`` is corrupt (``PRAGMA quick_check``), or None when it is sound,
    missing, or cannot be judged (locked, unreadable: not a reason to move it)."""
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(str(path), timeout=10.0)
        try:
            rows = conn.execute("PRAGMA quick_check(3)").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc) if is_corruption(exc) else None
    problems = [str(r[0]) for r in rows if r and r[0] != "ok"]
    return "; ".join(problems)[:200] if problems else None


def quarantine(path: Path, reason: str, *, now: float | None = None) -> Path:
    """Move a corrupt store (and its -wal/-shm files) aside under a timestamped name; say so in
    one line on stderr; returns the new path. A fresh store is created by whoever opens next."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() if now is None else now))
    dest = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while dest.exists():
        n += 1
        dest = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    path.replace(dest)
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            side.replace(dest.with_name(dest.name + suffix))
    line = (
        f"history store {path} is corrupt ({plain(reason, 120)}); moved it to {dest} "
        "and started a fresh store"
    )
    _notices[path] = line
    print(f"crashtui: {line}", file=sys.stderr)
    log.info("%s", line)
    return dest


def prepare_store(path: Path) -> str | None:
    """Check the store before it is read or written (once per process while the file is
    unchanged); a corrupt one is moved aside. Returns the line said about it, or None."""
    with _check_lock:
        key = _file_key(path)
        if key is not None and _checked.get(path) != key:
            reason = check_store(path)
            if reason is None:
                _checked[path] = key
            else:
                try:
                    quarantine(path, reason)
                except OSError as exc:  # the writer reports it failing; nothing else stops
                    line = (
                        f"history store {path} is corrupt ({plain(reason, 120)}) and could not be "
                        f"moved aside: {exc.strerror or exc}"
                    )
                    print(f"crashtui: {line}", file=sys.stderr)
                    _checked[path] = key  # said once
        return _notices.get(path)


def _file_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


@dataclass(frozen=True, slots=True)
class StoreStats:
    """Counters for the sources screen and tests."""

    queued: int
    batches_committed: int
    rows_committed: int
    last_error: str | None


@dataclass(frozen=True, slots=True)
class StoreHealth:
    """What the writer is doing, for the ``store`` status and the progress lines.

    ``error`` is why writing fails now (None when the last attempt committed); ``waiting`` is
    how many items are queued or held for a retry; ``dropped`` how many were given up on (the
    retry buffer was full, or an item could not be encoded); ``notice`` what was done at open
    (a corrupt file moved aside).
    """

    error: str | None = None
    since_ms: int | None = None
    waiting: int = 0
    dropped: int = 0
    last_ok_ms: int | None = None
    notice: str | None = None

    @property
    def failing(self) -> bool:
        """Whether the last write attempt failed."""
        return self.error is not None


def store_status(health: StoreHealth, now_ms: int) -> SourceStatus:
    """The ``store`` status shown beside the sources: failing with the reason and what waits."""
    if health.error is not None:
        detail = f"{health.error}; {health.waiting:,} events waiting"
        if health.dropped:
            detail += f", {health.dropped:,} dropped"
        return SourceStatus(
            STORE_SOURCE,
            SourceState.FAILING,
            now_ms,
            last_ok_ms=health.last_ok_ms,
            last_error=plain(detail, 200),
            hint=_hint(health.error),
        )
    return SourceStatus(
        STORE_SOURCE, SourceState.OK, now_ms, last_ok_ms=health.last_ok_ms, hint=health.notice
    )


def _hint(error: str) -> str:
    if "corrupt" in error:
        return "history is not being saved; restart crashtui to move the file aside and start afresh"
    if "full" in error or "space" in error:
        return "free disk space: writing resumes by itself, nothing queued is lost meanwhile"
    return "writing is retried; check [store] path and its disk"


class Store:
    """The history store. ``submit`` never blocks; a thread commits in batches.

    The writer thread opens the file (checking it and moving a corrupt one aside first), so
    opening never blocks the event loop. A batch that fails to commit (disk full, I/O error,
    corruption found later) is kept and retried with backoff, up to ``max_waiting`` items
    (beyond that the oldest are dropped and counted); :meth:`health` says what is happening.
    """

    def __init__(
        self,
        path: Path,
        config: StoreConfig | None = None,
        *,
        batch_interval_s: float = 0.5,
        max_batch_rows: int = 5000,
        max_waiting: int = 200_000,
        retry_s: tuple[float, float] = (1.0, 30.0),
        opener: Callable[[Path], sqlite3.Connection] = connect,
    ) -> None:
        self.path = path
        self.config = config or StoreConfig()
        self._batch_interval_s = batch_interval_s
        self._max_batch_rows = max_batch_rows
        self._max_waiting = max_waiting
        self._retry_s = retry_s
        self._opener = opener
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._conn: sqlite3.Connection | None = None
        self._opened = threading.Event()
        self._thread = threading.Thread(target=self._writer, name="crashtui-store", daemon=True)
        self._batches = 0
        self._rows = 0
        self._last_error: str | None = None
        self._health = StoreHealth()
        self._held = 0  # items taken off the queue and not yet committed
        # First prune an hour after start, then hourly. (0.0 meant "at once if the machine has
        # been up an hour": time.monotonic() counts from boot, so it depended on uptime.)
        self._last_prune = time.monotonic()
        self._log_rows = 0
        self._closed = False
        self._thread.start()

    # -- writing -----------------------------------------------------------------------

    def submit(self, items: Iterable[object]) -> None:
        """Queue model objects for the next batch (ignored after close)."""
        self._put(list(items))

    def submit_event(self, event: DataEvent) -> None:
        """Queue the items of a data event."""
        self.submit(event.items)

    def submit_status(self, status: SourceStatus) -> None:
        """Queue a source status (kept so an offline start can say how old data is)."""
        if status.source not in LOCAL_SOURCES:
            self._put(status)

    def submit_log(self, ts_ms: int, body: str) -> None:
        """Queue one shared-feed message (written in the same batch as the data)."""
        self._put(_LogEntry(ts_ms, body))

    def submit_meta(self, key: str, value: str) -> None:
        """Queue a ``meta`` key update (the collector's heartbeat)."""
        self._put(_Heartbeat(key, value))

    def _put(self, item: object) -> None:
        if self._closed:
            return
        if self._thread.is_alive():
            self._queue.put(item)
        else:  # the writer stopped (its health says why): count what it will never write
            self._set_health(dropped=self._health.dropped + (len(item) if isinstance(item, list) else 1))

    def flush(self, timeout_s: float = 10.0) -> None:
        """Block until everything submitted so far was tried once (committed, or kept for a
        retry: see :meth:`health`), for tests and shutdown."""
        done = threading.Event()
        self._queue.put(done)
        done.wait(timeout_s)

    def wait_open(self, timeout_s: float = 10.0) -> bool:
        """Block until the writer has opened (or failed to open) the file."""
        return self._opened.wait(timeout_s)

    def close(self) -> None:
        """Commit what is queued (one last attempt) and stop the writer thread."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout=30)
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()

    def stats(self) -> StoreStats:
        """Current counters."""
        return StoreStats(self._queue.qsize(), self._batches, self._rows, self._last_error)

    def health(self) -> StoreHealth:
        """What the writer is doing now (thread-safe: a frozen snapshot)."""
        return replace(self._health, waiting=self._held + self._queue.qsize())

    def _set_health(self, **changes: object) -> None:
        self._health = replace(self._health, **changes)  # type: ignore[arg-type]

    def _open(self) -> str | None:
        """Check, move aside if corrupt, open; the reason when it failed."""
        try:
            notice = prepare_store(self.path)
            self._conn = self._opener(self.path)
        except (sqlite3.Error, OSError) as exc:
            if is_corruption(exc):
                # Not caught by the check (e.g. the header itself): move aside, start afresh.
                try:
                    quarantine(self.path, str(exc))
                    notice = _notices.get(self.path)
                    self._conn = self._opener(self.path)
                except (sqlite3.Error, OSError) as again:
                    why = getattr(again, "strerror", None) or again
                    return plain(f"store corrupt: {exc} (could not move it aside: {why})", 200)
            else:
                return _reason("store open failed", exc)
        self._set_health(notice=notice)
        return None

    def _writer(self) -> None:
        try:
            self._write_loop()
        except BaseException as exc:  # never die silently: the status says the writer stopped
            self._last_error = _reason("store writer stopped", exc)
            self._set_health(error=self._last_error, since_ms=_wall_ms())
            log.info("%s", self._last_error)
        finally:
            self._opened.set()

    def _write_loop(self) -> None:
        pending: list[object] = []
        waiters: list[threading.Event] = []
        stop = False
        failures = 0
        retry_at = 0.0
        open_error = self._open()
        self._opened.set()
        if open_error is not None:
            self._fail(open_error, 0)
            failures = 1
            retry_at = time.monotonic() + self._retry_s[0]
        while True:
            wait_until = time.monotonic() + self._batch_interval_s
            if failures:
                wait_until = max(wait_until, retry_at)
            while True:
                timeout = wait_until - time.monotonic()
                try:
                    item = self._queue.get(timeout=timeout) if timeout > 0 else self._queue.get_nowait()
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
                self._held = len(pending)
                if (len(pending) >= self._max_batch_rows and not failures) or len(
                    pending
                ) > self._max_waiting:
                    break
            if len(pending) > self._max_waiting:
                excess = len(pending) - self._max_waiting
                del pending[:excess]
                self._set_health(dropped=self._health.dropped + excess)
                self._held = len(pending)
            due = not failures or stop or time.monotonic() >= retry_at
            if due and (pending or (failures and self._conn is None)):
                error = self._attempt(pending)
                if error is None:
                    pending = []
                    failures = 0
                    self._set_health(error=None, since_ms=None, last_ok_ms=_wall_ms())
                else:
                    failures += 1
                    self._fail(error, len(pending))
                    delay = min(self._retry_s[1], self._retry_s[0] * 2 ** min(failures - 1, 10))
                    retry_at = time.monotonic() + delay
                self._held = len(pending)
            if not failures:
                self._maybe_prune()
            for waiter in waiters:
                waiter.set()
            waiters = []
            if stop:
                if pending:
                    self._set_health(dropped=self._health.dropped + len(pending))
                    log.info("store closed with %d events unwritten: %s", len(pending), self._last_error)
                return

    def _fail(self, error: str, waiting: int) -> None:
        self._last_error = error
        if self._health.error is None:
            self._set_health(error=error, since_ms=_wall_ms())
        else:
            self._set_health(error=error)
        log.info("%s (%d events waiting)", error, waiting)

    def _attempt(self, items: list[object]) -> str | None:
        """Open if needed and commit ``items``; the reason when it failed (items kept), except
        items that cannot be encoded at all (a bug): those are dropped and counted."""
        if self._conn is None:
            error = self._open()
            if error is not None:
                return error
        if not items:
            return None
        try:
            self._commit(items)
        except (sqlite3.Error, OSError) as exc:
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            if is_corruption(exc):
                return _reason("store corrupt", exc)
            return _reason("store write failed", exc)
        except Exception as exc:  # an item the codec cannot write: retrying would never succeed
            if self._conn is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            self._set_health(dropped=self._health.dropped + len(items))
            error = _reason("store write failed", exc)
            self._last_error = error
            items.clear()
            return error
        return None

    def _commit(self, items: Sequence[object]) -> None:
        conn = self._conn
        assert conn is not None
        statuses = [i for i in items if isinstance(i, SourceStatus)]
        feed = [(i.ts_ms, i.body) for i in items if isinstance(i, _LogEntry)]
        meta = [(i.key, i.value) for i in items if isinstance(i, _Heartbeat)]
        grouped = group_rows(items)
        conn.execute("BEGIN IMMEDIATE")
        for spec, rows in grouped.items():
            conn.executemany(spec.upsert_sql(), rows)
        for status in statuses:
            conn.execute(
                "INSERT OR REPLACE INTO statuses VALUES (?, ?, ?)",
                (status.source, status.updated_ms, json.dumps(_status_dict(status))),
            )
        if feed:
            conn.executemany("INSERT INTO feed_log (ts_ms, body) VALUES (?, ?)", feed)
            self._log_rows += len(feed)
            if self._log_rows > FEED_LOG_KEEP // 10:
                self._log_rows = 0
                conn.execute(
                    "DELETE FROM feed_log WHERE seq <= (SELECT MAX(seq) FROM feed_log) - ?",
                    (FEED_LOG_KEEP,),
                )
        if meta:
            conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", meta)
        conn.execute("COMMIT")
        self._batches += 1
        self._rows += sum(len(r) for r in grouped.values()) + len(statuses) + len(feed)

    def _maybe_prune(self) -> None:
        now = time.monotonic()
        if now - self._last_prune < 3600 or self._conn is None:
            return
        self._last_prune = now
        try:
            self.prune(int(time.time() * 1000))
        except sqlite3.Error as exc:
            with contextlib.suppress(sqlite3.Error):
                self._conn.execute("ROLLBACK")
            if is_corruption(exc):
                self._fail(_reason("store corrupt", exc), self._held)
            else:
                self._last_error = f"store prune failed: {exc}"

    def prune(self, now_ms: int) -> None:
        """Delete rows older than the configured retention."""
        conn = self._conn
        if conn is None:
            return
        c = self.config
        cutoffs = {
            "liquidations": c.liquidations_days,
            "etf_flows": c.etf_days,
            "fear": c.fear_days,
            "macro": c.macro_days,
            "books": 2,
            "borrow": 90,
        }
        conn.execute("BEGIN IMMEDIATE")
        for table, days in cutoffs.items():
            spec = next(s for s in TABLES if s.name == table)
            conn.execute(f"DELETE FROM {table} WHERE {spec.time_column} < ?", (now_ms - days * DAY_MS,))
        conn.execute(
            "DELETE FROM candles WHERE interval = ? AND open_ms < ?",
            ("1d", now_ms - c.daily_candles_days * DAY_MS),
        )
        conn.execute(
            "DELETE FROM candles WHERE interval != ? AND open_ms < ?",
            ("1d", now_ms - c.intraday_candles_days * DAY_MS),
        )
        short = min(ON_DEMAND_CANDLE_DAYS, c.intraday_candles_days)
        marks = ",".join("?" for _ in ON_DEMAND_INTERVALS)
        conn.execute(
            f"DELETE FROM candles WHERE interval IN ({marks}) AND open_ms < ?",
            (*(str(i) for i in ON_DEMAND_INTERVALS), now_ms - short * DAY_MS),
        )
        conn.execute("COMMIT")


def _reason(what: str, exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return plain(f"{what}: {text}", 200)


def _wall_ms() -> int:
    return int(time.time() * 1000)


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
# 5m and 15m rows (a chart's on-demand candles) are kept two weeks: the chart shows a week.
ON_DEMAND_CANDLE_DAYS = 14
_CANDLE_LOAD_ROWS = dict(CANDLE_CAP)  # per symbol: what the state keeps, no more


def load_events(
    path: Path,
    symbols: Sequence[str],
    *,
    statuses_stale: bool = True,
    now_ms: int | None = None,
    repair: bool = False,
) -> tuple[list[DataEvent], list[SourceStatus]]:
    """Read the last known state from the store as data events plus stored statuses.

    The events carry the original sources and timestamps, so the UI can show each
    value's age. Statuses come back as ``stale`` (they describe a past session) unless
    ``statuses_stale`` is False (a reader following a running collector).

    ``now_ms`` (the reader's clock) keeps a store poisoned by an older version from steering
    the read: a row stamped in the future never sets how far back history is loaded, and the
    events are stamped as received now, so the gate judges every row against the real clock
    (and holds the future ones).

    With ``repair`` (the process that writes this store) the file is checked first and a
    corrupt one moved aside (:func:`prepare_store`): nothing is loaded from it, and the writer
    starts a fresh store. Readers that do not own the store never move it.
    """
    if repair:
        prepare_store(path)
    if not path.exists():
        return [], []
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return [], []
    try:
        events = _load_tables(conn, symbols, now_ms)
        statuses = _load_statuses(conn, statuses_stale)
    except sqlite3.Error as exc:
        conn.close()
        if repair and is_corruption(exc):
            with _check_lock, contextlib.suppress(OSError):
                quarantine(path, str(exc))
                _checked.pop(path, None)
        return [], []
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
