"""Imported exchange positions in the position book and the dashboard (fake ccxt, no network)."""

from __future__ import annotations

import sys
from typing import Any

import pytest
from textual.pilot import Pilot

from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.exchanges.fetch import ImportResult, VenueImport
from crashtui.risk.position import MarginMode, Position, PositionSide, Venue
from crashtui.ui.app import CrashApp
from crashtui.ui.positions import PositionBook, PositionError, describe
from crashtui.ui.screens.positions import PositionsScreen
from tests.exchanges.fake_ccxt import (
    BINANCE_BTC,
    FAKE_KEY,
    FAKE_SECRET,
    HYPERLIQUID_SOL,
    leaky_error,
    make_ccxt,
)
from tests.ui.uihelpers import SNAPSHOT_OPTIONS

NOW = 1_770_000_000_000
OWN_ETH = Position("ETH", PositionSide.SHORT, entry=1_900.0, leverage=5.0, size_usd=5_000.0)
IMP_BTC = Position(
    "BTC",
    PositionSide.LONG,
    62_000.0,
    10.0,
    size=0.5,
    venue=Venue.BINANCE,
    opened_ms=NOW,
    imported_ms=NOW,
    venue_liquidation_price=54_000.0,
)
IMP_ETH = Position(
    "ETH",
    PositionSide.SHORT,
    1_950.0,
    20.0,
    size=2.0,
    margin=MarginMode.CROSS,
    opened_ms=NOW,
    imported_ms=NOW,
)
BINANCE_ENV = {"CRASHTUI_BINANCE_API_KEY": FAKE_KEY, "CRASHTUI_BINANCE_API_SECRET": FAKE_SECRET}


# --- the book -------------------------------------------------------------------------------------


def test_imported_come_after_own_and_are_never_saved() -> None:
    saved: list[Any] = []
    book = PositionBook((OWN_ETH,), None, save=saved.append)
    assert book.set_imported((IMP_BTC,))
    assert book.positions == (OWN_ETH, IMP_BTC)
    assert saved == []
    assert not book.set_imported((IMP_BTC,))  # the same again: no change
    assert book.set_imported(())
    assert list(book.positions) == [OWN_ETH]


def test_own_entry_wins_over_the_same_imported_position() -> None:
    book = PositionBook((OWN_ETH,))
    book.set_imported((IMP_ETH, IMP_BTC))  # ETH short on binance, as the user's own
    assert book.positions == (OWN_ETH, IMP_BTC)
    assert book.shadowed == (IMP_ETH,)


def test_a_new_read_keeps_the_first_opening_time() -> None:
    book = PositionBook()
    book.set_imported((IMP_BTC,))
    later = Position(**{**_fields(IMP_BTC), "opened_ms": NOW + 180_000, "imported_ms": NOW + 180_000})
    assert not book.set_imported((later,))  # only the read time changed
    assert book.positions[0].opened_ms == NOW
    assert book.positions[0].imported_ms == NOW + 180_000
    grown = Position(**{**_fields(later), "size": 0.8})
    assert book.set_imported((grown,))
    assert book.positions[0].opened_ms == NOW + 180_000  # a changed position: from this read on


def _fields(p: Position) -> dict[str, Any]:
    return {name: getattr(p, name) for name in p.__dataclass_fields__}


def test_editing_an_imported_position_makes_it_yours() -> None:
    saved: list[Any] = []
    book = PositionBook((OWN_ETH,), None, save=saved.append)
    book.set_imported((IMP_BTC,))
    edited = Position(
        "BTC", PositionSide.LONG, 62_000.0, 10.0, size=0.5, margin=MarginMode.CROSS, wallet_usd=9e3
    )
    index = book.replace(1, edited)
    assert index == 1
    assert book.own[1].opened_ms == NOW  # still open since it was read
    assert not book.own[1].imported
    assert book.positions == book.own  # the imported one is shadowed by the user's copy
    assert [t["symbol"] for t in saved[-1]] == ["ETH", "BTC"]


def test_an_imported_position_cannot_be_removed_here() -> None:
    book = PositionBook((OWN_ETH,))
    book.set_imported((IMP_BTC,))
    with pytest.raises(PositionError, match="imported from binance: close it on the exchange"):
        book.remove(1)
    assert describe(IMP_BTC).endswith("(imported from binance)")


