"""What the alert rules read: the engine's state and analysis, computed only when it can have changed.

Rules are evaluated often (every second in the dashboard, every replay minute in
``crashtui watch --replay --speed max``), so each input is cached on a cheap key:

* prices, source statuses and the liquidation count are read straight from the feed state;
* zones per symbol are recomputed (same :func:`~crashtui.analysis.market.analyse_symbol` as the
  dashboard, with the engine's pinned levels) when that symbol's intraday or daily candles change;
* liquidation stats when a liquidation arrived or the minute changed; cascades from the tally;
* ETF summaries and Fear & Greed when their newest item changes;
* the crash gauge at most every :data:`GAUGE_REFRESH_MS` of engine time (it moves slowly and
  costs about a millisecond).
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from crashtui.analysis.price import price_read
from crashtui.model import Interval

if TYPE_CHECKING:
    from crashtui.analysis.cascades import CascadeEvent
    from crashtui.analysis.etf import EtfSummary
    from crashtui.analysis.gauge import Gauge
    from crashtui.analysis.liquidations import LiquidationStats, LiquidationTally
    from crashtui.analysis.market import SymbolAnalysis
    from crashtui.analysis.radar import Radar
    from crashtui.config.schema import Config
    from crashtui.model import Candle, FearGreedReading, SourceStatus
    from crashtui.risk.evaluate import Portfolio
    from crashtui.risk.position import Position
    from crashtui.state import FeedState

GAUGE_REFRESH_MS = 5 * 60_000
INTRADAY = (Interval.H1, Interval.H4)


class AlertSource(Protocol):
    """What alerts need from the engine (:class:`crashtui.engine.Engine` is one)."""

    config: Config
    watchlist: tuple[str, ...]
    state: FeedState
    tally: LiquidationTally

    @property
    def mode(self) -> str:
        """``live`` or ``replay``."""
        ...

    @property
    def pinned_zones(self) -> Mapping[str, tuple[float, ...]]:
        """Pinned levels per symbol."""
        ...

    def now_ms(self) -> int:
        """Engine time: the replay clock in replay."""
        ...


@dataclass(frozen=True, slots=True)
class ZoneView:
    """Zones of one symbol as of the latest closed intraday candle.

    ``version`` grows with each recomputation; ``closed_through_ms`` is the close time of the
    latest closed intraday candle and ``last_close`` its close (None without closed candles).
    """

    analysis: SymbolAnalysis
    version: int
    closed_through_ms: int | None
    last_close: float | None
    interval: str | None


class MarketInputs:
    """Cached accessors over an :class:`AlertSource` (one per evaluator)."""

    def __init__(self, source: AlertSource) -> None:
        self.source = source
        self._zones: dict[str, tuple[object, ZoneView]] = {}
        self._zone_versions = 0
        self._liq: dict[str, tuple[object, LiquidationStats]] = {}
        self._etf: tuple[object, tuple[EtfSummary, ...]] | None = None
        self._fear: dict[str, tuple[object, FearGreedReading]] = {}
        self._gauge: tuple[int, int, Gauge] | None = None
        self.radar_memo: tuple[tuple[int, int], Radar] | None = None
        self._portfolio: tuple[tuple[int, int, tuple[Position, ...]], Portfolio] | None = None

    # -- cheap reads -------------------------------------------------------------------------

    @property
    def watchlist(self) -> tuple[str, ...]:
        """Watchlist symbols (the recording's in replay)."""
        return self.source.watchlist

    def now_ms(self) -> int:
        """Engine time."""
        return self.source.now_ms()

    def price(self, symbol: str) -> float | None:
        """The current price the price pane shows (a ticker up to 6 h old, else a newer candle
        close), or None when it is history: an alert never judges a stale price as now."""
        state = self.source.state
        read = price_read(
            state.tickers.get(symbol),
            self.intraday_candles(symbol),
            state.candle_series(symbol, Interval.D1),
            self.now_ms(),
        )
        return read.price if read is not None and not read.stale else None

    def statuses(self) -> Mapping[str, SourceStatus]:
        """Current source statuses."""
        return self.source.state.statuses

    def liquidation_count(self) -> int:
        """How many liquidations the feed has delivered (grows with each new one)."""
        return self.source.state.liquidations_total

    def intraday_candles(self, symbol: str) -> tuple[Candle, ...]:
        """1h candles of ``symbol`` (4h when there are no 1h ones), oldest first."""
        for interval in INTRADAY:
            if self.source.state.candles.get((symbol, interval)):
                return self.source.state.candle_series(symbol, interval)
        return ()

    def candle_range(self, symbol: str, since_ms: int) -> tuple[float, float] | None:
        """(highest high, lowest low) of the intraday candles that opened at or after ``since_ms``."""
        candles = self.intraday_candles(symbol)
        start = bisect.bisect_left(candles, since_ms, key=lambda c: c.open_ms)
        inside = candles[start:]
        if not inside:
            return None
        return max(c.high for c in inside), min(c.low for c in inside)

    # -- cached analysis ---------------------------------------------------------------------

    def zones(self, symbol: str) -> ZoneView | None:
        """Zones for ``symbol``, recomputed only when its candles (or pinned levels) changed."""
        state = self.source.state
        key = (id(state), _candle_key(state, symbol), tuple(self.source.pinned_zones.get(symbol, ())))
        cached = self._zones.get(symbol)
        if cached is not None and cached[0] == key:
            return cached[1]
        if key[1] is None:
            return None
        from crashtui.analysis.market import analyse_symbol

        analysis = analyse_symbol(
            state.snapshot(), symbol, self.source.config, self.source.pinned_zones.get(symbol, ())
        )
        if analysis.zones is None:
            return None
        self._zone_versions += 1
        closed, interval = _latest_closed(self.intraday_candles(symbol))
        view = ZoneView(
            analysis=analysis,
            version=self._zone_versions,
            closed_through_ms=None if closed is None or interval is None else closed.open_ms + interval.ms,
            last_close=None if closed is None else closed.close,
            interval=None if interval is None else interval.value,
        )
        self._zones[symbol] = (key, view)
        return view

    def liquidations(self, window: str) -> LiquidationStats:
        """Rolling liquidation tallies as of now with ``window`` (``1h`` ... ``72h``) tallied, the
        other windows left out: a rule reads one (advances the tally's clock, like the dashboard)."""
        from crashtui.analysis.market import tally_stats

        now = self.now_ms()
        key = (id(self.source.tally), self.liquidation_count(), now // 60_000)
        cached = self._liq.get(window)
        if cached is not None and cached[0] == key:
            return cached[1]
        stats = tally_stats(self.source.tally, self.source.state.statuses, now, windows=(window,))
        self._liq[window] = (key, stats)
        return stats

    def cascades(self) -> Sequence[CascadeEvent]:
        """The latest closed cascades and the open one (if any), oldest first."""
        detector = self.source.tally.cascades
        recent = list(detector.history()[-10:])
        current = detector.current()
        if current is not None:
            recent.append(current)
        return recent

    def etf(self) -> tuple[EtfSummary, ...]:
        """ETF summaries per asset, recomputed when any asset's newest row changes."""
        from crashtui.analysis.days import us_week_monday

        flows = self.source.state.etf
        now = self.source.state.now_ms()
        key = (
            us_week_monday(now),  # week to date follows the current US week
            *(
                (asset, id(days), len(days), id(days[next(reversed(days))]))
                for asset, days in flows.items()
                if days
            ),
        )
        if self._etf is not None and self._etf[0] == key:
            return self._etf[1]
        from crashtui.analysis.etf import summarise_etf

        summaries = tuple(
            summarise_etf(tuple(days[k] for k in sorted(days)), asset, now)
            for asset, days in flows.items()
            if days
        )
        self._etf = (key, summaries)
        return summaries

    def fear(self, index: str) -> FearGreedReading | None:
        """The newest Fear & Greed reading of ``index`` (``crypto`` or ``stocks``)."""
        readings = self.source.state.fear.get(index)
        if not readings:
            return None
        key = (id(readings), len(readings), id(readings[next(reversed(readings))]))
        cached = self._fear.get(index)
        if cached is not None and cached[0] == key:
            return cached[1]
        latest = readings[max(readings)]
        self._fear[index] = (key, latest)
        return latest

    def portfolio(self) -> Portfolio | None:
        """The configured positions against the market, once per feed minute (None without
        positions). Cheap: zones come from :meth:`zones` (recomputed when a candle closes) and
        no liquidation map is read, so the position rules check every minute, not every 5."""
        from crashtui.analysis.radar import portfolio_of

        # the engine's positions: the config's, or the dashboard's list once edited in the app
        positions: tuple[Position, ...] = getattr(self.source, "positions", self.source.config.positions)
        if not positions:
            return None
        key = (id(self.source.state), self.now_ms() // 60_000, positions)
        if self._portfolio is not None and self._portfolio[0] == key:
            return self._portfolio[1]
        result = portfolio_of(self.source.state.snapshot(), _ZonesOfInputs(self), {}, positions)
        self._portfolio = (key, result)
        return result

    def radar(self) -> Radar | None:
        """Leverage, the liquidation map, the recovery checklist and positions (see
        :func:`_radar_of`); None when the source has no radar."""
        return _radar_of(self)

    def gauge(self) -> Gauge:
        """The crash gauge, recomputed at most every :data:`GAUGE_REFRESH_MS` of engine time."""
        now = self.now_ms()
        state_id = id(self.source.state)
        if self._gauge is not None:
            sid, at, gauge = self._gauge
            if sid == state_id and 0 <= now - at < GAUGE_REFRESH_MS:
                return gauge
        from crashtui.analysis.gauge import crash_gauge
        from crashtui.analysis.market import gauge_inputs

        snapshot = self.source.state.snapshot()
        gauge = crash_gauge(
            gauge_inputs(snapshot, self.liquidations("24h"), self.etf()), self.source.config.analysis.gauge
        )
        self._gauge = (state_id, now, gauge)
        return gauge


RADAR_EVERY_MS = 5 * 60_000  # the radar rules read a fresh radar every 5 minutes of feed time


def _radar_of(inputs: MarketInputs) -> Radar | None:
    """The source's radar, read at most once per :data:`RADAR_EVERY_MS` of feed time (a radar
    costs tens of ms; the rules run every second live and every replay minute)."""
    read = getattr(inputs.source, "radar", None)
    if read is None:
        return None
    key = (id(inputs.source.state), inputs.now_ms() // RADAR_EVERY_MS)
    cached = inputs.radar_memo
    if cached is not None and cached[0] == key:
        return cached[1]
    result: Radar = read()
    inputs.radar_memo = (key, result)
    return result


class _ZonesOfInputs:
    """The radar's zone source over :meth:`MarketInputs.zones` (cached per closed candle)."""

    def __init__(self, inputs: MarketInputs) -> None:
        self._inputs = inputs

    def symbol(self, name: str) -> SymbolAnalysis | None:
        view = self._inputs.zones(name)
        return None if view is None else view.analysis


def _candle_key(state: FeedState, symbol: str) -> tuple[object, ...] | None:
    """Changes whenever a candle of ``symbol`` is added or closes (O(1): dicts keep insertion order)."""
    parts: list[object] = []
    for interval in (*INTRADAY, Interval.D1):
        series = state.candles.get((symbol, interval))
        if series:
            last = next(reversed(series))
            parts.append((interval, len(series), last, series[last].closed))
    return tuple(parts) if parts else None


def _latest_closed(candles: Sequence[Candle]) -> tuple[Candle | None, Interval | None]:
    for candle in reversed(candles):
        if candle.closed:
            return candle, candle.interval
    return None, None
