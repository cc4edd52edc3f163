"""The radar: leverage, the estimated liquidation map, macro correlation, the recovery checklist
and the user's positions, read from one snapshot.

These are heavier than the per-tick analysis (a liquidation map rebuild is tens of ms per
symbol, the checklist a fifth of a second on two years of data), so :class:`RadarCache`
recomputes each part only when its own inputs changed. Pure: no IO, and plain Python (no numpy
or pandas).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from crashtui.analysis.correlation import Correlation
from crashtui.analysis.derivatives import SymbolDerivatives
from crashtui.analysis.freshness import TICKER_MAX_AGE_MS
from crashtui.analysis.liqmap.result import LiqMap
from crashtui.analysis.market import SymbolAnalysis
from crashtui.analysis.price import current_price
from crashtui.analysis.recovery import ChecklistItem, RecoveryThresholds
from crashtui.analysis.risk_off import RiskOffRead
from crashtui.model import FundingSnapshot, Interval, Snapshot
from crashtui.risk.evaluate import Portfolio
from crashtui.risk.position import Position

AI_BASKET = ("NVDA", "MSFT", "GOOGL")
CORRELATION_SERIES = ("NASDAQCOM", "SP500")


@dataclass(frozen=True, slots=True)
class Radar:
    """Everything beyond the per-tick analysis, for panes, drilldowns and ``--once --json``."""

    generated_ms: int
    derivatives: Mapping[str, SymbolDerivatives] = field(default_factory=dict)
    liquidation_maps: Mapping[str, LiqMap] = field(default_factory=dict)
    correlations: tuple[Correlation, ...] = ()
    recovery: tuple[ChecklistItem, ...] = ()
    risk_off: RiskOffRead | None = None
    portfolio: Portfolio | None = None


class ZoneSource(Protocol):
    """Where the radar reads a symbol's zones (a :class:`MarketAnalysis`, or zones computed on
    demand for the few symbols the radar needs)."""

    def symbol(self, name: str) -> SymbolAnalysis | None:
        """The analysis of ``name``, or None."""
        ...


class RadarCache:
    """Recomputes each radar part only when the snapshot parts it reads changed."""

    def __init__(self) -> None:
        self._memo: dict[str, tuple[tuple[object, ...], Any]] = {}

    def part(self, name: str, key: tuple[object, ...], compute: Any) -> Any:
        """``compute()`` unless the last call for ``name`` had the same ``key``."""
        memo = self._memo.get(name)
        if memo is not None and memo[0] == key:
            return memo[1]
        value = compute()
        self._memo[name] = (key, value)
        return value


def radar(
    snapshot: Snapshot,
    analysis: ZoneSource,
    *,
    positions: Sequence[Position] = (),
    pinned: Mapping[str, Sequence[float]] | None = None,
    thresholds: RecoveryThresholds | None = None,
    cache: RadarCache | None = None,
) -> Radar:
    """The radar of ``snapshot`` (see the module docstring)."""
    cache = cache or RadarCache()
    now = snapshot.generated_ms
    minute = now // 60_000
    watch = snapshot.watchlist
    hour_candles = tuple(snapshot.candles.get((s, Interval.H1), ()) for s in watch)
    derivs_key = (
        minute,
        watch,
        tuple(id(v) for v in snapshot.open_interest_history.values()),
        tuple(id(v) for v in snapshot.funding_history.values()),
        tuple(id(v) for v in snapshot.long_short.values()),
        tuple(snapshot.funding.values()),
        tuple(snapshot.quotes.values()),
        tuple(id(c) for c in hour_candles),
    )
    derivs = cache.part("derivatives", derivs_key, lambda: _derivatives(snapshot))
    maps = cache.part(
        "liqmap",
        (derivs_key, tuple(id(v) for v in snapshot.taker_volume.values()), tuple(snapshot.tickers.values())),
        lambda: _liquidation_maps(snapshot),
    )
    # Daily-scale reads refresh once per feed hour (or when a series gains a point): keyed on
    # the minute, a max-speed replay re-ran them thousands of times for the same answer.
    macro_key = (now // 3_600_000, tuple(id(v) for v in snapshot.macro.values()))
    correlations = cache.part("correlation", macro_key, lambda: _correlations(snapshot))
    risk_off = cache.part("risk_off", macro_key, lambda: _risk_off(snapshot))
    recovery_key = (
        macro_key,
        tuple(id(v) for v in snapshot.etf_flows.values()),
        tuple(id(v) for v in snapshot.fear.values()),
        tuple(id(v) for v in snapshot.open_interest_history.values()),
        tuple(id(v) for v in snapshot.funding_history.values()),
        tuple((k, tuple(v)) for k, v in sorted((pinned or {}).items())),
    )
    recovery = cache.part(
        "recovery",
        recovery_key,
        lambda: _recovery(snapshot, analysis, pinned or {}, thresholds or RecoveryThresholds()),
    )
    portfolio = portfolio_of(snapshot, analysis, maps, positions) if positions else None
    return Radar(now, derivs, maps, correlations, recovery, risk_off, portfolio)


def _derivatives(snapshot: Snapshot) -> Mapping[str, SymbolDerivatives]:
    from crashtui.analysis.derivatives import derivatives, history_horizon_ms, recent_points

    now = snapshot.generated_ms
    since = history_horizon_ms(now)  # what a row can use of the month of history
    return derivatives(
        snapshot.watchlist,
        now_ms=now,
        open_interest=recent_points(snapshot.open_interest_history, since, now),
        snapshots=snapshot.funding.values(),
        funding_history=recent_points(snapshot.funding_history, since, now),
        long_short=recent_points(snapshot.long_short, since, now),
        spot=snapshot.quotes.values(),
        candles=[c for s in snapshot.watchlist for c in snapshot.candles.get((s, Interval.H1), ())],
    )


def _liquidation_maps(snapshot: Snapshot) -> Mapping[str, LiqMap]:
    """One estimated map per watchlist symbol that has open-interest history (perpetuals)."""
    from crashtui.analysis.derivatives import venue_label
    from crashtui.analysis.liqmap import OiPoint, TakerFlow, VenueInput, bars_from_candles, build_liq_map

    maps: dict[str, LiqMap] = {}
    for symbol in snapshot.watchlist:
        candles = snapshot.candles.get((symbol, Interval.H1), ())
        if not candles:
            continue
        taker = tuple(
            TakerFlow(t.ts_ms, t.buy_base, t.sell_base)
            for (_, s), flows in snapshot.taker_volume.items()
            if s == symbol
            for t in flows
        )
        venues = []
        for (venue, s, scope), points in sorted(snapshot.open_interest_history.items()):
            if s != symbol or scope != "perp" or len(points) < 2:
                continue
            oi = tuple(
                OiPoint(p.ts_ms, p.oi_usd or 0.0, p.period_ms or 300_000, p.oi_base)
                for p in points
                if p.oi_usd or p.oi_base
            )
            venues.append(VenueInput(venue_label(venue), oi, taker))
        if not venues:
            continue
        shown = current_price(snapshot, symbol)  # the price pane's number, with its time
        maps[symbol] = build_liq_map(
            symbol,
            venues,
            bars_from_candles(candles),
            price=shown.price if shown is not None else None,
            price_ms=shown.as_of_ms if shown is not None else None,
        )
    return maps


def _closes(snapshot: Snapshot, symbol: str) -> dict[int, float]:
    from crashtui.analysis.correlation import candle_closes

    return candle_closes(snapshot.candles.get((symbol, Interval.D1), ()))


def _series(snapshot: Snapshot, name: str) -> dict[int, float]:
    from crashtui.analysis.correlation import observation_closes

    return observation_closes(snapshot.macro.get(name, ()))


def _correlations(snapshot: Snapshot) -> tuple[Correlation, ...]:
    from crashtui.analysis.correlation import correlations

    closes = {"BTC": _closes(snapshot, "BTC"), "ETH": _closes(snapshot, "ETH")}
    closes.update({name: _series(snapshot, name) for name in CORRELATION_SERIES})
    return tuple(correlations(closes, now_ms=snapshot.generated_ms))


def _risk_off(snapshot: Snapshot) -> RiskOffRead:
    from crashtui.analysis.risk_off import changes_for, risk_off_read

    points = {name: _series(snapshot, name) for name in ("DGS10", "DTB3", "GOLD", "NASDAQCOM", "SP500")}
    points.update({"BTC": _closes(snapshot, "BTC"), "ETH": _closes(snapshot, "ETH")})
    return risk_off_read(changes_for(points, now_ms=snapshot.generated_ms))


def _leverage_history(snapshot: Snapshot, symbol: str) -> list[FundingSnapshot]:
    """Open-interest history joined with funding history, as the checklist's leverage input."""
    out: list[FundingSnapshot] = [s for s in snapshot.funding.values() if s.symbol == symbol]
    for (venue, s, scope), points in snapshot.open_interest_history.items():
        if s != symbol or scope != "perp":
            continue
        rates = snapshot.funding_history.get((venue, symbol), ())
        j = 0
        for p in points:
            while j + 1 < len(rates) and rates[j + 1].ts_ms <= p.ts_ms:
                j += 1
            rate = rates[j].rate_8h if rates and rates[j].ts_ms <= p.ts_ms else None
            out.append(
                FundingSnapshot(
                    venue,
                    symbol,
                    p.ts_ms,
                    funding_rate_8h=rate,
                    open_interest_base=p.oi_base,
                    open_interest_usd=p.oi_usd,
                )
            )
    return sorted(out, key=lambda s: s.ts_ms)


