"""Per-position risk, the portfolio line and the JSON shape, with expected numbers by hand."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crashtui.risk.evaluate import (
    Level,
    LevelKind,
    LiquidationCluster,
    MarketView,
    PriceBar,
    evaluate,
)
from crashtui.risk.position import MarginMode, Position, PositionSide, Venue
from crashtui.risk.predicates import (
    effective_leverage_above,
    guarding_levels,
    leverage_above,
    near_liquidation,
)
from crashtui.risk.report import portfolio_json, positions_json
from crashtui.risk.tiers import Band, Tier, TierBook, TierTable, bundled_tiers

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
LONG, SHORT = PositionSide.LONG, PositionSide.SHORT
SUPPORT, RESISTANCE = LevelKind.SUPPORT, LevelKind.RESISTANCE


def day_ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


def btc_long() -> Position:
    # 1 BTC at 100,000, 10x isolated on Binance: IM 10,000; notional 100k → tier 2 (0.5 %, cum 50):
    # LP = (100,000 − 10,000 − 50) / 0.995 = 90,402.01.
    return Position("BTC", LONG, entry=100_000.0, leverage=10.0, size=1.0)


LP_BTC_LONG = 89_950.0 / 0.995


def test_pnl_distance_and_effective_leverage() -> None:
    view = MarketView(mark=95_000.0, atr=2_000.0)
    risk = evaluate([btc_long()], {"BTC": view}).positions[0]
    assert risk.liquidation_price == pytest.approx(LP_BTC_LONG)
    assert risk.pnl_usd == pytest.approx(-5_000.0)
    assert risk.pnl_pct == pytest.approx(-50.0)  # on the 10,000 initial margin
    assert risk.distance_pct == pytest.approx((95_000.0 - LP_BTC_LONG) / 95_000.0 * 100.0)
    assert risk.distance_atr == pytest.approx((95_000.0 - LP_BTC_LONG) / 2_000.0)
    assert risk.effective_leverage == pytest.approx(95_000.0 / 5_000.0)  # 19x after a 5 % loss
    assert risk.notional_usd == pytest.approx(95_000.0)
    assert not risk.liquidated


def test_size_usd_is_notional_at_entry() -> None:
    # 30,000 USD of ETH at 3,000 = 10 ETH.
    p = Position("ETH", SHORT, entry=3_000.0, leverage=5.0, size_usd=30_000.0, venue=Venue.HYPERLIQUID)
    risk = evaluate([p], {"ETH": MarketView(mark=3_100.0)}).positions[0]
    assert p.qty == pytest.approx(10.0)
    assert risk.pnl_usd == pytest.approx(-1_000.0)
    # HL ETH tier 1 (2 %), W 6,000: (30,000 + 6,000) / (10 × 1.02) = 3,529.41.
    assert risk.liquidation_price == pytest.approx(36_000.0 / 10.2)


def test_levels_and_clusters_between_price_and_liquidation() -> None:
    levels = (
        Level(92_000.0, SUPPORT),  # between 95,000 and 90,402
        Level(93_500.0, SUPPORT, "weekly low"),  # between, nearer
        Level(88_000.0, SUPPORT),  # past the liquidation price
        Level(99_000.0, RESISTANCE),  # above price
    )
    clusters = (
        LiquidationCluster(91_000.0, 5e7, LONG),
        LiquidationCluster(85_000.0, 9e7, LONG),
        LiquidationCluster(101_000.0, 3e7, SHORT),
    )
    view = MarketView(mark=95_000.0, levels=levels, clusters=clusters)
    risk = evaluate([btc_long()], {"BTC": view}).positions[0]
    assert [lv.price for lv in risk.levels_between] == [93_500.0, 92_000.0]
    assert [c.price for c in risk.clusters_between] == [91_000.0]
    assert [lv.name for lv in guarding_levels(risk)] == ["weekly low", "support 92,000"]


def test_short_looks_upward_for_resistance_and_clusters() -> None:
    # 1 BTC short at 60,000, 20x: LP = (60,000 + 3,000 + 50) / 1.005 = 62,736.32.
    p = Position("BTC", SHORT, entry=60_000.0, leverage=20.0, size=1.0)
    levels = (Level(61_000.0, RESISTANCE), Level(59_000.0, SUPPORT), Level(63_000.0, RESISTANCE))
    clusters = (LiquidationCluster(62_000.0, 1e8, SHORT), LiquidationCluster(58_000.0, 1e8, LONG))
    risk = evaluate([p], {"BTC": MarketView(mark=60_000.0, levels=levels, clusters=clusters)}).positions[0]
    assert risk.liquidation_price == pytest.approx(63_050.0 / 1.005)
    assert [lv.price for lv in risk.levels_between] == [61_000.0]
    assert [c.price for c in risk.clusters_between] == [62_000.0]
    # Shocks go up for a short: +5 % = 63,000 is past 62,736 → liquidated, loses the 3,000 margin.
    shocks = {s.label: s for s in risk.shocks}
    assert list(shocks) == ["+5%", "+10%", "+15%", "+25%", "resistance 61,000", "resistance 63,000"]
    assert not shocks["+5%"].survives
    assert shocks["+5%"].pnl_usd == pytest.approx(-3_000.0)
    assert shocks["resistance 61,000"].survives
    assert shocks["resistance 61,000"].pnl_usd == pytest.approx(-1_000.0)
    assert shocks["resistance 61,000"].move_pct == pytest.approx(100.0 / 60.0)


def test_long_shocks_down_and_to_each_support() -> None:
    view = MarketView(mark=95_000.0, levels=(Level(92_000.0, SUPPORT), Level(88_000.0, SUPPORT)))
    risk = evaluate([btc_long()], {"BTC": view}).positions[0]
    shocks = {s.label: s for s in risk.shocks}
    assert list(shocks) == ["-5%", "-10%", "-15%", "-25%", "support 92,000", "support 88,000"]
    # −5 % of 95,000 = 90,250 < 90,402: liquidated, the 10,000 margin lost.
    assert shocks["-5%"].price == pytest.approx(90_250.0)
    assert not shocks["-5%"].survives
    assert shocks["-5%"].pnl_usd == pytest.approx(-10_000.0)
    # 92,000 holds: PnL (92,000 − 100,000) × 1 = −8,000.
    assert shocks["support 92,000"].survives
    assert shocks["support 92,000"].pnl_usd == pytest.approx(-8_000.0)
    assert not shocks["support 88,000"].survives


def test_a_1x_long_has_no_liquidation_and_survives_every_shock() -> None:
    p = Position("BTC", LONG, entry=60_000.0, leverage=1.0, size=1.0)
    view = MarketView(mark=60_000.0, levels=(Level(30_000.0, SUPPORT),), path=(PriceBar(1, 1.0, 70_000.0),))
    risk = evaluate([p], {"BTC": view}).positions[0]
    assert risk.liquidation_price is None
    assert risk.distance_pct is None
    assert not risk.liquidated
    assert all(s.survives for s in risk.shocks)
    assert [lv.price for lv in risk.levels_between] == [30_000.0]  # everything below: nothing liquidates
    row = positions_json(evaluate([p], {"BTC": view}))[0]
    assert row["liquidation_price"] is None


def test_liquidated_when_the_path_trades_through_with_the_time() -> None:
    opened = day_ms("2026-02-01")
    p = Position("BTC", LONG, entry=100_000.0, leverage=10.0, size=1.0, opened_ms=opened)
    path = (
        PriceBar(day_ms("2026-01-31"), 80_000.0, 101_000.0),  # before the position: ignored
        PriceBar(day_ms("2026-02-01"), 95_000.0, 100_500.0),
        PriceBar(day_ms("2026-02-02"), 90_402.0, 96_000.0),  # low just under 90,402.01
        PriceBar(day_ms("2026-02-03"), 85_000.0, 93_000.0),
    )
    risk = evaluate([p], {"BTC": MarketView(mark=94_000.0, path=path)}).positions[0]
    assert risk.liquidated
    assert risk.liquidated_at_ms == day_ms("2026-02-02")
    assert risk.pnl_usd == pytest.approx(-10_000.0)  # the isolated margin is gone
    assert risk.shocks == ()
    assert risk.distance_pct is None


def test_path_bars_out_of_order_and_non_finite_lows() -> None:
    p = btc_long()
    path = (
        PriceBar(day_ms("2026-02-05"), 80_000.0, 90_000.0),
        PriceBar(day_ms("2026-02-03"), float("nan"), 99_000.0),
        PriceBar(day_ms("2026-02-04"), 90_000.0, 95_000.0),
    )
    risk = evaluate([p], {"BTC": MarketView(mark=94_000.0, path=path)}).positions[0]
    assert risk.liquidated_at_ms == day_ms("2026-02-04")


def test_mark_beyond_liquidation_is_liquidated_at_the_mark_time() -> None:
    risk = evaluate([btc_long()], {"BTC": MarketView(mark=90_000.0, mark_ms=1_770_000_000_000)}).positions[0]
    assert risk.liquidated
    assert risk.liquidated_at_ms == 1_770_000_000_000


def test_missing_or_hostile_mark_gives_no_pnl_but_a_liquidation_price() -> None:
    for view in (
        MarketView(),
        MarketView(mark=float("nan")),
        MarketView(mark=-5.0),
        MarketView(mark=float("inf")),
    ):
        pf = evaluate([btc_long()], {"BTC": view})
        risk = pf.positions[0]
        assert risk.mark is None
        assert risk.pnl_usd is None
        assert risk.liquidation_price == pytest.approx(LP_BTC_LONG)
        assert risk.shocks == ()
        assert "no mark price for BTC yet" in risk.notes
        assert pf.pnl_missing == 1
        json.dumps(positions_json(pf), allow_nan=False)


def test_cross_positions_share_the_wallet_as_in_binance_faq() -> None:
    # The FAQ example through evaluate: WB 1,535,443.01, BTC 109.488 @ 32,481.98 (mark 31,967.27,
    # 2.5 %, cum 16,300) and ETH 3,683.979 @ 1,456.84 (mark 1,335.18, 10 %, cum 135,365).
    # Each one's W = WB − the other's MM at mark + the other's PnL at mark.
    tables = {
        ("binance", "BTC"): TierTable(
            "binance",
            "BTC",
            "BTCUSDT",
            Band.NOTIONAL,
            True,
            "2020-06-11",
            "FAQ",
            "",
            (Tier(0, None, 0.025, 16_300, 125),),
        ),
        ("binance", "ETH"): TierTable(
            "binance",
            "ETH",
            "ETHUSDT",
            Band.NOTIONAL,
            True,
            "2020-06-11",
            "FAQ",
            "",
            (Tier(0, None, 0.10, 135_365, 125),),
        ),
    }
    base = bundled_tiers()
    book = TierBook(base.rules, tables, {}, Venue.BINANCE, base.generic)
    wallet = 1_535_443.01
    btc = Position(
        "BTC", LONG, entry=32_481.98, leverage=20, size=109.488, margin=MarginMode.CROSS, wallet_usd=wallet
    )
    eth = Position("ETH", LONG, entry=1_456.84, leverage=20, size=3_683.979, margin=MarginMode.CROSS)
    markets = {"BTC": MarketView(mark=31_967.27), "ETH": MarketView(mark=1_335.18)}
    pf = evaluate([btc, eth], markets, tiers=book)
    assert pf.positions[0].liquidation_price == pytest.approx(26_316.89, abs=0.005)
    assert pf.positions[1].liquidation_price == pytest.approx(1_153.26, abs=0.005)
    # What backs ETH: WB + BTC's PnL = 1,535,443.01 − 56,354.57.
    assert pf.positions[1].margin_usd == pytest.approx(wallet + 109.488 * (31_967.27 - 32_481.98))


def test_cross_without_wallet_is_estimated_as_isolated_and_says_so() -> None:
    p = Position("BTC", LONG, entry=100_000.0, leverage=10.0, size=1.0, margin=MarginMode.CROSS)
    risk = evaluate([p], {"BTC": MarketView(mark=95_000.0)}).positions[0]
    assert risk.liquidation_price == pytest.approx(LP_BTC_LONG)
    assert risk.notes[0].startswith("cross margin without wallet_usd: estimated as isolated")


def test_cross_wallet_pushes_the_liquidation_further() -> None:
    # Same long with a 30,000 cross wallet: (100,000 − 30,000 − 50) / 0.995 = 70,301.51.
    p = Position(
        "BTC", LONG, entry=100_000.0, leverage=10.0, size=1.0, margin=MarginMode.CROSS, wallet_usd=30_000.0
    )
    risk = evaluate([p], {"BTC": MarketView(mark=95_000.0)}).positions[0]
    assert risk.liquidation_price == pytest.approx(69_950.0 / 0.995)


def test_portfolio_line_and_market_shocks() -> None:
    # Binance cross account, wallet 20,000: BTC long 1 @ 100,000 and ETH long 10 @ 3,000.
    # An isolated HL short: 1 BTC @ 100,000, 10x → W 10,000.
    btc = Position(
        "BTC", LONG, entry=100_000.0, leverage=10, size=1.0, margin=MarginMode.CROSS, wallet_usd=20_000.0
    )
    eth = Position("ETH", LONG, entry=3_000.0, leverage=10, size=10.0, margin=MarginMode.CROSS)
    short = Position("BTC", SHORT, entry=100_000.0, leverage=10, size=1.0, venue=Venue.HYPERLIQUID)
    markets = {"BTC": MarketView(mark=100_000.0), "ETH": MarketView(mark=3_000.0)}
    pf = evaluate([btc, eth, short], markets)
    assert pf.gross_exposure_usd == pytest.approx(230_000.0)
    assert pf.net_exposure_usd == pytest.approx(30_000.0)
    assert pf.pnl_usd == pytest.approx(0.0)
    assert pf.liquidated_count == 0
    shocks = {s.move_pct: s for s in pf.shocks}
    # −10 %: cross PnL −10,000 − 3,000 = −13,000, equity 7,000 > MM (90k × 0.5 % − 50 = 400, plus
    # 27k × 0.4 % = 108): survives. The short gains 10,000. Total −3,000.
    assert shocks[-10.0].pnl_usd == pytest.approx(-3_000.0)
    assert shocks[-10.0].liquidated == ()
    # −25 %: cross PnL −25,000 − 7,500 = −32,500 → equity −12,500: the whole account (20,000) is
    # lost, both positions; the short gains 25,000. Total +5,000.
    assert shocks[-25.0].pnl_usd == pytest.approx(5_000.0)
    assert shocks[-25.0].liquidated == ("BTC", "ETH")
    # Nearest liquidation: the HL short (LP 110,000 / 1.0125 = 108,641.98, 8.64 % away) vs the
    # cross longs (BTC: W = 20,000 + 0 − ETH's MM 120 … far below).
    assert pf.nearest is not None
    assert pf.nearest.position is short
    assert pf.nearest.distance_pct == pytest.approx((110_000.0 / 1.0125 / 100_000.0 - 1.0) * 100.0)


def test_liquidated_positions_leave_the_exposure_and_are_counted() -> None:
    view = MarketView(mark=95_000.0, path=(PriceBar(1, 90_000.0, 96_000.0),))
    other = Position("ETH", LONG, entry=3_000.0, leverage=2, size=1.0)
    pf = evaluate([btc_long(), other], {"BTC": view, "ETH": MarketView(mark=3_000.0)})
    assert pf.liquidated_count == 1
    assert pf.gross_exposure_usd == pytest.approx(3_000.0)
    assert pf.pnl_usd == pytest.approx(-10_000.0)
    assert pf.nearest is not None
    assert pf.nearest.position is other


def test_json_shape() -> None:
    view = MarketView(mark=95_000.0, atr=2_000.0, levels=(Level(92_000.0, SUPPORT),))
    pf = evaluate([btc_long()], {"BTC": view})
    row = positions_json(pf)[0]
    for key in (
        "symbol",
        "side",
        "entry",
        "leverage",
        "mark",
        "pnl_usd",
        "liquidation_price",
        "distance_pct",
        "liquidated",
        "shocks",
    ):
        assert key in row
    assert row["side"] == "long"
    assert row["liquidated"] is False
    assert row["liquidation_tier"] == {
        "table": "binance:BTC",
        "as_of": "2024-10-24",
        "tier": 2,
        "mmr": 0.005,
        "deduction": 50.0,
    }
    assert row["shocks"][0] == {
        "label": "-5%",
        "move_pct": -5.0,
        "price": 90_250.0,
        "pnl_usd": -10_000.0,
        "survives": False,
    }
    summary = portfolio_json(pf)
    assert summary["nearest_liquidation"]["symbol"] == "BTC"
    text = json.dumps({"positions": positions_json(pf), "portfolio": summary}, allow_nan=False)
    assert "NaN" not in text


def test_predicates() -> None:
    near = evaluate([btc_long()], {"BTC": MarketView(mark=94_000.0)}).positions[0]  # 3.8 % away
    far = evaluate([btc_long()], {"BTC": MarketView(mark=99_000.0)}).positions[0]  # 8.7 % away
    assert near_liquidation(near)
    assert not near_liquidation(far)
    assert near_liquidation(far, within_pct=10.0)
    assert leverage_above(btc_long(), 5.0)
    assert not leverage_above(btc_long())  # 10x is not above 10x
    assert effective_leverage_above(near)  # 94,000 / 4,000 = 23.5x
    assert not effective_leverage_above(far, 12.0)  # 99,000 / 9,000 = 11x
    gone = evaluate([btc_long()], {"BTC": MarketView(mark=80_000.0)}).positions[0]
    assert gone.liquidated
    assert not near_liquidation(gone)
    assert effective_leverage_above(gone)


def _feb2026_bars(asset: str) -> tuple[PriceBar, ...]:
    with (FIXTURES / "feb2026_btc_eth_daily_ohlc.csv").open(encoding="utf-8") as f:
        rows = csv.DictReader(line for line in f if not line.startswith("#"))
        return tuple(
            PriceBar(day_ms(r["date"]), float(r["low"]), float(r["high"]))
            for r in rows
            if r["asset"] == asset
        )


def test_feb_2026_long_opened_near_the_top_is_liquidated_in_the_drop() -> None:
    # Real daily bars. A 5x BTC long from the 2026-01-15 open (96,931.29): W = 19,386.258,
    # tier 2: LP = (96,931.29 − 19,386.258 − 50) / 0.995 = 77,884.45. Lows stay above until
    # 2026-01-31 (low 75,815.88; 01-30's low was 81,071.48).
    btc_bars = _feb2026_bars("BTC")
    long_ = Position("BTC", LONG, entry=96_931.29, leverage=5, size=1.0, opened_ms=day_ms("2026-01-15"))
    # A 10x ETH long at its 2026-01-15 open (3,354.77), 10 ETH: tier 1 (0.4 %):
    # (33,547.7 − 3,354.77) / 9.96 = 3,031.42; first low under it is 2026-01-20 (2,925.54).
    eth_bars = _feb2026_bars("ETH")
    eth = Position("ETH", LONG, entry=3_354.77, leverage=10, size=10.0, opened_ms=day_ms("2026-01-15"))
    # A 20x BTC short opened at the 2026-02-05 close (62,702.10): (62,702.1 + 3,135.105 + 50) / 1.005
    # = 65,559.41; the 2026-02-06 rebound's high (71,681.30) takes it out.
    short = Position("BTC", SHORT, entry=62_702.1, leverage=20, size=1.0, opened_ms=day_ms("2026-02-06"))
    markets = {
        "BTC": MarketView(mark=68_005.42, path=btc_bars),
        "ETH": MarketView(mark=1_969.02, path=eth_bars),
    }
    pf = evaluate([long_, eth, short], markets)
    btc_risk, eth_risk, short_risk = pf.positions
    assert btc_risk.liquidation_price == pytest.approx(77_495.032 / 0.995, abs=0.01)
    assert btc_risk.liquidated
    assert btc_risk.liquidated_at_ms == day_ms("2026-01-31")
    assert eth_risk.liquidation_price == pytest.approx(30_192.93 / 9.96, abs=0.01)
    assert eth_risk.liquidated_at_ms == day_ms("2026-01-20")
    assert short_risk.liquidation_price == pytest.approx(65_887.205 / 1.005, abs=0.01)
    assert short_risk.liquidated_at_ms == day_ms("2026-02-06")
    rows = positions_json(pf)
    assert rows[0]["liquidated_at"] == "2026-01-31T00:00:00Z"
    assert pf.liquidated_count == 3


def test_feb_2026_low_leverage_long_survives() -> None:
    # 2x from the same top: W = 48,465.645. Entry tier 2 gives (96,931.29 − 48,465.645 − 50) / 0.995
    # = 48,658.94, whose value (48.7k) is tier 1's band (< 50k), so tier 1 (0.4 %, cum 0):
    # 48,465.645 / 0.996 = 48,660.29, under every low of the period (lowest 60,074.20, 2026-02-06).
    p = Position("BTC", LONG, entry=96_931.29, leverage=2, size=1.0, opened_ms=day_ms("2026-01-15"))
    risk = evaluate([p], {"BTC": MarketView(mark=68_005.42, path=_feb2026_bars("BTC"))}).positions[0]
    assert not risk.liquidated
    assert risk.liquidation_price == pytest.approx(48_465.645 / 0.996, abs=0.01)
    assert risk.liquidation.tier_index == 0
    assert risk.pnl_usd == pytest.approx(68_005.42 - 96_931.29)
