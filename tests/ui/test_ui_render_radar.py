"""The radar's pure renderers (leverage, positions, recovery, macro, liquidation map) on
hand-built radars: unknown figures read n/a (never 0), liquidated positions say so, every
estimate says it is one."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crashtui.analysis.derivatives import SymbolDerivatives, VenueFunding
from crashtui.analysis.liqmap.result import LiqLevel, LiqMap
from crashtui.analysis.radar import Radar
from crashtui.analysis.recovery import MET, NOT_MET, UNKNOWN, ChecklistItem
from crashtui.analysis.risk_off import DayChange, risk_off_read
from crashtui.engine import Engine
from crashtui.risk.evaluate import Level, LevelKind, MarketView, PriceBar, evaluate
from crashtui.risk.position import Position, PositionSide
from crashtui.ui.glyphs import ASCII, UNICODE
from crashtui.ui.render.common import lines
from crashtui.ui.render.derivatives import build_derivatives, derivatives_line, derivatives_table
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.liqmap import bands_table, heat_band
from crashtui.ui.render.macro import build_macro, risk_off_lines, series_table
from crashtui.ui.render.positions import (
    EMPTY_HINT,
    build_positions,
    portfolio_line,
    portfolio_of,
    position_detail,
)
from crashtui.ui.render.recovery import build_recovery, checklist
from tests.ui.uihelpers import TEST_PALETTE

PALETTE = TEST_PALETTE
NOW = 1_770_386_400_000  # 2026-02-06 14:00Z
MIN = 60_000
DAY = 86_400_000


@pytest.fixture(scope="module")
def base(feb6_engine: Engine) -> Frame:
    """The scenario's snapshot (watchlist BTC, ETH) with no radar yet."""
    snapshot = replace(feb6_engine.state.snapshot(), generated_ms=NOW)
    return Frame(NOW, snapshot, feb6_engine.analysis(), PALETTE, UNICODE, "feb-2026")


BTC_ROW = SymbolDerivatives(
    symbol="BTC",
    open_interest_usd=5.0e9,
    oi_at_ms=NOW - 5 * MIN,
    oi_change_1h_pct=1.5,
    oi_change_24h_pct=None,
    funding=(
        VenueFunding("binance_futures", 0.0001, NOW - 5 * MIN),
        VenueFunding("okx_public", -0.0002, NOW - 90 * MIN, settled=True),
    ),
    basis_pct=None,
    coinbase_premium_pct=-0.05,
    premium_at_ms=NOW - MIN,
    long_short_ratio=None,
)


def with_radar(frame: Frame, **parts: object) -> Frame:
    return replace(frame, radar=Radar(NOW, **parts))  # type: ignore[arg-type]


# --- leverage ---------------------------------------------------------------------------------------


def test_leverage_before_the_radar_and_without_data(base: Frame) -> None:
    assert "computing" in derivatives_line(base, "BTC", 80).plain
    frame = with_radar(base, derivatives={"BTC": BTC_ROW})
    assert "n/a" in derivatives_line(frame, "ETH", 80).plain
    assert "0.00" not in derivatives_line(frame, "ETH", 80).plain


def test_leverage_line_shows_every_figure_unknowns_as_na(base: Frame) -> None:
    frame = with_radar(base, derivatives={"BTC": BTC_ROW})
    text = derivatives_line(frame, "BTC", 200).plain
    assert "OI $5.00B" in text
    assert "1h +1.5%" in text
    assert "24h n/a" in text  # unknown, not 0
    assert "B +0.0100%" in text
    assert "O -0.0200%" in text
    assert "Y –" in text  # Bybit has no funding: a dash, never 0
    assert "H –" in text
    assert "basis n/a" in text
    assert "CB prem -0.050%" in text
    assert "L/S n/a" in text
    assert "as of 1h" in text  # the row's oldest figure (OKX's settled rate, 90 minutes old)
    narrow = build_derivatives(frame, 48, False, "BTC")
    assert 1 < len(narrow.plain.splitlines()) <= 3
    assert all(len(line) <= 48 for line in narrow.plain.splitlines())


