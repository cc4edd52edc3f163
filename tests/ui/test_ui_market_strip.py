"""The market strip: real CoinGecko /global and Binance 24 h ticker payloads on one line, with
freshness, reasons for missing parts, markup-safe pair names, 7-bit ASCII and every width."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from crashtui.engine import Engine
from crashtui.model import SourceState, SourceStatus
from crashtui.sources.market_strip import parse_global, parse_movers
from crashtui.ui.glyphs import ASCII, UNICODE
from crashtui.ui.render.frame import Frame, ReplayInfo
from crashtui.ui.render.market_strip import build_market_strip, fmt_cap
from tests.ui.uihelpers import FEB6_1400, TEST_PALETTE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PALETTE = TEST_PALETTE
REAL_ROW: dict[str, Any] = json.loads(
    (FIXTURES / "binance_ticker_24hr_btcusdt_ccxt_reconstructed.json").read_text()
)[0]
GLOBAL = parse_global((FIXTURES / "coingecko_global.json").read_bytes())


def _row(pair: str, change_pct: float) -> dict[str, Any]:
    """The real row's shape under another pair name and 24 h move."""
    opened = 100.0
    last = opened * (1 + change_pct / 100)
    return dict(REAL_ROW, symbol=pair, openPrice=f"{opened:.8f}", lastPrice=f"{last:.8f}")


MOVES = {
    "SOLUSDT": -14.2,
    "DOGEUSDT": -13.1,
    "AVAXUSDT": -11.9,
    "LINKUSDT": -10.4,
    "ADAUSDT": -9.8,
    "SUIUSDT": -8.7,
    "TRXUSDT": 2.1,
    "BNBUSDT": 1.4,
    "XRPUSDT": 0.9,
    "LTCUSDT": 0.6,
    "BCHUSDT": 0.3,
}
MOVERS = parse_movers(
    json.dumps([_row(p, c) for p, c in MOVES.items()]).encode(), received_ms=REAL_ROW["closeTime"] + 1000
)


@pytest.fixture(scope="module")
def base(feb6_engine: Engine) -> Frame:
    return Frame(
        now_ms=feb6_engine.now_ms(),
        snapshot=feb6_engine.state.snapshot(),
        analysis=feb6_engine.analysis(),
        palette=PALETTE,
        glyphs=UNICODE,
        watchlist="majors",
    )


def live(base: Frame, *, movers_age_s: float = 30, global_age_s: float = 60, **changes: Any) -> Frame:
    """A live frame holding the real payloads, the movers ``movers_age_s`` old."""
    now = MOVERS.ts_ms + int(movers_age_s * 1000)
    market = replace(GLOBAL, ts_ms=now - int(global_age_s * 1000))
    snapshot = replace(base.snapshot, movers=MOVERS, market=market)
    return replace(base, now_ms=now, snapshot=snapshot, **changes)


def test_the_80_column_form_has_cap_dominance_and_movers(base: Frame) -> None:
    out = build_market_strip(live(base), 80).plain
    assert out == " MCap $3.75T +2.3% · BTC.D 54.0% · ▼ SOL -14% DOGE -13% ▲ TRX +2%"
    assert len(out) <= 80
    assert fmt_cap(GLOBAL.total_market_cap_usd) == "$3.75T"


def test_wider_terminals_get_more_movers_with_names_decimals_and_ages(base: Frame) -> None:
    at120 = build_market_strip(live(base), 120).plain
    at200 = build_market_strip(live(base), 200).plain
    assert len(at120) <= 120
    assert len(at200) <= 200
    assert "▼ SOL -14.2% DOGE -13.1% AVAX -11.9% ▲ TRX +2.1% BNB +1.4% XRP +0.9% 30s" in at120
    assert "1m" in at120  # the market figures' age (one minute old)
    assert at200.startswith(" Market cap $3.75T +2.3% · BTC dominance 54.0% 1m")
    assert "▼ losers SOL -14.2% DOGE -13.1% AVAX -11.9% LINK -10.4% ADA -9.8%" in at200
    assert "▲ gainers TRX +2.1% BNB +1.4% XRP +0.9% LTC +0.6% BCH +0.3%" in at200
    assert f"of {MOVERS.ranked} USDT pairs 30s" in at200


def test_a_stale_part_is_dimmed_with_its_age(base: Frame) -> None:
    text = build_market_strip(live(base, movers_age_s=3 * 3600, global_age_s=60), 200)
    plain = text.plain
    assert "3h old" in plain  # movers poll every 5 minutes: three hours is stale
    start = plain.index("▼")
    dimmed = [s for s in text.spans if "dim" in str(s.style) and s.start <= start < s.end]
    assert dimmed, "the stale movers are drawn dim"
    cap_end = plain.index("·")
    assert not any("dim" in str(s.style) and s.start < cap_end for s in text.spans)  # the fresh cap is not
    late = build_market_strip(live(base, movers_age_s=400), 80).plain
    assert late.endswith("+2% 6m")  # late (one missed poll): its age, not dimmed


