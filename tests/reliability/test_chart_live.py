"""The symbol screen's chart keys over a live feed (every source is the local fault server)."""

from __future__ import annotations

import pytest

from crashtui.model import Interval
from crashtui.ui.app import CrashApp
from crashtui.ui.options import UiOptions
from crashtui.ui.prefs import UiState
from crashtui.ui.session import FeedPlan
from crashtui.ui.watchlists import WatchlistBook
from tests.reliability.fault_server import FaultServer
from tests.reliability.support import make_config
from tests.ui.test_ui_chart_keys import _exercise
from tests.ui.uihelpers import KNOWN


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_chart_keys_over_a_live_feed(fault_server: FaultServer, size: tuple[int, int]) -> None:
    config = make_config(fault_server)
    book = WatchlistBook(
        config, UiState(), known=KNOWN.__contains__, save=lambda _: None, remember_active=False
    )
    plan = FeedPlan(config, feed="direct")
    app = CrashApp(config, plan=plan, options=UiOptions(show_timings=False), book=book)
    async with app.run_test(size=size) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            engine = app.engine
            if engine is not None and len(engine.state.snapshot().candles.get(("BTC", Interval.H1), ())) > 20:
                break
        assert app.engine is not None
        assert app.engine.mode == "live"
        await _exercise(app, pilot, size)
