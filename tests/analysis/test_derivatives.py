"""The leverage radar row on hand-worked numbers, and on hostile input."""

from __future__ import annotations

import json
import math

import pytest

from crashtui.analysis.derivatives import (
    DerivSettings,
    SymbolDerivatives,
    derivatives,
    symbol_derivatives,
    to_json,
)
from crashtui.model import (
    Candle,
    FundingPoint,
    FundingSnapshot,
    Interval,
    LongShortRatio,
    OpenInterestPoint,
    Ticker,
)

HOUR = 3_600_000
MIN5 = 300_000
T = 1_770_120_000_000 - 1_770_120_000_000 % HOUR  # 2026-02-03 12:00 UTC, on the hour
SECONDS = T // 1000


def _oi(venue: str, ts: int, base: float | None, usd: float | None, scope: str = "perp") -> OpenInterestPoint:
    return OpenInterestPoint(venue, "BTC", ts, base, usd, HOUR, scope)


def _hour_candle(open_ms: int, open_: float, close: float) -> Candle:
    return Candle(
        "BTC", Interval.H1, open_ms, open_, max(open_, close), min(open_, close), close, 1.0, "binance"
    )


# Three venues, three kinds of series (hand-worked below):
#   binance_futures perp history, coins and USD:  T-24h 100 BTC / $7.0M, T-1h 110 / $7.26M, T 99 / $5.94M
#   bybit perp history, coins only:                T-24h 50, T-1h 50, T 45 (mark at T: 60,000)
#   okx all-contracts history, USD only:           T-24h $3.5M, T-1h $3.3M, T $3.0M
# Prices from 1 h candles: 70,000 at T-24h, 66,000 at T-1h, 60,000 at T (each candle's open).
OI = [
    _oi("binance_futures", T - 24 * HOUR, 100, 7.0e6),
    _oi("binance_futures", T - HOUR, 110, 7.26e6),
    _oi("binance_futures", T, 99, 5.94e6),
    _oi("bybit", T - 24 * HOUR, 50, None),
    _oi("bybit", T - HOUR, 50, None),
    _oi("bybit", T, 45, None),
    _oi("okx", T - 24 * HOUR, None, 3.5e6, "all"),
    _oi("okx", T - HOUR, None, 3.3e6, "all"),
    _oi("okx", T, None, 3.0e6, "all"),
]
CANDLES = [
    _hour_candle(T - 24 * HOUR, 70_000, 69_000),
    _hour_candle(T - HOUR, 66_000, 60_000),
    _hour_candle(T, 60_000, 60_500),
]
MARKS = [FundingSnapshot("bybit", "BTC", T, mark_price=60_000.0)]


def _row(**inputs: object) -> SymbolDerivatives:
    return symbol_derivatives("BTC", now_ms=T, **inputs)  # type: ignore[arg-type]


def test_open_interest_level_and_changes_hand_worked() -> None:
    row = _row(open_interest=OI, candles=CANDLES, snapshots=MARKS)
    # level: 5.94M + 45 × 60,000 + 3.0M
    assert row.open_interest_usd == pytest.approx(5.94e6 + 2.7e6 + 3.0e6)
    # coins now: 99 + 45 + 3.0M/60,000 = 194; an hour ago: 110 + 50 + 3.3M/66,000 = 210
    assert row.oi_change_1h_pct == pytest.approx((194 / 210 - 1) * 100)  # -7.62%
    # a day ago: 100 + 50 + 3.5M/70,000 = 200
    assert row.oi_change_24h_pct == pytest.approx(-3.0)
    # USD: 11.64M now, 7.26M + 50 × 66,000 + 3.3M = 13.86M an hour ago, 14.0M a day ago
    assert row.oi_usd_change_1h_pct == pytest.approx((11.64 / 13.86 - 1) * 100)
    assert row.oi_usd_change_24h_pct == pytest.approx((11.64 / 14.0 - 1) * 100)
    assert row.oi_at_ms == T
    assert [(v.venue, v.scope) for v in row.oi_venues] == [
        ("binance_futures", "perp"),
        ("bybit", "perp"),
        ("okx", "all"),
    ]


