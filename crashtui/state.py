"""The state reducer: applies feed events, hands out immutable snapshots.

One ``FeedState`` per app. Live, replay and store-loaded events go through the
same :meth:`FeedState.apply`, so every consumer sees the same numbers. Memory is
bounded: each collection keeps a fixed window.
"""

from __future__ import annotations

import bisect
import itertools
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import fields, replace
from operator import attrgetter
from types import MappingProxyType
from typing import Any, TypeVar

from crashtui.events import ClockEvent, DataEvent, Event, HeldEvent, ServingEvent, StatusEvent, held_reason
from crashtui.keymemory import KeyMemory
from crashtui.model import (
    BookStats,
    BorrowRate,
    Candle,
    EtfFlow,
    FearGreedReading,
    FundingPoint,
    FundingSnapshot,
    HeldCount,
    Interval,
    Liquidation,
    LongShortRatio,
    MacroObservation,
    MarketGlobal,
    MarketMovers,
    OpenInterestPoint,
    Snapshot,
    SourceStatus,
    TakerVolume,
    Ticker,
)

# How many candles to keep per (symbol, interval): a year of 1h for zones, 200+ days of 1d.
# 5m and 15m feed only the chart of the symbol on screen: a week of 5m (2016) and the 1000 rows
# one Binance request returns of 15m (~10 days), at most ~0.6 MB per symbol however long the
# chart stays open (the oldest drop as the refreshes add new ones).
CANDLE_CAP = {
    Interval.M5: 7 * 24 * 12,
    Interval.M15: 1000,
    Interval.H1: 9000,
    Interval.H4: 2400,
    Interval.D1: 800,
}
RECENT_LIQUIDATIONS = 2000
DEDUP_MEMORY = 100_000
BOOK_HISTORY = 2880  # 12 h at one reading per 15 s, kept in full
# Older readings thinned to one per 10 minutes for a week: the spread's trailing baseline.
BOOK_ARCHIVE_EVERY_MS = 600_000
BOOK_ARCHIVE = 7 * 24 * 6
BORROW_HISTORY = 2000
HELD_LIQUIDATIONS = 200  # quarantined orders kept for the drilldown
# Positioning points kept per (venue, symbol): 42 days of 5-minute points (venues serve 30).
POSITIONING_HISTORY = 12_096
FUNDING_HISTORY = 2_000


