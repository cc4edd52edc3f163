"""Positioning parsers (OI history, taker volume, account ratios, funding history) on the
documented and recorded payloads in tests/fixtures, plus hostile variants of them."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from crashtui.errors import BlockedError, ParseError, RateLimitedError, UpstreamError
from crashtui.model import (
    FundingPoint,
    FundingSnapshot,
    LongShortRatio,
    OpenInterestPoint,
    RawPayload,
    freeze_params,
)
from crashtui.sources import binance_futures, bybit, hyperliquid, okx_public
from crashtui.sources.rows import row_log
from crashtui.symbols import SymbolTable
from tests.conftest import FixtureReader

TABLE = SymbolTable()
MIN5 = 300_000
HOUR = 3_600_000
DAY = 86_400_000


def _edit(body: bytes, old: str, new: str) -> bytes:
    text = body.decode()
    assert old in text, old
    return text.replace(old, new).encode()


def _raw(source: str, endpoint: str, body: bytes, received_ms: int, **params: str) -> RawPayload:
    return RawPayload(source, endpoint, received_ms, body, freeze_params(params))


# --- Binance /futures/data -----------------------------------------------------------------


def test_binance_oi_history_units_and_string_timestamps(fixture_bytes: FixtureReader) -> None:
    points = binance_futures.parse_open_interest_hist(
        fixture_bytes("binance_futures_open_interest_hist.json"), symbol="BTC", period_ms=MIN5
    )
    assert [p.ts_ms for p in points] == [1583127900000, 1583128200000]  # doc: ms strings
    first = points[0]
    assert first.oi_base == 20403.637  # sumOpenInterest: BTC
    assert first.oi_usd == 150570784.07809979  # sumOpenInterestValue: USDT
    assert first.period_ms == MIN5
    assert first.scope == "perp"
    assert first.venue == "binance_futures"
    # the implied price (7,380 USDT) is a real March-2020 BTC price: the units are right
    assert first.oi_usd / first.oi_base == pytest.approx(7379.6, abs=1)


def test_binance_oi_history_int_timestamps_and_reversed_rows(fixture_bytes: FixtureReader) -> None:
    rows = json.loads(fixture_bytes("binance_futures_open_interest_hist.json"))
    for row in rows:
        row["timestamp"] = int(row["timestamp"])  # what real replies send
    body = json.dumps(rows[::-1]).encode()
    points = binance_futures.parse_open_interest_hist(body, symbol="BTC", period_ms=MIN5)
    assert [p.ts_ms for p in points] == [1583127900000, 1583128200000]
    assert points[1].oi_base == 20401.367


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        ('"1583127900000"', '"1583127900"', "seconds"),
        ('"1583127900000"', "1583127900", "seconds"),
        ('"1583127900000"', '"0"', "plausible"),
        ('"1583127900000"', '"15831279000000000"', "timestamp"),
        ('"1583127900000"', "true", "timestamp"),
        ('"20403.63700000"', "NaN", "finite"),
        ('"20403.63700000"', '"Infinity"', "finite"),
        ('"20403.63700000"', '"-20403.637"', "negative"),
        ('"20403.63700000"', '"1e308"', "ceiling"),
        ('"150570784.07809979"', '"1e300"', "ceiling"),
        ('"20403.63700000"', "null", "number"),
    ],
)
def test_binance_oi_history_hostile_values(
    old: str, new: str, match: str, fixture_bytes: FixtureReader
) -> None:
    clean = binance_futures.parse_open_interest_hist(
        fixture_bytes("binance_futures_open_interest_hist.json"), symbol="BTC", period_ms=MIN5
    )
    body = _edit(fixture_bytes("binance_futures_open_interest_hist.json"), old, new)
    with row_log() as log:  # the hostile row is left out and reported; the other row stays
        points = binance_futures.parse_open_interest_hist(body, symbol="BTC", period_ms=MIN5)
    assert points == clean[1:]
    (reason,) = log.reasons
    assert re.search(match, reason), reason
    assert reason.startswith("open interest: ")
    only = json.dumps(json.loads(body)[:1]).encode()  # the hostile row alone: nothing usable
    with pytest.raises(ParseError, match=match):
        binance_futures.parse_open_interest_hist(only, symbol="BTC", period_ms=MIN5)


def test_binance_oi_history_far_future_row_rejected(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("binance_futures_open_interest_hist.json")
    received = 1583128200000 + 5_000
    assert (
        len(
            binance_futures.parse_open_interest_hist(body, symbol="BTC", period_ms=MIN5, received_ms=received)
        )
        == 2
    )
    with pytest.raises(ParseError, match="after the payload was received"):
        binance_futures.parse_open_interest_hist(
            body, symbol="BTC", period_ms=MIN5, received_ms=1583128200000 - 2 * HOUR
        )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"code":-1121,"msg":"Invalid symbol."}', UpstreamError),
        (b'{"code":-1003,"msg":"Too many requests."}', RateLimitedError),
        (b'[{"symbol":"BTCUSDT","sumOpenInterest":"1"', ParseError),  # truncated
        (b'{"symbol":"BTCUSDT"}', ParseError),
        (b"[[1, 2]]", ParseError),
        (b"<!DOCTYPE html><title>Just a moment...</title>", BlockedError),
    ],
)
def test_binance_oi_history_bad_bodies(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        binance_futures.parse_open_interest_hist(body, symbol="BTC", period_ms=MIN5)


def test_binance_taker_volume_sorted_and_volumes_not_the_ratio(fixture_bytes: FixtureReader) -> None:
    volumes = binance_futures.parse_taker_volume(
        fixture_bytes("binance_futures_taker_long_short_ratio.json"), symbol="BTC", period_ms=MIN5
    )
    # the doc lists 1585614900000 before 1583139900000: oldest first after parsing
    assert [v.ts_ms for v in volumes] == [1583139900000, 1585614900000]
    older = volumes[0]
    assert (older.buy_base, older.sell_base) == (343.929, 248.503)
    # the split comes from the volumes (the row's own buySellRatio 1.3104 disagrees with them)
    assert older.buy_share == pytest.approx(343.929 / (343.929 + 248.503))
    assert older.buy_share == pytest.approx(0.5805, abs=1e-4)


def test_taker_volume_without_volume_has_no_share(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("binance_futures_taker_long_short_ratio.json"), '"387.3300"', '"0"')
    body = _edit(
        body, '"248.5030",\n\t    "timestamp":"1585614900000"', '"0",\n\t    "timestamp":"1585614900000"'
    )
    newer = binance_futures.parse_taker_volume(body, symbol="BTC", period_ms=MIN5)[1]
    assert newer.buy_share is None


def test_binance_global_long_short_recomputes_the_ratio(fixture_bytes: FixtureReader) -> None:
    ratios = binance_futures.parse_global_long_short(
        fixture_bytes("binance_futures_global_long_short_account_ratio.json"), symbol="BTC", period_ms=MIN5
    )
    first, second = ratios
    assert (first.long_share, first.short_share) == (0.6622, 0.3378)
    assert first.ratio == pytest.approx(1.9604, abs=1e-4)  # the doc's own field says 0.1960 (typo)
    assert second.ratio == pytest.approx(0.6617 / 0.3382)


@pytest.mark.parametrize(
    ("old", "new"), [('"0.6622"', '"1.6622"'), ('"0.3378"', '"-0.3378"'), ('"0.6622"', '"0.9"')]
)
def test_binance_account_shares_must_split_accounts(old: str, new: str, fixture_bytes: FixtureReader) -> None:
    clean = binance_futures.parse_global_long_short(
        fixture_bytes("binance_futures_global_long_short_account_ratio.json"), symbol="BTC", period_ms=MIN5
    )
    body = _edit(fixture_bytes("binance_futures_global_long_short_account_ratio.json"), old, new)
    with row_log() as log:
        ratios = binance_futures.parse_global_long_short(body, symbol="BTC", period_ms=MIN5)
    assert log.count == 1  # that row is left out, the others kept unchanged
    assert len(ratios) == len(clean) - 1
    assert set(ratios) < set(clean)


def test_binance_funding_history_8h(fixture_bytes: FixtureReader) -> None:
    points = binance_futures.parse_funding_rate_history(
        fixture_bytes("binance_futures_funding_rate_history.json"), symbol="BTC"
    )
    assert [p.ts_ms for p in points] == [1570608000000, 1570636800000]  # 8 h apart
    assert [p.interval_ms for p in points] == [8 * HOUR, 8 * HOUR]
    assert [p.rate_8h for p in points] == [-0.0375, 0.0001]
    assert points[1].annualised == pytest.approx(0.1095)  # 0.01% × 3 × 365


def test_binance_funding_history_4h_symbol_is_doubled(fixture_bytes: FixtureReader) -> None:
    # the same rows settled 4 h apart (as Binance does for some symbols): 0.01%/4h = 0.02%/8h
    body = _edit(fixture_bytes("binance_futures_funding_rate_history.json"), "1570636800000", "1570622400000")
    points = binance_futures.parse_funding_rate_history(body, symbol="BTC")
    assert [p.interval_ms for p in points] == [4 * HOUR, 4 * HOUR]
    assert points[1].rate_8h == pytest.approx(0.0002)


def test_binance_funding_history_absurd_rate_rejected(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("binance_futures_funding_rate_history.json"), '"0.00010000"', '"3.5"')
    with row_log() as log:
        points = binance_futures.parse_funding_rate_history(body, symbol="BTC")
    assert [(p.ts_ms, p.rate_8h) for p in points] == [(1570608000000, -0.0375)]
    (reason,) = log.reasons
    assert "per 8 h" in reason


def test_binance_premium_index_rejects_seconds(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("binance_futures_premium_index.json"), "1597370495002", "1597370495")
    with pytest.raises(ParseError, match="seconds"):
        binance_futures.parse_premium_index(body, instruments={"BTCUSDT": "BTC"})


def test_binance_point_open_interest_rejects_negative(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("binance_futures_open_interest.json"), '"10659.509"', '"-1"')
    with pytest.raises(ParseError, match="negative"):
        binance_futures.parse_open_interest(body, symbol="BTC")


# --- Bybit -----------------------------------------------------------------------------------


def test_bybit_inverse_open_interest_is_one_side_in_usd(fixture_bytes: FixtureReader) -> None:
    points = bybit.parse_open_interest(fixture_bytes("bybit_open_interest.json"), symbol="BTC", period_ms=DAY)
    # newest first in the body; daily rows
    assert [p.ts_ms for p in points] == [1780617600000 + i * DAY for i in range(5)]
    oldest, newest = points[0], points[-1]
    assert oldest.oi_base is None  # inverse: USD, not coins
    assert oldest.oi_usd == 31971156.0  # singleOpenInterest
    assert newest.oi_usd == 31955346.0
    # openInterest (63,910,691) is both sides: one side is half of it, rounded
    assert newest.oi_usd == pytest.approx(63910691 / 2, abs=1)


def test_bybit_linear_open_interest_in_coins(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("bybit_open_interest.json"), '"inverse"', '"linear"')
    points = bybit.parse_open_interest(body, symbol="BTC", period_ms=DAY)
    assert points[-1].oi_base == 31955346.0
    assert points[-1].oi_usd is None


def test_bybit_open_interest_without_single_side_field(fixture_bytes: FixtureReader) -> None:
    # the pre-2026 shape: only openInterest, documented as "single side data"
    data = json.loads(fixture_bytes("bybit_open_interest.json"))
    for row in data["result"]["list"]:
        del row["singleOpenInterest"]
    points = bybit.parse_open_interest(json.dumps(data).encode(), symbol="BTC", period_ms=DAY)
    assert points[-1].oi_usd == 63910691.0


def test_bybit_open_interest_unknown_category(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("bybit_open_interest.json"), '"inverse"', '"option"')
    with pytest.raises(ParseError, match="category"):
        bybit.parse_open_interest(body, symbol="BTC", period_ms=DAY)


def test_bybit_open_interest_rate_limit_envelope() -> None:
    with pytest.raises(RateLimitedError):
        bybit.parse_open_interest(
            b'{"retCode":10006,"retMsg":"Too many visits!","result":{}}', symbol="BTC", period_ms=MIN5
        )


def test_bybit_funding_history_lone_row(fixture_bytes: FixtureReader) -> None:
    (point,) = bybit.parse_funding_history(fixture_bytes("bybit_funding_history.json"), symbol="ETH")
    assert point == FundingPoint("bybit", "ETH", 1672041600000, 0.0001, 8 * HOUR)


def test_bybit_funding_history_hourly_symbol(fixture_bytes: FixtureReader) -> None:
    data = json.loads(fixture_bytes("bybit_funding_history.json"))
    row = data["result"]["list"][0]
    # newest first, as Bybit lists: three hourly settlements of 0.01% each
    data["result"]["list"] = [dict(row, fundingRateTimestamp=str(1672041600000 - i * HOUR)) for i in range(3)]
    points = bybit.parse_funding_history(json.dumps(data).encode(), symbol="ETH")
    assert [p.interval_ms for p in points] == [HOUR] * 3
    assert [p.rate_8h for p in points] == [pytest.approx(0.0008)] * 3


def test_bybit_account_ratio(fixture_bytes: FixtureReader) -> None:
    ratios = bybit.parse_account_ratio(
        fixture_bytes("bybit_account_ratio.json"), symbol="BTC", period_ms=HOUR
    )
    assert [r.ts_ms for r in ratios] == [1696258800000, 1696262400000]  # newest first in the body
    assert (ratios[1].long_share, ratios[1].short_share) == (0.49, 0.51)
    assert ratios[1].ratio == pytest.approx(0.49 / 0.51)


# --- OKX ---------------------------------------------------------------------------------------


def test_okx_open_interest_coins_and_usd(fixture_bytes: FixtureReader) -> None:
    (snap,) = okx_public.parse_open_interest(
        fixture_bytes("okx_open_interest.json"), instruments={"BTC-USDT-SWAP": "BTC"}
    )
    assert snap == FundingSnapshot(
        venue="okx_public",
        symbol="BTC",
        ts_ms=1597026383085,
        open_interest_base=555.55,
        open_interest_usd=50000.0,
    )
    assert okx_public.parse_open_interest(fixture_bytes("okx_open_interest.json"), instruments={}) == ()


def test_okx_funding_rate_interval_from_next_funding_time(fixture_bytes: FixtureReader) -> None:
    (snap,) = okx_public.parse_funding_rate(
        fixture_bytes("okx_funding_rate.json"), instruments={"BTC-USDT-SWAP": "BTC"}
    )
    # nextFundingTime − fundingTime = 1743638400000 − 1743609600000 = 8 h: the rate stands
    assert snap.funding_rate_8h == pytest.approx(0.0000182221218054)
    assert snap.next_funding_ms == 1743609600000  # fundingTime: the settlement this rate is for
    assert snap.ts_ms == 1743588686291


def test_okx_funding_rate_four_hour_interval(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("okx_funding_rate.json"), '"1743638400000"', '"1743624000000"')
    (snap,) = okx_public.parse_funding_rate(body, instruments={"BTC-USDT-SWAP": "BTC"})
    assert snap.funding_rate_8h == pytest.approx(2 * 0.0000182221218054)


def test_okx_funding_rate_unknown_interval_is_left_out(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("okx_funding_rate.json"), '"1743638400000"', '""')
    (snap,) = okx_public.parse_funding_rate(body, instruments={"BTC-USDT-SWAP": "BTC"})
    assert snap.funding_rate_8h is None
    assert snap.next_funding_ms == 1743609600000


def test_okx_funding_rate_implausible_interval(fixture_bytes: FixtureReader) -> None:
    body = _edit(fixture_bytes("okx_funding_rate.json"), '"1743638400000"', '"1743609600000"')
    with pytest.raises(ParseError, match="interval"):
        okx_public.parse_funding_rate(body, instruments={"BTC-USDT-SWAP": "BTC"})


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b'{"code":"50011","msg":"Too Many Requests","data":[]}', RateLimitedError),
        (b'{"code":"51001","msg":"Instrument ID does not exist","data":[]}', UpstreamError),
        (b'{"code":"0","msg":"","data":{}}', ParseError),
        (b'{"code":"0","msg":"","data":[["1630502400000"]]}', ParseError),
        (b'{"code":"0","msg":"","data":[{"ts":"1630502400000"}]}', ParseError),
        (b'{"code":"0","msg":"","data":[["1630502400","1.0","2.0"]]}', ParseError),
    ],
)
def test_okx_rubik_bad_bodies(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        okx_public.parse_contracts_open_interest(body, symbol="BTC", period_ms=MIN5)


def test_okx_rubik_open_interest_is_usd_of_all_contracts(fixture_bytes: FixtureReader) -> None:
    (point,) = okx_public.parse_contracts_open_interest(
        fixture_bytes("okx_rubik_contracts_open_interest_volume.json"), symbol="BTC", period_ms=HOUR
    )
    assert point == OpenInterestPoint("okx_public", "BTC", 1630502400000, None, 1713028741.6898, HOUR, "all")


def test_okx_rubik_account_ratio_to_shares(fixture_bytes: FixtureReader) -> None:
    (ratio,) = okx_public.parse_long_short_account_ratio(
        fixture_bytes("okx_rubik_long_short_account_ratio.json"), symbol="BTC", period_ms=MIN5
    )
    # r = 1.25 longs per short: 1.25 / 2.25 of accounts long, 1 / 2.25 short
    assert ratio.long_share == pytest.approx(5 / 9)
    assert ratio.short_share == pytest.approx(4 / 9)
    assert ratio.ratio == pytest.approx(1.25)


def test_okx_contract_ratio_duplicate_timestamp_keeps_first(fixture_bytes: FixtureReader) -> None:
    ratios = okx_public.parse_long_short_account_ratio(
        fixture_bytes("okx_rubik_long_short_account_ratio_contract.json"), symbol="BTC", period_ms=MIN5
    )
    assert len(ratios) == 1
    assert ratios[0].ts_ms == 1701417600000
    assert ratios[0].ratio == pytest.approx(1.1739)


def test_okx_ratio_hostile() -> None:
    for value in ('"-1"', '"NaN"', '"1e300"', "null"):
        body = ('{"code":"0","msg":"","data":[["1701417600000",' + value + "]]}").encode()
        with pytest.raises(ParseError):
            okx_public.parse_long_short_account_ratio(body, symbol="BTC", period_ms=MIN5)


# --- Hyperliquid ---------------------------------------------------------------------------------


def test_hyperliquid_funding_history_8_hourly(fixture_bytes: FixtureReader) -> None:
    points = hyperliquid.parse_funding_history(
        fixture_bytes("hyperliquid_funding_history_btc.json"), symbol="BTC"
    )
    assert len(points) == 34
    assert {p.interval_ms for p in points} == {8 * HOUR}  # May 2023: before the switch to hourly
    assert points[0] == FundingPoint("hyperliquid", "BTC", 1683849600048, -0.00061334, 8 * HOUR)


def test_hyperliquid_funding_history_across_the_switch(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("hyperliquid_funding_history_btc_8h_to_1h_excerpt.json")
    rows = json.loads(body)
    points = hyperliquid.parse_funding_history(body, symbol="BTC")
    assert [p.ts_ms for p in points] == [r["time"] for r in rows]
    # rows 0-5 settle 8-hourly (one at 08:23:53, off the hour; a 352 h cut in the excerpt
    # between rows 3 and 4), rows 6-14 hourly (cuts of 591 h and 357 h, and 20:00 missing
    # before row 11): every interval is the schedule's, never a gap's
    assert [p.interval_ms // HOUR for p in points] == [8] * 6 + [1] * 9
    # the same cap either side of the switch: 0.0001 per 8 h and 0.0000125 per hour
    assert points[5].rate_8h == pytest.approx(0.0001)
    assert points[6].rate_8h == pytest.approx(0.0001)
    # an hourly rate was premium / 8 in mid-2023, so ×8 gives back the premium
    assert points[11].rate_8h == pytest.approx(float(rows[11]["premium"]), rel=1e-3)


def test_hyperliquid_funding_history_any_order_and_duplicates(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("hyperliquid_funding_history_btc_8h_to_1h_excerpt.json")
    rows: list[Any] = json.loads(body)
    shuffled = json.dumps(rows[::-1] + rows[3:5]).encode()
    assert hyperliquid.parse_funding_history(shuffled, symbol="BTC") == hyperliquid.parse_funding_history(
        body, symbol="BTC"
    )


@pytest.mark.parametrize(("row", "hours"), [(5, 8), (6, 1)])
def test_hyperliquid_lone_row_interval_by_date(row: int, hours: int, fixture_bytes: FixtureReader) -> None:
    rows = json.loads(fixture_bytes("hyperliquid_funding_history_btc_8h_to_1h_excerpt.json"))
    (point,) = hyperliquid.parse_funding_history(json.dumps([rows[row]]).encode(), symbol="BTC")
    assert point.interval_ms == hours * HOUR


def test_hyperliquid_funding_history_errors() -> None:
    with pytest.raises(UpstreamError):
        hyperliquid.parse_funding_history(b'{"error":"unknown coin"}', symbol="BTC")
    with pytest.raises(ParseError, match="seconds"):
        hyperliquid.parse_funding_history(
            b'[{"coin":"BTC","fundingRate":"0.0001","premium":"0","time":1686153600}]', symbol="BTC"
        )
    assert hyperliquid.parse_funding_history(b"[]", symbol="BTC") == ()


# --- Decoders: everything from the recorded payload alone -------------------------------------------


@pytest.mark.parametrize(
    ("module", "endpoint", "name", "params", "kind", "model", "count"),
    [
        (
            binance_futures,
            "open_interest_hist",
            "binance_futures_open_interest_hist.json",
            {"symbol": "BTC", "period": "5m"},
            "open_interest_history",
            OpenInterestPoint,
            2,
        ),
        (
            binance_futures,
            "taker_long_short_ratio",
            "binance_futures_taker_long_short_ratio.json",
            {"symbol": "BTC", "period": "5m"},
            "taker_volume",
            None,
            2,
        ),
        (
            binance_futures,
            "global_long_short_account_ratio",
            "binance_futures_global_long_short_account_ratio.json",
            {"symbol": "BTC", "period": "1h"},
            "long_short_ratio",
            LongShortRatio,
            2,
        ),
        (
            binance_futures,
            "funding_rate_history",
            "binance_futures_funding_rate_history.json",
            {"symbol": "BTC"},
            "funding_history",
            FundingPoint,
            2,
        ),
        (
            bybit,
            "open_interest",
            "bybit_open_interest.json",
            {"symbol": "BTC", "period": "1d"},
            "open_interest_history",
            OpenInterestPoint,
            5,
        ),
        (
            bybit,
            "funding_history",
            "bybit_funding_history.json",
            {"symbol": "ETH"},
            "funding_history",
            FundingPoint,
            1,
        ),
        (
            bybit,
            "account_ratio",
            "bybit_account_ratio.json",
            {"symbol": "BTC", "period": "1h"},
            "long_short_ratio",
            LongShortRatio,
            2,
        ),
        (
            hyperliquid,
            "funding_history",
            "hyperliquid_funding_history_btc.json",
            {"symbol": "BTC"},
            "funding_history",
            FundingPoint,
            34,
        ),
        (
            okx_public,
            "open_interest",
            "okx_open_interest.json",
            {"symbols": "BTC"},
            "open_interest",
            FundingSnapshot,
            1,
        ),
        (
            okx_public,
            "funding_rate",
            "okx_funding_rate.json",
            {"symbols": "BTC,ETH"},
            "funding",
            FundingSnapshot,
            1,
        ),
        (
            okx_public,
            "rubik_open_interest_volume",
            "okx_rubik_contracts_open_interest_volume.json",
            {"symbol": "BTC", "period": "1H"},
            "open_interest_history",
            OpenInterestPoint,
            1,
        ),
        (
            okx_public,
            "rubik_long_short_account_ratio",
            "okx_rubik_long_short_account_ratio.json",
            {"symbol": "BTC", "period": "5m"},
            "long_short_ratio",
            LongShortRatio,
            1,
        ),
        (
            okx_public,
            "rubik_long_short_account_ratio_contract",
            "okx_rubik_long_short_account_ratio_contract.json",
            {"symbol": "BTC", "period": "5m"},
            "long_short_ratio",
            LongShortRatio,
            1,
        ),
    ],
)
def test_decoders(
    module: Any,
    endpoint: str,
    name: str,
    params: dict[str, str],
    kind: str,
    model: type | None,
    count: int,
    fixture_bytes: FixtureReader,
) -> None:
    raw = _raw(module.SOURCE, endpoint, fixture_bytes(name), 1_790_000_000_000, **params)
    got_kind, decoded = module.DECODERS[endpoint](raw, TABLE)
    items: tuple[Any, ...] = decoded
    assert got_kind == kind
    assert len(items) == count
    if model is not None:
        assert all(isinstance(item, model) for item in items)
    symbol = params.get("symbol") or params["symbols"].split(",")[0]
    assert {item.symbol for item in items} == {symbol}


def test_decoder_period_is_read_in_the_venue_spelling(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("bybit_account_ratio.json")
    decode = bybit.DECODERS["account_ratio"]
    received = 1731567491688  # the envelope's time
    _, decoded = decode(_raw("bybit", "account_ratio", body, received, symbol="BTC", period="5min"), TABLE)
    items: tuple[Any, ...] = decoded
    assert {i.period_ms for i in items} == {MIN5}
    with pytest.raises(ParseError, match="unknown period"):
        decode(_raw("bybit", "account_ratio", body, received, symbol="BTC", period="5m"), TABLE)
    with pytest.raises(ParseError, match="'period'"):
        decode(_raw("bybit", "account_ratio", body, received, symbol="BTC"), TABLE)


def test_decoder_rejects_rows_stamped_after_receipt(fixture_bytes: FixtureReader) -> None:
    raw = _raw(
        "bybit",
        "open_interest",
        fixture_bytes("bybit_open_interest.json"),
        1780963200000 - DAY,
        symbol="BTC",
        period="1d",
    )
    with row_log() as log:  # the newest row is dated after receipt: left out, the older four kept
        _, items = bybit.DECODERS["open_interest"](raw, TABLE)
    assert [p.ts_ms for p in items if isinstance(p, OpenInterestPoint)] == [
        1780617600000 + i * DAY for i in range(4)
    ]
    (reason,) = log.reasons
    assert "after the payload was received" in reason


def test_bybit_ticker_prefers_single_side_open_interest(fixture_bytes: FixtureReader) -> None:
    # newer replies carry the one-side twins beside the two-sided totals (as public clients show)
    body = _edit(
        fixture_bytes("bybit_tickers_inverse.json"),
        '"openInterest": "240113967",',
        '"openInterest": "240113967", "singleOpenInterest": "120056984", '
        '"singleOpenInterestValue": "1044.9",',
    )
    (snap,) = bybit.parse_tickers(body, instruments={"BTCUSD": "BTC"})
    assert snap.open_interest_usd == 120056984.0  # inverse: openInterest is USD
    assert snap.open_interest_base == 1044.9
    (old,) = bybit.parse_tickers(fixture_bytes("bybit_tickers_inverse.json"), instruments={"BTCUSD": "BTC"})
    assert old.open_interest_usd == 240113967.0
