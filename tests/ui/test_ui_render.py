"""Renderers and their helpers: widths are respected, numbers carry units, nothing is lost quietly."""

from __future__ import annotations

from dataclasses import replace

import pytest
from rich.text import Text

from crashtui.alerts import Alert
from crashtui.analysis.zones import ZoneKind
from crashtui.engine import Engine
from crashtui.model import Interval
from crashtui.timeparse import parse_instant
from crashtui.ui.fmt import fmt_age, fmt_flow, fmt_pct, fmt_price, fmt_short
from crashtui.ui.glyphs import ASCII, UNICODE, Glyphs, to_ascii
from crashtui.ui.render.alert_log import alert_list
from crashtui.ui.render.charts import CandleSeries, aggregate_candles, decimate, nice_ticks
from crashtui.ui.render.common import Column, fit, table, wrap_items
from crashtui.ui.render.etf import build_etf, flow_days, trading_days
from crashtui.ui.render.fear import build_fear
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.header import build_header
from crashtui.ui.render.liquidations import build_liquidations
from crashtui.ui.render.price import build_watch_rows
from crashtui.ui.render.price_chart import price_chart
from crashtui.ui.render.status import build_status
from crashtui.ui.sparkline import magnitude_bars, meter, resample, signed_bars, sparkline
from tests.ui.uihelpers import TEST_PALETTE, replay_frame

PALETTE = TEST_PALETTE


@pytest.fixture(scope="module")
def frame(feb6_engine: Engine) -> Frame:
    return replay_frame(feb6_engine)


def test_fmt_age_is_coarse() -> None:
    assert [fmt_age(ms) for ms in (None, 0, 4_999, 12_000, 59_999, 60_000, 3_599_999, 7_200_000)] == [
        "?", "now", "now", "12s", "59s", "1m", "59m", "2h",
    ]  # fmt: skip
    assert fmt_age(3 * 86_400_000) == "3d"


def test_number_formats() -> None:
    assert fmt_pct(-11.78) == "-11.8%"
    assert fmt_pct(None) == "n/a"
    assert fmt_short(61_940) == "61.9k"
    assert fmt_short(1_771.2) == "1,771"
    assert fmt_flow(None) == "n/p"
    assert fmt_flow(-1_141.4) == "-1,141"


def test_sparkline_and_bars() -> None:
    assert sparkline([1, 2, 3, 4, 5, 6, 7, 8], 8, UNICODE.spark) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5], 8, UNICODE.spark) == "▄▄▄"
    assert sparkline([3, 1], 8, ASCII.spark) == "@_"
    assert resample(list(range(100)), 10)[-1] == 99  # the latest point survives
    assert magnitude_bars([-100.0, None, 50.0], UNICODE.spark, "·") == "█·▅"
    assert signed_bars([100.0, -50.0, None, 0.0], "▁▄█", "▔▀█", "·") == ("█ ·▁", " ▀  ")
    assert meter(0.5, 10, "#", ".") == "#####....."


def test_decimate_keeps_extremes_and_bounds_points() -> None:
    ys = [100.0] * 1000
    ys[437] = 1.0  # a crash wick
    ys[800] = 500.0
    xs = [float(i) for i in range(1000)]
    dx, dy = decimate(xs, ys, 50)
    assert len(dx) <= 100
    assert min(dy) == 1.0
    assert max(dy) == 500.0
    assert dx == sorted(dx)


def test_aggregate_candles_keeps_ohlc_and_the_latest_candle() -> None:
    n = 10
    c = CandleSeries(
        tuple(float(i) for i in range(n)),
        tuple(float(i) for i in range(n)),
        tuple(float(i + 5) for i in range(n)),
        tuple(float(i - 5) for i in range(n)),
        tuple(float(i + 1) for i in range(n)),
        "green",
        "red",
    )
    out = aggregate_candles(c, 4)
    assert len(out.xs) <= 4
    assert out.xs[-1] == 9.0
    assert out.closes[-1] == 10.0
    assert max(out.highs) == 14.0
    assert min(out.lows) == -5.0


