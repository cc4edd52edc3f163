"""Liquidation tallies: worked examples, and incremental totals == brute force on random streams."""

from __future__ import annotations

import dataclasses
import json
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from crashtui.analysis.liquidations import LiquidationStats, LiquidationTally, WindowTally
from crashtui.config.schema import CascadeParams
from crashtui.model import Liquidation, Side

T0 = 1_770_336_000_000  # 2026-02-06 00:00Z, a minute and a day boundary
MIN = 60_000
HOUR = 3_600_000


def win(stats: LiquidationStats, name: str) -> WindowTally:
    w = stats.window(name)
    assert w is not None
    return w


def liq(
    ts: int, usd: float, side: Side = Side.LONG, venue: str = "bybit", symbol: str = "BTC"
) -> Liquidation:
    return Liquidation(venue, symbol, side, 60_000.0, usd / 60_000.0, usd, ts)


def test_worked_example_windows_sides_and_long_share() -> None:
    tally = LiquidationTally()
    tally.add(liq(T0 - 5 * HOUR, 1_000_000.0, Side.LONG, "okx", "ETH"))  # only in 24h and 72h
    tally.add(liq(T0 - 2 * HOUR, 300_000.0, Side.SHORT, "bybit", "BTC"))  # in 4h, 24h, 72h
    tally.add(liq(T0 - 10 * MIN, 200_000.0, Side.LONG, "binance", "BTC"))  # in every window
    tally.add(liq(T0, 50_000.0, Side.LONG, "bybit", "ETH"))  # in every window
    stats = tally.stats(sampled_venues={"binance"})
    one_h, four_h, day, three_d = (win(stats, n) for n in ("1h", "4h", "24h", "72h"))
    # 1h: 200,000 + 50,000 = 250,000, all long -> long share 1.0
    assert (one_h.total.total_usd, one_h.total.long_usd, one_h.total.short_usd) == (250_000.0, 250_000.0, 0.0)
    assert one_h.total.long_share == 1.0
    # 4h adds the 300,000 short: 550,000; long share 250,000 / 550,000 = 0.4545...
    assert four_h.total.total_usd == 550_000.0
    assert four_h.total.long_share == 250_000.0 / 550_000.0
    # 24h adds the 1,000,000 ETH long on OKX: 1,550,000; long share 1,250,000 / 1,550,000
    assert day.total.total_usd == 1_550_000.0
    assert day.total.count == 4
    assert day.total.long_share == 1_250_000.0 / 1_550_000.0
    by_symbol = {s.name: (s.long_usd, s.short_usd) for s in day.by_symbol}
    assert by_symbol == {"ETH": (1_050_000.0, 0.0), "BTC": (200_000.0, 300_000.0)}
    assert [s.name for s in day.by_venue] == ["okx", "bybit", "binance"]  # largest total first
    assert [x.notional_usd for x in day.largest] == [1_000_000.0, 300_000.0, 200_000.0, 50_000.0]
    # binance is sampled and has an order in every window: every total is a lower bound
    assert one_h.lower_bound
    assert one_h.sampled_venues == ("binance",)
    assert three_d.total.total_usd == 1_550_000.0
    # the 1h window is minute-aligned: the current minute and the 59 before it
    assert one_h.end_ms - one_h.start_ms == 60 * MIN
    assert one_h.end_ms == T0 + MIN


def test_window_expiry_when_time_moves_on() -> None:
    tally = LiquidationTally()
    tally.add(liq(T0, 100.0))
    tally.advance(T0 + 59 * MIN)  # minute T0 is the oldest of the 60 in the 1h window
    assert tally.stats().windows[0].total.total_usd == 100.0
    tally.advance(T0 + 60 * MIN)  # now it has left the 1h window, but not the 4h one
    stats = tally.stats()
    assert win(stats, "1h").total.total_usd == 0.0
    assert win(stats, "1h").largest == ()
    assert win(stats, "4h").total.total_usd == 100.0
    tally.advance(T0 + 72 * HOUR)
    assert all(w.total.total_usd == 0.0 for w in tally.stats().windows)