def test_leverage_table_annualises_and_ages_at_wide_sizes(base: Frame) -> None:
    frame = with_radar(base, derivatives={"BTC": BTC_ROW})
    wide = "\n".join(t.plain for t in derivatives_table(frame, 160))
    assert "+0.0100% +11%/y 5m" in wide  # 0.01%/8h × 3 × 365 = 10.95%/y, 5 minutes old
    assert "-0.0200% -22%/y 1h" in wide
    assert "ETH" in wide
    assert "n/a" in wide.splitlines()[2]  # ETH: no row at all
    narrow = [t.plain for t in derivatives_table(frame, 60)]
    assert all(len(line) <= 60 for line in narrow)
    assert "%/y" not in "\n".join(narrow)
    ascii_frame = replace(frame, glyphs=ASCII)
    assert "–" not in derivatives_line(ascii_frame, "BTC", 200).plain


FULL_ROW = replace(
    BTC_ROW,
    oi_change_24h_pct=-11.7,
    funding=tuple(
        VenueFunding(v, r, NOW - 5 * MIN)
        for v, r in (
            ("binance_futures", -0.000403),
            ("bybit", -0.000379),
            ("okx_public", -0.000337),
            ("hyperliquid", -0.000494),
        )
    ),
    basis_pct=-0.04,
    basis_at_ms=NOW - MIN,
    long_short_ratio=2.43,
    long_short_at_ms=NOW - 5 * MIN,
)


@pytest.mark.parametrize(("width", "annual"), [(98, False), (130, True), (160, True)])
def test_leverage_table_keeps_every_venue_premium_and_ratio_before_the_yearly_figure(
    base: Frame, width: int, annual: bool
) -> None:
    """The Price pane at 200x50 is 98 columns inside: all four venues, the Coinbase premium and
    the long/short ratio, per 8 h only; the yearly figure where it costs no column."""
    frame = with_radar(base, derivatives={"BTC": FULL_ROW, "ETH": FULL_ROW})
    rows = [t.plain for t in derivatives_table(frame, width)]
    assert all(len(line) <= width for line in rows)
    for header in ("OI", "1h", "24h", "Binance", "Bybit", "OKX", "HL", "Basis", "CB prem", "L/S"):
        assert header in rows[0], header
    assert "-0.0494%" in rows[1]  # Hyperliquid
    assert "2.43" in rows[1]
    assert ("%/y" in rows[1]) is annual
    assert ("-54%/y" in rows[1]) is annual  # Hyperliquid: -0.0494% × 3 × 365 = -54.1% a year
    assert rows[-1].startswith("funding per 8h" + (" and a year" if annual else ";"))


def test_stale_figures_are_dimmed(base: Frame) -> None:
    frame = with_radar(base, derivatives={"BTC": BTC_ROW})
    rows = derivatives_table(frame, 160)
    okx = rows[1]
    spans = [s for s in okx.spans if "-0.0200%" in okx.plain[s.start : s.end]]
    assert spans
    assert any(s.style == PALETTE.stale for s in spans)


# --- positions --------------------------------------------------------------------------------------

TOP = Position("BTC", PositionSide.LONG, entry=78_000.0, leverage=10.0, size=0.5)
CALM = Position("BTC", PositionSide.LONG, entry=60_000.0, leverage=2.0, size=0.5)
MARKET = MarketView(
    mark=60_000.0,
    mark_ms=NOW,
    atr=1_000.0,
    levels=(Level(55_000.0, LevelKind.SUPPORT),),
    path=(PriceBar(NOW - 3_600_000, 59_000.0, 79_000.0),),
)


def test_positions_pane_states(base: Frame) -> None:
    empty = build_positions(base, 80, 10).plain
    assert "No positions" in empty
    assert "n to add" in empty
    assert EMPTY_HINT.startswith("No positions")
    pending = replace(base, positions=2)
    assert "evaluating" in build_positions(pending, 80, 10).plain
    portfolio = evaluate((TOP, CALM), {"BTC": MARKET})
    frame = replace(with_radar(base, portfolio=portfolio), positions=2)
    assert portfolio_of(frame) is portfolio
    assert portfolio_of(replace(frame, positions=3)) is None  # an edit the radar has not seen yet
    pane = build_positions(frame, 80, 10).plain
    assert "LIQUIDATED" in pane  # TOP's liquidation (~70.9k) was traded through
    assert "1 LIQUIDATED" in portfolio_line(portfolio, frame, 200).plain
    assert all(len(line) <= 80 for line in pane.splitlines())


