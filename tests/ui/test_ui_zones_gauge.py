"""Zone states and the crash gauge on screen: one source of truth for each, never contradicted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crashtui.analysis.gauge import StressInput, crash_gauge
from crashtui.analysis.zone_state import STATES, ZoneState, state_badge
from crashtui.analysis.zones import Zone, summarise
from crashtui.config.schema import GaugeConfig
from crashtui.engine import Engine
from crashtui.headless.document import gauge_json, symbol_json
from crashtui.ui.fmt import fmt_price, fmt_short
from crashtui.ui.glyphs import UNICODE
from crashtui.ui.render.charts import place_labels
from crashtui.ui.render.drill_fear import gauge_table
from crashtui.ui.render.drill_symbol import zones_table
from crashtui.ui.render.fear import build_fear
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.header import build_header
from crashtui.ui.render.price import badge_cell, build_watch_rows, state_abbrev
from crashtui.ui.render.price_chart import zone_bands
from tests.ui.uihelpers import TEST_PALETTE, replay_frame

PALETTE = TEST_PALETTE


@pytest.fixture(scope="module")
def frame(feb6_engine: Engine) -> Frame:
    return replay_frame(feb6_engine)


# -- the gauge with most components missing ------------------------------------------------------


def one_component_frame(frame: Frame) -> Frame:
    """Only drawdown, at 0 % (alone it would score 0: CALM)."""
    gauge = crash_gauge([StressInput("drawdown", 0.0, "%", "test", "flat")], GaugeConfig())
    return replace(frame, analysis=replace(frame.analysis, gauge=gauge))


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_header_says_insufficient_data_and_coverage_never_calm(frame: Frame, width: int) -> None:
    text = build_header(one_component_frame(frame), width).plain
    assert "CALM" not in text
    assert "1/10" in text
    assert ("insufficient data 1/10" if width >= 120 else "n/a 1/10") in text


@pytest.mark.parametrize(("width", "height"), [(40, 8), (60, 12), (120, 16)])
def test_gauge_pane_and_drilldown_say_insufficient_data(frame: Frame, width: int, height: int) -> None:
    f = one_component_frame(frame)
    pane = build_fear(f, width, height).plain
    assert "CALM" not in pane
    assert "insufficient data 1/10" in pane
    drill = gauge_table(f, 120).plain.splitlines()[0]
    assert "CALM" not in drill
    assert "insufficient data: 1/10 components" in drill


def test_json_gauge_label_and_component_coverage(frame: Frame) -> None:
    doc = gauge_json(one_component_frame(frame).analysis)
    assert doc["label"] == "insufficient data"
    assert doc["components_present"] == {"have": 1, "of": 10}
    assert doc["sufficient"] is False


def test_full_gauge_is_unchanged_on_the_scenario(frame: Frame) -> None:
    g = frame.analysis.gauge
    assert g.sufficient
    assert f"{g.score:.0f}/100 {g.label}" in build_header(frame, 200).plain
    assert gauge_json(frame.analysis)["components_present"]["have"] == g.have


# -- chart labels never cover the newest price ---------------------------------------------------


def test_band_label_moves_left_when_the_latest_candles_sit_on_its_row() -> None:
    """10 rows over 0..90 (row = round((90 - y) / 10)), 40 columns over x -39..0.

    The band label at y 50 (row 4, 6 characters) on the right covers x > -39 × 7/40 ≈ -6.8:
    the last candles (x -3..0) trade 48..52, rows 4..4, so it goes left, where the first
    candles trade at 80 (row 1) and leave row 4 free.
    """
    data = [(float(x), 80.0, 80.0) for x in range(-39, -3)] + [(float(x), 48.0, 52.0) for x in range(-3, 1)]
    spots = place_labels([(50.0, "50,000", "red", "right")], data, (0.0, 90.0), (-39.0, 0.0), 40, 10)
    assert [(s.side, s.row) for s in spots] == [("left", 4)]


def test_band_label_stays_right_when_price_is_elsewhere() -> None:
    data = [(float(x), 80.0, 80.0) for x in range(-39, 1)]
    spots = place_labels([(20.0, "20,000", "red", "right")], data, (0.0, 90.0), (-39.0, 0.0), 40, 10)
    assert [(s.side, s.row) for s in spots] == [("right", 7)]


def test_label_with_data_on_both_edges_is_left_out_and_one_label_per_row() -> None:
    data = [(float(x), 45.0, 55.0) for x in range(-39, 1)]
    wanted = [(50.0, "A", "red", "right"), (20.0, "B", "red", "right"), (21.0, "C", "red", "left")]
    spots = place_labels(wanted, data, (0.0, 90.0), (-39.0, 0.0), 40, 10)
    assert [(s.text, s.side) for s in spots] == [("B", "right")]  # A covers data, C shares B's row


def test_price_chart_zone_labels_avoid_the_latest_price(frame: Frame) -> None:
    """On the scenario chart, no label on the right edge sits on a row the last candles reach."""
    from crashtui.ui.render.price_chart import price_chart

    spec, _ = price_chart(frame, "BTC", candles=True)
    assert spec.candles is not None
    assert spec.y_range is not None
    c = spec.candles
    data = list(zip(c.xs, c.lows, c.highs, strict=True))
    wanted = [((b.low + b.high) / 2, b.label, b.color, "right") for b in spec.bands]
    x_range = (min(c.xs), max(c.xs))
    low, high = spec.y_range
    rows, columns = 37, 110
    spots = place_labels(wanted, data, spec.y_range, x_range, columns, rows)
    # price 60,197 is inside the 60,000 zone: its label would sit on the latest candle
    sixty = [s for s in spots if s.text.startswith("60,000")]
    assert [s.side for s in sixty] in ([], ["left"])
    last = [d for d in data if d[0] >= x_range[1] - (x_range[1] - x_range[0]) * 20 / columns]
    for s in spots:
        if s.side == "right":
            for _, lo, hi in last:
                top = round((high - min(hi, high)) / (high - low) * (rows - 1))
                bottom = round((high - max(lo, low)) / (high - low) * (rows - 1))
                assert not top <= s.row <= bottom, s


# -- zone states: one table drives badge, colour, words and JSON ---------------------------------

TONE = {tone: getattr(PALETTE, tone) for tone in ("up", "down", "warning", "accent", "muted")}


def with_state(frame: Frame, state: ZoneState) -> tuple[Frame, Zone]:
    """The scenario's BTC analysis cut to its nearest support, put in ``state``."""
    item = frame.analysis.symbol("BTC")
    assert item is not None
    assert item.zones is not None
    assert item.summary is not None
    assert item.summary.support is not None
    zone = replace(item.summary.support, state=state, state_since_ms=frame.now_ms - 3_600_000)
    zones = replace(item.zones, zones=(zone,))
    item = replace(item, zones=zones, summary=summarise(zones))
    return replace(frame, analysis=replace(frame.analysis, symbols=(item,))), zone


