"""Fixtures for dashboard tests: the Feb-2026 scenario at a fixed replay time, a small recording.

Nothing here touches the network: every engine replays a recording and none is started
unless a test asks for a running replay of the small recording.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.replay.locate import locate_recording
from crashtui.replay.recording import RecordingHeader, read_recording, write_recording
from crashtui.timeparse import parse_instant
from tests.ui.uihelpers import FEB6_1400


@pytest.fixture(scope="session")
def feb6_engine() -> Engine:
    """The bundled scenario replayed to 2026-02-06 14:00Z and never started (a still picture)."""
    path = locate_recording("feb-2026")
    engine = build_engine(Config(), (), EngineOptions(replay=ReplayOptions(path, None, None, FEB6_1400)))
    engine.replay_to_end()
    return engine


@pytest.fixture
def still_engine(feb6_engine: Engine) -> Iterator[Engine]:
    """The shared still engine; positions a dashboard handed it are put back after the test."""
    before = feb6_engine.positions
    yield feb6_engine
    feb6_engine.positions = before


def cut_recording(
    directory: Path, start_ms: int, end_ms: int, label: str, *, with_candles: bool = False
) -> Path:
    """The scenario from ``start_ms`` to ``end_ms`` plus the latest earlier payload of every endpoint.

    Small enough to load and replay in a fraction of a second, complete enough for every pane.
    ``with_candles`` keeps every earlier candle payload too: zone states (a break) need the
    candle history, which the latest payload alone does not carry.
    """
    header, payloads = read_recording(locate_recording("feb-2026"))
    first = payloads[0].received_ms
    latest_before: dict[tuple[str, str, tuple[tuple[str, str], ...]], int] = {}
    keep: set[int] = set()
    for i, p in enumerate(payloads):
        if p.received_ms < start_ms:
            latest_before[(p.source, p.endpoint, tuple(sorted(p.params.items())))] = i
            if with_candles and p.endpoint == "klines":
                keep.add(i)
    keep.update(
        i for i, p in enumerate(payloads) if p.received_ms == first or start_ms <= p.received_ms <= end_ms
    )
    keep.update(latest_before.values())
    chosen = [payloads[i] for i in sorted(keep)]
    small = RecordingHeader(
        created_ms=header.created_ms,
        label=label,
        scenario=True,
        note="test cut of the feb-2026 scenario",
        watchlist=header.watchlist,
        pinned_zones=header.pinned_zones,
        start_ms=chosen[0].received_ms,
        end_ms=end_ms,
    )
    path = directory / f"{label}.jsonl.gz"
    write_recording(path, small, chosen)
    return path


@pytest.fixture(scope="session")
def small_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Feb 6 10:00–14:00Z of the scenario plus the latest earlier payload of every endpoint."""
    start = parse_instant("2026-02-06T10:00Z")
    return cut_recording(tmp_path_factory.mktemp("rec"), start, FEB6_1400, "feb6-small")


@pytest.fixture(scope="session")
def eth_break_recording(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Feb 6 00:30–01:10Z: ETH's hourly candle closes below the pinned $1,826 zone at 01:00Z."""
    start, end = parse_instant("2026-02-06T00:30Z"), parse_instant("2026-02-06T01:10Z")
    return cut_recording(tmp_path_factory.mktemp("rec"), start, end, "feb6-eth-break", with_candles=True)


@pytest.fixture
def fixed_dirs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fixed config/data dir names (the help screen prints them; snapshots must not vary)."""
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", "/home/trader/.config/crashtui")
    monkeypatch.setenv("CRASHTUI_DATA_DIR", "/home/trader/.local/share/crashtui")


@pytest.fixture(autouse=True)
def _unfreeze_heap() -> Iterator[None]:
    """The app sets its state aside from the collector (gc.freeze, process-wide): undo it after
    each test so one test's objects never outlive it uncollected."""
    import gc

    yield
    gc.unfreeze()
