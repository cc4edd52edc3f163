"""Kraken: one unknown pair fails a whole batched answer; the poll names it and serves the rest."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from types import MappingProxyType

import httpx
import pytest

from crashtui.clock import FakeClock
from crashtui.config.schema import Config
from crashtui.errors import UpstreamError
from crashtui.events import DataEvent, Event, StatusEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import Candle, Interval, SourceState, Ticker
from crashtui.sources import kraken
from crashtui.upstream.poller import Poller
from tests.conftest import FixtureReader

T0 = 1_770_000_000_000
KNOWN = {"XBTUSD": "XXBTZUSD", "ETHUSD": "XETHZUSD"}  # LTCUSD is "unknown" to this Kraken


def _ticker_row(price: str) -> dict[str, list[str]]:
    # the documented Ticker shape (docs.kraken.com get-ticker-information)
    return {"a": [price, "1", "1.000"], "b": [price, "1", "1.000"], "c": [price, "0.1"], "v": ["10", "20"]}


def _kraken(unknown_body: bytes, fixture_bytes: FixtureReader) -> Callable[[httpx.Request], httpx.Response]:
    ohlc = json.loads(fixture_bytes("kraken_ohlc.json"))

    def handler(request: httpx.Request) -> httpx.Response:
        pairs = request.url.params["pair"].split(",")
        if any(p not in KNOWN for p in pairs):
            return httpx.Response(200, content=unknown_body)  # the whole batch fails, HTTP 200
        if request.url.path.endswith("/Ticker"):
            result = {KNOWN[p]: _ticker_row("100.5") for p in pairs}
            return httpx.Response(200, json={"error": [], "result": result})
        rows = next(v for k, v in ohlc["result"].items() if k != "last")
        return httpx.Response(200, json={"error": [], "result": {KNOWN[pairs[0]]: rows, "last": 0}})

    return handler


async def _attempt(kind: str, fixture_bytes: FixtureReader) -> tuple[list[Event], list[httpx.Request]]:
    events: list[Event] = []
    seen: list[httpx.Request] = []
    kraken_api = _kraken(fixture_bytes("kraken_error_unknown_pair.json"), fixture_bytes)

    def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return kraken_api(request)

    clock = FakeClock(start_ms=T0 if kind == "prices" else 1_688_671_200_000 + 3_600_000)
    config = Config(failover=MappingProxyType({kind: ("kraken",)}))
    async with httpx.AsyncClient(transport=httpx.MockTransport(record)) as client:
        poller = Poller(
            config,
            ("BTC", "ETH", "LTC"),
            client,
            Pipeline.into(events.append).payload,
            events.append,
            clock=clock,
            rng=random.Random(1),
            kinds=(kind,),
        )
        assert await asyncio.wait_for(poller.attempt("kraken", kind), 10)
    return events, seen


async def test_an_unknown_pair_is_named_and_the_other_prices_are_served(fixture_bytes: FixtureReader) -> None:
    events, seen = await _attempt("prices", fixture_bytes)
    assert [r.url.params["pair"] for r in seen] == ["XBTUSD,ETHUSD,LTCUSD", "XBTUSD", "ETHUSD", "LTCUSD"]
    prices = [i for e in events if isinstance(e, DataEvent) for i in e.items if isinstance(i, Ticker)]
    assert sorted(t.symbol for t in prices) == ["BTC", "ETH"]
    status = [e.status for e in events if isinstance(e, StatusEvent) and e.status.source == "kraken"][-1]
    assert status.state is SourceState.OK  # it serves BTC and ETH
    assert status.last_error == (
        "kraken Ticker: EQuery:Unknown asset pair LTCUSD (LTC); the other pairs are served"
    )
    assert status.hint is not None
    assert "[symbols." in status.hint


async def test_an_unknown_pair_costs_only_its_own_candles(fixture_bytes: FixtureReader) -> None:
    events, seen = await _attempt("candles", fixture_bytes)
    assert len(seen) == 9  # 3 pairs x 3 intervals, one request each
    candles = [i for e in events if isinstance(e, DataEvent) for i in e.items if isinstance(i, Candle)]
    assert {c.symbol for c in candles} == {"BTC", "ETH"}
    status = [e.status for e in events if isinstance(e, StatusEvent) and e.status.source == "kraken"][-1]
    assert status.state is SourceState.OK
    assert (
        status.last_error == "kraken OHLC: EQuery:Unknown asset pair LTCUSD (LTC); the other pairs are served"
    )


def test_the_parser_names_the_pair_it_asked_for(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("kraken_error_unknown_pair.json")
    assert kraken.is_unknown_pair(body)
    assert not kraken.is_unknown_pair(fixture_bytes("kraken_ohlc.json"))
    with pytest.raises(UpstreamError, match=r"^kraken OHLC: EQuery:Unknown asset pair FOOUSD \(FOO\)$"):
        kraken.parse_ohlc(body, symbol="FOO", interval=Interval.H1, received_ms=0, pair="FOOUSD")
    with pytest.raises(UpstreamError, match=r"EQuery:Unknown asset pair FOOUSD \(FOO\)$"):
        kraken.parse_ticker(body, result_keys={"FOOUSD": "FOO"}, received_ms=0, pair="FOOUSD")


async def test_every_pair_unknown_fails_the_source_naming_them(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("kraken_error_unknown_pair.json")

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    events: list[Event] = []
    config = Config(failover=MappingProxyType({"prices": ("kraken",)}))
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        poller = Poller(
            config,
            ("BTC", "LTC"),
            client,
            Pipeline.into(events.append).payload,
            events.append,
            clock=FakeClock(start_ms=T0),
            kinds=("prices",),
        )
        assert not await poller.attempt("kraken", "prices")
    status = [e.status for e in events if isinstance(e, StatusEvent)][-1]
    assert status.state is SourceState.FAILING
    assert status.last_error == "kraken Ticker: EQuery:Unknown asset pair XBTUSD (BTC), LTCUSD (LTC)"
