"""Recovery checklist items on small hand-built inputs, each expected value derived by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

import pytest

from crashtui.analysis.days import DAY_MS, HOUR_MS
from crashtui.analysis.recovery import (
    MET,
    NOT_MET,
    UNKNOWN,
    RecoveryInputs,
    RecoveryThresholds,
    checklist_json,
    recovery_checklist,
    transitions,
)
from crashtui.model import EtfFlow, FearGreedReading, FundingSnapshot, MacroObservation
from crashtui.sources.common import iso_day_ms

TH = RecoveryThresholds()
D0 = iso_day_ms("2026-03-02")  # a Monday


def day(i: int) -> int:
    return D0 + i * DAY_MS


def item(
    inputs: RecoveryInputs, item_id: str, th: RecoveryThresholds = TH
) -> tuple[str, str, int | None, bool]:
    (found,) = [i for i in recovery_checklist(inputs, th) if i.id == item_id]
    return found.status, found.evidence, found.since_ms, found.since_open


# --- BTC support ---------------------------------------------------------------------------


def test_support_needs_every_one_of_the_last_n_closes() -> None:
    closes = {day(0): 61_000.0, day(1): 59_000.0, day(2): 62_000.0}
    status, evidence, _, _ = item(RecoveryInputs(now_ms=day(3) + HOUR_MS, btc_closes=closes), "btc_support")
    assert status == NOT_MET
    assert evidence == "BTC closed at or above 60,000 on 2 of the last 3 days (latest 62,000 on 2026-03-04)"
    closes[day(1)] = 60_000.0  # "at or above": a close on the level holds it
    assert item(RecoveryInputs(now_ms=day(3) + HOUR_MS, btc_closes=closes), "btc_support")[0] == MET


def test_support_zone_floor_and_unknowns() -> None:
    closes = {day(0): 61_000.0, day(1): 59_000.0, day(2): 62_000.0}
    zone = RecoveryInputs(now_ms=day(3), btc_closes=closes, btc_support=(58_000.0, 60_000.0))
    status, evidence, _, _ = item(zone, "btc_support")
    assert status == MET  # 59,000 is inside the 58,000–60,000 zone: the zone held
    assert "(floor of the 58,000–60,000 zone)" in evidence
    gap = {day(0): 61_000.0, day(2): 62_000.0, day(3): 63_000.0}
    assert item(RecoveryInputs(now_ms=day(4), btc_closes=gap), "btc_support")[:2] == (
        UNKNOWN,
        "the last 3 BTC daily closes are not all there",
    )
    stale = RecoveryInputs(now_ms=day(6), btc_closes=closes)  # last close 2026-03-04, 3 days old
    assert item(stale, "btc_support")[1] == "stale: the latest BTC daily close is from 2026-03-04"
    assert item(RecoveryInputs(now_ms=day(3), btc_closes=closes, btc_support=()), "btc_support")[0] == UNKNOWN


def test_support_ignores_the_day_not_yet_closed() -> None:
    # day 3's close (the forming day) is not known at 12:00 on day 3
    closes = {day(0): 61_000.0, day(1): 62_000.0, day(2): 63_000.0, day(3): 10_000.0}
    assert item(RecoveryInputs(now_ms=day(3) + 12 * HOUR_MS, btc_closes=closes), "btc_support")[0] == MET


def test_support_since_is_the_start_of_the_current_run() -> None:
    # above for days 0..10, below on day 11, above on 12..14. At the end of day d the last
    # three closes are d-2..d: not met at the ends of days 11, 12, 13; met again at the end
    # of day 14, i.e. from 00:00 of day 15
    closes = {day(i): 61_000.0 for i in range(15)}
    closes[day(11)] = 59_000.0
    status, _, since, since_open = item(
        RecoveryInputs(now_ms=day(15) + HOUR_MS, btc_closes=closes), "btc_support"
    )
    assert (status, since, since_open) == (MET, day(15), False)
    # during day 14 the close of day 14 is not in yet: not met since the end of day 11
    status, _, since, since_open = item(
        RecoveryInputs(now_ms=day(14) + HOUR_MS, btc_closes=closes), "btc_support"
    )
    assert (status, since, since_open) == (NOT_MET, day(12), False)


def test_since_after_unknown_is_open() -> None:
    # days 0..1 missing a close before day 2: unknown until three closes exist
    closes = {day(i): 61_000.0 for i in range(2, 8)}
    _, _, since, since_open = item(RecoveryInputs(now_ms=day(8), btc_closes=closes), "btc_support")
    assert since == day(5)  # end of day 4: closes 2, 3, 4
    assert since_open  # before that it was unknown: the status may be older


# --- ETH 200-day MA ------------------------------------------------------------------------


def test_moving_average_by_hand() -> None:
    th = replace(TH, ma_period=3, ma_days=2)
    closes = {day(0): 10.0, day(1): 11.0, day(2): 12.0, day(3): 9.0, day(4): 14.0}
    status, evidence, _, _ = item(RecoveryInputs(now_ms=day(5), eth_closes=closes), "eth_ma200", th)
    # day 3: average (11+12+9)/3 = 10.67 > 9, below; day 4: (12+9+14)/3 = 11.67 < 14, above
    assert status == NOT_MET
    assert evidence == (
        "ETH closed above its 3-day average on 1 of the last 2 days "
        "(close 14.00 vs average 11.67 on 2026-03-06)"
    )
    closes[day(3)] = 13.0  # day 3: (11+12+13)/3 = 12 < 13; day 4: (12+13+14)/3 = 13 < 14
    assert item(RecoveryInputs(now_ms=day(5), eth_closes=closes), "eth_ma200", th)[0] == MET


def test_moving_average_needs_an_unbroken_history() -> None:
    th = replace(TH, ma_period=3, ma_days=2)
    closes = {day(0): 10.0, day(1): 11.0, day(3): 12.0, day(4): 9.0, day(5): 14.0}
    status, evidence, _, _ = item(RecoveryInputs(now_ms=day(6), eth_closes=closes), "eth_ma200", th)
    assert status == UNKNOWN
    assert evidence == "only 3 consecutive ETH daily closes; the 3-day average over 2 days needs 4"
    default = item(RecoveryInputs(now_ms=day(6), eth_closes=closes), "eth_ma200")
    assert default[1] == "only 3 consecutive ETH daily closes; the 200-day average over 3 days needs 202"


# --- ETF flows -----------------------------------------------------------------------------


def flows(asset: str, values: Mapping[int, float | None]) -> tuple[EtfFlow, ...]:
    return tuple(EtfFlow(asset, d, v, "t") for d, v in sorted(values.items()))


def test_etf_net_over_the_last_five_published_days() -> None:
    btc = flows("BTC", {day(0): 100.0, day(1): -50.0, day(2): 20.0, day(3): 30.0, day(4): -10.0})
    eth = flows("ETH", {day(i): -20.0 for i in range(5)})
    inputs = RecoveryInputs(now_ms=day(5) + HOUR_MS, etf_flows={"BTC": btc, "ETH": eth})
    status, evidence, _, _ = item(inputs, "etf_inflows")
    # BTC 100 - 50 + 20 + 30 - 10 = +90; ETH 5 × -20 = -100; net -10
    assert status == NOT_MET
    assert evidence == (
        "net ETF flow -10.0 US$m over the last 5 published days: BTC +90.0 (2026-03-02 to 2026-03-06), "
        "ETH -100.0 (2026-03-02 to 2026-03-06)"
    )
    btc_only = replace(TH, etf_assets=("BTC",))
    assert item(inputs, "etf_inflows", btc_only)[0] == MET


def test_etf_gaps_holiday_and_unpublished() -> None:
    th = replace(TH, etf_assets=("BTC",))
    # Monday 03-09 missing (a holiday): one missing weekday is allowed
    holiday: dict[int, float | None] = {day(i): 10.0 for i in (3, 4, 8, 9, 10)}  # Thu Fri Tue Wed Thu
    got = item(RecoveryInputs(now_ms=day(11), etf_flows={"BTC": flows("BTC", holiday)}), "etf_inflows", th)
    assert got[0] == MET
    # Friday's row says "not published yet": Thu 03-05 ... Thu 03-12 then lacks two weekdays
    holiday[day(4)] = None
    holiday[day(2)] = 10.0
    got = item(RecoveryInputs(now_ms=day(11), etf_flows={"BTC": flows("BTC", holiday)}), "etf_inflows", th)
    assert got[:2] == (
        UNKNOWN,
        "2 weekdays without a published BTC ETF flow between 2026-03-04 and 2026-03-12",
    )
    short = {day(0): 5.0, day(1): 5.0}
    got = item(RecoveryInputs(now_ms=day(2), etf_flows={"BTC": flows("BTC", short)}), "etf_inflows", th)
    assert got[1] == "only 2 published BTC ETF days (need 5)"
    missing_eth = RecoveryInputs(now_ms=day(2), etf_flows={"BTC": flows("BTC", short)})
    assert item(missing_eth, "etf_inflows")[1] == "only 2 published BTC ETF days (need 5)"


def test_etf_today_counts_live_but_not_at_past_day_ends() -> None:
    th = replace(TH, etf_assets=("BTC",))
    values = {day(i): -10.0 for i in range(4)}
    values[day(4)] = 100.0  # Friday's big inflow, published during Friday
    inputs = RecoveryInputs(now_ms=day(4) + 22 * HOUR_MS, etf_flows={"BTC": flows("BTC", values)})
    status, _, since, _ = item(inputs, "etf_inflows", th)
    assert status == MET
    assert since == day(4) + 22 * HOUR_MS  # met from now: before, Friday was not in


# --- jobless claims ------------------------------------------------------------------------

SAT = iso_day_ms("2026-01-31")  # a Saturday (claims weeks end on Saturdays)


def obs(series: str, values: dict[int, float]) -> tuple[MacroObservation, ...]:
    return tuple(MacroObservation(series, d, v, "fred") for d, v in sorted(values.items()))


def test_claims_four_week_average_rising_and_flat() -> None:
    averages = obs("IC4WSA", {SAT - 7 * DAY_MS: 206_250.0, SAT: 212_250.0})
    now = SAT + 6 * DAY_MS  # Friday after the Thursday release
    status, evidence, _, _ = item(RecoveryInputs(now_ms=now, claims_4wk=averages), "claims_trend")
    assert status == NOT_MET
    assert evidence == "4-week average 212,250 (week ending 2026-01-31) vs 206,250 a week earlier: +6,000"
    flat = obs("IC4WSA", {SAT - 7 * DAY_MS: 212_250.0, SAT: 212_250.0})
    assert item(RecoveryInputs(now_ms=now, claims_4wk=flat), "claims_trend")[0] == MET  # no longer rising


def test_claims_average_computed_from_weekly_claims() -> None:
    weekly = obs(
        "ICSA",
        {SAT - 28 * DAY_MS: 200_000.0, SAT - 21 * DAY_MS: 210_000.0, SAT - 14 * DAY_MS: 220_000.0}
        | {SAT - 7 * DAY_MS: 230_000.0, SAT: 190_000.0},
    )
    status, evidence, _, _ = item(
        RecoveryInputs(now_ms=SAT + 6 * DAY_MS, claims_weekly=weekly), "claims_trend"
    )
    # latest (210+220+230+190)/4 = 212,500; before (200+210+220+230)/4 = 215,000
    assert status == MET
    assert evidence == (
        "4-week average 212,500 (week ending 2026-01-31) vs 215,000 a week earlier: -2,500 "
        "(computed from weekly ICSA)"
    )


def test_claims_week_counts_from_its_thursday_release() -> None:
    averages = obs("IC4WSA", {SAT - 14 * DAY_MS: 200_000.0, SAT - 7 * DAY_MS: 206_250.0, SAT: 212_250.0})
    friday = SAT + 6 * DAY_MS + HOUR_MS
    status, _, since, _ = item(RecoveryInputs(now_ms=friday, claims_4wk=averages), "claims_trend")
    # the week ending 01-31 is released Thursday 02-05 13:30Z: first seen at the end of 02-05;
    # the weeks before were rising too (200,000 → 206,250), so the run is older than that
    assert status == NOT_MET
    assert since is not None
    assert since < SAT


def test_claims_unknowns() -> None:
    one = obs("IC4WSA", {SAT: 212_250.0})
    got = item(RecoveryInputs(now_ms=SAT + 6 * DAY_MS, claims_4wk=one), "claims_trend")
    assert got[:2] == (
        UNKNOWN,
        "no 4-week average for the week ending 2026-01-24 to compare 2026-01-31's 212,250 with",
    )
    averages = obs("IC4WSA", {SAT - 7 * DAY_MS: 206_250.0, SAT: 212_250.0})
    stale = item(RecoveryInputs(now_ms=SAT + 22 * DAY_MS, claims_4wk=averages), "claims_trend")
    assert stale[1] == "stale: the latest claims week ended 2026-01-31"


# --- AI basket -----------------------------------------------------------------------------


def test_ai_basket_equal_weight_off_the_low() -> None:
    th = replace(TH, ai_min_days=3)
    basket = {
        "NVDA": obs("NVDA", {day(0): 10.0, day(1): 8.0, day(2): 9.0}),
        "MSFT": obs("MSFT", {day(0): 100.0, day(1): 100.0, day(2): 100.0}),
    }
    status, evidence, _, _ = item(RecoveryInputs(now_ms=day(3), ai_basket=basket), "ai_basket", th)
    # scaled to day 0: 1.0, (0.8 + 1.0)/2 = 0.9, (0.9 + 1.0)/2 = 0.95 → 0.95/0.9 - 1 = 5.6 %
    assert status == MET
    assert evidence == (
        "AI basket (MSFT, NVDA, equal weight) 5.6% above its 90-day low of 2026-03-03 "
        "(needs 5%; latest 2026-03-04)"
    )
    assert item(
        RecoveryInputs(now_ms=day(3), ai_basket=basket), "ai_basket", replace(th, ai_off_low_pct=6.0)
    )[0] == (NOT_MET)


def test_ai_basket_unknown_without_every_member() -> None:
    th = replace(TH, ai_min_days=3)
    basket = {"NVDA": obs("NVDA", {day(i): 10.0 + i for i in range(3)}), "GOOGL": ()}
    got = item(RecoveryInputs(now_ms=day(3), ai_basket=basket), "ai_basket", th)
    assert got[:2] == (UNKNOWN, "no GOOGL closes in the last 90 days")
    thin = {
        "NVDA": obs("NVDA", {day(0): 10.0, day(1): 11.0, day(2): 12.0}),
        "MSFT": obs("MSFT", {day(2): 400.0, day(3): 401.0}),
    }
    got = item(RecoveryInputs(now_ms=day(4), ai_basket=thin), "ai_basket", th)
    assert got[1] == "only 1 days with a close for each of MSFT, NVDA in the last 90 days (need 3)"
    assert item(RecoveryInputs(now_ms=day(4)), "ai_basket")[1] == "no AI basket configured"


# --- crypto fear ---------------------------------------------------------------------------


def fear(values: dict[int, float]) -> tuple[FearGreedReading, ...]:
    return tuple(
        FearGreedReading("crypto", d, v, "Extreme Fear" if v <= 25 else "Fear", "alternative_me")
        for d, v in sorted(values.items())
    )


def test_fear_out_of_extreme_for_three_days() -> None:
    got = item(
        RecoveryInputs(now_ms=day(2) + HOUR_MS, fear=fear({day(0): 20, day(1): 30, day(2): 40})),
        "crypto_fear",
    )
    assert got[:2] == (
        NOT_MET,
        "Fear & Greed above 25 on 2 of the last 3 days (latest 40, Fear, on 2026-03-04)",
    )
    # 25 itself is extreme (alternative.me labels 25 "Extreme Fear"); 26 is not
    got = item(
        RecoveryInputs(now_ms=day(2) + HOUR_MS, fear=fear({day(0): 26, day(1): 30, day(2): 25})),
        "crypto_fear",
    )
    assert got[0] == NOT_MET
    got = item(
        RecoveryInputs(now_ms=day(2) + HOUR_MS, fear=fear({day(0): 26, day(1): 27, day(2): 30})),
        "crypto_fear",
    )
    assert got[0] == MET
    stocks = (FearGreedReading("stocks", day(2), 80, "Greed", "cnn"),)
    assert (
        item(RecoveryInputs(now_ms=day(2), fear=stocks), "crypto_fear")[0] == UNKNOWN
    )  # CNN's is not crypto
    gap = item(RecoveryInputs(now_ms=day(3), fear=fear({day(0): 30, day(2): 30, day(3): 30})), "crypto_fear")
    assert gap[1] == "the last 3 daily Fear & Greed readings are not all there"
    stale = item(
        RecoveryInputs(now_ms=day(6), fear=fear({day(0): 30, day(1): 30, day(2): 30})), "crypto_fear"
    )
    assert stale[1] == "stale: the latest Fear & Greed reading is from 2026-03-04"


# --- leverage ------------------------------------------------------------------------------


def snap(venue: str, ts: int, funding: float | None = None, oi: float | None = None) -> FundingSnapshot:
    return FundingSnapshot(venue, "BTC", ts, funding_rate_8h=funding, open_interest_usd=oi)


def test_leverage_calm_by_hand() -> None:
    now = day(10)
    history = (
        snap("binance", now - 7 * DAY_MS, 0.0001, 9e9),
        snap("bybit", now - 7 * DAY_MS - 2 * HOUR_MS, 0.0001, 5e9),
        snap("binance", now - HOUR_MS, 0.0001, 10e9),
        snap("bybit", now - HOUR_MS, 0.0002, 5e9),
        snap("okx", now - HOUR_MS, None, 3e9),  # no week-old reading on okx: not in the change
    )
    status, evidence, _, _ = item(RecoveryInputs(now_ms=now, leverage=history), "leverage_calm")
    # funding mean (0.01% + 0.02%)/2 = 0.015%; OI (10 + 5) / (9 + 5) - 1 = +7.1%
    assert status == MET
    assert evidence.startswith(
        "BTC funding +0.0150% per 8 h (mean of 2 venue(s)), "
        "open interest $15.00B, +7.1% over 7 days (2 venue(s))"
    )
    flush = (*history, snap("binance", now - 30 * 60_000, -0.0005, 6e9))
    status, evidence, _, _ = item(RecoveryInputs(now_ms=now, leverage=flush), "leverage_calm")
    # funding (-0.05% + 0.02%)/2 = -0.015% < -0.01%; OI (6 + 5)/(9 + 5) - 1 = -21.4% < -10%
    assert status == NOT_MET
    assert evidence.endswith("funding out of range, open interest change out of range")


def test_leverage_unknown_without_history() -> None:
    now = day(10)
    latest_only = (snap("binance", now - HOUR_MS, 0.0001, 10e9),)
    got = item(RecoveryInputs(now_ms=now, leverage=latest_only), "leverage_calm")
    assert got[:2] == (UNKNOWN, "no BTC open interest from 7 days before the latest to compare with")
    old = (snap("binance", now - 2 * DAY_MS, 0.0001, 10e9),)
    assert item(RecoveryInputs(now_ms=now, leverage=old), "leverage_calm")[1] == (
        "no BTC funding rate from the last 24 h"
    )


# --- the list ------------------------------------------------------------------------------


def test_empty_inputs_are_all_unknown_in_the_seed_order() -> None:
    items = recovery_checklist(RecoveryInputs(now_ms=day(0)))
    assert [i.id for i in items] == [
        "btc_support",
        "eth_ma200",
        "etf_inflows",
        "claims_trend",
        "ai_basket",
        "crypto_fear",
        "leverage_calm",
    ]
    assert {i.status for i in items} == {UNKNOWN}
    assert all(i.since_open for i in items)
    assert items[0].label == "BTC holds 60,000 (3 daily closes)"


def test_json_and_transitions() -> None:
    closes = {day(i): 61_000.0 for i in range(3)}
    before = recovery_checklist(RecoveryInputs(now_ms=day(3), btc_closes=closes))
    after = recovery_checklist(RecoveryInputs(now_ms=day(3), btc_closes=closes | {day(2): 59_000.0}))
    (change,) = transitions(before, after)
    assert (change.id, change.before, change.after) == ("btc_support", MET, NOT_MET)
    row = checklist_json(after)[0]
    assert set(row) == {"id", "label", "status", "evidence", "since", "since_open"}
    assert row["since"] == "2026-03-05 00:00Z"
    assert transitions(after, after) == ()


def test_thresholds_are_validated() -> None:
    with pytest.raises(ValueError, match="support_days"):
        RecoveryThresholds(support_days=0)
    with pytest.raises(ValueError, match="minimum is above"):
        RecoveryThresholds(funding_min_8h=0.01, funding_max_8h=0.0)
