"""Helpers for dashboard tests: apps over a still scenario engine or a running small replay."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.timeparse import parse_instant
from crashtui.ui.app import CrashApp
from crashtui.ui.glyphs import UNICODE
from crashtui.ui.options import UiOptions
from crashtui.ui.palette import Palette
from crashtui.ui.prefs import UiState
from crashtui.ui.render.frame import Frame, ReplayInfo
from crashtui.ui.session import FeedPlan
from crashtui.ui.watchlists import WatchlistBook

FEB6_1400 = parse_instant("2026-02-06T14:00Z")
FEB6_1200 = parse_instant("2026-02-06T12:00Z")
SNAPSHOT_OPTIONS = UiOptions(start_engine=False, show_timings=False)
# Named colours the render tests can assert on (a span's style is one of these strings).
TEST_PALETTE = Palette(
    "green", "red", "blue", "magenta", "grey50", "grey50", "yellow", "red", "green", "yellow", "blue"
)
KNOWN = frozenset({"BTC", "ETH", "SOL", "XRP", "BNB", "DOGE", "ADA"})


def still_app(engine: Engine, **options: object) -> CrashApp:
    """A dashboard over a replayed, not started engine (deterministic screens)."""
    opts = replace(SNAPSHOT_OPTIONS, **options)  # type: ignore[arg-type]
    return CrashApp(Config(), engine=engine, options=opts)


def running_app(
    recording: Path,
    *,
    speed: float | None = None,
    start_ms: int | None = FEB6_1200,
    until_ms: int | None = FEB6_1400,
    saved: list[UiState] | None = None,
    state: UiState | None = None,
    pane: str | None = None,
    config: Config | None = None,
    tick_s: float = 1.0,
) -> CrashApp:
    """A dashboard that builds and starts its own replay engines from a (small) recording."""
    config = config or Config()
    plan = FeedPlan(config, recording, speed, start_ms, until_ms)
    store = saved if saved is not None else []
    book = WatchlistBook(
        config,
        state or UiState(),
        known=KNOWN.__contains__,
        save=store.append,
        recording=(),
        remember_active=False,
    )
    options = UiOptions(show_timings=False, pane=pane, tick_s=tick_s)
    return CrashApp(config, plan=plan, options=options, book=book)


def replay_frame(engine: Engine, **extra: object) -> Frame:
    """A frame of ``engine`` (the Feb-6 14:00Z replay) as the dashboard would build it, with
    :data:`TEST_PALETTE`; ``extra`` sets further fields (``radar=``, ``replay=None``…)."""
    fields: dict[str, object] = {
        "now_ms": engine.now_ms(),
        "snapshot": engine.state.snapshot(),
        "analysis": engine.analysis(),
        "palette": TEST_PALETTE,
        "glyphs": UNICODE,
        "watchlist": "feb-2026",
        "replay": ReplayInfo("feb-2026", True, "note", FEB6_1400, 60.0, False, False),
    }
    fields.update(extra)
    return Frame(**fields)  # type: ignore[arg-type]
