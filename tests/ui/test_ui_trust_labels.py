"""What the screen says about data trust: the replay's skipped lines, ETF figures by period."""

from __future__ import annotations

import dataclasses
from types import MappingProxyType

from crashtui.analysis.market import etf_summaries
from crashtui.model import EtfFlow
from crashtui.ui.render.drill_etf import fund_table, summary_block
from crashtui.ui.render.etf import build_etf, flow_days
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.header import build_header
from tests.ui.test_ui_render import frame  # noqa: F401  (the feb-6 frame fixture)

FEB01 = 1_769_904_000_000  # 2026-02-01
MON_0202 = 1_769_990_400_000


def test_the_replay_badge_says_how_many_bad_lines_were_skipped(frame: Frame) -> None:  # noqa: F811
    assert frame.replay is not None
    assert "bad" not in build_header(frame, 200).plain
    bad = dataclasses.replace(frame, replay=dataclasses.replace(frame.replay, bad_lines=3))
    assert "3 bad lines skipped" in build_header(bad, 200).plain
    one = dataclasses.replace(frame, replay=dataclasses.replace(frame.replay, bad_lines=1))
    assert "1 bad line skipped" in build_header(one, 200).plain


def test_aggregates_are_labelled_by_period_never_as_days_or_wtd(frame: Frame) -> None:  # noqa: F811
    btc = frame.snapshot.etf_flows["BTC"]
    month = EtfFlow("BTC", FEB01, -3_400.0, "theblock", (), "month")
    week = EtfFlow("BTC", MON_0202, -689.2, "theblock", (), "week")
    snapshot = dataclasses.replace(
        frame.snapshot, etf_flows=MappingProxyType({**frame.snapshot.etf_flows, "BTC": (*btc, month, week)})
    )
    mixed = dataclasses.replace(
        frame, snapshot=snapshot, analysis=dataclasses.replace(frame.analysis, etf=etf_summaries(snapshot))
    )
    assert flow_days(snapshot.etf_flows["BTC"], frame.now_ms) == flow_days(btc, frame.now_ms)
    before = build_etf(frame, 90, 14).plain
    after = build_etf(mixed, 90, 14).plain
    btc_line = next(line for line in after.split("\n") if line.startswith("BTC ") and "wtd" in line)
    assert btc_line in before  # the daily line (bars, last, wtd, streak) is unchanged
    assert "BTC  month 2026-02 -3,400  week of 02-02 -689.2" in after.split("\n")
    summary = next(s for s in mixed.analysis.etf if s.asset == "BTC")
    block = summary_block(summary, mixed).plain
    assert "week to date (week of 02-02)" in block
    assert "source totals by period (not days): month 2026-02" in block
    table = fund_table(summary, mixed, 120).plain
    assert table == fund_table(next(s for s in frame.analysis.etf if s.asset == "BTC"), frame, 120).plain
