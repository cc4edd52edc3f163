"""Small analysis helpers: calendar arithmetic, median/correlation, formatting, lazy numpy."""

from __future__ import annotations

import subprocess
import sys

import pytest

from crashtui.analysis.days import day_start, iso_day, iso_minute, week_monday, weekday
from crashtui.analysis.numbers import clamp, median, pearson
from crashtui.numfmt import counted, fmt_price, fmt_usd

FRI_0206_1400 = 1_770_386_400_000  # 2026-02-06 14:00Z, a Friday


def test_calendar() -> None:
    assert iso_minute(FRI_0206_1400) == "2026-02-06 14:00Z"
    assert day_start(FRI_0206_1400) == FRI_0206_1400 - 14 * 3_600_000
    assert weekday(FRI_0206_1400) == 4  # Monday = 0
    assert weekday(0) == 3  # 1970-01-01 was a Thursday
    assert iso_day(week_monday(FRI_0206_1400)) == "2026-02-02"
    assert iso_day(week_monday(FRI_0206_1400 + 2 * 86_400_000)) == "2026-02-02"  # Sunday 02-08


def test_counted_says_one_alert_not_one_alerts() -> None:
    assert counted(1, "alert") == "1 alert"
    assert counted(0, "alert") == "0 alerts"
    assert counted(1204, "delivery failure") == "1,204 delivery failures"


def test_median_and_clamp() -> None:
    assert median([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 3.0, 2.0]) == 2.5  # (2 + 3) / 2
    assert clamp(5.0, 0.0, 1.0) == 1.0
    assert clamp(-5.0, 0.0, 1.0) == 0.0


def test_pearson_worked_example() -> None:
    # x = 1,2,3  y = 2,4,7: means 2 and 13/3; sxy = (-1)(-7/3) + 0 + (1)(8/3) = 5; sxx = 2;
    # syy = 49/9 + 1/9 + 64/9 = 114/9; r = 5 / sqrt(2 · 114/9) = 0.99339
    assert pearson([1.0, 2.0, 3.0], [2.0, 4.0, 7.0]) == pytest.approx(5 / (2 * 114 / 9) ** 0.5)
    assert pearson([1.0, 1.0], [2.0, 3.0]) is None  # no variance
    assert pearson([1.0], [2.0]) is None


def test_formatting() -> None:
    assert [fmt_price(x) for x in (60_074.2, 1826.0, 182.44, 79.4, 0.152_34)] == [
        "60,074",
        "1,826",
        "182.4",
        "79.40",
        "0.1523",
    ]
    assert [fmt_usd(x) for x in (2.67e9, 412e6, 38_500.0, 950.0, -1.5e6)] == [
        "$2.67B",
        "$412.0M",
        "$38.5K",
        "$950",
        "-$1.5M",
    ]


def test_importing_analysis_does_not_import_numpy_or_pandas() -> None:
    code = (
        "import sys, crashtui.analysis.market, crashtui.analysis.zones; "
        "print(sorted(m for m in ('numpy', 'pandas', 'textual') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
