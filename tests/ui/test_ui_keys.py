"""Pilot tests: every key of the dashboard and its drilldowns does what help says."""

from __future__ import annotations

from pathlib import Path

from textual import events
from textual.binding import Binding
from textual.widgets import OptionList

from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.replay.player import Player
from crashtui.ui.app import CrashApp
from crashtui.ui.keys import KEYS, app_bindings, palette_keys
from crashtui.ui.layout import SHORT_TITLES
from crashtui.ui.screens.dashboard import DashboardScreen
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.screens.etf import EtfScreen
from crashtui.ui.screens.fear import FearScreen
from crashtui.ui.screens.help import HelpScreen
from crashtui.ui.screens.liquidations import LiquidationsScreen
from crashtui.ui.screens.macro import MacroScreen
from crashtui.ui.screens.sources import SourcesScreen
from crashtui.ui.screens.symbol import SymbolScreen
from crashtui.ui.screens.watchlist import WatchlistScreen
from crashtui.ui.widgets.textview import TextView
from crashtui.ui.widgets.watchtable import WatchTable
from tests.ui.uihelpers import FEB6_1200, FEB6_1400, SNAPSHOT_OPTIONS, running_app, still_app

SIZE = (120, 40)


def text_of(app: CrashApp, selector: str) -> str:
    return app.screen.query_one(selector, TextView).text.plain


async def test_every_binding_has_an_id_and_a_description() -> None:
    bindings = app_bindings()
    assert bindings
    for binding in bindings:
        assert isinstance(binding, Binding)
        assert binding.id
        assert binding.description
    ids = [k.id for k in KEYS]
    assert len(ids) == len(set(ids))


async def test_command_palette_offers_every_action(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=SIZE):
        titles = {cmd.title for cmd in app.get_system_commands(app.screen)}
    for key in palette_keys():
        assert key.description in titles


async def test_drilldown_keys_open_their_screens_and_escape_returns(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    expected = {
        "l": LiquidationsScreen,
        "e": EtfScreen,
        "f": FearScreen,
        "m": MacroScreen,
        "s": SourcesScreen,
        "question_mark": HelpScreen,
    }
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
        for key, screen_type in expected.items():
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, screen_type), key
            assert app.screen.query_one("#dd-header", TextView).text.plain.strip()
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen), key
        # From one drilldown straight to another: the first is replaced, not stacked.
        await pilot.press("l")
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EtfScreen)
        assert sum(isinstance(s, Drilldown) for s in app.screen_stack) == 1


class TypedAheadApp(CrashApp):
    """A key already waiting in the app's queue when the app mounts (typed before it started)."""

    def _use_first_theme(self) -> None:
        super()._use_first_theme()
        self.post_message(events.Key("e", "e"))


async def test_a_key_typed_before_the_dashboard_is_up_acts_on_the_dashboard(feb6_engine: Engine) -> None:
    """The dashboard is pushed after Textual's start-up batch: a key typed ahead waits for it
    and opens its drilldown over it, not under it on Textual's empty default screen."""
    app = TypedAheadApp(Config(), engine=feb6_engine, options=SNAPSHOT_OPTIONS)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert [type(s) for s in app.screen_stack][1:] == [DashboardScreen, EtfScreen]