def _btc_support(analysis: ZoneSource, pinned: Mapping[str, Sequence[float]]) -> tuple[float, ...]:
    """The BTC support the checklist watches: pinned levels, else the nearest support zone."""
    if pinned.get("BTC"):
        return tuple(pinned["BTC"])
    btc = analysis.symbol("BTC")
    if btc is None or btc.zones is None:
        return ()
    supports = [z for z in btc.zones.zones if str(z.kind) == "support"]
    return (supports[-1].low,) if supports else ()


def _recovery(
    snapshot: Snapshot,
    analysis: ZoneSource,
    pinned: Mapping[str, Sequence[float]],
    thresholds: RecoveryThresholds,
) -> tuple[ChecklistItem, ...]:
    from crashtui.analysis.recovery import RecoveryInputs, recovery_checklist

    inputs = RecoveryInputs(
        now_ms=snapshot.generated_ms,
        btc_closes=_closes(snapshot, "BTC"),
        btc_support=_btc_support(analysis, pinned),
        eth_closes=_closes(snapshot, "ETH"),
        etf_flows=dict(snapshot.etf_flows),
        claims_4wk=snapshot.macro.get("IC4WSA", ()),
        claims_weekly=snapshot.macro.get("ICSA", ()),
        ai_basket={name: snapshot.macro[name] for name in AI_BASKET if name in snapshot.macro},
        fear=snapshot.fear.get("crypto", ()),
        leverage=_leverage_history(snapshot, "BTC"),
    )
    return recovery_checklist(inputs, thresholds)


