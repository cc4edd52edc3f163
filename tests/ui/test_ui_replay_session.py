"""Replay sessions in the dashboard: --speed max runs as fast as the screen follows and says
"max"; speeds step through round values; watchlist edits stay in the replay unless saved."""

from __future__ import annotations

import argparse
import asyncio
from pathlib import Path
from types import MappingProxyType

import pytest

from crashtui.cli import build_parser
from crashtui.config.schema import Config
from crashtui.model import RawPayload
from crashtui.replay.player import CHUNK, MAX_STEP, ListSource, Player
from crashtui.ui.app import CrashApp
from crashtui.ui.app_replay import MAX_SPEED, next_speed
from crashtui.ui.options import UiOptions
from crashtui.ui.prefs import UiState, load_state, save_state
from crashtui.ui.render.header import speed_text
from crashtui.ui.run import watchlist_book
from crashtui.ui.session import FeedPlan, plan_from_args
from crashtui.ui.watchlists import RECORDING, WatchlistBook, WatchlistError
from crashtui.ui.widgets.textview import TextView
from tests.ui.uihelpers import FEB6_1200, FEB6_1400, KNOWN, running_app

SIZE = (120, 40)
MAJORS = ("BTC", "ETH", "SOL", "XRP", "BNB", "DOGE")


async def wait_for(pilot: object, predicate: object, rounds: int = 500) -> None:
    for _ in range(rounds):
        if predicate():  # type: ignore[operator]
            return
        await pilot.pause(0.02)  # type: ignore[attr-defined]
    raise AssertionError("condition not reached")


def header_text(app: CrashApp) -> str:
    return app.screen.query_one("#header", TextView).text.plain


# --- speed --------------------------------------------------------------------------------------


def test_speeds_are_shown_rounded() -> None:
    assert speed_text(1.31836, "×") == "×1.3"
    assert speed_text(7.5, "x") == "x7.5"
    assert speed_text(60.0, "×") == "×60"
    assert speed_text(86_400.0, "×") == "×86400"
    assert speed_text(0.25, "×") == "×0.25"
    assert speed_text(None, "×") == "max"


def test_speed_keys_step_through_round_values_up_to_max() -> None:
    assert next_speed(60.0, 2.0) == 120.0
    assert next_speed(120.0, 0.5) == 60.0
    assert next_speed(1.31836, 2.0) == 2.0  # a --speed between steps moves to the next round one
    assert next_speed(1.31836, 0.5) == 1.0
    assert next_speed(1.0, 0.5) == 1.0  # the slowest step stays
    assert next_speed(MAX_SPEED, 2.0) is None  # past the fastest step: max
    assert next_speed(None, 2.0) is None
    assert next_speed(None, 0.5) == MAX_SPEED


def payloads(count: int) -> ListSource:
    return ListSource(
        RawPayload("nowhere", "nothing", t, b"{}", MappingProxyType({}), 200, "http") for t in range(count)
    )


