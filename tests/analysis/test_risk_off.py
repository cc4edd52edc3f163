"""The risk-off read: day changes and the four conditions, on hand-made and real Feb-2026 data."""

from __future__ import annotations

import math

import pytest

from crashtui.analysis.days import DAY_MS
from crashtui.analysis.risk_off import (
    DayChange,
    RiskOffRule,
    changes_for,
    day_change,
    risk_off_json,
    risk_off_read,
)
from crashtui.sources.common import iso_day_ms
from tests.analysis import feb2026_data as feb

FRI = iso_day_ms("2026-02-06")


def test_day_change_uses_the_latest_two_values() -> None:
    points = {FRI - DAY_MS: 6882.72, FRI: 6798.40, FRI - 2 * DAY_MS: 1.0}
    c = day_change("SP500", points, now_ms=FRI + DAY_MS)
    assert c is not None
    assert (c.day_ms, c.prev_day_ms, c.value, c.prev_value) == (FRI, FRI - DAY_MS, 6798.40, 6882.72)
    assert c.change == pytest.approx(6798.40 - 6882.72)
    assert c.change_pct == pytest.approx((6798.40 / 6882.72 - 1) * 100)
    assert c.text() == "SP500 6,798 (-1.23% vs 2026-02-05)"


def test_day_change_missing_stale_future_and_rates() -> None:
    assert day_change("X", {FRI: 1.0}, now_ms=FRI) is None
    assert day_change("X", {FRI - DAY_MS: 1.0, FRI: 2.0}, now_ms=FRI + 6 * DAY_MS) is None  # stale
    # a value dated after now is not known yet
    c = day_change("X", {FRI - DAY_MS: 1.0, FRI: 2.0, FRI + DAY_MS: 99.0}, now_ms=FRI + 3_600_000)
    assert c is not None
    assert c.value == 2.0
    y = day_change("DGS10", {FRI - DAY_MS: 4.29, FRI: 4.21}, now_ms=FRI, rate=True)
    assert y is not None
    assert y.text() == "DGS10 4.21% (-8 bp vs 2026-02-05)"
    zero = day_change("DTB3", {FRI - DAY_MS: 0.0, FRI: 0.05}, now_ms=FRI, rate=True)
    assert zero is not None
    assert math.isinf(zero.change_pct)
    assert (
        risk_off_json(risk_off_read({"DTB3": zero}, RiskOffRule(yields=("DTB3",))))["conditions"][0]["moves"][
            0
        ]["change_pct"]
        is None
    )


def move(name: str, pct: float, rate: bool = False) -> DayChange:
    prev = 4.0 if rate else 100.0
    value = prev + pct / 100.0 if rate else prev * (1 + pct / 100.0)
    return DayChange(name, FRI, value, FRI - DAY_MS, prev, value - prev, (value / prev - 1) * 100, rate)


def test_all_four_conditions_hold() -> None:
    changes = {
        "DGS10": move("DGS10", -8, rate=True),  # -8 bp
        "GOLD": move("GOLD", 1.0),
        "SP500": move("SP500", -1.2),
        "NASDAQCOM": move("NASDAQCOM", -1.6),
        "BTC": move("BTC", -14.0),
        "ETH": move("ETH", -15.0),
    }
    read = risk_off_read(changes)
    assert [(c.id, c.holds) for c in read.conditions] == [
        ("yields_down", True),
        ("gold_up", True),
        ("equities_down", True),
        ("crypto_down", True),
    ]
    assert (read.risk_off, read.holding, read.text) == (True, 4, "4 of 4 risk-off conditions hold")


def test_every_series_of_a_group_must_agree_and_one_failed_is_no() -> None:
    changes = {"SP500": move("SP500", -1.2), "NASDAQCOM": move("NASDAQCOM", 0.3), "BTC": move("BTC", -3.0)}
    read = risk_off_read(changes)
    by_id = {c.id: c for c in read.conditions}
    assert by_id["equities_down"].holds is False  # the Nasdaq rose
    assert by_id["crypto_down"].holds is True
    assert by_id["crypto_down"].missing == ("ETH",)
    assert by_id["yields_down"].holds is None
    assert by_id["gold_up"].text == "gold_up: no recent day change for GOLD"
    # the Nasdaq's rise already rules risk-off out, whatever yields and gold would say
    assert read.risk_off is False
    assert read.text == "1 of 4 risk-off conditions hold; equities_down does not hold (2 without data)"


