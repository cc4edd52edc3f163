"""Poller behaviour on httpx.MockTransport and a fake clock: batching, backoff, failover, statuses."""

from __future__ import annotations

import asyncio
import itertools
import json
import random
from collections.abc import Callable
from types import MappingProxyType

import httpx
import pytest

from crashtui.clock import FakeClock
from crashtui.config.schema import Config, SourceConfig
from crashtui.events import DataEvent, Event, ServingEvent, StatusEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import RawPayload, SourceState, Ticker
from crashtui.upstream.poller import Poller
from tests.conftest import FixtureReader, freshen

T0 = 1_770_000_000_000
SECRET = "CG-demo-key-abcdef123456"
Handler = Callable[[httpx.Request], httpx.Response]


class StopClock(FakeClock):
    """A fake clock that stops the poller once fake time reaches ``until_s`` after the start."""

    def __init__(self, until_s: float) -> None:
        super().__init__(start_ms=T0)
        self.until_ms = T0 + round(until_s * 1000)
        self.poller: Poller | None = None

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.advance(max(0.0, seconds))
        if self.now_ms() >= self.until_ms and self.poller is not None:
            self.poller.stop()
        await asyncio.sleep(0)


class Recorder:
    """Collects events and payloads, and the (fake) time of every HTTP request per host."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.events: list[Event] = []
        self.raws: list[RawPayload] = []
        self.requests: list[tuple[int, httpx.Request]] = []

    def sink(self, event: Event) -> None:
        self.events.append(event)

    def raw(self, payload: RawPayload) -> None:
        self.raws.append(payload)

    def times(self, host: str) -> list[float]:
        """Seconds since start of each request to ``host``."""
        return [(t - T0) / 1000 for t, r in self.requests if r.url.host == host]

    def statuses(self, source: str) -> list[StatusEvent]:
        return [e for e in self.events if isinstance(e, StatusEvent) and e.status.source == source]

    def states(self, source: str) -> list[SourceState]:
        out: list[SourceState] = []
        for event in self.statuses(source):
            if not out or out[-1] != event.status.state:
                out.append(event.status.state)
        return out

    def serving(self, kind: str) -> list[str | None]:
        return [e.source for e in self.events if isinstance(e, ServingEvent) and e.kind == kind]

    def data_sources(self, kind: str) -> list[str]:
        return [e.source for e in self.events if isinstance(e, DataEvent) and e.kind == kind]


def _config(failover: dict[str, tuple[str, ...]], sources: dict[str, SourceConfig] | None = None) -> Config:
    return Config(failover=MappingProxyType(failover), sources=MappingProxyType(sources or {}))


def _make(
    config: Config,
    handler: Handler,
    *,
    until_s: float = 0.0,
    watchlist: tuple[str, ...] = ("BTC", "ETH"),
) -> tuple[Poller, StopClock, Recorder]:
    clock = StopClock(until_s)
    rec = Recorder(clock)

    def wrapped(request: httpx.Request) -> httpx.Response:
        rec.requests.append((clock.now_ms(), request))
        return handler(request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(wrapped))
    deliver = Pipeline.into(rec.sink).payload
    poller = Poller(config, watchlist, client, deliver, rec.sink, rec.raw, clock=clock, rng=random.Random(7))
    clock.poller = poller
    return poller, clock, rec


def _binance_ticker(symbols: list[str]) -> httpx.Response:
    rows = [
        {"symbol": s, "lastPrice": "100.5", "openPrice": "100", "quoteVolume": "1", "closeTime": T0}
        for s in symbols
    ]
    return httpx.Response(200, json=rows)


def _binance_ok(request: httpx.Request) -> httpx.Response:
    return _binance_ticker(json.loads(request.url.params["symbols"]))


def _coinbase_ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"price": "99.0", "time": "2026-02-02T00:00:00Z"})


# --- batching ---------------------------------------------------------------------------


@pytest.mark.parametrize("count", [1, 50])
async def test_batched_prices_is_one_request_for_1_or_50_symbols(count: int) -> None:
    watchlist = tuple(f"S{i:02d}" for i in range(count))
    poller, _, rec = _make(_config({"prices": ("binance",)}), _binance_ok, watchlist=watchlist)
    assert await poller.attempt("binance", "prices")
    assert len(rec.requests) == 1
    sent = json.loads(rec.requests[0][1].url.params["symbols"])
    assert sent == [f"S{i:02d}USDT" for i in range(count)]
    (data,) = [e for e in rec.events if isinstance(e, DataEvent)]
    assert len(data.items) == count
    assert {t.symbol for t in data.items if isinstance(t, Ticker)} == set(watchlist)


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("coingecko", "prices"),
        ("kraken", "prices"),
        ("binance_futures", "funding"),
        ("hyperliquid", "funding"),
    ],
)
@pytest.mark.parametrize("count", [1, 18])
async def test_other_batched_endpoints_make_one_request(
    source: str, kind: str, count: int, fixture_bytes: FixtureReader
) -> None:
    from crashtui.symbols import BUILTIN

    watchlist = tuple(sorted(BUILTIN))[:count]
    bodies = {
        "coingecko": fixture_bytes("coingecko_simple_price.json"),
        "kraken": b'{"error":[],"result":{}}',
        "binance_futures": b"[" + fixture_bytes("binance_futures_premium_index.json") + b"]",
        "hyperliquid": fixture_bytes("hyperliquid_meta_and_asset_ctxs.json"),
    }
    poller, _, rec = _make(
        _config({kind: (source,)}), lambda r: httpx.Response(200, content=bodies[source]), watchlist=watchlist
    )
    await poller.attempt(source, kind)  # these doc bodies may not list the watchlist: count only
    assert len(rec.requests) == 1


async def test_an_empty_answer_does_not_serve_the_kind(fixture_bytes: FixtureReader) -> None:
    """CoinGecko answering ``{}`` (none of the coins listed) is a failure, so failover moves on."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.host == "api.coingecko.com":
            return httpx.Response(200, json={})
        return httpx.Response(200, content=fixture_bytes("kraken_ohlc.json"))

    poller, _, rec = _make(_config({"prices": ("coingecko",)}), handler, watchlist=("BTC",))
    assert not await poller.attempt("coingecko", "prices")
    (status,) = [s.status for s in rec.statuses("coingecko")][-1:]
    assert status.last_error == "coingecko prices: answered, but with no data for BTC"


