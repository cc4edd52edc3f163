"""Incremental liquidation tallies: rolling 1h/4h/24h/72h totals, largest orders, cascades.

Time is cut into 1-minute buckets held in a ring as long as the longest window (72 h = 4,320
slots), so memory is bounded whatever the event rate. Each window keeps running totals: adding
an event updates every window once, and each bucket leaves each window once as time moves on,
so the cost is O(1) amortised per event and per elapsed minute; nothing is rescanned.

Windows are minute-aligned: at time *t* the 1 h window holds the minute containing *t* and the
59 before it. The tally's clock is the newest event time or :meth:`LiquidationTally.advance`
time, whichever is later. Events a few seconds (or minutes) late land in their own minute and
count in every window that still holds that minute; events older than the longest window are
dropped and counted in ``dropped_late``. Feed history in time order (oldest first) when
backfilling. Amounts are summed as integer US cents, so totals never drift.
"""

from __future__ import annotations

import bisect
import heapq
import math
from collections import deque
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from crashtui.analysis.cascades import CascadeDetector, CascadeEvent
from crashtui.analysis.days import DAY_MS, MINUTE_MS
from crashtui.config.schema import CascadeParams
from crashtui.model import Liquidation, Side

DEFAULT_WINDOWS: tuple[tuple[str, int], ...] = (("1h", 60), ("4h", 240), ("24h", 1440), ("72h", 4320))
DAILY_DAYS = 31
DAY_MINUTES = 1440

_Key = tuple[str, str, Side]  # venue, symbol, liquidated side
_Ranked = tuple[int, int, Liquidation]  # cents, arrival sequence, the order


@dataclass(frozen=True, slots=True)
class SideSplit:
    """USD liquidated by side for one row (``ALL``, a venue or a symbol) of one window."""

    name: str
    long_usd: float
    short_usd: float
    total_usd: float
    count: int
    long_share: float | None


@dataclass(frozen=True, slots=True)
class WindowTally:
    """Totals over one rolling window ``[start_ms, end_ms)``.

    ``lower_bound`` is True when a venue in the window only publishes a sample of its
    liquidations (``sampled_venues``), so the real totals are higher.
    """

    window: str
    minutes: int
    start_ms: int
    end_ms: int
    total: SideSplit
    by_venue: tuple[SideSplit, ...]
    by_symbol: tuple[SideSplit, ...]
    largest: tuple[Liquidation, ...]
    venues: tuple[str, ...]
    sampled_venues: tuple[str, ...]
    lower_bound: bool


@dataclass(frozen=True, slots=True)
class DayTotal:
    """USD liquidated on one whole UTC day (for the gauge's 30-day median)."""

    day_ms: int
    total_usd: float


@dataclass(frozen=True, slots=True)
class LiquidationStats:
    """Everything the liquidation pane and the gauge need, as of ``as_of_ms``."""

    as_of_ms: int | None
    windows: tuple[WindowTally, ...]
    rate_usd: float
    rate_window_s: int
    baseline_rate_usd: float | None
    baseline_minutes: int
    cascade_threshold_usd: float
    cascade: CascadeEvent | None
    cascades: tuple[CascadeEvent, ...]
    daily_totals: tuple[DayTotal, ...]
    dropped_late: int
    rejected: int
    peak_24h_usd: float = 0.0
    peak_24h_end_ms: int | None = None

    def window(self, name: str) -> WindowTally | None:
        """The window called ``name`` (``1h``, ``4h``, ``24h``, ``72h``), if tallied."""
        return next((w for w in self.windows if w.window == name), None)


@dataclass(slots=True)
class _Bucket:
    minute: int
    cells: dict[_Key, list[int]] = field(default_factory=dict)
    top: list[_Ranked] = field(default_factory=list)  # min-heap, at most top_n


