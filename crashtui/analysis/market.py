"""One call from a :class:`~crashtui.model.Snapshot` to every analysis result the panes show.

The snapshot builder, ``--once --json`` and alerts call :func:`analyse_snapshot`; each pane can
also call its part (:func:`analyse_symbol`, :func:`liquidation_stats`, :func:`etf_summaries`,
:func:`gauge_inputs`) on its own. Liquidation tallies are incremental and live outside the
snapshot: pass the running :class:`LiquidationTally` (fed from ``FeedState(on_liquidation=...)``);
without one, a tally is built from the snapshot's recent liquidations (fine for ``--once``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from crashtui.analysis import stress
from crashtui.analysis.etf import EtfSummary, summarise_etf
from crashtui.analysis.gauge import Gauge, MissingInput, StressInput, crash_gauge
from crashtui.analysis.liquidations import LiquidationStats, LiquidationTally
from crashtui.analysis.zones import ZoneAnalysis, ZoneSummary, find_zones, summarise
from crashtui.config.schema import CascadeParams, Config
from crashtui.model import Interval, Liquidation, Snapshot, SourceStatus

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

    Without a ticker the latest intraday close stands in (``price_source`` says so).
    ``pinned`` defaults to ``config.zones[symbol]``.
    """
    daily = snapshot.candles.get((symbol, Interval.D1), ())
    intraday = snapshot.candles.get((symbol, Interval.H1), ()) or snapshot.candles.get(
        (symbol, Interval.H4), ()
    )
    ticker = snapshot.tickers.get(symbol)
    if ticker is not None and ticker.price > 0:
        price, source = ticker.price, f"ticker {ticker.source}"
    elif intraday or daily:
        last = max(intraday or daily, key=lambda c: c.open_ms)
        price, source = last.close, f"last {last.interval.value} close ({last.source})"
    else:
        return SymbolAnalysis(symbol, None, "", None, None, "no price and no candles yet")
    if pinned is None:
        pinned = config.zones.get(symbol, ())
    zones = find_zones(symbol, price, daily, intraday, pinned, config.analysis.zones, snapshot.generated_ms)
    return SymbolAnalysis(symbol, price, source, zones, summarise(zones))


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


def liquidation_stats(snapshot: Snapshot, config: Config, tally: LiquidationTally | None) -> LiquidationStats:
    """Tallies as of the snapshot time, from the running tally or the snapshot's recent events."""
    use = tally if tally is not None else tally_from(snapshot.liquidations, config.analysis.cascade)
    return use.stats(sampled_venues(snapshot.statuses), now_ms=snapshot.generated_ms - LATE_GRACE_MS)


def etf_summaries(snapshot: Snapshot) -> tuple[EtfSummary, ...]:
    """One summary per asset with flows, BTC and ETH first."""
    assets = sorted(
        snapshot.etf_flows, key=lambda a: (ETF_ORDER.index(a) if a in ETF_ORDER else len(ETF_ORDER), a)
    )
    return tuple(summarise_etf(snapshot.etf_flows[a], a) for a in assets)


def gauge_inputs(
    snapshot: Snapshot, liquidations: LiquidationStats, etf: Iterable[EtfSummary], symbol: str = GAUGE_SYMBOL
) -> list[StressInput | MissingInput]:
    """Every crash-gauge component computed from the snapshot (market components use ``symbol``)."""
    now = snapshot.generated_ms
    daily = snapshot.candles.get((symbol, Interval.D1), ())
    ticker = snapshot.tickers.get(symbol)
    day = liquidations.window("24h")
    return [
        stress.fear_greed(snapshot.fear.get("crypto", ()), now),
        stress.drawdown(daily, ticker.price if ticker else None, now),
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
    ]


def analyse_snapshot(
    snapshot: Snapshot,
    config: Config,
    tally: LiquidationTally | None = None,
    *,
    pinned: Mapping[str, Sequence[float]] | None = None,
) -> MarketAnalysis:
    """Zones per watchlist symbol, liquidation tallies, ETF aggregates and the crash gauge.

    ``pinned`` overrides ``config.zones`` (replay merges in the recording's pinned levels).
    ``worst_24h_usd`` is the largest rolling 24 h liquidation total since the tally began.
    """
    if tally is None:
        tally = tally_from(snapshot.liquidations, config.analysis.cascade)
    liqs = liquidation_stats(snapshot, config, tally)
    etf = etf_summaries(snapshot)
    gauge = crash_gauge(gauge_inputs(snapshot, liqs, etf), config.analysis.gauge)
    pins = config.zones if pinned is None else pinned
    worst, worst_end = tally.session_peak_24h()
    return MarketAnalysis(
        generated_ms=snapshot.generated_ms,
        symbols=tuple(analyse_symbol(snapshot, s, config, pins.get(s, ())) for s in snapshot.watchlist),
        liquidations=liqs,
        etf=etf,
        gauge=gauge,
        worst_24h_usd=worst,
        worst_24h_end_ms=worst_end,
    )
