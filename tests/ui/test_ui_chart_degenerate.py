"""Charts over a single point: plotext divides by the axis span, so one x or one y crashed it.

Pressing ``l`` right at start-up opened the liquidations chart while the replay had delivered
one minute of data, and the draw raised ZeroDivisionError inside plotext, taking the app down.
"""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult

from crashtui.ui.glyphs import UNICODE
from crashtui.ui.render.charts import CandleSeries, ChartSpec, Series, open_range, y_bounds
from crashtui.ui.widgets.chart import ChartView

T0 = 1_770_386_400_000.0  # 2026-02-06 14:00Z, as a chart's x


class ChartApp(App[None]):
    """One chart filling the screen."""

    def compose(self) -> ComposeResult:
        yield ChartView(UNICODE, id="chart")


SPECS = {
    "one point": ChartSpec(series=(Series((T0,), (60_000.0,), "red"),)),
    "flat line at one x": ChartSpec(series=(Series((T0, T0), (5.0, 5.0), "red"),)),
    "one candle": ChartSpec(
        candles=CandleSeries((T0,), (60_000.0,), (60_000.0,), (60_000.0,), (60_000.0,), "green", "red")
    ),
    "one bar": ChartSpec(series=(Series((T0,), (1e6,), "red", bars=True),), y_format="flow"),
    "fixed range of one value": ChartSpec(
        series=(Series((T0, T0 + 60_000), (0.0, 0.0), "red"),), y_range=(0.0, 0.0)
    ),
}


@pytest.mark.parametrize("name", SPECS)
async def test_a_single_point_draws_instead_of_crashing(name: str) -> None:
    app = ChartApp()
    async with app.run_test(size=(60, 16)) as pilot:
        chart = app.query_one("#chart", ChartView)
        chart.set_spec(SPECS[name])
        await pilot.pause()
        text = chart.render()
        assert chart.builds == 1
        assert "┌" in text.plain  # plotext drew its frame


def test_open_range_widens_only_an_empty_span() -> None:
    assert open_range(1.0, 2.0) == (1.0, 2.0)
    assert open_range(100.0, 100.0) == (99.0, 101.0)
    assert open_range(0.0, 0.0) == (-0.5, 0.5)
    low, high = open_range(T0, T0)
    assert low < T0 < high
    assert y_bounds(ChartSpec(series=(Series((T0,), (0.0,), "red"),), y_range=(3.0, 3.0))) == (2.97, 3.03)