@pytest.mark.parametrize("state", list(ZoneState))
def test_badge_colour_words_and_json_agree_for_every_state(frame: Frame, state: ZoneState) -> None:
    f, zone = with_state(frame, state)
    look = STATES[state]
    item = f.analysis.symbol("BTC")
    assert item is not None
    assert item.summary is not None
    # the watchlist badge: the table's template, in the table's tone
    badge = badge_cell(item.summary, PALETTE)
    expected = state_badge(state, fmt_price(zone.level), fmt_price(zone.low), fmt_price(zone.high))
    assert badge.plain == (expected or "clear")
    assert str(badge.style).split()[-1] == TONE[look.tone]
    row = build_watch_rows(f, 120).rows[0].plain
    assert (expected or "clear")[:12] in row
    # the narrow table's form: the same state, its short template, the same colour
    short = badge_cell(item.summary, PALETTE, short=True)
    short_text = state_badge(
        state, fmt_short(zone.level), fmt_short(zone.low), fmt_short(zone.high), short=True
    )
    assert short.plain == (short_text or "clear")
    assert short.style == badge.style
    assert len(short.plain) <= 14
    narrow = build_watch_rows(f, 48).rows[0].plain
    # at 48 columns the table may abbreviate further (never drop the column): TEST, LOST↓, S->R↓
    assert item.price is not None
    assert (short_text or "clear") in narrow or state_abbrev(item.summary, item.price, UNICODE) in narrow
    # the drilldown's STATE column: the table's words, same colour
    table = zones_table(f, "BTC", 140).plain
    assert look.words in table
    # the chart band label: the level and the same words
    low, high = zone.low - 1000, zone.high + 1000
    (band,) = zone_bands(item.zones, low, high, f)
    assert band.label == fmt_price(zone.level) + ("" if state is ZoneState.CLEAR else f" {look.words}")
    # --once --json: the state id, its words and the badge
    doc = symbol_json(item, f.snapshot)
    assert doc["zones"][0]["state"] == state.value
    assert doc["zones"][0]["state_words"] == look.words
    assert doc["state"] == state.value
    assert doc["state_words"] == look.words
    assert doc["badge"] == expected


def test_no_badge_reads_broke_while_price_is_back_above(frame: Frame) -> None:
    f, _ = with_state(frame, ZoneState.BACK_ABOVE)
    item = f.analysis.symbol("BTC")
    assert item is not None
    text = build_watch_rows(f, 120).rows[0].plain
    assert "BROKE" not in text
    assert "back above" in text
    assert symbol_json(item, f.snapshot)["state_words"] == "back above, not reclaimed"


def test_leverage_component_on_the_scenario_by_default(feb6_engine: Engine) -> None:
    """The default gauge reads leverage from the snapshot's derivatives: at 14:00Z on Feb 6 the
    scenario's (reconstructed) open interest is down 11.8% in 24 h and funding is negative on
    all four venues: deep in the stressed half of the scale. Switched off (weight 0) it is
    neither a component nor missing."""
    from crashtui.analysis.market import analyse_snapshot
    from crashtui.config.schema import DEFAULT_GAUGE_WEIGHTS, AnalysisConfig, Config

    snapshot = feb6_engine.state.snapshot()
    gauge = analyse_snapshot(snapshot, Config()).gauge
    lev = next(c for c in gauge.components if c.name == "leverage")
    assert lev.detail == "BTC OI -0.4% 1h -11.8% 24h, funding negative on 4/4 venues"
    assert 60.0 <= lev.raw <= 100.0
    assert lev.weight == DEFAULT_GAUGE_WEIGHTS["leverage"] > 0.0
    gauge_cfg = GaugeConfig(weights=dict(DEFAULT_GAUGE_WEIGHTS, leverage=0.0))
    config = replace(Config(), analysis=replace(AnalysisConfig(), gauge=gauge_cfg))
    off = analyse_snapshot(snapshot, config).gauge
    assert "leverage" not in {c.name for c in off.components} | {m.name for m in off.missing}
    assert off.of == gauge.of - 1