# --- the dashboard ------------------------------------------------------------------------------


def app_with(
    engine: Engine, environ: dict[str, str], own: tuple[Position, ...] = ()
) -> tuple[CrashApp, list[Any]]:
    saved: list[Any] = []
    book = PositionBook(own, None, save=saved.append)
    app = CrashApp(Config(), engine=engine, options=SNAPSHOT_OPTIONS, positions=book, environ=environ)
    return app, saved


async def wait_for(pilot: Pilot[Any], check: Any) -> None:
    for _ in range(300):
        await pilot.pause(0.02)
        if check():
            await pilot.pause()
            return
    raise AssertionError("timed out")


async def settle_radar(pilot: Pilot[Any], app: CrashApp) -> None:
    """Until the radar has evaluated the positions in effect (no worker left to outlive the test)."""

    def done() -> bool:
        radar = app.radar
        count = len(radar.portfolio.positions) if radar is not None and radar.portfolio is not None else 0
        return radar is not None and not app._radar_busy and count == len(app.position_book.positions)

    await wait_for(pilot, done)


def _screen_text(app: CrashApp) -> str:
    return app.export_screenshot() + " ".join(str(n.message) for n in app._notifications)


async def test_live_dashboard_imports_in_a_worker(
    still_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    calls: list[Any] = []
    threads: list[str] = []
    module = make_ccxt(
        answers={"binanceusdm": [BINANCE_BTC, {**BINANCE_BTC, "symbol": "BTC/USD:BTC"}]}, calls=calls
    )
    real = module.binanceusdm.fetch_positions

    def spy(self: Any, *args: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(self, *args)

    monkeypatch.setattr(module.binanceusdm, "fetch_positions", spy)
    monkeypatch.setitem(sys.modules, "ccxt", module)
    app, saved = app_with(still_engine, BINANCE_ENV, (OWN_ETH,))
    app._in_replay = lambda: False  # type: ignore[method-assign]  # the still engine is a replay
    async with app.run_test(size=(160, 45)) as pilot:
        await wait_for(pilot, lambda: len(app.position_book.positions) == 2)
        assert threading.main_thread().name not in threads  # never on the event loop
        assert [p.symbol for p in app.position_book.positions] == ["ETH", "BTC"]
        assert app.position_book.positions[1].imported
        assert still_engine.positions == app.position_book.positions  # alert rules see them too
        assert saved == []  # imported positions are not written to the state file
        await wait_for(
            pilot,
            lambda: (
                app.radar is not None
                and app.radar.portfolio is not None
                and len(app.radar.portfolio.positions) == 2
            ),
        )
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, PositionsScreen)
        await pilot.press("down")
        await pilot.pause(0.1)
        table = app.screen.query_one("#positions-table").text.plain  # type: ignore[attr-defined]
        detail = app.screen.query_one("#positions-detail").text.plain  # type: ignore[attr-defined]
        assert "BTC imp binance" in table
        assert "Portfolio 2 pos (1 imported)" in table
        assert "imported " in table
        assert "binance 1" in table
        assert "binance reports liquidation at 56,050" in detail
        assert "Imported from binance" in detail
        assert FAKE_KEY not in _screen_text(app)
        assert FAKE_SECRET not in _screen_text(app)
        await pilot.press("D")  # an imported position: not removable, says why
        await pilot.pause()
        assert any("close it on the exchange" in str(n.message) for n in app._notifications)
        assert len(app.position_book.positions) == 2


async def test_failing_venue_toasts_once_without_the_key(
    still_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt(fail={"binanceusdm": leaky_error}))
    app, _ = app_with(still_engine, BINANCE_ENV, (OWN_ETH,))
    app._in_replay = lambda: False  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "binance: AuthenticationError" in app.import_status)
        errors = [n for n in app._notifications if "AuthenticationError" in str(n.message)]
        assert len(errors) == 1
        app.import_positions_now()  # the same error again: no second toast
        await wait_for(pilot, lambda: not app._import_busy)
        assert len([n for n in app._notifications if "AuthenticationError" in str(n.message)]) == 1
        assert app.position_book.positions == (OWN_ETH,)
        text = _screen_text(app) + app.import_status
        assert FAKE_KEY not in text
        assert FAKE_SECRET not in text
        await settle_radar(pilot, app)


