"""SoSoValue, The Block, alternative.me, CNN, FRED and DefiLlama parsers."""

from __future__ import annotations

import json

import pytest

from crashtui.errors import BlockedError, ParseError, RateLimitedError, UpstreamError
from crashtui.model import BorrowRate, RawPayload, freeze_params
from crashtui.sources import alternative_me, cnn, defillama, fred, sosovalue, theblock
from crashtui.sources.common import iso_day_ms
from crashtui.symbols import SymbolTable
from tests.conftest import FixtureReader

TABLE = SymbolTable()
AAVE_USDC = "aa70268e-4b52-42bf-a116-608b370f9501"


# --- SoSoValue --------------------------------------------------------------------------


def test_sosovalue_bare_list_in_usd_becomes_millions(fixture_bytes: FixtureReader) -> None:
    flows = sosovalue.parse_summary_history(fixture_bytes("sosovalue_etf_summary_history.json"), asset="BTC")
    assert [f.day_ms for f in flows] == [iso_day_ms("2024-04-11"), iso_day_ms("2024-04-12")]  # oldest first
    assert flows[0].total_usd_m == pytest.approx(91.269283)
    assert flows[1].total_usd_m == pytest.approx(-55.066297)
    assert flows[1].funds == ()
    assert flows[1].source == "sosovalue"


def test_sosovalue_wrapped_list_gives_the_same_flows(fixture_bytes: FixtureReader) -> None:
    bare = fixture_bytes("sosovalue_etf_summary_history.json")
    wrapped = b'{"code":0,"msg":"success","data":' + bare + b"}"
    assert sosovalue.parse_summary_history(wrapped, asset="ETH") == sosovalue.parse_summary_history(
        bare, asset="ETH"
    )


def test_sosovalue_legacy_v2_shape(fixture_bytes: FixtureReader) -> None:
    flows = sosovalue.parse_summary_history(
        fixture_bytes("sosovalue_v2_historical_inflow_chart_legacy.json"), asset="BTC"
    )
    assert flows[-1].total_usd_m == pytest.approx(-55.066297)


def test_sosovalue_error_codes() -> None:
    with pytest.raises(UpstreamError, match="invalid api key"):
        sosovalue.parse_summary_history(b'{"code":40001,"msg":"invalid api key","data":null}', asset="BTC")
    with pytest.raises(RateLimitedError):
        sosovalue.parse_summary_history(b'{"code":429,"msg":"too many"}', asset="BTC")
    with pytest.raises(ParseError):
        sosovalue.parse_summary_history(b'[{"date":"2024-04-12"}]', asset="BTC")


# --- The Block --------------------------------------------------------------------------


def test_theblock_series_in_usd_with_nulls(fixture_bytes: FixtureReader) -> None:
    first, second = theblock.parse_flows(
        fixture_bytes("theblock_btc_etf_flows_reconstructed.json"), asset="BTC"
    )
    assert first.day_ms == 1784505600_000
    assert {f.ticker: f.flow_usd_m for f in first.funds} == {"IBIT": 116.5, "FBTC": 24.1, "GBTC": -45.4}
    assert first.total_usd_m == pytest.approx(95.2)
    assert {f.ticker: f.flow_usd_m for f in second.funds}["GBTC"] is None
    assert second.total_usd_m == pytest.approx(187.0)


def test_theblock_all_null_day_is_unpublished() -> None:
    body = b'{"Series":{"IBIT":{"Data":[{"Timestamp":1784505600,"Result":null}]}}}'
    (flow,) = theblock.parse_flows(body, asset="ETH")
    assert flow.total_usd_m is None


def test_theblock_wrong_shape() -> None:
    with pytest.raises(ParseError):
        theblock.parse_flows(b'{"series":{}}', asset="BTC")


# --- alternative.me ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "latest", "label"),
    [
        ("alternative_me_fng.json", 62.0, "Greed"),
        ("alternative_me_fng_extreme_fear.json", 13.0, "Extreme Fear"),
    ],
)
def test_fng_strings_newest_first_become_oldest_first(
    name: str, latest: float, label: str, fixture_bytes: FixtureReader
) -> None:
    readings = alternative_me.parse_fng(fixture_bytes(name))
    assert len(readings) == 3
    assert readings[0].ts_ms < readings[1].ts_ms < readings[2].ts_ms
    assert readings[-1].value == latest
    assert readings[-1].classification == label  # the API's own classification
    assert readings[-1].index == "crypto"
    assert readings[-1].ts_ms % 86_400_000 == 0


def test_fng_metadata_error() -> None:
    body = b'{"name":"Fear and Greed Index","data":[],"metadata":{"error":"Invalid limit"}}'
    with pytest.raises(UpstreamError, match="Invalid limit"):
        alternative_me.parse_fng(body)


def test_fng_broken_csv_format_is_a_parse_error() -> None:
    # alternative_me_fng_csv_format_malformed.txt is held back: CSV text inside a JSON wrapper.
    body = b'{"name":"Fear and Greed Index","data":"fng_value,fng_classification,date\\n62,Greed,31-08-2026"}'
    with pytest.raises(ParseError):
        alternative_me.parse_fng(body)


# --- CNN --------------------------------------------------------------------------------


def test_cnn_headline_iso_and_history_ms(fixture_bytes: FixtureReader) -> None:
    readings = cnn.parse_graphdata(fixture_bytes("cnn_fear_greed_graphdata.json"))
    assert [r.ts_ms for r in readings] == [1785283200000, 1785369600000, 1785459587000]
    latest = readings[-1]
    assert latest.value == 38.9714285714286
    assert latest.classification == "Fear"
    assert latest.index == "stocks"
    assert readings[0].value == 36.2