async def test_a_frame_that_arrives_before_a_new_screen_is_composed_waits_for_it(feb6_engine: Engine) -> None:
    """A drilldown key pressed while the engine boots: the boot's frame reaches the pushed
    screen before its widgets exist. It must not crash the app (it did, NoMatches) and the
    screen must still get a frame once composed, even if nothing changes afterwards."""
    app = still_app(feb6_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(LiquidationsScreen(app.glyphs))  # not awaited, like a key's action
        app.refresh_now(force=True)
        await pilot.pause()
        assert isinstance(app.screen, LiquidationsScreen)
        assert text_of(app, "#dd-header").strip()


async def test_enter_opens_the_selected_symbol_and_arrows_move_the_cursor(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        table = app.screen.query_one(WatchTable)
        assert table.selected == "BTC"
        await pilot.press("down")
        assert table.selected == "ETH"
        assert "ETH" in text_of(app, "#chart-title")
        await pilot.press("up")
        assert table.selected == "BTC"
        await pilot.press("j")
        assert table.selected == "ETH"
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SymbolScreen)
        assert screen.symbol == "ETH"
        assert "1,796" in screen.query_one("#sym-zones", TextView).text.plain


async def test_symbol_screen_keys(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SymbolScreen)
        assert "1h" in screen.query_one("#sym-chart-title", TextView).text.plain
        await pilot.press("4")
        assert "4h" in screen.query_one("#sym-chart-title", TextView).text.plain
        await pilot.press("5")
        assert "1d" in screen.query_one("#sym-chart-title", TextView).text.plain
        candles = screen.candles
        await pilot.press("c")
        assert screen.candles is not candles
        await pilot.press("right_square_bracket")
        assert screen.symbol == "ETH"
        await pilot.press("left_square_bracket")
        assert screen.symbol == "BTC"


async def test_liquidation_and_etf_screen_keys(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("l")
        await pilot.pause()
        liq = app.screen
        assert isinstance(liq, LiquidationsScreen)
        for key, window in (("1", "1h"), ("2", "4h"), ("4", "72h"), ("3", "24h")):
            await pilot.press(key)
            assert liq.window == window
            assert liq.query_one("#liq-summary", TextView).text.plain.startswith(f"{window}:")
        await pilot.press("e")
        await pilot.pause()
        etf = app.screen
        assert isinstance(etf, EtfScreen)
        assert "IBIT" in etf.query_one("#etf-table", TextView).text.plain
        await pilot.press("2")
        assert etf.asset == "ETH"
        assert "ETHA" in etf.query_one("#etf-table", TextView).text.plain
        await pilot.press("tab")
        assert etf.asset == "BTC"


async def test_pane_keys_in_the_one_pane_layout(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(70, 20)) as pilot:
        await pilot.pause()
        dashboard = app.screen
        assert isinstance(dashboard, DashboardScreen)
        assert dashboard.mode == "single"
        assert "Price" in text_of(app, "#tabs")  # too narrow for every full title: the short ones
        assert "7" in text_of(app, "#tabs")
        for key, pane in (
            ("2", "liquidations"),
            ("3", "etf"),
            ("4", "fear"),
            ("5", "positions"),
            ("6", "macro"),
            ("7", "recovery"),
            ("1", "price"),
        ):
            await pilot.press(key)
            assert dashboard.active_pane == pane
            assert dashboard.query_one(f"#pane-{pane}").display
            await pilot.pause()
            assert f" {SHORT_TITLES[pane]} " in text_of(app, "#tabs")
        await pilot.press("tab")
        assert dashboard.active_pane == "liquidations"


async def test_theme_key_cycles_crashtui_themes(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert app.theme == "crashtui-dark"
        seen = set()
        for _ in range(4):
            await pilot.press("t")
            seen.add(app.theme)
        assert {"crashtui-ansi", "crashtui-light", "crashtui-high-contrast"} <= seen
        await pilot.pause()
        assert app.screen.query_one("#header", TextView).text.plain.strip()


async def test_quit_key_stops_the_engine(small_recording: Path) -> None:
    app = running_app(small_recording)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(100):
            await pilot.pause(0.02)
            if app.engine is not None and app.engine.player is not None:
                break
        engine = app.engine
        assert engine is not None
        tasks = list(app._tasks)
        assert tasks
        assert not any(t.done() for t in tasks)
        await pilot.press("q")
        await pilot.pause()
    assert all(t.done() for t in tasks)
    assert app.return_code == 0


async def wait_for(pilot: object, predicate: object, rounds: int = 300) -> None:
    for _ in range(rounds):
        if predicate():  # type: ignore[operator]
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError("condition not reached")


def player_of(engine: Engine | None) -> Player:
    """The engine's replay player (the test fails if there is none)."""
    assert engine is not None
    assert engine.player is not None
    return engine.player


async def test_replay_keys_pause_seek_and_speed(small_recording: Path) -> None:
    app = running_app(small_recording, speed=60.0, start_ms=FEB6_1200, until_ms=FEB6_1400)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(
            pilot,
            lambda: app.engine is not None and app.engine.player is not None and app.engine.state.version > 0,
        )
        engine = app.engine
        assert engine is not None
        await pilot.press("space")
        assert player_of(engine).paused
        clock = engine.now_ms()
        await pilot.press("right")
        assert engine.now_ms() == clock + 3_600_000
        await pilot.press("greater_than_sign")
        assert player_of(engine).speed == 120.0
        await pilot.press("less_than_sign")
        assert player_of(engine).speed == 60.0
        # Back one hour: a new engine is built off the loop and swapped in once caught up.
        await pilot.press("left")
        await wait_for(pilot, lambda: app.engine is not engine and not app._switching)
        assert app.engine is not None
        assert app.engine.now_ms() == clock
        assert player_of(app.engine).paused  # the pause survives the swap
        assert "PAUSED" in text_of(app, "#header")
        await pilot.press("shift+left")
        await wait_for(
            pilot, lambda: not app._switching and app.engine is not None and app.engine.now_ms() < clock
        )
        assert app.engine.now_ms() == clock - 86_400_000
        await pilot.press("shift+right")
        assert app.engine.now_ms() == clock
        await pilot.press("right", "right", "right")
        assert app.engine.now_ms() == player_of(app.engine).end_ms  # clamped to the end of the replay
        assert FEB6_1400 - 60_000 < player_of(app.engine).end_ms <= FEB6_1400
        await pilot.press("space")
        assert not player_of(app.engine).paused


async def test_replay_keys_explain_themselves_without_a_replay(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("space")
        await pilot.pause()
        assert any("not running" in str(n.message) for n in app._notifications)


async def test_watchlist_switch_builds_a_new_engine(small_recording: Path) -> None:
    app = running_app(small_recording)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and app.engine.state.version > 0)
        first = app.engine
        assert first is not None
        assert first.watchlist == ("BTC", "ETH")
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, WatchlistScreen)
        options = app.screen.query_one(OptionList)
        names = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert names == ["recording", "majors", "core"]
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: app.engine is not first and not app._switching)
        assert app.engine is not None
        assert app.engine.watchlist == ("BTC", "ETH", "SOL", "XRP", "BNB", "DOGE")
        assert abs(app.engine.now_ms() - first.now_ms()) < 120_000  # the replay clock carried over
        table = app.screen.query_one(WatchTable)
        assert table.symbols == app.engine.watchlist
        assert "majors" in text_of(app, "#header")
        await pilot.press("w", "escape")
        await pilot.pause()
        assert isinstance(app.screen, DashboardScreen)
