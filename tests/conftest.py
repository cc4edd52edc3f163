"""Shared test fixtures: every test runs with an isolated config and data dir."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolate_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point config/data dirs at temp dirs and drop any key or config from the real env."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(home / "config"))
    monkeypatch.setenv("CRASHTUI_DATA_DIR", str(home / "data"))
    for name in list(os.environ):
        if name == "CRASHTUI_CONFIG" or (name.startswith("CRASHTUI_") and name.endswith(_SECRET_SUFFIXES)):
            monkeypatch.delenv(name)


# API keys, and the exchange credentials of crashtui.exchanges.keys (never a real account in tests)
_SECRET_SUFFIXES = ("_API_KEY", "_API_SECRET", "_API_PASSPHRASE", "_WALLET")


@pytest.fixture
def fixture_bytes() -> FixtureReader:
    """Read a payload from tests/fixtures by file name."""
    return FixtureReader()


class FixtureReader:
    """Callable that returns a fixture file's bytes."""

    def __call__(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes()


# Keys whose values are the time a quote, book or funding reading was taken.
_TIME_KEYS = frozenset(
    {"closeTime", "openTime", "time", "timestamp", "T", "E", "ts", "last_updated_at", "updatedTime"}
)


def freshen(body: bytes, now_ms: int) -> bytes:
    """A real JSON fixture with its quote times moved so the newest is ``now_ms``.

    The gate holds a live quote hours old (a price from 2019's API docs is not a current price),
    so a test that serves a documented payload to the live path first brings its times to the
    test clock. Every time moves by the same amount, in its own unit (s or ms, number, numeric
    string or ISO string); nothing else in the body changes.
    """
    from datetime import datetime

    data = json.loads(body)
    found: list[int] = []

    def as_ms(value: object) -> int | None:
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)) or (isinstance(value, str) and value.isdigit()):
            number = float(value)
            return int(number if number > 1e11 else number * 1000) if number > 1e8 else None
        if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
            return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp() * 1000)
        return None

    def walk(node: object, shift: int | None) -> object:
        if isinstance(node, list):
            return [walk(v, shift) for v in node]
        if not isinstance(node, dict):
            return node
        out: dict[str, object] = {}
        for key, value in node.items():
            ms = as_ms(value) if key in _TIME_KEYS else None
            if ms is None:
                out[key] = walk(value, shift)
            elif shift is None:
                found.append(ms)
                out[key] = value
            else:
                out[key] = _shifted(value, ms + shift)
        return out

    walk(data, None)
    if not found:
        return body
    return json.dumps(walk(data, now_ms - max(found))).encode()


def _shifted(original: object, ms: int) -> object:
    from datetime import datetime, timezone

    if isinstance(original, str) and not original.isdigit():
        return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat().replace("+00:00", "Z")
    seconds = float(str(original)) <= 1e11
    value = ms // 1000 if seconds else ms
    return str(value) if isinstance(original, str) else value