@dataclass(slots=True)
class _Window:
    name: str
    minutes: int
    expired_through: int  # every minute <= this has left the window
    cells: dict[_Key, list[int]] = field(default_factory=dict)
    long_cents: int = 0
    short_cents: int = 0
    top: list[_Ranked] = field(default_factory=list)  # sorted largest first, valid unless dirty
    top_seqs: set[int] = field(default_factory=set)
    top_dirty: bool = False
    # Minutes of the buckets in the window, oldest first: the ones to remove as it moves on.
    pending: deque[int] = field(default_factory=deque)
    totals_only: bool = False  # only the side totals are read (the rate window): no cells, no top

    def schedule(self, minute: int) -> None:
        """A bucket for ``minute`` (inside the window) was just made: remove it in its turn."""
        pending = self.pending
        if not pending or pending[-1] < minute:
            pending.append(minute)
        else:  # a late order's new bucket, older than the newest
            bisect.insort(pending, minute)

    def add(self, key: _Key, cents: int, ranked: _Ranked, top_n: int) -> None:
        """Count one order; ``ranked`` must be the newest order yet, so that it outranks every
        order of the same amount (ranks compare as ``(cents, sequence)``)."""
        if key[2] is Side.LONG:
            self.long_cents += cents
        else:
            self.short_cents += cents
        if self.totals_only:
            return
        cell = self.cells.get(key)
        if cell is None:
            self.cells[key] = [cents, 1]
        else:
            cell[0] += cents
            cell[1] += 1
        if self.top_dirty:
            return
        top = self.top
        at = len(top)
        if at < top_n or cents >= top[-1][0]:
            while at > 0 and top[at - 1][0] <= cents:
                at -= 1
            top.insert(at, ranked)
            self.top_seqs.add(ranked[1])
            if len(top) > top_n:
                self.top_seqs.discard(top.pop()[1])

    def remove(self, bucket: _Bucket) -> None:
        cells = self.cells
        totals_only = self.totals_only
        long_cents = short_cents = 0
        for key, (cents, count) in bucket.cells.items():
            if key[2] is Side.LONG:
                long_cents += cents
            else:
                short_cents += cents
            if totals_only:
                continue
            cell = cells[key]
            if cell[1] == count:
                del cells[key]
            else:
                cell[0] -= cents
                cell[1] -= count
        self.long_cents -= long_cents
        self.short_cents -= short_cents
        if not self.top_dirty and not totals_only:
            seqs = self.top_seqs
            for ranked in bucket.top:
                if ranked[1] in seqs:
                    self.top_dirty = True
                    break

    def clear(self) -> None:
        self.cells.clear()
        self.long_cents = self.short_cents = 0
        self.top.clear()
        self.top_seqs.clear()
        self.top_dirty = False
        self.pending.clear()


