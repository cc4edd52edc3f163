"""Liquidation-price formulas per venue, against the venues' worked examples and the tier rule.

Case numbers (#1..#11) are the test table of /work/shared/notes/liquidation-price.md §5:
V = the venue's own example and stated result, R = recomputed from the sourced formula.
"""

from __future__ import annotations

import math

import pytest

from crashtui.risk.liquidation import estimate, maintenance_margin, solve_price
from crashtui.risk.position import PositionSide, Venue
from crashtui.risk.tiers import Band, TableChoice, Tier, TierBook, TierTable, bundled_tiers

LONG, SHORT = PositionSide.LONG, PositionSide.SHORT


def one_tier(venue: Venue, asset: str, mmr: float, deduction: float) -> TableChoice:
    """A venue's worked example states its tier; this pins the estimate to it."""
    tier = Tier(0.0, None, mmr, deduction, 125.0)
    table = TierTable(venue.value, asset, asset, Band.NOTIONAL, True, "2020-01-01", "example", "", (tier,))
    return TableChoice(table)


@pytest.fixture
def book() -> TierBook:
    return bundled_tiers()


# --- Binance USD-M ---------------------------------------------------------------------------


def test_binance_faq_cross_example_eth_and_btc(book: TierBook) -> None:
    # #1 and #2 (V): the FAQ's cross-margin example, two longs sharing WB = 1,535,443.01.
    # W = WB − TMM1 + UPNL1 with the FAQ's listed TMM1/UPNL1 of the other contract.
    wb = 1_535_443.01
    eth = estimate(
        book,
        Venue.BINANCE,
        "ETH",
        LONG,
        3683.979,
        1456.84,
        wb - 71_200.81144 - 56_354.57,
        isolated=False,
        choice=one_tier(Venue.BINANCE, "ETH", 0.10, 135_365.0),
    )
    assert eth.price == pytest.approx(1153.26, abs=0.005)
    btc = estimate(
        book,
        Venue.BINANCE,
        "BTC",
        LONG,
        109.488,
        32_481.98,
        wb - 356_512.508 - 448_192.89,
        isolated=False,
        choice=one_tier(Venue.BINANCE, "BTC", 0.025, 16_300.0),
    )
    assert btc.price == pytest.approx(26_316.89, abs=0.005)


def test_binance_faq_tmm1_and_upnl1_are_the_other_contracts_mm_and_pnl(book: TierBook) -> None:
    # The FAQ lists TMM1 = 71,200.81144 for ETH: BTC's MM at mark = 109.488 × 31,967.27 × 2.5 % − 16,300.
    tiers = one_tier(Venue.BINANCE, "BTC", 0.025, 16_300.0).table
    custom = TierBook(book.rules, {("binance", "BTC"): tiers}, {}, Venue.BINANCE, book.generic)
    assert maintenance_margin(custom, Venue.BINANCE, "BTC", 109.488, 31_967.27) == pytest.approx(
        71_200.81144, abs=1e-4
    )


def test_binance_isolated_long_and_short_on_the_bundled_table(book: TierBook) -> None:
    # #3/#4 (R): 1 BTC at 60,000, 20x → WB = 3,000; notional 60k is tier 2 (0.5 %, cum 50).
    # long (60,000 − 3,000 − 50) / 0.995 = 57,236.18; short (60,000 + 3,000 + 50) / 1.005 = 62,736.32.
    long_ = estimate(book, Venue.BINANCE, "BTC", LONG, 1.0, 60_000.0, 3_000.0, isolated=True)
    short = estimate(book, Venue.BINANCE, "BTC", SHORT, 1.0, 60_000.0, 3_000.0, isolated=True)
    assert long_.price == pytest.approx(57_236.18, abs=0.005)
    assert short.price == pytest.approx(62_736.32, abs=0.005)
    assert long_.tier_index == short.tier_index == 1
    assert long_.table.table_id == "binance:BTC"
    assert long_.notes == ()


def test_tier_rule_moves_a_long_down_a_tier(book: TierBook) -> None:
    # 10 BTC at 62,000 (620k: tier 3, 0.65 %, cum 950), 20x → W = 31,000.
    # Tier 3 gives (620,000 − 31,000 − 950) / 9.935 = 59,189.73 → 591.9k is tier 2's band, so
    # tier 2: (620,000 − 31,000 − 50) / 9.95 = 59,190.95, and 591.9k is in tier 2.
    liq = estimate(book, Venue.BINANCE, "BTC", LONG, 10.0, 62_000.0, 31_000.0, isolated=True)
    assert liq.tier_index == 1
    assert liq.price == pytest.approx(59_190.95, abs=0.005)


