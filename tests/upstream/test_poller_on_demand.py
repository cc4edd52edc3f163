"""A chart's on-demand 5m/15m fetch through the poller: one request on httpx.MockTransport, the
one pipeline and gate, and what it answers when it cannot fetch."""

from __future__ import annotations

import json

import httpx

from crashtui.config.schema import SourceConfig
from crashtui.events import DataEvent
from crashtui.model import Candle, Interval, SourceState
from tests.conftest import FixtureReader, freshen
from tests.upstream.test_poller import T0, Recorder, _config, _make

CANDLES: dict[str, tuple[str, ...]] = {"candles": ("binance", "coinbase")}


def _delivered(rec: Recorder) -> list[Candle]:
    return [
        c
        for e in rec.events
        if isinstance(e, DataEvent) and e.kind == "candles"
        for c in e.items
        if isinstance(c, Candle)
    ]


async def test_one_request_delivers_5m_candles_through_the_pipeline(fixture_bytes: FixtureReader) -> None:
    body = freshen(fixture_bytes("binance_klines.json"), T0 - 60_000)
    poller, _, rec = _make(_config(CANDLES), lambda r: httpx.Response(200, content=body))
    why = await poller.fetch_candles("ETH", Interval.M5, backfill=True)
    assert why is None
    ((_, request),) = rec.requests
    assert request.url.host == "data-api.binance.vision"
    assert (request.url.params["symbol"], request.url.params["interval"]) == ("ETHUSDT", "5m")
    assert request.url.params["limit"] == "1000"
    (candle,) = _delivered(rec)
    assert (candle.symbol, candle.interval, candle.source) == ("ETH", Interval.M5, "binance")
    assert [r.endpoint for r in rec.raws] == ["klines"]  # the recorder saw it, like any poll
    await poller.fetch_candles("ETH", Interval.M5, backfill=False)
    assert rec.requests[-1][1].url.params["limit"] == "5"


async def test_a_held_payload_is_an_answer_not_candles() -> None:
    # a candle dated next year: the gate's time rule holds it, nothing reaches the state
    row = [T0 + 400 * 86_400_000, "1", "2", "0.5", "1.5", "10", 0, "0", 1, "0", "0", "0"]
    poller, _, rec = _make(_config(CANDLES), lambda r: httpx.Response(200, content=json.dumps([row])))
    why = await poller.fetch_candles("BTC", Interval.M15, backfill=True)
    assert why is not None
    assert "held" in why
    assert _delivered(rec) == []


async def test_a_rate_limit_pauses_binance_for_the_poll_loops_too() -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429, json={"code": -1003, "msg": "Too much request weight"}, headers={"Retry-After": "37"}
        )

    poller, _, rec = _make(_config(CANDLES), limited)
    why = await poller.fetch_candles("BTC", Interval.M5, backfill=True)
    assert why is not None
    assert "429" in why
    assert poller.health["binance"].hold_until_ms == T0 + 37_000
    assert rec.states("binance")[-1] in (SourceState.FAILING, SourceState.STALE)
    sent = len(rec.requests)
    why = await poller.fetch_candles("BTC", Interval.M5, backfill=True)
    assert why == "binance is paused for 37 s (failing)"
    assert len(rec.requests) == sent  # nothing sent while paused


async def test_a_server_error_is_the_charts_alone() -> None:
    poller, _, rec = _make(_config(CANDLES), lambda r: httpx.Response(503, text="busy"))
    why = await poller.fetch_candles("BTC", Interval.M5, backfill=True)
    assert why is not None
    assert "503" in why
    assert poller.health["binance"].hold_until_ms == 0
    assert rec.states("binance") == []  # no status change: the poll loops own it
    assert poller.health["binance"].state is SourceState.PENDING


async def test_without_binance_in_the_candle_list_nothing_is_sent() -> None:
    config = _config(CANDLES, {"binance": SourceConfig(enabled=False)})
    poller, _, rec = _make(config, lambda r: httpx.Response(200, content=b"[]"))
    why = await poller.fetch_candles("BTC", Interval.M5, backfill=True)
    assert why is not None
    assert why.startswith("no enabled candle source")
    assert rec.requests == []
    poller, _, rec = _make(_config({"candles": ("coinbase",)}), lambda r: httpx.Response(200, content=b"[]"))
    assert await poller.fetch_candles("BTC", Interval.M5, backfill=True) is not None
    assert rec.requests == []


async def test_an_empty_answer_says_so() -> None:
    poller, _, _ = _make(_config(CANDLES), lambda r: httpx.Response(200, content=b"[]"))
    assert await poller.fetch_candles("BTC", Interval.M5, backfill=True) == (
        "binance answered with no 5m candles for BTC"
    )