def test_cnn_without_history() -> None:
    body = b'{"fear_and_greed":{"score":12.0,"rating":"extreme fear","timestamp":"2026-02-05T21:00:00Z"}}'
    (reading,) = cnn.parse_graphdata(body)
    assert reading.classification == "Extreme Fear"
    assert reading.ts_ms == iso_day_ms("2026-02-05") + 21 * 3_600_000


def test_cnn_html_block_page() -> None:
    with pytest.raises(BlockedError):
        cnn.parse_graphdata(b"<!DOCTYPE html><html><body>Access denied</body></html>")


# --- FRED -------------------------------------------------------------------------------


def test_fred_csv_real_format(fixture_bytes: FixtureReader) -> None:
    (obs,) = fred.parse_fredgraph_csv(fixture_bytes("fred_fredgraph_walcl.csv"), series="WALCL")
    assert obs.day_ms == iso_day_ms("2024-01-03")
    assert obs.value == 7681024.0
    assert obs.series == "WALCL"


def test_fred_csv_empty_field_is_missing_not_zero() -> None:
    body = b"observation_date,ICSA\n2026-01-03,231000\n2026-01-10,\n2026-01-17,227000\n"
    obs = fred.parse_fredgraph_csv(body, series="ICSA")
    assert [(o.day_ms, o.value) for o in obs] == [
        (iso_day_ms("2026-01-03"), 231000.0),
        (iso_day_ms("2026-01-17"), 227000.0),
    ]


def test_fred_csv_old_date_header_and_dot() -> None:
    obs = fred.parse_fredgraph_csv(b"DATE,NASDAQCOM\n2026-02-05,.\n2026-02-06,22540.59\n", series="NASDAQCOM")
    assert [o.value for o in obs] == [22540.59]


def test_fred_csv_unexpected_header() -> None:
    with pytest.raises(ParseError, match="unexpected header"):
        fred.parse_fredgraph_csv(b"Date,Open,High,Low,Close,Volume\n", series="ICSA")


def test_fred_api_dot_is_missing(fixture_bytes: FixtureReader) -> None:
    (obs,) = fred.parse_observations(
        fixture_bytes("fred_series_observations_icsa_reconstructed.json"), series="ICSA"
    )
    assert obs.day_ms == iso_day_ms("2026-11-08")
    assert obs.value == 227000.0


def test_fred_api_error_body() -> None:
    body = b'{"error_code":400,"error_message":"Bad Request.  Variable api_key is not set."}'
    with pytest.raises(UpstreamError, match="api_key is not set"):
        fred.parse_observations(body, series="ICSA")


# --- DefiLlama --------------------------------------------------------------------------


def test_defillama_pool_selection(fixture_bytes: FixtureReader) -> None:
    assert defillama.parse_pools(fixture_bytes("defillama_yields_pools.json")) == ()  # only Lido stETH
    (pool,) = defillama.parse_pools(fixture_bytes("defillama_yields_pools_aave_usdc_reconstructed.json"))
    assert (pool.pool_id, pool.asset, pool.chain, pool.project) == (AAVE_USDC, "USDC", "Ethereum", "aave-v3")
    assert pool.supply_apy_pct == 3.81


def test_defillama_join_gives_borrow_rate(fixture_bytes: FixtureReader) -> None:
    pools = defillama.parse_pools(fixture_bytes("defillama_yields_pools_aave_usdc_reconstructed.json"))
    (rate,) = defillama.parse_lend_borrow(
        fixture_bytes("defillama_lendborrow_reconstructed.json"), pools=pools, received_ms=5
    )
    assert rate == BorrowRate(
        protocol="aave-v3",
        chain="Ethereum",
        asset="USDC",
        pool_id=AAVE_USDC,
        ts_ms=5,
        borrow_apy_pct=5.02,
        supply_apy_pct=3.81,
    )


def test_defillama_null_borrow_apy_is_skipped(fixture_bytes: FixtureReader) -> None:
    pools = defillama.parse_pools(fixture_bytes("defillama_yields_pools_aave_usdc_reconstructed.json"))
    body = json.dumps([{"pool": AAVE_USDC, "apyBaseBorrow": None}]).encode()
    assert defillama.parse_lend_borrow(body, pools=pools, received_ms=0) == ()


def test_defillama_decoders_from_params_alone(fixture_bytes: FixtureReader) -> None:
    pools = defillama.parse_pools(fixture_bytes("defillama_yields_pools_aave_usdc_reconstructed.json"))
    raw = RawPayload(
        source="defillama",
        endpoint="lend_borrow",
        received_ms=9,
        body=fixture_bytes("defillama_lendborrow_reconstructed.json"),
        params=freeze_params({"pools": defillama.pools_param(pools)}),
    )
    kind, items = defillama.DECODERS["lend_borrow"](raw, TABLE)
    assert kind == "borrow"
    (rate,) = items
    assert isinstance(rate, BorrowRate)
    assert rate.borrow_apy_pct == 5.02


def test_defillama_error_status() -> None:
    with pytest.raises(UpstreamError):
        defillama.parse_pools(b'{"status":"error","data":[]}')


def test_fred_csv_html_wall_is_blocked() -> None:
    with pytest.raises(BlockedError):
        fred.parse_fredgraph_csv(b"<!DOCTYPE html><html>This site requires JavaScript</html>", series="ICSA")
