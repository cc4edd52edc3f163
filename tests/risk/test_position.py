"""The Position model refuses impossible values itself (the app's editor builds them too)."""

from __future__ import annotations

import pytest

from crashtui.risk.position import MarginMode, Position, PositionSide, Venue


def make(**changes: object) -> Position:
    fields: dict[str, object] = {
        "symbol": "BTC",
        "side": PositionSide.LONG,
        "entry": 60_000.0,
        "leverage": 10.0,
    }
    if "size_usd" not in changes:
        fields["size"] = 0.5
    fields.update(changes)
    return Position(**fields)  # type: ignore[arg-type]


def test_derived_amounts() -> None:
    p = make()
    assert p.qty == 0.5
    assert p.entry_notional == 30_000.0
    assert p.initial_margin == 3_000.0
    assert p.pnl_at(58_000.0) == -1_000.0
    short = make(side=PositionSide.SHORT, size_usd=30_000.0)
    assert short.qty == 0.5
    assert short.pnl_at(58_000.0) == 1_000.0
    assert (p.margin, p.venue) == (MarginMode.ISOLATED, Venue.BINANCE)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"entry": float("nan")}, "entry: expected a number greater than 0"),
        ({"entry": 0.0}, "entry: expected a number greater than 0"),
        ({"leverage": 0.5}, "leverage: expected 1 to 500"),
        ({"leverage": float("inf")}, "leverage: expected a number"),
        ({"size_usd": 1_000.0, "size": 1.0}, "size: expected exactly one of size (coins) and size_usd"),
        ({"size": None}, "size: expected exactly one"),
        ({"size": 1e308}, "size: expected a number greater than 0 and at most 1e+12"),
        ({"size": 1e7, "entry": 1e6}, "size: expected a position worth at most $1e+12 at entry"),
        ({"wallet_usd": 5_000.0}, "wallet_usd: only applies to margin = cross"),
        ({"symbol": ""}, "symbol: expected a non-empty symbol"),
    ],
)
def test_impossible_positions_raise_value_error(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=None) as info:
        make(**changes)
    assert message in str(info.value)


def test_cross_wallet_is_accepted() -> None:
    assert make(margin=MarginMode.CROSS, wallet_usd=5_000.0).wallet_usd == 5_000.0