def test_late_events_land_in_their_minute_and_too_old_ones_are_dropped() -> None:
    tally = LiquidationTally()
    tally.add(liq(T0 + 5 * MIN, 10.0))
    tally.add(liq(T0 + 5 * MIN - 4_000, 20.0))  # 4 s late, previous minute: still counted
    tally.add(liq(T0 + 5 * MIN - 73 * HOUR, 30.0))  # older than the longest window: dropped
    stats = tally.stats()
    assert win(stats, "1h").total.total_usd == 30.0
    assert stats.dropped_late == 1


def test_rejects_non_finite_and_negative_notional() -> None:
    tally = LiquidationTally()
    tally.add(liq(T0, float("nan")))
    tally.add(liq(T0, -5.0))
    tally.add(liq(T0, float("inf")))
    stats = tally.stats()
    assert stats.rejected == 3
    assert win(stats, "1h").total.count == 0


def test_not_sampled_when_sampled_venue_absent_from_window() -> None:
    tally = LiquidationTally()
    tally.add(liq(T0 - 2 * HOUR, 5.0, venue="binance"))
    tally.add(liq(T0, 5.0, venue="okx"))
    stats = tally.stats({"binance"})
    assert not win(stats, "1h").lower_bound
    assert win(stats, "4h").lower_bound
    # a stream source name means its venue
    assert win(tally.stats({"binance_liq"}), "4h").sampled_venues == ("binance",)


def test_cents_do_not_drift_over_many_adds_and_expiries() -> None:
    tally = LiquidationTally(windows=(("2m", 2),))
    for i in range(10_000):
        tally.add(liq(T0 + i * 20_000, 0.1))  # 3 per minute, 10 cents each
    # window: minutes head-1 and head; head minute holds 1 event (i=9999 at +199,980 s), the one
    # before holds 3: 4 × $0.10 = $0.40 exactly (float sums of 0.1 would drift)
    assert tally.stats().windows[0].total.total_usd == 0.4


def test_daily_totals_count_whole_days_only() -> None:
    tally = LiquidationTally()
    tally.add(liq(T0 + 12 * HOUR, 7.0))  # tally starts mid-day: that day is partial
    tally.add(liq(T0 + 30 * HOUR, 5.0))  # day 2
    tally.add(liq(T0 + 73 * HOUR, 1.0))  # day 4; day 3 had nothing
    days = [(d.day_ms, d.total_usd) for d in tally.stats().daily_totals]
    assert days == [(T0 + 24 * HOUR, 5.0), (T0 + 48 * HOUR, 0.0)]


def test_peak_24h_worked_example() -> None:
    """$1M at T0, $2M at T0+10h, $0.5M at T0+30h.

    Rolling 24 h total: 3M from T0+10h until T0's minute leaves the window (T0+24h), then 2M,
    then 2.5M at T0+30h (T0+6h..T0+30h holds 2M + 0.5M). Peak: 3M, for the window ending with
    the minute T0+10h (end T0+10h+1min). At T0+83h that sample is more than 72 h old and the
    24 h total is 0: the peak left is the 2.5M window ending T0+30h+1min.
    """
    tally = LiquidationTally()
    assert tally.peak_24h() == (0.0, None)
    tally.add(liq(T0, 1e6))
    tally.add(liq(T0 + 10 * HOUR, 2e6))
    tally.add(liq(T0 + 30 * HOUR, 0.5e6))
    assert tally.peak_24h() == (3e6, T0 + 10 * HOUR + MIN)
    stats = tally.stats()
    assert (stats.peak_24h_usd, stats.peak_24h_end_ms) == (3e6, T0 + 10 * HOUR + MIN)
    tally.advance(T0 + 83 * HOUR)
    assert tally.peak_24h() == (2.5e6, T0 + 30 * HOUR + MIN)
    # the session peak is not limited to the last 72 h
    assert tally.session_peak_24h() == (3e6, T0 + 10 * HOUR + MIN)


def test_session_peak_includes_the_live_window() -> None:
    tally = LiquidationTally()
    assert tally.session_peak_24h() == (0.0, None)
    tally.add(liq(T0, 1e6))
    tally.add(liq(T0 + 5 * MIN, 2e6))  # no minute has ended since: the peak is the live window
    assert tally.session_peak_24h() == (3e6, T0 + 5 * MIN + MIN)