# --- scheduling, backoff, Retry-After ---------------------------------------------------


async def test_next_poll_is_scheduled_when_the_previous_one_ends() -> None:
    clock_holder: list[FakeClock] = []

    def slow(request: httpx.Request) -> httpx.Response:
        clock_holder[0].advance(15)  # the request takes 15 s, longer than the 10 s interval
        return _binance_ok(request)

    poller, clock, rec = _make(_config({"prices": ("binance",)}), slow, until_s=100)
    clock_holder.append(clock)
    await poller.run()
    starts = rec.times("data-api.binance.vision")
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert gaps
    assert all(g == 25 for g in gaps)  # 15 s in flight + 10 s interval: never overlapping


async def test_configured_interval_per_source_is_used() -> None:
    config = _config({"prices": ("binance",)}, {"binance": SourceConfig(poll_interval_s=25)})
    poller, _, rec = _make(config, _binance_ok, until_s=100)
    await poller.run()
    assert rec.times("data-api.binance.vision") == [0, 25, 50, 75]


async def test_retry_after_is_respected() -> None:
    def limited(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            429, json={"code": -1003, "msg": "Too much request weight"}, headers={"Retry-After": "37"}
        )

    poller, _, rec = _make(_config({"prices": ("binance",)}), limited, until_s=120)
    await poller.run()
    assert rec.times("data-api.binance.vision") == [0, 37, 74, 111]
    last = rec.statuses("binance")[-1].status
    assert last.state is SourceState.FAILING
    assert last.last_error is not None
    assert "429" in last.last_error
    assert last.next_attempt_ms == T0 + 148_000


