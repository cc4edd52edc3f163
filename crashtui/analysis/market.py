"""One call from a :class:`~crashtui.model.Snapshot` to every analysis result the panes show.

The snapshot builder, ``--once --json`` and alerts call :func:`analyse_snapshot`; each pane can
also call its part (:func:`analyse_symbol`, :func:`liquidation_stats`, :func:`etf_summaries`,
:func:`gauge_inputs`) on its own. Liquidation tallies are incremental and live outside the
snapshot: pass the running :class:`LiquidationTally` (fed from ``FeedState(on_liquidation=...)``);
without one, a tally is built from the snapshot's recent liquidations (fine for ``--once``).
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from crashtui.analysis import stress
from crashtui.analysis.days import us_week_monday
from crashtui.analysis.etf import EtfSummary, summarise_etf
from crashtui.analysis.gauge import Gauge, MissingInput, StressInput, crash_gauge
from crashtui.analysis.liquidations import LiquidationStats, LiquidationTally
from crashtui.analysis.price import current_price
from crashtui.analysis.zones import ZoneAnalysis, ZoneSummary, find_zones, summarise
from crashtui.config.schema import CascadeParams, Config
from crashtui.model import Candle, Interval, Liquidation, Snapshot, SourceStatus

GAUGE_SYMBOL = "BTC"
ETF_ORDER = ("BTC", "ETH")


@dataclass(frozen=True, slots=True)
class SymbolAnalysis:
    """Zones and the watchlist summary for one symbol; ``note`` says why they are missing."""

    symbol: str
    price: float | None
    price_source: str
    zones: ZoneAnalysis | None
    summary: ZoneSummary | None
    note: str = ""


@dataclass(frozen=True, slots=True)
class MarketAnalysis:
    """Everything the analysis layer derives from one snapshot."""

    generated_ms: int
    symbols: tuple[SymbolAnalysis, ...]
    liquidations: LiquidationStats
    etf: tuple[EtfSummary, ...]
    gauge: Gauge
    worst_24h_usd: float = 0.0
    worst_24h_end_ms: int | None = None

    def symbol(self, name: str) -> SymbolAnalysis | None:
        """The analysis of one watchlist symbol."""
        return next((s for s in self.symbols if s.symbol == name), None)


def analyse_symbol(
    snapshot: Snapshot, symbol: str, config: Config, pinned: Sequence[float] | None = None
) -> SymbolAnalysis:
    """Zones for ``symbol`` from its 1h (else 4h) and daily candles, at the ticker price.

    The price is :func:`crashtui.analysis.price.current_price`: the ticker while it is current,
    else the latest intraday close when newer, else the old ticker (``price_source`` says which,
    and how old it is when it is history).
    ``pinned`` defaults to ``config.zones[symbol]``.
    """
    daily = snapshot.candles.get((symbol, Interval.D1), ())
    intraday = snapshot.candles.get((symbol, Interval.H1), ()) or snapshot.candles.get(
        (symbol, Interval.H4), ()
    )
    read = current_price(snapshot, symbol)  # from these same candles: one rule picks them
    if read is None:
        return SymbolAnalysis(symbol, None, "", None, None, "no price and no candles yet")
    price, source = read.price, read.source
    if pinned is None:
        pinned = config.zones.get(symbol, ())
    zones = find_zones(symbol, price, daily, intraday, pinned, config.analysis.zones, snapshot.generated_ms)
    return SymbolAnalysis(symbol, price, source, zones, summarise(zones))


class ZonesOnDemand:
    """Zones computed only for the symbols asked for, once each (the radar reads one or two
    symbols; a full :func:`analyse_snapshot` would analyse the whole watchlist)."""

    def __init__(self, snapshot: Snapshot, config: Config, pinned: Mapping[str, Sequence[float]]) -> None:
        self._snapshot, self._config, self._pinned = snapshot, config, pinned
        self._done: dict[str, SymbolAnalysis | None] = {}

    def symbol(self, name: str) -> SymbolAnalysis | None:
        """The analysis of ``name`` (None when it is not on the watchlist)."""
        if name not in self._done:
            known = name in self._snapshot.watchlist
            self._done[name] = (
                analyse_symbol(self._snapshot, name, self._config, self._pinned.get(name, ()))
                if known
                else None
            )
        return self._done[name]


def sampled_venues(statuses: Mapping[str, SourceStatus]) -> frozenset[str]:
    """Venues whose liquidation feed is sampled, from source statuses (``binance_liq`` → ``binance``)."""
    return frozenset(name.removesuffix("_liq") for name, st in statuses.items() if st.sampled)


def tally_from(liquidations: Iterable[Liquidation], params: CascadeParams) -> LiquidationTally:
    """A fresh tally fed with ``liquidations`` in time order (for one-shot use)."""
    tally = LiquidationTally(params)
    for liq in sorted(liquidations, key=lambda x: x.ts_ms):
        tally.add(liq)
    return tally


# Reading the tally closes ended minutes for cascade detection; a liquidation stamped a few
# seconds before it reaches us (batched frames, a slow venue) must still find its minute open,
# or cascades would depend on when someone happened to look.
LATE_GRACE_MS = 15_000


def tally_stats(
    tally: LiquidationTally,
    statuses: Mapping[str, SourceStatus],
    now_ms: int,
    windows: Collection[str] | None = None,
) -> LiquidationStats:
    """The one way to read a running tally: as of ``now_ms``, ended minutes kept open for
    :data:`LATE_GRACE_MS` (every reader must agree, or one moves the windows for all);
    ``windows`` names the only windows to tally (default: all)."""
    return tally.stats(sampled_venues(statuses), now_ms=now_ms - LATE_GRACE_MS, windows=windows)


def liquidation_stats(snapshot: Snapshot, config: Config, tally: LiquidationTally | None) -> LiquidationStats:
    """Tallies as of the snapshot time, from the running tally or the snapshot's recent events."""
    use = tally if tally is not None else tally_from(snapshot.liquidations, config.analysis.cascade)
    return tally_stats(use, snapshot.statuses, snapshot.generated_ms)


