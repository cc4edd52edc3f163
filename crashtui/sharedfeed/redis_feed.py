"""Share one collector across a desk through Redis.

The collector appends every event to a capped Redis Stream and keeps the whole current
state under a snapshot key (refreshed every few seconds), with the stream id it covers, so
a late joiner paints at once and then tails the stream. Losing Redis is a status
(``collector`` failing: "redis unreachable …"), never a crash; both sides reconnect with
backoff, and a reader that fell behind the capped stream re-reads the snapshot.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import Any

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.events import DataEvent, Event, EventSink, ServingEvent, StatusEvent
from crashtui.model import Snapshot, SourceState, SourceStatus
from crashtui.net.backoff import Backoff
from crashtui.sharedfeed.codec import FeedDecodeError, decode_event, encode_event
from crashtui.textsafe import plain

SOURCE = "collector"
PREFIX = "crashtui"
STREAM_MAXLEN = 20_000
SNAPSHOT_EVERY_S = 5.0
HEARTBEAT_STALE_MS = 20_000
QUEUE_MAX = 50_000


def keys(prefix: str = PREFIX) -> tuple[str, str, str]:
    """(stream, snapshot, heartbeat) key names."""
    return f"{prefix}:events", f"{prefix}:snapshot", f"{prefix}:heartbeat"


def _redis_error_types() -> tuple[type[BaseException], ...]:
    import redis.exceptions

    return (redis.exceptions.RedisError, OSError)


CLOSE_TIMEOUT_S = 2.0
"""How long a reconnect or a stop waits for the old client to close (a dead socket must not
hold either up; an unfinished close goes on in the background)."""

_closing: set[asyncio.Task[None]] = set()  # closes given up on, kept referenced until they end


def stop_if_cancelled() -> None:
    """Raise ``CancelledError`` if this task was asked to stop and the request got lost.

    On Python 3.11 ``asyncio.wait_for`` drops a cancel that arrives just as the awaited work
    finishes (CPython gh-86296), and redis-py sends every command through it: the task then
    runs on as if never cancelled, and whoever awaits it waits forever. ``Task.cancelling()``
    still counts the request, so each loop turn honours it here. (Python 3.10 has no
    ``cancelling()``; there the caller's repeated cancel, :func:`crashtui.engine.cancel_and_wait`,
    is the remedy.)
    """
    cancelling: Callable[[], int] | None = getattr(asyncio.current_task(), "cancelling", None)
    if cancelling is not None and cancelling():
        raise asyncio.CancelledError


async def close_bounded(client: Any, timeout_s: float | None = None) -> bool:
    """Close ``client``, waiting at most ``timeout_s`` (default :data:`CLOSE_TIMEOUT_S`);
    whether it closed in time.

    Redis and socket errors of the close are ignored (the connection is being dropped anyway).
    A close still running at the deadline is cancelled and left to end in the background:
    it never holds up the caller, even one being cancelled (this is run from ``finally``).
    """
    errors = _redis_error_types()
    task: asyncio.Task[None] = asyncio.ensure_future(client.aclose())
    try:
        done, _ = await asyncio.wait({task}, timeout=CLOSE_TIMEOUT_S if timeout_s is None else timeout_s)
    finally:
        if not task.done():
            task.cancel()
            _closing.add(task)
            task.add_done_callback(_forget_close)
    if not done:
        return False
    exc = None if task.cancelled() else task.exception()
    if exc is not None and not isinstance(exc, errors):
        raise exc
    return True


def _forget_close(task: asyncio.Task[None]) -> None:
    _closing.discard(task)
    if not task.cancelled():
        task.exception()  # retrieved: an abandoned close's error is not worth a log line


def _connect(url: str) -> Any:
    import redis.asyncio as aioredis

    return aioredis.from_url(url, socket_timeout=10, socket_connect_timeout=5)


async def serve_reconnecting(
    url: str,
    clock: Clock,
    serve: Callable[[Any], Awaitable[None]],
    on_connected: Callable[[], None],
    on_error: Callable[[str], None],
    *,
    connect: Callable[[str], Any] = _connect,
) -> None:
    """Connect to ``url`` and run ``serve(client)``; on any Redis or socket error report it,
    back off (1 s doubling to 30 s, jittered) and connect again. Runs until cancelled.

    Stopping is bounded: a cancel the client library lost is honoured at the next turn of
    ``serve``'s loop or of this one (see :func:`stop_if_cancelled`), and the old client's close
    waits at most :data:`CLOSE_TIMEOUT_S`. ``connect`` makes a client (tests pass a fake).
    """
    backoff = Backoff(base_s=1.0, cap_s=30.0)
    errors = _redis_error_types()
    while True:
        stop_if_cancelled()
        client = connect(url)
        try:
            await client.ping()
            backoff.reset()
            on_connected()
            await serve(client)
        except errors as exc:
            stop_if_cancelled()
            on_error(f"redis unreachable: {plain(str(exc), 120)}")
            await clock.sleep(backoff.next_delay())
        finally:
            await close_bounded(client)


def state_events(snap: Snapshot, store_path: Path | None, watchlist: Sequence[str]) -> list[Event]:
    """A whole current state as events (what a late joiner needs): the store's history, then
    everything ``snap`` holds."""
    events: list[Event] = []
    if store_path is not None and store_path.exists():
        from crashtui.store.sqlite import load_events

        stored, _ = load_events(store_path, watchlist)
        events.extend(stored)
    now = snap.generated_ms
    items: list[object] = [*snap.tickers.values(), *snap.liquidations, *snap.funding.values(), *snap.borrow]
    for series in snap.candles.values():
        items.extend(series)
    for flows in snap.etf_flows.values():
        items.extend(flows)
    for readings in snap.fear.values():
        items.extend(readings)
    for obs in snap.macro.values():
        items.extend(obs)
    for books in snap.books.values():
        items.extend(books)
    events.append(DataEvent("collector", "snapshot", tuple(items), now))
    events.extend(StatusEvent(s) for s in snap.statuses.values())
    events.extend(ServingEvent(kind, src) for kind, src in snap.serving.items())
    return events


class RedisPublisher:
    """Collector side (a sink): stream every event and keep the snapshot key fresh.

    ``snapshot`` gives the whole current state as events; ``report`` takes the publisher's own
    ``collector`` status (shown locally, never published).
    """

    def __init__(
        self,
        url: str,
        snapshot: Callable[[], list[Event]],
        report: Callable[[Event], None],
        *,
        clock: Clock = SYSTEM_CLOCK,
        prefix: str = PREFIX,
        connect: Callable[[str], Any] = _connect,
    ) -> None:
        self.url = url
        self._connect = connect
        self._snapshot = snapshot
        self._report = report
        self.clock = clock
        self.stream, self.snapshot_key, self.heartbeat_key = keys(prefix)
        self._queue: deque[str] = deque(maxlen=QUEUE_MAX)
        self._wake = asyncio.Event()
        self.published = 0
        self.dropped = 0
        self.snapshots = 0
        self.connected = False

    def __call__(self, event: Event) -> None:
        """Queue one event (never blocks; the oldest are dropped if Redis is away too long)."""
        text = encode_event(event)
        if text is None or (isinstance(event, StatusEvent) and event.status.source == SOURCE):
            return
        if len(self._queue) == self._queue.maxlen:
            self.dropped += 1
        self._queue.append(text)
        self._wake.set()

    async def run(self) -> None:
        """Publish until cancelled, reconnecting with backoff."""

        def connected() -> None:
            self.connected = True
            self._status(SourceState.OK, None)

        def failed(reason: str) -> None:
            self.connected = False
            self._status(SourceState.FAILING, reason)

        await serve_reconnecting(self.url, self.clock, self._serve, connected, failed, connect=self._connect)

    async def _serve(self, client: Any) -> None:
        last_snapshot = -1e9
        loop = asyncio.get_running_loop()
        while True:
            stop_if_cancelled()
            if loop.time() - last_snapshot >= SNAPSHOT_EVERY_S:
                await self._write_snapshot(client)
                last_snapshot = loop.time()
            batch = [self._queue.popleft() for _ in range(min(len(self._queue), 500))]
            if batch:
                pipe = client.pipeline(transaction=False)
                for text in batch:
                    pipe.xadd(self.stream, {"e": text}, maxlen=STREAM_MAXLEN, approximate=True)
                await pipe.execute()
                self.published += len(batch)
                continue
            self._wake.clear()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=1.0)

    async def _write_snapshot(self, client: Any) -> None:
        info = await client.xinfo_stream(self.stream) if await client.exists(self.stream) else None
        last_id = info["last-generated-id"] if info else b"0-0"
        events = await asyncio.to_thread(self._snapshot)
        body = json.dumps(
            {
                "id": last_id.decode() if isinstance(last_id, bytes) else str(last_id),
                "at": self.clock.now_ms(),
                "events": [t for t in (encode_event(e) for e in events) if t is not None],
            },
            separators=(",", ":"),
        )
        pipe = client.pipeline(transaction=True)
        pipe.set(self.snapshot_key, body)
        pipe.set(self.heartbeat_key, str(self.clock.now_ms()))
        await pipe.execute()
        self.snapshots += 1

    def _status(self, state: SourceState, error: str | None) -> None:
        now = self.clock.now_ms()
        self._report(
            StatusEvent(
                SourceStatus(
                    SOURCE,
                    state,
                    now,
                    last_ok_ms=now if state is SourceState.OK else None,
                    last_error=error,
                    hint=None if error is None else "check [feed] redis_url and that redis-server runs",
                )
            )
        )

    async def aclose(self) -> None:
        """Nothing to flush: what Redis did not take is lost with the collector anyway."""


class RedisFeedReader:
    """Reader side: paint from the snapshot, then tail the stream."""

    def __init__(
        self,
        url: str,
        sink: EventSink,
        *,
        clock: Clock = SYSTEM_CLOCK,
        prefix: str = PREFIX,
        connect: Callable[[str], Any] = _connect,
    ) -> None:
        self.url = url
        self._connect = connect
        self.sink = sink
        self.clock = clock
        self.stream, self.snapshot_key, self.heartbeat_key = keys(prefix)
        self.last_id: str | None = None
        self.messages = 0
        self.bad_messages = 0

    async def run(self) -> None:
        """Follow the collector until cancelled, reconnecting with backoff."""
        await serve_reconnecting(
            self.url,
            self.clock,
            self._follow,
            lambda: None,
            lambda reason: self._status(SourceState.FAILING, reason, None),
            connect=self._connect,
        )

    async def _gap(self, client: Any) -> bool:
        """Whether events after ``last_id`` were trimmed from the stream (or never read)."""
        if self.last_id is None:
            return True
        first = await client.xrange(self.stream, count=1)
        if not first:
            return False
        first_id = first[0][0].decode()
        return _id_tuple(first_id) > _id_tuple(self.last_id) and self.last_id != "0-0"

    async def _load_snapshot(self, client: Any) -> None:
        raw = await client.get(self.snapshot_key)
        if raw is None:
            self.last_id = self.last_id or "0-0"
            return
        body = json.loads(raw)
        for text in body.get("events", []):
            self._apply_text(text)
        self.last_id = str(body.get("id") or "0-0")

    def _apply_text(self, text: str | bytes) -> None:
        try:
            self.sink(decode_event(text))
            self.messages += 1
        except FeedDecodeError:
            self.bad_messages += 1

    async def _follow(self, client: Any) -> None:
        if await self._gap(client):
            await self._load_snapshot(client)
        while True:
            stop_if_cancelled()
            heartbeat = await client.get(self.heartbeat_key)
            beat = int(heartbeat) if heartbeat and heartbeat.isdigit() else None
            stale = beat is None or self.clock.now_ms() - beat > HEARTBEAT_STALE_MS
            if stale:
                self._status(
                    SourceState.STALE, "no collector heartbeat: is `crashtui collect` running?", beat
                )
            else:
                self._status(SourceState.OK, None, beat)
            reply = await client.xread({self.stream: self.last_id or "0-0"}, count=1000, block=2000)
            for _stream, entries in reply or []:
                for entry_id, fields in entries:
                    self.last_id = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
                    text = fields.get(b"e") or fields.get("e")
                    if text is not None:
                        self._apply_text(text)

    def _status(self, state: SourceState, error: str | None, heartbeat_ms: int | None) -> None:
        self.sink(
            StatusEvent(
                SourceStatus(
                    SOURCE,
                    state,
                    self.clock.now_ms(),
                    last_ok_ms=heartbeat_ms,
                    last_error=error,
                    hint=None if error is None else "start a collector: crashtui collect --feed REDIS_URL",
                    bad_frames=self.bad_messages,
                )
            )
        )


def _id_tuple(entry_id: str) -> tuple[int, int]:
    ms, _, seq = entry_id.partition("-")
    return int(ms or 0), int(seq or 0)
