"""Every ETF figure carries the period its parser read (issue 18: a monthly aggregate must never
pass for a day, nor be labelled week to date). Parsers on the real fixtures, plus the variants
that carry aggregates."""

from __future__ import annotations

import json

from crashtui.sources import farside, sosovalue, theblock
from crashtui.sources.common import iso_day_ms
from tests.conftest import FixtureReader
from tests.sources.test_farside import _page

DAY_S = 86_400


def test_real_pages_and_answers_are_trading_days(fixture_bytes: FixtureReader) -> None:
    flows = [
        *farside.parse_page(fixture_bytes("farside_btc.html"), asset="BTC"),
        *sosovalue.parse_summary_history(fixture_bytes("sosovalue_etf_summary_history.json"), asset="BTC"),
        *sosovalue.parse_summary_history(
            fixture_bytes("sosovalue_v2_historical_inflow_chart_legacy.json"), asset="BTC"
        ),
        *theblock.parse_flows(fixture_bytes("theblock_btc_etf_flows_reconstructed.json"), asset="BTC"),
    ]
    assert len(flows) == 11
    assert {f.period for f in flows} == {"day"}


def _respaced(body: bytes, starts: list[int]) -> bytes:
    """The Block's real fixture with its points moved to ``starts`` (unix s): a weekly or monthly
    dashboard has the same shape, one point per period."""
    data = json.loads(body)
    for series in data["Series"].values():
        for point, start in zip(series["Data"], starts, strict=False):
            point["Timestamp"] = start
    return json.dumps(data).encode()


def test_theblock_monthly_series_is_labelled_month(fixture_bytes: FixtureReader) -> None:
    jan, feb = iso_day_ms("2026-01-01") // 1000, iso_day_ms("2026-02-01") // 1000
    body = _respaced(fixture_bytes("theblock_btc_etf_flows_reconstructed.json"), [jan, feb])
    flows = theblock.parse_flows(body, asset="BTC")
    assert [(f.period, f.day_ms) for f in flows] == [("month", jan * 1000), ("month", feb * 1000)]
    assert flows[0].total_usd_m is not None
    assert abs(flows[0].total_usd_m - 95.2) < 1e-9  # the figures are kept, only labelled


def test_theblock_weekly_series_is_labelled_week_from_its_monday(fixture_bytes: FixtureReader) -> None:
    fri = iso_day_ms("2026-02-06") // 1000  # week ending Friday 6 Feb
    body = _respaced(fixture_bytes("theblock_btc_etf_flows_reconstructed.json"), [fri, fri + 7 * DAY_S])
    flows = theblock.parse_flows(body, asset="BTC")
    assert [(f.period, f.day_ms) for f in flows] == [
        ("week", iso_day_ms("2026-02-02")),
        ("week", iso_day_ms("2026-02-09")),
    ]


def test_theblock_series_period_from_the_median_gap() -> None:
    day = 86_400_000
    assert theblock.series_period([]) == "day"
    assert theblock.series_period([0]) == "day"
    assert theblock.series_period([0, day, 4 * day, 5 * day]) == "day"  # a weekend gap is still days
    assert theblock.series_period([0, 7 * day, 14 * day]) == "week"
    assert theblock.series_period([0, 31 * day, 59 * day, 90 * day]) == "month"


def test_farside_month_rows_are_not_days() -> None:
    page = _page(
        ["IBIT", "FBTC"],
        [
            ("", ["02 Feb 2026", "10.0", "5.0", "15.0"]),
            ("", ["Jan 2026", "(1,000.0)", "(200.0)", "(1,200.0)"]),
        ],
    )
    (flow,) = farside.parse_page(page, asset="BTC")
    assert (flow.day_ms, flow.period, flow.total_usd_m) == (iso_day_ms("2026-02-02"), "day", 15.0)
