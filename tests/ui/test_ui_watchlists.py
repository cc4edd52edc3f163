"""Watchlists: switching, adding and removing symbols at runtime, remembered in the state file
(never in the config), and the engine following every change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crashtui.config.schema import Config
from crashtui.ui.app import CrashApp
from crashtui.ui.prefs import UiState, load_state, save_state, state_path
from crashtui.ui.screens.prompt import PromptScreen
from crashtui.ui.watchlists import RECORDING, WatchlistBook, WatchlistError
from crashtui.ui.widgets.watchtable import WatchTable
from tests.ui.uihelpers import KNOWN, running_app

MAJORS = ("BTC", "ETH", "SOL", "XRP", "BNB", "DOGE")


def book(state: UiState | None = None, saved: list[UiState] | None = None, **kw: object) -> WatchlistBook:
    store = saved if saved is not None else []
    return WatchlistBook(Config(), state or UiState(), known=KNOWN.__contains__, save=store.append, **kw)  # type: ignore[arg-type]


def test_default_and_remembered_active_watchlist() -> None:
    assert book().current == "majors"
    assert book(UiState(active_watchlist="core")).current == "core"
    assert book(UiState(active_watchlist="gone")).current == "majors"
    assert book(UiState(active_watchlist="core"), initial="majors").current == "majors"


def test_add_remove_validate_and_persist() -> None:
    saved: list[UiState] = []
    b = book(saved=saved)
    assert b.add(" ada ") == "ADA"
    assert b.symbols() == (*MAJORS, "ADA")
    assert saved[-1].watchlists["majors"] == (*MAJORS, "ADA")
    for bad, reason in (
        ("ADA", "already"),
        ("PEPE", "unknown symbol"),
        ("[b]X", "not a symbol"),
        ("", "empty"),
    ):
        with pytest.raises(WatchlistError, match=reason):
            b.add(bad)
    b.remove("BTC")
    assert b.symbols()[0] == "ETH"
    with pytest.raises(WatchlistError, match="not in"):
        b.remove("BTC")
    b.switch("core")
    b.remove("ETH")
    with pytest.raises(WatchlistError, match="last symbol"):
        b.remove("BTC")
    assert b.is_edited("core")
    assert b.reset() == ("BTC", "ETH")
    assert not b.is_edited("core")
    assert "core" not in saved[-1].watchlists
    assert saved[-1].active_watchlist == "core"


def test_edits_back_to_the_config_list_are_not_kept_as_edits() -> None:
    saved: list[UiState] = []
    b = book(saved=saved)
    b.add("ADA")
    b.remove("ADA")
    assert "majors" not in saved[-1].watchlists


def test_recording_list_is_offered_first_and_edited_for_the_session_only() -> None:
    saved: list[UiState] = []
    b = book(saved=saved, recording=(), remember_active=False)
    b.set_recording(("BTC", "ETH"))
    assert b.names() == (RECORDING, "majors", "core")
    assert b.current == RECORDING
    b.add("SOL")
    assert b.symbols() == ("BTC", "ETH", "SOL")
    assert saved == []  # nothing written for the recording's own list
    b.switch("core")
    assert saved == []  # replay does not change the remembered watchlist either
    b.add("SOL")
    assert saved[-1].active_watchlist is None  # a configured list's edit is kept; the active one is not


def test_state_file_round_trip_and_damage(tmp_path: Path) -> None:
    path = tmp_path / "ui-state.json"
    state = UiState("core", {"majors": ("BTC", "ADA")})
    save_state(state, path)
    loaded, warning = load_state(path)
    assert warning is None
    assert loaded.active_watchlist == "core"
    assert dict(loaded.watchlists) == {"majors": ("BTC", "ADA")}
    assert [p.name for p in tmp_path.iterdir()] == ["ui-state.json"]  # no temp file left
    path.write_text("{not json", encoding="utf-8")
    loaded, warning = load_state(path)
    assert loaded == UiState()
    assert warning is not None
    assert "unusable" in warning
    path.write_text(json.dumps({"watchlists": {"majors": "BTC"}}), encoding="utf-8")
    assert load_state(path)[0] == UiState()
    assert load_state(tmp_path / "missing.json") == (UiState(), None)


def test_state_file_lives_in_the_user_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRASHTUI_DATA_DIR", str(tmp_path / "data"))
    assert state_path() == tmp_path / "data" / "ui-state.json"


async def wait_for(pilot: object, predicate: object, rounds: int = 300) -> None:
    for _ in range(rounds):
        if predicate():  # type: ignore[operator]
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError("condition not reached")


async def settle(app: CrashApp, pilot: object) -> None:
    await wait_for(
        pilot, lambda: app.engine is not None and app.engine.state.version > 0 and not app._switching
    )


async def test_add_and_remove_symbols_at_runtime_rebuild_the_engine(small_recording: Path) -> None:
    saved: list[UiState] = []
    app = running_app(small_recording, saved=saved)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("w", "down", "down", "enter")  # core
        await wait_for(
            pilot, lambda: app.book is not None and app.book.current == "core" and not app._switching
        )
        first = app.engine
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        await pilot.press("s", "o", "l", "enter")
        await wait_for(pilot, lambda: app.engine is not first and not app._switching)
        assert app.engine is not None
        assert app.engine.watchlist == ("BTC", "ETH", "SOL")
        table = app.screen.query_one(WatchTable)
        assert table.symbols == ("BTC", "ETH", "SOL")
        assert table.selected == "SOL"  # the new symbol is selected
        assert saved[-1].watchlists["core"] == ("BTC", "ETH", "SOL")
        second = app.engine
        await pilot.press("up", "x")  # remove ETH
        await wait_for(pilot, lambda: app.engine is not second and not app._switching)
        assert list(app.engine.watchlist) == ["BTC", "SOL"]
        assert list(saved[-1].watchlists["core"]) == ["BTC", "SOL"]
        # A rejected symbol changes nothing and says why.
        third = app.engine
        await pilot.press("a", "p", "e", "p", "e", "enter")
        await pilot.pause()
        assert app.engine is third
        assert any("PEPE is not in this recording" in str(n.message) for n in app._notifications)
        # Esc cancels the prompt.
        await pilot.press("a", "escape")
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)


async def test_edits_survive_a_restart(small_recording: Path, tmp_path: Path) -> None:
    path = tmp_path / "ui-state.json"
    app = running_app(small_recording, state=UiState())
    assert app.book is not None
    app.book._save = lambda state: save_state(state, path)  # the real file, in a temp dir
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("w", "down", "enter")  # majors
        await wait_for(
            pilot, lambda: app.book is not None and app.book.current == "majors" and not app._switching
        )
        await pilot.press("a", "a", "d", "a", "enter")
        await wait_for(
            pilot, lambda: app.engine is not None and "ADA" in app.engine.watchlist and not app._switching
        )
    state, warning = load_state(path)
    assert warning is None
    restarted = WatchlistBook(Config(), state, known=KNOWN.__contains__, initial="majors")
    assert restarted.symbols() == (*MAJORS, "ADA")
    assert Config().watchlist("majors").symbols == MAJORS  # the config itself is untouched


def test_a_removed_symbols_mapping_leaves_the_state_file_once_it_is_on_no_watchlist() -> None:
    pepe = {"binance": "PEPEUSDT", "okx": "PEPE-USDT-SWAP"}
    wif = {"binance": "WIFUSDT"}
    saved: list[UiState] = []
    b = book(saved=saved)
    b.add("pepe", pepe)
    b.add("wif", wif)
    b.switch("core")
    b.add("PEPE")  # known now: on two lists, no second lookup
    assert dict(saved[-1].symbols) == {"PEPE": pepe, "WIF": wif}
    b.remove("PEPE")  # still on majors: kept
    assert dict(saved[-1].symbols) == {"PEPE": pepe, "WIF": wif}
    b.switch("majors")
    b.remove("PEPE")  # on no watchlist now: pruned from the file
    assert dict(saved[-1].symbols) == {"WIF": wif}
    assert b.known("PEPE")  # this run still knows it: adding it back needs no lookup
    b.add("PEPE")
    assert dict(saved[-1].symbols) == {"PEPE": pepe, "WIF": wif}
    # a mapping loaded from the file for a symbol on no list is dropped at the next save
    stale = book(UiState(symbols={"BONK": {"binance": "BONKUSDT"}, "WIF": wif}), saved=saved)
    stale.switch("core")
    assert dict(saved[-1].symbols) == {}


def test_a_saved_per_1000_mapping_is_never_read(tmp_path: Path) -> None:
    path = tmp_path / "ui-state.json"
    doc = {
        "symbols": {
            "PEPE": {"binance": "PEPEUSDT", "binance_futures": "1000PEPEUSDT", "hyperliquid": "kPEPE"}
        }
    }
    path.write_text(json.dumps(doc), encoding="utf-8")
    loaded, warning = load_state(path)
    assert warning is None
    assert dict(loaded.symbols["PEPE"]) == {"binance": "PEPEUSDT"}  # 1,000x off: dropped