def test_tier_rule_moves_a_short_up_a_tier(book: TierBook) -> None:
    # 10 BTC at 58,000 (580k: tier 2), 20x → W = 29,000. Tier 2: 609,050 / 10.05 = 60,602.99 →
    # 606k is past 600k; tier 3: (580,000 + 29,000 + 950) / 10.065 = 60,601.09, inside tier 3.
    liq = estimate(book, Venue.BINANCE, "BTC", SHORT, 10.0, 58_000.0, 29_000.0, isolated=True)
    assert liq.tier_index == 2
    assert liq.price == pytest.approx(60_601.09, abs=0.005)


def test_huge_position_walks_down_from_the_top_tier(book: TierBook) -> None:
    # 15,000 BTC at 100,000 = 1.5B (top tier: 50 %, cum 421,481,450), 2x → W = 750M.
    # Tier 12: (1.5e9 − 7.5e8 − 421,481,450) / 7,500 = 43,802.47 → 657M: tier 10 (15 %).
    # Tier 10: (7.5e8 − 41,481,450) / 12,750 = 55,570.08 → 833.6M: tier 11 (25 %).
    # Tier 11: (7.5e8 − 121,481,450) / 11,250 = 55,868.32 → 838.1M, inside tier 11.
    liq = estimate(book, Venue.BINANCE, "BTC", LONG, 15_000.0, 100_000.0, 7.5e8, isolated=True)
    assert liq.tier_index == 10
    assert liq.price == pytest.approx(55_868.32, abs=0.005)
    assert liq.notes == ()


def test_position_above_the_largest_tier_uses_the_top_rate_and_says_so(book: TierBook) -> None:
    # A 20,000 BTC short at 100,000 = 2B, past Binance's 1.8B cap, 5x → W = 400M. Top tier (50 %,
    # cum 421,481,450): (2e9 + 4e8 + 421,481,450) / (20,000 × 1.5) = 94,049.38 → 1.88B, still
    # above the cap, so the top tier holds; and 5x is more than the 1x that tier allows.
    liq = estimate(book, Venue.BINANCE, "BTC", SHORT, 20_000.0, 100_000.0, 4e8, isolated=True, leverage=5.0)
    assert liq.tier_index == 11
    assert liq.price == pytest.approx(94_049.38, abs=0.005)
    assert any("above the largest tier of binance:BTC" in note for note in liq.notes)
    assert "leverage 5x is above the 1x Binance USD-M allows at this size" in liq.notes


def test_leverage_1x_long_cannot_be_liquidated(book: TierBook) -> None:
    # W = Q·EP: LP = (Q·EP − Q·EP − d) / (Q·(1 − r)) ≤ 0 → shown as none ("--").
    liq = estimate(book, Venue.BINANCE, "BTC", LONG, 1.0, 60_000.0, 60_000.0, isolated=True, leverage=1.0)
    assert liq.price is None


def test_leverage_1x_short_still_has_a_price(book: TierBook) -> None:
    # A short can always be liquidated: (60,000 + 60,000 + 50) / 1.005 = 119,452.74.
    liq = estimate(book, Venue.BINANCE, "BTC", SHORT, 1.0, 60_000.0, 60_000.0, isolated=True)
    assert liq.price == pytest.approx(119_452.74, abs=0.005)


# --- Bybit linear ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("side", "extra", "expected"),
    [
        pytest.param(LONG, 0.0, 19_700.0, id="ex1-long"),  # 20,000 − (400 − 100) / 1
        pytest.param(SHORT, 3_000.0, 23_300.0, id="ex2-short-added-margin"),  # 20,000 + 300 + 3,000
        pytest.param(LONG, -200.0, 19_900.0, id="ex3-funding-from-margin"),  # 20,000 − 300 + 200
    ],
)
def test_bybit_help_examples(book: TierBook, side: PositionSide, extra: float, expected: float) -> None:
    # #5–#7 (V): 1 BTC at 20,000, 50x → IM = 400; MMR 0.5 %, MMD 0 → MM at entry = 100.
    liq = estimate(
        book,
        Venue.BYBIT,
        "BTC",
        side,
        1.0,
        20_000.0,
        400.0 + extra,
        isolated=True,
        choice=one_tier(Venue.BYBIT, "BTC", 0.005, 0.0),
    )
    assert liq.price == pytest.approx(expected, abs=1e-6)


