"""Freshness: a series' newest point's age against its interval (one function for every series)."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

import pytest

from crashtui.analysis.freshness import FRESH, LATE, STALE, candle_freshness, describe, freshness
from crashtui.analysis.market import analyse_symbol
from crashtui.config.schema import Config
from crashtui.headless.document import candles_json
from crashtui.model import Candle, Interval
from tests.analysis.test_market import NOW, snapshot

H = 3_600_000
DAY = 86_400_000


@pytest.mark.parametrize(
    ("age_ms", "state"),
    [(-H, FRESH), (0, FRESH), (H, FRESH), (H + 1, LATE), (2 * H, LATE), (2 * H + 1, STALE), (3 * H, STALE)],
)
def test_one_interval_is_fresh_two_are_late_beyond_is_stale(age_ms: int, state: str) -> None:
    verdict = freshness(NOW - age_ms, H, NOW)
    assert verdict.state == state
    assert verdict.age_ms == max(0, age_ms)


def candles(interval: Interval, newest_open_ms: int, count: int = 5) -> tuple[Candle, ...]:
    return tuple(
        Candle(
            "ETH",
            interval,
            newest_open_ms - (count - 1 - i) * interval.ms,
            1.0,
            2.0,
            0.5,
            1.5,
            1.0,
            "binance",
        )
        for i in range(count)
    )


def test_a_1h_series_whose_newest_candle_closed_3h_ago_is_stale() -> None:
    verdict = candle_freshness(candles(Interval.H1, NOW - 4 * H), Interval.H1, NOW)
    assert verdict is not None
    assert verdict.stale
    assert describe(verdict, "closed") == "stale: closed 3 h ago"


def test_a_forming_candle_is_fresh_and_two_year_old_dailies_never_pass() -> None:
    forming = candle_freshness(candles(Interval.H1, NOW - NOW % H), Interval.H1, NOW)
    assert forming is not None
    assert forming.state == FRESH
    yesterday = candle_freshness(candles(Interval.D1, NOW - NOW % DAY - DAY), Interval.D1, NOW)
    assert yesterday is not None
    assert yesterday.state == FRESH  # closed at 00:00 today
    old = candle_freshness(candles(Interval.D1, NOW - 800 * DAY), Interval.D1, NOW)
    assert old is not None
    assert old.stale
    assert describe(old, "closed") == "stale: closed 2 years ago"
    assert candle_freshness((), Interval.D1, NOW) is None


def test_an_old_close_never_passes_as_the_current_price() -> None:
    snap = dataclasses.replace(snapshot(), tickers=MappingProxyType({}))
    current = analyse_symbol(snap, "ETH", Config())
    assert current.price_source == "last 1h close (binance)"  # the series runs to the last hour
    old = dataclasses.replace(
        snap, candles=MappingProxyType({("ETH", Interval.D1): candles(Interval.D1, NOW - 800 * DAY)})
    )
    result = analyse_symbol(old, "ETH", Config())
    assert result.price_source == "last 1d close (binance), stale: closed 2 years ago"


def test_once_json_says_how_fresh_each_candle_series_is() -> None:
    snap = dataclasses.replace(
        snapshot(),
        candles=MappingProxyType(
            {
                ("ETH", Interval.H1): candles(Interval.H1, NOW - 4 * H),
                ("ETH", Interval.D1): candles(Interval.D1, NOW - NOW % DAY),
            }
        ),
    )
    doc = candles_json("ETH", snap)
    assert doc["1h"]["freshness"] == STALE
    assert doc["1h"]["age_s"] == 3 * 3600
    assert doc["1d"]["freshness"] == FRESH
    assert "4h" not in doc


def test_a_fridays_close_is_current_on_monday_and_stale_a_week_on() -> None:
    from crashtui.analysis.freshness import TRADING_DAILY_MS, WEEKLY_MS, day_freshness

    friday = NOW - NOW % DAY  # 2026-02-06, a Friday
    monday_1400 = friday + 3 * DAY + 14 * H
    assert day_freshness(friday, TRADING_DAILY_MS, monday_1400).state == FRESH
    assert day_freshness(friday, TRADING_DAILY_MS, friday + 4 * DAY + 14 * H).state == LATE  # Tuesday
    assert day_freshness(friday, TRADING_DAILY_MS, friday + 7 * DAY + 14 * H).stale  # a week of prints missed
    assert day_freshness(friday - 6 * DAY, WEEKLY_MS, friday + 8 * DAY).state == LATE  # one print missed
