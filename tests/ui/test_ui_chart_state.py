"""The symbol chart's view state: window, zoom, scroll and cursor stay consistent (pure)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crashtui.model import Interval
from crashtui.ui.chart_state import LIQ, MA, MIN_CANDLES, OVERLAYS, ChartState


def test_default_window_is_the_newest_candles_of_the_interval() -> None:
    s = ChartState()
    assert s.window(500) == (500 - 72, 500)
    assert s.window(30) == (0, 30)  # fewer than the default: all of them
    assert s.window(0) == (0, 0)
    assert ChartState(interval=Interval.D1).window(500) == (260, 500)
    assert s.cursor_index(500) == 499
    assert s.cursor_index(0) is None


def test_zoom_in_and_out_changes_the_count_within_bounds() -> None:
    s = ChartState()
    zin = s.zoomed(True, 500)
    assert zin.count(500) == 48
    assert zin.zoomed(False, 500).count(500) == 72
    tiny = s
    for _ in range(20):
        tiny = tiny.zoomed(True, 500)
    assert tiny.count(500) == MIN_CANDLES
    wide = s
    for _ in range(20):
        wide = wide.zoomed(False, 500)
    assert wide.count(500) == 500  # never more than there are
    assert wide.window(500) == (0, 500)


def test_scroll_moves_by_a_quarter_and_stops_at_both_ends() -> None:
    s = ChartState()
    older = s.scrolled(-1, 500)
    assert older.offset == 18
    assert older.window(500) == (500 - 72 - 18, 500 - 18)
    assert older.cursor_index(500) == 500 - 18 - 1  # the cursor was dragged into the window
    assert older.scrolled(1, 500).offset == 0
    assert s.scrolled(1, 500).offset == 0  # not past the newest
    far = s
    for _ in range(100):
        far = far.scrolled(-1, 500)
    assert far.window(500) == (0, 72)  # not past the oldest
    assert s.scrolled(-1, 0) == s


def test_cursor_moves_and_the_window_follows_it() -> None:
    s = ChartState()
    left = s.cursor_moved(-1, 500)
    assert left.cursor == 1
    assert left.cursor_index(500) == 498
    assert left.offset == 0
    s2 = s
    for _ in range(72):
        s2 = s2.cursor_moved(-1, 500)
    assert s2.cursor == 72
    assert s2.offset == 1  # one candle past the left edge: the window scrolled by one
    start, end = s2.window(500)
    assert start <= s2.cursor_index(500) < end  # type: ignore[operator]
    back = s2
    for _ in range(72):
        back = back.cursor_moved(1, 500)
    assert back.cursor == 0
    assert back.offset == 0
    assert s.cursor_moved(1, 500).cursor == 0  # not past the newest
    oldest = replace(s, cursor=499).cursor_moved(-1, 500)
    assert oldest.cursor == 499


def test_clamped_keeps_a_stale_state_inside_fewer_candles() -> None:
    s = ChartState(zoom=50, offset=400, cursor=450)
    c = s.clamped(100)
    start, end = c.window(100)
    assert (start, end) == (0, 50)
    assert c.cursor_index(100) == 0
    assert ChartState(offset=5, cursor=5).clamped(0) == ChartState()


def test_interval_change_and_reset_go_back_to_the_newest() -> None:
    s = ChartState(zoom=20, offset=30, cursor=35, log=True)
    h4 = s.with_interval(Interval.H4)
    assert (h4.interval, h4.zoom, h4.offset, h4.cursor, h4.log) == (Interval.H4, 0, 0, 0, True)
    r = s.reset()
    assert (r.zoom, r.offset, r.cursor, r.log, r.interval) == (0, 0, 0, True, Interval.H1)


def test_overlay_toggles() -> None:
    s = ChartState()
    assert all(s.shows(o) for o in OVERLAYS)
    off = s.toggled(MA)
    assert not off.shows(MA)
    assert off.shows(LIQ)
    assert off.toggled(MA) == s
    with pytest.raises(ValueError, match="unknown overlay"):
        s.toggled("rsi")
