"""Gauge inputs from model data: worked examples (some on real Feb-2026 figures) and missing cases."""

from __future__ import annotations

import csv
import math
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pytest

from crashtui.analysis import stress
from crashtui.analysis.etf import summarise_etf
from crashtui.analysis.gauge import MissingInput, StressInput
from crashtui.model import (
    BookStats,
    BorrowRate,
    Candle,
    EtfFlow,
    FearGreedReading,
    FundingSnapshot,
    Interval,
    MacroObservation,
)

DAY = 86_400_000
HOUR = 3_600_000
FEB06 = 1_770_336_000_000  # 2026-02-06 00:00Z
NOW = FEB06 + 14 * HOUR
FIXTURE = Path(__file__).parent.parent / "fixtures" / "feb2026_btc_nasdaq_daily.csv"


def day_ms(iso: str) -> int:
    return int(datetime.strptime(iso, "%Y-%m-%d").replace(tzinfo=timezone.utc).timestamp()) * 1000


def ok(result: StressInput | MissingInput) -> StressInput:
    assert isinstance(result, StressInput), result
    return result


def missing(result: StressInput | MissingInput) -> str:
    assert isinstance(result, MissingInput), result
    return result.reason


def test_fear_greed_latest_crypto_reading() -> None:
    readings = [
        FearGreedReading("crypto", FEB06 - DAY, 12.0, "Extreme Fear", "alternative_me"),
        FearGreedReading("crypto", FEB06, 9.0, "Extreme Fear", "alternative_me"),  # real value on 02-06
        FearGreedReading("stocks", NOW, 31.0, "Fear", "cnn"),
    ]
    r = ok(stress.fear_greed(readings, NOW))
    assert r.raw == 9.0
    assert r.detail == "alternative_me 9 (Extreme Fear) on 2026-02-06"
    assert "stale" in missing(stress.fear_greed(readings, FEB06 + 4 * DAY))
    assert "no crypto" in missing(stress.fear_greed(readings[2:], NOW))


def btc_day(iso: str, o: float, h: float, lo: float, c: float, closed: bool = True) -> Candle:
    return Candle("BTC", Interval.D1, day_ms(iso), o, h, lo, c, 0.0, "yahoo", closed)


def test_drawdown_from_30_day_high_on_real_candles() -> None:
    """Real Yahoo BTC candles: the 30-day high is 97,150.17 (2026-01-15).

    (97,150.17 - 61,940) / 97,150.17 = 36.24 % below it at a price of 61,940.
    The 2026-01-05 candle is synthetic and outside the window (2026-01-08 .. 02-06).
    """
    candles = [
        btc_day("2026-01-05", 100_000.0, 105_000.0, 99_000.0, 100_500.0),  # synthetic, too old
        btc_day("2026-01-15", 96931.29, 97150.17, 95103.24, 95551.19),
        btc_day("2026-02-05", 73016.38, 73161.55, 62353.54, 62702.1),
        btc_day("2026-02-06", 62704.45, 63000.0, 60074.2, 61940.0, closed=False),
    ]
    r = ok(stress.drawdown(candles, 61_940.0, NOW))
    assert r.raw == pytest.approx((97150.17 - 61940.0) / 97150.17 * 100)
    assert r.raw == pytest.approx(36.24, abs=0.01)
    assert "30-day high 97,150 (2026-01-15)" in r.detail
    # no price given: the latest candle's close
    assert ok(stress.drawdown(candles, None, NOW)).raw == pytest.approx((97150.17 - 61940.0) / 97150.17 * 100)
    assert "no daily candles" in missing(stress.drawdown(candles[:1], 1.0, NOW))


def test_liquidations_ratio_to_daily_median() -> None:
    """$2.6B in 24 h (the reported 2026-02-06 figure) vs daily totals whose median is $500M: 5.2×."""
    days = [300e6, 400e6, 500e6, 600e6, 700e6, 450e6, 550e6]  # sorted: 300..700, median 500
    r = ok(stress.liquidations(2.6e9, days, lower_bound=True))
    assert r.raw == pytest.approx(5.2)
    assert (
        r.detail == "$2.60B in 24 h vs a median $500.0M per day over 7 days (sampled venues: a lower bound)"
    )
    assert "only 6 whole day" in missing(stress.liquidations(2.6e9, days[:6], False))
    assert missing(stress.liquidations(None, days, False)) == "no liquidation tally"


