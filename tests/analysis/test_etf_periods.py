"""ETF figures by period: days make the daily figures, aggregates are shown apart; week to date is
the current US week's; the US trading day is New York's date (EST and EDT)."""

from __future__ import annotations

from crashtui.analysis.days import iso_day, new_york_offset_ms, us_trading_day_ms, us_week_monday
from crashtui.analysis.etf import PeriodFlow, summarise_etf
from crashtui.model import EtfFlow
from tests.analysis.test_etf import DAY, MON_0202, THU_0129, crash_week

HOUR = 3_600_000
JAN_01 = 1_767_225_600_000  # 2026-01-01


def test_a_monthly_aggregate_is_never_a_day_nor_week_to_date() -> None:
    month = EtfFlow("BTC", JAN_01 + 31 * DAY, -3_400.0, "theblock", (), "month")  # February's
    week = EtfFlow("BTC", MON_0202, -689.2, "theblock", (), "week")  # on the day Monday's row has
    plain = summarise_etf(crash_week(), "BTC")
    mixed = summarise_etf([*crash_week(), month, week], "BTC")
    assert mixed.total == plain.total  # latest, wtd, trailing, streak, cumulative: days only
    assert mixed.history_days == plain.history_days
    assert mixed.aggregates == (
        PeriodFlow("month", JAN_01 + 31 * DAY, -3_400.0, "theblock"),
        PeriodFlow("week", MON_0202, -689.2, "theblock"),
    )


def test_week_to_date_is_the_current_us_week() -> None:
    thu = MON_0202 + 3 * DAY
    # Friday 6 Feb 18:00 UTC: the week of 2 Feb, published to Thursday
    s = summarise_etf(crash_week(), "BTC", now_ms=MON_0202 + 4 * DAY + 18 * HOUR)
    assert s.total.latest_day_ms == thu
    assert s.total.week_to_date.first_day_ms == MON_0202
    assert s.total.week_to_date.net_usd_m is not None
    assert round(s.total.week_to_date.net_usd_m, 1) == round(561.8 - 272.0 - 544.9 - 434.1, 1)
    # Monday 9 Feb 15:00 UTC (10:00 in New York): nothing of the new week is published yet
    monday = summarise_etf(crash_week(), "BTC", now_ms=MON_0202 + 7 * DAY + 15 * HOUR)
    assert monday.total.latest_day_ms == thu  # latest is still the latest published day
    assert monday.total.week_to_date.net_usd_m is None  # not last week's sum
    assert monday.total.week_to_date.days == 0
    assert monday.total.week_to_date.first_day_ms == MON_0202 + 7 * DAY
    # Monday 9 Feb 03:00 UTC is still Sunday evening in New York: last week is current
    sunday = summarise_etf(crash_week(), "BTC", now_ms=MON_0202 + 7 * DAY + 3 * HOUR)
    assert sunday.total.week_to_date.days == 4


def test_new_york_date_in_winter_and_summer() -> None:
    assert new_york_offset_ms(MON_0202) == -5 * HOUR  # EST
    jul = 1_783_382_400_000  # 2026-07-07 00:00 UTC
    assert new_york_offset_ms(jul) == -4 * HOUR  # EDT
    # 2026-07-07 03:30 UTC is 23:30 on the 6th in New York (EDT), 22:30 in EST: the 6th either way
    assert iso_day(us_trading_day_ms(jul + 3 * HOUR + 30 * 60_000)) == "2026-07-06"
    # 04:30 UTC is 00:30 on the 7th in New York in summer (EST alone would say the 6th)
    assert iso_day(us_trading_day_ms(jul + 4 * HOUR + 30 * 60_000)) == "2026-07-07"
    # DST starts 2026-03-08 07:00 UTC and ends 2026-11-01 06:00 UTC
    mar08 = 1_772_928_000_000
    assert new_york_offset_ms(mar08 + 7 * HOUR - 1) == -5 * HOUR
    assert new_york_offset_ms(mar08 + 7 * HOUR) == -4 * HOUR
    nov01 = 1_793_491_200_000
    assert new_york_offset_ms(nov01 + 6 * HOUR - 1) == -4 * HOUR
    assert new_york_offset_ms(nov01 + 6 * HOUR) == -5 * HOUR
    assert us_week_monday(THU_0129 + 12 * HOUR) == MON_0202 - 7 * DAY


def test_the_state_keeps_a_day_and_the_aggregate_starting_on_it() -> None:
    from crashtui.events import DataEvent
    from crashtui.state import FeedState

    state = FeedState(("BTC",), now_ms=lambda: MON_0202 + 2 * DAY)
    day = EtfFlow("BTC", MON_0202, 561.8, "farside")
    week = EtfFlow("BTC", MON_0202, -689.2, "theblock", (), "week")
    state.apply(DataEvent("farside", "etf", (day,), MON_0202 + DAY))
    state.apply(DataEvent("theblock", "etf", (week,), MON_0202 + DAY))
    assert state.snapshot().etf_flows["BTC"] == (day, week)


def test_the_gate_holds_future_days_by_new_york_date_and_unknown_periods() -> None:
    from crashtui.ingest.gate import Gate

    jul07 = 1_783_382_400_000
    gate = Gate()
    now = jul07 + 4 * HOUR + 30 * 60_000  # 00:30 on 7 July in New York
    items = (
        EtfFlow("BTC", jul07, None, "farside"),  # today's placeholder: fine
        EtfFlow("BTC", jul07 + DAY, 10.0, "farside"),  # tomorrow
        EtfFlow("BTC", jul07 - 6 * DAY, 10.0, "theblock", (), "quarter"),
    )
    admission = gate.admit("farside", "etf", items, now)
    assert admission.admitted == items[:1]
    reasons = sorted(h.reason for h in admission.held)
    assert reasons == [
        "BTC ETF figure covers an unknown period 'quarter'",
        "ETF day 2026-07-08 is after the current US trading day 2026-07-07",
    ]
    # at 03:30 UTC it is still the 6th in New York: the 7th is held too
    early = gate.admit("farside", "etf", items[:1], jul07 + 3 * HOUR + 30 * 60_000)
    assert early.admitted == ()
