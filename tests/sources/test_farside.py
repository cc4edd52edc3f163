"""Farside HTML parser: the real page excerpt plus the documented traps."""

from __future__ import annotations

import pytest

from crashtui.errors import BlockedError, ParseError
from crashtui.sources import farside
from crashtui.sources.common import iso_day_ms
from tests.conftest import FixtureReader


def _page(header: list[str], rows: list[tuple[str, list[str]]], head_first: str = "") -> bytes:
    """A minimal Farside-shaped page: logo row, ticker row, fee row, then data rows."""
    th = "".join(f"<th><span class='tabletext'>{h}</span></th>" for h in [head_first, *header, ""])
    logos = "".join("<th><img alt='x'></th>" for _ in range(len(header) + 2))
    body = ""
    for style, cells in rows:
        tds = "".join(f"<td><div align='right'><span class='tabletext'>{c}</span></div></td>" for c in cells)
        body += f"<tr style='{style}'>{tds}</tr>"
    fee = "".join("<th>0.25%</th>" for _ in header)
    return (
        f"<html><body><table class='etf'><thead><tr>{logos}</tr><tr>{th}</tr>"
        f"<tr><th>Fee</th>{fee}<th></th></tr></thead><tbody>{body}</tbody></table></body></html>"
    ).encode()


def test_real_page_rows(fixture_bytes: FixtureReader) -> None:
    flows = farside.parse_page(fixture_bytes("farside_btc.html"), asset="BTC")
    assert [f.day_ms for f in flows] == [
        iso_day_ms(d) for d in ("2026-07-06", "2026-07-07", "2026-07-08", "2026-07-22", "2026-07-23")
    ]
    first = flows[0]
    assert first.total_usd_m == 265.7
    assert first.asset == "BTC"
    assert first.source == "farside"
    funds = {f.ticker: f.flow_usd_m for f in first.funds}
    assert list(funds) == [
        "IBIT",
        "FBTC",
        "BITB",
        "ARKB",
        "BTCO",
        "EZBC",
        "BRRR",
        "HODL",
        "BTCW",
        "MSBT",
        "GBTC",
        "BTC",
    ]
    assert funds["IBIT"] == 209.4
    assert funds["MSBT"] == 11.0
    assert funds["GBTC"] == -44.5  # <span class="redFont">(44.5)</span>
    assert funds["BTCO"] == 0.0  # a real zero (class="zero-flow")
    assert flows[2].total_usd_m == -84.9


def test_todays_placeholder_row_is_unpublished_not_zero(fixture_bytes: FixtureReader) -> None:
    today = farside.parse_page(fixture_bytes("farside_btc.html"), asset="BTC")[-1]
    assert today.day_ms == iso_day_ms("2026-07-23")
    assert today.total_usd_m is None
    assert not today.published
    assert all(f.flow_usd_m is None for f in today.funds)


def test_summary_rows_are_skipped(fixture_bytes: FixtureReader) -> None:
    flows = farside.parse_page(fixture_bytes("farside_btc.html"), asset="BTC")
    # Total (51,904), Average, Maximum (1,373.8), Minimum are not days
    assert all(f.total_usd_m is None or abs(f.total_usd_m) < 1000 for f in flows)
    assert len(flows) == 5


def test_columns_are_mapped_by_ticker_header_not_position() -> None:
    page = _page(["FBTC", "IBIT", "NEWX"], [("", ["02 Feb 2026", "(10.0)", "1,100.5", "5.0", "1,095.5"])])
    (flow,) = farside.parse_page(page, asset="BTC")
    assert {f.ticker: f.flow_usd_m for f in flow.funds} == {"FBTC": -10.0, "IBIT": 1100.5, "NEWX": 5.0}
    assert flow.total_usd_m == 1095.5


def test_dash_and_empty_cells_are_unpublished_and_partial_rows_keep_the_rest() -> None:
    page = _page(["IBIT", "FBTC", "GBTC"], [("", ["03 Feb 2026", "100.0", "-", "", "100.0"])])
    (flow,) = farside.parse_page(page, asset="BTC")
    assert [f.flow_usd_m for f in flow.funds] == [100.0, None, None]
    assert flow.total_usd_m == 100.0


