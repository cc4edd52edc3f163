"""Record → replay round trip: live polls and stream frames of fixture payloads, recorded to a
file, replayed through the real parsers, give exactly the same data events."""

from __future__ import annotations

import json
from pathlib import Path
from types import MappingProxyType

import httpx

from crashtui.clock import FakeClock
from crashtui.config.schema import Config, SourceConfig
from crashtui.events import DataEvent, Event
from crashtui.feeds.replay import ReplayFeed
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import RawPayload, freeze_params
from crashtui.replay.player import ListSource
from crashtui.replay.recording import RecordingHeader, RecordingWriter, read_recording
from crashtui.upstream.poller import Poller
from tests.conftest import FixtureReader

SECRET = "CG-secret-key-000111"
ROUTES = {
    ("data-api.binance.vision", "/api/v3/ticker/24hr"): "binance_ticker_24hr_mini_multi.json",
    ("data-api.binance.vision", "/api/v3/klines"): "binance_klines.json",
    ("data-api.binance.vision", "/api/v3/depth"): "binance_depth.json",
    ("api.alternative.me", "/fng/"): "alternative_me_fng_extreme_fear.json",
}


def data_items(events: list[Event]) -> list[tuple[str, str, tuple[object, ...]]]:
    return [(e.source, e.kind, e.items) for e in events if isinstance(e, DataEvent) and e.items]


async def test_live_poll_recorded_and_replayed_gives_the_same_events(
    tmp_path: Path, fixture_bytes: FixtureReader
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        name = ROUTES.get((request.url.host, request.url.path))
        if name is None:
            return httpx.Response(404, text="not found")
        ctype = (
            "text/html"
            if name.endswith(".html")
            else "text/csv"
            if name.endswith(".csv")
            else "application/json"
        )
        return httpx.Response(200, content=fixture_bytes(name), headers={"content-type": ctype})

    sources = {name: SourceConfig() for name in ("binance", "alternative_me")}
    sources["coingecko"] = SourceConfig(api_key=SECRET, api_key_from="config")
    config = Config(sources=MappingProxyType(sources))
    path = tmp_path / "session.jsonl.gz"
    writer = RecordingWriter(path, RecordingHeader(created_ms=1, label="t", watchlist=("BTC", "ETH")))
    live: list[Event] = []
    clock = FakeClock(start_ms=1_791_565_700_000)  # just after the recorded Bybit frame (2026-10-09)
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        deliver = Pipeline.into(live.append).payload
        poller = Poller(config, ("BTC", "ETH"), client, deliver, live.append, writer, clock=clock)
        for source, kind in [
            ("binance", "prices"),
            ("binance", "candles"),
            ("binance", "depth"),
            ("alternative_me", "fear_crypto"),
        ]:
            ok = await poller.attempt(source, kind)
            # the doc MINI ticker lists BNBBTC/LTCBTC only: recorded, but no watchlist prices
            assert ok is (kind != "prices"), source
    # a websocket frame goes through the same recorder
    frame = fixture_bytes("bybit_all_liquidation_ws_real.jsonl").splitlines()[0]
    writer(RawPayload("bybit_liq", "allLiquidation", clock.now_ms(), frame, freeze_params({}), 101, "ws"))
    writer.close()

    header, payloads = read_recording(path)
    assert header.watchlist == ("BTC", "ETH")
    replayed: list[Event] = []
    feed = ReplayFeed(ListSource(payloads))
    feed.attach(Pipeline.into(replayed.append))
    feed.run_to_end()
    live_items = data_items(live)
    replay_items = data_items(replayed)
    assert {kind for _, kind, _ in live_items} == {"candles", "depth", "fear_crypto"}
    assert replay_items[: len(live_items)] == live_items
    (liqs,) = replay_items[len(live_items) :]
    assert liqs[0] == "bybit_liq"
    assert len(liqs[2]) == 2  # both orders of the real frame
    assert SECRET not in path.read_bytes().decode("latin-1")
    assert SECRET not in json.dumps([dict(p.params) for p in payloads])