def test_bybit_isolated_takes_mm_at_entry_on_the_bundled_tier_1(book: TierBook) -> None:
    # Bundled BTCUSDT tier 1 (≤ 300k): MMR 0.33 %. 1 BTC at 20,000, 50x:
    # 20,000 − (400 − 20,000 × 0.0033) = 20,000 − 334 = 19,666.
    liq = estimate(book, Venue.BYBIT, "BTC", LONG, 1.0, 20_000.0, 400.0, isolated=True)
    assert liq.price == pytest.approx(19_666.0, abs=1e-6)
    assert liq.table.table_id == "bybit:BTC"


def test_bybit_tier_is_chosen_by_entry_value_with_its_deduction(book: TierBook) -> None:
    # 10 BTC at 50,000 = 500k → tier 2 (0.5 %, MMD 510), 10x → IM 50,000.
    # MM at entry = 500,000 × 0.005 − 510 = 1,990; LP = 50,000 − (50,000 − 1,990) / 10 = 45,199.
    liq = estimate(book, Venue.BYBIT, "BTC", LONG, 10.0, 50_000.0, 50_000.0, isolated=True)
    assert liq.tier_index == 1
    assert liq.price == pytest.approx(45_199.0, abs=1e-6)


def test_bybit_partial_table_falls_back_to_binance_and_says_so(book: TierBook) -> None:
    # 30 BTC at 100,000 = 3M, past the bundled Bybit rows (to 2M). Binance BTC tier 4 (3M–12M,
    # 1 %, cum 11,450), with Bybit's MM-at-entry rule, 10x → IM 300,000:
    # MM = 3,000,000 × 0.01 − 11,450 = 18,550; LP = 100,000 − (300,000 − 18,550) / 30 = 90,618.33.
    liq = estimate(book, Venue.BYBIT, "BTC", LONG, 30.0, 100_000.0, 300_000.0, isolated=True)
    assert liq.table.table_id == "binance:BTC"
    assert liq.price == pytest.approx(90_618.33, abs=0.005)
    assert liq.notes == (
        "bybit:BTC tiers (2026-09-25) end at $2.0M; used binance:BTC tiers (2024-10-24) instead",
    )


def test_bybit_eth_has_no_table_and_uses_binance_eth(book: TierBook) -> None:
    liq = estimate(book, Venue.BYBIT, "ETH", LONG, 10.0, 3_000.0, 3_000.0, isolated=True)
    assert liq.table.table_id == "binance:ETH"
    assert "no dated Bybit ETHUSDT risk-limit rows" in liq.notes[0]
    # Binance ETH tier 1 (0.4 %), MM at entry 30,000 × 0.004 = 120: 3,000 − (3,000 − 120) / 10 = 2,712.
    assert liq.price == pytest.approx(2_712.0, abs=1e-6)


# --- OKX -------------------------------------------------------------------------------------


def test_okx_isolated_long_and_short_with_the_taker_fee(book: TierBook) -> None:
    # #8/#9 (R): 100 contracts = 1 BTC at 60,000, 10x → M = 6,000; tier 1 MMR 0.4 % + fee 0.05 %.
    # long 54,000 / 0.9955 = 54,244.10; short 66,000 / 1.0045 = 65,704.33.
    long_ = estimate(book, Venue.OKX, "BTC", LONG, 1.0, 60_000.0, 6_000.0, isolated=True)
    short = estimate(book, Venue.OKX, "BTC", SHORT, 1.0, 60_000.0, 6_000.0, isolated=True)
    assert long_.price == pytest.approx(54_244.10, abs=0.005)
    assert short.price == pytest.approx(65_704.33, abs=0.005)
    assert long_.table.table_id == "okx:BTC"


def test_okx_tiers_are_by_size_and_fall_back_past_tier_1(book: TierBook) -> None:
    # 10 BTC is the end of tier 1 (1000 contracts × 0.01); 12 BTC is past it → Binance BTC, with
    # OKX's fee still in the rate. 12 BTC at 50,000 = 600k → Binance tier 3 (0.65 %, cum 950),
    # 10x → W 60,000: LP = (600,000 − 60,000 − 950) / (12 × (1 − 0.0065 − 0.0005)) = 45,237.50 →
    # 542.9k falls in tier 2 (0.5 %, cum 50): (600,000 − 60,000 − 50) / (12 × 0.9945) = 45,244.68.
    liq = estimate(book, Venue.OKX, "BTC", LONG, 12.0, 50_000.0, 60_000.0, isolated=True)
    assert liq.table.table_id == "binance:BTC"
    assert liq.tier_index == 1
    assert liq.price == pytest.approx(45_244.68, abs=0.005)
    assert liq.notes[0].startswith("okx:BTC tiers (2026-09-25) end at 10 BTC")