def etf_summaries(snapshot: Snapshot) -> tuple[EtfSummary, ...]:
    """One summary per asset with flows, BTC and ETH first."""
    assets = sorted(
        snapshot.etf_flows, key=lambda a: (ETF_ORDER.index(a) if a in ETF_ORDER else len(ETF_ORDER), a)
    )
    return tuple(summarise_etf(snapshot.etf_flows[a], a, snapshot.generated_ms) for a in assets)


def gauge_inputs(
    snapshot: Snapshot,
    liquidations: LiquidationStats,
    etf: Iterable[EtfSummary],
    symbol: str = GAUGE_SYMBOL,
    leverage: bool = True,
) -> list[StressInput | MissingInput]:
    """Every crash-gauge component computed from the snapshot (market components use ``symbol``).

    ``leverage=False`` skips the leverage component (a few ms) when its weight is 0.
    """
    now = snapshot.generated_ms
    daily = snapshot.candles.get((symbol, Interval.D1), ())
    shown = current_price(snapshot, symbol)  # the price the price pane shows, never an older one
    day = liquidations.window("24h")
    return [
        stress.fear_greed(snapshot.fear.get("crypto", ()), now),
        stress.drawdown(daily, shown.price if shown is not None else None, now),
        stress.liquidations(
            day.total.total_usd if day else None,
            [d.total_usd for d in liquidations.daily_totals],
            day.lower_bound if day else False,
        ),
        stress.etf_flows(etf, now),
        stress.funding(snapshot.funding.values(), symbol, now),
        stress.nasdaq_correlation(daily, snapshot.macro.get("NASDAQCOM", ()), now),
        stress.spread(snapshot.books.get(symbol, ()), now),
        stress.borrow_apy(snapshot.borrow, now),
        stress.jobless_claims(snapshot.macro.get("ICSA", ()), now),
        *([_leverage(snapshot, symbol)] if leverage else []),
    ]


def _leverage(snapshot: Snapshot, symbol: str) -> StressInput | MissingInput:
    """The gauge's leverage component from the snapshot's derivatives of ``symbol``."""
    from crashtui.analysis.derivatives import history_horizon_ms, recent_points, symbol_derivatives
    from crashtui.analysis.gauge import leverage_input

    now = snapshot.generated_ms
    since = history_horizon_ms(now)  # refreshed every few minutes: read the recent tail only
    derivs = symbol_derivatives(
        symbol,
        now_ms=now,
        open_interest=recent_points(snapshot.open_interest_history, since, now, symbol),
        snapshots=snapshot.funding.values(),
        funding_history=recent_points(snapshot.funding_history, since, now, symbol),
        spot=snapshot.quotes.values(),
        candles=recent_candles(snapshot.candles.get((symbol, Interval.H1), ()), since),
    )
    return leverage_input(derivs)


def recent_candles(candles: Sequence[Candle], since_ms: int) -> Sequence[Candle]:
    """The tail of a time-sorted candle series that closes after ``since_ms`` (what
    :func:`symbol_derivatives` reads; it would skip the rest one by one on every refresh)."""
    start = bisect.bisect_right(candles, since_ms, key=_close_ms)
    return candles[start:]


def _close_ms(candle: Candle) -> int:
    return candle.open_ms + candle.interval.ms


ZoneKey = tuple[object, ...]


def zone_inputs_key(snapshot: Snapshot, symbol: str, pinned: Sequence[float]) -> ZoneKey:
    """What a symbol's zone analysis depends on: its candles, its price, pins, the minute."""

    def series(interval: Interval) -> tuple[object, ...]:
        candles = snapshot.candles.get((symbol, interval), ())
        if not candles:
            return (0,)
        last = candles[-1]
        return (len(candles), candles[0].open_ms, last.open_ms, last.close, last.closed)

    ticker = snapshot.tickers.get(symbol)
    return (
        series(Interval.D1),
        series(Interval.H1),
        series(Interval.H4),
        ticker.price if ticker is not None else None,
        tuple(pinned),
        snapshot.generated_ms // 60_000,  # recency and the state window move with time
    )


