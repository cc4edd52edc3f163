"""The history store as a sink: data and statuses are kept; a collector also publishes every
event to the store's feed log (and a heartbeat) for the dashboards that follow it.

The store's own health is reported as the ``store`` status (through ``report``, the engine's
``note``): failing with the reason and how many events wait while writes fail, ok again once
they commit, and what was done at open when a corrupt file was moved aside."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import StoreConfig
from crashtui.events import DataEvent, Event, ServingEvent, StatusEvent
from crashtui.model import EtfFlow

if TYPE_CHECKING:
    from crashtui.store.sqlite import Store, StoreHealth

HEALTH_EVERY_S = 0.5  # how often the store's health is looked at
FAILING_REFRESH_S = 5.0  # how often a failing status is refreshed (its "events waiting" count)


def _trading_days_only(event: DataEvent) -> DataEvent:
    """The ETF rows the store keeps: trading days. Its table has no period column, so a week's
    or a month's aggregate read back would pass for a day; aggregates live in the state only."""
    items = tuple(i for i in event.items if not isinstance(i, EtfFlow) or i.period == "day")
    if len(items) == len(event.items):
        return event
    return DataEvent(event.source, event.kind, items, event.received_ms)


class StoreSink:
    """Writes applied events to the SQLite store at ``path`` (opened at the first event or when
    the engine starts, so an engine built and never started leaves no writer thread behind)."""

    def __init__(
        self,
        path: Path,
        config: StoreConfig,
        *,
        publish: bool = False,
        clock: Clock = SYSTEM_CLOCK,
        report: Callable[[Event], None] | None = None,
    ) -> None:
        self.path = path
        self.config = config
        self.publish = publish
        self.clock = clock
        self.report = report
        self.store: Store | None = None
        self._closed = False
        self._serving: dict[str, str] = {}
        self._reported: tuple[str | None, str | None, int] | None = None
        self.final_health: StoreHealth | None = None  # after close: what could not be written
        self._reported_at = 0.0

    def _open(self) -> Store | None:
        if self.store is None and not self._closed:
            from crashtui.store.sqlite import Store

            self.store = Store(self.path, self.config)
        return self.store

    def __call__(self, event: Event) -> None:
        """Queue ``event`` for the writer thread (and the feed log when publishing)."""
        store = self._open()
        if store is None:
            return
        if isinstance(event, DataEvent) and event.kind == "etf":
            event = _trading_days_only(event)
            if not event.items:
                return
        if isinstance(event, DataEvent):
            store.submit_event(event)
        elif isinstance(event, StatusEvent):
            store.submit_status(event.status)
        if not self.publish:
            return
        from crashtui.sharedfeed.codec import encode_event

        text = encode_event(event)
        if text is not None:
            store.submit_log(self.clock.now_ms(), text)
        if isinstance(event, ServingEvent):
            from crashtui.sharedfeed.store_feed import SERVING_KEY

            if event.source is None:
                self._serving.pop(event.kind, None)
            else:
                self._serving[event.kind] = event.source
            store.submit_meta(SERVING_KEY, json.dumps(self._serving))

    async def run(self) -> None:
        """Open the store and watch its health; when publishing, beat a heartbeat so followers
        know the collector lives."""
        self._open()
        from crashtui.sharedfeed.store_feed import HEARTBEAT_EVERY_S, HEARTBEAT_KEY

        loop = asyncio.get_running_loop()
        next_beat = loop.time()
        while self.store is not None:
            if self.publish and loop.time() >= next_beat:
                self.store.submit_meta(HEARTBEAT_KEY, str(self.clock.now_ms()))
                next_beat = loop.time() + HEARTBEAT_EVERY_S
            self.check_health(loop.time())
            await asyncio.sleep(HEALTH_EVERY_S)

    def health(self) -> StoreHealth | None:
        """The store's health (after close: as it was closed; None before it is opened)."""
        return self.store.health() if self.store is not None else self.final_health

    def check_health(self, now_s: float) -> None:
        """Report the ``store`` status when its health changed (or, while failing, every few
        seconds so the count of waiting events is current). Nothing while it was always fine."""
        health = self.health()
        if health is None or self.report is None:
            return
        key = (health.error, health.notice, health.dropped)
        if key == self._reported and not (health.failing and now_s - self._reported_at >= FAILING_REFRESH_S):
            return
        if self._reported is None and not health.failing and health.notice is None:
            return
        from crashtui.store.sqlite import store_status

        self._reported, self._reported_at = key, now_s
        self.report(StatusEvent(store_status(health, self.clock.now_ms())))

    async def aclose(self) -> None:
        """Flush what is queued and close the store."""
        self._closed = True
        if self.store is not None:
            store, self.store = self.store, None
            await asyncio.to_thread(store.close)
            self.final_health = store.health()