def test_nice_ticks() -> None:
    assert nice_ticks(59_000, 81_000, 4) == [60_000, 70_000, 80_000]
    assert nice_ticks(1_700, 2_050, 4) == [1_700, 1_800, 1_900, 2_000]
    assert nice_ticks(1, 1, 4) == []


def test_table_drops_least_important_columns_first() -> None:
    cols = [
        Column("A", [Text("aaaa")], priority=0),
        Column("B", [Text("bbbb")], priority=2),
        Column("C", [Text("cccc")], priority=1),
    ]
    rows = table(cols, 10)
    assert rows[0].plain.split() == ["A", "C"]
    assert all(r.cell_len <= 10 for r in rows)


def test_fit_and_wrap() -> None:
    assert fit("abcdef", 4).plain == "abc…"
    assert fit("ab", 4, "right").plain == "  ab"
    items = [Text("aaaa"), Text("bbbb"), Text("cccc")]
    assert [w.plain for w in wrap_items(items, 11, " · ")] == ["aaaa · bbbb", "cccc"]
    assert [w.plain for w in wrap_items(items, 10, " · ")] == ["aaaa", "bbbb", "cccc"]


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 160, 200])
def test_one_line_widgets_fit_every_width(frame: Frame, width: int) -> None:
    for line in (build_header(frame, width), build_status(frame, width)):
        assert "\n" not in line.plain
        assert line.cell_len <= width


@pytest.mark.parametrize(("width", "height"), [(32, 10), (38, 10), (58, 13), (78, 21), (98, 22)])
def test_panes_fit_their_box(frame: Frame, width: int, height: int) -> None:
    for body in (
        build_liquidations(frame, width, height),
        build_etf(frame, width, height),
        build_fear(frame, width, height),
    ):
        rows = body.plain.split("\n")
        assert len(rows) <= height
        assert all(Text(r).cell_len <= width for r in rows), rows
    watch = build_watch_rows(frame, width)
    assert all(r.cell_len <= width for r in (watch.header, *watch.rows))


def test_price_rows_show_price_change_support_and_state(frame: Frame) -> None:
    rows = build_watch_rows(frame, 100)
    btc = rows.rows[rows.symbols.index("BTC")].plain
    assert "60,197" in btc
    assert "-9.4%" in btc
    assert "60,000 -0.1%" in btc
    assert "turned resist 61,992" in btc  # broken at 01:00Z, retested and rejected
    assert rows.header.plain.split()[:4] == ["SYM", "PRICE", "24h", "SUPPORT"]


def test_price_column_and_distances_follow_the_ticker_when_zones_trail(frame: Frame) -> None:
    """A long watchlist's zones are refreshed a symbol per tick: the price shown and the
    distances to the zones must still be the latest ticker's, not the zones' older price."""
    btc = frame.snapshot.tickers["BTC"]
    moved = replace(btc, price=61_000.0)
    snapshot = replace(frame.snapshot, tickers={**frame.snapshot.tickers, "BTC": moved})
    analysed = frame.analysis.symbol("BTC")
    assert analysed is not None
    assert analysed.price == btc.price  # the zones still know the old 60,197
    rows = build_watch_rows(replace(frame, snapshot=snapshot), 100)
    row = rows.rows[rows.symbols.index("BTC")].plain
    assert "61,000" in row
    assert "60,197" not in row
    assert analysed.summary is not None
    support = analysed.summary.support
    assert support is not None
    assert support.level == 60_000
    assert support.low < 60_000 < support.high < 60_197
    expected = (support.high - 61_000) / 61_000 * 100  # from the new price to the zone's top
    assert f"60,000 {fmt_pct(expected)}" in row
    assert fmt_pct(expected) != fmt_pct(support.distance_pct)  # (the zones' own: -0.1%)