def test_stats_serialise_to_json() -> None:
    tally = LiquidationTally()
    tally.add(liq(T0, 123.45, Side.SHORT))
    text = json.dumps(dataclasses.asdict(tally.stats({"bybit"})))
    assert '"SHORT"' in text
    assert "123.45" in text


# -- cascade detection -----------------------------------------------------------------------


def test_cascade_worked_example() -> None:
    """k=3, floor $1M, 5-minute rate.

    Quiet day: $10,000 at second 0 of every minute for 24 h, so every 5-minute rate sample is
    5 × 10,000 = $50,000 (except the first four minutes: 10k, 20k, 30k, 40k) and the median of the
    1,440 samples is $50,000. Threshold = max(3 × 50,000, 1,000,000) = $1,000,000.
    Then at minute Q = T0+24h (rate window Q-4..Q already holds 4 × 10k + 10k at Q:00 = 50k):
      Q:10 long $600k -> rate 650k  (not above 1M: no cascade)
      Q:20 long $500k -> rate 1,150k > 1M: cascade opens at Q:20, total so far = window = 1,150k
      Q:30 short $200k -> rate 1,350k: peak 1,350k at Q:30; total 1,350k (long 1,150k, short 200k)
    Minutes Q+1..Q+5 carry only the quiet $10k, each replacing a quiet $10k that leaves the window,
    so the rate stays 1,350k (no new peak) until Q leaves it: the first minute whose rate is back
    under $1M is Q+5 (rate 5 × 10k = 50k); once Q+5..Q+9 (a whole 5-minute window) have all been
    quiet the cascade closes, ending at the end of Q+5. Its total adds
    the quiet $10k of Q+1..Q+5: 1,350k + 50k = 1,400k; dominant side long (1,200k vs 200k short).
    """
    params = CascadeParams(rate_window_s=300, k=3.0, floor_usd=1_000_000.0)
    tally = LiquidationTally(params)
    for m in range(1440):
        tally.add(liq(T0 + m * MIN, 10_000.0))
    q = T0 + 1440 * MIN
    tally.add(liq(q, 10_000.0))
    stats = tally.stats()
    assert stats.baseline_rate_usd == 50_000.0
    assert stats.cascade_threshold_usd == 1_000_000.0
    tally.add(liq(q + 10_000, 600_000.0))
    assert tally.stats().cascade is None
    assert tally.stats().rate_usd == 650_000.0
    tally.add(liq(q + 20_000, 500_000.0))
    opened = tally.stats().cascade
    assert opened is not None
    assert opened.start_ms == q + 20_000
    assert opened.total_usd == 1_150_000.0
    tally.add(liq(q + 30_000, 200_000.0, Side.SHORT))
    for m in range(1, 6):
        tally.add(liq(q + m * MIN, 10_000.0))
    live = tally.stats().cascade
    assert live is not None
    assert live.peak_rate_usd == 1_350_000.0
    assert live.end_ms is None
    tally.advance(q + 6 * MIN)  # minute Q+5 has ended with rate 5 × 10k = 50k < 1M: first quiet minute
    assert tally.stats().cascade is not None  # a single quiet minute does not end it
    # Q+6..Q+9 are quiet too (rates 40k, 30k, 20k, 10k): five quiet minutes in a row close it,
    # dated at the end of the first of them
    tally.advance(q + 10 * MIN)
    stats = tally.stats()
    assert stats.cascade is None
    (done,) = stats.cascades
    assert done.start_ms == q + 20_000
    assert done.end_ms == q + 6 * MIN
    assert done.total_usd == 1_400_000.0
    assert done.long_usd == 1_200_000.0
    assert done.short_usd == 200_000.0
    assert done.dominant_side is Side.LONG
    assert done.peak_ms == q + 30_000
    assert done.threshold_usd == 1_000_000.0
    assert done.baseline_usd == 50_000.0