def test_position_detail_shocks_and_levels(base: Frame) -> None:
    portfolio = evaluate((TOP, CALM), {"BTC": MARKET})
    frame = replace(with_radar(base, portfolio=portfolio), positions=2)
    dead = position_detail(frame, 0, 120).plain
    assert "LIQUIDATED: price traded through" in dead
    alive = position_detail(frame, 1, 120).plain
    assert "Liquidation price (estimate)" in alive
    assert "zone support 55,000" in alive
    assert "-25%" in alive
    assert "yes" in alive
    # a 2x long survives -25%; its liquidation is near -50%
    shock_lines = [line for line in alive.splitlines() if line.startswith("-25%")]
    assert shock_lines
    assert shock_lines[0].rstrip().endswith("yes")
    risky = Position("BTC", PositionSide.LONG, entry=60_000.0, leverage=20.0, size=0.5)
    frame = replace(with_radar(base, portfolio=evaluate((risky,), {"BTC": MARKET})), positions=1)
    text = position_detail(frame, 0, 120).plain
    assert "no: LIQUIDATED" in text  # -5% reaches a 20x long's liquidation


# --- recovery and macro ----------------------------------------------------------------------------

ITEMS = (
    ChecklistItem(
        "btc_support", "BTC holds 60,000 (3 daily closes)", MET, "closed above 3 of 3", NOW - DAY, False
    ),
    ChecklistItem(
        "eth_ma200", "ETH above its 200-day moving average", NOT_MET, "close 1,822 vs 3,524", None, False
    ),
    ChecklistItem(
        "ai_basket", "AI basket 5% off its low", UNKNOWN, "no AI basket configured", NOW - 9 * DAY, True
    ),
)


def test_recovery_checklist_counts_statuses_and_shows_evidence(base: Frame) -> None:
    assert "computing" in build_recovery(base, 80, 10).plain
    frame = with_radar(base, recovery=ITEMS)
    pane = build_recovery(frame, 80, 12).plain
    assert "1 of 3 met · 1 not met · 1 unknown" in pane
    assert "● met" in pane
    assert "✗ not met" in pane
    assert "○ unknown" in pane
    detail = checklist(frame, 80).plain
    assert "since 2026-02-05 14:00Z: closed above 3 of 3" in detail
    assert "since <= 2026-01-28 14:00Z: no AI basket configured" in detail  # began then or earlier
    assert "close 1,822 vs 3,524" in detail
    ascii_pane = build_recovery(replace(frame, glyphs=ASCII), 80, 12).plain
    assert "+ met" in ascii_pane
    assert "x not met" in ascii_pane
    assert "o unknown" in ascii_pane


def test_checklist_evidence_is_never_markup(base: Frame) -> None:
    hostile = ChecklistItem("x", "[bold red]label", UNKNOWN, "\x1b[31m[link=evil]venue", None, False)
    text = checklist(with_radar(base, recovery=(hostile,)), 80)
    assert "[bold red]label" in text.plain
    assert "\x1b" not in text.plain


def test_risk_off_read_is_stated_from_the_moves_shown(base: Frame) -> None:
    dgs = DayChange("DGS10", NOW - DAY, 4.21, NOW - 2 * DAY, 4.29, -0.08, -1.86, rate=True)
    read = risk_off_read(
        {"DGS10": dgs, "GOLD": None, "SP500": None, "NASDAQCOM": None, "BTC": None, "ETH": None}
    )
    frame = with_radar(base, risk_off=read)
    text = risk_off_lines(frame, 120).plain
    assert text.startswith("Risk-off: unknown")
    assert "yields_down holds: DGS10 4.21% (-8 bp vs" in text
    assert "gold_up: no recent day change for GOLD" in text
    assert "Risk-off: computing" in risk_off_lines(base, 80).plain