def test_etf_flows_sums_assets_5_day_windows() -> None:
    mon = FEB06 - 4 * DAY  # 2026-02-02
    btc = [EtfFlow("BTC", mon + i * DAY, v, "farside") for i, v in enumerate([561.8, -272.0, -544.9, -434.1])]
    btc.append(EtfFlow("BTC", FEB06 - 7 * DAY, -509.7, "farside"))  # Fri 01-30
    eth = [EtfFlow("ETH", mon + i * DAY, v, "farside") for i, v in enumerate([-2.9, -20.0, -80.0, -100.0])]
    summaries = [summarise_etf(btc, "BTC"), summarise_etf(eth, "ETH")]
    r = ok(stress.etf_flows(summaries, NOW))
    # BTC: -509.7 + 561.8 - 272.0 - 544.9 - 434.1 = -1,198.9; ETH (4 days only): -202.9 -> -1,401.8
    assert r.raw == pytest.approx(-1401.8)
    assert r.detail == "BTC -1,199 (5 days to 2026-02-05) + ETH -203 (4 days to 2026-02-05, incomplete)"
    assert "no published" in missing(stress.etf_flows(summaries, NOW + 30 * DAY))


def test_funding_mean_in_percent() -> None:
    snaps = [
        FundingSnapshot("binance", "BTC", NOW, funding_rate_8h=0.0001),  # 0.01 %
        FundingSnapshot("bybit", "BTC", NOW, funding_rate_8h=-0.0003),  # -0.03 %
        FundingSnapshot("okx", "ETH", NOW, funding_rate_8h=0.01),  # other symbol
        FundingSnapshot("hyperliquid", "BTC", NOW - 2 * DAY, funding_rate_8h=0.05),  # stale
    ]
    r = ok(stress.funding(snaps, "BTC", NOW))
    assert r.raw == pytest.approx(-0.01)  # (0.01 - 0.03) / 2
    assert r.detail == "BTC mean of binance +0.0100%, bybit -0.0300% (8 h rate)"
    assert "no BTC funding" in missing(stress.funding(snaps[2:], "BTC", NOW))


def _fixture_series() -> tuple[list[Candle], list[MacroObservation]]:
    lines = [ln for ln in FIXTURE.read_text().splitlines() if not ln.startswith("#")]
    btc, ndx = [], []
    for row in csv.DictReader(lines):
        d = day_ms(row["date"])
        c = float(row["btc_close"])
        btc.append(Candle("BTC", Interval.D1, d, c, c, c, c, 0.0, "fred"))
        if row["nasdaqcom"]:
            ndx.append(MacroObservation("NASDAQCOM", d, float(row["nasdaqcom"]), "fred"))
    return btc, ndx


def test_nasdaq_correlation_on_real_feb_2026_data_matches_numpy() -> None:
    btc, ndx = _fixture_series()
    now = day_ms("2026-02-20") + 22 * HOUR
    r = ok(stress.nasdaq_correlation(btc, ndx, now))
    # independent check: numpy on the same aligned dates (Nasdaq trading days after 2026-01-21)
    closes = {c.open_ms: c.close for c in btc}
    days = [o.day_ms for o in ndx if o.day_ms > day_ms("2026-02-20") - 30 * DAY]
    nvals = {o.day_ms: o.value for o in ndx}
    bret = np.diff(np.log([closes[d] for d in days]))
    nret = np.diff(np.log([nvals[d] for d in days]))
    assert len(days) == 21  # 2026-01-22 .. 02-20 trading days
    assert r.raw == pytest.approx(float(np.corrcoef(bret, nret)[0, 1]))
    assert -1.0 <= r.raw <= 1.0
    assert r.detail == "20 paired daily returns 2026-01-22 → 2026-02-20"


def test_nasdaq_correlation_perfect_and_inverse() -> None:
    days = [FEB06 - i * DAY for i in range(14, -1, -1)]
    nas = [100.0 * math.exp(0.01 * ((i * 7) % 5 - 2)) for i in range(15)]
    ndx = [MacroObservation("NASDAQCOM", d, v, "fred") for d, v in zip(days, nas, strict=True)]

    def candles(sign: float) -> list[Candle]:
        closes = [50_000.0 * (v / nas[0]) ** (2.0 * sign) for v in nas]  # BTC log returns = ±2 × Nasdaq's
        return [
            Candle("BTC", Interval.D1, d, c, c, c, c, 0.0, "t") for d, c in zip(days, closes, strict=True)
        ]

    assert ok(stress.nasdaq_correlation(candles(1.0), ndx, NOW)).raw == pytest.approx(1.0)
    assert ok(stress.nasdaq_correlation(candles(-1.0), ndx, NOW)).raw == pytest.approx(-1.0)
    assert "only 4 paired" in missing(stress.nasdaq_correlation(candles(1.0)[-5:], ndx, NOW))
    assert "stale" in missing(stress.nasdaq_correlation(candles(1.0), ndx, NOW + 10 * DAY))


