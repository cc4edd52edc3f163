"""Fixtures of the reliability suite: the loopback fault server, configs pointing at it, guards.

Two guards run around every test here: no socket may resolve a host other than loopback
(nothing in this suite can touch the internet, even by mistake), and no log record may carry
a traceback (a fault must end as a one-line status, never as a stack dump).
"""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from tests.reliability.fault_server import FaultServer
from tests.reliability.support import LOOPBACK_HOSTS


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse to resolve any host but loopback: a source left on its real URL fails loudly."""
    real = socket.getaddrinfo

    def guarded(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and name not in LOOPBACK_HOSTS:
            raise socket.gaierror(socket.EAI_NONAME, f"reliability suite: {name} is not loopback")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(autouse=True)
def no_tracebacks(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """Capture every log record; fail the test if any carries a traceback or reads like one."""
    caplog.set_level(logging.DEBUG)
    yield caplog
    bad = [
        r
        for r in caplog.records
        if r.exc_info is not None or "Traceback" in r.getMessage() or "never retrieved" in r.getMessage()
    ]
    assert not bad, f"log records with tracebacks: {[r.getMessage() for r in bad]}"


@pytest.fixture
async def fault_server() -> AsyncIterator[FaultServer]:
    """A running fault server, healthy until a test sets a fault."""
    async with FaultServer(ws_interval_s=0.05) as server:
        yield server