class LiquidationTally:
    """Rolling liquidation totals fed one event at a time (see the module docstring).

    Use: ``tally.add(liq)`` for each new liquidation (already de-duplicated), ``tally.advance(now)``
    on a timer so quiet periods still expire, ``tally.stats(sampled_venues)`` to read.
    """

    def __init__(
        self,
        cascade: CascadeParams | None = None,
        *,
        windows: Iterable[tuple[str, int]] = DEFAULT_WINDOWS,
        top_n: int = 10,
        max_cascades: int = 50,
    ) -> None:
        self.params = cascade if cascade is not None else CascadeParams()
        self.top_n = top_n
        self._public = tuple(windows)
        self._rate_minutes = max(1, math.ceil(self.params.rate_window_s / 60))
        spans = [m for _, m in self._public] + [self._rate_minutes, DAY_MINUTES]
        self._ring_len = max(spans)
        self._ring: list[_Bucket | None] = [None] * self._ring_len
        self._windows = [_Window(name, minutes, 0) for name, minutes in self._public]
        self._rate = _Window("rate", self._rate_minutes, 0, totals_only=True)
        day = next((w for w in self._windows if w.minutes == DAY_MINUTES), None)
        self._day = day if day is not None else _Window("24h", DAY_MINUTES, 0, totals_only=True)
        self._all = [*self._windows, self._rate] + ([] if day is not None else [self._day])
        self._peaks: deque[tuple[int, int]] = deque()  # (minute, 24 h cents), decreasing cents
        self._session_best: tuple[int, int] = (0, 0)  # (minute, 24 h cents) since the tally began
        self._head: int | None = None
        self._clock_ms: int | None = None
        self._started_ms: int | None = None
        self._seq = 0
        self._daily: dict[int, int] = {}
        self.cascades = CascadeDetector(self.params, max_cascades)
        self.dropped_late = 0
        self.rejected = 0

    # -- feeding ----------------------------------------------------------------------------

    def add(self, liq: Liquidation) -> None:
        """Count one liquidation (non-finite or negative notionals are rejected and counted)."""
        notional = liq.notional_usd
        if not (notional >= 0.0 and math.isfinite(notional)):
            self.rejected += 1
            return
        ts_ms = liq.ts_ms
        minute = ts_ms // MINUTE_MS
        head = self._head
        if head is None or minute > head:
            self._advance_minute(minute, ts_ms)
            head = minute
        elif ts_ms > (self._clock_ms or 0):
            self._clock_ms = ts_ms
        if minute <= head - self._ring_len:
            self.dropped_late += 1
            return
        cents = round(notional * 100)
        slot = minute % self._ring_len
        bucket = self._ring[slot]
        if bucket is None or bucket.minute != minute:
            bucket = self._ring[slot] = _Bucket(minute)
            for w in self._all:
                if minute > w.expired_through:
                    w.schedule(minute)
        side = liq.liquidated_side
        key: _Key = (liq.venue, liq.symbol, side)
        cell = bucket.cells.get(key)
        if cell is None:
            bucket.cells[key] = [cents, 1]
        else:
            cell[0] += cents
            cell[1] += 1
        self._seq += 1
        ranked: _Ranked = (cents, self._seq, liq)
        top_n = self.top_n
        if len(bucket.top) < top_n:
            heapq.heappush(bucket.top, ranked)
        elif cents >= bucket.top[0][0]:  # the newest order outranks an older one of its amount
            heapq.heapreplace(bucket.top, ranked)
        if minute == head:  # the usual case: in every window
            for w in self._all:
                w.add(key, cents, ranked, top_n)
        else:
            for w in self._all:
                if minute > w.expired_through:
                    w.add(key, cents, ranked, top_n)
        day = ts_ms // DAY_MS
        daily = self._daily
        if day in daily:
            daily[day] += cents
        elif day >= head * MINUTE_MS // DAY_MS - DAILY_DAYS:
            daily[day] = cents
        r = self._rate
        long_cents, short_cents = r.long_cents, r.short_cents
        self.cascades.observe_event(
            ts_ms,
            side,
            cents,
            long_cents + short_cents,
            (head - r.minutes + 1) * MINUTE_MS,
            long_cents,
            short_cents,
        )

    def advance(self, now_ms: int) -> None:
        """Move the tally's clock to ``now_ms`` (never backwards) so old minutes expire."""
        self._advance_minute(now_ms // MINUTE_MS, now_ms)

    def _advance_minute(self, minute: int, ts_ms: int) -> None:
        if self._head is None:
            self._head = minute
            self._started_ms = ts_ms
            for w in self._all:
                w.expired_through = minute - w.minutes
        if self._clock_ms is None or ts_ms > self._clock_ms:
            self._clock_ms = ts_ms
        old = self._head
        if minute <= old:
            return
        self._feed_cascade_minutes(old, minute)
        self._sample_peak(old, minute)
        self._head = minute
        ring, ring_len = self._ring, self._ring_len
        for w in self._all:
            target = minute - w.minutes
            if target - w.expired_through >= w.minutes:
                w.clear()
            else:
                pending = w.pending
                while pending and pending[0] <= target:
                    m = pending.popleft()
                    bucket = ring[m % ring_len]
                    if bucket is not None and bucket.minute == m:
                        w.remove(bucket)
            w.expired_through = target
        if self._daily and old * MINUTE_MS // DAY_MS != minute * MINUTE_MS // DAY_MS:  # a new day
            oldest = minute * MINUTE_MS // DAY_MS - DAILY_DAYS
            for day in [d for d in self._daily if d < oldest]:
                del self._daily[day]

    def _sample_peak(self, old: int, new: int) -> None:
        """Remember the 24 h total as minute ``old`` ends; forget samples older than the ring.

        Between two events the 24 h total can only fall (minutes expire), so its value at each
        head-minute's end, plus the live value, covers every maximum.
        """
        cents = self._day.long_cents + self._day.short_cents
        if cents > self._session_best[1]:
            self._session_best = (old, cents)
        peaks = self._peaks
        while peaks and peaks[-1][1] <= cents:
            peaks.pop()
        peaks.append((old, cents))
        while peaks and peaks[0][0] <= new - self._ring_len:
            peaks.popleft()

    def session_peak_24h(self) -> tuple[float, int | None]:
        """The largest rolling 24 h total since the tally began (not limited to its memory).

        Returns (USD, end of that 24 h window in epoch ms), or (0.0, None) before any liquidation.
        """
        if self._head is None:
            return 0.0, None
        live = self._day.long_cents + self._day.short_cents
        best_minute, best = self._session_best
        if live >= best:
            best_minute, best = self._head, live
        if best == 0:
            return 0.0, None
        return best / 100.0, (best_minute + 1) * MINUTE_MS

    def peak_24h(self) -> tuple[float, int | None]:
        """The largest rolling 24 h total within the tally's memory (the longest window, ≥ 24 h).

        Returns (USD, end of that 24 h window in epoch ms), or (0.0, None) before any liquidation.
        """
        if self._head is None:
            return 0.0, None
        live = self._day.long_cents + self._day.short_cents
        best_minute, best = self._head, live
        if self._peaks and self._peaks[0][1] > live:
            best_minute, best = self._peaks[0]
        if best == 0:
            return 0.0, None
        return best / 100.0, (best_minute + 1) * MINUTE_MS

    def _feed_cascade_minutes(self, old: int, new: int) -> None:
        """Report the minutes ``old … new-1`` that just ended to the cascade detector.

        No event is newer than ``old``, so from ``old + rate_minutes`` on every rate is zero.
        The rate window still holds minute ``old``'s rate; each later minute's rate is the one
        before it minus the bucket that leaves the window (one bucket summed, not five).
        """
        busy_until = min(new, old + self._rate_minutes)
        rate = self._rate.long_cents + self._rate.short_cents
        for m in range(old, busy_until):
            if m > old:
                rate -= self._bucket_cents(m - self._rate_minutes)
            self.cascades.observe_minute(m, rate)
        self.cascades.observe_quiet_minutes(busy_until, new - busy_until)

    def _bucket_cents(self, minute: int) -> int:
        bucket = self._ring[minute % self._ring_len]
        if bucket is None or bucket.minute != minute:
            return 0
        return sum(cell[0] for cell in bucket.cells.values())

    # -- reading ----------------------------------------------------------------------------

    def stats(
        self,
        sampled_venues: Iterable[str] = (),
        now_ms: int | None = None,
        windows: Collection[str] | None = None,
    ) -> LiquidationStats:
        """Totals for every window (or only those named in ``windows``: a reader that needs
        one, such as an alert rule, need not pay for the rest); advances the clock to
        ``now_ms`` first when given.

        ``sampled_venues`` names venues whose feed is a sample (Binance sends at most one
        liquidation per symbol per second), which makes a window's totals a lower bound. Stream
        source names (``binance_liq``) are accepted too and mean their venue (``binance``).
        """
        if now_ms is not None:
            self.advance(now_ms)
        sampled = frozenset(v.removesuffix("_liq") for v in sampled_venues)
        tallies = tuple(
            self._window_tally(w, sampled) for w in self._windows if windows is None or w.name in windows
        )
        r = self._rate
        base = self.cascades.baseline_cents
        peak_usd, peak_end = self.peak_24h()
        return LiquidationStats(
            as_of_ms=self._clock_ms,
            windows=tallies,
            rate_usd=(r.long_cents + r.short_cents) / 100.0,
            rate_window_s=self.params.rate_window_s,
            baseline_rate_usd=None if base is None else base / 100.0,
            baseline_minutes=self.cascades.baseline_minutes,
            cascade_threshold_usd=self.cascades.threshold_cents / 100.0,
            cascade=self.cascades.current(),
            cascades=self.cascades.history(),
            daily_totals=self._day_totals(),
            dropped_late=self.dropped_late,
            rejected=self.rejected,
            peak_24h_usd=peak_usd,
            peak_24h_end_ms=peak_end,
        )

    def _window_tally(self, w: _Window, sampled: frozenset[str]) -> WindowTally:
        head = self._head if self._head is not None else 0
        venues: dict[str, list[int]] = {}
        symbols: dict[str, list[int]] = {}
        counts = 0
        for (venue, symbol, side), (cents, count) in w.cells.items():
            column = 0 if side is Side.LONG else 1
            for table, name in ((venues, venue), (symbols, symbol)):
                row = table.setdefault(name, [0, 0, 0])
                row[column] += cents
                row[2] += count
            counts += count
        if w.top_dirty:
            self._rebuild_top(w)
        venue_names = tuple(sorted(venues))
        in_sample = tuple(v for v in venue_names if v in sampled)
        return WindowTally(
            window=w.name,
            minutes=w.minutes,
            start_ms=(head - w.minutes + 1) * MINUTE_MS,
            end_ms=(head + 1) * MINUTE_MS,
            total=_split("ALL", w.long_cents, w.short_cents, counts),
            by_venue=_rows(venues),
            by_symbol=_rows(symbols),
            largest=tuple(r[2] for r in w.top),
            venues=venue_names,
            sampled_venues=in_sample,
            lower_bound=bool(in_sample),
        )

    def _rebuild_top(self, w: _Window) -> None:
        head = self._head if self._head is not None else 0
        candidates: list[_Ranked] = []
        for m in range(head - w.minutes + 1, head + 1):
            bucket = self._ring[m % self._ring_len]
            if bucket is not None and bucket.minute == m:
                candidates.extend(bucket.top)
        w.top = heapq.nlargest(self.top_n, candidates, key=lambda r: r[:2])
        w.top_seqs = {r[1] for r in w.top}
        w.top_dirty = False

    def _day_totals(self) -> tuple[DayTotal, ...]:
        """Whole UTC days since the tally started (zero days included), oldest first."""
        if self._head is None or self._started_ms is None:
            return ()
        first = -(-self._started_ms // DAY_MS)  # the first day that began after the start
        today = self._head * MINUTE_MS // DAY_MS
        first = max(first, today - DAILY_DAYS + 1)
        return tuple(DayTotal(d * DAY_MS, self._daily.get(d, 0) / 100.0) for d in range(first, today))


def _split(name: str, long_cents: int, short_cents: int, count: int) -> SideSplit:
    total = long_cents + short_cents
    return SideSplit(
        name=name,
        long_usd=long_cents / 100.0,
        short_usd=short_cents / 100.0,
        total_usd=total / 100.0,
        count=count,
        long_share=long_cents / total if total > 0 else None,
    )


def _rows(table: dict[str, list[int]]) -> tuple[SideSplit, ...]:
    rows = [_split(name, v[0], v[1], v[2]) for name, v in table.items()]
    return tuple(sorted(rows, key=lambda s: (-s.total_usd, s.name)))
