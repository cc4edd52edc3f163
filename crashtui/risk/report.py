"""JSON shapes of the risk results (``--once --json`` key ``positions`` and the portfolio line).

Every number is finite or null; times are epoch ms plus an ISO string for people.
"""

from __future__ import annotations

import math
from typing import Any

from crashtui.risk.evaluate import Portfolio, PositionRisk, Shock
from crashtui.timeparse import iso_utc


def _num(value: float | None, digits: int = 8) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def _shock(shock: Shock) -> dict[str, Any]:
    return {
        "label": shock.label,
        "move_pct": _num(shock.move_pct, 4),
        "price": _num(shock.price),
        "pnl_usd": _num(shock.pnl_usd, 2),
        "survives": shock.survives,
    }


def position_json(risk: PositionRisk) -> dict[str, Any]:
    """One position as JSON: symbol, side, entry, leverage, mark, pnl_usd, liquidation_price, …"""
    p = risk.position
    liq = risk.liquidation
    tier = liq.tier
    return {
        "symbol": p.symbol,
        "side": p.side.value,
        "venue": p.venue.value,
        "margin": p.margin.value,
        "size": _num(p.qty),
        "size_usd": _num(p.entry_notional, 2),
        "entry": _num(p.entry),
        "leverage": _num(p.leverage, 4),
        "effective_leverage": _num(risk.effective_leverage, 4),
        "wallet_usd": _num(p.wallet_usd, 2),
        "mark": _num(risk.mark),
        "notional_usd": _num(risk.notional_usd, 2),
        "margin_usd": _num(risk.margin_usd, 2),
        "pnl_usd": _num(risk.pnl_usd, 2),
        "pnl_pct": _num(risk.pnl_pct, 4),
        "liquidation_price": _num(risk.liquidation_price),
        "exchange_liquidation_price": _num(risk.venue_liquidation_price),
        "liquidation_tier": {
            "table": liq.table.table_id,
            "as_of": liq.table.as_of or None,
            "tier": liq.tier_index + 1,
            "mmr": tier.mmr,
            "deduction": tier.deduction,
        },
        "distance_pct": _num(risk.distance_pct, 4),
        "distance_atr": _num(risk.distance_atr, 4),
        "levels_between": [
            {"price": _num(lv.price), "kind": lv.kind.value, "label": lv.name} for lv in risk.levels_between
        ],
        "clusters_between": [
            {"price": _num(c.price), "usd": _num(c.usd, 2), "side": c.side.value}
            for c in risk.clusters_between
        ],
        "shocks": [_shock(s) for s in risk.shocks],
        "liquidated": risk.liquidated,
        "liquidated_at_ms": risk.liquidated_at_ms,
        "liquidated_at": iso_utc(risk.liquidated_at_ms) if risk.liquidated_at_ms is not None else None,
        "notes": list(risk.notes),
        "imported": p.imported,
        "imported_at": iso_utc(p.imported_ms) if p.imported_ms is not None else None,
    }


def positions_json(portfolio: Portfolio) -> list[dict[str, Any]]:
    """The ``positions`` list of ``--once --json``."""
    return [position_json(r) for r in portfolio.positions]


def portfolio_json(portfolio: Portfolio) -> dict[str, Any]:
    """The portfolio line as JSON: exposure, PnL, nearest liquidation, market-wide shocks."""
    nearest = portfolio.nearest
    return {
        "gross_exposure_usd": _num(portfolio.gross_exposure_usd, 2),
        "net_exposure_usd": _num(portfolio.net_exposure_usd, 2),
        "pnl_usd": _num(portfolio.pnl_usd, 2),
        "pnl_missing": portfolio.pnl_missing,
        "liquidated": portfolio.liquidated_count,
        "nearest_liquidation": None
        if nearest is None
        else {
            "symbol": nearest.position.symbol,
            "side": nearest.position.side.value,
            "liquidation_price": _num(nearest.liquidation_price),
            "distance_pct": _num(nearest.distance_pct, 4),
        },
        "shocks": [
            {"move_pct": s.move_pct, "pnl_usd": _num(s.pnl_usd, 2), "liquidated": list(s.liquidated)}
            for s in portfolio.shocks
        ],
    }
