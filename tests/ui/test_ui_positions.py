"""Positions in the dashboard: the pane, the drilldown, and adding, editing and removing
positions with keys (saved in the UI state file, validated like the config)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from crashtui.analysis.radar import radar as radar_of
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.risk.position import Position, PositionSide
from crashtui.ui.app import CrashApp
from crashtui.ui.positions import (
    PositionBook,
    PositionError,
    form_fields,
    position_from_fields,
    position_table,
)
from crashtui.ui.prefs import UiState, load_state, save_positions, save_state
from crashtui.ui.screens.position_form import ConfirmScreen, PositionFormScreen
from crashtui.ui.screens.positions import PositionsScreen
from tests.ui.uihelpers import SNAPSHOT_OPTIONS

TOP_LONG = Position("BTC", PositionSide.LONG, entry=78_000.0, leverage=10.0, size=0.5)
CALM_LONG = Position("BTC", PositionSide.LONG, entry=60_000.0, leverage=2.0, size_usd=20_000.0)


@pytest.fixture
def engine(still_engine: Engine) -> Engine:
    return still_engine


def app_with(
    engine: Engine, positions: tuple[Position, ...] = (), saved: list[Any] | None = None
) -> CrashApp:
    store = saved if saved is not None else []
    book = PositionBook(positions, None, save=store.append)
    return CrashApp(Config(), engine=engine, options=SNAPSHOT_OPTIONS, positions=book)


async def settle(pilot: Pilot[Any], app: CrashApp, count: int | None = None) -> None:
    """Wait until the radar has evaluated ``count`` positions (the book's by default)."""
    want = len(app.position_book.positions) if count is None else count
    for _ in range(200):
        await pilot.pause(0.02)
        radar = app.radar
        got = len(radar.portfolio.positions) if radar is not None and radar.portfolio is not None else 0
        if radar is not None and got == want and not app._radar_busy:
            await pilot.pause()
            return
    raise AssertionError("the radar never caught up")


# --- the book and the form's validation ----------------------------------------------------------


def test_form_fields_validate_like_the_config() -> None:
    p = position_from_fields(
        {"symbol": " btc ", "side": "LONG", "size": "0.5", "entry": "70,000", "leverage": "10"}
    )
    assert (p.symbol, p.side, p.size, p.entry, p.leverage) == ("BTC", PositionSide.LONG, 0.5, 70_000.0, 10.0)
    assert position_from_fields(form_fields(p)) == p
    cases = {
        "leverage": ({"leverage": "1000"}, "position.leverage: expected a leverage of at most 500"),
        "entry": ({"entry": "abc"}, "position.entry: expected a number"),
        "side": ({"side": "sideways"}, "position.side"),
        "both sizes": ({"size_usd": "100"}, "either size (coins) or size_usd"),
        "wallet": ({"wallet_usd": "100"}, 'only applies to margin = "cross"'),
    }
    base = {"symbol": "BTC", "side": "long", "size": "0.5", "entry": "70000", "leverage": "10"}
    for change, message in cases.values():
        with pytest.raises(PositionError, match=message.replace("(", r"\(").replace(")", r"\)")):
            position_from_fields({**base, **change})


def test_book_saves_tables_and_drops_bad_saved_ones() -> None:
    saved: list[tuple[Any, ...]] = []
    book = PositionBook((TOP_LONG,), None, save=saved.append)
    assert book.positions == (TOP_LONG,)
    assert not book.edited
    book.add(CALM_LONG)
    assert [dict(t) for t in saved[-1]] == [position_table(TOP_LONG), position_table(CALM_LONG)]
    book.replace(0, CALM_LONG)
    assert book.remove(1) == CALM_LONG
    with pytest.raises(PositionError, match="no position number 5"):
        book.remove(4)
    assert book.reset() == (TOP_LONG,)
    reread = PositionBook((), (position_table(CALM_LONG), {"symbol": "BTC", "side": "up"}))
    assert reread.positions == (CALM_LONG,)
    assert len(reread.warnings) == 1
    assert "positions[1].side" in reread.warnings[0]


def test_state_file_keeps_positions_and_watchlists_apart(tmp_path: Path) -> None:
    path = tmp_path / "ui-state.json"
    save_positions((position_table(TOP_LONG),), path)
    save_state(UiState(active_watchlist="core"), path)  # the watchlist book does not own positions
    state, warning = load_state(path)
    assert warning is None
    assert state.active_watchlist == "core"
    assert state.positions is not None
    assert dict(state.positions[0]) == position_table(TOP_LONG)
    save_positions((), path)
    assert json.loads(path.read_text())["active_watchlist"] == "core"
    assert load_state(path)[0].positions == ()


# --- keys -------------------------------------------------------------------------------------------


async def type_into(pilot: Pilot[Any], app: CrashApp, key: str, text: str) -> None:
    field = app.screen.query_one(f"#pf-{key}")
    field.value = ""  # type: ignore[attr-defined]
    field.focus()
    await pilot.press(*text)


async def test_add_a_position_with_keys(engine: Engine) -> None:
    saved: list[Any] = []
    app = app_with(engine, saved=saved)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, 0)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, PositionFormScreen)
        await type_into(pilot, app, "symbol", "btc")
        await type_into(pilot, app, "size", "0.5")
        await type_into(pilot, app, "entry", "78000")
        await type_into(pilot, app, "leverage", "1000")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, PositionFormScreen)  # invalid: the form stays, saying why
        error = str(app.screen.query_one("#form-error").render())
        assert "position.leverage" in error
        await type_into(pilot, app, "leverage", "10")
        await pilot.press("enter")
        await settle(pilot, app)
        added = replace(TOP_LONG, opened_ms=engine.now_ms())  # opened at the feed's clock
        assert app.position_book.positions == (added,)
        assert [dict(t) for t in saved[-1]] == [position_table(added)]
        assert engine.positions == (added,)  # the alert rules see it too


