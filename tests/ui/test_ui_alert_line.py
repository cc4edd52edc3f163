"""The alert line (issue 20): alerts get a row of their own above the status bar, never a toast
over a pane; ``d`` dismisses, ``z`` snoozes, a seek clears, and each severity has its own life."""

from __future__ import annotations

from types import MappingProxyType

import pytest

from crashtui.alerts import Alert
from crashtui.engine import Engine
from crashtui.timeparse import parse_instant
from crashtui.ui.alerting import LINE_SECONDS, SNOOZE_SECONDS, AlertLine
from crashtui.ui.app import CrashApp
from crashtui.ui.glyphs import ASCII, UNICODE
from crashtui.ui.palette import palette_from
from crashtui.ui.render.alert_line import build_alert_line
from crashtui.ui.screens.dashboard import Pane
from crashtui.ui.theme import resolve_theme
from crashtui.ui.widgets.textview import TextView
from tests.ui.uihelpers import still_app

AT = parse_instant("2026-02-06T13:43Z")
CASCADE = "Liquidation cascade since 13:41Z: grew to $60.9M in 5 min, 13× the 24h median rate, mostly longs"


def alert(
    severity: str = "critical", rule: str = "liquidation cascade", n: int = 1, msg: str = CASCADE
) -> Alert:
    return Alert(
        id=f"{AT}-{n}",
        at_ms=AT + n,
        rule=rule,
        kind="cascade",
        severity=severity,
        message=msg,
        mode="replay",
        details=MappingProxyType({}),
    )


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_each_severity_stays_its_own_time_and_critical_longest() -> None:
    clock = Clock()
    line = AlertLine(clock)
    line.push(alert("info", "fear", 1))
    line.push(alert("warning", "zone", 2))
    line.push(alert("critical", "cascade", 3))
    assert LINE_SECONDS["info"] < LINE_SECONDS["warning"] < LINE_SECONDS["critical"] <= 120.0
    shown, others = line.current()
    assert shown is not None
    assert shown.severity == "critical"
    assert others == 2
    clock.now += LINE_SECONDS["info"] + 0.1
    assert line.current()[1] == 1  # the info one is gone
    clock.now += LINE_SECONDS["warning"]
    assert line.current()[1] == 0
    clock.now += LINE_SECONDS["critical"]
    assert line.current() == (None, 0)


def test_the_most_severe_leads_newest_first_among_equals() -> None:
    line = AlertLine(Clock())
    line.push(alert("critical", "a", 1))
    line.push(alert("info", "b", 2))  # a later info does not push the critical one off
    line.push(alert("critical", "c", 3))
    shown, others = line.current()
    assert shown is not None
    assert shown.rule == "c"
    assert others == 2


def test_dismiss_snooze_and_clear() -> None:
    clock = Clock()
    line = AlertLine(clock)
    line.push(alert("critical", "cascade", 1))
    line.push(alert("warning", "zone", 2))
    dismissed = line.dismiss()
    assert dismissed is not None
    assert dismissed.rule == "cascade"
    shown, _ = line.current()
    assert shown is not None
    assert shown.rule == "zone"
    snoozed = line.snooze()
    assert snoozed is not None
    assert snoozed.rule == "zone"
    assert line.current() == (None, 0)
    line.push(alert("warning", "zone", 3))  # snoozed: stays off the line...
    assert line.current() == (None, 0)
    clock.now += SNOOZE_SECONDS + 1
    line.push(alert("warning", "zone", 4))  # ...for 15 minutes
    assert line.current()[0] is not None
    line.clear()
    assert line.current() == (None, 0)
    assert line.dismiss() is None
    assert line.snooze() is None


@pytest.mark.parametrize("width", [40, 60, 80, 120, 200])
@pytest.mark.parametrize("glyphs", [UNICODE, ASCII], ids=["unicode", "ascii"])
def test_the_line_fits_and_always_names_the_severity(width: int, glyphs: object) -> None:
    palette = palette_from(resolve_theme("crashtui-dark")[0])
    text = build_alert_line(alert(), 2, palette, glyphs, width)  # type: ignore[arg-type]
    assert text.cell_len == width
    assert text.plain.lstrip().startswith(("CRITICAL", "CRIT"))
    assert "+2 more" in text.plain
    if width >= 120:
        assert "d dismiss  z snooze" in text.plain
        assert "liquidation cascade" in text.plain


def alert_row(app: CrashApp) -> TextView | None:
    rows = [w for w in app.screen.query(TextView) if w.id in ("alertline", "dd-alertline")]
    return rows[0] if rows and rows[0].has_class("-shown") else None


LAYOUTS = [
    pytest.param((80, 24), None, id="80x24"),
    pytest.param((120, 40), None, id="120x40"),
    pytest.param((200, 50), None, id="200x50"),
    pytest.param((60, 20), None, id="60x20"),
    pytest.param((80, 24), "liquidations", id="80x24-pane"),
    pytest.param((60, 20), "fear", id="60x20-pane"),
]


@pytest.mark.parametrize(("size", "pane"), LAYOUTS)
async def test_the_alert_line_covers_no_pane_and_d_z_and_seek_clear_it(
    feb6_engine: Engine, size: tuple[int, int], pane: str | None
) -> None:
    app = still_app(feb6_engine, pane=pane)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        assert alert_row(app) is None  # no alert: the row takes no room
        app._toast_alert(alert())
        await pilot.pause()
        row = alert_row(app)
        assert row is not None
        assert row.text.plain.lstrip().startswith(("CRITICAL", "CRIT"))
        assert not app._notifications  # no toast
        for widget in app.screen.query(Pane):
            if widget.display and widget.region.area:
                assert not widget.region.overlaps(row.region)
                assert widget.region.bottom <= row.region.y
        status = app.screen.query_one("#status", TextView)
        assert row.region.bottom == status.region.y  # right above the status bar

        await pilot.press("d")
        await pilot.pause()
        assert alert_row(app) is None

        app._toast_alert(alert(n=2))
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        assert alert_row(app) is None
        app._toast_alert(alert(n=3))  # the same rule, snoozed
        await pilot.pause()
        assert alert_row(app) is None

        app._toast_alert(alert("warning", "zone break", 4, "ETH broke below the pinned 1,826 zone"))
        await pilot.pause()
        assert alert_row(app) is not None
        await pilot.press("right")  # a replay seek: what the line said is about another time
        await pilot.pause()
        assert alert_row(app) is None


async def test_the_alert_line_follows_into_a_drilldown(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app._toast_alert(alert())
        await pilot.press("l")
        await pilot.pause()
        app.refresh_now(force=True)
        await pilot.pause()
        row = alert_row(app)
        assert row is not None
        assert row.id == "dd-alertline"
        assert "CRITICAL" in row.text.plain
        await pilot.press("d")
        await pilot.pause()
        assert alert_row(app) is None


async def test_late_timers_after_the_app_closed_paint_nothing(feb6_engine: Engine) -> None:
    """Textual empties the screen stack before the app's unmount runs; a refresh tick or an
    alert landing then must not ask for ``app.screen`` (``ScreenStackError``, seen in CI)."""
    app = still_app(feb6_engine)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        app._toast_alert(alert())
    assert not app.screen_stack
    app._tick()
    app._tick_analysis()
    app._radar_follow_up()
    app._toast_alert(alert(n=2))
    app.refresh_now(force=True)
