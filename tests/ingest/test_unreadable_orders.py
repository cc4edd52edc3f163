"""One unreadable order in a liquidation frame costs that order, not the frame (issue 18)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crashtui.errors import ParseError
from crashtui.events import DataEvent, HeldEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import Liquidation, RawPayload
from crashtui.streams.bybit import parse_bybit_frame

REAL = json.loads(
    (Path(__file__).resolve().parents[1] / "fixtures" / "bybit_all_liquidation_ws_real.jsonl")
    .read_text()
    .splitlines()[0]
)
SYMBOLS = {"BTCUSDT": "BTC"}


def frame(*orders: dict[str, object]) -> bytes:
    return json.dumps({**REAL, "data": list(orders)}).encode()


@pytest.mark.parametrize(
    "bad",
    [
        {"v": "1e308"},  # a notional no market holds
        {"p": "NaN"},
        {"S": "Sideways"},
        {"T": "soon"},
    ],
)
def test_a_bad_order_is_skipped_and_counted(bad: dict[str, object]) -> None:
    good, other = REAL["data"]
    parsed = parse_bybit_frame(frame(good, {**other, **bad}), SYMBOLS)
    assert [liq.qty for liq in parsed.liquidations] == [0.006]
    assert parsed.skipped == 1
    assert parsed.skip_reason.startswith("bybit")
    assert "\n" not in parsed.skip_reason


def test_a_frame_of_only_bad_orders_is_a_bad_frame() -> None:
    good = REAL["data"][0]
    with pytest.raises(ParseError):
        parse_bybit_frame(frame({**good, "p": "-1"}), SYMBOLS)


def test_the_pipeline_applies_the_good_order_and_counts_the_bad_one() -> None:
    applied: list[object] = []
    pipeline = Pipeline.into(applied.append)
    good, other = REAL["data"]
    raw = RawPayload(
        source="bybit_liq",
        endpoint="ws",
        received_ms=good["T"] + 500,
        body=frame(good, {**other, "v": "1e308"}),
    )
    outcome = pipeline.payload(raw)
    assert (outcome.accepted, outcome.rejected, outcome.error) == (1, 1, None)
    (data,) = [e for e in applied if isinstance(e, DataEvent)]
    assert [type(i) for i in data.items] == [Liquidation]
    (held,) = [e for e in applied if isinstance(e, HeldEvent)]
    assert held.reason.startswith("unreadable: bybit")
    assert len(held.items) == 1
