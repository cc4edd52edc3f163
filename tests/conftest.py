"""Shared test fixtures: every test runs with an isolated config and data dir."""

from __future__ import annotations

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
        if name == "CRASHTUI_CONFIG" or (name.startswith("CRASHTUI_") and name.endswith("_API_KEY")):
            monkeypatch.delenv(name)


@pytest.fixture
def fixture_bytes() -> FixtureReader:
    """Read a payload from tests/fixtures by file name."""
    return FixtureReader()


class FixtureReader:
    """Callable that returns a fixture file's bytes."""

    def __call__(self, name: str) -> bytes:
        return (FIXTURES / name).read_bytes()