class FeedState:
    """Mutable aggregate of everything the feed has delivered, plus snapshotting.

    ``on_liquidation`` is called once per new (de-duplicated) liquidation, in order of
    arrival; the liquidation tally engine hangs off it.
    """

    def __init__(
        self,
        watchlist: Iterable[str],
        *,
        mode: str = "live",
        now_ms: Callable[[], int] | None = None,
        on_liquidation: Callable[[Liquidation], None] | None = None,
    ) -> None:
        self.watchlist = tuple(watchlist)
        self.mode = mode
        self._wall_now = now_ms
        self._replay_now: int | None = None
        self._on_liquidation = on_liquidation
        self.version = 0
        self.tickers: dict[str, Ticker] = {}
        self.candles: dict[tuple[str, Interval], dict[int, Candle]] = {}
        self._candle_cache: dict[tuple[str, Interval], tuple[Candle, ...]] = {}
        self.liquidations: deque[Liquidation] = deque(maxlen=RECENT_LIQUIDATIONS)
        self._seen_liqs = KeyMemory(DEDUP_MEMORY)
        self.etf: dict[str, dict[tuple[int, str], EtfFlow]] = {}
        self.fear: dict[str, dict[int, FearGreedReading]] = {}
        self.macro: dict[str, dict[int, MacroObservation]] = {}
        self.funding: dict[tuple[str, str], FundingSnapshot] = {}
        self.books: dict[str, deque[BookStats]] = {}
        self.book_archive: dict[str, deque[BookStats]] = {}
        self.borrow: dict[str, deque[BorrowRate]] = {}
        self.statuses: dict[str, SourceStatus] = {}
        self.serving: dict[str, str] = {}
        self.liquidations_total = 0
        self.held: dict[str, dict[str, HeldCount]] = {}
        self.open_interest_history: dict[tuple[str, str, str], dict[int, OpenInterestPoint]] = {}
        self.taker_volume: dict[tuple[str, str], dict[int, TakerVolume]] = {}
        self.long_short: dict[tuple[str, str], dict[int, LongShortRatio]] = {}
        self.funding_history: dict[tuple[str, str], dict[int, FundingPoint]] = {}
        self.quotes: dict[tuple[str, str], Ticker] = {}
        self.movers: MarketMovers | None = None
        # Sorted, frozen series per store and key, rebuilt only when that key changes: the
        # snapshot's tuples stay the same objects while nothing new arrives, so caches keyed on
        # them (the radar's parts) hit instead of recomputing on every read.
        self._views: dict[str, dict[object, tuple[Any, ...]]] = {}
        self.market: MarketGlobal | None = None
        self.held_liquidations: deque[Liquidation] = deque(maxlen=HELD_LIQUIDATIONS)

    # -- time ------------------------------------------------------------------------------

    def now_ms(self) -> int:
        """The feed's notion of now: the replay clock in replay, else wall time."""
        if self._replay_now is not None:
            return self._replay_now
        if self._wall_now is not None:
            return self._wall_now()
        import time

        return time.time_ns() // 1_000_000

    # -- reducer ---------------------------------------------------------------------------

    def apply(self, event: Event) -> None:
        """Fold one event into the state."""
        if isinstance(event, DataEvent):
            self._apply_data(event)
        elif isinstance(event, StatusEvent):
            self.statuses[event.status.source] = event.status
        elif isinstance(event, ServingEvent):
            if event.source is None:
                self.serving.pop(event.kind, None)
            else:
                self.serving[event.kind] = event.source
        elif isinstance(event, ClockEvent):
            self._replay_now = event.now_ms
        elif isinstance(event, HeldEvent):
            self._held(event)
        self.version += 1

    def apply_all(self, events: Iterable[Event]) -> None:
        """Apply events in order."""
        for event in events:
            self.apply(event)

    def _apply_data(self, event: DataEvent) -> None:
        if event.kind == "spot_reference":  # a reference quote: never the displayed price
            for item in event.items:
                if isinstance(item, Ticker):
                    self._quote(item)
            return
        for item in event.items:
            handler = _HANDLERS.get(type(item))
            if handler is not None:
                handler(self, item)

    def _held(self, event: HeldEvent) -> None:
        reasons = self.held.setdefault(event.source, {})
        reason = held_reason(reasons, event.reason)
        old = reasons.get(reason)
        count = (old.count if old else 0) + len(event.items)
        reasons[reason] = HeldCount(reason, count, max(event.at_ms, old.last_ms if old else 0))
        self.held_liquidations.extend(i for i in event.items if isinstance(i, Liquidation))

    def _movers(self, m: MarketMovers) -> None:
        if self.movers is None or m.ts_ms >= self.movers.ts_ms:
            self.movers = m

    def _market(self, m: MarketGlobal) -> None:
        if self.market is None or m.ts_ms >= self.market.ts_ms:
            self.market = m

    def _quote(self, t: Ticker) -> None:
        key = (t.source, t.symbol)
        old = self.quotes.get(key)
        if old is None or t.ts_ms >= old.ts_ms:
            self.quotes[key] = t

    def _ticker(self, t: Ticker) -> None:
        self._quote(t)
        old = self.tickers.get(t.symbol)
        if old is None or t.ts_ms >= old.ts_ms:
            self.tickers[t.symbol] = t

    def _candle(self, c: Candle) -> None:
        key = (c.symbol, c.interval)
        series = self.candles.setdefault(key, {})
        series[c.open_ms] = c
        cap = CANDLE_CAP[c.interval]
        if len(series) > cap:
            for open_ms in sorted(series)[: len(series) - cap]:
                del series[open_ms]
        self._candle_cache.pop(key, None)

    def _liquidation(self, liq: Liquidation) -> None:
        # Orders seen in the last DEDUP_MEMORY, as compact hashes (a venue re-sends recent
        # orders after a reconnect; the streams and the REST backfill may both deliver one).
        if not self._seen_liqs.add(liq.dedup_key):
            return
        self.liquidations.append(liq)
        self.liquidations_total += 1
        if self._on_liquidation is not None:
            self._on_liquidation(liq)

    def _etf(self, e: EtfFlow) -> None:
        days = self.etf.setdefault(e.asset, {})
        key = (e.day_ms, e.period)  # a month's aggregate never replaces the day it starts on
        old = days.get(key)
        # A published day is never overwritten by an unpublished placeholder.
        if old is not None and old.published and not e.published:
            return
        days[key] = e
        self._touch("etf", e.asset)

    def _fear(self, f: FearGreedReading) -> None:
        self.fear.setdefault(f.index, {})[f.ts_ms] = f
        self._touch("fear", f.index)

    def _macro(self, m: MacroObservation) -> None:
        self.macro.setdefault(m.series, {})[m.day_ms] = m
        self._touch("macro", m.series)

    def _funding(self, f: FundingSnapshot) -> None:
        key = (f.venue, f.symbol)
        old = self.funding.get(key)
        if old is None:
            self.funding[key] = f
            return
        # Funding and open interest arrive from different endpoints: merge non-empty fields.
        changes: dict[str, Any] = {
            fl.name: getattr(f, fl.name) for fl in fields(f) if getattr(f, fl.name) is not None
        }
        changes["ts_ms"] = max(old.ts_ms, f.ts_ms)
        self.funding[key] = replace(old, **changes)

    def _open_interest(self, p: OpenInterestPoint) -> None:
        key = (p.venue, p.symbol, p.scope)
        _keep(self.open_interest_history, key, p, POSITIONING_HISTORY)
        self._touch("open_interest_history", key)

    def _taker(self, t: TakerVolume) -> None:
        _keep(self.taker_volume, (t.venue, t.symbol), t, POSITIONING_HISTORY)
        self._touch("taker_volume", (t.venue, t.symbol))

    def _long_short(self, r: LongShortRatio) -> None:
        _keep(self.long_short, (r.venue, r.symbol), r, POSITIONING_HISTORY)
        self._touch("long_short", (r.venue, r.symbol))

    def _funding_point(self, f: FundingPoint) -> None:
        _keep(self.funding_history, (f.venue, f.symbol), f, FUNDING_HISTORY)
        self._touch("funding_history", (f.venue, f.symbol))

    def _touch(self, view: str, key: object) -> None:
        """Forget the frozen series of ``key`` in ``view`` (it just changed)."""
        cache = self._views.get(view)
        if cache is not None:
            cache.pop(key, None)

    def _view(self, view: str, store: Mapping[Any, Mapping[Any, Any]]) -> Mapping[Any, tuple[Any, ...]]:
        """Every series of ``store`` as a tuple sorted by time, reusing the unchanged ones."""
        cache = self._views.setdefault(view, {})
        out = {}
        for key, points in store.items():
            series = cache.get(key)
            if series is None:
                series = cache[key] = tuple(map(points.__getitem__, sorted(points)))
            out[key] = series
        return MappingProxyType(out)

    def _book(self, b: BookStats) -> None:
        history = self.books.setdefault(b.symbol, deque(maxlen=BOOK_HISTORY))
        if history and history[-1].ts_ms >= b.ts_ms:
            return
        history.append(b)
        archive = self.book_archive.setdefault(b.symbol, deque(maxlen=BOOK_ARCHIVE))
        if not archive or b.ts_ms - archive[-1].ts_ms >= BOOK_ARCHIVE_EVERY_MS:
            archive.append(b)

    def book_series(self, symbol: str) -> tuple[BookStats, ...]:
        """A symbol's order-book readings, oldest first: the thinned week, then the full 12 h."""
        recent = self.books.get(symbol, ())
        archive = self.book_archive.get(symbol, ())
        # the archive is in time order: the readings older than the full 12 h are a prefix
        older = len(archive) if not recent else bisect.bisect_left(archive, recent[0].ts_ms, key=_TS)
        return (*itertools.islice(archive, older), *recent)

    def _borrow(self, b: BorrowRate) -> None:
        history = self.borrow.setdefault(b.pool_id, deque(maxlen=BORROW_HISTORY))
        if history and history[-1].ts_ms >= b.ts_ms:
            return
        history.append(b)

    # -- snapshot --------------------------------------------------------------------------

    def candle_series(self, symbol: str, interval: Interval) -> tuple[Candle, ...]:
        """Candles for one symbol and interval, oldest first (cached until they change)."""
        key = (symbol, interval)
        cached = self._candle_cache.get(key)
        if cached is None:
            series = self.candles.get(key, {})
            cached = tuple(map(series.__getitem__, sorted(series)))
            self._candle_cache[key] = cached
        return cached

    def snapshot(self) -> Snapshot:
        """An immutable view of the current state."""
        return Snapshot(
            generated_ms=self.now_ms(),
            mode=self.mode,
            watchlist=self.watchlist,
            tickers=MappingProxyType(dict(self.tickers)),
            candles=MappingProxyType({key: self.candle_series(*key) for key in self.candles}),
            liquidations=tuple(self.liquidations),
            etf_flows=self._view("etf", self.etf),
            fear=self._view("fear", self.fear),
            macro=self._view("macro", self.macro),
            funding=MappingProxyType(dict(self.funding)),
            books=MappingProxyType({s: self.book_series(s) for s in self.books}),
            borrow=tuple(h[-1] for h in self.borrow.values() if h),
            statuses=MappingProxyType(dict(self.statuses)),
            serving=MappingProxyType(dict(self.serving)),
            held=MappingProxyType(
                {s: tuple(sorted(r.values(), key=lambda h: -h.count)) for s, r in self.held.items()}
            ),
            held_liquidations=tuple(self.held_liquidations),
            open_interest_history=self._view("open_interest_history", self.open_interest_history),
            taker_volume=self._view("taker_volume", self.taker_volume),
            long_short=self._view("long_short", self.long_short),
            funding_history=self._view("funding_history", self.funding_history),
            quotes=MappingProxyType(dict(self.quotes)),
            movers=self.movers,
            market=self.market,
        )


