"""Macro radar sources: FRED's daily series, Yahoo chart (AI basket, gold), DefiLlama totals."""

from __future__ import annotations

import json
from typing import Any

import pytest

from crashtui.errors import HttpStatusError, ParseError, UpstreamError
from crashtui.model import MacroObservation, RawPayload, freeze_params
from crashtui.sources import defillama_macro, fred, yahoo
from crashtui.sources.common import PollContext, iso_day_ms
from crashtui.sources.macro_series import check_observations, observation_problem
from crashtui.sources.rows import row_log
from crashtui.symbols import SymbolTable
from crashtui.wire import Request
from tests.conftest import FixtureReader

TABLE = SymbolTable()
DAY = 86_400_000
RECEIVED = iso_day_ms("2026-12-01")


def values(obs: tuple[MacroObservation, ...]) -> list[tuple[str, float]]:
    return [(_iso(o.day_ms), o.value) for o in obs]


def _iso(day_ms: int) -> str:
    from crashtui.analysis.days import iso_day

    return iso_day(day_ms)


def payload(
    source: str, endpoint: str, body: bytes, received_ms: int = RECEIVED, **params: str
) -> RawPayload:
    return RawPayload(source, endpoint, received_ms, body, freeze_params(params))


# --- FRED daily series -------------------------------------------------------------------


def test_fred_sp500_good_friday_empty_field_is_skipped(fixture_bytes: FixtureReader) -> None:
    obs = fred.parse_fredgraph_csv(fixture_bytes("fred_fredgraph_sp500.csv"), series="SP500")
    # 8 rows, 2026-04-03 (Good Friday) empty: 7 observations, none of them 0
    assert len(obs) == 7
    assert "2026-04-03" not in [d for d, _ in values(obs)]
    assert values(obs)[:2] == [("2026-03-30", 6343.72), ("2026-03-31", 6528.52)]
    assert values(obs)[-1] == ("2026-04-08", 6782.81)
    assert {o.series for o in obs} == {"SP500"}


def test_fred_vix_and_yields_real_csvs(fixture_bytes: FixtureReader) -> None:
    vix = fred.parse_fredgraph_csv(fixture_bytes("fred_fredgraph_vixcls.csv"), series="VIXCLS")
    dgs10 = fred.parse_fredgraph_csv(fixture_bytes("fred_fredgraph_dgs10.csv"), series="DGS10")
    # VIX has no close on Good Friday, the 10-year yield has one (bond market open)
    assert len(vix) == 7
    assert ("2026-04-03", 4.35) in values(dgs10)
    assert len(dgs10) == 8
    assert values(vix)[0] == ("2026-03-30", 30.61)


def test_fred_dtb3_1954_rows_and_empty_holiday(fixture_bytes: FixtureReader) -> None:
    obs = fred.parse_fredgraph_csv(fixture_bytes("fred_fredgraph_dtb3.csv"), series="DTB3")
    assert len(obs) == 12  # 13 rows, 1954-01-19 empty
    assert values(obs)[0] == ("1954-01-04", 1.33)
    assert obs[0].day_ms < 0  # before 1970: still a valid day, not an error


def test_fred_dollar_index_christmas_gap(fixture_bytes: FixtureReader) -> None:
    obs = fred.parse_fredgraph_csv(
        fixture_bytes("fred_fredgraph_dtwexbgs_reconstructed.csv"), series="DTWEXBGS"
    )
    assert [d for d, _ in values(obs)] == ["2025-12-22", "2025-12-23", "2025-12-24", "2025-12-26"]
    assert values(obs)[1] == ("2025-12-23", 120.098)


def test_fred_legacy_date_value_header_and_dot_missing(fixture_bytes: FixtureReader) -> None:
    obs = fred.parse_fredgraph_csv(fixture_bytes("fred_vixcls_dot_missing_legacy.csv"), series="VIXCLS")
    assert [d for d, _ in values(obs)] == [
        "1990-02-14",
        "1990-02-15",
        "1990-02-16",
        "1990-02-20",
        "1990-02-21",
    ]


def test_fred_header_of_another_series_is_refused(fixture_bytes: FixtureReader) -> None:
    # a mirror answering the VIX file for an S&P 500 request must not show VIX as the S&P
    with pytest.raises(ParseError, match="asked for SP500"):
        fred.parse_fredgraph_csv(fixture_bytes("fred_fredgraph_vixcls.csv"), series="SP500")


