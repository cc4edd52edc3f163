"""What ``crashtui positions import`` prints: one line per position, or a JSON document.

Each imported position is evaluated alone (no market data: our liquidation estimate needs only
the position and the venue's tiers) and shown with the exchange's own liquidation price when
it reported one. Symbols come from the exchange and pass through :func:`plain`.
"""

from __future__ import annotations

from typing import Any

from crashtui.exchanges.fetch import ImportResult
from crashtui.numfmt import fmt_price
from crashtui.risk.evaluate import PositionRisk, evaluate
from crashtui.risk.position import Position
from crashtui.textsafe import plain
from crashtui.timeparse import iso_utc


def _risks(positions: tuple[Position, ...]) -> tuple[PositionRisk, ...]:
    return evaluate(positions, {}).positions if positions else ()


def position_line(risk: PositionRisk) -> str:
    """``okx BTC long 0.5 @ 62,000 10x isolated · liq (est) 56,612 · okx liq 56,600``."""
    p = risk.position
    ours = fmt_price(risk.liquidation_price) if risk.liquidation_price is not None else "none"
    text = (
        f"{p.venue.value} {plain(p.symbol, 16)} {p.side.value} {p.qty:g} @ {fmt_price(p.entry)} "
        f"{p.leverage:g}x {p.margin.value} · liq (est) {ours}"
    )
    venue = risk.venue_liquidation_price
    if venue is not None:
        text += f" · {p.venue.value} liq {fmt_price(venue)}"
        if risk.liquidation_differs:
            text += " (differs)"
    return text


def import_lines(result: ImportResult) -> list[str]:
    """Every position found, then the skipped ones; a summary line when there are none."""
    out = [position_line(r) for r in _risks(result.positions)]
    out += [str(s) for v in result.venues for s in v.skipped]
    answered = [v.venue.value for v in result.venues if v.error is None]
    if not result.positions and answered:
        out.append(f"no open positions on {', '.join(answered)}")
    return out


def import_json(result: ImportResult) -> dict[str, Any]:
    """``{"fetched_at", "positions": [...], "skipped": [...], "errors": [...]}``."""
    positions = []
    for risk in _risks(result.positions):
        p = risk.position
        positions.append(
            {
                "venue": p.venue.value,
                "symbol": p.symbol,
                "side": p.side.value,
                "size": round(p.qty, 10),
                "entry": p.entry,
                "leverage": round(p.leverage, 4),
                "margin": p.margin.value,
                "liquidation_price": risk.liquidation_price,
                "exchange_liquidation_price": risk.venue_liquidation_price,
                "liquidation_differs": risk.liquidation_differs,
                "imported": True,
            }
        )
    return {
        "fetched_at": iso_utc(result.fetched_ms) if result.fetched_ms is not None else None,
        "positions": positions,
        "skipped": [
            {"venue": s.venue.value, "symbol": plain(s.symbol, 40), "reason": s.reason}
            for v in result.venues
            for s in v.skipped
        ],
        "errors": list(result.errors),
    }
