"""The symbol chart's 5m and 15m: fetched on demand in a live dashboard (httpx.MockTransport, no
internet), "not in this recording" in a replay, refreshed while shown and stopped on leaving."""

from __future__ import annotations

import asyncio
import json
import time
from types import MappingProxyType

import httpx
import pytest
from textual.pilot import Pilot

from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.feeds.live import LiveFeed
from crashtui.model import Candle, Interval
from crashtui.ui import ondemand
from crashtui.ui.app import CrashApp
from crashtui.ui.options import UiOptions
from crashtui.ui.screens.help import HelpScreen
from crashtui.ui.screens.symbol import SymbolScreen
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView
from tests.conftest import FIXTURES
from tests.ui.uihelpers import still_app

SIZES = [(80, 24), (200, 50)]
REFRESH_S = 0.2
# The documented Binance klines row: every generated row has its shape (12 columns, strings).
TEMPLATE = json.loads((FIXTURES / "binance_klines.json").read_bytes())[0]


def _klines(interval: Interval, count: int) -> bytes:
    """``count`` rows of ``interval`` up to the forming one, priced around 62,000."""
    newest = int(time.time() * 1000) // interval.ms * interval.ms
    rows = []
    for i in range(count):
        row = list(TEMPLATE)
        open_ms = newest - (count - 1 - i) * interval.ms
        mid = 62_000 + 300 * ((i % 24) - 12)
        row[0], row[6] = open_ms, open_ms + interval.ms - 1
        row[1:6] = [f"{mid:.2f}", f"{mid + 150:.2f}", f"{mid - 150:.2f}", f"{mid + 40:.2f}", "12.5"]
        rows.append(row)
    return json.dumps(rows).encode()


class Venue:
    """A fake Binance: klines of any interval; 5m answers wait for :attr:`release`."""

    def __init__(self) -> None:
        self.sent: list[httpx.Request] = []
        self.release = asyncio.Event()

    def of(self, interval: str) -> list[httpx.Request]:
        return [r for r in self.sent if r.url.params.get("interval") == interval]

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent.append(request)
        if request.url.path != "/api/v3/klines":
            return httpx.Response(404, json={"code": -1, "msg": "not served here"})
        interval = Interval(request.url.params["interval"])
        if interval is Interval.M5:
            await self.release.wait()
        return httpx.Response(200, content=_klines(interval, min(int(request.url.params["limit"]), 300)))


def _live_app(venue: Venue) -> CrashApp:
    config = Config(failover=MappingProxyType({"candles": ("binance",)}))
    watchlist = ("BTC", "ETH")

    def client(net: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(venue))

    feed = LiveFeed(config, watchlist, streams=False, client_factory=client)
    engine = Engine(config, watchlist, feed)
    return CrashApp(config, engine=engine, options=UiOptions(show_timings=False, tick_s=0.2))


async def _until(pilot: Pilot[int], check: object, what: str, tries: int = 200) -> None:
    for _ in range(tries):
        if callable(check) and check():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def _title(screen: SymbolScreen) -> str:
    return screen.query_one("#sym-chart-title", TextView).text.plain


def _empty_text(screen: SymbolScreen) -> str:
    assert screen.picture is not None
    return screen.picture.spec.empty_text