def test_a_price_move_alone_is_no_oi_change() -> None:
    # 100 BTC held throughout while the price fell from 66,000 to 60,000
    points = [_oi("binance_futures", T - HOUR, 100, 6.6e6), _oi("binance_futures", T, 100, 6.0e6)]
    row = _row(open_interest=points)
    assert row.oi_change_1h_pct == pytest.approx(0.0)
    assert row.oi_usd_change_1h_pct == pytest.approx((6.0 / 6.6 - 1) * 100)  # -9.09%


def test_junk_rows_any_order_and_duplicates_do_not_change_the_figures() -> None:
    junk = [
        _oi(
            "binance_futures", T - 30 * 60_000, math.nan, 1.0
        ),  # NaN coins: a USD-only reading between the two ends
        _oi("binance_futures", T - 20 * 60_000, -5, -1),  # negative: dropped
        _oi("binance_futures", T - 10 * 60_000, math.inf, math.inf),  # dropped
        _oi("bybit", SECONDS, 1e9, None),  # a timestamp in seconds: dropped
        _oi("bybit", T + 5 * HOUR, 1e9, None),  # after now: dropped
        _oi("okx", T - 2 * HOUR, None, 1e300, "all"),  # beyond any market: dropped
        _oi("binance_futures", T, 1000, 1.0e9),  # duplicate of T, given first: the later one wins
    ]
    clean = _row(open_interest=OI, candles=CANDLES, snapshots=MARKS)
    messy = _row(open_interest=junk + OI[::-1], candles=CANDLES[::-1], snapshots=MARKS)
    assert messy.open_interest_usd == pytest.approx(clean.open_interest_usd)
    assert messy.oi_change_1h_pct == pytest.approx(clean.oi_change_1h_pct)
    assert messy.oi_change_24h_pct == pytest.approx(clean.oi_change_24h_pct)


def test_change_needs_a_reading_near_the_window_start() -> None:
    # 4-hourly rows: nothing within 15 min of T-1h, but T-24h is there
    points = [_oi("binance_futures", T - h * HOUR, 100 + h, None) for h in (24, 20, 16, 12, 8, 4, 0)]
    row = _row(
        open_interest=points, snapshots=[FundingSnapshot("binance_futures", "BTC", T, mark_price=50_000.0)]
    )
    assert row.oi_change_1h_pct is None
    assert row.oi_change_24h_pct == pytest.approx((100 / 124 - 1) * 100)
    assert row.open_interest_usd == pytest.approx(100 * 50_000)


def test_stale_venue_is_left_out_and_snapshot_is_a_fallback() -> None:
    points = [_oi("bybit", T - 3 * HOUR, 50, None)]  # older than the 2 h limit
    snaps = [FundingSnapshot("hyperliquid", "BTC", T - 60_000, mark_price=60_000.0, open_interest_base=10.0)]
    row = _row(open_interest=points, snapshots=snaps)
    assert [(v.venue, v.scope) for v in row.oi_venues] == [("hyperliquid", "snapshot")]
    assert row.open_interest_usd == pytest.approx(600_000)
    assert row.oi_change_1h_pct is None  # one reading: no change
    assert row.oi_at_ms == T - 60_000


def test_coin_only_reading_without_any_price_is_not_counted_in_usd() -> None:
    row = _row(open_interest=[_oi("bybit", T, 45, None)])
    assert row.open_interest_usd is None
    assert row.oi_venues[0].base == 45
    assert row.oi_venues[0].usd is None


