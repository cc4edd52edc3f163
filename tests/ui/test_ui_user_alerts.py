"""Price alerts set in the dashboard (issue 24): ``A`` add (prefilled with the symbol in view at
its price), ``E``/``u`` edit, ``X``/``D`` remove, ``M`` mute, from the grid, the one-pane layout
and drilldowns; the same file as ``crashtui alerts``; live reload into the running rules."""

from __future__ import annotations

import errno
import inspect
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from crashtui.analysis.price import current_price
from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.cli import main
from crashtui.config.schema import Config
from crashtui.config.user_alerts import add_alert, load_user_alerts, user_alerts_path
from crashtui.engine import Engine
from crashtui.numfmt import fmt_price
from crashtui.timeparse import parse_instant
from crashtui.ui.app import CrashApp
from crashtui.ui.options import UiOptions
from crashtui.ui.screens.alerts import AlertLogScreen
from crashtui.ui.screens.dashboard import DashboardScreen
from crashtui.ui.screens.position_form import ConfirmScreen
from crashtui.ui.screens.prompt import PromptScreen
from crashtui.ui.screens.symbol import SymbolScreen
from crashtui.ui.widgets.textview import TextView
from tests.ui.uihelpers import FEB6_1200, FEB6_1400, SNAPSHOT_OPTIONS, running_app

KNOWN = ("BTC", "ETH", "SOL")
LAYOUTS = [
    pytest.param((80, 24), None, id="compact-80x24"),
    pytest.param((200, 50), None, id="grid-200x50"),
    pytest.param((80, 24), "price", id="one-pane-80x24"),
    pytest.param((200, 50), "liquidations", id="one-pane-200x50"),
]


def app_over(engine: Engine, pane: str | None = None) -> CrashApp:
    return CrashApp(Config(), engine=engine, options=replace(SNAPSHOT_OPTIONS, pane=pane))