def test_fred_nan_and_huge_values_are_parse_errors(fixture_bytes: FixtureReader) -> None:
    with pytest.raises(ParseError):
        fred.parse_fredgraph_csv(b"observation_date,VIXCLS\n2026-04-01,nan\n", series="VIXCLS")
    raw = payload("fred", "fredgraph_csv", b"observation_date,VIXCLS\n2026-04-01,1e308\n", series="VIXCLS")
    with pytest.raises(ParseError, match="plausible range"):
        fred.DECODERS["fredgraph_csv"](raw, TABLE)
    raw = payload("fred", "fredgraph_csv", b"observation_date,DGS10\n2026-04-01,-400\n", series="DGS10")
    with pytest.raises(ParseError, match="plausible range"):
        fred.DECODERS["fredgraph_csv"](raw, TABLE)


def test_fred_observation_after_the_payload_arrived_is_refused() -> None:
    body = b"observation_date,SP500\n2026-04-01,6575.32\n2030-01-01,7000\n"
    raw = payload("fred", "fredgraph_csv", body, received_ms=iso_day_ms("2026-04-02"), series="SP500")
    with row_log() as log:  # that one observation is left out, the earlier one kept
        _, items = fred.DECODERS["fredgraph_csv"](raw, TABLE)
    assert [(_iso(o.day_ms), o.value) for o in items if isinstance(o, MacroObservation)] == [
        ("2026-04-01", 6575.32)
    ]
    (reason,) = log.reasons
    assert "SP500 is dated 2030-01-01, after the payload arrived" in reason
    future = body.replace(b"2026-04-01", b"2031-04-01")
    only_future = payload(
        "fred", "fredgraph_csv", future, received_ms=iso_day_ms("2026-04-02"), series="SP500"
    )
    with pytest.raises(ParseError, match="after the payload arrived"):  # nothing usable: failing
        fred.DECODERS["fredgraph_csv"](only_future, TABLE)


def test_fred_real_sp500_csv_decodes_as_macro(fixture_bytes: FixtureReader) -> None:
    raw = payload("fred", "fredgraph_csv", fixture_bytes("fred_fredgraph_sp500.csv"), series="SP500")
    kind, items = fred.DECODERS["fredgraph_csv"](raw, TABLE)
    assert kind == "macro"
    assert len(items) == 7


def test_fred_polls_every_macro_series_one_request_each() -> None:
    async def fetch(request: Request) -> RawPayload:
        raise AssertionError("not called")

    ctx = PollContext("fred", (), TABLE, fetch, "https://fred.stlouisfed.org", iso_day_ms("2026-02-06"))
    requests = fred.series_requests(ctx)
    asked = [r.query["id"] for r in requests]
    assert asked[0] == "ICSA"  # `crashtui sources` probes the first one
    assert set(asked) == {
        "ICSA",
        "IC4WSA",
        "NASDAQCOM",
        "SP500",
        "VIXCLS",
        "DGS10",
        "DTB3",
        "DTWEXBGS",
        "DEXJPUS",
    }
    assert all(r.endpoint == "fredgraph_csv" and r.context["series"] == r.query["id"] for r in requests)
    sp500 = next(r for r in requests if r.query["id"] == "SP500")
    assert sp500.query["cosd"] == "2025-01-02"  # 400 days before 2026-02-06


# --- Yahoo chart --------------------------------------------------------------------------


def test_yahoo_intraday_reply_gives_the_days_official_close(fixture_bytes: FixtureReader) -> None:
    (obs,) = yahoo.parse_chart(fixture_bytes("yahoo_chart_nvda_1h_1d.json"), symbol="NVDA")
    # bars from 13:30Z, gmtoffset -4 h: all on New York's 2024-05-03; the day's value is
    # regularMarketPrice (887.89, the closing print), not the last full bar's 887.87
    assert (obs.series, _iso(obs.day_ms), obs.value) == ("NVDA", "2024-05-03", 887.89)
    assert obs.source == "yahoo"


def test_yahoo_stub_dropped_and_float32_noise_rounded(fixture_bytes: FixtureReader) -> None:
    data = json.loads(fixture_bytes("yahoo_chart_nvda_1h_1d.json"))
    meta = data["chart"]["result"][0]["meta"]
    del meta["regularMarketPrice"]
    (obs,) = yahoo.parse_chart(json.dumps(data).encode(), symbol="NVDA")
    # without the meta price the day's value is the last real bar (19:30Z), 887.8699951171875
    # rounded to priceHint 2 → 887.87; the 0-volume 20:00Z stub (887.8900146484375) is dropped
    assert obs.value == 887.87
    quote = data["chart"]["result"][0]["indicators"]["quote"][0]
    quote["volume"][-1] = 100  # a real last bar: it counts
    (obs,) = yahoo.parse_chart(json.dumps(data).encode(), symbol="NVDA")
    assert obs.value == 887.89