async def test_a_position_added_now_is_not_liquidated_by_earlier_lows(engine: Engine) -> None:
    """The highs before the drop (above 70,000 on 02-05) are above this short's liquidation
    price (about 65,700), but they traded before it was added (02-06 14:00 on the replay clock,
    BTC near 60,200): it is open."""
    app = app_with(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, 0)
        await pilot.press("n")
        await pilot.pause()
        await type_into(pilot, app, "symbol", "btc")
        await type_into(pilot, app, "side", "short")
        await type_into(pilot, app, "size", "1")
        await type_into(pilot, app, "entry", "60000")
        await type_into(pilot, app, "leverage", "10")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.position_book.positions[0].opened_ms == engine.now_ms()
        radar = app.radar
        assert radar is not None
        assert radar.portfolio is not None
        risk = radar.portfolio.positions[0]
        assert risk.liquidation_price is not None
        assert 62_000 < risk.liquidation_price < 70_000
        assert not risk.liquidated
        # the same position from the config, without an opening time, is checked against the
        # whole price path (the documented meaning of a [[positions]] entry without "opened")
        unopened = replace(app.position_book.positions[0], opened_ms=None)
        again = radar_of(engine.state.snapshot(), engine.analysis(), positions=(unopened,))
        assert again.portfolio is not None
        assert again.portfolio.positions[0].liquidated


def test_the_book_stamps_added_positions_and_edits_keep_the_time() -> None:
    book = PositionBook(())
    book.add(CALM_LONG, now_ms=1_770_386_400_000)
    assert book.positions[0].opened_ms == 1_770_386_400_000
    book.add(replace(TOP_LONG, opened_ms=1_700_000_000_000), now_ms=1_770_386_400_000)
    assert book.positions[1].opened_ms == 1_700_000_000_000  # its own time wins
    book.replace(0, replace(CALM_LONG, leverage=3.0))  # the form has no opening time
    assert book.positions[0].opened_ms == 1_770_386_400_000
    config = PositionBook((TOP_LONG,))  # a config position without "opened" stays without one
    config.replace(0, replace(TOP_LONG, leverage=5.0))
    assert config.positions[0].opened_ms is None


async def test_escape_cancels_the_form(engine: Engine) -> None:
    app = app_with(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("n")
        await pilot.pause()
        await type_into(pilot, app, "symbol", "eth")
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, PositionFormScreen)
        assert app.position_book.positions == ()


async def test_edit_and_remove_the_selected_position(engine: Engine) -> None:
    saved: list[Any] = []
    app = app_with(engine, (TOP_LONG, CALM_LONG), saved)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PositionsScreen)
        await pilot.press("down")
        assert app.screen.selected == 1
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, PositionFormScreen)
        await type_into(pilot, app, "leverage", "3")
        await pilot.press("ctrl+s")
        await settle(pilot, app)
        assert app.position_book.positions[1].leverage == 3.0
        assert app.position_book.positions[0] == TOP_LONG
        assert isinstance(app.screen, PositionsScreen)
        await pilot.press("D")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # declined: nothing removed
        await pilot.pause()
        assert len(app.position_book.positions) == 2
        await pilot.press("up", "D")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, app)
        assert len(app.position_book.positions) == 1
        assert app.position_book.positions[0].leverage == 3.0
        assert [dict(t) for t in saved[-1]] == [position_table(app.position_book.positions[0])]