def test_cascade_needs_the_floor_even_without_a_baseline() -> None:
    # k = 1 so the cascade's own minutes (the only baseline samples) do not close it early
    tally = LiquidationTally(CascadeParams(rate_window_s=300, k=1.0, floor_usd=1_000.0))
    tally.add(liq(T0, 999.0))  # 999 is not above the $1,000 floor
    assert tally.stats().cascade is None
    tally.add(liq(T0 + 1_000, 2.0))  # rate 1,001 > the floor; no baseline yet
    assert tally.stats().cascade is not None
    # minutes 0..4 each sample a rate of 1,001 (not under the threshold max(1,000, 1 × 1,001));
    # minutes 5.. are quiet: five of them close it, ending at the end of minute 5
    tally.advance(T0 + 2 * HOUR)
    (done,) = tally.stats().cascades
    assert done.end_ms == T0 + 6 * MIN


def test_a_short_lull_does_not_split_a_cascade() -> None:
    """Threshold = the $1,000 floor (k is tiny). Wave 1: $2,000 at minute 0, so minutes 0..4 have
    rate 2,000; minutes 5 and 6 are quiet (rate 0); wave 2: $3,000 at minute 7 (rate 3,000 for
    minutes 7..11). Only 2 quiet minutes separate the waves, fewer than the 5-minute window, so it
    is one cascade: total 5,000, peak 3,000; quiet from minute 12, it ends at the end of minute 12."""
    tally = LiquidationTally(CascadeParams(rate_window_s=300, k=1e-9, floor_usd=1_000.0))
    tally.add(liq(T0, 2_000.0))
    tally.advance(T0 + 7 * MIN)
    assert tally.stats().cascade is not None  # still open through the lull
    tally.add(liq(T0 + 7 * MIN + 5_000, 3_000.0, Side.SHORT))
    tally.advance(T0 + 3 * HOUR)
    (done,) = tally.stats().cascades
    assert done.total_usd == 5_000.0
    assert done.peak_rate_usd == 3_000.0
    assert done.peak_ms == T0 + 7 * MIN + 5_000
    assert done.dominant_side is Side.SHORT
    assert done.end_ms == T0 + 13 * MIN


def test_cascade_history_is_bounded() -> None:
    tally = LiquidationTally(CascadeParams(rate_window_s=60, k=3.0, floor_usd=100.0), max_cascades=3)
    for i in range(6):
        tally.add(liq(T0 + i * HOUR, 1_000.0))
    tally.advance(T0 + 7 * HOUR)
    history = tally.stats().cascades
    assert len(history) == 3
    assert [c.start_ms for c in history] == [T0 + i * HOUR for i in (3, 4, 5)]


# -- property: incremental == brute force ----------------------------------------------------

VENUES = ("binance", "bybit", "okx")
SYMBOLS = ("BTC", "ETH")

step = st.one_of(
    st.integers(0, 90_000),  # most events seconds apart
    st.integers(0, 3 * HOUR),  # sometimes hours apart (expiry)
    st.integers(-8_000, 0),  # a few seconds out of order
)
op = st.tuples(
    st.sampled_from(["add", "add", "add", "advance"]),
    step,
    st.sampled_from(VENUES),
    st.sampled_from(SYMBOLS),
    st.sampled_from([Side.LONG, Side.SHORT]),
    st.floats(0.0, 5e6, allow_nan=False),
)