def test_yahoo_nulls_are_skipped_not_zero(fixture_bytes: FixtureReader) -> None:
    data = json.loads(fixture_bytes("yahoo_chart_nvda_1h_1d.json"))
    result = data["chart"]["result"][0]
    del result["meta"]["regularMarketPrice"]
    quote = result["indicators"]["quote"][0]
    for key in ("close", "open", "high", "low", "volume"):
        quote[key][-2] = None  # the 19:30Z bar is null
    (obs,) = yahoo.parse_chart(json.dumps(data).encode(), symbol="NVDA")
    assert obs.value == 888.63  # the 18:30Z bar, 888.6300048828125 rounded


def test_yahoo_gspc_shape_without_price_hint(fixture_bytes: FixtureReader) -> None:
    (obs,) = yahoo.parse_chart(fixture_bytes("yahoo_chart_gspc_shape.json"), symbol="^GSPC")
    assert (_iso(obs.day_ms), obs.value, obs.series) == ("2025-01-01", 93.0, "^GSPC")


def test_yahoo_not_found_body_is_upstream_error(fixture_bytes: FixtureReader) -> None:
    with pytest.raises(UpstreamError, match="No data found, symbol may be delisted"):
        yahoo.parse_chart(fixture_bytes("yahoo_chart_error_not_found.json"), symbol="NOTREAL")


def test_yahoo_answer_for_another_symbol_is_refused(fixture_bytes: FixtureReader) -> None:
    with pytest.raises(ParseError, match="asked for MSFT"):
        yahoo.parse_chart(fixture_bytes("yahoo_chart_nvda_1h_1d.json"), symbol="MSFT")


def _nvda(fixture_bytes: FixtureReader) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(fixture_bytes("yahoo_chart_nvda_1h_1d.json"))
    return data


def test_yahoo_hostile_bodies_are_parse_errors(fixture_bytes: FixtureReader) -> None:
    data = _nvda(fixture_bytes)
    result = data["chart"]["result"][0]
    result["timestamp"] = [t * 1000 for t in result["timestamp"]]  # milliseconds
    with pytest.raises(ParseError, match="not unix seconds"):
        yahoo.parse_chart(json.dumps(data).encode(), symbol="NVDA")
    data = _nvda(fixture_bytes)
    data["chart"]["result"][0]["indicators"]["quote"][0]["close"].pop()
    with pytest.raises(ParseError, match="7 values for 8 timestamps"):
        yahoo.parse_chart(json.dumps(data).encode(), symbol="NVDA")
    body = fixture_bytes("yahoo_chart_nvda_1h_1d.json").replace(b"878.6199951171875", b"NaN")
    with row_log() as log:  # one NaN close costs that bar, never the day's other bars
        assert yahoo.parse_chart(body, symbol="NVDA") == yahoo.parse_chart(
            fixture_bytes("yahoo_chart_nvda_1h_1d.json"), symbol="NVDA"
        )
    assert log.count == 1
    assert "close: expected a finite number, got nan" in next(iter(log.reasons))
    with pytest.raises(ParseError):
        yahoo.parse_chart(fixture_bytes("yahoo_chart_nvda_1h_1d.json")[:700], symbol="NVDA")
    with pytest.raises(ParseError, match="no result"):
        yahoo.parse_chart(b'{"chart":{"result":[],"error":null}}', symbol="NVDA")


def test_yahoo_futures_midnight_bar_stays_on_its_day_across_dst(fixture_bytes: FixtureReader) -> None:
    data = _nvda(fixture_bytes)
    result = data["chart"]["result"][0]
    meta = result["meta"]
    meta.update(symbol="GC=F", gmtoffset=-14400, priceHint=1)  # today's offset: EDT
    del meta["regularMarketPrice"]
    # daily futures bars at midnight New York in winter (EST): 05:00Z
    jan2, jan3 = 1704171600, 1704258000  # 2024-01-02 05:00Z, 2024-01-03 05:00Z
    result["timestamp"] = [jan2, jan3]
    result["indicators"]["quote"] = [
        {"close": [2073.39990234375, 2034.199951171875], "volume": [100, 120], "open": [1, 1]}
    ]
    obs = yahoo.parse_chart(json.dumps(data).encode(), symbol="GC=F")
    # 05:00Z − 4 h = 01:00 local (the real local time is 00:00): still the same date
    assert values(obs) == [("2024-01-02", 2073.4), ("2024-01-03", 2034.2)]
    assert {o.series for o in obs} == {"GOLD"}