def test_funding_per_venue_and_annualised() -> None:
    snaps = [
        FundingSnapshot("binance_futures", "BTC", T, funding_rate_8h=0.0001),
        FundingSnapshot("bybit", "BTC", T - 30_000, funding_rate_8h=-0.0002),
        FundingSnapshot("hyperliquid", "BTC", T, funding_rate_8h=0.00001 * 8),
        FundingSnapshot("okx", "BTC", T, open_interest_usd=1.0),  # no rate in this snapshot
    ]
    history = [FundingPoint("okx", "BTC", T - HOUR, 0.00005, 8 * HOUR)]
    row = _row(snapshots=snaps, funding_history=history)
    rates = {f.venue: (f.rate_8h, f.settled) for f in row.funding}
    assert rates == {
        "binance_futures": (0.0001, False),
        "bybit": (-0.0002, False),
        "okx": (0.00005, True),  # the last settlement stands in for the current rate
        "hyperliquid": (pytest.approx(0.00008), False),
    }
    binance = row.funding[0]
    assert binance.annualised_pct == pytest.approx(10.95)  # 0.01% × 3 × 365
    out = to_json({"BTC": row})["BTC"]
    assert out["funding"] == {"binance": 0.0001, "bybit": -0.0002, "okx": 0.00005, "hyperliquid": 0.00008}
    assert out["funding_annualised_pct"]["bybit"] == pytest.approx(-21.9)


def test_binance_rate_rescaled_when_its_history_shows_4h() -> None:
    snaps = [FundingSnapshot("binance_futures", "BTC", T, funding_rate_8h=0.0001)]
    history = [FundingPoint("binance_futures", "BTC", T - 4 * HOUR, 0.0002, 4 * HOUR)]
    (binance,) = _row(snapshots=snaps, funding_history=history).funding
    # the premium index's 0.0001 was per 4 h: 0.0002 per 8 h
    assert binance.rate_8h == pytest.approx(0.0002)
    # a venue that states its interval (Bybit's tickers) is not rescaled
    bybit = [FundingSnapshot("bybit", "BTC", T, funding_rate_8h=0.0001)]
    bybit_history = [FundingPoint("bybit", "BTC", T - 4 * HOUR, 0.0002, 4 * HOUR)]
    assert _row(snapshots=bybit, funding_history=bybit_history).funding[0].rate_8h == 0.0001


def test_basis_from_mark_and_index() -> None:
    snaps = [FundingSnapshot("binance_futures", "BTC", T, mark_price=60_300.0, index_price=60_000.0)]
    row = _row(snapshots=snaps)
    assert row.basis_pct == pytest.approx(0.5)  # (60,300 / 60,000 - 1) × 100
    assert row.basis_venue == "binance_futures"
    assert row.basis_at_ms == T


def test_basis_against_a_spot_ticker_only_when_aligned() -> None:
    snaps = [FundingSnapshot("bybit", "BTC", T, mark_price=59_700.0)]  # no index
    near = [Ticker("BTC", 60_000.0, None, T - 30_000, "binance")]
    row = _row(snapshots=snaps, spot=near)
    assert row.basis_pct == pytest.approx(-0.5)
    assert row.basis_at_ms == T - 30_000
    far = [Ticker("BTC", 60_000.0, None, T - 120_000, "binance")]
    assert _row(snapshots=snaps, spot=far).basis_pct is None


def test_coinbase_premium() -> None:
    spot = [
        Ticker("BTC", 60_120.0, None, T, "coinbase"),
        Ticker("BTC", 60_000.0, None, T - 5_000, "binance"),
        Ticker("BTC", 59_000.0, None, T - 60_000, "binance"),  # older Binance reading: not used
    ]
    row = _row(spot=spot)
    assert row.coinbase_premium_pct == pytest.approx(0.2)  # (60,120 / 60,000 - 1) × 100
    assert row.premium_at_ms == T - 5_000
    skewed = [
        Ticker("BTC", 60_120.0, None, T, "coinbase"),
        Ticker("BTC", 60_000.0, None, T - 20_000, "binance"),
    ]
    assert _row(spot=skewed).coinbase_premium_pct is None
    assert _row(spot=spot[:1]).coinbase_premium_pct is None


def test_long_short_ratio_prefers_binance_then_bybit() -> None:
    ratios = [
        LongShortRatio("bybit", "BTC", T, MIN5, 0.49, 0.51),
        LongShortRatio("binance_futures", "BTC", T - MIN5, MIN5, 0.6622, 0.3378),
    ]
    row = _row(long_short=ratios)
    assert row.long_short_ratio == pytest.approx(0.6622 / 0.3378)  # 1.96
    assert row.long_short_venue == "binance_futures"
    stale = [LongShortRatio("binance_futures", "BTC", T - 3 * HOUR, MIN5, 0.6622, 0.3378), ratios[0]]
    row = _row(long_short=stale)
    assert row.long_short_ratio == pytest.approx(0.49 / 0.51)
    assert row.long_short_venue == "bybit"


