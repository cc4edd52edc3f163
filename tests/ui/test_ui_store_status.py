"""The store's own status on screen: a failing store is a badge with its reason, a store moved
aside at start a note on the Sources screen; neither counts as a reachable source."""

from __future__ import annotations

from dataclasses import replace

from crashtui.engine import Engine
from crashtui.model import RawPayload, SourceState, SourceStatus
from crashtui.store.sqlite import StoreHealth, store_status
from crashtui.ui.glyphs import UNICODE
from crashtui.ui.render.drill_sources import problems
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.status import build_status, offline
from tests.ui.uihelpers import TEST_PALETTE

PALETTE = TEST_PALETTE
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


async def test_a_recording_refused_after_start_up_ends_the_app_in_one_line(tmp_path: object) -> None:
    import json
    import zlib
    from pathlib import Path

    from crashtui.config.schema import Config
    from crashtui.replay.recording import RecordingHeader, encode_payload
    from crashtui.ui.app import CrashApp
    from crashtui.ui.options import UiOptions
    from crashtui.ui.session import FeedPlan

    path = Path(str(tmp_path)) / "bomb.jsonl.gz"
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    raw = RawPayload("binance", "ticker_24hr", NOW, b"{}")
    with path.open("wb") as fh:  # a good first payload passes the start-up check; then a bomb
        fh.write(comp.compress(json.dumps(RecordingHeader(1, "b").to_json()).encode() + b"\n"))
        fh.write(comp.compress(encode_payload(raw).encode() + b'\n{"t":1,"b":"'))
        for _ in range(80):
            fh.write(comp.compress(b"A" * 2**20))
        fh.write(comp.flush())
    app = CrashApp(Config(), plan=FeedPlan(Config(), path, None), options=UiOptions())
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(300):
            await pilot.pause(0.02)
            if app.return_code is not None:
                break
    assert app.return_code == 2