def position_mark(snapshot: Snapshot, symbol: str) -> tuple[float | None, int | None]:
    """The mark a position of ``symbol`` is valued at, and when it was the price.

    A venue's mark price (a funding snapshot's) has its own age: it is used only while it is a
    live quote (at most :data:`~crashtui.analysis.freshness.TICKER_MAX_AGE_MS` old, the
    ticker's rule) and at least as fresh as the price the pane shows (:func:`current_price`);
    of several, the newest. Else the shown price is the mark. The time is always that of the
    price used: (None, None) when there is none.
    """
    shown = current_price(snapshot, symbol)
    now = snapshot.generated_ms
    since = shown.as_of_ms if shown is not None else None
    best: FundingSnapshot | None = None
    for f in snapshot.funding.values():
        price = f.mark_price
        if f.symbol != symbol or price is None or not (math.isfinite(price) and price > 0):
            continue
        if now - f.ts_ms > TICKER_MAX_AGE_MS or (since is not None and f.ts_ms < since):
            continue  # history, or older than the shown price: never the mark of "now"
        if best is None or f.ts_ms > best.ts_ms:
            best = f
    if best is not None and best.mark_price is not None:
        return best.mark_price, min(best.ts_ms, now)
    if shown is None:
        return None, None
    return shown.price, shown.as_of_ms


def portfolio_of(
    snapshot: Snapshot, analysis: ZoneSource, maps: Mapping[str, LiqMap], positions: Iterable[Position]
) -> Portfolio:
    """The positions evaluated against the snapshot: mark (:func:`position_mark`), zones from
    ``analysis``, clusters from ``maps`` (none when empty), the 1h path."""
    from crashtui.risk.evaluate import Level, LevelKind, LiquidationCluster, MarketView, PriceBar, evaluate
    from crashtui.risk.position import PositionSide

    markets: dict[str, MarketView] = {}
    for symbol in {p.symbol for p in positions}:
        mark, mark_ms = position_mark(snapshot, symbol)
        item = analysis.symbol(symbol)
        zones = item.zones if item is not None else None
        levels = tuple(Level(z.level, LevelKind(str(z.kind))) for z in zones.zones) if zones else ()
        liq_map = maps.get(symbol)
        clusters = (
            tuple(
                LiquidationCluster((lv.low + lv.high) / 2, lv.est_usd, PositionSide(lv.side))
                for lv in liq_map.levels
            )
            if liq_map is not None
            else ()
        )
        candles = snapshot.candles.get((symbol, Interval.H1), ())
        markets[symbol] = MarketView(
            mark=mark,
            mark_ms=mark_ms,
            atr=zones.atr if zones is not None else None,
            levels=levels,
            clusters=clusters,
            path=tuple(PriceBar(c.open_ms, c.low, c.high) for c in candles),
        )
    return evaluate(tuple(positions), markets)