def test_a_symbol_a_finished_replay_never_had_says_so(frame: Frame) -> None:
    from crashtui.analysis.market import SymbolAnalysis

    missing = SymbolAnalysis("SOL", None, "", None, None, "no price and no candles yet")
    analysis = replace(frame.analysis, symbols=(*frame.analysis.symbols, missing))
    assert frame.replay is not None
    playing = replace(frame, analysis=analysis, replay=replace(frame.replay, finished=False))
    ended = replace(playing, replay=replace(frame.replay, finished=True))

    def sol(f: Frame) -> str:
        return build_watch_rows(f, 100).rows[-1].plain

    assert "no data yet" in sol(playing)
    assert "not in recording" in sol(ended)
    # a recording made for BTC and ETH will not bring SOL later either, finished or not
    stated = replace(playing, replay=replace(frame.replay, finished=False, symbols=frozenset({"BTC", "ETH"})))
    assert "not in recording" in sol(stated)
    listed = replace(playing, replay=replace(frame.replay, finished=False, symbols=frozenset({"BTC", "SOL"})))
    assert "no data yet" in sol(listed)


def test_price_chart_has_zone_bands_and_the_200_day_average(frame: Frame) -> None:
    spec, title = price_chart(frame, "ETH")
    assert spec.series
    assert len(spec.series[0].xs) == 72  # three days of hourly closes
    levels = {round(b.low) for b in spec.bands}
    assert levels
    item = frame.analysis.symbol("ETH")
    assert item is not None
    assert item.zones is not None
    ma = item.zones.ma200
    assert ma is not None
    assert f"200D {ma:,.0f}" in title.plain
    assert "above chart" in title.plain  # price is far under its 200-day average
    kinds = {z.kind for z in item.zones.zones}
    assert ZoneKind.SUPPORT in kinds


def test_liquidations_pane_states_sampling_and_cascade(frame: Frame) -> None:
    body = build_liquidations(frame, 60, 14).plain
    assert "$2.57B" in body
    assert "binance*" in body
    assert "lower bound" in body
    assert "CASCADE" in body


def test_etf_pane_marks_unpublished_days_and_holidays(frame: Frame) -> None:
    days = flow_days(frame.snapshot.etf_flows["BTC"], frame.now_ms)
    assert days.values[-1] is None  # 02-06: not published yet at 14:00Z
    assert len(trading_days(frame.now_ms, 15)) == 15
    body = build_etf(frame, 60, 10).plain
    assert "not published" in body
    btc_line = next(line for line in body.split("\n") if line.startswith("BTC"))
    assert btc_line[4:20].endswith("·")
    # Martin Luther King day (Mon 01-19) had no trading: not one of the 15 columns.
    assert parse_instant("2026-01-19") not in days.days_ms
    assert len(days.days_ms) == 15
    assert "15 trading days" in body


@pytest.mark.parametrize("glyphs", [UNICODE, ASCII], ids=["unicode", "ascii"])
def test_etf_bars_show_direction_without_colour(frame: Frame, glyphs: Glyphs) -> None:
    """Issue 20: an outflow bar looked like an inflow bar once colour was gone (NO_COLOR,
    --ascii). Inflows rise above the zero line, outflows hang below it."""
    shown = replace(frame, glyphs=glyphs)
    lines_ = build_etf(shown, 80, 12).plain.split("\n")
    for asset in ("BTC", "ETH"):
        row = next(i for i, line in enumerate(lines_) if line.startswith(asset))
        up, down = lines_[row], lines_[row + 1]
        start = up.index("+") + 1
        assert down[start - 1] == "-"
        days = flow_days(frame.snapshot.etf_flows[asset], frame.now_ms)
        assert len(days.values) == 15
        for i, value in enumerate(days.values):
            above, below = up[start + i], down[start + i]
            if value is None:
                assert (above, below) == (glyphs.unpublished, " ")
            elif value > 0:
                assert above != " "
                assert below == " "
            else:
                assert above == " "
                assert below != " "


def test_ascii_plot_translation_keeps_length() -> None:
    text = "┌─┐│⠁⣿░█"
    assert len(to_ascii(text)) == len(text)
    assert all(ord(c) < 128 for c in to_ascii(text))


def test_changed_lines_finds_only_what_differs() -> None:
    from crashtui.ui.widgets.linediff import changed_lines

    old = Text("a\nb\nc")
    assert changed_lines(old, Text("a\nB\nc")) == [1]
    assert changed_lines(old, Text("a\nb\nc")) == []
    styled = Text("a\nb\nc")
    styled.stylize("bold", 4, 5)
    assert changed_lines(old, styled) == [2]  # a style change is a change
    assert changed_lines(old, Text("a\nb")) is None