def test_yahoo_decoder_checks_ranges_and_kind(fixture_bytes: FixtureReader) -> None:
    raw = payload(
        "yahoo", "chart", fixture_bytes("yahoo_chart_nvda_1h_1d.json"), symbol="NVDA", series="NVDA"
    )
    kind, items = yahoo.DECODERS["chart"](raw, TABLE)
    assert kind == "macro_quotes"
    assert len(items) == 1
    late = payload(
        "yahoo",
        "chart",
        fixture_bytes("yahoo_chart_nvda_1h_1d.json"),
        received_ms=iso_day_ms("2024-04-01"),
        symbol="NVDA",
        series="NVDA",
    )
    with pytest.raises(ParseError, match="after the payload arrived"):
        yahoo.DECODERS["chart"](late, TABLE)


def test_yahoo_request_urls_quote_the_symbol() -> None:
    async def fetch(request: Request) -> RawPayload:
        raise AssertionError("not called")

    ctx = PollContext("yahoo", (), TABLE, fetch, "https://query1.finance.yahoo.com", 0, backfill=False)
    gold = yahoo.chart_request(ctx, "GC=F")
    assert gold.url == "https://query1.finance.yahoo.com/v8/finance/chart/GC%3DF"
    assert gold.query == {"interval": "1d", "range": "5d"}
    assert dict(gold.context) == {"symbol": "GC=F", "series": "GOLD"}
    assert yahoo.chart_request(ctx, "^GSPC").url.endswith("/chart/%5EGSPC")
    with pytest.raises(ValueError, match="not a Yahoo symbol"):
        yahoo.make_poll(["NVDA", "../../v7/quote?x="])


async def test_yahoo_unknown_symbol_does_not_stop_the_basket(fixture_bytes: FixtureReader) -> None:
    nvda = fixture_bytes("yahoo_chart_nvda_1h_1d.json")
    asked: list[str] = []

    async def fetch(request: Request) -> RawPayload:
        symbol = request.context["symbol"]
        asked.append(symbol)
        if symbol == "NOTREAL":
            raise HttpStatusError("yahoo chart: HTTP 404 Not Found", status_code=404)
        return RawPayload(request.source, request.endpoint, RECEIVED, nvda, request.record_params())

    ctx = PollContext("yahoo", (), TABLE, fetch, "https://query1.finance.yahoo.com", RECEIVED)
    poll = yahoo.make_poll(["nvda", "NOTREAL", "NVDA"])
    got: list[RawPayload] = []

    async def drain() -> None:
        async for raw in poll("macro_quotes", ctx):
            got.append(raw)

    with pytest.raises(UpstreamError, match="unknown symbol"):
        await drain()
    assert asked == ["NVDA", "NOTREAL"]  # upper-cased, the duplicate asked once
    assert len(got) == 1
    assert got[0].params["symbol"] == "NVDA"


async def test_yahoo_other_http_errors_propagate() -> None:
    async def fetch(request: Request) -> RawPayload:
        raise HttpStatusError("yahoo chart: HTTP 500", status_code=500)

    ctx = PollContext("yahoo", (), TABLE, fetch, "https://query1.finance.yahoo.com", RECEIVED)

    async def drain() -> None:
        async for _ in yahoo.poll("macro_quotes", ctx):
            pass

    with pytest.raises(HttpStatusError):
        await drain()


# --- DefiLlama stablecoins and TVL --------------------------------------------------------


def test_stablecoins_read_circulating_usd_pegged_usd(fixture_bytes: FixtureReader) -> None:
    obs = defillama_macro.parse_stablecoin_charts(
        fixture_bytes("defillama_stablecoincharts_all_reconstructed.json")
    )
    # 02-06 has only peggedEUR: skipped, not 0 and not the EUR number; 02-07's date is an int
    assert values(obs) == [
        ("2026-02-04", 305_400_000_000.0),
        ("2026-02-05", 305_800_000_000.0),
        ("2026-02-07", 306_800_000_000.0),
    ]
    assert {o.series for o in obs} == {"STABLECOINS_USD"}


def test_chain_tvl(fixture_bytes: FixtureReader) -> None:
    obs = defillama_macro.parse_chain_tvl(fixture_bytes("defillama_historical_chain_tvl_reconstructed.json"))
    assert values(obs)[0] == ("2026-02-04", 97_500_000_000.5)
    assert len(obs) == 4
    assert {o.series for o in obs} == {"DEFI_TVL_USD"}


