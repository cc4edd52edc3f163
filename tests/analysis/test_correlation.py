"""Rolling 30-day correlation and beta, checked against the formula computed by hand."""

from __future__ import annotations

import itertools
import math

import pytest

from crashtui.analysis.correlation import (
    candle_closes,
    correlate,
    correlation_json,
    correlations,
    observation_closes,
)
from crashtui.analysis.days import DAY_MS
from crashtui.model import Candle, Interval, MacroObservation
from crashtui.sources.common import iso_day_ms
from tests.analysis import feb2026_data as feb

MONDAY = iso_day_ms("2026-01-05")


def hand(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Pearson r and beta of xs on ys, straight from the textbook sums."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True))
    sxx = sum((a - mx) ** 2 for a in xs)
    syy = sum((b - my) ** 2 for b in ys)
    return sxy / math.sqrt(sxx * syy), sxy / syy


def log_returns(closes: list[float]) -> list[float]:
    return [math.log(b / a) for a, b in itertools.pairwise(closes)]


def test_small_series_matches_the_formula() -> None:
    x = [100.0, 102.0, 99.0, 101.0, 105.0, 104.0, 108.0, 107.0, 103.0, 106.0, 110.0, 109.0]
    y = [50.0, 50.5, 49.8, 50.1, 51.0, 50.9, 51.5, 51.6, 50.7, 51.2, 52.0, 51.7]
    days = [MONDAY + i * DAY_MS for i in range(len(x))]
    c = correlate(
        dict(zip(days, x, strict=True)),
        dict(zip(days, y, strict=True)),
        symbol="ETH",
        series="BTC",
        now_ms=days[-1] + DAY_MS,
    )
    r, beta = hand(log_returns(x), log_returns(y))
    assert c.r == pytest.approx(r, abs=1e-12)
    assert c.beta == pytest.approx(beta, abs=1e-12)
    assert (c.days, c.window_days) == (11, 30)  # 12 closes, 11 returns, all inside 30 days
    assert (c.from_day_ms, c.to_day_ms) == (days[0], days[-1])
    assert c.history[-1] == (days[-1], c.r)
    assert c.history[0][0] == days[10]  # the first window with 10 returns ends on day 10


def test_exact_double_mover_has_r_one_and_beta_one_half() -> None:
    # y's log returns are exactly twice x's: r = 1; beta of x on y = cov(a, 2a) / var(2a) = 1/2
    steps = [0.01, -0.02, 0.015, 0.03, -0.01, 0.005, -0.025, 0.02, 0.01, -0.005, 0.012]
    x, y = [100.0], [100.0]
    for s in steps:
        x.append(x[-1] * math.exp(s))
        y.append(y[-1] * math.exp(2 * s))
    days = [MONDAY + i * DAY_MS for i in range(len(x))]
    c = correlate(
        dict(zip(days, x, strict=True)),
        dict(zip(days, y, strict=True)),
        symbol="A",
        series="B",
        now_ms=days[-1],
    )
    assert c.r == pytest.approx(1.0, abs=1e-9)
    assert c.beta == pytest.approx(0.5, abs=1e-9)


def test_weekends_pair_on_common_dates() -> None:
    # crypto every day with a wild weekend; the index only on weekdays and always equal to
    # crypto / 10 on them: paired Friday → Monday returns are identical, so r = 1 exactly
    crypto, index = {}, {}
    level = 100.0
    for i in range(28):
        day = MONDAY + i * DAY_MS
        wd = i % 7
        level *= 1.0 + (0.01 if i % 3 else -0.015)
        crypto[day] = level * (3.0 if wd == 5 else 0.2 if wd == 6 else 1.0)  # Sat ×3, Sun ×0.2
        if wd < 5:
            index[day] = crypto[day] / 10.0
    c = correlate(crypto, index, symbol="BTC", series="NASDAQCOM", now_ms=MONDAY + 28 * DAY_MS)
    assert c.r == pytest.approx(1.0, abs=1e-12)
    assert c.beta == pytest.approx(1.0, abs=1e-12)
    assert c.days == 19  # 20 weekdays, 19 returns; the weekend values never enter


def test_window_holds_returns_ending_in_the_last_30_days() -> None:
    # 61 daily closes; returns ending on days 1..29 move y against x, days 30..60 with it
    steps = [0.01 * (1 + (i % 4)) * (1 if i % 2 else -1) for i in range(1, 61)]
    x, y = [100.0], [100.0]
    for i, s in enumerate(steps, start=1):
        x.append(x[-1] * math.exp(s))
        y.append(y[-1] * math.exp(-s if i <= 29 else s))
    days = [MONDAY + i * DAY_MS for i in range(61)]
    c = correlate(
        dict(zip(days, x, strict=True)),
        dict(zip(days, y, strict=True)),
        symbol="A",
        series="B",
        now_ms=days[60],
    )
    # window (day 30, day 60]: returns ending on days 31..60, all from the positive regime;
    # the return ending on day 30 (from day 29) lies on the window's open edge
    assert c.days == 30
    assert c.from_day_ms == days[30]
    assert c.r == pytest.approx(1.0, abs=1e-9)
    # ten days earlier the window held returns 21..50: nine of them from the inverse regime
    at50 = correlate(
        dict(zip(days, x, strict=True)),
        dict(zip(days, y, strict=True)),
        symbol="A",
        series="B",
        now_ms=days[50],
    )
    rx = log_returns(x)[20:50]
    ry = log_returns(y)[20:50]
    assert at50.days == 30
    assert at50.r == pytest.approx(hand(rx, ry)[0], abs=1e-12)
    assert at50.r is not None
    assert at50.r < 1.0


def test_missing_stale_short_and_flat() -> None:
    days = [MONDAY + i * DAY_MS for i in range(8)]
    x = {d: 100.0 + i for i, d in enumerate(days)}
    y = {d: 50.0 + (i % 3) for i, d in enumerate(days)}
    short = correlate(x, y, symbol="A", series="B", now_ms=days[-1])
    assert (short.r, short.days) == (None, 7)
    assert short.reason == "only 7 paired daily returns in 30 days (need 10)"
    more = [MONDAY + i * DAY_MS for i in range(15)]
    x = {d: 100.0 * (1.01 ** (i % 5)) for i, d in enumerate(more)}
    y = {d: 10.0 + (i % 4) for i, d in enumerate(more)}
    stale = correlate(x, y, symbol="A", series="B", now_ms=more[-1] + 8 * DAY_MS)
    assert stale.r is None
    assert stale.reason == "stale: the latest common date is 2026-01-19"
    flat = correlate(x, dict.fromkeys(more, 7.0), symbol="A", series="B", now_ms=more[-1])
    assert (flat.r, flat.reason) == (None, "the returns have no variance")
    assert correlate({}, y, symbol="A", series="B", now_ms=0).reason is not None


def test_future_and_bad_closes_are_ignored() -> None:
    days = [MONDAY + i * DAY_MS for i in range(14)]
    x = {d: 100.0 * (1.0 + 0.01 * ((i * 7) % 5)) for i, d in enumerate(days)}
    y = {d: 20.0 * (1.0 + 0.02 * ((i * 3) % 4)) for i, d in enumerate(days)}
    base = correlate(x, y, symbol="A", series="B", now_ms=days[-1])
    hostile_x = dict(x)
    hostile_y = dict(y)
    later = days[-1] + DAY_MS
    hostile_x[later], hostile_y[later] = 1e308, 1.0  # after now: ignored
    bad = days[-1] + 2 * DAY_MS
    hostile_x[bad], hostile_y[bad] = math.nan, 5.0
    again = correlate(hostile_x, hostile_y, symbol="A", series="B", now_ms=days[-1] + 12 * 3_600_000)
    assert (again.r, again.beta, again.days) == (base.r, base.beta, base.days)


def test_candle_and_observation_closes_drop_forming_and_junk() -> None:
    day = MONDAY
    candles = [
        Candle("BTC", Interval.D1, day, 1, 1, 1, 100.0, 0, "t"),
        Candle("BTC", Interval.D1, day + DAY_MS, 1, 1, 1, 101.0, 0, "t", closed=False),
        Candle("BTC", Interval.H1, day, 1, 1, 1, 99.0, 0, "t"),
        Candle("BTC", Interval.D1, day + 2 * DAY_MS, 1, 1, 1, math.inf, 0, "t"),
    ]
    assert candle_closes(candles) == {day: 100.0}
    obs = [
        MacroObservation("SP500", day + 3_600_000, 6000.0, "fred"),
        MacroObservation("SP500", day, -1.0, "x"),
    ]
    assert observation_closes(obs) == {day: 6000.0}


def test_json_shape_and_missing_names() -> None:
    days = [MONDAY + i * DAY_MS for i in range(12)]
    x = {d: 100.0 + (i * 37 % 11) for i, d in enumerate(days)}
    y = {d: 30.0 + (i * 13 % 7) for i, d in enumerate(days)}
    out = correlation_json(correlations({"BTC": x, "NASDAQCOM": y}, now_ms=days[-1]))
    btc = out["BTC"]["NASDAQCOM"]
    assert set(btc) == {"r", "beta", "days", "window_days", "from", "to", "reason"}
    assert btc["window_days"] == 30
    assert btc["days"] == 11
    assert btc["to"] == "2026-01-16"
    assert btc["r"] == round(btc["r"], 4)
    assert out["BTC"]["SP500"]["reason"] == "no SP500 closes"
    assert out["ETH"]["BTC"]["reason"] == "no ETH closes"
    assert out["ETH"]["BTC"]["r"] is None


# --- real Feb-2026 data ------------------------------------------------------------------


def feb_closes() -> dict[str, dict[int, float]]:
    btc_ndx = feb.rows("feb2026_btc_nasdaq_daily.csv")
    return {
        "BTC": {iso_day_ms(r["date"]): float(r["btc_close"]) for r in btc_ndx},
        "NASDAQCOM": {iso_day_ms(r["date"]): float(r["nasdaqcom"]) for r in btc_ndx if r["nasdaqcom"]},
        "SP500": feb.fred_closes("feb2026_sp500_daily_close_fred.csv", "close"),
        "ETH": feb.eth_coingecko_closes(),
    }


def test_feb_2026_btc_tracked_the_nasdaq_and_eth_was_the_higher_beta() -> None:
    last_day = iso_day_ms("2026-02-06")  # the day of the low; nothing later is known yet
    closes = {name: {d: v for d, v in c.items() if d <= last_day} for name, c in feb_closes().items()}
    now = last_day + DAY_MS
    got = {(c.symbol, c.series): c for c in correlations(closes, now_ms=now)}
    for symbol, series in (("BTC", "NASDAQCOM"), ("BTC", "SP500"), ("ETH", "BTC")):
        x, y = closes[symbol], closes[series]
        common = sorted(d for d in x if d in y and d <= now)
        last = common[-1]
        ends = [d for d in common[1:] if d > last - 30 * DAY_MS]  # returns ending in the window
        pairs = [(common[common.index(d) - 1], d) for d in ends]
        rx = [math.log(x[b] / x[a]) for a, b in pairs]
        ry = [math.log(y[b] / y[a]) for a, b in pairs]
        r, beta = hand(rx, ry)
        c = got[(symbol, series)]
        assert c.days == len(pairs)
        assert c.r == pytest.approx(r, abs=1e-9)
        assert c.beta == pytest.approx(beta, abs=1e-9)
    # the seed's claims, checked against the data: crypto moved with the Nasdaq (r above 0.5
    # over the 15 paired returns from 01-15 to 02-06) and ETH moved more than BTC (beta > 1)
    assert got[("BTC", "NASDAQCOM")].r is not None
    assert got[("BTC", "NASDAQCOM")].r > 0.5
    assert got[("ETH", "BTC")].beta is not None
    assert got[("ETH", "BTC")].beta > 1.0
    # both trade every day, but CBBTCUSD starts on 01-15: returns end on 01-16 … 02-06
    assert got[("ETH", "BTC")].days == 22
