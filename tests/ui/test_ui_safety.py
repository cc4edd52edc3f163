"""External text is never markup and never reaches the terminal as escape sequences; the
no-network start says so plainly and offers the demo."""

from __future__ import annotations

from crashtui.assemble import build_engine
from crashtui.clock import FakeClock
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.events import DataEvent, StatusEvent
from crashtui.model import EtfFlow, FearGreedReading, FundFlow, Liquidation, Side, SourceState, SourceStatus
from crashtui.ui.app import CrashApp
from crashtui.ui.options import UiOptions
from crashtui.ui.render.status import DEMO_HINT
from crashtui.ui.screens.sources import SourcesScreen
from crashtui.ui.widgets.textview import TextView

NOW = 1_770_386_400_000  # 2026-02-06 14:00Z
HOSTILE = "boom [bold]x[/] \x1b]52;c;aGVsbG8=\x07 [red]y\x1b[2J\x9b31m"
SHOWN = "boom [bold]x[/] [red]y"  # what must appear, literally


def hostile_engine(*, offline: bool) -> Engine:
    """A live engine (never started) fed statuses and data whose strings try markup and escapes."""
    engine = build_engine(Config(), ("BTC",), clock=FakeClock(start_ms=NOW))
    for name in ("binance", "farside", "okx_liq"):
        engine.sink(
            StatusEvent(
                SourceStatus(
                    source=name,
                    state=SourceState.FAILING,
                    updated_ms=NOW,
                    last_error=HOSTILE,
                    hint="[link=https://evil.example]click[/link] \x1b]8;;https://evil\x07",
                )
            )
        )
    if not offline:
        engine.sink(StatusEvent(SourceStatus(source="bybit_liq", state=SourceState.OK, updated_ms=NOW)))
    liq = Liquidation(
        "[blink]evil[/]", "BTC", Side.LONG, 60_000.0, 100.0, 6_000_000.0, NOW - 60_000, "\x1b[2J"
    )
    fear = FearGreedReading("crypto", NOW - 3_600_000, 9.0, "[bold red]Extreme[/] \x1b[31mFear", "x")
    etf = EtfFlow("BTC", NOW - 86_400_000, -100.0, "farside", (FundFlow("[u]IB\x07IT[/u]", -100.0),))
    engine.sink(DataEvent("bybit_liq", "liquidations", (liq,), NOW))
    engine.sink(DataEvent("alternative_me", "fear_crypto", (fear,), NOW))
    engine.sink(DataEvent("farside", "etf", (etf,), NOW))
    return engine


def all_text(app: CrashApp) -> str:
    return "\n".join(view.text.plain for view in app.screen.query(TextView))


def assert_clean(text: str) -> None:
    assert "\x1b" not in text
    assert "\x07" not in text
    assert "\x9b" not in text


async def test_hostile_strings_render_literally_and_without_escapes() -> None:
    app = CrashApp(Config(), engine=hostile_engine(offline=True), options=UiOptions(start_engine=False))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        dashboard = all_text(app)
        assert "13:59 [blink]ev" in dashboard  # a venue name (cut to width) in the latest orders
        assert "[bold red]Extreme[/] Fear" in dashboard  # the class, as the gauge detail quotes it
        assert_clean(dashboard)
        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, SourcesScreen)
        sources = all_text(app)
        assert SHOWN in sources
        assert "[link=https://evil.example]click[/link]" in sources
        assert_clean(sources)
        svg = app.export_screenshot()
        assert "[bold]x[/]" in svg.replace("&#160;", " ")
        assert_clean(svg)
        assert "52;c" not in svg
        await pilot.press("escape", "e")
        await pilot.pause()
        etf = all_text(app)
        assert "[u]IBIT" in etf  # a fund ticker, literal (cut to the column)
        assert_clean(etf)


async def test_offline_start_says_so_per_source_and_offers_the_demo() -> None:
    app = CrashApp(Config(), engine=hostile_engine(offline=True), options=UiOptions(start_engine=False))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        notice = app.screen.query_one("#notice", TextView)
        assert notice.display
        assert "No network?" in notice.text.plain
        assert DEMO_HINT in notice.text.plain
        status = app.screen.query_one("#status", TextView).text.plain
        assert "NO NETWORK?" in status
        for short in ("binance", "farside", "okx-liq"):  # one badge per failing source
            assert f"{short}✗failing" in status
        await pilot.press("s")
        await pilot.pause()
        overview = app.screen.query_one("#src-overview", TextView).text.plain
        assert "No network? 0 of 3 sources reachable" in overview
        assert "crashtui --replay feb-2026" in overview
        problems = app.screen.query_one("#src-problems", TextView).text.plain
        assert problems.count("error: boom") == 3


async def test_one_reachable_source_is_not_called_offline() -> None:
    app = CrashApp(Config(), engine=hostile_engine(offline=False), options=UiOptions(start_engine=False))
    async with app.run_test(size=(160, 48)) as pilot:
        await pilot.pause()
        assert not app.screen.query_one("#notice", TextView).display
        assert "NO NETWORK" not in app.screen.query_one("#status", TextView).text.plain


async def test_throttled_and_blocked_sources_are_named_not_called_offline() -> None:
    engine = build_engine(Config(), ("BTC",), clock=FakeClock(start_ms=NOW))
    for name, state, failure in (
        ("binance", SourceState.BLOCKED, "blocked"),
        ("coinbase", SourceState.FAILING, "throttled"),
        ("kraken", SourceState.FAILING, "throttled"),
        ("farside", SourceState.BLOCKED, "blocked"),
    ):
        status = SourceStatus(source=name, state=state, updated_ms=NOW, last_error="x", failure=failure)
        engine.sink(StatusEvent(status))
    app = CrashApp(Config(), engine=engine, options=UiOptions(start_engine=False))
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        notice = app.screen.query_one("#notice", TextView)
        assert notice.display
        assert "4 sources throttled or blocked" in notice.text.plain
        assert "No network" not in notice.text.plain
        status_bar = app.screen.query_one("#status", TextView).text.plain
        assert "4 sources throttled or blocked" in status_bar
        assert "NO NETWORK" not in status_bar
        await pilot.press("s")
        await pilot.pause()
        overview = app.screen.query_one("#src-overview", TextView).text.plain
        assert "4 sources throttled or blocked" in overview
        assert "No network" not in overview
