"""Estimated liquidation map: hand-worked examples of every model step.

Shared setup unless a test says otherwise: 5-minute steps from T0, bars of high 100.5 / low 99.5
/ close 100 (typical price (100.5 + 99.5 + 100) / 3 = 100), one 10x tier, flat maintenance
margin 0.5 % on the mark basis, so a long opened at 100 liquidates at
100 · (1 − 1/10) / (1 − 0.005) = 90.4523 and a short at 100 · (1 + 1/10) / (1 + 0.005) = 109.4527.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest

from crashtui.analysis.liqmap import (
    DEFAULT_TIERS,
    LeverageTier,
    LiqLevel,
    LiqMap,
    LiqMapParams,
    OiPoint,
    PriceBar,
    TakerFlow,
    VenueInput,
    VenueMargin,
    bars_from_candles,
    build_liq_map,
    clusters,
    clusters_within,
    consume,
    flat_mmr,
    hyperliquid_margin,
    largest_clusters,
    liq_price,
    merge_levels,
    mmr_by_leverage,
    oi_points_from_snapshots,
    to_json,
    venue_margin,
)
from crashtui.analysis.liqmap.align import align_steps, clean_bars
from crashtui.model import Candle, FundingSnapshot, Interval

P = 300_000
T0 = 1_770_386_400_000  # 2026-02-06 14:00Z
LONG_LIQ = 100.0 * 0.9 / 0.995  # 90.4523
SHORT_LIQ = 100.0 * 1.1 / 1.005  # 109.4527
TEN_X = LiqMapParams(tiers=(LeverageTier(10.0, 1.0),), bucket_usd=0.5)
MARGIN = VenueMargin(flat_mmr(0.005), "mark")


def rows(levels: tuple[LiqLevel, ...]) -> list[tuple[object, ...]]:
    return [(lv.low, lv.high, lv.side, lv.est_usd) for lv in levels]


def flat_bars(n: int, high: float = 100.5, low: float = 99.5, close: float = 100.0) -> list[PriceBar]:
    return [PriceBar(T0 + i * P, P, high, low, close, 10.0) for i in range(n)]


def oi(*coins: float) -> tuple[OiPoint, ...]:
    """OI points every 5 minutes from T0, in coins (USD at 100)."""
    return tuple(OiPoint(T0 + i * P, c * 100.0, P, c) for i, c in enumerate(coins))


def buys(*shares: float) -> tuple[TakerFlow, ...]:
    """One taker row per step: ``share`` of 10 units bought."""
    return tuple(TakerFlow(T0 + i * P, 10.0 * s, 10.0 * (1 - s)) for i, s in enumerate(shares))


def build(
    points: tuple[OiPoint, ...],
    taker: tuple[TakerFlow, ...],
    bars: list[PriceBar],
    params: LiqMapParams = TEN_X,
    margin: VenueMargin = MARGIN,
    price: float | None = None,
) -> LiqMap:
    return build_liq_map("BTC", [VenueInput("binance", points, taker, margin)], bars, params, price=price)


# --- liquidation price formulas against the notes' worked examples -----------------------------


def test_liq_price_matches_venue_examples() -> None:
    # Bybit V example 1 (liquidation-price.md #5): 1 BTC at 20,000, 50x, MMR 0.5 %, entry basis.
    assert liq_price(20_000, 50, 0.005, "long", "entry") == pytest.approx(19_700.0)
    # Hyperliquid R #10: 100,000, 10x, l = 1/80 → 100,000 · 0.9 / (1 − 0.0125) = 91,139.24.
    assert liq_price(100_000, 10, 1 / 80, "long", "mark") == pytest.approx(91_139.24, abs=0.005)
    # OKX R #8/#9: 60,000, 10x, MMR 0.4 % + taker fee 0.05 % = the default OKX rate 0.45 %.
    okx = venue_margin("okx").mmr_for(100_000, 10)
    assert liq_price(60_000, 10, okx, "long", "mark") == pytest.approx(54_244.10, abs=0.005)
    assert liq_price(60_000, 10, okx, "short", "mark") == pytest.approx(65_704.33, abs=0.005)
    # Binance R #3 (20x, tier 2 MMR 0.5 %, cum 50) is 57,236.18; the model ignores cum, which
    # moves the price by cum / (Q · (1 − MMR)) = 50 / 0.995 = 50.25 for this 1-BTC position.
    assert liq_price(60_000, 20, 0.005, "long", "mark") == pytest.approx(57_236.18 + 50 / 0.995, abs=0.005)


def test_venue_defaults_and_mmr_helpers() -> None:
    assert venue_margin("bybit").mm_basis == "entry"
    assert venue_margin("binance").mm_basis == "mark"
    assert venue_margin("someday-dex") is venue_margin("binance")
    assert hyperliquid_margin(40).mmr_for(1e6, 10) == pytest.approx(0.0125)  # 1 / (2 · 40)
    table = mmr_by_leverage({100: 0.005, 50: 0.01}, default=0.004)
    assert (table(1.0, 100), table(1.0, 50.0), table(1.0, 5)) == (0.005, 0.01, 0.004)
    with pytest.raises(ValueError, match="rate"):
        flat_mmr(math.nan)


# --- placing an OI increase ----------------------------------------------------------------------


def test_single_increase_all_taker_buys_lands_at_long_liq() -> None:
    m = build(oi(10, 20), buys(1.0), flat_bars(2))
    # 10 coins opened at 100, all long, all 10x; valued at the liquidation price.
    assert rows(m.levels) == [(90.0, 90.5, "long", pytest.approx(10 * LONG_LIQ))]
    assert m.estimate is True
    assert m.at_ms == T0 + P
    assert m.price == 100.0  # the last bar's close
    assert m.total_usd() == pytest.approx(904.52, abs=0.01)
    assert m.taker_known == 1.0
    assert m.oi_usd == 2000.0


def test_entry_basis_gives_bybits_price() -> None:
    bybit = VenueMargin(flat_mmr(0.004), "entry")
    m = build(oi(10, 20), buys(1.0), flat_bars(2), LiqMapParams((LeverageTier(10, 1),), 1.0), bybit)
    # 100 · (1 − 0.1 + 0.004) = 90.4; the mark basis would give 100 · 0.9 / 0.996 = 90.361.
    assert rows(m.levels) == [(90.0, 91.0, "long", pytest.approx(904.0))]


def test_short_side_mirror() -> None:
    m = build(oi(10, 20), buys(0.0), flat_bars(2))
    assert rows(m.levels) == [(109.0, 109.5, "short", pytest.approx(10 * SHORT_LIQ))]


def test_taker_split_and_damping() -> None:
    m = build(oi(10, 20), buys(0.6), flat_bars(2))
    assert m.total_usd("long") == pytest.approx(6 * LONG_LIQ)
    assert m.total_usd("short") == pytest.approx(4 * SHORT_LIQ)
    # taker_weight 0.5: share 0.5 + 0.5 · (1.0 − 0.5) = 0.75 long.
    damped = LiqMapParams((LeverageTier(10, 1),), 0.5, taker_weight=0.5)
    m = build(oi(10, 20), buys(1.0), flat_bars(2), damped)
    assert m.total_usd("long") == pytest.approx(7.5 * LONG_LIQ)
    assert m.total_usd("short") == pytest.approx(2.5 * SHORT_LIQ)


def test_no_taker_row_splits_evenly_and_says_so() -> None:
    m = build(oi(10, 20), (), flat_bars(2))
    assert m.total_usd("long") == pytest.approx(5 * LONG_LIQ)
    assert m.total_usd("short") == pytest.approx(5 * SHORT_LIQ)
    assert m.taker_known == 0.0


def test_entry_is_volume_weighted_typical_price_of_the_steps_bars() -> None:
    # A 10-minute OI step over two 5-minute bars: typical 100 (volume 30) and 110 (volume 10):
    # VWAP (100·30 + 110·10) / 40 = 102.5 → long liquidation 102.5 · 0.9 / 0.995 = 92.7136.
    bars = [PriceBar(T0, P, 100.5, 99.5, 100.0, 30.0), PriceBar(T0 + P, P, 110.5, 109.5, 110.0, 10.0)]
    points = (OiPoint(T0, 1000.0, 2 * P, 10.0), OiPoint(T0 + 2 * P, 2000.0, 2 * P, 20.0))
    m = build(points, buys(1.0), bars, LiqMapParams((LeverageTier(10, 1),), 0.01))
    (level,) = m.levels
    assert level.low == pytest.approx(92.71)
    assert level.est_usd == pytest.approx(10 * 102.5 * 0.9 / 0.995)


def test_coarse_bars_use_the_bar_containing_the_step() -> None:
    # 5-minute OI inside one hourly candle: entry is that candle's typical (120 + 80 + 100) / 3.
    candle = Candle("BTC", Interval.H1, T0, 100.0, 120.0, 80.0, 100.0, 5.0, "test")
    m = build(oi(10, 20), buys(1.0), bars_from_candles([candle]), LiqMapParams((LeverageTier(10, 1),), 0.5))
    assert m.total_usd() == pytest.approx(10 * 100.0 * 0.9 / 0.995)
    # The candle's own low (80) is not "after" the step, so the level at 90.45 stays.
    assert len(m.levels) == 1


def test_usd_only_oi_is_converted_at_the_price_of_the_moment() -> None:
    # 10 coins throughout; price 100 then 110: OI in USD rises 1000 → 1100 with nothing opened.
    bars = [*flat_bars(1), PriceBar(T0 + P, P, 110.5, 109.5, 110.0, 10.0), *[
        PriceBar(T0 + k * P, P, 110.5, 109.5, 110.0, 10.0) for k in (2,)]]  # fmt: skip
    points = (OiPoint(T0 + P, 1000.0, P), OiPoint(T0 + 2 * P, 1100.0, P))
    assert build(points, buys(1.0, 1.0, 1.0), bars).levels == ()
    # A real rise: 1000 (10 coins at 100) → 2200 at 110 = 20 coins: 10 coins opened at 110.
    points = (OiPoint(T0 + P, 1000.0, P), OiPoint(T0 + 2 * P, 2200.0, P))
    m = build(points, buys(1.0, 1.0, 1.0), bars)
    assert m.total_usd() == pytest.approx(10 * 110.0 * 0.9 / 0.995)


# --- removal -------------------------------------------------------------------------------------


def test_price_path_through_the_level_removes_it() -> None:
    opened = (oi(10, 20), buys(1.0))
    stays = [*flat_bars(2), PriceBar(T0 + 2 * P, P, 100.0, LONG_LIQ + 0.01, 95.0, 10.0)]
    assert build(*opened, stays).total_usd() == pytest.approx(10 * LONG_LIQ)
    # A wick exactly to the liquidation price counts (inclusive), and recovering does not bring
    # the positions back (path survivorship).
    through = [*flat_bars(2), PriceBar(T0 + 2 * P, P, 100.0, LONG_LIQ, 95.0, 10.0), *[
        PriceBar(T0 + k * P, P, 100.5, 99.5, 100.0, 10.0) for k in (3, 4)]]  # fmt: skip
    assert build(*opened, through).levels == ()
    # The live price beyond the level removes it too.
    assert build(*opened, flat_bars(2), price=90.0).levels == ()


def test_short_removed_by_a_high_through_it() -> None:
    bars = [*flat_bars(2), PriceBar(T0 + 2 * P, P, SHORT_LIQ, 100.0, 105.0, 10.0)]
    assert build(oi(10, 20), buys(0.0), bars).levels == ()


def test_wick_inside_the_entry_step_does_not_remove() -> None:
    # The entry bar's low (80) may have come before the positions opened.
    bars = [PriceBar(T0, P, 120.0, 80.0, 100.0, 10.0)]  # typical 100
    m = build(oi(10, 20), buys(1.0), bars)
    assert m.total_usd() == pytest.approx(10 * LONG_LIQ)


def test_oi_falling_by_half_halves_the_remaining() -> None:
    m = build(oi(10, 20, 10), buys(1.0, 1.0), flat_bars(3))
    assert m.total_usd() == pytest.approx(5 * LONG_LIQ)  # 10 coins · 10 / 20
    # Falls before the positions opened do not touch them: 20 → 10 → 20 opens 10, keeps 10.
    m = build(oi(20, 10, 20), buys(1.0, 1.0), flat_bars(3))
    assert m.total_usd() == pytest.approx(10 * LONG_LIQ)
    # Two falls compound: 20 → 15 → 10 keeps 10 · 3/4 · 2/3 = 5 of the 10 opened at step one.
    m = build(oi(10, 20, 15, 10), buys(1.0, 1.0, 1.0), flat_bars(4))
    assert m.total_usd() == pytest.approx(5 * LONG_LIQ)
    # OI to zero closes everything.
    assert build(oi(10, 20, 0), buys(1.0, 1.0), flat_bars(3)).levels == ()


# --- tiers and buckets ---------------------------------------------------------------------------


def test_default_tiers_spread_one_increase() -> None:
    m = build(oi(10, 20), buys(1.0), flat_bars(2), LiqMapParams(bucket_usd=0.01))
    by_low = {round(lv.low, 2): lv.est_usd for lv in m.levels}
    # liq = 100 · (1 − 1/L) / 0.995, coins 10 · weight, valued at liq.
    for lev, weight in ((5, 0.15), (10, 0.30), (25, 0.25), (50, 0.20), (100, 0.10)):
        liq = 100 * (1 - 1 / lev) / 0.995
        assert by_low[math.floor(liq * 100) / 100] == pytest.approx(10 * weight * liq)
    assert sum(t.weight for t in DEFAULT_TIERS) == pytest.approx(1.0)


def test_venue_caps_drop_tiers_and_renormalise() -> None:
    # Hyperliquid BTC (max 40x, MMR 1.25 %): 50x and 100x go, 5/10/25x keep 0.15/0.30/0.25 of 0.70.
    m = build(oi(10, 20), buys(1.0), flat_bars(2), LiqMapParams(bucket_usd=0.01), hyperliquid_margin(40))
    assert len(m.levels) == 3
    liq10 = 100 * 0.9 / (1 - 0.0125)
    assert max(m.levels, key=lambda lv: lv.low <= liq10 < lv.high).est_usd == pytest.approx(
        10 * 0.30 / 0.70 * liq10
    )
    # A rate above half the initial margin (1 % at 100x > 0.5 %) means the venue has no such tier.
    margin = VenueMargin(mmr_by_leverage({100: 0.01}), "mark")
    m = build(oi(10, 20), buys(1.0), flat_bars(2), LiqMapParams(bucket_usd=0.01), margin)
    assert len(m.levels) == 4


def test_close_liquidations_merge_into_one_bucket() -> None:
    # Entries 100 and 100.2 → 90.4523 and 90.6332: one 1-wide bucket, two 0.5-wide ones.
    bars = [*flat_bars(1), PriceBar(T0 + P, P, 100.7, 99.7, 100.2, 10.0)]
    m = build(oi(10, 20, 30), buys(1.0, 1.0), bars, LiqMapParams((LeverageTier(10, 1),), 1.0))
    expected = 10 * LONG_LIQ + 10 * 100.2 * 0.9 / 0.995
    assert rows(m.levels) == [(90.0, 91.0, "long", pytest.approx(expected))]
    fine = build(oi(10, 20, 30), buys(1.0, 1.0), bars)
    assert [(lv.low, lv.high) for lv in fine.levels] == [(90.0, 90.5), (90.5, 91.0)]
    assert rows(merge_levels(fine.levels, 1.0)) == [(90.0, 91.0, "long", pytest.approx(expected))]


def test_venues_add_up_in_shared_buckets() -> None:
    venues = [VenueInput(v, oi(10, 20), buys(1.0), MARGIN) for v in ("binance", "okx")]
    m = build_liq_map("BTC", venues, flat_bars(2), TEN_X)
    assert rows(m.levels) == [(90.0, 90.5, "long", pytest.approx(20 * LONG_LIQ))]
    assert m.venues == ("binance", "okx")
    assert m.oi_usd == 4000.0


def test_auto_bucket_is_a_round_tenth_of_a_percent() -> None:
    assert build(oi(10, 20), buys(1.0), flat_bars(2), LiqMapParams()).bucket_usd == pytest.approx(0.1)
    bars = [PriceBar(T0 + i * P, P, 70_100, 69_900, 70_000, 1.0) for i in range(2)]
    assert build((), (), bars, LiqMapParams()).bucket_usd == 50.0


# --- hostile and empty inputs --------------------------------------------------------------------


def test_empty_inputs() -> None:
    m = build_liq_map("BTC", [], [])
    assert (m.levels, m.price, m.at_ms, m.taker_known) == ((), None, None, None)
    assert build((), (), flat_bars(2)).levels == ()
    assert build(oi(10), buys(1.0), flat_bars(2)).levels == ()  # one point, no step
    assert build(oi(10, 20), buys(1.0), []).levels == ()  # no price to place it at
    assert to_json([m])["BTC"]["levels"] == []


def test_nan_and_bad_rows_are_dropped_and_counted() -> None:
    points = (
        *oi(10, 20),
        OiPoint(T0 + 2 * P, math.nan, P),
        OiPoint(T0 + 3 * P, math.inf, P, 5.0),
        OiPoint((T0 + 4 * P) // 1000, 100.0, P, 1.0),  # seconds, not ms
        OiPoint(T0 + 5 * P, -5.0, P, 1.0),
    )
    bars = [
        *flat_bars(2),
        PriceBar(T0 + 2 * P, P, math.nan, 1.0, 1.0),
        PriceBar(T0 + 3 * P, P, 1.0, 2.0, 1.5),
    ]
    taker = (*buys(1.0), TakerFlow(T0 + P, math.nan, 1.0))
    m = build(points, taker, bars)
    assert m.total_usd() == pytest.approx(10 * LONG_LIQ)
    assert m.dropped == 6  # four OI points, two bars (the NaN taker row only adds no taker data)


def test_unsorted_and_duplicate_input_gives_the_same_map() -> None:
    ordered = build(oi(10, 20, 15, 30), buys(1.0, 0.5, 0.0), flat_bars(4))
    points = oi(10, 20, 15, 30)
    shuffled = (points[2], points[0], OiPoint(T0 + 3 * P, 999.0, P, 99.0), points[3], points[1])
    taker = buys(1.0, 0.5, 0.0)
    bars = flat_bars(4)
    m = build(shuffled, (taker[2], taker[0], taker[1]), [bars[3], bars[1], bars[0], bars[2]])
    assert m.levels == ordered.levels
    assert len(m.levels) == 2  # the duplicate row (99 coins) came first and lost to the later one


def test_huge_numbers_never_become_inf() -> None:
    m = build(oi(10, 1e306), buys(1.0), flat_bars(2))
    assert all(math.isfinite(lv.est_usd) for lv in m.levels)
    bars = [PriceBar(T0 + i * P, P, 1e307, 1e307, 1e307, 1.0) for i in range(2)]
    m = build(oi(10, 20), buys(1.0), bars, LiqMapParams((LeverageTier(10, 1),), 1.0))
    assert m.levels == ()  # the bucket index would overflow: left out, not crashed


def test_bad_mmr_function_and_params_raise_valueerror() -> None:
    with pytest.raises(ValueError, match="mmr_for"):
        build(oi(10, 20), buys(1.0), flat_bars(2), margin=VenueMargin(lambda n, lev: math.nan))
    with pytest.raises(ValueError):
        LiqMapParams(tiers=())
    with pytest.raises(ValueError):
        LiqMapParams(bucket_usd=0.0)
    with pytest.raises(ValueError):
        LiqMapParams(taker_weight=1.5)


def test_gaps_are_counted() -> None:
    points = (*oi(10, 20), OiPoint(T0 + 10 * P, 3000.0, P, 30.0))
    assert build(points, buys(1.0), flat_bars(11)).gaps == 1


# --- queries -------------------------------------------------------------------------------------


def _map(levels: list[LiqLevel], price: float = 100.0) -> LiqMap:
    return LiqMap("BTC", T0, tuple(levels), price, 0.1)


def test_largest_clusters_above_and_below() -> None:
    m = _map([
        LiqLevel(95.0, 95.1, "long", 10.0),
        LiqLevel(97.0, 97.1, "long", 30.0),
        LiqLevel(97.1, 97.2, "long", 25.0),  # with 97.0: one 55 cluster within 0.5 % (0.5)
        LiqLevel(98.0, 98.1, "long", 50.0),
        LiqLevel(103.0, 103.1, "short", 40.0),
    ])  # fmt: skip
    above, below = largest_clusters(m, n=2)
    assert [(c.low, c.high, c.est_usd) for c in below] == [(97.0, 97.2, 55.0), (98.0, 98.1, 50.0)]
    assert [(c.side, c.est_usd) for c in above] == [("short", 40.0)]
    assert above[0].distance_pct == pytest.approx(3.0)  # (103 − 100) / 100
    assert below[0].distance_pct == pytest.approx(-2.8)  # (97.2 − 100) / 100
    # A wider band takes 97–98.1 together: 30 + 25 + 50 = 105.
    assert clusters(m, "long", width_pct=1.2, limit=1)[0].est_usd == 105.0


def test_clusters_within_for_the_alert() -> None:
    m = _map([LiqLevel(98.0, 98.1, "long", 50.0), LiqLevel(95.0, 95.1, "long", 500.0)])
    near = clusters_within(m, 2.0, min_usd=40.0)
    assert [(c.low, c.est_usd) for c in near] == [(98.0, 50.0)]  # 1.9 % away; the big one is 4.9 %
    assert clusters_within(m, 2.0, min_usd=60.0) == []
    assert clusters_within(m, 5.0, min_usd=60.0)[0].est_usd == 500.0
    assert clusters_within(m, 2.0, price=96.0)[0].low == 95.0  # a newer price moves the question
    assert clusters_within(_map([], price=100.0), 5.0) == []


def test_distance_is_to_the_nearer_edge() -> None:
    lv = LiqLevel(99.0, 101.0, "long", 1.0)
    assert lv.distance_pct(100.0) == 0.0
    assert lv.distance_pct(110.0) == pytest.approx(-100 * 9 / 110)
    assert lv.distance_pct(95.0) == pytest.approx(100 * 4 / 95)


def test_to_json_shape() -> None:
    m = build(oi(10, 20), buys(1.0), flat_bars(2))
    doc = to_json([m])
    assert set(doc) == {"BTC"}
    body = doc["BTC"]
    assert body["estimate"] is True
    assert body["at"] == "2026-02-06T14:05:00Z"
    assert body["levels"] == [
        {"low": 90.0, "high": 90.5, "side": "long", "est_usd": 904.52, "distance_pct": -9.5}
    ]
    assert body["total_short_usd"] == 0.0
    assert body["venues"] == ["binance"]


# --- between rebuilds ----------------------------------------------------------------------------


def test_consume_takes_out_what_the_live_range_crossed() -> None:
    m = _map([
        LiqLevel(90.0, 91.0, "long", 100.0),
        LiqLevel(95.0, 96.0, "long", 10.0),
        LiqLevel(104.0, 105.0, "short", 40.0),
        LiqLevel(110.0, 111.0, "short", 50.0),
    ])  # fmt: skip
    # Low 95.25 crossed 3/4 of the 95–96 bucket (estimates spread evenly): 2.5 left; the high
    # 104.5 crossed half of 104–105: 20 left. Others untouched.
    after = consume(m, 95.25, 104.5, price=99.0, at_ms=T0 + P)
    assert rows(after.levels) == [
        (90.0, 91.0, "long", 100.0),
        (95.0, 95.25, "long", pytest.approx(2.5)),
        (104.5, 105.0, "short", pytest.approx(20.0)),
        (110.0, 111.0, "short", 50.0),
    ]
    assert (after.price, after.at_ms, after.estimate) == (99.0, T0 + P, True)
    # Reaching a bucket's far edge removes it; running the same range again changes nothing.
    gone = consume(m, 90.0, 111.0)
    assert gone.levels == ()
    assert consume(after, 95.25, 104.5).levels == after.levels
    assert consume(m, math.nan, -1.0).levels == m.levels  # bad bounds are ignored


def test_consume_agrees_with_a_rebuild_at_bucket_edges() -> None:
    # A later bar with low 90.0 (the bucket's low edge) takes the whole 90.0–90.5 level either way.
    built = build(oi(10, 20), buys(1.0), flat_bars(2))
    rebuilt = build(oi(10, 20), buys(1.0), [*flat_bars(2), PriceBar(T0 + 2 * P, P, 100.0, 90.0, 95.0, 1.0)])
    assert consume(built, 90.0, 100.0).levels == rebuilt.levels == ()


# --- the vectorised alignment against a plain loop ----------------------------------------------


def test_alignment_matches_a_plain_loop_on_random_history() -> None:
    rng = random.Random(5)
    bars = [PriceBar(T0 + i * P, P, 101 + rng.random(), 99 - rng.random(), 100 + rng.uniform(-1, 1),
                     rng.choice([0.0, rng.uniform(1, 9)])) for i in range(60)]  # fmt: skip
    # OI every 5 or 10 minutes (some steps hold two bars), taker rows on a random subset.
    ts = sorted({T0 + P * k for k in rng.sample(range(60), 35)})
    points = [OiPoint(t, 0.0, P, rng.uniform(50, 100)) for t in ts]
    flows = [TakerFlow(T0 + i * P, rng.random(), rng.random()) for i in range(60) if rng.random() < 0.7]
    steps = align_steps(points, flows, clean_bars(bars), 1.0, None)
    for k, (a, b) in enumerate(itertools.pairwise(points)):
        inside = [x for x in bars if a.ts_ms <= x.open_ms < b.ts_ms]
        vol = sum(x.volume for x in inside)
        tp = [(x.high + x.low + x.close) / 3 for x in inside]
        want = sum(t * x.volume for t, x in zip(tp, inside, strict=True)) / vol if vol else sum(tp) / len(tp)
        assert steps.entry[k] == pytest.approx(want)
        taken = [f for f in flows if a.ts_ms <= f.ts_ms < b.ts_ms]
        buy, sell = sum(f.buy for f in taken), sum(f.sell for f in taken)
        assert steps.long_share[k] == pytest.approx(buy / (buy + sell) if taken else 0.5)
        assert steps.opened[k] == pytest.approx(max(0.0, b.oi_base - a.oi_base))  # type: ignore[operator]
        later = [x for x in bars if x.open_ms >= b.ts_ms]
        assert steps.low_after[k] == (min(x.low for x in later) if later else math.inf)
        keep = 1.0
        for c, d in itertools.pairwise(points[k + 1 :]):
            if d.oi_base < c.oi_base:  # type: ignore[operator]
                keep *= d.oi_base / c.oi_base  # type: ignore[operator]
        assert steps.survival[k] == pytest.approx(keep)


def test_map_forms_in_a_rally_and_is_consumed_by_the_drop() -> None:
    # 20 steps of rally (typical 100 → 109.5, OI +1 coin a step, 70 % taker buys), then a drop
    # to a low of exactly 95.0 with OI flat. Bucket 0.5, so 95.0 is a bucket edge.
    rally = [PriceBar(T0 + i * P, P, 100.5 + i / 2, 99.5 + i / 2, 100.0 + i / 2, 10.0) for i in range(20)]
    lows = (106.0, 103.0, 100.0, 95.0)
    drop = [PriceBar(T0 + (20 + i) * P, P, 109.0 - 3 * i, low, low + 1, 10.0) for i, low in enumerate(lows)]
    points = oi(*[10.0 + i for i in range(21)], *[30.0] * 4)
    taker = buys(*[0.7] * 24)
    params = LiqMapParams(bucket_usd=0.5)
    before = build(points[:21], taker, rally, params, venue_margin("binance"))
    after = build(points, taker, rally + drop, params, venue_margin("binance"))
    assert before.total_usd("long") > 0
    # Nothing new opened in the drop and OI did not fall: the drop only removes longs whose
    # liquidation price it reached (≥ 95.0); shorts far above are untouched.
    survivors = [lv for lv in before.levels if lv.side == "short" or lv.high <= 95.0]
    assert rows(after.levels) == rows(tuple(survivors))
    assert after.total_usd("long") < before.total_usd("long")
    assert after.total_usd("short") == pytest.approx(before.total_usd("short"))
    # Between rebuilds, consume() with the drop's range gives the same map.
    assert consume(before, 95.0, 109.0).levels == after.levels


def test_oi_points_from_funding_snapshots() -> None:
    snaps = [
        FundingSnapshot("bybit", "BTC", T0, open_interest_base=10.0, open_interest_usd=1000.0),
        FundingSnapshot("bybit", "BTC", T0 + P, mark_price=100.0, open_interest_base=20.0),  # 20 · 100
        FundingSnapshot("bybit", "BTC", T0 + 2 * P, open_interest_base=30.0),  # no way to value it
        FundingSnapshot("bybit", "ETH", T0, open_interest_usd=5.0),
        FundingSnapshot("okx", "BTC", T0, open_interest_usd=5.0),
    ]
    assert oi_points_from_snapshots(snaps, "bybit", "BTC", P) == [
        OiPoint(T0, 1000.0, P, 10.0),
        OiPoint(T0 + P, 2000.0, P, 20.0),
    ]


def test_clusters_of_levels_wider_than_the_band() -> None:
    # Merged 5-wide levels with a 0.5-wide band: each level is a cluster of its own.
    m = _map([LiqLevel(90.0, 95.0, "long", 10.0), LiqLevel(95.0, 100.0, "long", 20.0)])
    assert [(c.low, c.est_usd) for c in clusters(m, "long")] == [(95.0, 20.0), (90.0, 10.0)]
