"""build_streams: which streams, URLs, subscriptions, pings and symbols a config produces."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from crashtui.config.schema import Config, SourceConfig
from crashtui.config.symbols import table_from_config
from crashtui.events import DataEvent, Event, Outcome
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import Liquidation, RawPayload
from crashtui.upstream.streams import build_streams, okx_families

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
MAJORS = ("BTC", "ETH", "SOL", "XRP", "BNB", "DOGE")


def nowhere(raw: RawPayload) -> Outcome:
    raise AssertionError("building streams must not deliver anything")


async def no_fetch(endpoint: str, url: str, params: Mapping[str, str]) -> RawPayload:
    raise AssertionError("building streams must not fetch anything")


def test_default_config_builds_three_streams_on_the_documented_routes() -> None:
    events: list[Event] = []
    streams = build_streams(Config(), MAJORS, Pipeline.into(events.append).payload, events.append)
    specs = {runner.spec.source: runner.spec for runner in streams.runners}
    assert specs["binance_liq"].url == "wss://fstream.binance.com/market/ws/!forceOrder@arr"
    assert specs["bybit_liq"].url == "wss://stream.bybit.com/v5/public/linear"
    assert specs["okx_liq"].url == "wss://ws.okx.com:8443/ws/v5/public"
    assert (specs["binance_liq"].sampled, specs["bybit_liq"].sampled, specs["okx_liq"].sampled) == (
        True,
        False,
        True,
    )
    assert specs["binance_liq"].subscribe == ()
    assert specs["binance_liq"].ping_message is None
    max_age = specs["binance_liq"].timing.max_age_s
    assert max_age is not None
    assert 23 * 3600 < max_age < 24 * 3600
    assert specs["bybit_liq"].ping_message == '{"op":"ping"}'
    assert specs["bybit_liq"].timing.ping_interval_s == 20.0
    assert specs["okx_liq"].ping_message == "ping"
    assert specs["okx_liq"].timing.ping_interval_s == 25.0
    topics = [t for message in specs["bybit_liq"].subscribe for t in json.loads(message)["args"]]
    assert topics == [f"allLiquidation.{s}USDT" for s in MAJORS]
    assert json.loads(specs["okx_liq"].subscribe[0])["args"] == [
        {"channel": "liquidation-orders", "instType": "SWAP"}
    ]
    assert streams.okx_rest is None  # no fetch given
    assert events == []  # nothing happens before start()


def test_fetch_enables_the_okx_backfill_for_the_watchlist_families() -> None:
    streams = build_streams(Config(), MAJORS, nowhere, lambda event: None, fetch=no_fetch)
    assert streams.okx_rest is not None
    assert okx_families(table_from_config(Config()), MAJORS) == tuple(f"{s}-USDT" for s in MAJORS)


def test_disabled_sources_are_not_built() -> None:
    config = Config(
        sources=MappingProxyType(
            {"binance_liq": SourceConfig(enabled=False), "okx": SourceConfig(enabled=False)}
        )
    )
    streams = build_streams(config, MAJORS, nowhere, lambda event: None, fetch=no_fetch)
    assert [runner.spec.source for runner in streams.runners] == ["bybit_liq", "okx_liq"]
    assert streams.okx_rest is None


def test_config_symbol_overrides_reach_subscriptions_and_parsers() -> None:
    config = Config(symbols=MappingProxyType({"PEPE": MappingProxyType({"bybit": "1000PEPEUSDT"})}))
    events: list[Event] = []
    pipeline = Pipeline.into(events.append, table_from_config(config))
    streams = build_streams(config, ["PEPE"], pipeline.payload, events.append)
    bybit_spec = next(runner.spec for runner in streams.runners if runner.spec.source == "bybit_liq")
    assert json.loads(bybit_spec.subscribe[0])["args"] == ["allLiquidation.1000PEPEUSDT"]
    at_ms = 1_791_565_600_992
    item = {"T": at_ms, "s": "1000PEPEUSDT", "S": "Buy", "v": "5", "p": "0.01"}
    frame = json.dumps({"topic": "allLiquidation.1000PEPEUSDT", "data": [item]}).encode()
    outcome = pipeline.payload(RawPayload("bybit_liq", bybit_spec.endpoint, at_ms + 50, frame, kind="ws"))
    assert outcome.accepted == 1
    (event,) = events
    assert isinstance(event, DataEvent)
    (liq,) = event.items
    assert isinstance(liq, Liquidation)
    assert (liq.symbol, liq.instrument) == ("PEPE", "1000PEPEUSDT")


def test_okx_parser_notes_instruments_without_a_contract_size() -> None:
    events: list[Event] = []
    pipeline = Pipeline.into(events.append)
    streams = build_streams(
        Config(), ["BTC"], pipeline.payload, events.append, contracts=pipeline.okx_contracts
    )
    okx_spec = next(runner.spec for runner in streams.runners if runner.spec.source == "okx_liq")
    frame = (FIXTURES / "okx_liquidation_orders_ws_real.jsonl").read_bytes().splitlines()[0]
    outcome = pipeline.payload(RawPayload("okx_liq", okx_spec.endpoint, 1_791_565_601_000, frame, kind="ws"))
    assert outcome.ok
    assert outcome.accepted == 0
    assert events == []
    assert streams.okx_contracts is pipeline.okx_contracts
    assert streams.okx_contracts.missing == {"BTC-USDT-SWAP"}
