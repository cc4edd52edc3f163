"""State reducer: merging rules, de-duplication, bounds, snapshots."""

from __future__ import annotations

import itertools

from crashtui.events import ClockEvent, DataEvent, ServingEvent, StatusEvent
from crashtui.model import (
    BookStats,
    Candle,
    EtfFlow,
    FundingSnapshot,
    Interval,
    Liquidation,
    Side,
    SourceState,
    SourceStatus,
    Ticker,
)
from crashtui.state import CANDLE_CAP, FeedState

T0 = 1_770_336_000_000  # 2026-02-06T00:00Z


def ev(kind: str, *items: object, source: str = "test") -> DataEvent:
    return DataEvent(source, kind, items, T0)


def test_newer_ticker_wins_older_ignored() -> None:
    st = FeedState(["BTC"], now_ms=lambda: T0)
    st.apply(ev("prices", Ticker("BTC", 62000.0, -5.0, T0 + 10, "binance")))
    st.apply(ev("prices", Ticker("BTC", 61000.0, -6.0, T0 + 5, "coinbase")))
    assert st.snapshot().tickers["BTC"].price == 62000.0


def test_candles_merge_by_open_time_sorted_and_capped() -> None:
    st = FeedState(["BTC"])
    h = Interval.H1.ms
    st.apply(
        ev("candles", *(Candle("BTC", Interval.H1, T0 + i * h, 1, 2, 0.5, 1.5, 1, "b") for i in (2, 0, 1)))
    )
    st.apply(ev("candles", Candle("BTC", Interval.H1, T0 + h, 1, 3, 0.5, 2.5, 1, "b")))
    series = st.snapshot().candles[("BTC", Interval.H1)]
    assert [c.open_ms for c in series] == [T0, T0 + h, T0 + 2 * h]
    assert series[1].close == 2.5
    cap = CANDLE_CAP[Interval.D1]
    st.apply(
        ev(
            "candles",
            *(Candle("ETH", Interval.D1, i * 86_400_000, 1, 1, 1, 1, 1, "b") for i in range(cap + 10)),
        )
    )
    daily = st.snapshot().candles[("ETH", Interval.D1)]
    assert len(daily) == cap
    assert daily[0].open_ms == 10 * 86_400_000  # the oldest were dropped


def test_short_interval_caps_hold_a_week_and_stay_bounded() -> None:
    st = FeedState(["BTC"])
    assert CANDLE_CAP[Interval.M5] * Interval.M5.ms == 7 * 86_400_000  # a week of 5m
    assert CANDLE_CAP[Interval.M15] * Interval.M15.ms >= 7 * 86_400_000
    for interval in (Interval.M5, Interval.M15):
        cap = CANDLE_CAP[interval]
        # two refreshes' worth past the cap, in two events: the oldest go, the 1h series is untouched
        for part in (range(cap), range(cap, cap + 50)):
            st.apply(
                ev(
                    "candles",
                    *(Candle("BTC", interval, T0 + i * interval.ms, 1, 2, 0.5, 1.5, 1, "b") for i in part),
                )
            )
        series = st.snapshot().candles[("BTC", interval)]
        assert len(series) == cap
        assert series[0].open_ms == T0 + 50 * interval.ms
        assert series[-1].open_ms == T0 + (cap + 49) * interval.ms
        assert all(c.interval is interval for c in series)
    assert ("BTC", Interval.H1) not in st.snapshot().candles


def test_liquidations_deduplicated_and_forwarded_once() -> None:
    seen: list[Liquidation] = []
    st = FeedState(["BTC"], on_liquidation=seen.append)
    a = Liquidation("okx", "BTC", Side.LONG, 60000.0, 1.5, 90000.0, T0)
    b = Liquidation("okx", "BTC", Side.LONG, 60000.0, 2.0, 120000.0, T0)
    st.apply(ev("liquidations", a, b))
    st.apply(ev("liquidations", a))  # replay after a reconnect / store + backfill overlap
    assert seen == [a, b]
    assert st.snapshot().liquidations == (a, b)


def test_published_etf_day_not_replaced_by_placeholder() -> None:
    st = FeedState(["BTC"])
    st.apply(ev("etf", EtfFlow("BTC", T0, -434.1, "farside")))
    st.apply(ev("etf", EtfFlow("BTC", T0, None, "farside")))
    st.apply(ev("etf", EtfFlow("BTC", T0 + 86_400_000, None, "farside")))
    flows = st.snapshot().etf_flows["BTC"]
    assert [f.total_usd_m for f in flows] == [-434.1, None]


def test_funding_and_open_interest_merge() -> None:
    st = FeedState(["BTC"])
    st.apply(
        ev(
            "funding",
            FundingSnapshot("binance_futures", "BTC", T0, funding_rate_8h=-0.0002, mark_price=61900.0),
        )
    )
    st.apply(
        ev("open_interest", FundingSnapshot("binance_futures", "BTC", T0 + 5, open_interest_base=80000.0))
    )
    merged = st.snapshot().funding[("binance_futures", "BTC")]
    assert (merged.funding_rate_8h, merged.mark_price, merged.open_interest_base) == (
        -0.0002,
        61900.0,
        80000.0,
    )
    assert merged.ts_ms == T0 + 5


def test_book_history_is_time_ordered() -> None:
    st = FeedState(["BTC"])
    st.apply(ev("depth", BookStats("binance", "BTC", T0 + 10, 1, 1, 1, 1)))
    st.apply(ev("depth", BookStats("binance", "BTC", T0 + 5, 1, 9, 1, 1)))  # late duplicate
    assert [b.spread_bps for b in st.snapshot().books["BTC"]] == [1]


def test_statuses_serving_and_replay_clock() -> None:
    st = FeedState(["BTC"], mode="replay", now_ms=lambda: 1)
    st.apply(StatusEvent(SourceStatus("farside", SourceState.BLOCKED, T0, last_error="Cloudflare")))
    st.apply(ServingEvent("etf", "sosovalue"))
    st.apply(ClockEvent(T0 + 42))
    snap = st.snapshot()
    assert snap.statuses["farside"].state is SourceState.BLOCKED
    assert snap.serving["etf"] == "sosovalue"
    assert snap.generated_ms == T0 + 42
    st.apply(ServingEvent("etf", None))
    assert "etf" not in st.snapshot().serving


def test_version_increments_per_event() -> None:
    st = FeedState(["BTC"])
    before = st.version
    st.apply(ev("prices"))
    assert st.version == before + 1


def test_books_keep_a_thinned_week_behind_the_full_12_hours() -> None:
    st = FeedState(["BTC"])
    step = 15_000
    readings = [BookStats("binance", "BTC", T0 + i * step, 1, 1, 1, 1) for i in range(3 * 24 * 240)]  # 3 days
    st.apply(ev("depth", *readings))
    series = st.snapshot().books["BTC"]
    times = [b.ts_ms for b in series]
    assert times == sorted(times)
    assert times[-1] == readings[-1].ts_ms
    recent = [t for t in times if t >= readings[-2880].ts_ms]
    assert len(recent) == 2880  # the last 12 h in full
    older = [t for t in times if t < readings[-2880].ts_ms]
    assert older[0] == T0  # back to the start, three days ago
    assert all(b - a >= 600_000 for a, b in itertools.pairwise(older))  # one per 10 min
