"""A replay judges a recording as the live run judged it: the config's ``[symbols]`` overrides,
the recorded HTTP statuses, and a malformed line skipped and counted, never fatal."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from types import MappingProxyType

from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.headless.document import build_document
from crashtui.model import RawPayload, SourceState, freeze_params
from crashtui.replay.recording import RecordingHeader, encode_payload, write_recording
from tests.conftest import FixtureReader

T0 = 1_770_400_000_000


def ticker(
    fixture: bytes, symbol: str, instrument: str, price: str, at_ms: int, status: int = 200
) -> RawPayload:
    row = {**json.loads(fixture)[0], "symbol": instrument, "lastPrice": price, "closeTime": at_ms}
    body = json.dumps([row]).encode() if status == 200 else b'{"code":-1003,"msg":"Too many requests."}'
    return RawPayload(
        "binance", "ticker_24hr", at_ms, body, freeze_params({"symbols": symbol}), status=status
    )


def replay(tmp_path: Path, payloads: list[RawPayload], config: Config | None = None) -> Engine:
    path = tmp_path / "rec.jsonl.gz"
    write_recording(path, RecordingHeader(created_ms=T0, label="t", watchlist=("XYZ", "BTC")), payloads)
    engine = build_engine(config or Config(), (), EngineOptions(replay=ReplayOptions(path, None)))
    engine.replay_to_end()
    return engine


def test_replay_applies_the_configs_symbol_overrides(tmp_path: Path, fixture_bytes: FixtureReader) -> None:
    fixture = fixture_bytes("binance_ticker_24hr_mini_multi.json")
    payloads = [ticker(fixture, "XYZ", "XYZ1USDT", "1.25", T0)]
    assert "XYZ" not in replay(tmp_path, payloads).state.tickers  # the built-in name is XYZUSDT
    config = Config(symbols=MappingProxyType({"XYZ": MappingProxyType({"binance": "XYZ1USDT"})}))
    assert replay(tmp_path, payloads, config).state.tickers["XYZ"].price == 1.25


def test_a_recorded_429_shows_the_source_throttled(tmp_path: Path, fixture_bytes: FixtureReader) -> None:
    fixture = fixture_bytes("binance_ticker_24hr_mini_multi.json")
    engine = replay(
        tmp_path,
        [
            ticker(fixture, "BTC", "BTCUSDT", "61940.0", T0),
            ticker(fixture, "BTC", "BTCUSDT", "1.0", T0 + 15_000, status=429),
        ],
    )
    status = engine.state.statuses["binance"]
    # as live (upstream/health.py): stale while the last good answer is within 3 poll intervals
    assert status.state is SourceState.STALE
    assert "HTTP 429 Too Many Requests" in (status.last_error or "")
    assert status.last_ok_ms == T0
    assert engine.state.tickers["BTC"].price == 61940.0  # the throttled answer's body is not data
    later = replay(
        tmp_path,
        [
            ticker(fixture, "BTC", "BTCUSDT", "61940.0", T0),
            ticker(fixture, "BTC", "BTCUSDT", "61950.0", T0 + 15_000),
            ticker(fixture, "BTC", "BTCUSDT", "1.0", T0 + 15 * 60_000, status=429),
        ],
    )
    assert later.state.statuses["binance"].state is SourceState.FAILING  # the last good one is old
    alone = replay(tmp_path, [ticker(fixture, "BTC", "BTCUSDT", "1.0", T0, status=429)])
    assert alone.state.statuses["binance"].state is SourceState.FAILING  # never succeeded


def test_malformed_lines_are_skipped_counted_and_said(tmp_path: Path, fixture_bytes: FixtureReader) -> None:
    fixture = fixture_bytes("binance_ticker_24hr_mini_multi.json")
    good = [ticker(fixture, "BTC", "BTCUSDT", f"{61_000 + i}.0", T0 + i * 15_000) for i in range(3)]
    header = json.dumps(RecordingHeader(created_ms=T0, label="t", watchlist=("BTC",)).to_json())
    lines = [header, encode_payload(good[0]), encode_payload(good[1])[:40], "{]", encode_payload(good[2])]
    path = tmp_path / "rec.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    engine = build_engine(Config(), (), EngineOptions(replay=ReplayOptions(path, None)))
    engine.replay_to_end()
    assert engine.state.tickers["BTC"].price == 61_002.0
    replay_feed = engine.replay
    assert replay_feed is not None
    assert replay_feed.bad_lines == 2
    snapshot = engine.state.snapshot()
    doc = build_document(
        snapshot, engine.analysis(), header=engine.header, serving={}, bad_lines=replay_feed.bad_lines
    )
    assert doc["replay"]["bad_lines"] == 2