@pytest.mark.parametrize("size", SIZES)
async def test_5m_is_fetched_on_demand_refreshed_and_stopped_on_leaving(
    size: tuple[int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(ondemand.REFRESH_S, Interval.M5, REFRESH_S)
    monkeypatch.setitem(ondemand.REFRESH_S, Interval.M15, REFRESH_S)
    venue = Venue()
    app = _live_app(venue)
    async with app.run_test(size=size) as pilot:
        engine = app.engine
        assert engine is not None
        await _until(pilot, lambda: engine.state.candles.get(("BTC", Interval.H1)), "the polled 1h candles")
        # the poll cycle never asks for 5m or 15m
        assert {r.url.params["interval"] for r in venue.sent} == {"1h", "4h", "1d"}
        app.open_symbol("BTC")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SymbolScreen)
        assert venue.of("5m") == []  # a 1h chart fetches nothing extra

        await pilot.press("1")
        await _until(pilot, lambda: venue.of("5m"), "the 5m request")
        assert screen.chart.interval is Interval.M5
        assert _empty_text(screen) == "5m candles: loading"
        await pilot.pause()
        assert screen.query_one("#sym-chart", ChartView).render().plain == "5m candles: loading"
        (first,) = venue.of("5m")
        assert (first.url.params["symbol"], first.url.params["limit"]) == ("BTCUSDT", "1000")

        venue.release.set()
        await _until(
            pilot, lambda: screen.picture is not None and screen.picture.candles, "5m candles on the chart"
        )
        picture = screen.picture
        assert picture is not None
        assert all(c.interval is Interval.M5 and c.symbol == "BTC" for c in picture.candles)
        assert len(picture.candles) == 144  # the default half day of 5m
        assert "5m" in _title(screen)
        assert "144 candles (12h)" in _title(screen)
        assert picture.spec.xticks  # hour ticks under a half-day chart
        assert "UTC" in screen.query_one("#sym-readout", TextView).text.plain

        n = picture.available
        count = screen.chart.count(n)
        await pilot.press("plus")
        assert screen.chart.count(n) < count
        await pilot.press("comma")
        assert screen.chart.offset > 0
        await pilot.press("left_curly_bracket")
        assert screen.chart.cursor > 0
        await pilot.press("0")
        assert (screen.chart.offset, screen.chart.cursor, screen.chart.zoom) == (0, 0, 0)

        await _until(pilot, lambda: len(venue.of("5m")) >= 3, "two refreshes")
        assert {r.url.params["limit"] for r in venue.of("5m")[1:]} == {"5"}  # the tail only

        await pilot.press("2")  # 15m: fetched in full, and the 5m refresh ends
        await _until(pilot, lambda: "15m" in _title(screen) and "96 candles (24h)" in _title(screen), "15m")
        assert venue.of("15m")[0].url.params["limit"] == "1000"
        assert app.chart_candles.target == ("BTC", Interval.M15)
        five = len(venue.of("5m"))
        await pilot.pause(4 * REFRESH_S)
        assert len(venue.of("5m")) == five

        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SymbolScreen)
        assert app.chart_candles.target is None
        asked = len(venue.of("15m"))
        await pilot.pause(6 * REFRESH_S)
        assert len(venue.of("15m")) == asked  # no refresh once the screen is gone
        assert not [w for w in app.workers if w.group == "chart-candles" and w.is_running]


@pytest.mark.parametrize("size", SIZES)
async def test_a_replay_says_5m_and_15m_are_not_in_the_recording(
    still_engine: Engine, size: tuple[int, int]
) -> None:
    app = still_app(still_engine)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SymbolScreen)
        for key, interval in (("1", Interval.M5), ("2", Interval.M15)):
            await pilot.press(key)
            await _until(pilot, lambda: "recording" in _empty_text(screen), f"{interval} answer")
            assert _empty_text(screen) == f"{interval.value} candles: not in this recording"
            assert interval.value in _title(screen)
        await pilot.press("3")
        assert screen.picture is not None
        assert screen.picture.candles  # back on 1h: the recording's candles
        assert app.chart_candles.target is None
    assert ("BTC", Interval.M5) not in still_engine.state.candles


async def test_recorded_5m_candles_show_in_a_replay(still_engine: Engine) -> None:
    """What a recording holds is shown: a live session's 5m fetches are recorded like any poll."""
    now = still_engine.now_ms()
    newest = now // Interval.M5.ms * Interval.M5.ms
    candles = tuple(
        Candle("BTC", Interval.M5, newest - i * Interval.M5.ms, 62e3, 62.2e3, 61.8e3, 62.1e3, 5.0, "binance")
        for i in range(30)
    )
    state = still_engine.state
    state.candles[("BTC", Interval.M5)] = {c.open_ms: c for c in candles}
    try:
        app = still_app(still_engine)
        async with app.run_test(size=(120, 40)) as pilot:
            app.open_symbol("BTC")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, SymbolScreen)
            await pilot.press("1")
            await pilot.pause()
            assert screen.picture is not None
            assert len(screen.picture.candles) == 30
            assert "refresh failed" not in _title(screen)
            assert "recording" not in _title(screen)  # the recording does hold these
    finally:
        del state.candles[("BTC", Interval.M5)]
        state._candle_cache.pop(("BTC", Interval.M5), None)


async def test_help_and_keys_list_all_five_timeframes(still_engine: Engine) -> None:
    app = still_app(still_engine)
    async with app.run_test(size=(200, 50)) as pilot:
        app.open_symbol("BTC")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, SymbolScreen)
        assert "1-5 5m/15m/1h/4h/1d" in screen.query_one("#dd-keys", TextView).text.plain
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {
            "5m candles (fetched while shown)",
            "15m candles (fetched while shown)",
            "1h candles",
        } <= titles
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(v.text.plain for v in app.screen.query(TextView))
        assert "5m / 15m / 1h / 4h / 1d" in text
        assert "the title names the timeframe (5m, 15m, 1h, 4h, 1d)" in text