def test_row_of_dashes_is_unpublished_even_without_the_green_style() -> None:
    page = _page(["IBIT", "FBTC"], [("", ["04 Feb 2026", "-", "-", "0.0"])])
    (flow,) = farside.parse_page(page, asset="ETH")
    assert flow.total_usd_m is None


def test_green_placeholder_style_wins_over_numbers() -> None:
    page = _page(
        ["IBIT", "FBTC"], [("background-color: #99FF99 !important;", ["05 Feb 2026", "0.0", "0.0", "0.0"])]
    )
    (flow,) = farside.parse_page(page, asset="BTC")
    assert flow.total_usd_m is None


def test_sum_not_matching_total_raises() -> None:
    page = _page(["IBIT", "FBTC"], [("", ["06 Feb 2026", "100.0", "50.0", "120.0"])])
    with pytest.raises(ParseError, match=r"sum to 150\.0 but Total is 120\.0"):
        farside.parse_page(page, asset="BTC")


def test_sum_within_rounding_is_accepted() -> None:
    page = _page(["A1", "B1", "C1"], [("", ["06 Feb 2026", "0.1", "0.1", "0.1", "0.4"])])
    (flow,) = farside.parse_page(page, asset="BTC")
    assert flow.total_usd_m == 0.4


def test_all_data_page_header_with_date_and_total() -> None:
    page = _page(
        ["IBIT", "FBTC"],
        [("", ["Seed*", "10.0", "10.0", "20.0"]), ("", ["11 Jan 2024", "111.7", "227.0", "338.7"])],
        head_first="Date",
    )
    page = page.replace(
        b"<th><span class='tabletext'></span></th></tr>",
        b"<th><span class='tabletext'>Total</span></th></tr>",
        1,
    )
    (flow,) = farside.parse_page(page, asset="BTC")
    assert flow.total_usd_m == 338.7


def test_cloudflare_page_is_blocked(fixture_bytes: FixtureReader) -> None:
    with pytest.raises(BlockedError):
        farside.parse_page(fixture_bytes("cloudflare_challenge_page_reconstructed.html"), asset="BTC")


def test_page_without_table_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no <table"):
        farside.parse_page(b"<html><body><p>maintenance</p></body></html>", asset="BTC")


def test_row_with_wrong_cell_count_is_a_parse_error() -> None:
    page = _page(["IBIT", "FBTC"], [("", ["06 Feb 2026", "100.0", "100.0"])])
    with pytest.raises(ParseError, match="3 cells for 2 funds"):
        farside.parse_page(page, asset="BTC")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("209.4", 209.4),
        ("(44.5)", -44.5),
        ("1,119.9", 1119.9),
        ("(27,416)", -27416.0),
        ("60,809", 60809.0),
        ("0.0", 0.0),
        ("-", None),
        ("", None),
        (" 12.5* ", 12.5),
    ],
)
def test_cell_values(text: str, value: float | None) -> None:
    assert farside.parse_cell(text) == value


def test_garbage_cell_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        farside.parse_cell("n/a")


def test_table_rows_follow_html_rules_the_page_may_use() -> None:
    """The tokenizer reads what a browser would: entities, comments, nested tables, stray "<",
    unquoted and upper-case attributes, self-closed cells; scripts never open the table."""
    from crashtui.sources.farside import etf_table_rows

    html = (
        "<script>document.write('<table class=\"etf\"><tr><td>fake</td></tr>')</script>"
        "<p>x < y</p><TABLE CLASS=etf><THEAD><TR style='a'><TH>Date</TH></TR></THEAD>"
        "<tr bgcolor=#99ff99><td> 1 &amp;\n 2 </td><td/><td>x<!-- note -->y</td></tr>"
        "<tr><td>a<table><tr><td>inner</td></tr></table>b</td><td>1 < 2</td></tr></TABLE>"
        '<table class="etf"><tr><td>second table</td></tr></table>'
    )
    rows = [(r.style, r.header, r.cells) for r in etf_table_rows(html)]
    assert rows == [
        ("a", True, ["Date"]),
        ("#99ff99", False, ["1 & 2", "", "xy"]),
        ("", False, ["ainnerb", "1 < 2"]),  # a nested table is text of its cell, not rows
    ]
