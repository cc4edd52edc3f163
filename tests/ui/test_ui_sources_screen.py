"""The Sources screen leads with what a trader needs (issue 20): state, age of the data, last
error and hint; the developer's counters (next poll, requests, latency, stream frames) are
behind ``c``."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crashtui.engine import Engine
from crashtui.model import SourceState, SourceStatus
from crashtui.ui.glyphs import UNICODE
from crashtui.ui.render.drill_sources import source_table
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.sources import SourcesScreen
from crashtui.ui.widgets.textview import TextView
from tests.ui.test_ui_render import PALETTE
from tests.ui.uihelpers import still_app

COUNTERS = ("NEXT", "REQUESTS", "LATENCY", "STREAM", "SERVES")


def failing_frame(engine: Engine) -> Frame:
    snapshot = engine.state.snapshot()
    now = engine.now_ms()
    statuses = dict(snapshot.statuses)
    statuses["farside"] = SourceStatus(
        "farside",
        SourceState.FAILING,
        now,
        last_ok_ms=now - 3 * 3_600_000,
        last_error="HTTP 403 Forbidden",
        hint="the site blocks this network; set [sources.farside] enabled = false or use a proxy",
        next_attempt_ms=now + 60_000,
        latency_ms=812.0,
        requests_used=14,
    )
    return Frame(
        now_ms=now,
        snapshot=replace(snapshot, statuses=statuses),
        analysis=engine.analysis(),
        palette=PALETTE,
        glyphs=UNICODE,
        watchlist="feb-2026",
        replay=None,
    )


@pytest.mark.parametrize("width", [76, 116, 196])
def test_state_age_error_and_hint_lead_counters_are_hidden(feb6_engine: Engine, width: int) -> None:
    table = source_table(failing_frame(feb6_engine), width).plain.splitlines()
    assert table[0].split()[:5] == ["SOURCE", "STATE", "AGE", "LAST", "ERROR"]
    assert not any(name in table[0] for name in COUNTERS)
    farside = next(line for line in table if line.startswith("farside"))
    assert "failing" in farside
    assert " 3h " in farside
    assert "HTTP 403" in farside
    if width >= 116:
        assert "HINT" in table[0]
        assert "the site blocks this network" in farside


def test_the_counters_are_one_key_away(feb6_engine: Engine) -> None:
    table = source_table(failing_frame(feb6_engine), 196, counters=True).plain.splitlines()
    for name in ("NEXT", "REQUESTS", "LATENCY"):
        assert name in table[0]
    farside = next(line for line in table if line.startswith("farside"))
    assert "812 ms" in farside
    assert "in 1m" in farside


async def test_c_toggles_the_counters_on_the_sources_screen(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.press("s")
        await pilot.pause()
        app.refresh_now(force=True)
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SourcesScreen)

        def header() -> str:
            return screen.query_one("#src-table", TextView).text.plain.splitlines()[0]

        assert "LATENCY" not in header()
        assert "c counters" in screen.query_one("#dd-keys", TextView).text.plain
        await pilot.press("c")
        await pilot.pause()
        assert "LATENCY" in header()
        await pilot.press("c")
        await pilot.pause()
        assert "LATENCY" not in header()