@settings(max_examples=150, deadline=None)
@given(ops=st.lists(op, min_size=1, max_size=160), small=st.booleans())
def test_incremental_tallies_equal_brute_force(
    ops: list[tuple[str, int, str, str, Side, float]], small: bool
) -> None:
    windows = (("3m", 3), ("17m", 17), ("60m", 60)) if small else (("1h", 60), ("4h", 240), ("72h", 4320))
    tally = LiquidationTally(windows=windows, top_n=4)
    clock = T0
    head = None
    events: list[Liquidation] = []
    day_samples: list[tuple[int, int]] = []  # (head minute, brute-force 24 h total in cents)
    ring = max(m for _, m in windows) if not small else 1440
    for kind, delta, venue, symbol, side, usd in ops:
        clock = max(T0, clock + delta)
        if kind == "advance":
            tally.advance(clock)
        else:
            e = liq(clock, usd, side, venue, symbol)
            tally.add(e)
            events.append(e)
        head = clock // MIN if head is None else max(head, clock // MIN)
        assert head is not None
        stats = tally.stats()
        for w, (_, minutes) in zip(stats.windows, windows, strict=True):
            in_window = [e for e in events if e.ts_ms // MIN > head - minutes]
            _check_window(w, in_window)
        day_samples.append(
            (head, sum(_cents(e.notional_usd) for e in events if e.ts_ms // MIN > head - 1440))
        )
        best = max((c for h, c in day_samples if h > head - ring), default=0)
        assert _cents(tally.peak_24h()[0]) == best


@settings(max_examples=100, deadline=None)
@given(
    ops=st.lists(op, min_size=1, max_size=120),
    picks=st.lists(st.integers(0, 2), min_size=120, max_size=120),
)
def test_reading_one_window_gives_what_the_full_read_gives(
    ops: list[tuple[str, int, str, str, Side, float]], picks: list[int]
) -> None:
    """A reader that asks for one window (an alert rule) gets that window as a full read shows
    it, and skipping the others (their largest orders rebuilt later) changes no later read."""
    windows = (("3m", 3), ("17m", 17), ("60m", 60))
    full, partial = LiquidationTally(windows=windows, top_n=4), LiquidationTally(windows=windows, top_n=4)
    clock = T0
    for (kind, delta, venue, symbol, side, usd), pick in zip(ops, picks, strict=False):
        clock = max(T0, clock + delta)
        for tally in (full, partial):
            if kind == "advance":
                tally.advance(clock)
            else:
                tally.add(liq(clock, usd, side, venue, symbol))
        name = windows[pick][0]
        one = partial.stats(windows=(name,))
        assert [w.window for w in one.windows] == [name]
        assert one.window(name) == full.stats().window(name)
        assert one.peak_24h_usd == full.stats().peak_24h_usd
    assert partial.stats() == full.stats()


def _cents(usd: float) -> int:
    return round(usd * 100)


def _check_window(w: WindowTally, in_window: list[Liquidation]) -> None:
    """Every figure of ``w`` recomputed from scratch over the events inside it."""

    def total(venue: str | None = None, symbol: str | None = None, side: Side | None = None) -> int:
        return sum(
            _cents(e.notional_usd)
            for e in in_window
            if venue in (None, e.venue) and symbol in (None, e.symbol) and side in (None, e.liquidated_side)
        )

    assert w.total.count == len(in_window)
    assert _cents(w.total.long_usd) == total(side=Side.LONG)
    assert _cents(w.total.short_usd) == total(side=Side.SHORT)
    venues = {r.name: r for r in w.by_venue}
    assert set(venues) == {e.venue for e in in_window} == set(w.venues)
    for name, row in venues.items():
        assert _cents(row.long_usd) == total(venue=name, side=Side.LONG)
        assert _cents(row.short_usd) == total(venue=name, side=Side.SHORT)
    symbols = {r.name: r for r in w.by_symbol}
    assert set(symbols) == {e.symbol for e in in_window}
    for name, row in symbols.items():
        assert _cents(row.total_usd) == total(symbol=name)
        assert row.count == sum(1 for e in in_window if e.symbol == name)
    top = sorted((_cents(e.notional_usd) for e in in_window), reverse=True)[:4]
    assert [_cents(x.notional_usd) for x in w.largest] == top


def test_long_seeded_stream_equals_brute_force() -> None:
    """3,000 events over about 100 hours (bursts, gaps, events up to 9 s late), checked 30 times."""
    rng = random.Random(20260206)
    windows = (("1h", 60), ("4h", 240), ("24h", 1440), ("72h", 4320))
    tally = LiquidationTally(windows=windows, top_n=4)
    clock = T0
    events: list[Liquidation] = []
    for i in range(3000):
        clock += rng.choice([rng.randint(0, 20_000), rng.randint(0, 600_000), rng.randint(0, 6 * HOUR)])
        ts = clock - (rng.randint(0, 9_000) if rng.random() < 0.1 else 0)
        side = Side.LONG if rng.random() < 0.7 else Side.SHORT
        e = liq(ts, round(rng.lognormvariate(9, 2), 2), side, rng.choice(VENUES), rng.choice(SYMBOLS))
        tally.add(e)
        events.append(e)
        if i % 100 == 99:
            head = max(x.ts_ms for x in events) // MIN
            for w, (_, minutes) in zip(tally.stats().windows, windows, strict=True):
                _check_window(w, [x for x in events if x.ts_ms // MIN > head - minutes])
