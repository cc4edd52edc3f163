"""The scenario catalog: windows, notes and telling moments of the bundled recordings."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from crashtui.replay.catalog import (
    TELLING_MOMENTS,
    ScenarioInfo,
    bundled_catalog,
    default_start_ms,
    format_catalog,
    scenario_catalog,
)
from crashtui.replay.locate import bundled_scenarios
from crashtui.replay.recording import RecordingHeader
from tools.scenario.spec import load

HOUR_MS = 3_600_000


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


def test_every_bundled_scenario_is_listed_with_its_window_and_moment() -> None:
    rows = bundled_catalog()
    assert [r.name for r in rows] == bundled_scenarios() == ["aug-2024", "feb-2026", "oct-2025"]
    for r in rows:
        assert r.start_ms is not None
        assert r.end_ms is not None
        assert r.start_ms <= (r.default_start_ms or 0) < r.end_ms
        assert r.note.startswith("SCENARIO, not live data")
        assert r.moment


def test_feb_2026_keeps_the_dashboards_demo_start() -> None:
    # the dashboard has always opened feb-2026 at 2026-02-06T12:00Z (crashtui/ui/session.py)
    assert default_start_ms("feb-2026") == _ms("2026-02-06T12:00")
    assert default_start_ms("session.jsonl.gz") is None


@pytest.mark.parametrize("name", sorted(TELLING_MOMENTS))
def test_each_moment_comes_shortly_before_the_crash_low(name: str) -> None:
    """Between one and three hours before the pinned low of that day (the reported timing)."""
    spec = load(name)
    start = TELLING_MOMENTS[name].start_ms
    lows = [
        _ms(pin.day.isoformat()) + pin.low_step * 300_000
        for pin in spec.pins.values()
        if 0 < _ms(pin.day.isoformat()) + pin.low_step * 300_000 - start <= 3 * HOUR_MS
    ]
    assert lows, f"no pinned low within 3 h after {name}'s moment"
    assert min(lows) - start >= HOUR_MS


def test_catalog_is_pure_and_drops_a_moment_outside_the_window() -> None:
    inside = RecordingHeader(
        1, "feb-2026", True, "n", start_ms=_ms("2026-01-15T00:00"), end_ms=_ms("2026-02-21T00:00")
    )
    cut = RecordingHeader(
        1, "oct-2025", True, "cut", start_ms=_ms("2025-10-12T00:00"), end_ms=_ms("2025-10-13T00:00")
    )
    other = RecordingHeader(1, "mine", False, "", start_ms=None, end_ms=None)
    rows = scenario_catalog({"oct-2025": cut, "mine": other, "feb-2026": inside})
    assert [r.name for r in rows] == ["feb-2026", "mine", "oct-2025"]
    assert rows[0].default_start_ms == _ms("2026-02-06T12:00")
    assert rows[1] == ScenarioInfo("mine", None, None, "", None, None)
    assert rows[2].default_start_ms is None  # 10-10 19:00 is before this cut's start
    assert scenario_catalog({}) == ()


def test_format_shows_the_last_day_and_strips_escapes() -> None:
    hostile = "SCENARIO\x1b]52;c;aGk=\x07 note [bold]x[/]\nnext"
    header = RecordingHeader(
        1, "aug-2024", True, hostile, start_ms=_ms("2024-07-22T00:00"), end_ms=_ms("2024-08-20T00:00")
    )
    lines = format_catalog(scenario_catalog({"aug-2024": header}))
    assert lines[0] == "aug-2024  2024-07-22 .. 2024-08-19"
    assert lines[1].startswith("  opens at 2024-08-05T04:00Z: ")
    assert lines[2] == "  SCENARIO note [bold]x[/] next"  # printed plain, never as markup
    assert all("\x1b" not in line and "\x07" not in line for line in lines)
    assert date(2024, 8, 19).isoformat() in lines[0]