def test_visual_key_ignores_changes_below_the_plot_resolution() -> None:
    from crashtui.ui.render.charts import ChartSpec, Series, visual_key

    xs = tuple(float(x) for x in range(-72, 0))
    ys = tuple(60_000.0 + 100.0 * (x % 7) for x in range(72))

    def spec(shift: float, last: float) -> ChartSpec:
        return ChartSpec(series=(Series(tuple(x + shift for x in xs), (*ys[:-1], last), "red"),))

    base = visual_key(spec(0.0, ys[-1]), 80, 14)
    assert visual_key(spec(0.0, ys[-1] + 0.5), 80, 14) == base  # a fraction of a dot
    assert visual_key(spec(-0.25, ys[-1]), 80, 14) == base  # the replay clock slid every x
    assert visual_key(spec(0.0, ys[-1] + 300.0), 80, 14) != base  # a move you can see
    assert visual_key(spec(0.0, ys[-1]), 100, 14) != base  # another size


@pytest.mark.parametrize("width", [40, 60, 80, 120, 160])
def test_the_status_bar_counts_this_sessions_alerts_at_every_width(frame: Frame, width: int) -> None:
    quiet = build_status(frame, width)
    alerted = build_status(replace(frame, alerts=3), width)
    assert alerted.cell_len <= width
    assert "!" not in quiet.plain
    assert "! 3 alerts" in alerted.plain or "!3" in alerted.plain
    if width >= 120:
        assert alerted.plain.rstrip().endswith("! 3 alerts  ? help  ⏎ drill  l e f m s  w lists  q quit")


def test_an_alert_that_does_not_fit_gets_its_message_on_wrapped_lines_below() -> None:
    alert = Alert(
        id="1",
        at_ms=parse_instant("2026-02-06T01:01Z"),
        rule="ETH 1826 break",
        kind="zone_break",
        severity="warning",
        message="ETH broke below the pinned 1,826 zone (1,824–1,828): 1h close 1,812 at 01:00Z "
        "\x1b[2J[b]x[/b]",
        symbol="ETH",
    )
    wide = alert_list([alert], PALETTE, 160, "none").plain.split("\n")
    assert wide == [
        "02-06 01:01Z WARNING  ETH 1826 break         ETH   "
        "ETH broke below the pinned 1,826 zone (1,824–1,828): 1h close 1,812 at 01:00Z [b]x[/b]"
    ]
    narrow = alert_list([alert], PALETTE, 60, "none").plain.split("\n")
    assert narrow[0].startswith("02-06 01:01Z WARNING  ETH 1826 break")
    assert all(len(line) <= 60 for line in narrow)
    assert " ".join(line.strip() for line in narrow[1:]).endswith("1h close 1,812 at 01:00Z [b]x[/b]")
    assert alert_list([], PALETTE, 60, "no alerts yet").plain == "no alerts yet"


def test_status_bar_and_header_say_via_collector(frame: Frame) -> None:
    """A live dashboard that follows a collector says so in the status bar and the header."""
    from crashtui.model import SourceState, SourceStatus
    from crashtui.ui.render.header import build_header

    statuses = {"collector": SourceStatus("collector", SourceState.OK, frame.now_ms, last_ok_ms=frame.now_ms)}
    live = replace(
        frame, replay=None, feed="via collector", snapshot=replace(frame.snapshot, statuses=statuses)
    )
    assert build_status(live, 120).plain.startswith("via collector")
    assert "LIVE via collector" in build_header(live, 120).plain
    assert "via collector" not in build_status(replace(live, feed="direct"), 120).plain


def with_btc_testing(frame: Frame) -> Frame:
    """The scenario's frame with BTC testing its support zone (the longest badge there is)."""
    from crashtui.analysis.zone_state import ZoneState

    item = frame.analysis.symbol("BTC")
    assert item is not None
    assert item.summary is not None
    assert item.summary.support is not None
    zone = replace(item.summary.support, state=ZoneState.TESTING)
    summary = replace(
        item.summary, badge=ZoneState.TESTING, badge_text="testing 59,812–60,245", badge_zone=zone
    )
    symbols = tuple(replace(s, summary=summary) if s.symbol == "BTC" else s for s in frame.analysis.symbols)
    return replace(frame, analysis=replace(frame.analysis, symbols=symbols))


