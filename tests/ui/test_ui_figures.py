"""One formatter per figure (issue 20): a figure shown in two places reads the same in both.

A newcomer saw the spread as 1.39x on the gauge and 0.7x on the Macro screen (two baselines, two
precisions), ETF funds "largest movers first" in an order no figure on screen explained, and a
cumulative flow that differed by one from the same sum elsewhere.
"""

from __future__ import annotations

import re

from crashtui.numfmt import fmt_ratio
from crashtui.ui.render.drill_etf import cumulative_chart, fund_table
from crashtui.ui.render.drill_fear import gauge_table
from crashtui.ui.render.drill_macro import spreads
from crashtui.ui.render.drill_symbol import book
from crashtui.ui.render.fear import build_fear
from crashtui.ui.render.frame import Frame
from tests.ui.test_ui_render import frame  # noqa: F401  (the fixture)


def component(shown: Frame, name: str) -> float:
    gauge = shown.analysis.gauge
    assert gauge is not None
    return next(c.raw for c in gauge.components if c.name == name)


def test_fmt_ratio_digits() -> None:
    assert [fmt_ratio(v) for v in (0.7249, 1.3231, 15.49, 120.4)] == ["0.72", "1.32", "15.5", "120"]


def test_the_spread_multiple_is_one_figure_on_every_screen(frame: Frame) -> None:  # noqa: F811
    ratio = fmt_ratio(component(frame, "spread"))
    assert ratio == "1.32"
    pane = build_fear(frame, 60, 20).plain
    assert re.search(rf"spread\s+{re.escape(ratio)}×", pane)
    macro_btc = next(line for line in spreads(frame, 120).plain.splitlines() if line.startswith("BTC"))
    assert f" {ratio}×" in macro_btc
    gauge_row = next(line for line in gauge_table(frame, 160).plain.splitlines() if line.startswith("spread"))
    assert f" {ratio} " in gauge_row
    assert f"({ratio}× the 7-day median" in book(frame, "BTC", 160).plain


def test_the_liquidation_multiple_is_one_figure(frame: Frame) -> None:  # noqa: F811
    ratio = fmt_ratio(component(frame, "liquidations"))
    assert f"{ratio}×" in build_fear(frame, 60, 20).plain
    row = next(line for line in gauge_table(frame, 160).plain.splitlines() if line.startswith("liquidations"))
    assert f" {ratio} " in row


def test_etf_funds_are_in_the_order_of_the_net_row_and_it_equals_the_cumulative(
    frame: Frame,  # noqa: F811
) -> None:
    summary = next(s for s in frame.analysis.etf if s.asset == "BTC")
    table = fund_table(summary, frame, 400).plain.splitlines()
    header, net = table[0].split(), next(line for line in table if line.startswith("15d net")).split()
    assert header[:2] == ["DAY", "TOTAL"]
    fund_nets = [float(v.replace(",", "")) for v in net[3:]]
    assert [abs(v) for v in fund_nets] == sorted((abs(v) for v in fund_nets), reverse=True)
    _, title = cumulative_chart(summary, frame)
    assert title.plain.endswith(f": {net[2]}")  # the same 15 days, the same sum, the same digits