async def test_failing_venue_keeps_its_last_positions(still_engine: Engine) -> None:
    app, _ = app_with(still_engine, BINANCE_ENV)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.radar is not None)  # the dashboard is up
        app._apply_import(ImportResult((VenueImport(Venue.BINANCE, (IMP_BTC,)),), fetched_ms=NOW))
        app._apply_import(ImportResult((VenueImport(Venue.BINANCE, error="timeout"),), fetched_ms=NOW + 1))
        assert app.position_book.positions == (IMP_BTC,)
        assert "binance: timeout" in app.import_status
        await settle_radar(pilot, app)


async def test_replay_never_imports(still_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt(calls=calls))
    app, _ = app_with(still_engine, BINANCE_ENV, (OWN_ETH,))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.import_status))
        assert "a replay shows only your own positions" in app.import_status
        assert calls == []
        assert app.position_book.positions == (OWN_ETH,)
        await settle_radar(pilot, app)


async def test_without_keys_nothing_changes(still_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setitem(sys.modules, "ccxt", make_ccxt(calls=calls))
    app, _ = app_with(still_engine, {}, (OWN_ETH,))
    app._in_replay = lambda: False  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause(0.3)
        assert calls == []
        assert app.import_status == ""
        assert not app._import_timer_started
        assert app.position_book.positions == (OWN_ETH,)
        await settle_radar(pilot, app)


async def test_keys_without_ccxt_say_one_line(still_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ccxt", None)
    app, _ = app_with(still_engine, BINANCE_ENV, (OWN_ETH,))
    app._in_replay = lambda: False  # type: ignore[method-assign]
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.import_status))
        messages = [str(n.message) for n in app._notifications]
        assert "install crashtui[exchanges] to import positions from binance" in messages
        assert app.position_book.positions == (OWN_ETH,)
        await settle_radar(pilot, app)


def test_hyperliquid_fixture_is_importable() -> None:
    assert HYPERLIQUID_SOL["symbol"] == "SOL/USDC:USDC"


async def test_palette_offers_an_import_only_with_keys(still_engine: Engine) -> None:
    title = "Import positions from the exchanges now"
    for environ, offered in (({}, False), (BINANCE_ENV, True)):
        app, _ = app_with(still_engine, environ)
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert (title in titles) is offered
            await settle_radar(pilot, app)


async def test_a_swap_to_replay_drops_the_imported_at_once(still_engine: Engine) -> None:
    app, _ = app_with(still_engine, BINANCE_ENV, (OWN_ETH,))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: app.radar is not None)  # the dashboard is up
        app._apply_import(ImportResult((VenueImport(Venue.BINANCE, (IMP_BTC,)),), fetched_ms=NOW))
        assert list(app.position_book.positions) == [OWN_ETH, IMP_BTC]
        app._imports_follow_engine()  # what app_swap calls once the new (replay) engine runs
        assert app.position_book.positions == (OWN_ETH,)
        assert still_engine.positions == (OWN_ETH,)
        await settle_radar(pilot, app)


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_positions_pane_marks_imported_ones(still_engine: Engine, size: tuple[int, int]) -> None:
    from dataclasses import replace

    options = replace(SNAPSHOT_OPTIONS, pane="positions")
    book = PositionBook((OWN_ETH,))
    app = CrashApp(Config(), engine=still_engine, options=options, positions=book, environ={})
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: app.radar is not None)
        app._apply_import(ImportResult((VenueImport(Venue.BINANCE, (IMP_BTC,)),), fetched_ms=NOW))
        await settle_radar(pilot, app)
        app.refresh_now(force=True)
        await pilot.pause()
        body = app.screen.query_one("#positions-body").text.plain  # type: ignore[attr-defined]
        lines = body.splitlines()
        assert "(1 imported)" in lines[0]
        btc = next(line for line in lines if line.startswith("BTC"))
        assert "imp binance" in btc
        assert "ex 54,000" in btc  # the exchange's liquidation price, far from our 56,024
        eth = next(line for line in lines if line.startswith("ETH"))
        assert "imp" not in eth
        assert all(len(line) <= size[0] for line in lines)