@pytest.mark.parametrize("width", range(24, 201, 4))
def test_the_state_column_never_disappears_it_abbreviates(frame: Frame, width: int) -> None:
    """Issue 20: at 80 columns and in ``--pane price`` a "testing" row dropped STATE altogether."""
    for shown, long, short in (
        (with_btc_testing(frame), "testing", "TEST"),
        (frame, "turned resist", "S->R"),
    ):
        rows = build_watch_rows(shown, width)
        assert "STATE" in rows.header.plain
        btc = rows.rows[rows.symbols.index("BTC")].plain
        assert long in btc or short in btc
        assert all(len(r.plain) <= max(10, width - 1) for r in rows.rows)


def test_abbreviated_states_say_which_way(frame: Frame) -> None:
    from crashtui.ui.render.price import state_abbrev

    item = frame.analysis.symbol("BTC")
    assert item is not None
    assert item.summary is not None
    # BTC at 60,197 under its 61,992 zone, a support that turned resistance: price is below it.
    assert state_abbrev(item.summary, 60_197.0, UNICODE) == "S->R↓"
    assert state_abbrev(item.summary, 60_197.0, ASCII) == "S->Rv"
    assert state_abbrev(item.summary, 70_000.0, UNICODE) == "S->R↑"
    tested = with_btc_testing(frame).analysis.symbol("BTC")
    assert tested is not None
    assert state_abbrev(tested.summary, 60_000.0, UNICODE) == "TEST"


@pytest.mark.parametrize("width", [60, 78, 120])
def test_help_wraps_every_line_to_the_screen_and_loses_no_word(frame: Frame, width: int) -> None:
    # at 80 columns help lines were cut mid-sentence ("d dismisses an")
    from crashtui.ui.keys import KEYS
    from crashtui.ui.screens.help import SCREEN_KEYS, keys_text, legend_text

    keys = keys_text(frame, width).plain
    legend = legend_text(frame, width).plain
    for line in (keys + "\n" + legend).splitlines():
        assert len(line) <= width, line
    words = " ".join(keys.split())
    for key in KEYS:
        assert " ".join(key.description.split()) in words
    for where, what in SCREEN_KEYS:
        assert f"{where}: {what}" in words
    wide = " ".join(legend_text(frame, 200).plain.split())
    assert " ".join(legend.split()) == wide


def test_an_old_ticker_is_never_shown_as_the_current_price(frame: Frame) -> None:
    """A ticker 36 h old: the newer 1h close is the price (the chart's number), without the
    old 24 h change; with no candle newer than the ticker, the old price says its age."""
    from crashtui.ui.render.drill_symbol import symbol_summary

    now = frame.snapshot.generated_ms
    old = replace(frame.snapshot.tickers["BTC"], ts_ms=now - 36 * 3_600_000, price=66_601.0)
    snapshot = replace(frame.snapshot, tickers={**frame.snapshot.tickers, "BTC": old})
    closes = replace(frame, snapshot=snapshot)
    last_close = max(snapshot.candles[("BTC", Interval.H1)], key=lambda c: c.open_ms).close
    row = build_watch_rows(closes, 100)
    btc = row.rows[row.symbols.index("BTC")].plain
    assert fmt_price(last_close) in btc
    assert "66,601" not in btc
    assert "-9.4%" not in btc  # the old ticker's change
    head = symbol_summary(closes, "BTC", 200).plain
    assert "price: last 1h close (binance)" in head
    assert "66,601" not in head

    candles = {k: v for k, v in snapshot.candles.items() if k[0] != "BTC"}
    only_old = replace(frame, snapshot=replace(snapshot, candles=candles))
    row = build_watch_rows(only_old, 100)
    btc = row.rows[row.symbols.index("BTC")].plain
    assert "66,601" in btc
    assert "36 h old" in btc
    head = symbol_summary(only_old, "BTC", 200).plain
    assert "price: ticker binance, stale: quoted 36 h ago" in head
    assert "36 h old" in head