# --- Hyperliquid -----------------------------------------------------------------------------


def test_hyperliquid_isolated_long(book: TierBook) -> None:
    # #10 (R): 1 BTC at 100,000, 10x → M 10,000; max lev 40 → l = 1/80: 90,000 / 0.9875 = 91,139.24.
    liq = estimate(book, Venue.HYPERLIQUID, "BTC", LONG, 1.0, 100_000.0, 10_000.0, isolated=True)
    assert liq.price == pytest.approx(91_139.24, abs=0.005)


def test_hyperliquid_official_form_agrees(book: TierBook) -> None:
    # LiquidationPx.tsx: price − side × margin_available / size / (1 − l × side), with
    # margin_available = margin − notional / (2 × maxLev) at entry. Same number as #10.
    margin_available = 10_000.0 - 100_000.0 / 80.0
    official = 100_000.0 - margin_available / 1.0 / (1.0 - 1.0 / 80.0)
    liq = estimate(book, Venue.HYPERLIQUID, "BTC", LONG, 1.0, 100_000.0, 10_000.0, isolated=True)
    assert liq.price == pytest.approx(official, rel=1e-12)


def test_hyperliquid_cross_short(book: TierBook) -> None:
    # #11 (R): 10 ETH short at 3,000, account value 5,000; max lev 25 → l = 1/50:
    # 35,000 / 10.2 = 3,431.37. At that price equity 5,000 − 4,313.7 = 686.27 = MM 686.27.
    liq = estimate(book, Venue.HYPERLIQUID, "ETH", SHORT, 10.0, 3_000.0, 5_000.0, isolated=False)
    assert liq.price == pytest.approx(3_431.37, abs=0.005)
    assert liq.price is not None
    equity = 5_000.0 - 10.0 * (liq.price - 3_000.0)
    assert equity == pytest.approx(10.0 * liq.price * 0.02, rel=1e-9)


def test_hyperliquid_top_tier_with_its_deduction(book: TierBook) -> None:
    # 2,000 BTC at 100,000 = 200M ≥ 150M: tier 2 (2.5 %, deduction 1,875,000), 20x → W 10M:
    # (200M − 10M − 1.875M) / (2,000 × 0.975) = 96,474.36, at 192.9M still in tier 2.
    liq = estimate(book, Venue.HYPERLIQUID, "BTC", LONG, 2_000.0, 100_000.0, 1e7, isolated=True, leverage=20)
    assert liq.tier_index == 1
    assert liq.price == pytest.approx(96_474.36, abs=0.005)
    assert liq.notes == ()


def test_leverage_above_the_venue_maximum_is_noted(book: TierBook) -> None:
    liq = estimate(book, Venue.HYPERLIQUID, "BTC", LONG, 1.0, 100_000.0, 2_000.0, isolated=True, leverage=50)
    assert liq.notes == ("leverage 50x is above the 40x Hyperliquid USDC perpetual allows at this size",)


# --- general ---------------------------------------------------------------------------------


def test_unknown_asset_uses_the_generic_tier_and_says_it_is_an_assumption(book: TierBook) -> None:
    # Generic flat 1.5 %: 1,000 PEPE-units at 10, 10x → W 1,000: (10,000 − 1,000) / (1,000 × 0.985) = 9.137.
    liq = estimate(book, Venue.BINANCE, "PEPE", LONG, 1_000.0, 10.0, 1_000.0, isolated=True)
    assert liq.table.table_id == "generic:*"
    assert liq.price == pytest.approx(9_000.0 / 985.0, rel=1e-12)
    assert "no binance tiers bundled for PEPE" in liq.notes[0]
    assert "not a venue table" in liq.notes[0]


def test_solve_price_is_where_equity_meets_maintenance() -> None:
    # At LP, W + s·Q·(LP − EP) == Q·LP·r − d, for both sides.
    for side in (LONG, SHORT):
        lp = solve_price(side, 3.0, 2_500.0, 900.0, 0.01, 25.0)
        assert 900.0 + side.sign * 3.0 * (lp - 2_500.0) == pytest.approx(3.0 * lp * 0.01 - 25.0, rel=1e-12)


def test_equity_below_zero_puts_a_short_beyond_any_price(book: TierBook) -> None:
    # A cross account already under water: the short's LP is at or below 0, i.e. any price.
    liq = estimate(book, Venue.BINANCE, "BTC", SHORT, 1.0, 60_000.0, -70_000.0, isolated=False)
    assert liq.price == 0.0
    assert all(math.isfinite(x) for x in (liq.tier.mmr, liq.tier.deduction))
