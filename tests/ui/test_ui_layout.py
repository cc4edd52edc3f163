"""Layouts: 2×2 grid when wide, compact grid at 80×24, one pane with tabs when smaller, --pane."""

from __future__ import annotations

import pytest

from crashtui.config.schema import UiConfig
from crashtui.engine import Engine
from crashtui.ui.layout import COMPACT, SHORT_TITLES, SINGLE, SINGLE_ONLY, WIDE, layout_mode
from crashtui.ui.screens.dashboard import DashboardScreen, Pane
from crashtui.ui.widgets.textview import TextView
from tests.ui.uihelpers import still_app


@pytest.mark.parametrize(
    ("cols", "rows", "expected"),
    [
        (120, 32, WIDE),
        (200, 50, WIDE),
        (119, 40, COMPACT),
        (160, 31, COMPACT),
        (80, 24, COMPACT),
        (79, 40, SINGLE),
        (100, 23, SINGLE),
    ],
)
def test_layout_thresholds(cols: int, rows: int, expected: str) -> None:
    assert layout_mode(cols, rows, UiConfig()) == expected


def test_pane_flag_always_gives_one_pane() -> None:
    assert layout_mode(300, 100, UiConfig(), pane="etf") == SINGLE


def test_thresholds_come_from_config() -> None:
    ui = UiConfig(wide_min_cols=200, wide_min_rows=60, compact_min_cols=100, compact_min_rows=30)
    assert layout_mode(160, 48, ui) == COMPACT
    assert layout_mode(90, 48, ui) == SINGLE


def visible_titles(screen: DashboardScreen) -> list[str]:
    return [str(p.border_title) for p in screen.query(Pane) if p.display and p.region.height > 0]


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_all_four_panes_are_shown_with_their_exact_titles(
    feb6_engine: Engine, size: tuple[int, int]
) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert visible_titles(screen) == ["Price", "Liquidations", "ETF flows", "Fear"]
        for pane in screen.query(Pane):
            if pane.pane_name in SINGLE_ONLY:  # one-pane layout only; the grid shows its summary line
                assert pane.region.width == 0
                continue
            assert pane.region.width >= 30
            assert pane.region.height >= 8
        # Every pane has readable numbers, not just a title.
        assert "$2.57B" in screen.query_one("#liq-body", TextView).text.plain
        assert "-434.1" in screen.query_one("#etf-body", TextView).text.plain or "-689.2" in (
            screen.query_one("#etf-body", TextView).text.plain
        )
        assert "Extreme Fear" in screen.query_one("#fear-body", TextView).text.plain


async def test_small_terminal_gets_one_pane_and_a_tab_strip(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert visible_titles(screen) == ["Price"]
        tabs = screen.query_one("#tabs", TextView)
        assert tabs.display
        for title in SHORT_TITLES.values():  # seven panes: the short titles fit 70 columns
            assert f" {title} " in tabs.text.plain


async def test_pane_option_shows_that_pane_without_tabs(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine, pane="etf")
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert visible_titles(screen) == ["ETF flows"]
        assert not screen.query_one("#tabs", TextView).display


async def test_resizing_switches_layouts(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        assert screen.mode == WIDE
        await pilot.resize_terminal(80, 24)
        await pilot.pause()
        assert screen.mode == COMPACT
        await pilot.resize_terminal(60, 20)
        await pilot.pause()
        assert screen.mode == SINGLE
        assert visible_titles(screen) == ["Price"]


async def test_price_chart_only_when_there_is_room(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(70, 30)) as pilot:
        await pilot.pause()
        chart = app.screen.query_one("#price-chart")
        assert not chart.has_class("-hidden")
        assert chart.region.height >= 5
        await pilot.resize_terminal(70, 12)
        await pilot.pause()
        await pilot.pause()
        assert chart.has_class("-hidden")  # the table keeps the room; no squashed chart