async def test_edit_without_positions_says_how_to_add(engine: Engine) -> None:
    app = app_with(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("u")
        await pilot.pause()
        assert isinstance(app.screen, PositionsScreen)
        assert app.position_book.positions == ()


# --- the radar's cadence ------------------------------------------------------------------------------


async def test_radar_runs_in_a_thread_at_most_every_few_seconds(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import crashtui.analysis.radar as radar_module
    from crashtui.ui import app_radar

    calls: list[str] = []
    real = radar_module.radar

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(radar_module, "radar", counting)
    app = app_with(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot, app, 0)
        for _ in range(20):  # twenty forced frames in a row (keys, themes, ticks)
            app.refresh_now(force=True)
            await pilot.pause()
        assert 1 <= len(calls) <= 2  # not one per frame: at most one per RADAR_EVERY_S
        assert threading.main_thread().name not in calls  # never on the event loop
        app._radar_due = 0.0  # time for the next one
        app.refresh_now(force=True)
        await settle(pilot, app, 0)
        assert len(calls) >= 2
    assert app_radar.RADAR_EVERY_S >= 2.0


def test_app_edits_win_over_the_config_and_say_so() -> None:
    book = PositionBook((TOP_LONG,), (position_table(CALM_LONG),))
    assert book.positions == (CALM_LONG,)
    assert any("[[positions]] of the config" in w for w in book.warnings)
    assert not PositionBook((TOP_LONG,), (position_table(TOP_LONG),)).warnings


async def test_palette_offers_position_commands(engine: Engine) -> None:
    app = app_with(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert "Add a position (saved in the UI state file)" in titles
        assert "Edit the selected position (positions screen)" in titles
        assert "Remove the selected position (positions screen; d dismisses an alert)" in titles
        assert "Estimated liquidation map: heat band and price bands" in titles


async def test_keys_in_the_positions_pane(engine: Engine) -> None:
    """--pane positions: n adds; u and d act on the only position, or open the drilldown to
    choose one when there are several."""
    saved: list[Any] = []
    book = PositionBook((TOP_LONG,), None, save=saved.append)
    options = replace(SNAPSHOT_OPTIONS, pane="positions")
    app = CrashApp(Config(), engine=engine, options=options, positions=book)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        await pilot.press("u")  # one position: straight to its form
        await pilot.pause()
        assert isinstance(app.screen, PositionFormScreen)
        await type_into(pilot, app, "entry", "77000")
        await pilot.press("enter")
        await settle(pilot, app)
        assert app.position_book.positions[0].entry == 77_000.0
        await pilot.press("n")
        await pilot.pause()
        for key, text in (
            ("symbol", "ETH"),
            ("side", "short"),
            ("size_usd", "5000"),
            ("entry", "1900"),
            ("leverage", "5"),
        ):
            await type_into(pilot, app, key, text)
        await pilot.press("enter")
        await settle(pilot, app)
        assert [p.symbol for p in app.position_book.positions] == ["BTC", "ETH"]
        body = app.screen.query_one("#positions-body").text.plain  # type: ignore[attr-defined]
        assert "ETH" in body
        assert "short 5x" in body
        await pilot.press("D")  # two positions: choose in the drilldown
        await pilot.pause()
        assert isinstance(app.screen, PositionsScreen)
        await pilot.press("down", "D")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, app)
        assert [p.symbol for p in app.position_book.positions] == ["BTC"]
        assert len(saved[-1]) == 1


async def test_a_radar_behind_the_frames_is_followed_by_a_current_one(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A replay that catches up and then stops (``--until``) brings no frame again: a radar
    computed on a snapshot the frames have since left must still be replaced by a current one,
    or the derivatives and map panes keep figures of an earlier moment."""
    import crashtui.analysis.radar as radar_module
    from crashtui.ui import app_radar

    real = radar_module.radar
    calls: list[int] = []

    def behind_first(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        calls.append(result.generated_ms)
        # the first one as if computed on a snapshot an hour older than the frames
        return replace(result, generated_ms=result.generated_ms - 3_600_000) if len(calls) == 1 else result

    monkeypatch.setattr(radar_module, "radar", behind_first)
    # longer than a radar takes here: the refresh a finished radar asks for finds none due
    monkeypatch.setattr(app_radar, "RADAR_EVERY_S", 1.5)
    monkeypatch.setattr(CrashApp, "_tick", lambda self: None)  # a replay stopped at its end
    app = app_with(engine)
    async with app.run_test(size=(120, 40)) as pilot:
        now = engine.state.snapshot().generated_ms
        for _ in range(400):  # no key, no forced frame: the app must ask again by itself
            await pilot.pause(0.02)
            if len(calls) >= 2 and app.radar is not None and not app._radar_busy:
                break
        assert app.radar is not None
        assert app.radar.generated_ms == now
