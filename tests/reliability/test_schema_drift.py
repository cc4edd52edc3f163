"""Added fields are tolerated, on the real payload files: providers extend, they rarely rename."""

from __future__ import annotations

import json

import pytest

from crashtui.errors import ParseError
from crashtui.sources import binance, theblock
from tests.conftest import FixtureReader
from tests.reliability.fault_modes import Fault, reshape

T0 = 1_770_000_000_000


def test_binance_depth_levels_with_an_added_column_parse_the_same(fixture_bytes: FixtureReader) -> None:
    real = fixture_bytes("binance_depth.json")
    data = json.loads(real)
    for side in ("bids", "asks"):
        data[side] = [[*level, 17] for level in data[side]]  # e.g. an order count per level
    before = binance.parse_depth(real, symbol="BTC", received_ms=T0)
    after = binance.parse_depth(json.dumps(data).encode(), symbol="BTC", received_ms=T0)
    assert after == before


def test_theblock_series_with_an_added_member_parse_the_same(fixture_bytes: FixtureReader) -> None:
    real = fixture_bytes("theblock_btc_etf_flows_reconstructed.json")
    data = json.loads(real)
    data["Series"]["updatedAt"] = 1_784_592_000
    data["Series"]["meta"] = {"unit": "USD"}
    before = theblock.parse_flows(real, asset="BTC")
    assert before
    assert theblock.parse_flows(json.dumps(data).encode(), asset="BTC") == before


def test_theblock_series_with_every_data_list_renamed_is_an_error(fixture_bytes: FixtureReader) -> None:
    data = reshape(Fault.RENAMED, json.loads(fixture_bytes("theblock_btc_etf_flows_reconstructed.json")))
    data = {"Series": next(iter(data.values()))}  # the envelope key kept, every member's keys renamed
    with pytest.raises(ParseError, match="no series with Data"):
        theblock.parse_flows(json.dumps(data).encode(), asset="BTC")