def test_missing_parts_say_why(base: Frame) -> None:
    failing = SourceStatus("coingecko", SourceState.FAILING, MOVERS.ts_ms)
    snapshot = replace(
        base.snapshot, movers=MOVERS, market=None, statuses={**base.snapshot.statuses, "coingecko": failing}
    )
    frame = replace(base, now_ms=MOVERS.ts_ms, snapshot=snapshot)
    out = build_market_strip(frame, 80).plain
    assert out.startswith(f" MCap {UNICODE.dash} coingecko failing · BTC.D {UNICODE.dash} · ▼ SOL -14%")
    replayed = replace(
        base,
        snapshot=replace(base.snapshot, movers=None, market=None),
        replay=ReplayInfo("feb-2026", True, "note", FEB6_1400, 60.0, False, False),
    )
    assert build_market_strip(replayed, 80).plain == f" market strip {UNICODE.dash} not in this recording"


def test_pair_names_are_never_markup_or_escapes(base: Frame) -> None:
    hostile = parse_movers(
        json.dumps([_row("[bold red]X\x1b[2JUSDT", -20.0), _row("SOLUSDT", 3.0)]).encode(),
        received_ms=REAL_ROW["closeTime"],
    )
    frame = replace(live(base), snapshot=replace(live(base).snapshot, movers=hostile))
    text = build_market_strip(frame, 200)
    assert "\x1b" not in text.plain
    assert "[bold red]X" in text.plain  # shown as the characters it is, not as a style
    assert not any("bold red" in str(s.style) for s in text.spans)


@pytest.mark.parametrize("width", [20, 40, 80, 100, 120, 160, 200, 240])
def test_ascii_mode_is_strict_7_bit_and_fits_every_width(base: Frame, width: int) -> None:
    for frame in (live(base, glyphs=ASCII), live(base, movers_age_s=9000, glyphs=ASCII)):
        out = build_market_strip(frame, width).plain
        assert out.isascii(), out
        assert len(out) <= width
    assert "v SOL -14%" in build_market_strip(live(base, glyphs=ASCII), 80).plain
    assert len(build_market_strip(live(base), width).plain) <= width


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 50)])
async def test_the_dashboard_shows_the_strip_under_the_header(
    still_engine: Engine, size: tuple[int, int]
) -> None:
    from crashtui.ui.widgets.textview import TextView
    from tests.ui.uihelpers import still_app

    state = still_engine.state
    state.movers, state.market = MOVERS, replace(GLOBAL, ts_ms=FEB6_1400 - 60_000)
    try:
        app = still_app(still_engine)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            screen = app.screen
            strip = screen.query_one("#strip", TextView)
            assert strip.region.y == 1
            assert strip.region.height == 1
            line = strip.text.plain
            assert line.startswith(" MCap $3.75T" if size[0] < 200 else " Market cap $3.75T")
            assert "▼ SOL -14" in line or "▼ losers SOL -14.2%" in line
            assert len(line) <= size[0]
            if size[0] >= 120:
                assert "DOGE -13.1%" in line
            status = screen.query_one("#status", TextView)
            assert status.region.y == size[1] - 1  # the status bar is still on screen
            assert status.text.plain.strip()
            price = screen.query_one("#pane-price")
            assert price.region.height >= 5  # the panes keep room at 80x24
    finally:
        state.movers = state.market = None


async def test_the_config_can_turn_the_strip_off(still_engine: Engine) -> None:
    from crashtui.config.schema import Config, UiConfig
    from crashtui.ui.app import CrashApp
    from crashtui.ui.widgets.textview import TextView
    from tests.ui.uihelpers import SNAPSHOT_OPTIONS

    app = CrashApp(Config(ui=UiConfig(market_strip=False)), engine=still_engine, options=SNAPSHOT_OPTIONS)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        strip = app.screen.query_one("#strip", TextView)
        assert not strip.display
        assert strip.region.height == 0


