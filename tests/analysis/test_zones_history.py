"""Weekly and monthly candles from daily ones, their pivots as zone evidence, and the promise of
two supports below and two resistances above price."""

from __future__ import annotations

import numpy as np
import pytest

from crashtui.analysis.days import DAY_MS
from crashtui.analysis.indicators import candle_arrays
from crashtui.analysis.zones import ZoneKind, find_zones, round_levels_beyond, zone_source
from crashtui.analysis.zones_history import MONTH, WEEK, period_keys, resample
from crashtui.model import Candle, Interval

MON_2026_01_05 = 1_767_571_200_000  # a Monday, 00:00Z


def day(i: int, low: float, high: float, close: float, start: int = MON_2026_01_05) -> Candle:
    return Candle("BTC", Interval.D1, start + i * DAY_MS, close, high, low, close, 10.0, "t")


def test_weeks_start_on_monday_and_months_on_the_first() -> None:
    opens = np.array([MON_2026_01_05 + i * DAY_MS for i in (-1, 0, 6, 7, 26, 27)], dtype=np.int64)
    weeks = period_keys(opens, WEEK).tolist()
    # Sunday 01-04 | Monday 01-05 .. Sunday 01-11 | Monday 01-12 | 01-31 | 02-01
    assert weeks[0] + 1 == weeks[1] == weeks[2] == weeks[3] - 1
    months = period_keys(opens, MONTH).tolist()
    assert months[:5] == [months[0]] * 5
    assert months[5] == months[0] + 1
    with pytest.raises(ValueError, match="unknown period"):
        period_keys(opens, "1y")


def test_weekly_candle_is_the_high_low_and_last_close_of_its_days() -> None:
    days = [day(i, 100.0 - i, 110.0 + i, 105.0 + i) for i in range(10)]  # Mon 01-05 .. Wed 01-14
    a, _ = candle_arrays(days)
    w = resample(a, WEEK)
    assert w.open_ms.tolist() == [MON_2026_01_05, MON_2026_01_05 + 7 * DAY_MS]
    assert w.high.tolist() == [116.0, 119.0]
    assert w.low.tolist() == [94.0, 91.0]
    assert w.close.tolist() == [111.0, 114.0]
    assert w.volume.tolist() == [70.0, 30.0]
    m = resample(a, MONTH)
    assert (m.high.tolist(), m.low.tolist(), m.close.tolist()) == ([119.0], [91.0], [114.0])


def weekly_dip(price_now: float) -> list[Candle]:
    """15 weeks of daily candles around 70,000, one deep week (week 7) down to 52,300."""
    out = []
    for i in range(15 * 7):
        week = i // 7
        low = 52_300.0 if (week == 7 and i % 7 == 3) else 69_000.0 - week * 10.0
        out.append(day(i, low, 71_000.0, 70_000.0))
    out[-1] = day(len(out) - 1, price_now - 100, 71_000.0, price_now)
    return out


def test_a_weekly_pivot_makes_a_support_with_its_evidence() -> None:
    """The week-7 low 52,300 is the lowest of 5 weeks: a 1w swing low (and a 1d and 1M one)."""
    daily = weekly_dip(60_000.0)
    a = find_zones("BTC", 60_000.0, daily=daily)
    z = next(z for z in a.zones if z.low <= 52_300.0 <= z.high)
    assert z.kind is ZoneKind.SUPPORT
    frames = {e.timeframe for e in z.evidence}
    assert {"1d", "1w"} <= frames
    assert z.source in ("weekly", "monthly")
    weekly = next(e for e in z.evidence if e.timeframe == "1w")
    assert weekly.description.startswith("1w swing low 52,300 in the week of 2026-02-23 (lowest of 5 weeks)")


def test_round_numbers_beyond_price() -> None:
    assert round_levels_beyond(60_197.0, 5_000.0, 300.0) == [55_000.0, 60_000.0, 65_000.0, 70_000.0]
    # zones wider than the step: round numbers spaced at least that far apart (2 steps here)
    assert round_levels_beyond(60_197.0, 5_000.0, 7_000.0) == [50_000.0, 60_000.0, 70_000.0, 80_000.0]
    assert round_levels_beyond(1.5, 0.1, 0.05) == [1.3, 1.4, 1.6, 1.7]


def test_two_supports_and_two_resistances_even_with_no_history() -> None:
    a = find_zones("BTC", 60_197.0, daily=[])
    below = [z.level for z in a.zones if z.kind is ZoneKind.SUPPORT]
    above = [z.level for z in a.zones if z.kind is ZoneKind.RESISTANCE]
    assert below == [55_000.0, 60_000.0]
    assert above == [65_000.0, 70_000.0]
    assert {z.source for z in a.zones} == {"round"}


def test_zone_source_order() -> None:
    from crashtui.analysis.zones import EvidenceKind as K

    assert zone_source({(K.PINNED, ""), (K.SWING_LOW, "1M")}) == "pinned"
    assert zone_source({(K.ROUND_NUMBER, ""), (K.SWING_LOW, "1M"), (K.SWING_LOW, "1w")}) == "monthly"
    assert zone_source({(K.SWING_HIGH, "1w"), (K.SWING_LOW, "1h")}) == "weekly"
    assert zone_source({(K.SWING_HIGH, "1d"), (K.ROUND_NUMBER, "")}) == "pivot"
    assert zone_source({(K.ROUND_NUMBER, ""), (K.VOLUME_NODE, "1h")}) == "round"
    assert zone_source({(K.VOLUME_NODE, "1h")}) == "volume"
    assert zone_source({(K.MA200, "1d")}) == "ma200"
