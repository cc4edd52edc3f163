"""The interactive chart's spec, readout, volume bars, log axis and overlays (pure renderers)."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from crashtui.analysis.liqmap.result import LiqLevel, LiqMap
from crashtui.engine import Engine
from crashtui.model import Interval
from crashtui.risk.position import Position, PositionSide
from crashtui.ui.chart_state import LIQ, MA, POSITIONS, ZONES, ChartState
from crashtui.ui.render.charts import Series, volume_columns, volume_rows
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.symbol_chart import all_candles, cursor_readout, symbol_chart, time_ticks
from crashtui.ui.widgets.chart import find_area, y_label, y_ticks
from tests.ui.uihelpers import replay_frame


@pytest.fixture(scope="module")
def frame(feb6_engine: Engine) -> Frame:
    before = feb6_engine.positions
    feb6_engine.positions = (
        Position("BTC", PositionSide.LONG, entry=66_000.0, leverage=10.0, size=0.5),
        Position("BTC", PositionSide.SHORT, entry=150_000.0, leverage=2.0, size=0.1),
    )
    radar = feb6_engine.radar()
    feb6_engine.positions = before
    liq = LiqMap("BTC", feb6_engine.now_ms(), (
        LiqLevel(58_000.0, 58_500.0, "long", 5e6),
        LiqLevel(59_000.0, 59_500.0, "long", 9e7),
        LiqLevel(61_000.0, 61_500.0, "short", 3e7),
        LiqLevel(62_000.0, 62_500.0, "short", 1e6),
    ), 60_000.0, 500.0)  # fmt: skip
    return replay_frame(feb6_engine, replay=None, radar=replace(radar, liquidation_maps={"BTC": liq}))


def test_window_candles_and_cursor(frame: Frame) -> None:
    state = ChartState()
    data = all_candles(frame, "BTC", state)
    chart = symbol_chart(frame, "BTC", state)
    assert chart.candles == data[-72:]
    assert chart.cursor == data[-1]
    assert chart.spec.candles is not None
    assert len(chart.spec.candles.xs) == 72
    assert chart.cursor_x == chart.spec.candles.xs[-1]
    back = state.cursor_moved(-5, len(data))
    moved = symbol_chart(frame, "BTC", back)
    assert moved.cursor == data[-6]
    assert moved.spec == chart.spec  # moving the cursor inside the window changes no picture
    assert "72 candles (3d)" in chart.title.plain
    scrolled = symbol_chart(frame, "BTC", state.scrolled(-1, len(data)))
    assert scrolled.candles == data[-90:-18]
    assert "18 back" in scrolled.title.plain


def test_readout_names_time_ohlc_volume_and_distance(frame: Frame) -> None:
    state = ChartState()
    data = all_candles(frame, "BTC", state)
    back = state.cursor_moved(-10, len(data))
    c = data[-11]
    text = cursor_readout(frame, symbol_chart(frame, "BTC", back), back).plain
    assert "UTC" in text
    assert "Z UTC" not in text
    assert f"O {c.open:,.0f}"[:5] in text
    assert "H " in text
    assert "L " in text
    assert "C " in text
    assert "vol " in text
    dist = (c.close / data[-1].close - 1) * 100
    assert f"{dist:+.1f}% vs last" in text


def test_volume_series_follows_the_toggle(frame: Frame) -> None:
    on = symbol_chart(frame, "BTC", ChartState())
    assert on.spec.volume is not None
    assert on.spec.volume.ys == tuple(c.volume for c in on.candles)
    off = symbol_chart(frame, "BTC", replace(ChartState(), volume=False))
    assert off.spec.volume is None
    line = symbol_chart(frame, "BTC", replace(ChartState(), candles=False))
    assert line.spec.candles is None
    assert line.spec.series
    assert line.spec.volume is not None


def test_log_scale_draws_logarithms_and_labels_prices(frame: Frame) -> None:
    lin = symbol_chart(frame, "BTC", ChartState())
    log = symbol_chart(frame, "BTC", replace(ChartState(), log=True))
    assert log.spec.y_format == "logprice"
    assert "log" in log.title.plain
    assert lin.spec.candles is not None
    assert log.spec.candles is not None
    assert log.spec.candles.closes == tuple(math.log(c) for c in lin.spec.candles.closes)
    assert log.spec.y_range is not None
    low, high = log.spec.y_range
    ticks = y_ticks(low, high, 5, "logprice")
    assert ticks
    assert all(low <= t <= high for t in ticks)
    assert next(y_label(t, "logprice") for t in ticks).replace(",", "").isdigit()
    assert y_label(math.log(60_000), "logprice") == "60,000"


def test_overlays_are_drawn_and_toggled(frame: Frame) -> None:
    chart = symbol_chart(frame, "BTC", ChartState(), pins=(61_000.0, 500.0))
    labels = [b.label for b in chart.spec.bands] + [h.label for h in chart.spec.hlines]
    assert any(lbl.startswith("est long liq") for lbl in labels)
    assert sum(lbl.startswith("est ") for lbl in labels) == 3  # the three largest in view
    assert "liq bands: estimate" in chart.title.plain
    assert "entry long 10x" in labels
    assert "liq est long" in labels
    assert "entry short 2x 150,000 off chart" in chart.title.plain
    assert "pin 61,000" in labels
    assert "pin 500" not in labels
    assert "2 pinned" in chart.title.plain
    assert any("support" in lbl or "resistance" in lbl or "approaching" in lbl for lbl in labels)
    assert "200D" in chart.title.plain
    bare = ChartState()
    for name in (MA, ZONES, LIQ, POSITIONS):
        bare = bare.toggled(name)
    plain = symbol_chart(frame, "BTC", bare)
    assert plain.spec.bands == ()
    assert plain.spec.hlines == ()
    assert "200D" not in plain.title.plain
    assert "estimate" not in plain.title.plain


def test_missing_timeframe_says_why(frame: Frame) -> None:
    chart = symbol_chart(frame, "NOPE", ChartState(interval=Interval.H4), missing="4h candles: not in this")
    assert chart.spec.empty
    assert chart.spec.empty_text == "4h candles: not in this"
    assert chart.cursor is None
    assert cursor_readout(frame, chart, ChartState()).plain == "cursor: no candle"


def test_volume_columns_and_rows() -> None:
    vol = Series((0.0, 1.0, 2.0, 3.0), (1.0, 0.0, 4.0, 2.0), "grey50", bars=True)
    cells = volume_columns(vol, 0.0, 3.0, 4)
    assert cells == (1.0, 0.0, 4.0, 2.0)
    assert volume_columns(vol, 0.0, 3.0, 2) == (1.0, 6.0)  # summed per column
    rows = volume_rows(cells, 2)
    assert rows == ["  █ ", "▄ ██"]
    assert volume_rows(cells, 2, ascii_only=True) == ["  @ ", "= @@"]
    assert volume_rows((0.0, 0.0), 1) == ["  "]


def test_find_area_reads_plotexts_frame() -> None:
    text = "  ┌────┐\n12┤ █  │\n 0┤    │\n  └┬──┬┘\n  0.0  9.0"
    area = find_area(text, 0.0, 9.0)
    assert area is not None
    assert (area.left, area.width, area.top, area.rows) == (3, 4, 1, 2)
    assert area.column(0.0) == 3
    assert area.column(9.0) == 6
    assert area.column(4.5) == 5
    assert area.column(10.0) is None
    assert find_area("no plot", 0.0, 1.0) is None


def test_a_half_day_chart_has_hour_ticks_and_days_keep_day_ticks() -> None:
    day = 1_770_336_000_000  # 2026-02-06 00:00Z
    hour = 3_600_000
    # 5m from 17:00 the day before to 05:00: every 2 h, midnight labelled with its day
    ticks = time_ticks(day - 7 * hour, day + 5 * hour, day + 5 * hour, hour)
    assert [label for _, label in ticks] == ["18:00", "20:00", "22:00", "02-06", "02:00", "04:00"]
    assert ticks[0][0] == -11.0  # x in hours before now
    assert len(time_ticks(day, day + 40 * hour, day + 40 * hour, hour)) <= 6
    three_days = time_ticks(day - 72 * hour, day, day, hour)
    assert [label for _, label in three_days] == ["02-04", "02-05", "02-06"]


def test_a_note_goes_in_the_title_as_plain_text(frame: Frame) -> None:
    chart = symbol_chart(frame, "BTC", ChartState(), note="1h refresh failed: [red]503[/red]")
    assert "1h refresh failed: [red]503[/red]" in chart.title.plain
    empty = symbol_chart(frame, "NOPE", ChartState(interval=Interval.M5), missing="5m candles: loading")
    assert empty.spec.empty_text == "5m candles: loading"
