"""Every key help and the palette list does something in every layout (issue 20): the 2x2 grid,
the compact grid, the small one-pane layout and each ``--pane``; or it is documented as not
applying there (:func:`crashtui.ui.keys.applies`) and no footer hints it.

Keys 1-4 and tab did nothing in the grid, and the palette's Maximize maximized the focused
Price table whatever pane was meant. In the grid 1-4 now show that pane alone (again, or esc:
back to the grid), tab moves the active pane, and Maximize zooms the active pane.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from crashtui.engine import Engine
from crashtui.ui.app import CrashApp
from crashtui.ui.keys import KEYS, Key, applies
from crashtui.ui.layout import PANES
from crashtui.ui.screens.dashboard import DashboardScreen
from crashtui.ui.screens.help import HelpScreen
from crashtui.ui.widgets.textview import TextView
from crashtui.ui.widgets.watchtable import WatchTable
from tests.ui.test_ui_alert_line import alert
from tests.ui.uihelpers import FEB6_1200, FEB6_1400, running_app, still_app

LAYOUTS = [
    pytest.param((200, 50), None, "wide", id="grid-200x50"),
    pytest.param((120, 40), None, "wide", id="grid-120x40"),
    pytest.param((80, 24), None, "compact", id="compact-80x24"),
    pytest.param((60, 20), None, "single", id="small-60x20"),
    pytest.param((80, 24), "price", "single", id="pane-price"),
    pytest.param((80, 24), "liquidations", "single", id="pane-liquidations"),
    pytest.param((80, 24), "etf", "single", id="pane-etf"),
    pytest.param((80, 24), "fear", "single", id="pane-fear"),
    pytest.param((80, 24), "positions", "single", id="pane-positions"),
    pytest.param((80, 24), "macro", "single", id="pane-macro"),
    pytest.param((80, 24), "recovery", "single", id="pane-recovery"),
]
LAST = ("watchlist.remove", "quit")  # they end the run's watchlist or the app: pressed last


def dashboard_of(app: CrashApp) -> DashboardScreen:
    dashboard = app._dashboard()
    assert dashboard is not None
    return dashboard


def state(app: CrashApp) -> tuple[object, ...]:
    """Everything a key may change: screens, layout, focus, theme, cursor, alert line, replay."""
    dashboard = dashboard_of(app)
    engine = app.engine
    player = engine.player if engine is not None else None
    return (
        tuple(type(s).__name__ for s in app.screen_stack),
        dashboard.active_pane,
        dashboard.zoomed,
        dashboard.mode,
        getattr(app.focused, "id", None),
        app.theme,
        dashboard.query_one("#watch", WatchTable).index,
        app.alert_line.version,
        id(engine),
        None if player is None else (player.paused, player.speed, player.clock_ms),
        app._seek_target,
        app.book.current if app.book is not None else None,
        app.return_code,
        # a key that cannot act here says why (positions.edit with no positions: "press n")
        tuple(n.message for n in app._notifications),
    )


async def settle(pilot: Pilot[Any], app: CrashApp) -> None:
    for _ in range(300):
        await pilot.pause(0.01)
        engine = app.engine
        if not app._switching and engine is not None and engine.player is not None and engine.state.version:
            return
    raise AssertionError("the replay never settled")


async def reset(pilot: Pilot[Any], app: CrashApp, pane: str | None) -> None:
    """Back to the dashboard as the layout starts: no drilldown, not zoomed, first pane, paused."""
    while len(app.screen_stack) > 2:
        app.pop_screen()
        await pilot.pause()
    dashboard = dashboard_of(app)
    dashboard.unzoom()
    dashboard.show_pane(pane or "price")
    await settle(pilot, app)
    player = app.engine.player if app.engine is not None else None
    if player is not None and not player.paused:
        player.toggle_pause()
    dashboard.query_one("#watch", WatchTable).focus()
    await pilot.pause()


def first_key(key: Key) -> str:
    return key.keys.split(",")[0]


def away_from(name: str) -> Callable[[CrashApp], Any]:
    """In the one-pane layout, show another pane first (the pane's own key then brings it back)."""

    def setup(app: CrashApp) -> None:
        dashboard = dashboard_of(app)
        if dashboard.mode == "single" and dashboard.active_pane == name:
            dashboard.next_pane()

    return setup


SETUP: dict[str, Callable[[CrashApp], Any]] = {
    # The key acts on something that must be there first: a drilldown to close, an alert to
    # dismiss or snooze, a cursor that is not already on the first row, another pane shown.
    **{f"pane.{name}": away_from(name) for name in PANES},
    "back": lambda app: app.push_screen(HelpScreen(app.glyphs)),
    "alerts.dismiss": lambda app: app._toast_alert(alert()),
    "alerts.snooze": lambda app: app._toast_alert(alert()),
    "table.up": lambda app: dashboard_of(app).query_one("#watch", WatchTable).select("ETH"),
}


def footer(app: CrashApp) -> str:
    """The hints a layout shows: the status bar and the tab strip."""
    screen = app.screen
    parts = [screen.query_one("#status", TextView).text.plain]
    tabs = screen.query_one("#tabs", TextView)
    if tabs.display:
        parts.append(tabs.text.plain)
    return " ".join(parts)


@pytest.mark.parametrize(("size", "pane", "mode"), LAYOUTS)
async def test_every_key_does_something_in_every_layout(
    small_recording: Path, size: tuple[int, int], pane: str | None, mode: str
) -> None:
    app = running_app(small_recording, speed=60.0, start_ms=FEB6_1200, until_ms=FEB6_1400, pane=pane)
    keys = sorted(KEYS, key=lambda k: LAST.index(k.id) + 1 if k.id in LAST else 0)
    idle: list[str] = []
    async with app.run_test(size=size) as pilot:
        await settle(pilot, app)
        assert dashboard_of(app).mode == mode
        for key in keys:
            await reset(pilot, app, pane)
            dashboard = dashboard_of(app)
            if not applies(key.id, one_pane=dashboard.mode == "single", active_pane=dashboard.active_pane):
                assert not key.show or key.label not in footer(app).split(), key.id
                continue
            setup = SETUP.get(key.id)
            if setup is not None:
                setup(app)
                await pilot.pause()
            before = state(app)
            await pilot.press(first_key(key))
            await pilot.pause()
            if key.id == "quit":
                break
            if state(app) == before:
                idle.append(key.id)
    assert idle == [], f"keys that changed nothing in the {mode} layout"
    assert app.return_code == 0


@pytest.mark.parametrize("size", [(200, 50), (80, 24)], ids=["grid", "compact"])
async def test_in_the_grid_1_to_4_zoom_a_pane_tab_moves_and_esc_returns(
    feb6_engine: Engine, size: tuple[int, int]
) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        dashboard = dashboard_of(app)
        grid = dashboard.mode
        assert grid in ("wide", "compact")
        await pilot.press("3")
        assert dashboard.zoomed
        assert dashboard.mode == "single"
        assert dashboard.query_one("#pane-etf").display
        assert not dashboard.query_one("#pane-price").display
        assert "esc: grid" in dashboard.query_one("#tabs", TextView).text.plain
        await pilot.press("tab")
        assert dashboard.active_pane == "fear"
        await pilot.press("4")  # the same pane again: back to the grid
        assert not dashboard.zoomed
        assert dashboard.mode == grid
        await pilot.press("tab")
        assert dashboard.active_pane == "price"  # in the grid tab moves the active pane
        assert dashboard.query_one("#pane-price").has_class("-active")
        await pilot.press("2", "escape")
        assert not dashboard.zoomed
        assert isinstance(app.screen, DashboardScreen)
        assert isinstance(app.focused, WatchTable)  # the Price table has the keys again


async def test_the_palettes_maximize_zooms_the_active_pane_and_minimize_returns(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        dashboard = dashboard_of(app)
        await pilot.press("tab")  # Liquidations active

        def command(title: str) -> Callable[[], Any]:
            found = [c for c in app.get_system_commands(app.screen) if c.title == title]
            assert len(found) == 1, title
            return found[0].callback

        assert not [c for c in app.get_system_commands(app.screen) if c.title == "Minimize"]
        command("Maximize")()
        await pilot.pause()
        assert dashboard.zoomed
        assert dashboard.active_pane == "liquidations"
        assert dashboard.query_one("#pane-liquidations").display
        command("Minimize")()
        await pilot.pause()
        assert not dashboard.zoomed
        assert dashboard.mode == "wide"
