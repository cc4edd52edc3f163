"""The app around the panes: engine lifecycle, redraw only on change, plans from CLI arguments."""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import pytest

from crashtui.assemble import build_engine
from crashtui.cli import build_parser
from crashtui.clock import FakeClock
from crashtui.config import load_config
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.events import StatusEvent
from crashtui.model import SourceState, SourceStatus
from crashtui.replay.locate import locate_recording
from crashtui.timeparse import parse_instant
from crashtui.ui.app import CrashApp
from crashtui.ui.options import UiOptions, options_from
from crashtui.ui.session import DASHBOARD_SPEED, FeedPlan, default_start, plan_from_args
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView
from crashtui.ui.widgets.watchtable import WatchTable
from tests.ui.uihelpers import FEB6_1400, still_app

NOW = FEB6_1400


def repaints(app: CrashApp) -> dict[str, int]:
    counts = {f"text:{v.id}": v.repaints for v in app.screen.query(TextView)}
    counts.update({f"table:{t.id}": t.repaints for t in app.screen.query(WatchTable)})
    counts.update({f"chart:{c.id}": c.builds for c in app.screen.query(ChartView)})
    return counts


async def test_idle_dashboard_repaints_nothing(feb6_engine: Engine) -> None:
    app = still_app(feb6_engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        before = repaints(app)
        skipped = app.perf.skipped
        for _ in range(5):
            app.refresh_now()
        assert app.perf.skipped == skipped + 5  # nothing changed: not even a frame is built
        app.refresh_now(force=True)  # a frame is built, but every text is the same
        await pilot.pause()
        assert repaints(app) == before


def binance_app(clock: FakeClock, **options: Any) -> CrashApp:
    """A dashboard over an engine on ``clock`` whose only status is binance, ok at NOW."""
    engine = build_engine(Config(), ("BTC",), clock=clock)
    engine.sink(StatusEvent(SourceStatus("binance", SourceState.OK, NOW, last_ok_ms=NOW)))
    return CrashApp(Config(), engine=engine, options=UiOptions(start_engine=False, **options))


async def test_ages_change_the_status_bar_only_when_their_text_changes() -> None:
    clock = FakeClock(start_ms=NOW)
    app = binance_app(clock)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#status", TextView)
        first = status.repaints
        for _ in range(30):  # half a minute, one tick a second
            clock.advance(1.0)
            app.refresh_now()
        assert status.repaints == first  # a fresh source shows no ticking seconds
        assert "binance●" in status.text.plain
        clock.advance(60.0)
        app.refresh_now()
        assert status.repaints == first + 1
        assert "binance●1m" in status.text.plain


async def test_the_refresh_tick_shows_its_frame_a_few_loop_turns_later() -> None:
    clock = FakeClock(start_ms=NOW)
    app = binance_app(clock, tick_s=3600.0)  # the test ticks by hand
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#status", TextView)
        clock.advance(60.0)
        app._tick()
        assert "binance●1m" not in status.text.plain  # analysis and update come in later turns
        await pilot.pause(0.05)
        assert "binance●1m" in status.text.plain


async def test_a_tick_frame_overtaken_by_a_newer_one_is_not_shown() -> None:
    clock = FakeClock(start_ms=NOW)
    app = binance_app(clock, tick_s=3600.0)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#status", TextView)
        clock.advance(60.0)
        app._tick_analysis()  # a frame at "1m" waits for its turn...
        clock.advance(60.0)
        app.refresh_now()  # ...and a key's refresh shows "2m" first
        assert "binance●2m" in status.text.plain
        await pilot.pause(0.05)
        assert "binance●2m" in status.text.plain


async def test_a_deferred_draw_is_not_lost_when_a_same_picture_spec_replaces_it(
    feb6_engine: Engine,
) -> None:
    """The tick defers ETH's chart; a key's refresh then sets a spec with the same picture
    (which asks for no repaint). The deferred draw must still put that picture up."""
    from dataclasses import replace as replace_spec

    from crashtui.ui.render.charts import visual_key
    from crashtui.ui.render.price_chart import price_chart

    app = still_app(feb6_engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        chart = app.screen.query_one("#price-chart", ChartView)
        frame = app.build_frame()
        assert frame is not None
        first, _title = price_chart(frame, "ETH")
        # a second later: every x slides by the same amount, the picture stays
        candles = first.candles
        again = replace_spec(
            first,
            series=tuple(replace_spec(s, xs=tuple(x + 0.001 for x in s.xs)) for s in first.series),
            candles=None
            if candles is None
            else replace_spec(candles, xs=tuple(x + 0.001 for x in candles.xs)),
            xticks=tuple((x + 0.001, label) for x, label in first.xticks),
        )
        size = (chart.size.width, chart.size.height)
        assert again != first
        assert visual_key(again, *size) == visual_key(first, *size)
        before = chart.builds
        assert chart.set_spec(first, defer=True)
        assert not chart.set_spec(again)  # same picture: no repaint asked for
        await pilot.pause(0.05)
        assert chart.builds == before + 1  # the deferred draw still happened...
        assert chart.render() is chart.render()  # ...of the spec now current (cached, no redraw)
        assert chart.builds == before + 1
        assert chart.spec is again


async def test_ticks_continue_until_deferred_zones_catch_up() -> None:
    """With the state standing still (a replay at its end), ticks must not be skipped while
    the zone budget left symbols behind, or their zones would stay old for ever."""
    from tests.analysis.test_analysis_cache import NOW as T0
    from tests.analysis.test_analysis_cache import SYMBOLS, set_prices, state_with_prices

    engine = build_engine(Config(), SYMBOLS, clock=FakeClock(start_ms=T0))
    engine.state = state_with_prices({"BTC": 100.0, "ETH": 200.0, "SOL": 300.0})
    app = CrashApp(Config(), engine=engine, options=UiOptions(start_engine=False, tick_s=3600.0))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        set_prices(engine.state, {"BTC": 90.0, "ETH": 180.0, "SOL": 270.0})
        app.refresh_now()  # one symbol's zones per refresh (ZONE_BUDGET)
        assert engine.analysis_behind
        skipped = app.perf.skipped
        for _ in range(5):
            app.refresh_now()
        assert not engine.analysis_behind
        assert app.perf.skipped == skipped + 3  # two catch-up frames, then nothing to do
        analysis = engine.analysis()
        assert [s.price for s in analysis.symbols] == [90.0, 180.0, 270.0]


async def test_a_deferred_chart_is_drawn_in_a_later_turn_once(feb6_engine: Engine) -> None:
    from crashtui.ui.render.price_chart import price_chart

    app = still_app(feb6_engine)
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        chart = app.screen.query_one("#price-chart", ChartView)
        before = chart.builds
        frame = app.build_frame(deferred_charts=True)
        assert frame is not None
        assert frame.deferred_charts
        spec, _title = price_chart(frame, "ETH")
        assert chart.set_spec(spec, defer=True)
        assert chart.builds == before  # nothing drawn in this turn
        await pilot.pause(0.05)
        assert chart.builds == before + 1
        chart.render()
        await pilot.pause()
        assert chart.builds == before + 1  # the screen update used the drawn picture


@dataclass(eq=False)
class FakeEngine:
    """Stands in for an Engine to watch the lifecycle calls."""

    calls: list[str] = field(default_factory=list)
    mode: str = "live"
    watchlist: tuple[str, ...] = ("BTC",)
    header: Any = None
    player: Any = None
    analysis_behind: bool = False
    positions: tuple[Any, ...] = ()  # the dashboard hands its positions to the engine

    def __post_init__(self) -> None:
        self.real = build_engine(Config(), ("BTC",), clock=FakeClock(start_ms=NOW))
        self.state = self.real.state
        self.pinned_zones = self.real.pinned_zones

    def load_history(self) -> int:
        self.calls.append("load_history")
        return 0

    def start(self) -> list[asyncio.Task[None]]:
        self.calls.append("start")
        return []

    async def stop(self) -> None:
        self.calls.append("stop")

    def analysis(self, zone_budget: int | None = None) -> Any:
        return self.real.analysis()

    @property
    def feed_label(self) -> str:
        return self.real.feed_label

    def now_ms(self) -> int:
        return NOW


@dataclass(frozen=True)
class FakePlan(FeedPlan):
    """A plan that hands out one fake engine."""

    fake: FakeEngine = field(default_factory=FakeEngine)

    def build(self, watchlist: tuple[str, ...], start_ms: int | None = None) -> Engine:
        return cast(Engine, self.fake)


async def test_engine_is_loaded_started_and_stopped_on_quit() -> None:
    plan = FakePlan(Config())
    app = CrashApp(Config(), plan=plan, options=UiOptions())
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(100):
            await pilot.pause(0.01)
            if "start" in plan.fake.calls:
                break
        assert plan.fake.calls == ["load_history", "start"]
        await pilot.press("q")
        await pilot.pause()
    assert plan.fake.calls == ["load_history", "start", "stop"]


def test_default_replay_start() -> None:
    demo = locate_recording("feb-2026")
    other = Path("/tmp/session.jsonl.gz")
    assert default_start("feb-2026", demo, 1, None) == 1  # --start wins
    assert default_start("feb-2026", demo, None, FEB6_1400) == FEB6_1400  # --until alone: that moment
    assert default_start("feb-2026", demo, None, None) == parse_instant("2026-02-06T12:00Z")
    assert default_start(str(other), other, None, None) is None


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def test_plans_from_arguments() -> None:
    config = Config()
    replay = plan_from_args(parse("--replay", "feb-2026", "--until", "2026-02-06T14:00Z"), config)
    assert replay.replay
    assert replay.speed == DASHBOARD_SPEED
    assert replay.start_ms == replay.until_ms == FEB6_1400
    assert replay.store_file is None
    fast = plan_from_args(parse("--replay", "feb-2026", "--speed", "600"), config)
    assert fast.speed == 600.0
    live = plan_from_args(parse(), config)
    assert not live.replay
    assert live.store_file is not None
    assert live.store_file.name == "history.sqlite3"
    assert plan_from_args(parse("--no-store"), config).store_file is None


def test_replay_plan_builds_engines_for_any_watchlist_and_start(small_recording: Path) -> None:
    plan = FeedPlan(Config(), small_recording, 60.0, FEB6_1400, FEB6_1400)
    engine = plan.build(())
    assert engine.mode == "replay"
    assert engine.watchlist == ("BTC", "ETH")  # the recording's own
    assert engine.replay is not None
    assert engine.replay.window.start_ms == FEB6_1400
    other = plan.build(("SOL",), start_ms=1)
    assert other.watchlist == ("SOL",)
    assert other.replay is not None
    assert other.replay.window.start_ms == 1


def test_options_from_flags_and_config() -> None:
    config = load_config(None).config
    opts = options_from(parse("--pane", "etf", "--ascii", "--no-mouse", "--theme", "light"), config.ui)
    assert (opts.pane, opts.ascii, opts.mouse, opts.theme) == ("etf", True, False, "light")
    plain = options_from(parse(), config.ui)
    assert (plain.pane, plain.ascii, plain.mouse, plain.theme) == (None, False, True, "dark")


def test_run_dashboard_wires_plan_book_options_and_mouse(monkeypatch: pytest.MonkeyPatch) -> None:
    from crashtui.ui import run as run_module

    seen: dict[str, Any] = {}

    def fake_run(self: CrashApp, **kwargs: Any) -> None:
        seen["app"] = self
        seen["kwargs"] = kwargs

    monkeypatch.setattr(CrashApp, "run", fake_run)
    args = parse("--replay", "feb-2026", "--no-mouse", "--ascii")
    assert run_module.run_dashboard(args, load_config(None)) == 0
    app = seen["app"]
    assert seen["kwargs"] == {"mouse": False}
    assert app.plan is not None
    assert app.plan.replay
    assert app.book is not None
    assert app.book.current == "recording"
    assert app.glyphs.ascii
