"""``--once --json`` zones at the crash low: at least two supports below and two resistances above."""

from __future__ import annotations

import contextlib
import io
import json
from typing import Any

import pytest

from crashtui.cli import main

FEB6_1400 = "2026-02-06T14:00Z"  # BTC ~60,200, at the low of the Feb 6 crash


@pytest.fixture(scope="module")
def doc() -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--once", "--json", "--replay", "feb-2026", "--until", FEB6_1400]) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize("symbol", ["BTC", "ETH"])
def test_two_supports_below_and_two_resistances_above_at_the_low(doc: dict[str, Any], symbol: str) -> None:
    row = next(r for r in doc["watchlist"] if r["symbol"] == symbol)
    price = row["price"]
    supports = [z for z in row["zones"] if z["kind"] == "support"]
    resistances = [z for z in row["zones"] if z["kind"] == "resistance"]
    assert len([z for z in supports if z["level"] <= price]) >= 2
    assert len([z for z in resistances if z["level"] > price]) >= 2
    for z in row["zones"]:
        assert z["source"] in ("pinned", "monthly", "weekly", "pivot", "round", "volume", "ma200")
        assert z["state"]
        assert z["state_words"]
        assert z["evidence"]
        assert len(z["evidence_items"]) == len(z["evidence"])
        for e in z["evidence_items"]:
            assert e["kind"] in ("swing_high", "swing_low", "volume_node", "ma200", "round_number", "pinned")
            assert e["text"]


def test_btc_at_60k_has_55k_and_60k_below(doc: dict[str, Any]) -> None:
    btc = next(r for r in doc["watchlist"] if r["symbol"] == "BTC")
    assert 59_000 < btc["price"] < 61_000
    below = sorted((z["level"] for z in btc["zones"] if z["kind"] == "support"), reverse=True)
    assert below[:2] == [60_000.0, 55_000.0]
    z55 = next(z for z in btc["zones"] if z["level"] == 55_000.0)
    assert z55["source"] == "round"
    assert z55["evidence_items"][0]["kind"] == "round_number"
    pivots = [e for z in btc["zones"] for e in z["evidence_items"] if e["kind"].startswith("swing")]
    assert all(e["timeframe"] and e["at"] for e in pivots)
