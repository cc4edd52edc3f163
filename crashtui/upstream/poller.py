"""Live REST polling: one loop per data kind, failover between sources, per-source status.

Each kind (prices, candles, depth, …) has one loop. A poll cycle walks the kind's
``[failover]`` chain from the top and asks the first source that is not backing off; if it
fails, the next one is asked in the same cycle. The next cycle is scheduled when the
current one ends (``Config.poll_interval_s(source, kind)`` later), so polls of a kind never
overlap and a slow source cannot starve the others (every kind has its own loop).

Fan-in kinds (``catalog.FAN_IN_KINDS``: funding, open interest and the other positioning data
the leverage radar compares across venues) run one loop per source instead: every enabled
source of the chain serves side by side, each with its own schedule and backoff.

While a lower source serves a kind, the loop also wakes when a higher one's backoff ends and
probes it; the first success hands the kind back. Every response goes to the optional
``RawSink`` (the recorder) as it arrives, error statuses included; every usable payload goes
to ``deliver``, the one ingest pipeline replay also runs, and its outcome decides whether
the source served the kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Iterable

import httpx

from crashtui.catalog import FAN_IN_KINDS
from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import Config
from crashtui.config.symbols import table_from_config
from crashtui.errors import (
    BlockedError,
    ParseError,
    PartialError,
    RateLimitedError,
    SourceError,
    UpstreamError,
)
from crashtui.events import Deliver, EventSink, RawSink, ServingEvent, StatusEvent
from crashtui.model import Interval, SourceState
from crashtui.net.fetcher import Fetcher
from crashtui.net.http import max_body_bytes
from crashtui.numfmt import fmt_duration
from crashtui.sources.registry import ON_DEMAND_CANDLES, POLLERS, REST_SOURCES
from crashtui.symbols import SymbolTable
from crashtui.textsafe import ERROR_LINE, plain
from crashtui.upstream.context import poll_context
from crashtui.upstream.health import Lane, SourceHealth, new_lane

MIN_SLEEP_S = 1.0
# Kinds where a successful poll must deliver something for the watchlist.
EXPECTS_DATA = frozenset({"prices", "candles", "depth", "funding", "open_interest"})
BACKFILL_AFTER_MS = 3_600_000  # a lane idle this long asks for full history again
ON_DEMAND_LANE = "candles on demand"  # the backoff lane of a chart's 5m/15m fetches
ON_DEMAND_RETRY_S = 60.0


class Poller:
    """Polls every enabled REST source the config's failover lists name, until cancelled.

    Payloads go to ``deliver`` (the pipeline); statuses and failover choices to ``sink``.
    """

    def __init__(
        self,
        config: Config,
        watchlist: tuple[str, ...],
        client: httpx.AsyncClient,
        deliver: Deliver,
        sink: EventSink,
        raw_sink: RawSink | None = None,
        *,
        clock: Clock = SYSTEM_CLOCK,
        table: SymbolTable | None = None,
        rng: random.Random | None = None,
        kinds: Iterable[str] | None = None,
    ) -> None:
        self.config = config
        self.watchlist = watchlist
        self.clock = clock
        self.table = table if table is not None else table_from_config(config)
        self.fetcher = Fetcher(client, clock, max_body_bytes=max_body_bytes(config.net), tap=raw_sink)
        self._deliver = deliver
        self._sink = sink
        self._rng = rng or random.Random()
        self.health = {name: SourceHealth(name, config.source(name).enabled) for name in REST_SOURCES}
        self._lanes: dict[tuple[str, str], Lane] = {}
        self.serving: dict[str, str | None] = {}
        wanted = set(kinds) if kinds is not None else None
        self.chains = {
            kind: tuple(s for s in chain if s in POLLERS and self.health[s].enabled)
            for kind, chain in config.failover.items()
            if (wanted is None or kind in wanted) and any(s in POLLERS for s in chain)
        }
        # One loop per failover kind; one per (kind, source) for a fan-in kind.
        self.loops: dict[str, tuple[str, tuple[str, ...]]] = {}
        for kind, chain in self.chains.items():
            if kind in FAN_IN_KINDS:
                self.loops.update({f"{kind}@{source}": (kind, (source,)) for source in chain})
            else:
                self.loops[kind] = (kind, chain)
        used = {s for chain in self.chains.values() for s in chain}
        for name, health in self.health.items():
            if health.enabled and name not in used:
                health.hint = "not polled: no [failover] list names it"
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    # -- running -----------------------------------------------------------------------

    async def run(self) -> None:
        """Poll until :meth:`stop` is called or the task is cancelled."""
        self._stopping = False
        for health in self.health.values():
            self._emit_status(health)
        self._tasks = [asyncio.create_task(self._run_kind(loop), name=f"poll:{loop}") for loop in self.loops]
        try:
            await asyncio.gather(*self._tasks)
        except asyncio.CancelledError:
            if not self._stopping:
                raise
        finally:
            for task in self._tasks:
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)
            self._tasks = []

    def stop(self) -> None:
        """Cancel every poll loop; :meth:`run` then returns."""
        self._stopping = True
        for task in self._tasks:
            task.cancel()

    async def _run_kind(self, loop: str) -> None:
        kind, chain = self.loops[loop]
        if not chain:
            self._set_serving(kind, None)
            return
        next_due_ms = self.clock.now_ms()
        while True:
            now = self.clock.now_ms()
            full_cycle = now >= next_due_ms
            serving = self.serving.get(loop)
            candidates = chain if full_cycle or serving is None else chain[: chain.index(serving)]
            winner = None
            for source in candidates:
                if self._available_at(source, kind) <= self.clock.now_ms() and await self.attempt(
                    source, kind
                ):
                    winner = source
                    break
            if winner is not None:
                next_due_ms = self.clock.now_ms() + round(self.config.poll_interval_s(winner, kind) * 1000)
                self.health[winner].next_attempt_ms = next_due_ms
                self._set_serving(kind, winner, loop)
            elif full_cycle:
                self._set_serving(kind, None, loop)
            serving = self.serving.get(loop)
            higher = chain if serving is None else chain[: chain.index(serving)]
            wake = min([self._available_at(s, kind) for s in higher], default=next_due_ms)
            if serving is not None:
                wake = min(wake, next_due_ms)
            await self.clock.sleep(max(MIN_SLEEP_S, (wake - self.clock.now_ms()) / 1000))

    # -- one attempt -------------------------------------------------------------------

    def _lane(self, source: str, kind: str) -> Lane:
        lane = self._lanes.get((source, kind))
        if lane is None:
            lane = self._lanes[(source, kind)] = new_lane(self._rng)
        return lane

    def _available_at(self, source: str, kind: str) -> int:
        """When ``source`` may next be asked for ``kind``: after any backoff or hold, and
        once its host budget has room (so a loop never sits in a budget wait while a
        fallback could serve)."""
        budget = self.fetcher.budget(source, self.config.base_url(source))
        room_ms = self.clock.now_ms() + round(budget.delay_s(1) * 1000)
        return max(self.health[source].available_at(self._lane(source, kind)), room_ms)

    async def attempt(self, source: str, kind: str) -> bool:
        """Poll ``kind`` from ``source`` once: emit its data and status; True on success."""
        health = self.health[source]
        lane = self._lane(source, kind)
        now = self.clock.now_ms()
        backfill = lane.last_ok_ms is None or now - lane.last_ok_ms > BACKFILL_AFTER_MS
        ctx = poll_context(
            self.config, source, self.watchlist, self.table, self.fetcher, now, backfill=backfill
        )
        delivered = 0
        note: PartialError | None = None
        try:
            try:
                async with contextlib.aclosing(POLLERS[source](kind, ctx)) as payloads:
                    async for raw in payloads:
                        outcome = self._deliver(raw)
                        if outcome.error is not None:
                            raise outcome.error
                        delivered += outcome.accepted
            except PartialError as exc:  # e.g. an unknown pair: the others were delivered
                if not delivered:
                    raise
                note = exc
            if not delivered and kind in EXPECTS_DATA:
                # An empty answer (e.g. none of the watchlist's coins listed) must not count as
                # serving the kind: failover asks the next source.
                raise UpstreamError(
                    f"{source} {kind}: answered, but with no data for {', '.join(self.watchlist)}"
                )
        except SourceError as exc:
            error: SourceError = exc
        except Exception as exc:  # a bug in a parser must not stop the feed
            error = ParseError(
                plain(f"{source} {kind}: internal error: {type(exc).__name__}: {exc}", ERROR_LINE)
            )
        else:
            health.latency_ms = self.fetcher.latency_ms.get(source, health.latency_ms)
            interval = self.config.poll_interval_s(source, kind)
            health.succeeded(
                lane, self.clock.now_ms(), self.clock.now_ms() + round(interval * 1000), note=note
            )
            self._emit_status(health)
            return True
        health.latency_ms = self.fetcher.latency_ms.get(source, health.latency_ms)
        health.failed(lane, error, self.clock.now_ms(), self.config.poll_interval_s(source, kind), self._rng)
        self._emit_status(health)
        return False

    # -- on demand ---------------------------------------------------------------------

    async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
        """Fetch ``symbol``'s ``interval`` candles once (a chart's 5m or 15m) through the same
        fetcher (budget, recorder) and pipeline (decode, gate, state) as every poll; ``backfill``
        asks for the full history, else the recent tail. Returns None when candles were
        admitted, else why not (one plain line).

        The first enabled source of the ``candles`` failover list that fetches on demand is
        asked, unless it is paused (blocked, rate limited): then this says so and sends nothing.
        A rate limit or block it answers pauses the source for the poll loops too; any other
        failure is the chart's alone and leaves the source's status as it was.
        """
        chain = self.chains.get("candles", ())
        source = next((s for s in chain if s in ON_DEMAND_CANDLES), None)
        if source is None:
            return "no enabled candle source fetches them (Binance is off or not in [failover] candles)"
        health = self.health[source]
        now = self.clock.now_ms()
        if health.hold_until_ms > now:
            return f"{source} is paused for {fmt_duration(health.hold_until_ms - now)} ({health.state})"
        ctx = poll_context(self.config, source, (symbol,), self.table, self.fetcher, now, backfill=backfill)
        request = ON_DEMAND_CANDLES[source](ctx, symbol, interval)
        if request is None:
            return f"{symbol} is not listed on {source}"
        try:
            raw = await self.fetcher(request)
            outcome = self._deliver(raw)
            if outcome.error is not None:
                raise outcome.error
        except SourceError as exc:
            if isinstance(exc, (RateLimitedError, BlockedError)):
                lane = self._lane(source, ON_DEMAND_LANE)
                health.failed(lane, exc, self.clock.now_ms(), ON_DEMAND_RETRY_S, self._rng)
                self._emit_status(health)
            return plain(str(exc), ERROR_LINE)
        if not outcome.accepted:
            return f"{source} answered with no {interval.value} candles for {symbol}"
        return None

    # -- events ------------------------------------------------------------------------

    def _set_serving(self, kind: str, source: str | None, loop: str | None = None) -> None:
        """Record who serves ``loop`` (a kind, or one source's share of a fan-in kind); a
        failover kind's change is announced (the state shows who serves each kind)."""
        loop = loop or kind
        old = self.serving.get(loop, "<unset>")
        if old == source:
            return
        self.serving[loop] = source
        if loop == kind:
            self._sink(ServingEvent(kind, source))
        if old in self.health:
            health = self.health[old]
            health.serving.discard(kind)
            if not health.serving and health.state is SourceState.OK:
                health.next_attempt_ms = None  # standby: polled again only if it must serve
            self._emit_status(health)
        if source is not None:
            self.health[source].serving.add(kind)
            self._emit_status(self.health[source])

    def _emit_status(self, health: SourceHealth) -> None:
        budget = (
            self.fetcher.budget(health.name, self.config.base_url(health.name)) if health.enabled else None
        )
        self._sink(StatusEvent(health.status(self.clock.now_ms(), budget)))