async def wait_until(pilot: Pilot[Any], condition: Callable[[], bool], seconds: float = 8.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()


def prompt_input(app: CrashApp) -> Input:
    assert isinstance(app.screen, PromptScreen)
    return app.screen.query_one("#prompt-input", Input)


def prompt_error(app: CrashApp) -> str:
    return str(app.screen.query_one("#prompt-error").render())


async def enter_text(pilot: Pilot[Any], app: CrashApp, text: str) -> None:
    prompt_input(app).value = ""
    await pilot.press(*text, "enter")
    await pilot.pause()


def user_list(app: CrashApp) -> str:
    return app.screen.query_one("#alerts-user", TextView).text.plain


def saved_phrases() -> list[tuple[str, bool]]:
    return [(a.phrase, a.muted) for a in load_user_alerts(user_alerts_path())]


def toasts(app: CrashApp, text: str) -> list[object]:
    return [n for n in app._notifications if text in n.message]


@pytest.mark.parametrize(("size", "pane"), LAYOUTS)
async def test_add_key_prefills_the_selected_symbol_at_its_price_and_validates(
    still_engine: Engine, size: tuple[int, int], pane: str | None
) -> None:
    app = app_over(still_engine, pane)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        dashboard = app._dashboard()
        assert dashboard is not None
        symbol = dashboard.selected_symbol
        assert symbol == "BTC"
        price = still_engine.state.tickers["BTC"].price
        await pilot.press("A")
        await pilot.pause()
        assert prompt_input(app).value == f"BTC below {fmt_price(price)}"
        await enter_text(pilot, app, "BTC sideways 5")
        assert isinstance(app.screen, PromptScreen)  # refused: the prompt stays, text kept
        assert prompt_input(app).value == "BTC sideways 5"
        assert "expected one of below, above, crosses" in prompt_error(app)
        await enter_text(pilot, app, "PEPE below 1")
        assert "PEPE: no source knows this symbol" in prompt_error(app)
        await enter_text(pilot, app, "btc below 55k")
        assert isinstance(app.screen, DashboardScreen)
        assert saved_phrases() == [("BTC below 55,000", False)]
        names = [r.name for r in app.config_data.alerts.rules]
        assert "BTC below 55,000 (#1)" in names  # in the rules at once, not at the next start
        assert toasts(app, "added price alert #1 BTC below 55,000")
        await pilot.press("A")
        await pilot.pause()
        await pilot.press("escape")  # cancelled: nothing added
        await pilot.pause()
        assert len(saved_phrases()) == 1


async def test_add_key_quotes_the_shown_price_never_a_stale_ticker(
    still_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A ticker 36 h old and newer 1h candles: the prompt's level and its "already below/above"
    note use the price the price pane shows (the newer close), not the old quote."""
    state = still_engine.state
    now = state.now_ms()
    stale = replace(state.tickers["BTC"], ts_ms=now - 36 * 3_600_000, price=200_000.0)
    monkeypatch.setitem(state.tickers, "BTC", stale)
    shown = current_price(state.snapshot(), "BTC")
    assert shown is not None
    assert shown.source.startswith("last 1h close")
    assert shown.price < 100_000  # the newer close, far from the old quote
    app = app_over(still_engine, "price")
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert prompt_input(app).value == f"BTC below {fmt_price(shown.price)}"
        await enter_text(pilot, app, "BTC below 100000")  # below the stale quote, above the price
        assert toasts(app, "added price alert #1 BTC below 100,000 (already below:")
        await pilot.press("A")
        await pilot.pause()
        await enter_text(pilot, app, "BTC above 150000")  # the stale quote is above, the price not
        added = toasts(app, "added price alert #2 BTC above 150,000")
        assert len(added) == 1
        assert "already" not in str(getattr(added[0], "message", ""))


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_add_key_in_a_drilldown_uses_that_screens_symbol(
    still_engine: Engine, size: tuple[int, int]
) -> None:
    app = app_over(still_engine)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.open_symbol("ETH")
        await pilot.pause()
        assert isinstance(app.screen, SymbolScreen)
        await pilot.press("A")
        await pilot.pause()
        price = still_engine.state.tickers["ETH"].price
        assert prompt_input(app).value == f"ETH below {fmt_price(price)}"
        await enter_text(pilot, app, "ETH crosses 1,826")
        assert isinstance(app.screen, SymbolScreen)  # back where the trader was
        assert saved_phrases() == [("ETH crosses 1,826", False)]
        await pilot.press("l")  # another drilldown: no symbol of its own, the Price table's
        await pilot.pause()
        await pilot.press("A")
        await pilot.pause()
        assert prompt_input(app).value.startswith("BTC below ")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)], ids=["80x24", "200x50"])
async def test_the_alert_screen_lists_selects_edits_mutes_and_removes(
    still_engine: Engine, size: tuple[int, int]
) -> None:
    path = user_alerts_path()
    add_alert("BTC below 60000", known_symbols=KNOWN, now_ms=1, path=path)
    add_alert("ETH crosses 1826", known_symbols=KNOWN, now_ms=2, path=path)
    app = app_over(still_engine)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, AlertLogScreen))
        app.refresh_now(force=True)
        await pilot.pause()
        listed = user_list(app)
        assert "#1  BTC below 60,000" in listed
        assert "#2  ETH crosses 1,826" in listed
        assert "active" in listed
        assert "not fired yet" in listed or size[0] < 100
        assert "Your price alerts (2" in app.screen.query_one("#alerts-user-title", TextView).text.plain
        screen = app.screen
        assert isinstance(screen, AlertLogScreen)
        await pilot.press("down")
        assert screen.selected == 1
        await pilot.press("u")  # edit the selected one, prefilled with its phrase
        await pilot.pause()
        assert prompt_input(app).value == "ETH crosses 1,826"
        await enter_text(pilot, app, "BTC below 60000")  # the same as #1: refused, text kept
        assert "already set: #1" in prompt_error(app)
        await enter_text(pilot, app, "ETH below 1,800")
        assert app.screen is screen
        assert saved_phrases() == [("BTC below 60,000", False), ("ETH below 1,800", False)]
        assert "#2  ETH below 1,800" in user_list(app)
        await pilot.press("M")
        await pilot.pause()
        assert saved_phrases()[1] == ("ETH below 1,800", True)
        assert "muted" in user_list(app)
        rules = {r.name: r for r in app.config_data.alerts.rules}
        assert not rules["ETH below 1,800 (#2)"].enabled
        await pilot.press("M")
        await pilot.pause()
        assert saved_phrases()[1] == ("ETH below 1,800", False)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert len(saved_phrases()) == 2
        await pilot.press("up", "delete")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert saved_phrases() == [("ETH below 1,800", False)]
        assert "BTC below 60,000" not in user_list(app)
        assert "BTC below 60,000 (#1)" not in [r.name for r in app.config_data.alerts.rules]
        await pilot.press("enter")
        await pilot.pause()
        assert prompt_input(app).value == "ETH below 1,800"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("E")  # the app-level keys work here too
        await pilot.pause()
        assert prompt_input(app).value == "ETH below 1,800"
        await pilot.press("escape")


@pytest.mark.parametrize(("size", "pane"), LAYOUTS)
async def test_edit_remove_mute_keys_from_the_dashboard(
    still_engine: Engine, size: tuple[int, int], pane: str | None
) -> None:
    """No alerts: each says how to add one. One alert: act on it. Several: choose on the alert screen."""
    app = app_over(still_engine, pane)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        for key in ("E", "X", "M"):
            await pilot.press(key)
            await pilot.pause()
            assert isinstance(app.screen, DashboardScreen)
        assert len(toasts(app, "no price alerts yet: press A to add one")) == 3
        add_alert("BTC below 60000", known_symbols=KNOWN, now_ms=1, path=user_alerts_path())
        app.poll_user_alerts()
        await pilot.press("M")
        await pilot.pause()
        assert saved_phrases() == [("BTC below 60,000", True)]
        await pilot.press("E")
        await pilot.pause()
        await enter_text(pilot, app, "BTC below 59,000")
        assert saved_phrases() == [("BTC below 59,000", True)]  # an edit keeps the mute
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert saved_phrases() == []
        add_alert("BTC below 60000", known_symbols=KNOWN, now_ms=1, path=user_alerts_path())
        add_alert("ETH below 1000", known_symbols=KNOWN, now_ms=1, path=user_alerts_path())
        app.poll_user_alerts()
        await pilot.press("X")
        await pilot.pause()
        assert isinstance(app.screen, AlertLogScreen)  # several: choose one first
        assert toasts(app, "select a price alert")


async def test_arrows_scroll_the_alert_screen_when_there_is_nothing_to_select(still_engine: Engine) -> None:
    app = app_over(still_engine)
    async with app.run_test(size=(60, 14)) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, AlertLogScreen))
        app.refresh_now(force=True)
        await pilot.pause()
        body = app.screen.query_one("#dd-body")
        assert body.max_scroll_y > 2  # the rules line and the sections overflow a small terminal
        await pilot.press("down", "down")
        await pilot.pause()
        assert body.scroll_y == 2
        assert app.screen.selected == 0  # type: ignore[attr-defined]


async def test_palette_offers_the_alert_commands(still_engine: Engine) -> None:
    app = app_over(still_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        for title in (
            "Add a price alert: the selected symbol at its price (e.g. BTC below 62,000)",
            "Edit the selected price alert (alert screen !)",
            "Remove the selected price alert (alert screen !)",
            "Mute or unmute the selected price alert (alert screen !)",
        ):
            assert title in commands
        result = commands[
            "Add a price alert: the selected symbol at its price (e.g. BTC below 62,000)"
        ].callback()
        if inspect.isawaitable(result):
            await result
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        assert prompt_input(app).value.startswith("BTC below ")


async def test_a_write_that_fails_loses_nothing_and_says_so(
    still_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import crashtui.config.user_alerts as store

    add_alert("BTC below 60000", known_symbols=KNOWN, now_ms=1, path=user_alerts_path())
    before = user_alerts_path().read_bytes()

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    app = app_over(still_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        monkeypatch.setattr(store, "write_atomic", full_disk)
        await pilot.press("A")
        await pilot.pause()
        await enter_text(pilot, app, "ETH below 1500")
        assert isinstance(app.screen, PromptScreen)  # the text is still there to retry
        assert prompt_input(app).value == "ETH below 1500"
        assert "not saved: cannot write" in prompt_error(app)
        assert "No space left on device" in prompt_error(app)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        failed = [n for n in app._notifications if "price alert #1 unchanged: not saved" in n.message]
        assert failed
        assert failed[0].severity == "error"
        assert user_alerts_path().read_bytes() == before
        assert [r.enabled for r in app.config_data.alerts.rules if r.name == "BTC below 60,000 (#1)"] == [
            True
        ]


async def test_a_corrupt_file_is_said_once_and_the_app_keeps_working(still_engine: Engine) -> None:
    path = user_alerts_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("{broken", encoding="utf-8")
    app = app_over(still_engine)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert await wait_until(pilot, lambda: bool(toasts(app, "not JSON")))
        path.write_text("{still broken", encoding="utf-8")
        app.poll_user_alerts()
        app.poll_user_alerts(force=True)
        said = toasts(app, "not JSON")
        assert len(said) == 1
        assert "\n" not in said[0].message  # type: ignore[attr-defined]
        await pilot.press("A")  # adding refuses the bad file in the prompt, naming it
        await pilot.pause()
        await enter_text(pilot, app, "BTC below 50000")
        assert "user-alerts.json: not JSON" in prompt_error(app)
        await pilot.press("escape", "exclamation_mark")
        assert await wait_until(pilot, lambda: isinstance(app.screen, AlertLogScreen))
        app.refresh_now(force=True)
        await pilot.pause()
        assert "not JSON" in " ".join(user_list(app).split())  # wrapped at the pane width
        path.write_text('{"alerts": []}', encoding="utf-8")
        app.poll_user_alerts()
        await pilot.pause()
        assert app.user_rules.error is None


async def test_an_alert_added_in_the_app_fires_in_the_replay_at_the_crossing(small_recording: Path) -> None:
    """Added with ``A`` at 11:00Z of the replay, ``BTC below 60,100`` fires at the replay minute
    the BTC price first goes below 60,100 (the oracle steps the same recording on its own)."""
    level, start, added_at = 60_100.0, parse_instant("2026-02-06T10:00Z"), parse_instant("2026-02-06T11:00Z")
    engine = build_engine(
        Config(), (), EngineOptions(replay=ReplayOptions(small_recording, None, start, FEB6_1400))
    )
    app = CrashApp(
        Config(), engine=engine, options=UiOptions(start_engine=False, tick_s=3600.0, show_timings=False)
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app._attach_alerts(engine)
        assert app.alerts is not None
        steps = iter(engine.replay_steps())
        for clock in steps:
            app.alerts.check()
            if clock >= added_at:
                break
        await pilot.press("A")
        await pilot.pause()
        await enter_text(pilot, app, "BTC below 60,100")
        manager = app.alerts.manager
        assert manager is not None
        assert "BTC below 60,100 (#1)" in [r.name for r in manager.evaluator.rules]
        for _ in steps:
            app.alerts.check()
        fired = [a for a in app.alerts.session() if a.rule == "BTC below 60,100 (#1)"]
        assert fired
        first = min(fired, key=lambda a: a.at_ms)

    oracle = build_engine(
        Config(), (), EngineOptions(replay=ReplayOptions(small_recording, None, start, FEB6_1400))
    )
    crossed_at, above = None, False
    for clock in oracle.replay_steps():
        ticker = oracle.state.tickers.get("BTC")
        if ticker is None or clock < added_at:
            continue
        if ticker.price >= level:
            above = True
        elif above and crossed_at is None:
            crossed_at = clock
    assert crossed_at is not None
    assert first.at_ms == crossed_at
    assert first.value is not None
    assert first.value < level
    assert first.mode == "replay"


async def test_an_alert_added_by_the_cli_is_picked_up_by_the_running_dashboard(small_recording: Path) -> None:
    app = running_app(small_recording, speed=60.0, start_ms=FEB6_1200, until_ms=FEB6_1400)
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: app.alerts is not None and app.alerts.manager is not None)
        assert main(["alerts", "add", "ETH below 1000"]) == 0  # "another terminal"

        def in_rules() -> bool:
            manager = app.alerts.manager if app.alerts is not None else None
            return manager is not None and "ETH below 1,000 (#1)" in [r.name for r in manager.evaluator.rules]

        assert await wait_until(pilot, in_rules, seconds=10.0)
        assert main(["alerts", "mute", "1"]) == 0

        def muted() -> bool:
            manager = app.alerts.manager if app.alerts is not None else None
            return manager is not None and "ETH below 1,000 (#1)" not in [
                r.name for r in manager.evaluator.rules
            ]

        assert await wait_until(pilot, muted, seconds=10.0)
        await pilot.press("q")
    assert app.return_code == 0
