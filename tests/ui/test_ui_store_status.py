"""The store's own status on screen: a failing store is a badge with its reason, a store moved
aside at start a note on the Sources screen; neither counts as a reachable source."""

from __future__ import annotations

from dataclasses import replace

from crashtui.engine import Engine
from crashtui.model import SourceState, SourceStatus
from crashtui.store.sqlite import StoreHealth, store_status
from crashtui.ui.glyphs import UNICODE
from crashtui.ui.palette import Palette
from crashtui.ui.render.drill_sources import problems
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.status import build_status, offline

PALETTE = Palette(
    "green", "red", "blue", "magenta", "grey50", "grey50", "yellow", "red", "green", "yellow", "blue"
)
NOW = 1_770_400_000_000


def frame_with(engine: Engine, *statuses: SourceStatus) -> Frame:
    snap = engine.state.snapshot()
    merged = {**snap.statuses, **{s.source: s for s in statuses}}
    return Frame(
        now_ms=NOW,
        snapshot=replace(snap, statuses=merged),
        analysis=engine.analysis(),
        palette=PALETTE,
        glyphs=UNICODE,
        watchlist="default",
    )


def test_a_failing_store_shows_its_reason(feb6_engine: Engine) -> None:
    health = StoreHealth(error="store write failed: database or disk is full", waiting=1234)
    frame = frame_with(feb6_engine, store_status(health, NOW))
    assert "store✗failing" in build_status(frame, 400).plain.replace(" ", "")
    text = problems(frame, 120).plain
    assert "store: failing" in text
    assert "error: store write failed: database or disk is full; 1,234 events waiting" in text
    assert "hint: free disk space" in text


def test_a_store_moved_aside_is_a_note(feb6_engine: Engine) -> None:
    note = "history store /x/h.sqlite3 is corrupt (file is not a database); moved it to /x/h.corrupt-1"
    frame = frame_with(feb6_engine, store_status(StoreHealth(notice=note), NOW))
    assert f"note: {note}" in problems(frame, 200).plain


def test_the_store_is_not_a_reachable_source() -> None:
    down = {
        "binance": SourceStatus("binance", SourceState.FAILING, NOW, last_error="cannot connect"),
        "store": SourceStatus("store", SourceState.OK, NOW),
    }
    assert offline(down)  # NO NETWORK? is still said when only the store is fine