def test_spread_over_trailing_baseline() -> None:
    """12 hourly readings of 1.0 bps before a 2.4 bps reading: 2.4 / 1.0 = 2.4×."""
    books = [BookStats("binance", "BTC", NOW - (12 - i) * HOUR, 62_000.0, 1.0, 5e6, 5e6) for i in range(12)]
    books.append(BookStats("coinbase", "BTC", NOW - 60_000, 62_000.0, 9.0, 1e6, 1e6))  # other venue
    books.append(BookStats("binance", "BTC", NOW, 61_940.0, 2.4, 1e6, 1e6))
    r = ok(stress.spread(books, NOW))
    assert r.raw == pytest.approx(2.4)
    assert r.detail == "binance BTC spread 2.4 bps vs a 7-day median of 1 bps (12 ten-minute readings)"
    assert "only 5 earlier" in missing(stress.spread(books[7:12] + books[-1:], NOW))
    assert "stale" in missing(stress.spread(books, NOW + HOUR))


def test_spread_baseline_is_time_uniform_and_spans_a_week() -> None:
    """12 h of a wide 3 bps spread read every 15 s (2,880 readings) after 6.5 calm days read
    hourly (156 readings of 1 bps).

    Counted per reading, the wide ones would outvote the calm ones and the crash would be its
    own baseline (3 / 3 = 1×). Per 10-minute bucket the week holds 156 calm and 72 wide
    buckets, so the median is the calm 1 bps and the reading is 3 / 1 = 3×.
    """
    calm = [
        BookStats("binance", "BTC", NOW - 7 * DAY + i * HOUR, 62_000.0, 1.0, 5e6, 5e6) for i in range(156)
    ]
    wide = [
        BookStats("binance", "BTC", NOW - 12 * HOUR + i * 15_000, 60_000.0, 3.0, 1e6, 1e6)
        for i in range(2_880)
    ]
    latest = BookStats("binance", "BTC", NOW, 60_000.0, 3.0, 1e6, 1e6)
    r = ok(stress.spread([*calm, *wide, latest], NOW))
    assert r.raw == pytest.approx(3.0)
    assert "(228 ten-minute readings)" in r.detail


def test_borrow_apy_median_of_stablecoin_pools() -> None:
    rates = [
        BorrowRate("aave-v3", "Ethereum", "USDC", "p1", NOW, 10.8),
        BorrowRate("aave-v3", "Ethereum", "USDT", "p2", NOW, 9.6),
        BorrowRate("aave-v3", "Ethereum", "WETH", "p3", NOW, 2.0),  # not a stablecoin
        BorrowRate("aave-v3", "Ethereum", "USDC", "p1", NOW - HOUR, 4.0),  # older reading of p1
    ]
    r = ok(stress.borrow_apy(rates, NOW))
    assert r.raw == pytest.approx(10.2)  # (10.8 + 9.6) / 2
    assert r.detail == "median of aave-v3 Ethereum USDC 10.80%, aave-v3 Ethereum USDT 9.60%"
    assert "no stablecoin" in missing(stress.borrow_apy(rates, NOW + 3 * DAY))


def test_jobless_claims_change_over_four_weeks() -> None:
    """231,000 (week ending 2026-01-31, the real first print) vs an illustrative 209,000 four
    weeks earlier (2026-01-03): (231,000 - 209,000) / 1,000 = +22 thousand."""
    jan31 = day_ms("2026-01-31")
    obs = [
        MacroObservation("ICSA", jan31 - 28 * DAY, 209_000.0, "fred"),
        MacroObservation("ICSA", jan31 - 7 * DAY, 209_000.0, "fred"),
        MacroObservation("ICSA", jan31, 231_000.0, "fred"),
    ]
    r = ok(stress.jobless_claims(obs, NOW))
    assert r.raw == 22.0
    assert r.detail == "231k (week ending 2026-01-31) vs 209k four weeks earlier: +22k"
    assert "no ICSA observation near" in missing(stress.jobless_claims(obs[1:], NOW))
    assert "stale" in missing(stress.jobless_claims(obs, jan31 + 22 * DAY))
