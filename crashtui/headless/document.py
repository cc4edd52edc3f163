"""The ``--once --json`` document (schema in docs/once-json.md) and its plain-text summary.

Built only from the state snapshot and its analysis; every external string in it came
through a parser, and nothing here can hold an API key (statuses are already redacted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from crashtui.analysis.cascades import CascadeEvent
from crashtui.analysis.etf import EtfSummary, FlowWindow, period_label
from crashtui.analysis.freshness import (
    DAILY_MS,
    TRADING_DAILY_MS,
    WEEKLY_MS,
    candle_freshness,
    day_freshness,
    freshness,
)
from crashtui.analysis.liquidations import LiquidationStats, SideSplit, WindowTally
from crashtui.analysis.market import MarketAnalysis, SymbolAnalysis
from crashtui.analysis.price import current_price
from crashtui.analysis.radar import Radar
from crashtui.analysis.zone_state import STATES
from crashtui.analysis.zones import Zone
from crashtui.model import POLLED_INTERVALS, HeldCount, Liquidation, PairMove, Snapshot, SourceStatus
from crashtui.replay.recording import RecordingHeader
from crashtui.textsafe import plain
from crashtui.timeparse import iso_utc

SCHEMA_VERSION = 1


def _iso(ts_ms: int | None) -> str | None:
    return None if ts_ms is None else iso_utc(ts_ms)


def _age_s(ts_ms: int | None, now_ms: int) -> float | None:
    return None if ts_ms is None else round(max(0, now_ms - ts_ms) / 1000, 1)


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def zone_json(zone: Zone) -> dict[str, Any]:
    """One zone with its evidence as readable lines."""
    return {
        "low": _r(zone.low, 6),
        "high": _r(zone.high, 6),
        "level": _r(zone.level, 6),
        "kind": str(zone.kind),
        "state": str(zone.state),
        "state_words": STATES[zone.state].words,
        "state_since": _iso(zone.state_since_ms),
        "broken_at": _iso(zone.broken_ms),
        "reclaimed_at": _iso(zone.reclaimed_ms),
        "strength": _r(zone.strength, 3),
        "touches": zone.touches,
        "distance_pct": _r(zone.distance_pct, 3),
        "distance_atr": _r(zone.distance_atr, 3),
        "pinned": zone.pinned,
        "source": zone.source,
        "evidence": [e.description for e in zone.evidence],
        "evidence_items": [
            {
                "kind": str(e.kind),
                "level": _r(e.level, 6),
                "timeframe": e.timeframe,
                "at": _iso(e.ts_ms),
                "text": e.description,
            }
            for e in zone.evidence
        ],
        "evidence_omitted": zone.evidence_omitted,
    }


def symbol_json(item: SymbolAnalysis, snapshot: Snapshot) -> dict[str, Any]:
    """A watchlist row: price, 24 h change, nearest zones, zone state."""
    read = current_price(snapshot, item.symbol)  # the price item.price is, with its age
    summary = item.summary
    return {
        "symbol": item.symbol,
        "price": _r(item.price, 8),
        "price_source": item.price_source or None,
        "price_age_s": _age_s(read.as_of_ms if read else None, snapshot.generated_ms),
        "change_24h_pct": _r(read.change_24h_pct, 3) if read else None,
        "state": str(summary.badge) if summary else None,
        "state_words": STATES[summary.badge].words if summary else None,
        "badge": summary.badge_text if summary else None,
        "support": zone_json(summary.support) if summary and summary.support else None,
        "resistance": zone_json(summary.resistance) if summary and summary.resistance else None,
        "atr": _r(item.zones.atr, 6) if item.zones else None,
        "ma200": _r(item.zones.ma200, 6) if item.zones else None,
        "zones": [zone_json(z) for z in item.zones.zones] if item.zones else [],
        "note": item.note or None,
        "candles": candles_json(item.symbol, snapshot),
    }


def candles_json(symbol: str, snapshot: Snapshot) -> dict[str, Any]:
    """Per polled interval (1h, 4h, 1d: a chart's on-demand 5m and 15m are not reported): the
    newest candle's open, its age from its close, fresh / late / stale."""
    out: dict[str, Any] = {}
    for interval in POLLED_INTERVALS:
        series = snapshot.candles.get((symbol, interval), ())
        verdict = candle_freshness(series, interval, snapshot.generated_ms)
        if verdict is not None:
            out[interval.value] = {
                "newest": _iso(series[-1].open_ms),
                "age_s": round(verdict.age_ms / 1000),
                "freshness": verdict.state,
            }
    return out


def _split(s: SideSplit) -> dict[str, Any]:
    return {
        "total_usd": _r(s.total_usd),
        "long_usd": _r(s.long_usd),
        "short_usd": _r(s.short_usd),
        "long_share": _r(s.long_share, 4),
        "count": s.count,
    }


def _order(liq: Liquidation) -> dict[str, Any]:
    return {
        "at": _iso(liq.ts_ms),
        "venue": liq.venue,
        "symbol": liq.symbol,
        "liquidated_side": str(liq.liquidated_side),
        "price": liq.price,
        "qty": liq.qty,
        "notional_usd": _r(liq.notional_usd),
    }


def _window(w: WindowTally) -> dict[str, Any]:
    return {
        **_split(w.total),
        "start": _iso(w.start_ms),
        "end": _iso(w.end_ms),
        "lower_bound": w.lower_bound,
        "sampled_venues": list(w.sampled_venues),
        "by_venue": {s.name: _split(s) for s in w.by_venue},
        "by_symbol": {s.name: _split(s) for s in w.by_symbol},
        "largest": [_order(o) for o in w.largest[:5]],
    }


def liquidations_json(stats: LiquidationStats, analysis: MarketAnalysis) -> dict[str, Any]:
    """Rolling tallies, the worst 24 h seen, cascades."""

    def cascade(c: CascadeEvent) -> dict[str, Any]:
        return {
            "start": _iso(c.start_ms),
            "end": _iso(c.end_ms),
            "peak_rate_usd": _r(c.peak_rate_usd),
            "total_usd": _r(c.total_usd),
            "dominant_side": str(c.dominant_side),
        }

    return {
        "windows": {w.window: _window(w) for w in stats.windows},
        "worst_24h_usd": _r(analysis.worst_24h_usd),
        "worst_24h_end": _iso(analysis.worst_24h_end_ms),
        "rate_usd": _r(stats.rate_usd),
        "rate_window_s": stats.rate_window_s,
        "cascade_threshold_usd": _r(stats.cascade_threshold_usd),
        "cascade": cascade(stats.cascade) if stats.cascade else None,
        "cascades": [cascade(c) for c in stats.cascades[-10:]],
    }


def _flow_window(w: FlowWindow) -> dict[str, Any]:
    return {
        "net_usd_m": _r(w.net_usd_m, 1),
        "days": w.days,
        "from": _iso(w.first_day_ms),
        "to": _iso(w.last_day_ms),
        "complete": w.complete,
        "unpublished": [_iso(d) for d in w.unpublished_days_ms],
    }


def etf_json(summary: EtfSummary) -> dict[str, Any]:
    """Aggregates for one asset, in US$m; unpublished days listed, never zero."""
    t = summary.total
    return {
        "latest_day": _iso(t.latest_day_ms),
        "latest_usd_m": _r(t.latest_usd_m, 1),
        "week_to_date": _flow_window(t.week_to_date),
        "trailing_5d": _flow_window(t.trailing_5d),
        "streak": {
            "direction": t.streak.direction,
            "days": t.streak.days,
            "net_usd_m": _r(t.streak.net_usd_m, 1),
        },
        "cumulative_usd_m": _r(t.cumulative_usd_m, 1),
        "largest_outflows": [
            {"day": _iso(d.day_ms), "net_usd_m": _r(d.net_usd_m, 1)} for d in summary.largest_outflows
        ],
        "fund_shares": [
            {"fund": f.ticker, "flow_usd_m": _r(f.flow_usd_m, 1), "share_pct": _r(f.share_of_gross_pct, 1)}
            for f in summary.day_shares
        ],
        "unpublished_days": [_iso(d) for d in summary.unpublished_days_ms],
        "sources": list(summary.sources),
        # a source's own week/month totals, labelled by period; never summed as days
        "aggregates": [
            {
                "period": a.period,
                "start": _iso(a.start_day_ms),
                "label": period_label(a.period, a.start_day_ms),
                "net_usd_m": _r(a.net_usd_m, 1),
                "source": plain(a.source, 40),
            }
            for a in summary.aggregates
        ],
    }


def fear_json(snapshot: Snapshot) -> dict[str, Any]:
    """Latest crypto and stock Fear & Greed readings."""
    out: dict[str, Any] = {}
    for index in ("crypto", "stocks"):
        readings = snapshot.fear.get(index, ())
        if not readings:
            out[index] = None
            continue
        last = readings[-1]
        interval = DAILY_MS if index == "crypto" else TRADING_DAILY_MS
        out[index] = {
            "value": _r(last.value, 1),
            "classification": last.classification,
            "at": _iso(last.ts_ms),
            "source": last.source,
            "freshness": freshness(last.ts_ms, interval, snapshot.generated_ms).state,
        }
    return out


def macro_json(snapshot: Snapshot) -> dict[str, Any]:
    """Latest observation per macro series, with its freshness against the series' cadence."""
    from crashtui.sources.macro_series import info

    def interval(series: str) -> int:
        known = info(series)
        return WEEKLY_MS if known is not None and known.frequency == "weekly" else TRADING_DAILY_MS

    return {
        series: {
            "value": obs[-1].value,
            "day": _iso(obs[-1].day_ms),
            "source": obs[-1].source,
            "freshness": day_freshness(obs[-1].day_ms, interval(series), snapshot.generated_ms).state,
        }
        for series, obs in sorted(snapshot.macro.items())
        if obs
    }


def market_json(snapshot: Snapshot) -> dict[str, Any]:
    """The market strip: the venue's biggest 24 h movers and the whole market's size, each with
    its time and age (None where the source has not answered)."""
    now = snapshot.generated_ms
    movers = snapshot.movers
    market = snapshot.market

    def move(m: PairMove) -> dict[str, Any]:
        return {
            "pair": m.pair,
            "base": m.base,
            "price": m.price,
            "change_24h_pct": _r(m.change_24h_pct),
            "quote_volume_usd": _r(m.quote_volume_usd, 0),
        }

    return {
        "movers": None
        if movers is None
        else {
            "gainers": [move(m) for m in movers.gainers],
            "losers": [move(m) for m in movers.losers],
            "ranked": movers.ranked,
            "min_quote_volume_usd": movers.min_quote_volume_usd,
            "source": movers.source,
            "at": _iso(movers.ts_ms),
            "age_s": _age_s(movers.ts_ms, now),
        },
        "global": None
        if market is None
        else {
            "total_market_cap_usd": _r(market.total_market_cap_usd, 0),
            "total_volume_usd": _r(market.total_volume_usd, 0),
            "market_cap_change_24h_pct": _r(market.market_cap_change_24h_pct),
            "btc_dominance_pct": _r(market.btc_dominance_pct),
            "eth_dominance_pct": _r(market.eth_dominance_pct),
            "source": market.source,
            "at": _iso(market.ts_ms),
            "age_s": _age_s(market.ts_ms, now),
        },
    }


def gauge_json(analysis: MarketAnalysis) -> dict[str, Any]:
    """The crash gauge with every component's raw value, weight and source."""
    g = analysis.gauge
    return {
        "score": _r(g.score, 1),
        "label": g.label,
        "coverage": _r(g.coverage, 3),
        "components_present": {"have": g.have, "of": g.of},
        "sufficient": g.sufficient,
        "components": [
            {
                "name": c.name,
                "raw": _r(c.raw, 4),
                "unit": c.unit,
                "normalised": _r(c.normalised, 1),
                "weight": c.weight,
                "contribution": _r(c.contribution, 2),
                "source": c.source,
                "detail": c.detail,
            }
            for c in g.components
        ],
        "missing": [{"name": m.name, "reason": m.reason} for m in g.missing],
    }


def status_json(status: SourceStatus, now_ms: int, held: Sequence[HeldCount] = ()) -> dict[str, Any]:
    """One source's status line, with what the gate held back from it (``rejected``)."""
    return {
        "source": status.source,
        "state": str(status.state),
        "last_ok": _iso(status.last_ok_ms),
        "age_s": _age_s(status.last_ok_ms, now_ms),
        "last_error": status.last_error,
        "hint": status.hint,
        "failure": status.failure,
        "sampled": status.sampled,
        "bad_frames": status.bad_frames,
        "rejected": [{"reason": h.reason, "count": h.count, "last": _iso(h.last_ms)} for h in held],
    }


def build_document(
    snapshot: Snapshot,
    analysis: MarketAnalysis,
    *,
    header: RecordingHeader | None,
    serving: Mapping[str, str],
    radar: Radar | None = None,
    bad_lines: int = 0,
) -> dict[str, Any]:
    """The whole ``--once --json`` document (the radar's keys when ``radar`` is given;
    ``bad_lines``: malformed recording lines the replay skipped)."""
    now = snapshot.generated_ms
    replay = None
    if header is not None:
        replay = {
            "recording": header.label,
            "scenario": header.scenario,
            "note": header.note,
            "clock": _iso(now),
            "bad_lines": bad_lines,
        }
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": _iso(now),
        "mode": snapshot.mode,
        "replay": replay,
        "watchlist": [symbol_json(s, snapshot) for s in analysis.symbols],
        "liquidations": liquidations_json(analysis.liquidations, analysis),
        "etf": {e.asset: etf_json(e) for e in analysis.etf},
        "fear": fear_json(snapshot),
        "macro": macro_json(snapshot),
        "market": market_json(snapshot),
        "gauge": gauge_json(analysis),
        "serving": dict(sorted(serving.items())),
        "sources": [
            status_json(s, now, snapshot.held.get(name, ())) for name, s in sorted(snapshot.statuses.items())
        ],
        **(radar_json(radar) if radar is not None else {}),
    }


def radar_json(radar: Radar) -> dict[str, Any]:
    """The radar's keys: ``derivatives``, ``liquidation_map``, ``correlation``, ``recovery``,
    ``risk_off``, and with configured positions ``positions`` and ``portfolio``."""
    from crashtui.analysis.correlation import correlation_json
    from crashtui.analysis.derivatives import to_json as derivatives_json
    from crashtui.analysis.liqmap import to_json as liqmap_json
    from crashtui.analysis.recovery import checklist_json
    from crashtui.analysis.risk_off import risk_off_json
    from crashtui.risk.report import portfolio_json, positions_json

    out: dict[str, Any] = {
        "derivatives": derivatives_json(radar.derivatives),
        "liquidation_map": liqmap_json(radar.liquidation_maps.values()),
        "correlation": correlation_json(radar.correlations),
        "recovery": checklist_json(radar.recovery),
        "risk_off": risk_off_json(radar.risk_off) if radar.risk_off is not None else None,
    }
    if radar.portfolio is not None:
        out["positions"] = positions_json(radar.portfolio)
        out["portfolio"] = portfolio_json(radar.portfolio)
    return out