_TS = attrgetter("ts_ms")
_K = TypeVar("_K")
_T = TypeVar("_T", OpenInterestPoint, TakerVolume, LongShortRatio, FundingPoint)


def _keep(store: dict[_K, dict[int, _T]], key: _K, item: _T, cap: int) -> None:
    """Add ``item`` to its series by time (a re-sent point replaces the old one), oldest dropped
    beyond ``cap``."""
    series = store.setdefault(key, {})
    series[item.ts_ms] = item
    if len(series) > cap:
        for ts in sorted(series)[: len(series) - cap]:
            del series[ts]


_HANDLERS: dict[type, Callable[[FeedState, Any], None]] = {
    Ticker: FeedState._ticker,
    MarketMovers: FeedState._movers,
    MarketGlobal: FeedState._market,
    Candle: FeedState._candle,
    Liquidation: FeedState._liquidation,
    EtfFlow: FeedState._etf,
    FearGreedReading: FeedState._fear,
    MacroObservation: FeedState._macro,
    FundingSnapshot: FeedState._funding,
    BookStats: FeedState._book,
    OpenInterestPoint: FeedState._open_interest,
    TakerVolume: FeedState._taker,
    LongShortRatio: FeedState._long_short,
    FundingPoint: FeedState._funding_point,
    BorrowRate: FeedState._borrow,
}
