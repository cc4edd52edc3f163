"""The backtest's judgement on hand-made price paths."""

from __future__ import annotations

from crashtui.analysis.backtest import HOUR_MS, drawdowns, judge, report_json, report_table

T0 = 1_770_000_000_000


def path(*prices: float) -> list[tuple[int, float]]:
    """One close per hour from T0."""
    return [(T0 + i * HOUR_MS, p) for i, p in enumerate(prices)]


def test_drawdowns_are_found_largest_first_and_do_not_overlap() -> None:
    closes = path(100, 110, 97, 105, 120, 60, 70, 65, 80, 72)
    found = drawdowns(closes, min_pct=10)
    # 120 -> 60 is -50%; before its peak, 110 -> 97 is -11.8%; after its trough, 80 -> 72 is -10%
    assert [(d.peak, d.trough) for d in found] == [(120, 60), (110, 97), (80, 72)]
    assert found[0].pct == 50.0
    assert found[0].peak_ms == T0 + 4 * HOUR_MS
    assert found[0].trough_ms == T0 + 5 * HOUR_MS
    assert drawdowns(closes, min_pct=60) == ()
    assert drawdowns(path(100)) == ()


def test_lead_time_and_false_alarms() -> None:
    closes = path(*([100.0] * 10), 95, 90, 80, 70, 75, *([76.0] * 60))  # the low, 70, at hour 13
    report = judge(
        "test",
        closes,
        {
            "early": [T0 + 3 * HOUR_MS, T0 + 40 * HOUR_MS],  # warned 10 h before; later, nothing followed
            "late": [T0 + 13 * HOUR_MS],  # at the low itself: 0 h, and no further fall followed it
            "silent": [],
        },
        horizon_h=48,
        crash_pct=8,
    )
    assert report.low == 70
    assert report.low_ms == T0 + 13 * HOUR_MS
    by_name = {s.signal: s for s in report.signals}
    assert by_name["early"].lead_h == 10.0
    assert by_name["early"].fires == 2
    assert by_name["early"].false_alarms == 1  # the first was followed by -30%, the second by nothing
    assert by_name["late"].lead_h == 0.0
    assert by_name["late"].false_alarms == 1
    assert by_name["silent"].lead_h is None
    assert by_name["silent"].fires == 0
    doc = report_json([report])
    assert doc[0]["signals"][0] == {
        "signal": "early",
        "fires": 2,
        "first_before_low": "2026-02-02T05:40:00Z",
        "lead_h": 10.0,
        "false_alarms": 1,
    }
    table = report_table([report])
    assert "test      early   2      10.0 h" in table
    assert "test: low 70 at 2026-02-02T15:40Z, deepest drawdown 30.0%" in table
