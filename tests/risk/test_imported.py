"""Imported positions in the evaluation and its JSON: the exchange's liquidation price beside ours."""

from __future__ import annotations

from dataclasses import replace

from crashtui.risk.evaluate import MarketView, evaluate
from crashtui.risk.position import Position, PositionSide, Venue
from crashtui.risk.report import position_json

NOW = 1_765_000_000_000
BTC = Position("BTC", PositionSide.LONG, 62_000.0, 10.0, size=0.5, venue=Venue.BINANCE)  # ours: 56,024


def test_own_position_has_no_exchange_figure() -> None:
    risk = evaluate([BTC], {"BTC": MarketView(mark=61_000.0)}).positions[0]
    assert risk.venue_liquidation_price is None
    assert not risk.liquidation_differs
    doc = position_json(risk)
    assert doc["imported"] is False
    assert doc["imported_at"] is None
    assert doc["exchange_liquidation_price"] is None


def test_close_figures_agree_far_ones_are_shown_both() -> None:
    near = replace(BTC, imported_ms=NOW, opened_ms=NOW, venue_liquidation_price=56_050.0)
    far = replace(near, venue_liquidation_price=54_000.0)
    risks = evaluate([near, far], {"BTC": MarketView(mark=61_000.0)}).positions
    assert not risks[0].liquidation_differs
    assert not [n for n in risks[0].notes if "reports liquidation" in n]
    assert risks[1].liquidation_differs
    assert risks[1].liquidation_gap_pct is not None
    assert 3.0 < risks[1].liquidation_gap_pct < 4.0
    assert any("binance reports liquidation at 54,000, our estimate is 56,024" in n for n in risks[1].notes)
    doc = position_json(risks[1])
    assert doc["imported"] is True
    assert doc["imported_at"] == "2025-12-06T05:46:40Z"
    assert doc["exchange_liquidation_price"] == 54_000.0


def test_exchange_liquidates_where_we_see_none() -> None:
    low = Position(
        "BTC", PositionSide.LONG, 62_000.0, 1.0, size=0.5, imported_ms=NOW, venue_liquidation_price=100.0
    )
    risk = evaluate([low], {}).positions[0]
    assert risk.liquidation_price is None
    assert risk.liquidation_differs
