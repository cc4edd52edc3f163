"""Snapshot tests: the dashboard and every drilldown on the scenario at 2026-02-06 14:00Z.

The engine is replayed to a fixed time and never started, and nothing on screen is wall-clock
time, so each picture is deterministic. Update with ``pytest tests/ui --snapshot-update`` after
checking the new pictures by eye.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot

from crashtui.engine import Engine
from tests.ui.uihelpers import still_app

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