async def test_the_strip_is_7_bit_on_an_ascii_dashboard(still_engine: Engine) -> None:
    from crashtui.ui.capture import screen_text
    from crashtui.ui.widgets.textview import TextView
    from tests.ui.uihelpers import still_app

    state = still_engine.state
    state.movers, state.market = MOVERS, replace(GLOBAL, ts_ms=FEB6_1400 - 60_000)
    try:
        app = still_app(still_engine, ascii=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            line = app.screen.query_one("#strip", TextView).text.plain
            assert line.startswith(" MCap $3.75T +2.3% | BTC.D 54.0% | v SOL -14%")
            assert screen_text(app).isascii()
    finally:
        state.movers = state.market = None


def _payload(source: str, endpoint: str, body: bytes) -> Any:
    from crashtui.model import RawPayload

    return RawPayload(source, endpoint, FEB6_1400, body)


def test_a_feed_knows_whether_its_recording_holds_market_data(tmp_path: Path) -> None:
    from crashtui.feeds.replay import ReplayFeed
    from crashtui.replay.locate import locate_recording
    from crashtui.replay.recording import RecordingHeader, RecordingSource, write_recording
    from crashtui.sources.market_strip import MARKET_ENDPOINTS
    from crashtui.sources.registry import decode
    from crashtui.symbols import DEFAULT_TABLE

    bundled = RecordingSource(locate_recording("feb-2026"))
    assert not ReplayFeed(bundled).holds_market_data  # prices, liquidations… but no market data
    market = [
        _payload("coingecko", "global", (FIXTURES / "coingecko_global.json").read_bytes()),
        _payload("binance", "ticker_24hr_all", json.dumps([_row("SOLUSDT", -3.0)]).encode()),
    ]
    # the endpoints named are the ones the strip's kinds are decoded from
    assert {(p.source, p.endpoint) for p in market} == MARKET_ENDPOINTS
    assert {decode(p, DEFAULT_TABLE)[0] for p in market} == {"market_global", "market_movers"}
    for payload in market:
        path = tmp_path / f"{payload.endpoint}.jsonl"
        write_recording(path, RecordingHeader(FEB6_1400, "mine"), [payload])
        assert ReplayFeed(RecordingSource(path)).holds_market_data


class QuietLiveFeed:
    """A live feed that never delivers (a live dashboard whose sources have not answered)."""

    mode = "live"
    label = "direct"
    header = None
    first_ms = None
    failure = None

    def attach(self, pipeline: Any) -> None:
        self.pipeline = pipeline

    def paint_history(self) -> int:
        return 0

    async def run(self) -> None:
        import asyncio

        await asyncio.Event().wait()

    async def fetch_candles(self, symbol: str, interval: Any, *, backfill: bool) -> str | None:
        return "quiet"

    async def aclose(self) -> None:
        return None


def _rows(app: Any) -> tuple[int, int, int]:
    """The strip's height and row, and the panes' height."""
    from crashtui.ui.widgets.textview import TextView

    strip = app.screen.query_one("#strip", TextView)
    return strip.region.height, strip.region.y, app.screen.query_one("#panes").region.height


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_recording_without_market_data_gives_the_strip_row_to_the_panes(
    still_engine: Engine, size: tuple[int, int]
) -> None:
    from crashtui.ui.capture import screen_text
    from tests.ui.uihelpers import still_app

    app = still_app(still_engine)  # feb-2026: no market payload anywhere in the recording
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        hidden, _, panes_without = _rows(app)
        assert hidden == 0
        assert "not in this recording" not in screen_text(app)
    state = still_engine.state
    state.movers, state.market = MOVERS, replace(GLOBAL, ts_ms=FEB6_1400 - 60_000)
    try:  # the same dashboard with market data: the strip takes its row back from the panes
        app = still_app(still_engine)
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            shown, row, panes_with = _rows(app)
            assert (shown, row) == (1, 1)
            assert panes_with == panes_without - 1
    finally:
        state.movers = state.market = None


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_live_the_strip_stays_and_says_why_it_is_empty(size: tuple[int, int]) -> None:
    from crashtui.config.schema import Config
    from crashtui.ui.widgets.textview import TextView
    from tests.ui.uihelpers import still_app

    engine = Engine(Config(), ("BTC",), QuietLiveFeed())
    app = still_app(engine)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        height, row, _ = _rows(app)
        assert (height, row) == (1, 1)
        line = app.screen.query_one("#strip", TextView).text.plain
        assert f"cap {UNICODE.dash} coingecko off" in line  # live, the reason is useful
        assert f"movers {UNICODE.dash} binance off" in line


def test_the_sources_screen_says_the_recording_has_no_market_data(base: Frame) -> None:
    from crashtui.ui.render.drill_sources import overview

    info = ReplayInfo("feb-2026", True, "note", FEB6_1400, 60.0, False, False)
    said = "no market data in this recording (movers, market cap): no market strip"
    assert said in overview(replace(base, replay=replace(info, market_data=False)), "", 120).plain
    assert said not in overview(replace(base, replay=info), "", 120).plain