def test_one_failed_condition_is_no_even_with_another_unknown() -> None:
    # 2026-02-06 12:32 in feb-2026: the 10-year rose, gold had no data
    changes = {
        "DGS10": move("DGS10", 3, rate=True),
        "SP500": move("SP500", -1.2),
        "NASDAQCOM": move("NASDAQCOM", -1.6),
        "BTC": move("BTC", -3.0),
        "ETH": move("ETH", -4.0),
    }
    read = risk_off_read(changes)
    assert [c.holds for c in read.conditions] == [False, None, True, True]
    assert read.risk_off is False
    assert read.text == "2 of 4 risk-off conditions hold; yields_down does not hold (1 without data)"


def test_unknown_only_when_none_failed() -> None:
    changes = {"DGS10": move("DGS10", -3, rate=True), "BTC": move("BTC", -3.0), "ETH": move("ETH", -4.0)}
    read = risk_off_read(changes)
    assert [c.holds for c in read.conditions] == [True, None, None, True]
    assert read.risk_off is None
    assert read.text == "2 of 4 risk-off conditions hold (2 without data)"


def test_minimum_move_and_yields_direction() -> None:
    changes = {"DGS10": move("DGS10", 2, rate=True), "GOLD": move("GOLD", 0.05)}
    rule = RiskOffRule(min_move_pct=0.1, min_move_bp=1.0)
    by_id = {c.id: c for c in risk_off_read(changes, rule).conditions}
    assert by_id["gold_up"].holds is False  # +0.05 % is below the 0.1 % minimum
    assert by_id["yields_down"].holds is False
    up = {c.id: c for c in risk_off_read(changes, RiskOffRule(yields_direction="up")).conditions}
    assert up["yields_up"].holds is True  # +2 bp
    with pytest.raises(ValueError, match="yields_direction"):
        risk_off_read(changes, RiskOffRule(yields_direction="sideways"))


def test_feb_5_2026_from_the_real_closes() -> None:
    # the end of 2026-02-05: BTC fell to 62,702 and the S&P 500 closed at 6,798.40
    last = iso_day_ms("2026-02-05")
    series = {
        "DGS10": feb.fred_closes("feb2026_dgs10_daily_fred.csv", "value"),
        "GOLD": feb.fred_closes("feb2026_gold_futures_gcf_daily_close_yahoo_slowturtle.csv", "close"),
        "SP500": feb.fred_closes("feb2026_sp500_daily_close_fred.csv", "close"),
        "BTC": feb.yahoo_closes("BTC"),
        "ETH": feb.yahoo_closes("ETH"),
    }
    known = {name: {d: v for d, v in points.items() if d <= last} for name, points in series.items()}
    read = risk_off_read(changes_for(known, now_ms=last + DAY_MS))
    by_id = {c.id: c for c in read.conditions}
    # 10-year 4.29 → 4.21 (-8 bp): Treasuries bid
    assert by_id["yields_down"].holds is True
    assert by_id["yields_down"].moves[0].change * 100 == pytest.approx(-8.0)
    # gold futures 4,920.40 → 4,861.40 (-1.2 %): gold fell with everything else that day
    assert by_id["gold_up"].holds is False
    assert by_id["gold_up"].moves[0].change_pct == pytest.approx(
        (4861.39990234375 / 4920.39990234375 - 1) * 100
    )
    # S&P 500 6,882.72 → 6,798.40; BTC 73,019.70 → 62,702.10; ETH 2,143.50 → 1,821.68
    assert by_id["equities_down"].holds is True
    assert by_id["equities_down"].missing == ("NASDAQCOM",)
    assert by_id["crypto_down"].holds is True
    assert [round(m.change_pct, 2) for m in by_id["crypto_down"].moves] == [
        round((62702.1 / 73019.7 - 1) * 100, 2),
        round((1821.68 / 2143.5 - 1) * 100, 2),
    ]
    assert (read.risk_off, read.holding) == (False, 3)
    doc = risk_off_json(read)
    assert doc["text"] == "3 of 4 risk-off conditions hold; gold_up does not hold"
    assert doc["conditions"][1]["moves"][0]["name"] == "GOLD"