def test_at_is_the_oldest_figure() -> None:
    row = _row(
        open_interest=[_oi("binance_futures", T - MIN5, 1, 60_000)],
        snapshots=[FundingSnapshot("bybit", "BTC", T - 40 * 60_000, funding_rate_8h=0.0001)],
        long_short=[LongShortRatio("bybit", "BTC", T, MIN5, 0.5, 0.5)],
    )
    assert row.at_ms == T - 40 * 60_000
    assert to_json({"BTC": row})["BTC"]["at"] == "2026-02-03T11:20:00Z"


def test_hostile_inputs_give_unknowns_not_errors() -> None:
    nan = math.nan
    row = _row(
        open_interest=[_oi("bybit", T, nan, nan), _oi("bybit", SECONDS, 1, 1)],
        snapshots=[
            FundingSnapshot(
                "binance_futures", "BTC", T, funding_rate_8h=nan, mark_price=math.inf, index_price=0.0
            ),
            FundingSnapshot("bybit", "BTC", T, funding_rate_8h=5.0, mark_price=-1.0),
            FundingSnapshot("okx", "BTC", SECONDS, funding_rate_8h=0.0001, mark_price=60_000.0),
        ],
        funding_history=[FundingPoint("hyperliquid", "BTC", T, math.inf, HOUR)],
        long_short=[
            LongShortRatio("bybit", "BTC", T, MIN5, 0.5, 0.0),
            LongShortRatio("okx", "BTC", T, MIN5, nan, 0.5),
            LongShortRatio("binance_futures", "BTC", T, MIN5, -0.5, 0.5),
        ],
        spot=[Ticker("BTC", nan, None, T, "coinbase"), Ticker("BTC", 60_000.0, None, T, "binance")],
        candles=[_hour_candle(T, nan, 1.0)],
    )
    assert row == SymbolDerivatives("BTC")
    out = to_json({"BTC": row})
    assert out["BTC"]["open_interest_usd"] is None
    assert out["BTC"]["funding"] == {}
    assert out["BTC"]["at"] is None
    json.dumps(out, allow_nan=False)  # strict JSON: nothing non-finite leaks out


def test_derivatives_filters_by_symbol_and_keeps_order() -> None:
    eth = OpenInterestPoint("binance_futures", "ETH", T, 1000.0, 2.0e6)
    rows = derivatives(
        ["ETH", "BTC", "SOL"], now_ms=T, open_interest=[*OI, eth], candles=CANDLES, snapshots=MARKS
    )
    assert list(rows) == ["ETH", "BTC", "SOL"]
    assert rows["ETH"].open_interest_usd == 2.0e6
    assert rows["BTC"].open_interest_usd == pytest.approx(11.64e6)
    assert rows["SOL"] == SymbolDerivatives("SOL")


def test_json_shape() -> None:
    row = _row(
        open_interest=OI,
        candles=CANDLES,
        snapshots=[*MARKS, FundingSnapshot("binance_futures", "BTC", T, 0.0001, 60_300.0, 60_000.0)],
        long_short=[LongShortRatio("binance_futures", "BTC", T, MIN5, 0.6, 0.4)],
        spot=[Ticker("BTC", 60_060.0, None, T, "coinbase"), Ticker("BTC", 60_000.0, None, T, "binance")],
    )
    out = to_json({"BTC": row})
    entry = out["BTC"]
    required = {
        "open_interest_usd",
        "oi_change_1h_pct",
        "oi_change_24h_pct",
        "funding",
        "basis_pct",
        "coinbase_premium_pct",
        "long_short_ratio",
        "at",
    }
    assert required <= set(entry)
    assert entry["open_interest_usd"] == 11_640_000
    assert entry["oi_change_24h_pct"] == -3.0
    assert entry["funding"] == {"binance": 0.0001}
    assert entry["basis_pct"] == 0.5
    assert entry["coinbase_premium_pct"] == 0.1
    assert entry["long_short_ratio"] == 1.5
    assert entry["at"] == "2026-02-03T12:00:00Z"
    assert entry["oi_by_venue"] == {"binance": 5_940_000, "bybit": 2_700_000, "okx": 3_000_000}
    assert entry["as_of"]["open_interest"] == "2026-02-03T12:00:00Z"
    json.dumps(out, allow_nan=False)


