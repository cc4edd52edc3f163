"""Stopping the Redis feed is bounded: fake clients that misbehave the way a dead socket or
Python 3.11's ``asyncio.wait_for`` can (no redis-server needed)."""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

import pytest
import redis.exceptions

from crashtui.clock import FakeClock
from crashtui.engine import cancel_and_wait
from crashtui.events import Event, StatusEvent
from crashtui.sharedfeed import redis_feed
from crashtui.sharedfeed.redis_feed import RedisFeedReader, RedisPublisher, close_bounded

URL = "redis://127.0.0.1:1/0"
needs_cancelling = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="Task.cancelling() is new in Python 3.11"
)


class FakeClient:
    """Answers the reader's and the publisher's commands from memory.

    ``hang_close``: ``aclose`` never returns (a close on a dead socket). ``lose_cancel``: the
    next command swallows a cancel and returns normally, as ``asyncio.wait_for`` on 3.11 does
    when the cancel arrives as the awaited send completes. ``fail``: every command raises.
    """

    def __init__(self, *, hang_close: bool = False, lose_cancel: bool = False, fail: bool = False) -> None:
        self.hang_close = hang_close
        self.lose_cancel = lose_cancel
        self.fail = fail
        self.closes = 0
        self.commands = 0

    async def _command(self, result: Any = None, block_s: float = 0.0) -> Any:
        self.commands += 1
        if self.fail:
            raise redis.exceptions.ConnectionError("Connection refused")
        if self.lose_cancel:
            self.lose_cancel = False
            try:
                await asyncio.sleep(30)
            except asyncio.CancelledError:
                return result  # the cancel is lost here; the task runs on
        await asyncio.sleep(block_s)
        return result

    async def ping(self) -> bool:
        return bool(await self._command(True))

    async def get(self, key: str) -> bytes | None:
        value: bytes | None = await self._command(None)
        return value

    async def xrange(self, stream: str, count: int) -> list[Any]:
        return list(await self._command([]))

    async def xread(self, streams: dict[str, str], count: int, block: int) -> list[Any]:
        return list(await self._command([], block_s=block / 1000))

    async def exists(self, key: str) -> int:
        return int(await self._command(0))

    def pipeline(self, transaction: bool) -> FakePipeline:
        return FakePipeline(self)

    async def aclose(self) -> None:
        self.closes += 1
        if self.hang_close:
            await asyncio.Event().wait()


class FakePipeline:
    def __init__(self, client: FakeClient) -> None:
        self.client = client

    def set(self, *args: Any) -> None:
        pass

    def xadd(self, *args: Any, **kwargs: Any) -> None:
        pass

    async def execute(self) -> list[Any]:
        return list(await self.client._command([]))


async def stops_within(task: asyncio.Task[None], seconds: float) -> bool:
    """Cancel ``task`` once: whether it ended within ``seconds`` (if not, it is ended for the
    next test by cancelling it until it does)."""
    task.cancel()
    done, _ = await asyncio.wait({task}, timeout=seconds)
    if not done:
        await cancel_and_wait([task], grace_s=0.05)
    return task in done


async def test_a_close_that_never_returns_does_not_hold_up_the_stop(monkeypatch: pytest.MonkeyPatch) -> None:
    """A reader cancelled while Redis is gone used to wait in ``finally`` on the close."""
    monkeypatch.setattr(redis_feed, "CLOSE_TIMEOUT_S", 0.2)
    client = FakeClient(hang_close=True)
    events: list[Event] = []
    reader = RedisFeedReader(URL, events.append, connect=lambda url: client)
    task = asyncio.create_task(reader.run())
    await asyncio.sleep(0.05)  # following: blocked in xread
    assert client.commands >= 2
    assert not task.done()
    assert await stops_within(task, 1.0)
    assert task.cancelled()
    assert client.closes == 1
    for _ in range(3):
        await asyncio.sleep(0)
    assert not redis_feed._closing  # the abandoned close was cancelled and forgotten


async def test_a_close_that_never_returns_does_not_stop_the_reconnects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(redis_feed, "CLOSE_TIMEOUT_S", 0.05)
    clients: list[FakeClient] = []

    def connect(url: str) -> FakeClient:
        clients.append(FakeClient(hang_close=True, fail=True))
        return clients[-1]

    events: list[Event] = []
    reader = RedisFeedReader(URL, events.append, clock=FakeClock(), connect=connect)
    task = asyncio.create_task(reader.run())
    await asyncio.sleep(0.5)
    assert len(clients) >= 3  # each hung close was given up on and a new client tried
    statuses = [e.status for e in events if isinstance(e, StatusEvent)]
    assert statuses
    assert "redis unreachable" in (statuses[-1].last_error or "")
    assert await stops_within(task, 1.0)


async def test_close_bounded_swallows_redis_errors_and_gives_up_in_time() -> None:
    class Broken:
        async def aclose(self) -> None:
            raise redis.exceptions.ConnectionError("Connection reset by peer")

    assert await close_bounded(Broken(), 1.0) is True
    assert await close_bounded(FakeClient(hang_close=True), 0.01) is False


@needs_cancelling
async def test_a_reader_that_lost_its_cancel_still_stops() -> None:
    """The CI hang: the reader's cancel was swallowed inside a redis-py send (Python 3.11's
    wait_for), so it followed on for ever and ``await task`` never returned."""
    client = FakeClient()
    armed = asyncio.Event()

    def sink(event: Event) -> None:
        if isinstance(event, StatusEvent) and not armed.is_set():
            armed.set()
            client.lose_cancel = True  # the xread sent right after this status loses the cancel

    task = asyncio.create_task(RedisFeedReader(URL, sink, connect=lambda url: client).run())
    await armed.wait()
    assert await stops_within(task, 3.0)
    assert not client.lose_cancel  # the cancel really was lost on the way


@needs_cancelling
async def test_a_publisher_that_lost_its_cancel_still_stops() -> None:
    client = FakeClient(lose_cancel=True)
    publisher = RedisPublisher(URL, list, lambda event: None, connect=lambda url: client)
    task = asyncio.create_task(publisher.run())
    await asyncio.sleep(0.05)  # in ping, which will lose the cancel
    assert await stops_within(task, 2.0)
    assert not client.lose_cancel


async def test_cancel_and_wait_cancels_again_and_gives_up_in_time() -> None:
    swallowed = 0
    released = False

    async def loses_one_cancel() -> None:
        nonlocal swallowed
        try:
            await asyncio.sleep(30)
        except asyncio.CancelledError:
            swallowed += 1
        await asyncio.sleep(30)

    async def ignores_cancels() -> None:
        while not released:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(30)

    lossy = asyncio.create_task(loses_one_cancel())
    stubborn = asyncio.create_task(ignores_cancels())
    await asyncio.sleep(0)
    loop = asyncio.get_running_loop()
    start = loop.time()
    try:
        pending = await cancel_and_wait([lossy, stubborn], grace_s=0.05, timeout_s=0.3)
        assert loop.time() - start < 1.0
        assert swallowed == 1
        assert lossy.cancelled()
        assert pending == {stubborn}
    finally:  # even if the test fails, leave nothing running that the loop's close would wait on
        released = True
        lossy.cancel()
        stubborn.cancel()
        await asyncio.gather(lossy, stubborn, return_exceptions=True)