def test_macro_series_table_latest_change_and_age(base: Frame) -> None:
    table_text = series_table(base, 100).plain  # the scenario's FRED series
    assert "DGS10" in table_text
    assert "-8 bp" in table_text
    assert "SP500" in table_text
    assert "-1.23%" in table_text
    assert "02-05 38h" in table_text  # the day it is for and its age
    empty = replace(base, snapshot=replace(base.snapshot, macro={}))
    assert "no macro series yet" in series_table(empty, 80).plain
    pane = build_macro(with_radar(base), 80, 30).plain
    assert all(len(line) <= 80 for line in pane.splitlines())


# --- the estimated liquidation map ----------------------------------------------------------------

LIQ = LiqMap(
    symbol="BTC",
    at_ms=NOW - MIN,
    levels=(
        LiqLevel(54_000.0, 54_500.0, "long", 40e6),
        LiqLevel(57_000.0, 57_500.0, "long", 120e6),
        LiqLevel(63_000.0, 63_500.0, "short", 60e6),
        LiqLevel(90_000.0, 90_500.0, "short", 5e6),
    ),
    price=60_000.0,
    bucket_usd=500.0,
    venues=("binance", "bybit"),
    from_ms=NOW - 2 * DAY,
    steps=120,
    taker_known=0.6,
)


def test_heat_band_places_estimates_around_the_price(base: Frame) -> None:
    assert "computing" in heat_band(base, "BTC", 100).plain
    assert "none for ETH yet" in heat_band(with_radar(base, liquidation_maps={"BTC": LIQ}), "ETH", 100).plain
    frame = with_radar(base, liquidation_maps={"BTC": LIQ})
    text = heat_band(frame, "BTC", 100).plain
    assert text.startswith("ESTIMATE: modelled from open interest")
    assert "OI of binance, bybit" in text
    assert "60% with a taker split" in text
    rows = text.splitlines()
    price_row = next(i for i, r in enumerate(rows) if "price 60,000" in r)
    big = next(i for i, r in enumerate(rows) if "~$120.0M longs" in r)
    short = next(i for i, r in enumerate(rows) if "M shorts" in r and "█" in r)
    assert short < price_row < big  # shorts above the price, longs below (highest row first)
    assert rows[big].count("█") > rows[short].count("█")
    assert "90,000" not in text  # outside the band's ±12%
    assert "shorts ~$65.0M above" in rows[-1]  # totals count every band
    assert all(len(r) <= 100 for r in rows)


def test_bands_table_lists_side_estimate_and_distance(base: Frame) -> None:
    frame = with_radar(base, liquidation_maps={"BTC": LIQ})
    text = bands_table(frame, "BTC", 100).plain
    assert "Est. USD (estimate)" in text
    lines_ = text.splitlines()
    first = next(i for i, r in enumerate(lines_) if "57,000 – 57,500" in r)
    assert "long" in lines_[first]
    assert "~$120.0M" in lines_[first]
    assert "-4.2%" in lines_[first]
    assert "63,000 – 63,500" in lines_[first - 1] or "63,000 – 63,500" in lines_[first + 1]
    assert "+5.0%" in text  # the short band's distance above
    assert "docs/liquidation-map.md" in text
    empty = with_radar(base, liquidation_maps={"BTC": replace(LIQ, levels=())})
    assert "no estimated positions left" in bands_table(empty, "BTC", 80).plain


def test_ascii_mode_draws_only_ascii(base: Frame) -> None:
    portfolio = evaluate((TOP, CALM), {"BTC": MARKET})
    frame = replace(
        with_radar(
            base,
            derivatives={"BTC": BTC_ROW},
            liquidation_maps={"BTC": LIQ},
            recovery=ITEMS,
            portfolio=portfolio,
        ),
        glyphs=ASCII,
        positions=2,
    )
    texts = [
        heat_band(frame, "BTC", 100),
        bands_table(frame, "BTC", 100),
        build_derivatives(frame, 48, False, "BTC"),
        lines(derivatives_table(frame, 160)),
        build_positions(frame, 100, 20),
        position_detail(frame, 1, 100),
        checklist(frame, 100),
        build_macro(frame, 100, 30),
        heat_band(replace(base, glyphs=ASCII), "BTC", 80),
        build_positions(replace(base, glyphs=ASCII, positions=1), 80, 5),
    ]
    for text in texts:
        assert text.plain.isascii(), text.plain
