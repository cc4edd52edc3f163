"""5m and 15m klines: the request a chart's on-demand fetch sends, the payload the fetch path
records and the decoder that reads it back, on the documented Binance klines payload."""

from __future__ import annotations

from types import MappingProxyType

import httpx
import pytest

from crashtui.clock import FakeClock
from crashtui.config.schema import Config
from crashtui.model import ON_DEMAND_INTERVALS, POLLED_INTERVALS, Candle, Interval, RawPayload
from crashtui.net.fetcher import Fetcher
from crashtui.sources import binance
from crashtui.sources.registry import ON_DEMAND_CANDLES, decode
from crashtui.symbols import DEFAULT_TABLE, SymbolInfo, SymbolTable
from crashtui.upstream.context import poll_context
from tests.conftest import FixtureReader

OPEN_MS = 1499040000000  # the fixture row's open time


def test_the_short_intervals_are_binance_kline_names() -> None:
    assert [i.value for i in Interval] == ["5m", "15m", "1h", "4h", "1d"]
    assert (Interval.M5.ms, Interval.M15.ms) == (300_000, 900_000)
    assert Interval("5m") is Interval.M5
    assert Interval("15m") is Interval.M15
    assert set(ON_DEMAND_INTERVALS) | set(POLLED_INTERVALS) == set(Interval)
    assert not set(ON_DEMAND_INTERVALS) & set(POLLED_INTERVALS)


async def _fetch(
    body: bytes, interval: Interval, received_ms: int, backfill: bool
) -> tuple[RawPayload, httpx.Request]:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, content=body)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        fetcher = Fetcher(client, FakeClock(start_ms=received_ms), max_body_bytes=1 << 20)
        ctx = poll_context(
            Config(), "binance", ("BTC",), DEFAULT_TABLE, fetcher, received_ms, backfill=backfill
        )
        request = ON_DEMAND_CANDLES["binance"](ctx, "BTC", interval)
        assert request is not None
        raw = await fetcher(request)
    (http_request,) = sent
    return raw, http_request


@pytest.mark.parametrize("interval", ON_DEMAND_INTERVALS)
async def test_a_short_interval_round_trips_request_payload_and_decoder(
    fixture_bytes: FixtureReader, interval: Interval
) -> None:
    body = fixture_bytes("binance_klines.json")
    # received one millisecond before the candle's end: still forming at 5m/15m
    raw, sent = await _fetch(body, interval, OPEN_MS + interval.ms - 1, backfill=True)
    assert sent.url.path == "/api/v3/klines"
    assert sent.url.params["interval"] == interval.value
    assert sent.url.params["symbol"] == "BTCUSDT"
    assert sent.url.params["limit"] == "1000"
    kind, items = decode(raw, DEFAULT_TABLE)  # only the payload's own params, as a replay would
    assert kind == "candles"
    (candle,) = items
    assert isinstance(candle, Candle)
    assert candle.interval is interval
    assert (candle.symbol, candle.open_ms, candle.source) == ("BTC", OPEN_MS, "binance")
    assert (candle.open, candle.high, candle.low, candle.close) == (0.0163479, 0.8, 0.015758, 0.015771)
    assert candle.closed is False
    # at the candle's end it is closed: the interval's own length decides, not an hour
    raw, _ = await _fetch(body, interval, OPEN_MS + interval.ms, backfill=False)
    (closed,) = decode(raw, DEFAULT_TABLE)[1]
    assert isinstance(closed, Candle)
    assert closed.closed is True


async def test_a_refresh_asks_only_for_the_tail(fixture_bytes: FixtureReader) -> None:
    _, sent = await _fetch(fixture_bytes("binance_klines.json"), Interval.M5, OPEN_MS, backfill=False)
    assert sent.url.params["limit"] == str(binance.TAIL_LIMIT)


def test_the_poll_cycle_still_asks_three_intervals_per_symbol() -> None:
    """The request budget (BENCHMARKS.md, requests/cycle candles): 5m/15m are never polled."""

    async def never(request: object) -> RawPayload:
        raise AssertionError("not sent")

    ctx = poll_context(Config(), "binance", ("BTC", "ETH"), DEFAULT_TABLE, never, OPEN_MS)  # type: ignore[arg-type]
    requests = binance.klines_requests(ctx)
    assert len(requests) == 2 * 3
    assert {r.query["interval"] for r in requests} == {"1h", "4h", "1d"}


def test_a_symbol_not_on_binance_has_no_request() -> None:
    async def never(request: object) -> RawPayload:
        raise AssertionError("not sent")

    table = SymbolTable({"XYZ": SymbolInfo("XYZ", MappingProxyType({"kraken": "XYZUSD"}))})
    ctx = poll_context(Config(), "binance", ("XYZ",), table, never, OPEN_MS)  # type: ignore[arg-type]
    assert binance.klines_request(ctx, "XYZ", Interval.M5) is None
