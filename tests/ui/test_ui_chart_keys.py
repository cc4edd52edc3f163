"""Every chart key of the symbol screen, at 80x24 and 200x50, over a still replay and a running one."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.binding import Binding
from textual.pilot import Pilot

from crashtui.config.user_alerts import load_user_alerts
from crashtui.engine import Engine
from crashtui.model import Interval
from crashtui.ui.app import CrashApp
from crashtui.ui.chart_state import LIQ, MA, POSITIONS, ZONES
from crashtui.ui.pins import PinBook
from crashtui.ui.screens.help import HelpScreen
from crashtui.ui.screens.prompt import PromptScreen
from crashtui.ui.screens.symbol import SymbolScreen
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView
from tests.ui.uihelpers import running_app, still_app

SIZES = [(80, 24), (200, 50)]


def _interval(screen: SymbolScreen) -> Interval:
    return screen.chart.interval


def _text(screen: SymbolScreen, selector: str) -> str:
    return screen.query_one(selector, TextView).text.plain


async def _open(app: CrashApp, pilot: Pilot[int]) -> SymbolScreen:
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    screen = app.screen
    assert isinstance(screen, SymbolScreen)
    return screen


async def _exercise(app: CrashApp, pilot: Pilot[int], size: tuple[int, int]) -> SymbolScreen:
    """Press every chart key and check what each one changed."""
    press = pilot.press
    screen = await _open(app, pilot)
    chart = screen.query_one("#sym-chart", ChartView)
    assert "1h" in _text(screen, "#sym-chart-title")
    readout = _text(screen, "#sym-readout")
    assert "UTC" in readout
    assert "vol" in readout

    await press("i")
    assert _interval(screen) is Interval.H4
    assert "4h" in _text(screen, "#sym-chart-title")
    await press("i", "i")  # 1d, then after the longest the shortest again
    assert _interval(screen) is Interval.M5
    assert "5m" in _text(screen, "#sym-chart-title")
    await press("i")
    assert _interval(screen) is Interval.M15
    await press("5")
    assert _interval(screen) is Interval.D1
    await press("1")
    assert _interval(screen) is Interval.M5
    await press("2")
    assert _interval(screen) is Interval.M15
    await press("4")
    assert _interval(screen) is Interval.H4
    await press("3")
    assert _interval(screen) is Interval.H1

    n = screen.picture.available if screen.picture else 0
    assert n > 20
    count = screen.chart.count(n)
    await press("plus")
    assert screen.chart.count(n) < count
    await press("equals_sign")
    zoomed = screen.chart.count(n)
    await press("minus")
    assert screen.chart.count(n) > zoomed

    await press("comma")
    assert screen.chart.offset > 0
    assert "back" in _text(screen, "#sym-chart-title")
    assert screen.chart.cursor == screen.chart.offset  # dragged along into the window
    await press("full_stop")
    assert screen.chart.offset == 0
    await press("0")

    before = _text(screen, "#sym-readout")
    await press("left_curly_bracket")
    assert screen.chart.cursor == 1
    assert _text(screen, "#sym-readout") != before
    await press("ctrl+left")
    assert screen.chart.cursor == 2
    await press("right_curly_bracket")
    assert screen.chart.cursor == 1
    await press("ctrl+right")
    assert screen.chart.cursor == 0
    assert _text(screen, "#sym-readout") == before

    await press("left_curly_bracket", "comma", "0")
    assert (screen.chart.cursor, screen.chart.offset, screen.chart.zoom) == (0, 0, 0)

    await press("L")
    assert screen.chart.log
    assert chart.spec is not None
    assert chart.spec.y_format == "logprice"
    await press("L")
    assert not screen.chart.log

    await press("v")
    assert not screen.chart.volume
    assert chart.spec is not None
    assert chart.spec.volume is None
    await press("v")
    assert screen.chart.volume

    for key, name in (("M", MA), ("Z", ZONES), ("B", LIQ), ("O", POSITIONS)):
        await press(key)
        assert not screen.chart.shows(name), key
        await press(key)
        assert screen.chart.shows(name), key

    await press("c")
    assert not screen.chart.candles
    await press("c")

    cursor = screen.picture.cursor if screen.picture else None
    assert cursor is not None
    await press("P")
    await pilot.pause()
    assert cursor.close in screen.pins.of(screen.symbol)
    assert "1 pinned" in _text(screen, "#sym-chart-title")
    engine = app.engine
    assert engine is not None
    assert cursor.close in engine.pinned_zones[screen.symbol]
    assert " pin" in _text(screen, "#sym-zones")
    await press("P")
    await pilot.pause()
    assert screen.pins.of(screen.symbol) == ()
    assert cursor.close not in engine.pinned_zones.get(screen.symbol, ())

    await press("left_curly_bracket")  # off the newest candle: the prompt starts at the cursor
    cursor = screen.picture.cursor if screen.picture else None
    assert cursor is not None
    await press("A")
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()
    assert [a.level for a in load_user_alerts() if a.symbol == screen.symbol] == [cursor.close]

    await press("right_square_bracket")
    assert screen.symbol == "ETH"
    assert screen.chart.cursor == 0
    await press("left_square_bracket")
    assert screen.symbol == "BTC"
    await pilot.pause()
    await pilot.pause(0.05)
    assert chart.size.width <= size[0]
    return screen


@pytest.mark.parametrize("size", SIZES)
async def test_chart_keys_over_a_still_replay(still_engine: Engine, size: tuple[int, int]) -> None:
    app = still_app(still_engine)
    async with app.run_test(size=size) as pilot:
        await _exercise(app, pilot, size)
    still_engine.ui_pins = {}


@pytest.mark.parametrize("size", SIZES)
async def test_chart_keys_over_a_running_replay(small_recording: Path, size: tuple[int, int]) -> None:
    app = running_app(small_recording)
    async with app.run_test(size=size) as pilot:
        for _ in range(100):
            await pilot.pause(0.05)
            if app.engine is not None and app.engine.state.version > 0:
                break
        screen = await _exercise(app, pilot, size)
        # replay seeking still works on the symbol screen: left/right are not chart keys
        player = app.engine.player if app.engine is not None else None
        assert player is not None
        if not player.paused:
            player.toggle_pause()
        before = player.clock_ms
        await pilot.press("right")
        await pilot.pause(0.1)
        assert player.clock_ms >= min(before + 3_600_000, player.end_ms)
        assert app.screen is screen


async def test_cursor_moves_repaint_two_columns_not_the_chart(still_engine: Engine) -> None:
    app = still_app(still_engine)
    async with app.run_test(size=(200, 50)) as pilot:
        screen = await _open(app, pilot)
        chart = screen.query_one("#sym-chart", ChartView)
        await pilot.pause(0.1)
        builds, repaints = chart.builds, chart.cursor_repaints
        first = chart.cursor_column
        assert first is not None
        for _ in range(5):
            await pilot.press("left_curly_bracket")
        await pilot.pause(0.05)
        assert chart.builds == builds  # no plotext rebuild for a cursor move
        assert chart.cursor_repaints == repaints + 5
        col = chart.cursor_column
        assert col is not None
        assert col < first
        assert "reverse" in str(chart.render().spans)


async def test_pins_come_from_the_book_and_help_lists_the_keys(still_engine: Engine) -> None:
    app = still_app(still_engine)
    app.pin_book = PinBook({"BTC": (66_000.0,)})
    app.pin_book.on_change = app._pins_changed
    still_engine.ui_pins = app.pin_book.pins
    try:
        async with app.run_test(size=(200, 50)) as pilot:
            screen = await _open(app, pilot)
            assert screen.pins.of("BTC") == (66_000.0,)
            assert "1 pinned" in _text(screen, "#sym-chart-title")
            keys = _text(screen, "#dd-keys")
            assert "+ - zoom" in keys or "zoom" in keys
            await pilot.press("question_mark")
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
    finally:
        still_engine.ui_pins = {}


async def test_the_palette_offers_the_chart_keys_on_the_symbol_screen(still_engine: Engine) -> None:
    app = still_app(still_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await _open(app, pilot)
        titles = {c.title: c for c in app.get_system_commands(app.screen)}
        for binding in SymbolScreen.BINDINGS:
            assert isinstance(binding, Binding)
            assert binding.description in titles, binding.id
        assert "key L" in titles["Chart: log or linear price scale"].help
        app.call_later(titles["Chart: log or linear price scale"].callback)  # as the palette runs it
        await pilot.pause()
        assert screen.chart.log


@pytest.mark.parametrize("pane", ["price", "liquidations"])
async def test_chart_keys_from_the_one_pane_layout(still_engine: Engine, pane: str) -> None:
    app = still_app(still_engine, pane=pane)
    async with app.run_test(size=(80, 24)) as pilot:
        await _exercise(app, pilot, (80, 24))
    still_engine.ui_pins = {}


async def test_alert_key_saves_a_price_alert_at_the_cursor(still_engine: Engine) -> None:
    app = still_app(still_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open(app, pilot)
        await pilot.press("left_curly_bracket", "left_curly_bracket", "left_curly_bracket")
        assert screen.picture is not None
        cursor = screen.picture.cursor
        newest = screen.picture.candles[-1]
        assert cursor is not None
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)  # prefilled at the cursor, to confirm or edit
        await pilot.press("enter")
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        saved = load_user_alerts()
        assert len(saved) == 1
        assert (saved[0].symbol, saved[0].level) == ("BTC", cursor.close)
        assert saved[0].direction == ("down" if cursor.close < newest.close else "up")
        await pilot.press("A", "enter")  # the same alert again is refused, not duplicated
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)  # the prompt says why and keeps the text
        await pilot.press("escape")
        await pilot.pause()
        assert len(load_user_alerts()) == 1
