"""ETF flow aggregates: worked examples with the arithmetic written out."""

from __future__ import annotations

import dataclasses
import json

import pytest

from crashtui.analysis.etf import summarise_etf
from crashtui.model import EtfFlow, FundFlow

DAY = 86_400_000
THU_0129 = 1_769_644_800_000  # 2026-01-29, a Thursday
MON_0202 = 1_769_990_400_000  # 2026-02-02, a Monday
LAUNCH_BTC = 1_704_931_200_000  # 2024-01-11, a Thursday


def flow(
    day: int, total: float | None, funds: dict[str, float | None] | None = None, src: str = "farside"
) -> EtfFlow:
    fund_rows = tuple(FundFlow(t, v) for t, v in (funds or {}).items())
    return EtfFlow("BTC", day, total, src, fund_rows)


def crash_week() -> list[EtfFlow]:
    return [
        flow(THU_0129, -817.8),
        flow(THU_0129 + DAY, -509.7),  # Fri 01-30
        flow(MON_0202, 561.8, {"IBIT": 142.7, "FBTC": 153.3, "GBTC": -30.0, "BITB": 295.8}),
        flow(MON_0202 + DAY, -272.0),  # Tue
        flow(MON_0202 + 2 * DAY, -544.9),  # Wed
        flow(MON_0202 + 3 * DAY, -434.1, {"IBIT": -175.3, "FBTC": -109.4, "GBTC": -149.4, "BITB": 0.0}),
        flow(MON_0202 + 4 * DAY, None),  # Fri: today's placeholder row, not published
    ]


def test_worked_example_crash_week() -> None:
    s = summarise_etf(list(reversed(crash_week())), "BTC")  # input order does not matter
    thu = MON_0202 + 3 * DAY
    assert s.anchor_day_ms == thu  # the latest *published* day, not the placeholder Friday
    assert s.unpublished_days_ms == (MON_0202 + 4 * DAY,)
    assert s.total.latest_usd_m == -434.1
    # week to date Mon..Thu: 561.8 - 272.0 - 544.9 - 434.1 = -689.2
    wtd = s.total.week_to_date
    assert wtd.net_usd_m == pytest.approx(-689.2)
    assert (wtd.first_day_ms, wtd.last_day_ms, wtd.days, wtd.complete) == (MON_0202, thu, 4, True)
    # trailing 5 trading days Fri 01-30..Thu 02-05: -509.7 + 561.8 - 272.0 - 544.9 - 434.1 = -1,198.9
    t5 = s.total.trailing_5d
    assert t5.net_usd_m == pytest.approx(-1198.9)
    assert (t5.first_day_ms, t5.days, t5.complete) == (THU_0129 + DAY, 5, True)
    # streak: Thu, Wed, Tue out; Mon was an inflow -> 3 days out, -434.1 - 544.9 - 272.0 = -1,251.0
    assert s.total.streak.direction == "outflow"
    assert s.total.streak.days == 3
    assert s.total.streak.net_usd_m == pytest.approx(-1251.0)
    assert s.total.streak.since_day_ms == MON_0202 + DAY
    assert [d.net_usd_m for d in s.largest_outflows] == [-817.8, -544.9, -509.7, -434.1, -272.0]
    # shares of Thursday's gross flow 175.3 + 109.4 + 149.4 + 0.0 = 434.1
    shares = {f.ticker: f.share_of_gross_pct for f in s.day_shares}
    assert shares["IBIT"] == pytest.approx(175.3 / 434.1 * 100)  # 40.38 %
    assert shares["GBTC"] == pytest.approx(149.4 / 434.1 * 100)  # 34.42 %
    assert shares["BITB"] == 0.0
    # history starts in 2026, long after the launch: no cumulative figure, and it says why
    assert s.total.cumulative_usd_m is None
    assert "after the launch on 2024-01-11" in s.total.cumulative_note


def test_fund_series_never_treat_missing_days_as_zero() -> None:
    s = summarise_etf(crash_week(), "BTC")
    ibit = next(f for f in s.funds if f.name == "IBIT")
    # IBIT is known on Mon (+142.7) and Thu (-175.3) only; Tue and Wed have no per-fund figures
    assert ibit.latest_usd_m == -175.3
    assert ibit.week_to_date.net_usd_m == pytest.approx(142.7 - 175.3)
    assert ibit.week_to_date.unpublished_days_ms == (MON_0202 + DAY, MON_0202 + 2 * DAY)
    assert not ibit.week_to_date.complete
    assert ibit.streak.days == 1  # Wed is unknown, so the streak cannot reach back past Thursday
    assert ibit.trailing_5d.days == 2
    assert not ibit.trailing_5d.complete