class SteppingClock:
    """A monotonic clock that moves 5 ms each time it is read (no wall clock in tests)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.005
        return self.now


async def test_max_applies_a_time_slice_per_turn_and_can_be_paused() -> None:
    delivered: list[int] = []
    player = Player(
        payloads(20 * CHUNK),
        lambda raw: delivered.append(raw.received_ms),
        lambda now: None,
        speed=None,
        monotonic=SteppingClock(),
    )
    task = asyncio.create_task(player.run())
    for _ in range(3):
        await asyncio.sleep(0)
    player.toggle_pause()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    held = len(delivered)
    # a slice per loop turn (12 ms on this clock: 3 steps), so a handful of turns applied a few
    # slices, not the recording: the screen and the keys get their turns in between
    assert 0 < held <= 5 * 3 * MAX_STEP + 1
    assert not player.finished
    for _ in range(5):
        await asyncio.sleep(0)
    assert len(delivered) == held  # paused mid-max
    player.toggle_pause()
    for _ in range(1000):
        await asyncio.sleep(0)
        if player.finished:
            break
    assert player.finished
    assert delivered == list(range(20 * CHUNK))
    task.cancel()


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


async def test_speed_max_in_the_dashboard_plays_to_the_end_and_says_max(small_recording: Path) -> None:
    plan = plan_from_args(parse("--replay", str(small_recording), "--speed", "max"), Config())
    assert plan.speed is None
    app = running_app(small_recording, speed=plan.speed, start_ms=FEB6_1200, until_ms=FEB6_1400, tick_s=0.1)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and app.engine.player is not None)
        assert app.engine is not None
        player = app.engine.player
        assert player is not None
        assert player.speed is None
        await wait_for(pilot, lambda: player.finished and "END" in header_text(app))
        assert "max" in header_text(app)
        await wait_for(pilot, lambda: app._max_timer is None)  # no fast repaints once at the end
        assert "×60" not in header_text(app)
        await pilot.press("less_than_sign")  # slower than max: the fastest step
        assert player.speed == MAX_SPEED
        await wait_for(pilot, lambda: "×86400" in header_text(app))
        await pilot.press("greater_than_sign")
        assert player.speed is None
        await wait_for(pilot, lambda: "max" in header_text(app))
        await wait_for(pilot, lambda: app._max_timer is None)


# --- watchlists in a replay ---------------------------------------------------------------------


def test_the_dashboard_book_is_session_only_in_replay(small_recording: Path) -> None:
    config = Config()
    replay = plan_from_args(parse("--replay", str(small_recording)), config)
    live = plan_from_args(parse("--no-store"), config)
    assert watchlist_book(parse("--replay", "x"), config, replay, UiState()).session_only
    assert not watchlist_book(parse(), config, live, UiState()).session_only


def test_replay_edits_to_a_configured_list_stay_in_the_session() -> None:
    saved: list[UiState] = []
    state = UiState("core", MappingProxyType({"majors": (*MAJORS, "ADA")}))
    b = WatchlistBook(
        Config(),
        state,
        known=KNOWN.__contains__,
        save=saved.append,
        recording=(),
        remember_active=False,
        session_only=True,
    )
    b.switch("majors")
    assert b.symbols() == (*MAJORS, "ADA")  # the saved edits show in the replay
    b.remove("ADA")
    b.remove("XRP")
    assert saved == []  # nothing written
    assert b.unsaved("majors")
    assert b.reset() == (*MAJORS, "ADA")  # back to the saved list, still nothing written
    assert saved == []
    b.remove("DOGE")
    assert b.save() == tuple(s for s in (*MAJORS, "ADA") if s != "DOGE")  # on purpose
    assert saved[-1].watchlists["majors"] == b.symbols("majors")
    assert saved[-1].active_watchlist == "core"  # replay never changes the remembered list
    assert not b.unsaved("majors")
    with pytest.raises(WatchlistError, match="no unsaved edits"):
        b.save("majors")
    b.switch(RECORDING)
    with pytest.raises(WatchlistError, match="replay only"):
        b.save()


async def test_replay_watchlist_edits_leave_the_live_state_file_alone(
    small_recording: Path, tmp_path: Path
) -> None:
    path = tmp_path / "ui-state.json"
    live = UiState("core", MappingProxyType({"core": ("BTC", "ETH", "SOL")}))
    save_state(live, path)
    before = path.read_bytes()
    config = Config()
    state, _ = load_state(path)
    book = WatchlistBook(
        config,
        state,
        known=KNOWN.__contains__,
        save=lambda s: save_state(s, path),
        recording=(),
        remember_active=False,
        session_only=True,
    )
    plan = FeedPlan(config, small_recording, 60.0, FEB6_1200, FEB6_1400)
    app = CrashApp(config, plan=plan, options=UiOptions(show_timings=False), book=book)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.engine is not None and app.engine.state.version > 0)
        await pilot.press("w", "down", "down", "enter")  # core
        await wait_for(pilot, lambda: book.current == "core" and not app._switching)
        first = app.engine
        await pilot.press("a", "a", "d", "a", "enter")
        await wait_for(pilot, lambda: app.engine is not first and not app._switching)
        assert app.engine is not None
        assert app.engine.watchlist == ("BTC", "ETH", "SOL", "ADA")  # the replay shows the edit
        assert path.read_bytes() == before  # the live watchlist is not changed
        await pilot.press("w")
        await pilot.pause()
        hint = app.screen.query_one("#watchlist-hint").render()
        assert "this replay only" in str(hint)
        await pilot.press("s")  # save the highlighted (current) list on purpose
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
    saved, warning = load_state(path)
    assert warning is None
    assert saved.watchlists["core"] == ("BTC", "ETH", "SOL", "ADA")
    assert saved.active_watchlist == "core"
