"""Snapshot tests: the dashboard and every drilldown on the scenario at 2026-02-06 14:00Z.

The engine is replayed to a fixed time and never started, and nothing on screen is wall-clock
time, so each picture is deterministic. Update with ``pytest tests/ui --snapshot-update`` after
checking the new pictures by eye.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from textual.pilot import Pilot

from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.alerts_schema import DEFAULT_RULES, AlertsConfig, ZoneRule
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.replay.locate import locate_recording
from crashtui.timeparse import parse_instant
from crashtui.ui.alerting import DashboardAlerts
from crashtui.ui.app import CrashApp
from crashtui.ui.screens.alerts import AlertLogScreen
from tests.ui.uihelpers import SNAPSHOT_OPTIONS, still_app

NIGHT_START = parse_instant("2026-02-06T00:00Z")
NIGHT_END = parse_instant("2026-02-06T03:30Z")

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((160, 48), id="160x48")]
SCREENS = [
    pytest.param((), id="dashboard"),
    pytest.param(("enter",), id="symbol"),
    pytest.param(("l",), id="liquidations"),
    pytest.param(("e",), id="etf"),
    pytest.param(("f",), id="fear"),
    pytest.param(("m",), id="macro"),
    pytest.param(("s",), id="sources"),
    pytest.param(("question_mark",), id="help"),
]


def pressing(keys: tuple[str, ...]) -> Callable[[Pilot[Any]], Any]:
    """A run_before that presses ``keys`` and lets the screen settle."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        await pilot.pause()

    return run_before


@pytest.mark.usefixtures("fixed_dirs")
@pytest.mark.parametrize("keys", SCREENS)
@pytest.mark.parametrize("size", SIZES)
def test_screen(snap_compare: Any, feb6_engine: Engine, size: tuple[int, int], keys: tuple[str, ...]) -> None:
    assert snap_compare(still_app(feb6_engine), terminal_size=size, run_before=pressing(keys))


@pytest.mark.usefixtures("fixed_dirs")
def test_one_pane_layout_with_tabs(snap_compare: Any, feb6_engine: Engine) -> None:
    assert snap_compare(still_app(feb6_engine), terminal_size=(70, 20), run_before=pressing(("2",)))


@pytest.mark.usefixtures("fixed_dirs")
def test_ascii_mode(snap_compare: Any, feb6_engine: Engine) -> None:
    assert snap_compare(still_app(feb6_engine, ascii=True), terminal_size=(100, 30), run_before=pressing(()))


@pytest.fixture
def night_of_alerts() -> tuple[Engine, DashboardAlerts]:
    """The scenario's night of Feb 6 (00:00–03:30Z) evaluated minute by minute with the default
    rules plus an ETH $1,826 break rule, as the dashboard's tick would (alert log off)."""
    eth_break = ZoneRule(
        kind="zone_break",
        name="ETH 1826 break",
        severity="warning",
        cooldown_s=1800.0,
        symbol="ETH",
        level=1826,
    )
    alerts_config = AlertsConfig(rules=(*DEFAULT_RULES, eth_break), log=False, bell=False, desktop="off")
    config = replace(Config(), alerts=alerts_config)
    window = ReplayOptions(locate_recording("feb-2026"), None, NIGHT_START, NIGHT_END)
    engine = build_engine(config, (), EngineOptions(replay=window))
    alerts = DashboardAlerts(alerts_config, toast=lambda alert: None, error=lambda text: None)
    alerts.attach(engine)
    for _ in engine.replay_steps():
        alerts.check()
    return engine, alerts


@pytest.mark.usefixtures("fixed_dirs")
def test_alert_log_screen(snap_compare: Any, night_of_alerts: tuple[Engine, DashboardAlerts]) -> None:
    engine, alerts = night_of_alerts
    app = CrashApp(engine.config, engine=engine, options=SNAPSHOT_OPTIONS)

    async def run_before(pilot: Pilot[Any]) -> None:
        app.alerts = alerts
        await pilot.press("exclamation_mark")
        for _ in range(100):
            screen = app.screen
            if isinstance(screen, AlertLogScreen) and screen.earlier is not None and screen.frame is not None:
                break
            await pilot.pause(0.02)
        app.refresh_now(force=True)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


ISSUE20 = [
    # id, size, app options, NO_COLOR, an alert on the line
    pytest.param((120, 40), {}, False, True, id="grid-alert-120x40"),
    pytest.param((200, 50), {}, False, True, id="grid-alert-200x50"),
    pytest.param((80, 24), {"pane": "price"}, False, False, id="pane-price-80x24"),
    pytest.param((120, 40), {}, True, False, id="no-color-120x40"),
    pytest.param((60, 20), {"ascii": True}, False, True, id="ascii-alert-60x20"),
]


@pytest.mark.usefixtures("fixed_dirs")
@pytest.mark.parametrize(("size", "options", "no_color", "with_alert"), ISSUE20)
def test_issue20_layouts(
    snap_compare: Any,
    feb6_engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    size: tuple[int, int],
    options: dict[str, object],
    no_color: bool,
    with_alert: bool,
) -> None:
    """The grid with the alert line, --pane, NO_COLOR and ASCII at the sizes issue 20 was tried at."""
    from tests.ui.test_ui_alert_line import alert

    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    app = still_app(feb6_engine, **options)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.pause()
        if with_alert:
            app._toast_alert(alert())
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
