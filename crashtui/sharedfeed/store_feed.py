"""Read a collector's feed from its SQLite store: paint from history, then tail the log.

A reader never calls a provider. It polls the store's ``feed_log`` (a cheap indexed read)
about once a second, applies the collector's events — data, statuses and failover — to its
own state, and reports the collector itself as source ``collector`` (ok while its heartbeat
is fresh, stale when it stops, failing when the store cannot be read).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.events import Event, EventSink, ServingEvent, StatusEvent
from crashtui.model import SourceState, SourceStatus
from crashtui.sharedfeed.codec import FeedDecodeError, decode_event
from crashtui.store.sqlite import feed_log_bounds, load_events, read_feed_log, read_meta

SOURCE = "collector"
HEARTBEAT_KEY = "collector_heartbeat_ms"
SERVING_KEY = "collector_serving"
HEARTBEAT_EVERY_S = 5.0
STALE_AFTER_MS = 20_000


class StoreFeedReader:
    """Follows one store's shared-feed log into an event sink."""

    def __init__(
        self,
        path: Path,
        watchlist: Sequence[str],
        sink: EventSink,
        *,
        clock: Clock = SYSTEM_CLOCK,
        poll_s: float = 1.0,
        history_sink: EventSink | None = None,
    ) -> None:
        self.path = path
        self.watchlist = tuple(watchlist)
        self.sink = sink
        # Where the stored history goes (a pipeline's history path: gated as history, not re-sent).
        self.history_sink = history_sink if history_sink is not None else sink
        self.clock = clock
        self.poll_s = poll_s
        self.seq = 0
        self.messages = 0
        self.bad_messages = 0
        self._last_state: SourceState | None = None

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=5.0)

    def _read_history(self) -> tuple[list[Event], int]:
        """(history events, log seq to tail from); runs in a worker thread."""
        with contextlib.closing(self._connect()) as conn:
            _, last = feed_log_bounds(conn)  # read before history: later events replay, none lost
            serving = read_meta(conn, SERVING_KEY)
        events, statuses = load_events(
            self.path, self.watchlist, statuses_stale=False, now_ms=self.clock.now_ms()
        )
        history: list[Event] = [*events, *(StatusEvent(s) for s in statuses)]
        try:
            chosen = json.loads(serving) if serving else {}
        except ValueError:
            chosen = {}
        if isinstance(chosen, dict):
            history.extend(ServingEvent(str(k), str(v)) for k, v in chosen.items())
        return history, last

    def _read_new(self) -> tuple[list[Event] | None, int | None]:
        """(new events or None when the log moved past us, heartbeat); worker thread."""
        events: list[Event] = []
        with contextlib.closing(self._connect()) as conn:
            first, _ = feed_log_bounds(conn)
            if self.seq and first > self.seq + 1:
                return None, None
            while True:
                rows = read_feed_log(conn, self.seq)
                if not rows:
                    break
                for seq, body in rows:
                    self.seq = seq
                    try:
                        events.append(decode_event(body))
                    except FeedDecodeError:
                        self.bad_messages += 1
            heartbeat = read_meta(conn, HEARTBEAT_KEY)
        return events, int(heartbeat) if heartbeat and heartbeat.isdigit() else None

    def _apply(self, events: list[Event]) -> None:
        for event in events:
            self.sink(event)
        self.messages += len(events)

    def _paint(self, history: list[Event]) -> None:
        for event in history:
            self.history_sink(event)
        self.messages += len(history)

    def catch_up(self) -> None:
        """Apply the stored history, then every logged event after it (synchronous)."""
        history, self.seq = self._read_history()
        self._paint(history)
        self.poll_once()

    def poll_once(self) -> int:
        """Apply new log messages (synchronous); re-paints if the log moved past us."""
        events, heartbeat = self._read_new()
        if events is None:
            self.catch_up()
            return 0
        self._apply(events)
        self._report(heartbeat, None)
        return len(events)

    def _report(self, heartbeat_ms: int | None, error: str | None) -> None:
        now = self.clock.now_ms()
        if error is not None:
            state = SourceState.FAILING
        elif heartbeat_ms is None or now - heartbeat_ms > STALE_AFTER_MS:
            state = SourceState.STALE
            error = "no collector heartbeat: is `crashtui collect` still running?"
        else:
            state = SourceState.OK
        self.sink(
            StatusEvent(
                SourceStatus(
                    source=SOURCE,
                    state=state,
                    updated_ms=now,
                    last_ok_ms=heartbeat_ms,
                    last_error=error,
                    hint=None if state is SourceState.OK else "start it with: crashtui collect",
                    bad_frames=self.bad_messages,
                )
            )
        )
        self._last_state = state

    async def run(self) -> None:
        """Follow the log until cancelled; reads run in a thread, events apply on the loop.

        A store that cannot be read is a status, not a crash.
        """
        need_history = True
        while True:
            try:
                if need_history:
                    history, self.seq = await asyncio.to_thread(self._read_history)
                    self._paint(history)
                    need_history = False
                events, heartbeat = await asyncio.to_thread(self._read_new)
                if events is None:
                    need_history = True
                    continue
                self._apply(events)
                self._report(heartbeat, None)
            except sqlite3.Error as exc:
                self._report(None, f"cannot read {self.path}: {exc}")
            await self.clock.sleep(self.poll_s)
