"""Venue frame parsers on the recorded and documented fixtures (tests/fixtures, README §3)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crashtui.errors import ParseError
from crashtui.model import Side
from crashtui.streams import binance, bybit, okx
from crashtui.streams.frames import ACK, ERROR, INFO, PONG, RECONNECT, ParsedFrame, base_name
from crashtui.streams.okx import OkxContract
from crashtui.symbols import DEFAULT_TABLE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BINANCE_SYMBOLS = DEFAULT_TABLE.reverse("binance_futures")
BYBIT_SYMBOLS = DEFAULT_TABLE.reverse("bybit")
OKX_SYMBOLS = DEFAULT_TABLE.reverse("okx")
# BTC-USDT-SWAP ctVal 0.01 BTC is documented (README §3); the others are test values.
CONTRACTS = {
    "BTC-USDT-SWAP": OkxContract(0.01),
    "CELO-USDT-SWAP": OkxContract(10.0),
    "DYDX-USDT-SWAP": OkxContract(1.0),
    "IOST-USDT-SWAP": OkxContract(1000.0),
}


def lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def text(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


# ---------------------------------------------------------------- Binance


def test_binance_doc_frame_sell_is_a_long_liquidation() -> None:
    (liq,) = binance.parse_binance_frame(
        text("binance_futures_force_order_ws_doc.json"), BINANCE_SYMBOLS
    ).liquidations
    assert liq.venue == "binance"
    assert liq.symbol == "BTC"
    assert liq.instrument == "BTCUSDT"
    assert liq.liquidated_side is Side.LONG
    assert liq.price == 9910.0
    assert liq.qty == 0.014
    assert liq.notional_usd == pytest.approx(138.74)
    assert liq.ts_ms == 1568014460893


def test_binance_real_combined_envelope_uses_filled_qty_and_average_price() -> None:
    frame = binance.parse_binance_frame(
        lines("binance_futures_force_order_ws_real.jsonl")[0], BINANCE_SYMBOLS
    )
    assert frame.is_data
    (liq,) = frame.liquidations
    assert liq.symbol == "BTC"
    assert liq.liquidated_side is Side.LONG
    assert liq.price == 82651.90  # ap, not the order price p
    assert liq.qty == 0.190  # z, not the last fill l=0.155
    assert liq.notional_usd == pytest.approx(0.190 * 82651.90)
    assert liq.ts_ms == 1791565602120  # trade time T


def test_binance_buy_is_a_short_liquidation_and_symbols_map_back() -> None:
    (liq,) = binance.parse_binance_frame(
        lines("binance_futures_force_order_ws_real.jsonl")[1], BINANCE_SYMBOLS
    ).liquidations
    assert liq.liquidated_side is Side.SHORT
    assert liq.symbol == "XRP"
    assert liq.notional_usd == pytest.approx(127.2 * 1.4912)


def test_binance_raw_frames_with_and_without_extra_fields_keep_unknown_base_names() -> None:
    manta, kaia = (
        binance.parse_binance_frame(line, BINANCE_SYMBOLS).liquidations[0]
        for line in lines("binance_futures_force_order_ws_real.jsonl")[2:4]
    )
    assert (manta.symbol, manta.instrument, manta.qty) == ("MANTA", "MANTAUSDT", 2049.1)
    assert (kaia.symbol, kaia.qty, kaia.price) == ("KAIA", 3391.0, 0.05956)


def test_binance_symbol_override_is_used() -> None:
    frame = lines("binance_futures_force_order_ws_real.jsonl")[2]
    (liq,) = binance.parse_binance_frame(frame, {"MANTAUSDT": "MNT"}).liquidations
    assert liq.symbol == "MNT"


def test_binance_control_frames() -> None:
    assert binance.parse_binance_frame('{"result":null,"id":1}', {}).control == ACK
    err = binance.parse_binance_frame('{"error":{"code":2,"msg":"Invalid request: [x]"},"id":1}', {})
    assert err.control == ERROR
    assert "Invalid request" in err.message
    assert binance.parse_binance_frame('{"code":-1121,"msg":"Invalid symbol."}', {}).control == ERROR


@pytest.mark.parametrize(
    "frame",
    [
        "not json",
        b"\xff\xfe\x00",
        "42",
        '{"foo":1}',
        '{"e":"aggTrade","E":1,"o":{}}',
        '{"stream":"!forceOrder@arr","data":{"E":1}}',
    ],
)
def test_binance_garbage_raises_parse_error(frame: str | bytes) -> None:
    with pytest.raises(ParseError):
        binance.parse_binance_frame(frame, BINANCE_SYMBOLS)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("S", "HOLD"),
        ("z", "abc"),
        ("z", [1]),
        ("ap", "-5"),
        ("ap", None),
        ("T", "soon"),
        ("T", 1.5),
        ("s", 7),
    ],
)
def test_binance_wrong_field_types_raise_parse_error(field: str, value: Any) -> None:
    message = json.loads(text("binance_futures_force_order_ws_doc.json"))
    message["o"][field] = value
    if field in ("ap", "z"):  # make the fallback field bad too, or the parser rightly falls back
        message["o"]["p" if field == "ap" else "q"] = value
    with pytest.raises(ParseError):
        binance.parse_binance_frame(json.dumps(message), BINANCE_SYMBOLS)


# ------------------------------------------------------------------ Bybit


def test_bybit_doc_frame_sell_is_a_short_liquidation() -> None:
    (liq,) = bybit.parse_bybit_frame(text("bybit_all_liquidation_ws_doc.json"), BYBIT_SYMBOLS).liquidations
    assert liq.venue == "bybit"
    assert (liq.symbol, liq.instrument) == ("ROSE", "ROSEUSDT")
    assert liq.liquidated_side is Side.SHORT
    assert (liq.qty, liq.price) == (20000.0, 0.04499)
    assert liq.notional_usd == pytest.approx(899.8)
    assert liq.ts_ms == 1739502302929


def test_bybit_real_frame_buy_is_a_long_and_every_item_is_kept() -> None:
    frame = bybit.parse_bybit_frame(lines("bybit_all_liquidation_ws_real.jsonl")[0], BYBIT_SYMBOLS)
    assert [(liq.symbol, liq.liquidated_side, liq.qty, liq.ts_ms) for liq in frame.liquidations] == [
        ("BTC", Side.LONG, 0.006, 1791565600992),
        ("BTC", Side.LONG, 0.038, 1791565601058),
    ]
    assert frame.liquidations[1].notional_usd == pytest.approx(0.038 * 82394.30)


def test_bybit_real_pong_and_control_frames() -> None:
    assert bybit.parse_bybit_frame(lines("bybit_all_liquidation_ws_real.jsonl")[2], {}).control == PONG
    assert bybit.parse_bybit_frame('{"op":"pong","args":["1"],"conn_id":"x"}', {}).control == PONG
    ack = '{"success":true,"ret_msg":"","conn_id":"x","req_id":"","op":"subscribe"}'
    assert bybit.parse_bybit_frame(ack, {}).control == ACK
    failed = bybit.parse_bybit_frame(
        '{"success":false,"ret_msg":"error:handler not found","op":"subscribe"}', {}
    )
    assert failed.control == ERROR
    assert "handler not found" in failed.message


def test_bybit_empty_data_is_a_data_frame_without_liquidations() -> None:
    frame = bybit.parse_bybit_frame(
        '{"topic":"allLiquidation.BTCUSDT","type":"snapshot","ts":1,"data":[]}', {}
    )
    assert frame.is_data
    assert frame.liquidations == ()


@pytest.mark.parametrize(
    "frame",
    [
        "pong",
        "[]",
        '{"topic":"publicTrade.BTCUSDT","data":[]}',
        '{"topic":"allLiquidation.BTCUSDT","data":{"s":"BTCUSDT"}}',
        '{"topic":"allLiquidation.BTCUSDT","data":[{"s":"BTCUSDT","S":"Long","v":"1","p":"1","T":1}]}',
        '{"topic":"allLiquidation.BTCUSDT","data":[{"s":"BTCUSDT","S":"Buy","v":"0","p":"1","T":1}]}',
        '{"topic":"allLiquidation.BTCUSDT","data":[{"s":"BTCUSDT","S":"Buy","v":"1","p":"1"}]}',
        '{"hello":"world"}',
    ],
)
def test_bybit_garbage_raises_parse_error(frame: str) -> None:
    with pytest.raises(ParseError):
        bybit.parse_bybit_frame(frame, BYBIT_SYMBOLS)


def test_bybit_subscribe_messages_are_chunked_and_deduplicated() -> None:
    names = [f"S{i}USDT" for i in range(12)] + ["S0USDT"]
    messages = [json.loads(m) for m in bybit.subscribe_messages(names)]
    assert [m["op"] for m in messages] == ["subscribe", "subscribe"]
    topics = [t for m in messages for t in m["args"]]
    assert topics == [f"allLiquidation.S{i}USDT" for i in range(12)]
    assert len(messages[0]["args"]) == 10


# -------------------------------------------------------------------- OKX


def test_okx_real_frame_converts_contracts_with_ct_val() -> None:
    frame = okx.parse_okx_frame(lines("okx_liquidation_orders_ws_real.jsonl")[0], OKX_SYMBOLS, CONTRACTS)
    (liq,) = frame.liquidations
    assert liq.venue == "okx"
    assert (liq.symbol, liq.instrument) == ("BTC", "BTC-USDT-SWAP")
    assert liq.liquidated_side is Side.LONG
    assert liq.qty == pytest.approx(0.0855)  # 8.55 contracts × 0.01 BTC
    assert liq.price == 82655.7
    assert liq.notional_usd == pytest.approx(8.55 * 0.01 * 82655.7)
    assert liq.ts_ms == 1791565600771  # from the ms string


def test_okx_real_short_and_doc_frame() -> None:
    (celo,) = okx.parse_okx_frame(
        lines("okx_liquidation_orders_ws_real.jsonl")[1], OKX_SYMBOLS, CONTRACTS
    ).liquidations
    assert (celo.symbol, celo.liquidated_side) == ("CELO", Side.SHORT)
    assert celo.qty == pytest.approx(199790.0)
    (iost,) = okx.parse_okx_frame(
        text("okx_liquidation_orders_ws_doc.json"), OKX_SYMBOLS, CONTRACTS
    ).liquidations
    assert (iost.symbol, iost.liquidated_side, iost.ts_ms) == ("IOST", Side.SHORT, 1692266434010)
    assert iost.notional_usd == pytest.approx(13 * 1000 * 0.007831)


@pytest.mark.parametrize(("side", "expected"), [("sell", Side.LONG), ("buy", Side.SHORT)])
def test_okx_net_mode_takes_the_side_from_the_forced_order(side: str, expected: Side) -> None:
    message = json.loads(lines("okx_liquidation_orders_ws_real.jsonl")[0])
    message["data"][0]["details"][0].update(posSide="net", side=side)
    (liq,) = okx.parse_okx_frame(json.dumps(message), OKX_SYMBOLS, CONTRACTS).liquidations
    assert liq.liquidated_side is expected


def test_okx_inverse_swap_ct_val_is_usd() -> None:
    message = json.loads(lines("okx_liquidation_orders_ws_real.jsonl")[0])
    message["data"][0]["instId"] = "BTC-USD-SWAP"
    contracts = {"BTC-USD-SWAP": OkxContract(100.0, inverse=True)}
    (liq,) = okx.parse_okx_frame(json.dumps(message), OKX_SYMBOLS, contracts).liquidations
    assert liq.symbol == "BTC"
    assert liq.notional_usd == pytest.approx(855.0)
    assert liq.qty == pytest.approx(855.0 / 82655.7)


def test_okx_unknown_contract_is_skipped_and_reported() -> None:
    frame = okx.parse_okx_frame(lines("okx_liquidation_orders_ws_real.jsonl")[2], OKX_SYMBOLS, {})
    assert frame.is_data
    assert frame.liquidations == ()
    assert frame.missing_contracts == ("DYDX-USDT-SWAP",)


def test_okx_control_frames() -> None:
    assert okx.parse_okx_frame("pong", {}, {}).control == PONG
    assert okx.parse_okx_frame(b"pong", {}, {}).control == PONG
    ack = '{"event":"subscribe","arg":{"channel":"liquidation-orders","instType":"SWAP"},"connId":"a"}'
    assert okx.parse_okx_frame(ack, {}, {}).control == ACK
    err = okx.parse_okx_frame('{"event":"error","code":"60012","msg":"Invalid request","connId":"a"}', {}, {})
    assert (err.control, err.message) == (ERROR, "okx error 60012: Invalid request")
    notice = (
        '{"event":"notice","code":"64008","msg":"The connection will soon be closed for a service upgrade."}'
    )
    assert okx.parse_okx_frame(notice, {}, {}).control == RECONNECT
    count = '{"event":"channel-conn-count","channel":"liquidation-orders","connCount":"2","connId":"a"}'
    assert okx.parse_okx_frame(count, {}, {}).control == INFO


@pytest.mark.parametrize(
    "frame",
    [
        "ping",
        '{"event":"teleport"}',
        '{"arg":{"channel":"trades","instId":"BTC-USDT"},"data":[]}',
        '{"arg":{"channel":"liquidation-orders"},"data":{}}',
        '{"arg":{"channel":"liquidation-orders"},"data":[{"instId":"BTC-USDT-SWAP","details":"x"}]}',
        '{"arg":{"channel":"liquidation-orders"},"data":[{"details":[]}]}',
        "[1,2]",
    ],
)
def test_okx_garbage_raises_parse_error(frame: str) -> None:
    with pytest.raises(ParseError):
        okx.parse_okx_frame(frame, OKX_SYMBOLS, CONTRACTS)


@pytest.mark.parametrize(
    ("field", "value"),
    [("posSide", "sideways"), ("sz", "-1"), ("bkPx", "nan"), ("ts", "17915656.5"), ("ts", None), ("sz", {})],
)
def test_okx_wrong_detail_values_raise_parse_error(field: str, value: Any) -> None:
    message = json.loads(lines("okx_liquidation_orders_ws_real.jsonl")[0])
    detail = message["data"][0]["details"][0]
    detail[field] = value
    if field == "posSide":
        detail["side"] = "hold"
    with pytest.raises(ParseError):
        okx.parse_okx_frame(json.dumps(message), OKX_SYMBOLS, CONTRACTS)


def test_okx_subscribe_message() -> None:
    assert json.loads(okx.SUBSCRIBE_MESSAGE) == {
        "op": "subscribe",
        "args": [{"channel": "liquidation-orders", "instType": "SWAP"}],
    }


def test_base_name_of_unknown_instruments() -> None:
    assert [
        base_name(n) for n in ("MANTAUSDT", "1000PEPEUSDT", "BTC-USDT-SWAP", "BTCUSDT_260327", "USDT")
    ] == [
        "MANTA",
        "1000PEPE",
        "BTC",
        "BTC",
        "USDT",
    ]


# --------------------------------------------------- never anything but ParseError

JSON_LEAF = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True),
    st.text(max_size=8),
    st.just([]),
    st.just({}),
)


def _mutations(message: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value inside a JSON document."""
    out = [path] if path else []
    if isinstance(message, dict):
        for key, value in message.items():
            out += _mutations(value, (*path, key))
    elif isinstance(message, list):
        for index, value in enumerate(message):
            out += _mutations(value, (*path, index))
    return out


