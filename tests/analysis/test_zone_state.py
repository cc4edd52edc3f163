"""The zone state machine on hand-built closes: every transition, and what price each state allows.

Zone 100–101 throughout, ATR 2: a break needs a close beyond the far edge by 0.25 × 2 = 0.5
(below 99.5 or above 101.5), "approaching" is within 1 × 2 = 2, two closes confirm a reclaim
or a role change. Candle i opens at T0 + i h and closes at T0 + (i + 1) h.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crashtui.analysis.indicators import candle_arrays
from crashtui.analysis.zone_state import (
    CONFIRM_CLOSES,
    LOST_STATES,
    STATES,
    PriceContext,
    StateResult,
    ZoneState,
    state_badge,
    zone_state,
)
from crashtui.model import Candle, Interval

H = 3_600_000
T0 = 1_770_336_000_000  # 2026-02-06 00:00Z
S = ZoneState


def run(closes: list[float], price: float, *, forming: bool = False) -> StateResult:
    candles = [
        Candle("X", Interval.H1, T0 + i * H, c, c + 0.05, c - 0.05, c, 0.0, "t") for i, c in enumerate(closes)
    ]
    arrays, _ = candle_arrays(candles)
    now = T0 + len(closes) * H + (H // 2 if forming else 0)
    ctx = PriceContext(
        arrays,
        H,
        price,
        now,
        2.0,
        forming_open_ms=T0 + len(closes) * H if forming else None,
        forming_high=max(price, closes[-1]) if forming else None,
        forming_low=min(price, closes[-1]) if forming else None,
    )
    return zone_state(100.0, 101.0, ctx, approach_atr=1.0, break_atr=0.25, state_window_h=48.0)


def close_of(i: int) -> int:
    return T0 + (i + 1) * H


def test_two_closes_confirm() -> None:
    assert CONFIRM_CLOSES == 2


@pytest.mark.parametrize(
    ("closes", "price", "state", "since"),
    [
        ([110, 110], 110.0, S.CLEAR, None),
        ([110, 105, 103], 102.5, S.APPROACHING, T0 + 2 * H),  # candle 2 (102.95..103.05) is in 98..103
        ([110, 105, 103], 100.5, S.TESTING, T0 + 3 * H),  # the price moved in after the last close
        # a close below but within the tolerance (99.6 > 99.5) breaks nothing
        ([103, 99.6], 99.6, S.APPROACHING, T0),  # both candles reach into 98..103
        # support: intact -> broke below; falling further without a retest is still "broke below"
        ([103, 99.4], 99.0, S.BROKE_BELOW, close_of(1)),
        ([103, 99.4, 98.0, 96.0], 96.0, S.BROKE_BELOW, close_of(1)),
        # a retest (a close inside the zone) rejected by a close below: support turned resistance
        ([103, 99.4, 100.5, 99.0], 99.0, S.SUPPORT_TURNED_RESISTANCE, close_of(3)),
        # broke below -> back above (one close) -> reclaimed (two closes in a row)
        ([103, 99.4, 101.5], 101.5, S.BACK_ABOVE, close_of(2)),
        ([103, 99.4, 101.5, 101.6], 101.8, S.RECLAIMED, close_of(3)),
        ([103, 99.4, 100.5, 99.0, 101.5], 101.5, S.BACK_ABOVE, close_of(4)),
        ([103, 99.4, 100.5, 99.0, 101.5, 102.0], 102.0, S.RECLAIMED, close_of(5)),
        # back above, then a close back below before the reclaim: a failed reclaim, now resistance
        ([103, 99.4, 101.5, 99.8], 99.8, S.SUPPORT_TURNED_RESISTANCE, close_of(3)),
        # reclaimed, then broken again: a new break
        ([103, 99.4, 101.5, 101.6, 99.3], 99.3, S.BROKE_BELOW, close_of(4)),
        # resistance: broke above -> retested -> resistance turned support; back below -> failed
        ([97, 101.6], 102.0, S.BROKE_ABOVE, close_of(1)),
        ([97, 101.6, 103.0], 103.0, S.BROKE_ABOVE, close_of(1)),
        ([97, 101.6, 100.5, 102.0], 102.0, S.RESISTANCE_TURNED_SUPPORT, close_of(3)),
        ([97, 101.6, 99.5], 99.5, S.BACK_BELOW, close_of(2)),
        ([97, 101.6, 99.5, 99.0], 98.0, S.BREAKOUT_FAILED, close_of(3)),
    ],
)
def test_transitions_on_closed_candles(
    closes: list[float], price: float, state: ZoneState, since: int | None
) -> None:
    r = run(closes, price)
    assert (r.state, r.since_ms) == (state, since)


def test_the_live_price_back_above_a_broken_support_is_back_above_not_broke() -> None:
    """No close above yet: the forming candle trades 101.3. The badge must not read BROKE."""
    r = run([103, 99.4], 101.3, forming=True)
    assert r.state is S.BACK_ABOVE
    assert r.since_ms == T0 + 2 * H  # the forming candle's open
    assert r.broken_ms == close_of(1)
    assert "BROKE" not in state_badge(r.state, "100", "100", "101")
    # the same for a support that had already turned resistance
    assert run([103, 99.4, 100.5, 99.0], 101.3, forming=True).state is S.BACK_ABOVE


def test_a_wick_into_the_zone_is_a_retest() -> None:
    """Broke below at candle 1; candle 2 wicks up to 100.2 and closes 99.0: rejected."""
    candles = [
        Candle("X", Interval.H1, T0 + i * H, o, h, lo, c, 0.0, "t")
        for i, (o, h, lo, c) in enumerate(
            [(103, 103, 103, 103), (103, 103, 99.4, 99.4), (99.4, 100.2, 98.9, 99.0)]
        )
    ]
    arrays, _ = candle_arrays(candles)
    ctx = PriceContext(arrays, H, 99.0, T0 + 3 * H, 2.0)
    r = zone_state(100.0, 101.0, ctx, approach_atr=1.0, break_atr=0.25, state_window_h=48.0)
    assert (r.state, r.since_ms) == (S.SUPPORT_TURNED_RESISTANCE, close_of(2))


def test_last_close_back_above_but_price_below_again_reads_as_the_break() -> None:
    r = run([103, 99.4, 101.5], 99.0, forming=True)
    assert (r.state, r.since_ms) == (S.BROKE_BELOW, close_of(1))
    r = run([103, 99.4, 100.5, 99.0, 101.5], 99.0, forming=True)
    assert (r.state, r.since_ms) == (S.SUPPORT_TURNED_RESISTANCE, close_of(3))


def test_reclaimed_needs_price_on_its_side() -> None:
    """Reclaimed, then the live price dips under the zone with no close: not 'reclaimed'."""
    r = run([103, 99.4, 101.5, 101.6], 99.0, forming=True)
    assert r.state is S.APPROACHING
    assert r.reclaimed_ms == close_of(3)


def test_reclaim_time_is_the_confirming_close() -> None:
    r = run([103, 99.4, 101.5, 101.6], 101.8)
    assert (r.broken_ms, r.reclaimed_ms) == (close_of(1), close_of(3))
    assert run([103, 99.4, 101.5], 101.5).reclaimed_ms is None


def test_every_state_reads_one_way() -> None:
    assert set(STATES) == set(ZoneState)
    assert STATES[S.BROKE_BELOW].words == "broke below"
    assert STATES[S.BROKE_ABOVE].words == "broke above"
    assert STATES[S.BACK_ABOVE].words == "back above, not reclaimed"
    assert STATES[S.SUPPORT_TURNED_RESISTANCE].words == "support turned resistance"
    assert {
        S.BROKE_BELOW,
        S.BROKE_ABOVE,
        S.SUPPORT_TURNED_RESISTANCE,
        S.RESISTANCE_TURNED_SUPPORT,
    } == LOST_STATES
    # only a break reads BROKE, and it says which way
    for state, look in STATES.items():
        assert ("BROKE" in look.badge) == (state in (S.BROKE_BELOW, S.BROKE_ABOVE))
        assert ("reclaimed" in look.words) == (state in (S.RECLAIMED, S.BACK_ABOVE))


# Where price must be for each state (the badge never contradicts the price).
WHERE = {
    S.TESTING: "inside",
    S.BROKE_BELOW: "below",
    S.SUPPORT_TURNED_RESISTANCE: "below",
    S.BACK_BELOW: "below",
    S.BREAKOUT_FAILED: "below",
    S.BROKE_ABOVE: "above",
    S.RESISTANCE_TURNED_SUPPORT: "above",
    S.BACK_ABOVE: "above",
    S.RECLAIMED: "above",
}


@settings(max_examples=300, deadline=None)
@given(
    closes=st.lists(st.floats(95.0, 106.0), min_size=1, max_size=30),
    price=st.floats(95.0, 106.0),
    forming=st.booleans(),
)
def test_no_state_contradicts_the_price(closes: list[float], price: float, forming: bool) -> None:
    r = run(closes, price, forming=forming)
    where = "inside" if 100.0 <= price <= 101.0 else "below" if price < 100.0 else "above"
    assert WHERE.get(r.state, where) == where
    if r.reclaimed_ms is not None and r.broken_ms is not None and r.state in (S.RECLAIMED, S.BREAKOUT_FAILED):
        assert r.reclaimed_ms > r.broken_ms


def test_docs_table_lists_every_state_as_the_code_reads_it() -> None:
    """docs/zones.md's table row for each state holds its JSON name, words and badge forms."""
    from pathlib import Path

    doc = (Path(__file__).parents[2] / "docs" / "zones.md").read_text(encoding="utf-8")
    rows = {line.split("|")[1].strip(" `"): line for line in doc.splitlines() if line.startswith("| `")}
    assert set(rows) == {s.value for s in ZoneState}
    for state, look in STATES.items():
        row = rows[state.value]
        cells = [c.strip() for c in row.split("|")[1:-1]]
        assert cells[3] == look.words, state
        assert cells[4] == look.tone + (", bold" if look.priority <= 2 else ""), state
        if look.badge:
            assert cells[1].strip("`").startswith(look.badge.split("{")[0]), state
            assert cells[2].strip("`").startswith(look.short.split("{")[0]), state
