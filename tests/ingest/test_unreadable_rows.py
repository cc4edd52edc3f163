"""One unreadable value in a REST answer costs that row, never the rest of the payload (issue 18).

Each test takes a real payload from tests/fixtures, corrupts one row's value and checks that
every other row parses exactly as in the clean payload while the bad row is reported with a
readable reason; the last tests run the real pipeline and ``crashtui --once --json``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest

from crashtui.cli import main
from crashtui.errors import ParseError
from crashtui.events import DataEvent, Event, HeldEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import Candle, Interval, Liquidation, RawPayload, Ticker, freeze_params
from crashtui.replay.recording import RecordingHeader, write_recording
from crashtui.sources import binance, bybit, farside, fred, kraken, sosovalue, theblock
from crashtui.sources.common import iso_day_ms
from crashtui.sources.rows import RowLog, each_row, row_log
from crashtui.symbols import DEFAULT_TABLE
from tests.conftest import FixtureReader

T = TypeVar("T")
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
DAY = 86_400_000


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_bytes())


def logged(parse: Callable[[], T]) -> tuple[T, RowLog]:
    """What ``parse`` returns, and the rows it left out."""
    with row_log() as log:
        out = parse()
    return out, log


def only_reason(log: RowLog) -> str:
    (reason,) = log.reasons
    assert log.reasons[reason] == 1
    assert reason.isprintable()
    return reason


# --- the mechanism ---------------------------------------------------------------------------


def test_each_row_keeps_the_good_rows_and_logs_the_bad_one() -> None:
    def read(value: str) -> float | None:
        return None if value == "skip" else float(value)

    out, log = logged(lambda: each_row(["1", "skip", "NaN?", "2"], read, "row"))
    assert out == [1.0, 2.0]
    assert only_reason(log) == "row: ValueError: could not convert string to float: 'NaN?'"


def test_each_row_with_nothing_readable_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match=r"every row unreadable \(2\): row: ValueError"):
        each_row(["x", "y"], float, "row")
    assert each_row([], float, "row") == []  # no rows at all is not an error


def test_a_missing_field_still_fails_the_whole_payload() -> None:
    rows = fixture("binance_ticker_24hr_mini_multi.json")
    del rows[1]["lastPrice"]  # a broken shape, not a bad value
    with pytest.raises(ParseError, match="missing field 'lastPrice'"):
        binance.parse_ticker_24hr(json.dumps(rows).encode(), instruments={"BNBBTC": "BNB", "LTCBTC": "LTC"})


def test_outside_a_row_log_nothing_is_reported_and_nothing_raises() -> None:
    assert each_row(["1", "bad"], float, "row") == [1.0]


# --- tickers -------------------------------------------------------------------------------

TICKER_NAMES = {"BNBBTC": "BNB", "LTCBTC": "LTC"}


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ("NaN", "lastPrice: expected a finite number, got 'NaN'"),
        ("inf", "lastPrice: expected a finite number, got 'inf'"),
        ("-Infinity", "lastPrice: expected a finite number, got '-Infinity'"),
        ("abc", "lastPrice: expected a number, got 'abc'"),
        (None, "lastPrice: expected a number, got NoneType"),
    ],
)
def test_binance_tickers_one_unreadable_price(value: object, why: str) -> None:
    rows = fixture("binance_ticker_24hr_mini_multi.json")
    clean = binance.parse_ticker_24hr(json.dumps(rows).encode(), instruments=TICKER_NAMES)
    rows[1]["lastPrice"] = value
    tickers, log = logged(
        lambda: binance.parse_ticker_24hr(json.dumps(rows).encode(), instruments=TICKER_NAMES)
    )
    assert tickers == clean[:1]
    assert only_reason(log) == f"ticker: {why}"


# --- klines / candles ------------------------------------------------------------------------


def _ohlc(rows: list[Any]) -> tuple[Candle, ...]:
    body = fixture("kraken_ohlc.json")
    body["result"]["XXBTZUSD"] = rows
    return kraken.parse_ohlc(
        json.dumps(body).encode(), symbol="BTC", interval=Interval.H1, received_ms=1_688_671_500_000
    )


@pytest.mark.parametrize(
    ("column", "value", "why"),
    [
        (4, "NaN", "close: expected a finite number, got 'NaN'"),
        (6, "-1", "volume: -1 is negative"),
        (2, "-30306.2", "high: -30306.2 is not a positive price"),
        (1, "0", "open: 0 is not a positive price"),
        (0, "soon", "time: expected a number, got 'soon'"),
    ],
)
def test_kraken_ohlc_one_bad_candle(column: int, value: str, why: str) -> None:
    rows = fixture("kraken_ohlc.json")["result"]["XXBTZUSD"]
    clean = _ohlc(rows)
    rows[1][column] = value
    candles, log = logged(lambda: _ohlc(rows))
    assert candles == clean[:1] + clean[2:]
    assert only_reason(log) == f"BTC 1h candle: {why}"


def test_binance_klines_a_bad_row_among_real_ones(fixture_bytes: FixtureReader) -> None:
    (row,) = json.loads(fixture_bytes("binance_klines.json"))
    step = 3_600_000
    rows = [[row[0] + i * step, *row[1:]] for i in range(3)]

    def parse(rs: list[Any]) -> tuple[Candle, ...]:
        return binance.parse_klines(
            json.dumps(rs).encode(), symbol="BNB", interval=Interval.H1, received_ms=row[0] + 10 * step
        )

    clean = parse(rows)
    rows[2][5] = "Infinity"
    candles, log = logged(lambda: parse(rows))
    assert candles == clean[:2]
    assert only_reason(log) == "BNB 1h candle: volume: expected a finite number, got 'Infinity'"


# --- ETF -------------------------------------------------------------------------------------


def test_sosovalue_one_nan_day() -> None:
    rows = fixture("sosovalue_etf_summary_history.json")
    clean = sosovalue.parse_summary_history(json.dumps(rows).encode(), asset="BTC")
    rows[0]["total_net_inflow"] = "NaN"  # 2024-04-12
    flows, log = logged(lambda: sosovalue.parse_summary_history(json.dumps(rows).encode(), asset="BTC"))
    assert flows == tuple(f for f in clean if f.day_ms != iso_day_ms("2024-04-12"))
    assert only_reason(log) == "day: total_net_inflow: expected a finite number, got 'NaN'"


def test_farside_one_unreadable_cell_costs_its_day(fixture_bytes: FixtureReader) -> None:
    page = fixture_bytes("farside_btc.html")
    clean = farside.parse_page(page, asset="BTC")
    published = [f for f in clean if f.total_usd_m is not None]
    victim = published[-2]
    cell = f"{abs(victim.total_usd_m or 0):,.1f}".encode()
    assert page.count(cell) >= 1
    # the victim's Total cell, found after its date cell
    date = farside_date(victim.day_ms)
    at = page.index(date)
    end = page.index(b"</tr>", at)
    row = page[at:end]
    broken = page[:at] + row[: row.rindex(cell)] + b"inf" + row[row.rindex(cell) + len(cell) :] + page[end:]
    flows, log = logged(lambda: farside.parse_page(broken, asset="BTC"))
    assert flows == tuple(f for f in clean if f.day_ms != victim.day_ms)
    assert only_reason(log) == "day: farside: unexpected cell '(inf)'"


def farside_date(day_ms: int) -> bytes:
    from datetime import datetime, timezone

    return datetime.fromtimestamp(day_ms / 1000, tz=timezone.utc).strftime("%d %b %Y").encode()


def test_theblock_one_nan_fund_figure_drops_that_day_whole() -> None:
    body = fixture("theblock_btc_etf_flows_reconstructed.json")
    clean = theblock.parse_flows(json.dumps(body).encode(), asset="BTC")
    body["Series"]["FBTC"]["Data"][1]["Result"] = "NaN"
    flows, log = logged(lambda: theblock.parse_flows(json.dumps(body).encode(), asset="BTC"))
    bad_day = 1784592000 * 1000
    assert flows == tuple(f for f in clean if f.day_ms != bad_day)  # never a total missing FBTC
    assert only_reason(log) == "point: Result: expected a finite number, got 'NaN'"


# --- macro and derivatives ---------------------------------------------------------------------


def test_fred_one_infinite_observation(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("fred_fredgraph_sp500.csv")
    params = freeze_params({"series": "SP500"})
    received = iso_day_ms("2026-04-10")
    _, clean = fred.DECODERS["fredgraph_csv"](
        RawPayload("fred", "fredgraph_csv", received, body, params), DEFAULT_TABLE
    )
    broken = body.replace(b"2026-03-31,6528.52", b"2026-03-31,inf")
    raw = RawPayload("fred", "fredgraph_csv", received, broken, params)
    (_, items), log = logged(lambda: fred.DECODERS["fredgraph_csv"](raw, DEFAULT_TABLE))
    assert items == tuple(o for o in clean if getattr(o, "day_ms", None) != iso_day_ms("2026-03-31"))
    assert only_reason(log) == "observation: SP500: expected a finite number, got 'inf'"


def test_fred_an_absurd_observation_is_left_out(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("fred_fredgraph_sp500.csv").replace(b"2026-03-31,6528.52", b"2026-03-31,1e308")
    raw = RawPayload(
        "fred", "fredgraph_csv", iso_day_ms("2026-04-10"), body, freeze_params({"series": "SP500"})
    )
    (_, items), log = logged(lambda: fred.DECODERS["fredgraph_csv"](raw, DEFAULT_TABLE))
    assert len(items) == 6
    assert "SP500 1e+308 is outside the plausible range" in only_reason(log)


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ('"NaN"', "expected a finite number"),
        ('"-5"', "-5 is negative"),
        ('"1e300"', "above the 1e+13 sanity ceiling"),
    ],
)
def test_bybit_open_interest_one_bad_row(value: str, why: str, fixture_bytes: FixtureReader) -> None:
    data = fixture("bybit_open_interest.json")
    clean = bybit.parse_open_interest(json.dumps(data).encode(), symbol="BTC", period_ms=DAY)
    victim = data["result"]["list"][2]
    victim["singleOpenInterest"] = json.loads(value)  # the one-side figure the parser reads
    points, log = logged(
        lambda: bybit.parse_open_interest(json.dumps(data).encode(), symbol="BTC", period_ms=DAY)
    )
    bad_ts = int(victim["timestamp"])
    assert points == tuple(p for p in clean if p.ts_ms != bad_ts)
    assert len(points) == len(clean) - 1
    assert why in only_reason(log)


# --- through the real pipeline ------------------------------------------------------------------


def _pipeline() -> tuple[Pipeline, list[Event]]:
    applied: list[Event] = []
    return Pipeline.into(applied.append), applied


def _usdt_tickers() -> list[dict[str, Any]]:
    """The real two-row answer, as its USDT pairs (symbols the default table knows), both fresh."""
    rows: list[dict[str, Any]] = fixture("binance_ticker_24hr_mini_multi.json")
    for row in rows:
        row["symbol"] = row["symbol"].replace("BTC", "USDT")
        row["closeTime"] = rows[1]["closeTime"]
    return rows


def _tickers_payload(rows: list[dict[str, Any]]) -> RawPayload:
    return RawPayload(
        "binance",
        "ticker_24hr",
        rows[1]["closeTime"] + 1_000,
        json.dumps(rows).encode(),
        freeze_params({"symbols": "BNB,LTC"}),
    )


def test_pipeline_counts_the_unreadable_row_and_applies_the_rest() -> None:
    rows = _usdt_tickers()
    rows[0]["lastPrice"] = "NaN"
    pipeline, applied = _pipeline()
    outcome = pipeline.payload(_tickers_payload(rows))
    assert (outcome.accepted, outcome.rejected, outcome.error) == (1, 1, None)
    (data,) = [e for e in applied if isinstance(e, DataEvent)]
    assert [(t.symbol, t.price) for t in data.items if isinstance(t, Ticker)] == [("LTC", 0.07)]
    (held,) = [e for e in applied if isinstance(e, HeldEvent)]
    assert held.reason == "unreadable: ticker: lastPrice: expected a finite number, got 'NaN'"
    assert (held.source, held.kind, len(held.items)) == ("binance", "prices", 1)


def test_pipeline_a_negative_price_is_held_per_ticker_by_the_gate() -> None:
    rows = _usdt_tickers()
    rows[0]["lastPrice"] = "-4.000002"  # readable: the gate judges it, item by item
    pipeline, applied = _pipeline()
    outcome = pipeline.payload(_tickers_payload(rows))
    assert (outcome.accepted, outcome.rejected, outcome.error) == (1, 1, None)
    (held,) = [e for e in applied if isinstance(e, HeldEvent)]
    assert held.reason == "BNB price -4 is not a positive price"


def test_pipeline_every_row_unreadable_is_a_failing_source() -> None:
    rows = _usdt_tickers()
    for row in rows:
        row["lastPrice"] = "NaN"
    pipeline, applied = _pipeline()
    outcome = pipeline.payload(_tickers_payload(rows))
    assert isinstance(outcome.error, ParseError)
    assert "every row unreadable (2)" in str(outcome.error)
    assert applied == []  # nothing applied, nothing counted: the source failed outright


def test_pipeline_okx_rest_liquidations_one_nan_order() -> None:
    body = fixture("okx_liquidation_orders_rest.json")
    (good,) = body["data"][0]["details"]
    bad = {**good, "sz": "NaN", "ts": str(int(good["ts"]) - 1_000)}
    body["data"][0]["details"] = [good, bad]
    instruments = (FIXTURES / "okx_instruments_swap_reconstructed.json").read_bytes()
    pipeline, applied = _pipeline()
    at = int(good["ts"]) + 1_000
    pipeline.payload(RawPayload("okx", "instruments", at, instruments))
    outcome = pipeline.payload(RawPayload("okx", "liquidation-orders", at, json.dumps(body).encode()))
    assert (outcome.accepted, outcome.rejected, outcome.error) == (1, 1, None)
    (data,) = [e for e in applied if isinstance(e, DataEvent)]
    assert [type(i) for i in data.items] == [Liquidation]
    (held,) = [e for e in applied if isinstance(e, HeldEvent)]
    assert held.reason.startswith("unreadable: okx")


def test_pipeline_a_negative_or_absurd_value_is_held_per_candle_by_the_gate() -> None:
    rows = fixture("kraken_ohlc.json")["result"]["XXBTZUSD"]
    rows[1][6] = "1e308"  # readable, but no market trades that much: the gate's ceiling
    body = fixture("kraken_ohlc.json")
    body["result"]["XXBTZUSD"] = rows
    pipeline, applied = _pipeline()
    raw = RawPayload(
        "kraken",
        "ohlc",
        1_688_671_500_000,
        json.dumps(body).encode(),
        freeze_params({"symbol": "BTC", "interval": "1h", "result_key": "XXBTZUSD"}),
    )
    outcome = pipeline.payload(raw)
    assert (outcome.accepted, outcome.rejected) == (3, 1)
    (held,) = [e for e in applied if isinstance(e, HeldEvent)]
    assert "volume 1e+308" in held.reason


def test_once_json_counts_the_unreadable_row_in_sources_rejected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """End to end: a recorded Binance answer with one NaN price, replayed by ``--once --json``."""
    now = 1_770_400_000_000
    rows = [
        {
            "symbol": "BTCUSDT",
            "openPrice": "70000",
            "lastPrice": "NaN",
            "quoteVolume": "1e9",
            "closeTime": now,
        },
        {
            "symbol": "ETHUSDT",
            "openPrice": "2000",
            "lastPrice": "1950.5",
            "quoteVolume": "5e8",
            "closeTime": now,
        },
    ]
    path = tmp_path / "nan.jsonl.gz"
    payload = RawPayload(
        "binance", "ticker_24hr", now + 500, json.dumps(rows).encode(), freeze_params({"symbols": "BTC,ETH"})
    )
    write_recording(path, RecordingHeader(created_ms=now, label="nan", watchlist=("BTC", "ETH")), [payload])
    assert main(["--once", "--json", "--replay", str(path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    (binance_status,) = [s for s in doc["sources"] if s["source"] == "binance"]
    assert binance_status["state"] == "ok"
    assert [(r["reason"], r["count"]) for r in binance_status["rejected"]] == [
        ("unreadable: ticker: lastPrice: expected a finite number, got 'NaN'", 1)
    ]
    prices = {w["symbol"]: w["price"] for w in doc["watchlist"]}
    assert prices["ETH"] == 1950.5  # the good row of the same answer is there
    assert prices["BTC"] is None