def _set(message: Any, path: tuple[Any, ...], value: Any) -> Any:
    target = message
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return message


SAMPLES = [
    ("binance", lines("binance_futures_force_order_ws_real.jsonl")[0]),
    ("bybit", lines("bybit_all_liquidation_ws_real.jsonl")[0]),
    ("okx", lines("okx_liquidation_orders_ws_real.jsonl")[0]),
]


def _check_invariants(parsed: ParsedFrame) -> None:
    """Whatever a parser accepts is a sane liquidation."""
    for liq in parsed.liquidations:
        assert liq.liquidated_side in (Side.LONG, Side.SHORT)
        assert 0 < liq.price < math.inf
        assert 0 < liq.qty < math.inf
        assert liq.notional_usd > 0
        assert liq.ts_ms > 0
        assert liq.symbol


def _parse(venue: str, frame: str | bytes) -> ParsedFrame:
    if venue == "binance":
        return binance.parse_binance_frame(frame, BINANCE_SYMBOLS)
    if venue == "bybit":
        return bybit.parse_bybit_frame(frame, BYBIT_SYMBOLS)
    return okx.parse_okx_frame(frame, OKX_SYMBOLS, CONTRACTS)


@settings(max_examples=300, deadline=None)
@given(sample=st.sampled_from(SAMPLES), choice=st.integers(min_value=0), leaf=JSON_LEAF)
def test_mutated_real_frames_only_ever_raise_parse_error(
    sample: tuple[str, str], choice: int, leaf: Any
) -> None:
    venue, line = sample
    paths = _mutations(json.loads(line))
    frame = json.dumps(_set(json.loads(line), paths[choice % len(paths)], leaf))
    try:
        parsed = _parse(venue, frame)
    except ParseError:
        return
    _check_invariants(parsed)


@settings(max_examples=200, deadline=None)
@given(venue=st.sampled_from(["binance", "bybit", "okx"]), junk=st.binary(max_size=64) | st.text(max_size=64))
def test_random_junk_only_ever_raises_parse_error(venue: str, junk: str | bytes) -> None:
    try:
        parsed = _parse(venue, junk)
    except ParseError:
        return
    _check_invariants(parsed)