def test_defillama_hostile_bodies() -> None:
    with pytest.raises(ParseError, match="not unix seconds"):
        defillama_macro.parse_chain_tvl(b'[{"date":1770163200000,"tvl":1}]')
    with pytest.raises(ParseError):
        defillama_macro.parse_chain_tvl(b'[{"date":1770163200,"tvl":"NaN"}]')
    with pytest.raises(ParseError):
        defillama_macro.parse_chain_tvl(b'[{"date":1770163200}]')
    with pytest.raises(ParseError):
        defillama_macro.parse_stablecoin_charts(b'[{"date":"soon","totalCirculatingUSD":{"peggedUSD":1}}]')
    with pytest.raises(UpstreamError, match="rate limited"):
        defillama_macro.parse_chain_tvl(b'{"message":"rate limited"}')
    with pytest.raises(ParseError):
        defillama_macro.parse_stablecoin_charts(b'[{"date":"1770163200","totalCirculatingUSD":')
    raw = payload("defillama_macro", "chain_tvl", b'[{"date":1770163200,"tvl":-5}]')
    with pytest.raises(ParseError, match="plausible range"):
        defillama_macro.DECODERS["chain_tvl"](raw, TABLE)


def test_defillama_point_off_midnight_goes_on_its_day_later_wins() -> None:
    body = b'[{"date":1770163200,"tvl":1e10},{"date":1770206400,"tvl":2e10}]'  # 00:00Z, 12:00Z
    assert values(defillama_macro.parse_chain_tvl(body)) == [("2026-02-04", 2e10)]


async def test_defillama_macro_poll_reduces_to_recent_points(fixture_bytes: FixtureReader) -> None:
    bodies = {
        "stablecoin_charts": fixture_bytes("defillama_stablecoincharts_all_reconstructed.json"),
        "chain_tvl": fixture_bytes("defillama_historical_chain_tvl_reconstructed.json"),
    }
    sent: list[str] = []
    now = iso_day_ms("2026-02-13") + 3_600_000

    async def fetch(request: Request) -> RawPayload:
        sent.append(request.url)
        return RawPayload(request.source, request.endpoint, now, bodies[request.endpoint], {})

    ctx = PollContext("defillama_macro", (), TABLE, fetch, defillama_macro.BASE_URL, now, backfill=False)
    got = [p async for p in defillama_macro.poll("macro_defi", ctx)]
    assert sent == [
        "https://stablecoins.llama.fi/stablecoincharts/all",
        "https://api.llama.fi/v2/historicalChainTvl",
    ]
    # tail polls keep the last 7 days before 2026-02-13: from 02-06 on
    stable, tvl = (defillama_macro.DECODERS[p.endpoint](p, TABLE)[1] for p in got)
    assert [_iso(o.day_ms) for o in stable if isinstance(o, MacroObservation)] == ["2026-02-07"]
    assert [_iso(o.day_ms) for o in tvl if isinstance(o, MacroObservation)] == ["2026-02-06", "2026-02-07"]
    assert len(stable) == 1  # 02-06 has no peggedUSD
    # the kept records are the provider's, unchanged
    assert json.loads(got[1].body) == json.loads(bodies["chain_tvl"])[2:]


async def test_defillama_macro_mirror_base_url_serves_both_paths() -> None:
    sent: list[str] = []

    async def fetch(request: Request) -> RawPayload:
        sent.append(request.url)
        return RawPayload(request.source, request.endpoint, 0, b"[]", {})

    ctx = PollContext("defillama_macro", (), TABLE, fetch, "http://127.0.0.1:9/llama", RECEIVED)
    assert [p.body async for p in defillama_macro.poll("macro_defi", ctx)] == [b"[]", b"[]"]
    assert sent == [
        "http://127.0.0.1:9/llama/stablecoincharts/all",
        "http://127.0.0.1:9/llama/v2/historicalChainTvl",
    ]


# --- series catalog -----------------------------------------------------------------------


def test_unknown_series_gets_generic_bounds() -> None:
    assert observation_problem(MacroObservation("WALCL", 0, 7_681_024.0, "fred")) is None
    assert observation_problem(MacroObservation("AMD", 0, 2e15, "yahoo")) is not None
    assert observation_problem(MacroObservation("NVDA", 0, 0.0, "yahoo")) is not None  # 0 is a glitch
    with pytest.raises(ParseError, match="GOLD"):
        check_observations([MacroObservation("GOLD", 0, float("inf"), "yahoo")], "t")
    far = MacroObservation("SP500", RECEIVED + 3 * DAY, 6000.0, "fred")
    with pytest.raises(ParseError, match="after the payload arrived"):
        check_observations([far], "t", received_ms=RECEIVED)
    check_observations([far], "t")  # no arrival time given: not checked