def test_streak_and_trailing_window_stop_at_unpublished_days() -> None:
    rows = [
        flow(MON_0202 - 3 * DAY, -5.0),  # Fri
        flow(MON_0202, -1.0),
        flow(MON_0202 + DAY, None),  # Tue unpublished (source glitch)
        flow(MON_0202 + 2 * DAY, -2.0),
        flow(MON_0202 + 3 * DAY, -3.0),
    ]
    s = summarise_etf(rows, "BTC")
    assert (s.total.streak.days, s.total.streak.net_usd_m) == (2, -5.0)  # Wed + Thu only
    # last 4 published days (only 4 exist): -5 - 1 - 2 - 3 = -11, Tue listed, incomplete
    t5 = s.total.trailing_5d
    assert (t5.net_usd_m, t5.days, t5.unpublished_days_ms, t5.complete) == (
        -11.0,
        4,
        (MON_0202 + DAY,),
        False,
    )
    wtd = s.total.week_to_date
    assert (wtd.net_usd_m, wtd.complete) == (-6.0, False)


def _trading_days(start: int, n: int) -> list[int]:
    out: list[int] = []
    day = start
    while len(out) < n:
        if (day // DAY + 3) % 7 < 5:
            out.append(day)
        day += DAY
    return out


def test_cumulative_since_launch_when_history_allows() -> None:
    days = _trading_days(LAUNCH_BTC, 10)  # Thu 2024-01-11 .. Wed 2024-01-24
    s = summarise_etf([flow(d, float(i + 1)) for i, d in enumerate(days)], "BTC")
    assert s.total.cumulative_usd_m == 55.0  # 1 + 2 + ... + 10
    assert "10 published days" in s.total.cumulative_note


def test_cumulative_refused_with_a_hole_in_history() -> None:
    days = _trading_days(LAUNCH_BTC, 10)
    # drop Mon 01-15 .. Thu 01-18: Fri 01-12 -> Fri 01-19 is a 7-day gap
    kept = [d for d in days if not (LAUNCH_BTC + 4 * DAY <= d <= LAUNCH_BTC + 7 * DAY)]
    s = summarise_etf([flow(d, 1.0) for d in kept], "BTC")
    assert s.total.cumulative_usd_m is None
    assert "gaps" in s.total.cumulative_note


def test_duplicates_prefer_published_then_per_fund_rows_and_weekends_ignored() -> None:
    rows = [
        flow(MON_0202, None, src="farside"),
        flow(MON_0202, 561.8, src="sosovalue"),
        flow(MON_0202 + DAY, -272.0, src="sosovalue"),
        flow(MON_0202 + DAY, -272.0, {"IBIT": -100.0, "FBTC": -172.0}, src="farside"),
        flow(MON_0202 - 2 * DAY, 999.0),  # a Saturday row: not a trading day
    ]
    s = summarise_etf(rows, "BTC")
    assert s.total.week_to_date.net_usd_m == pytest.approx(561.8 - 272.0)
    assert [f.ticker for f in s.day_shares] == ["IBIT", "FBTC"]
    assert s.notes == ("1 weekend row(s) ignored",)
    assert s.sources == ("farside", "sosovalue")


def test_nothing_published() -> None:
    s = summarise_etf([flow(MON_0202, None)], "BTC")
    assert s.anchor_day_ms is None
    assert s.total.week_to_date.net_usd_m is None
    assert s.total.trailing_5d.net_usd_m is None
    assert s.total.streak.direction == "none"
    assert s.unpublished_days_ms == (MON_0202,)


def test_other_assets_are_ignored_and_result_serialises() -> None:
    rows = [*crash_week(), EtfFlow("ETH", MON_0202, -2.9, "farside")]
    s = summarise_etf(rows, "BTC")
    assert s.history_days == 7
    assert json.loads(json.dumps(dataclasses.asdict(s)))["total"]["streak"]["direction"] == "outflow"