def test_settings_max_age() -> None:
    ratio = [LongShortRatio("bybit", "BTC", T - 30 * 60_000, MIN5, 0.5, 0.5)]
    assert _row(long_short=ratio).long_short_ratio == 1.0
    tight = symbol_derivatives(
        "BTC", now_ms=T, long_short=ratio, settings=DerivSettings(max_age_ms=10 * 60_000)
    )
    assert tight.long_short_ratio is None


def test_recent_points_give_the_same_row_as_the_whole_history() -> None:
    """A month of hourly history, a venue whose last settlement is days old (its interval still
    counts), a point from the future: the row from the recent tail equals the row from all."""
    from crashtui.analysis.derivatives import history_horizon_ms, recent_points

    month = range(T - 30 * 24 * HOUR, T + HOUR, HOUR)
    oi = {
        ("binance_futures", "BTC", "perp"): tuple(
            _oi("binance_futures", t, 100 + (t // HOUR) % 7, None) for t in month
        ),
        ("bybit", "BTC", "perp"): tuple(_oi("bybit", t, 50 + (t // HOUR) % 3, None) for t in month),
    }
    funding = {
        ("binance_futures", "BTC"): tuple(
            FundingPoint("binance_futures", "BTC", t, 0.0001, 8 * HOUR) for t in month[::8]
        ),
        # settled four days ago on a 4 h interval: still how the venue funds the symbol
        ("bybit", "BTC"): (FundingPoint("bybit", "BTC", T - 96 * HOUR, 0.0002, 4 * HOUR),),
        ("okx", "BTC"): (FundingPoint("okx", "BTC", T + 10 * HOUR, 0.0003, 8 * HOUR),),  # ahead
    }
    snaps = [FundingSnapshot("bybit", "BTC", T, funding_rate_8h=0.0001, mark_price=60_000.0)]
    candles = [_hour_candle(t, 60_000.0 + t % 997, 60_100.0) for t in month]

    def row(open_interest: list[OpenInterestPoint], history: list[FundingPoint]) -> SymbolDerivatives:
        return symbol_derivatives(
            "BTC", now_ms=T, open_interest=open_interest, snapshots=snaps, funding_history=history,
            candles=candles,
        )  # fmt: skip

    since = history_horizon_ms(T)
    recent_oi, recent_funding = recent_points(oi, since, T), recent_points(funding, since, T)
    assert len(recent_oi) < 100 < sum(len(v) for v in oi.values())
    assert funding[("bybit", "BTC")][0] in recent_funding  # the old settlement kept
    full = row([p for v in oi.values() for p in v], [p for v in funding.values() for p in v])
    assert row(recent_oi, recent_funding) == full
    assert full.oi_change_24h_pct is not None
    assert len(full.funding) == 2
    # another symbol's series are left out when a symbol is named, and the row is the same
    eth = {("bybit", "ETH", "perp"): (OpenInterestPoint("bybit", "ETH", T, 9.0, None, HOUR, "perp"),)}
    assert recent_points({**oi, **eth}, since, T, "BTC") == recent_oi
    assert recent_points({**oi, **eth}, since, T, "ETH") == list(eth[("bybit", "ETH", "perp")])
    from crashtui.analysis.market import recent_candles

    tail = recent_candles(candles, since)
    assert 0 < len(tail) < len(candles)
    assert tail[0].open_ms + HOUR > since >= tail[0].open_ms
    assert row(recent_oi, recent_funding) == symbol_derivatives(
        "BTC", now_ms=T, open_interest=recent_oi, snapshots=snaps, funding_history=recent_funding,
        candles=tail,
    )  # fmt: skip