async def test_backoff_grows_then_resets_after_a_success() -> None:
    calls = 0

    def flaky(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls <= 5 or calls == 7:
            return httpx.Response(503, text="busy")
        return _binance_ok(request)

    poller, _, rec = _make(_config({"prices": ("binance",)}), flaky, until_s=200)
    await poller.run()
    times = rec.times("data-api.binance.vision")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # failures 1..5: delays jittered within [50%, 100%] of 2, 4, 8, 16, 32 s (1 s minimum),
    # never longer than the 10 s poll interval (recovery within one interval)
    for i, gap in enumerate(gaps[:5]):
        ceiling = 2.0 * 2**i
        assert min(10.0, max(1.0, ceiling / 2)) - 0.001 <= gap <= min(10.0, ceiling) + 0.001
    assert gaps[0] < gaps[2] < gaps[4]
    assert gaps[5] == pytest.approx(10)  # success: the normal interval
    assert 1.0 <= gaps[6] <= 2.0 + 0.001  # the next failure starts the backoff from the bottom again


async def test_blocked_source_is_not_retried_in_a_tight_loop() -> None:
    def geo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(451, json={"code": 0, "msg": "Service unavailable from a restricted location"})

    poller, _, rec = _make(_config({"prices": ("binance",)}), geo, until_s=3600)
    await poller.run()
    times = rec.times("data-api.binance.vision")
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert len(times) <= 5
    assert all(900 <= g <= 1800 for g in gaps)
    status = rec.statuses("binance")[-1].status
    assert status.state is SourceState.BLOCKED
    assert status.hint == "set [sources.binance] base_url or disable the source"


# --- failover ---------------------------------------------------------------------------


async def test_failover_to_next_source_and_back_to_the_primary() -> None:
    clock_holder: list[FakeClock] = []

    def binance(request: httpx.Request) -> httpx.Response:
        if clock_holder[0].now_ms() < T0 + 60_000:
            return httpx.Response(502, text="bad gateway")
        return _binance_ok(request)

    def route(request: httpx.Request) -> httpx.Response:
        return binance(request) if request.url.host == "data-api.binance.vision" else _coinbase_ok(request)

    poller, clock, rec = _make(_config({"prices": ("binance", "coinbase")}), route, until_s=200)
    clock_holder.append(clock)
    await poller.run()
    assert rec.serving("prices") == ["coinbase", "binance"]
    sources = rec.data_sources("prices")
    switch = sources.index("binance")
    assert set(sources[:switch]) == {"coinbase"}
    assert set(sources[switch:]) == {"binance"}
    # the primary was probed on its own backoff while coinbase served, not only every 10 s
    binance_times = rec.times("data-api.binance.vision")
    recovered_at = next(t for t in binance_times if t >= 60)
    assert recovered_at < 60 + 64  # within the backoff cap reached by then
    # once the primary is back, the fallback is not polled any more
    assert all(t <= recovered_at for t in rec.times("api.exchange.coinbase.com"))
    coinbase = rec.statuses("coinbase")[-1].status
    assert coinbase.serving == ()
    assert rec.statuses("binance")[-1].status.serving == ("prices",)


async def test_nobody_serving_when_every_source_fails() -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Temporary failure in name resolution", request=request)

    poller, _, rec = _make(_config({"prices": ("binance", "coinbase")}), down, until_s=30)
    await poller.run()
    assert rec.serving("prices") == [None]
    status = rec.statuses("coinbase")[-1].status
    assert status.state is SourceState.FAILING
    assert status.last_error is not None
    assert "cannot resolve api.exchange.coinbase.com" in status.last_error


async def test_disabled_source_is_skipped_and_reported() -> None:
    config = _config({"prices": ("binance", "coinbase")}, {"binance": SourceConfig(enabled=False)})
    poller, _, rec = _make(config, _coinbase_ok, until_s=20)
    await poller.run()
    assert rec.times("data-api.binance.vision") == []
    assert rec.serving("prices") == ["coinbase"]
    assert rec.states("binance") == [SourceState.DISABLED]


# --- statuses ---------------------------------------------------------------------------


async def test_status_moves_pending_ok_stale_failing_ok() -> None:
    clock_holder: list[FakeClock] = []

    def outage(request: httpx.Request) -> httpx.Response:
        elapsed = (clock_holder[0].now_ms() - T0) / 1000
        if 15 <= elapsed < 120:
            raise httpx.ReadTimeout("timed out", request=request)
        return _binance_ok(request)

    poller, clock, rec = _make(_config({"prices": ("binance",)}), outage, until_s=400)
    clock_holder.append(clock)
    await poller.run()
    assert rec.states("binance") == [
        SourceState.PENDING,
        SourceState.OK,
        SourceState.STALE,
        SourceState.FAILING,
        SourceState.OK,
    ]
    ok = rec.statuses("binance")[-1].status
    assert ok.last_error is None
    assert ok.last_ok_ms is not None
    assert ok.requests_budget == 6000
    assert ok.requests_used > 0
    stale = next(e.status for e in rec.statuses("binance") if e.status.state is SourceState.STALE)
    assert stale.last_error is not None
    assert "read timeout" in stale.last_error


# --- payloads, secrets, robustness ------------------------------------------------------


async def test_every_payload_goes_to_the_raw_sink_without_the_key(fixture_bytes: FixtureReader) -> None:
    body = freshen(fixture_bytes("coingecko_simple_price.json"), T0)  # a quote of the test's now
    seen_keys: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen_keys.append(request.headers.get("x-cg-demo-api-key"))
        return httpx.Response(200, content=body)

    config = _config({"prices": ("coingecko",)}, {"coingecko": SourceConfig(api_key=SECRET)})
    poller, _, rec = _make(config, handler)
    assert await poller.attempt("coingecko", "prices")
    assert seen_keys == [SECRET]
    (raw,) = rec.raws
    assert raw.body == body
    assert SECRET not in json.dumps(dict(raw.params))


async def test_key_never_reaches_a_status(fixture_bytes: FixtureReader) -> None:
    def echo(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, text=f"key {request.headers['x-cg-demo-api-key']} is not valid")

    config = _config({"prices": ("coingecko",)}, {"coingecko": SourceConfig(api_key=SECRET)})
    poller, _, rec = _make(config, echo)
    assert not await poller.attempt("coingecko", "prices")
    text = repr(list(rec.events))
    assert SECRET not in text
    assert "***" in text


async def test_parser_bug_becomes_a_failing_status_not_a_crash(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> object:
        raise RuntimeError("boom")

    monkeypatch.setattr("crashtui.ingest.decode.decoder_for", lambda source, endpoint: broken)
    poller, _, rec = _make(_config({"prices": ("binance",)}), _binance_ok)
    assert not await poller.attempt("binance", "prices")
    status = rec.statuses("binance")[-1].status
    assert status.state is SourceState.FAILING
    assert status.last_error is not None
    assert "internal error: RuntimeError: boom" in status.last_error


async def test_cancelling_run_stops_every_loop() -> None:
    never = asyncio.Event()

    async def hang(request: httpx.Request) -> httpx.Response:
        await never.wait()
        return httpx.Response(200)

    client = httpx.AsyncClient(transport=httpx.MockTransport(hang))
    events: list[Event] = []
    config = _config({"prices": ("binance",), "depth": ("binance",)})
    poller = Poller(config, ("BTC",), client, Pipeline.into(events.append).payload, events.append)
    task = asyncio.create_task(poller.run())
    for _ in range(5):
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert poller._tasks == []
    await client.aclose()


async def test_backfill_first_then_tail(fixture_bytes: FixtureReader) -> None:
    body = fixture_bytes("binance_klines.json")
    poller, _, rec = _make(
        _config({"candles": ("binance",)}), lambda r: httpx.Response(200, content=body), watchlist=("BTC",)
    )
    assert await poller.attempt("binance", "candles")
    assert await poller.attempt("binance", "candles")
    limits = [r.url.params["limit"] for _, r in rec.requests]
    assert limits[:3] == ["500", "500", "400"]
    assert limits[3:] == ["5", "5", "5"]
    intervals = [r.url.params["interval"] for _, r in rec.requests[:3]]
    assert intervals == ["1h", "4h", "1d"]


async def test_slow_failure_of_the_primary_still_fails_over_in_the_same_cycle() -> None:
    clock_holder: list[FakeClock] = []

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "data-api.binance.vision":
            clock_holder[0].advance(5)  # a slow 5xx
            return httpx.Response(504, text="gateway timeout")
        return _coinbase_ok(request)

    poller, clock, rec = _make(_config({"prices": ("binance", "coinbase")}), route, until_s=5)
    clock_holder.append(clock)
    await poller.run()
    assert rec.times("api.exchange.coinbase.com")[:1] == [5.0]
    assert rec.serving("prices") == ["coinbase"]


async def test_a_spent_budget_does_not_hold_up_the_fallback() -> None:
    config = _config({"etf": ("farside", "sosovalue")})

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.host == "farside.co.uk":
            return httpx.Response(503, text="busy")
        return httpx.Response(200, json=[{"date": "2026-02-01", "total_net_inflow": -1e8}])

    poller, _, rec = _make(config, route, until_s=50)
    budget = poller.fetcher.budget("farside", "https://farside.co.uk")
    budget.spend(2)  # farside's 2 requests a minute are used up
    await poller.run()
    assert rec.times("farside.co.uk") == []
    assert rec.times("openapi.sosovalue.com")[:2] == [0.0, 0.0]
    assert rec.serving("etf") == ["sosovalue"]