class AnalysisCache:
    """Per-symbol zone analyses and ETF summaries, reused while their inputs are unchanged.

    With a ``budget``, :func:`analyse_snapshot` recomputes at most that many changed symbols
    per call (the longest-waiting first) and serves the others from their previous analysis,
    at most a few calls old: a 10-symbol watchlist then costs a couple of symbols per UI tick
    instead of a 30 ms stall every second.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[ZoneKey, SymbolAnalysis, int]] = {}
        self._calls = 0
        # Symbols the last call served from an outdated analysis: the caller should call again
        # soon even if nothing else changes, or a frozen state would keep old zones forever.
        self.deferred = 0
        self._etf: tuple[object, tuple[EtfSummary, ...]] | None = None

    def etf(self, snapshot: Snapshot) -> tuple[EtfSummary, ...]:
        """ETF summaries, recomputed only when a day's flows changed (they move once a day)."""
        key = (
            us_week_monday(snapshot.generated_ms),  # week to date is the current US week's
            *(
                (asset, len(flows), flows[-1] if flows else None)
                for asset, flows in sorted(snapshot.etf_flows.items())
            ),
        )
        if self._etf is None or self._etf[0] != key:
            self._etf = (key, etf_summaries(snapshot))
        return self._etf[1]

    def lookup(self, symbol: str, key: ZoneKey) -> tuple[SymbolAnalysis | None, bool]:
        """(the latest analysis or None, whether it matches ``key``)."""
        entry = self._entries.get(symbol)
        if entry is None:
            return None, False
        return entry[1], entry[0] == key

    def waiting_since(self, symbol: str) -> int:
        """Call number of the symbol's last computation (smaller: waiting longer)."""
        entry = self._entries.get(symbol)
        return -1 if entry is None else entry[2]

    def store(self, symbol: str, key: ZoneKey, analysis: SymbolAnalysis) -> None:
        """Remember a fresh analysis."""
        self._entries[symbol] = (key, analysis, self._calls)

    def next_call(self) -> None:
        """Mark the start of one analyse_snapshot call."""
        self._calls += 1


def _symbols(
    snapshot: Snapshot,
    config: Config,
    pins: Mapping[str, Sequence[float]],
    cache: AnalysisCache | None,
    budget: int | None,
) -> tuple[SymbolAnalysis, ...]:
    if cache is None:
        return tuple(analyse_symbol(snapshot, s, config, pins.get(s, ())) for s in snapshot.watchlist)
    cache.next_call()
    results: dict[str, SymbolAnalysis] = {}
    changed: list[tuple[str, ZoneKey, SymbolAnalysis | None]] = []
    for symbol in snapshot.watchlist:
        key = zone_inputs_key(snapshot, symbol, pins.get(symbol, ()))
        previous, fresh = cache.lookup(symbol, key)
        if fresh and previous is not None:
            results[symbol] = previous
        else:
            changed.append((symbol, key, previous))
    changed.sort(key=lambda item: cache.waiting_since(item[0]))
    cache.deferred = 0
    for done, (symbol, key, previous) in enumerate(changed):
        if budget is not None and done >= budget and previous is not None:
            results[symbol] = previous  # refreshed on a later call
            cache.deferred += 1
            continue
        analysis = analyse_symbol(snapshot, symbol, config, pins.get(symbol, ()))
        cache.store(symbol, key, analysis)
        results[symbol] = analysis
    return tuple(results[s] for s in snapshot.watchlist)


def analyse_snapshot(
    snapshot: Snapshot,
    config: Config,
    tally: LiquidationTally | None = None,
    *,
    pinned: Mapping[str, Sequence[float]] | None = None,
    cache: AnalysisCache | None = None,
    zone_budget: int | None = None,
) -> MarketAnalysis:
    """Zones per watchlist symbol, liquidation tallies, ETF aggregates and the crash gauge.

    ``pinned`` overrides ``config.zones`` (replay merges in the recording's pinned levels).
    ``worst_24h_usd`` is the largest rolling 24 h liquidation total since the tally began.
    ``cache`` reuses what has not changed and, with ``zone_budget``, bounds the zone work per
    call (see :class:`AnalysisCache`); without it everything is computed afresh.
    """
    if tally is None:
        tally = tally_from(snapshot.liquidations, config.analysis.cascade)
    liqs = liquidation_stats(snapshot, config, tally)
    etf = cache.etf(snapshot) if cache is not None else etf_summaries(snapshot)
    gauge_cfg = config.analysis.gauge
    with_leverage = gauge_cfg.weights.get("leverage", 0.0) > 0.0
    gauge = crash_gauge(gauge_inputs(snapshot, liqs, etf, leverage=with_leverage), gauge_cfg)
    pins = config.zones if pinned is None else pinned
    worst, worst_end = tally.session_peak_24h()
    return MarketAnalysis(
        generated_ms=snapshot.generated_ms,
        symbols=_symbols(snapshot, config, pins, cache, zone_budget),
        liquidations=liqs,
        etf=etf,
        gauge=gauge,
        worst_24h_usd=worst,
        worst_24h_end_ms=worst_end,
    )
