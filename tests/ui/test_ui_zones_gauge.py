"""Zone states and the crash gauge on screen: one source of truth for each, never contradicted."""

from __future__ import annotations

from dataclasses import replace

import pytest

from crashtui.analysis.gauge import StressInput, crash_gauge
from crashtui.config.schema import GaugeConfig
from crashtui.engine import Engine
from crashtui.headless.document import gauge_json
from crashtui.ui.glyphs import UNICODE
from crashtui.ui.palette import Palette
from crashtui.ui.render.drill_fear import gauge_table
from crashtui.ui.render.fear import build_fear
from crashtui.ui.render.frame import Frame, ReplayInfo
from crashtui.ui.render.header import build_header
from tests.ui.uihelpers import FEB6_1400

PALETTE = Palette(
    "green", "red", "blue", "magenta", "grey50", "grey50", "yellow", "red", "green", "yellow", "blue"
)


@pytest.fixture(scope="module")
def frame(feb6_engine: Engine) -> Frame:
    info = ReplayInfo("feb-2026", True, "note", FEB6_1400, 60.0, False, False)
    return Frame(
        now_ms=feb6_engine.now_ms(),
        snapshot=feb6_engine.state.snapshot(),
        analysis=feb6_engine.analysis(),
        palette=PALETTE,
        glyphs=UNICODE,
        watchlist="feb-2026",
        replay=info,
    )


# -- the gauge with most components missing ------------------------------------------------------


def one_component_frame(frame: Frame) -> Frame:
    """Only drawdown, at 0 % (alone it would score 0: CALM)."""
    gauge = crash_gauge([StressInput("drawdown", 0.0, "%", "test", "flat")], GaugeConfig())
    return replace(frame, analysis=replace(frame.analysis, gauge=gauge))


@pytest.mark.parametrize("width", [60, 80, 120, 200])
def test_header_says_insufficient_data_and_coverage_never_calm(frame: Frame, width: int) -> None:
    text = build_header(one_component_frame(frame), width).plain
    assert "CALM" not in text
    assert "1/9" in text
    assert ("insufficient data 1/9" if width >= 120 else "n/a 1/9") in text


@pytest.mark.parametrize(("width", "height"), [(40, 8), (60, 12), (120, 16)])
def test_gauge_pane_and_drilldown_say_insufficient_data(frame: Frame, width: int, height: int) -> None:
    f = one_component_frame(frame)
    pane = build_fear(f, width, height).plain
    assert "CALM" not in pane
    assert "insufficient data 1/9" in pane
    drill = gauge_table(f, 120).plain.splitlines()[0]
    assert "CALM" not in drill
    assert "insufficient data: 1/9 components" in drill


def test_json_gauge_label_and_component_coverage(frame: Frame) -> None:
    doc = gauge_json(one_component_frame(frame).analysis)
    assert doc["label"] == "insufficient data"
    assert doc["components_present"] == {"have": 1, "of": 9}
    assert doc["sufficient"] is False


def test_full_gauge_is_unchanged_on_the_scenario(frame: Frame) -> None:
    g = frame.analysis.gauge
    assert g.sufficient
    assert f"{g.score:.0f}/100 {g.label}" in build_header(frame, 200).plain
    assert gauge_json(frame.analysis)["components_present"]["have"] == g.have
