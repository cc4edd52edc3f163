"""OnDemandCandles on its own: what the chart says, when it asks, when it stops (fake engine)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from crashtui.model import Interval
from crashtui.ui import ondemand
from crashtui.ui.ondemand import OnDemandCandles


class FakeEngine:
    """Answers each fetch with the next of ``answers`` (the last one repeats)."""

    def __init__(self, *answers: str | Exception | None, mode: str = "live") -> None:
        self.mode = mode
        self.answers = list(answers)
        self.calls: list[tuple[str, Interval, bool]] = []

    async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
        self.calls.append((symbol, interval, backfill))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def _make(engine: FakeEngine | None) -> tuple[OnDemandCandles, list[asyncio.Task[None]], list[int]]:
    tasks: list[asyncio.Task[None]] = []
    changes: list[int] = []

    def spawn(job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.create_task(job)
        tasks.append(task)
        return task

    fetcher = OnDemandCandles(
        lambda: engine,  # type: ignore[arg-type,return-value]
        spawn,
        lambda: changes.append(1),
        refresh_s={Interval.M5: 0.01, Interval.M15: 0.01},
    )
    return fetcher, tasks, changes


async def _settle(n: int = 5) -> None:
    for _ in range(n):
        await asyncio.sleep(0.005)


async def test_polled_timeframes_start_nothing() -> None:
    fetcher, tasks, _ = _make(FakeEngine(None))
    for interval in (Interval.H1, Interval.H4, Interval.D1):
        fetcher.want("BTC", interval)
    fetcher.want(None, Interval.M5)
    assert tasks == []
    assert fetcher.target is None
    assert fetcher.missing("BTC", Interval.H1) is None


async def test_loading_then_candles_then_a_failed_refresh_noted() -> None:
    engine = FakeEngine(None, None, "binance klines: HTTP 503", None)
    fetcher, _, changes = _make(engine)
    fetcher.want("BTC", Interval.M5)
    assert fetcher.missing("BTC", Interval.M5) == "5m candles: loading"
    assert fetcher.note("BTC", Interval.M5) == "5m candles: loading"  # over stored candles
    assert fetcher.missing("ETH", Interval.M5) is None  # another chart: not this fetch
    while len(engine.calls) < 3:
        await asyncio.sleep(0.002)
    assert fetcher.note("BTC", Interval.M5) == "5m refresh failed: binance klines: HTTP 503"
    assert fetcher.missing("BTC", Interval.M5) == "5m candles: binance klines: HTTP 503"
    while len(engine.calls) < 4:
        await asyncio.sleep(0.002)
    await _settle(1)
    assert fetcher.note("BTC", Interval.M5) is None
    assert [c[2] for c in engine.calls[:3]] == [True, False, False]  # the full history once
    assert changes
    fetcher.stop()


async def test_a_replays_answer_is_no_note_over_recorded_candles() -> None:
    fetcher, _, _ = _make(FakeEngine("not in this recording", mode="replay"))
    fetcher.want("BTC", Interval.M15)
    await _settle()
    assert fetcher.missing("BTC", Interval.M15) == "15m candles: not in this recording"
    assert fetcher.note("BTC", Interval.M15) is None
    fetcher.stop()


async def test_a_live_failure_before_any_candles_is_noted_over_stored_ones() -> None:
    fetcher, _, _ = _make(FakeEngine("binance klines: HTTP 418"))
    fetcher.want("BTC", Interval.M5)
    await _settle()
    assert fetcher.note("BTC", Interval.M5) == "5m fetch failed: binance klines: HTTP 418"
    fetcher.stop()


async def test_a_closing_screen_stops_only_its_own_fetch() -> None:
    old, new = object(), object()
    fetcher, tasks, _ = _make(FakeEngine(None))
    fetcher.want("BTC", Interval.M5, old)
    fetcher.want("ETH", Interval.M5, new)  # a new symbol screen opened before the old one closed
    fetcher.release(old)
    assert fetcher.target == ("ETH", Interval.M5)
    fetcher.release(new)
    assert fetcher.target is None
    await _settle(2)
    assert all(t.cancelled() for t in tasks)


async def test_a_crash_under_the_fetch_is_a_reason_and_the_loop_goes_on() -> None:
    engine = FakeEngine(RuntimeError("client closed\x1b[31m"), None)
    fetcher, tasks, _ = _make(engine)
    fetcher.want("BTC", Interval.M5)
    await _settle()
    assert len(engine.calls) >= 2
    assert not tasks[0].done()
    fetcher.stop()
    await _settle(2)
    assert tasks[0].cancelled()


async def test_reasons_are_plain_text() -> None:
    fetcher, _, _ = _make(FakeEngine(RuntimeError("client closed\x1b[31m [bold]x[/bold]")))
    fetcher.want("BTC", Interval.M5)
    await _settle()
    missing = fetcher.missing("BTC", Interval.M5)
    assert missing is not None
    assert missing.startswith("5m candles: RuntimeError: client closed")
    assert "\x1b" not in missing
    fetcher.stop()


async def test_switching_and_stopping_cancel_the_loop() -> None:
    engine = FakeEngine(None)
    fetcher, tasks, _ = _make(engine)
    fetcher.want("BTC", Interval.M5)
    fetcher.want("BTC", Interval.M5)  # the same chart again: one loop
    assert len(tasks) == 1
    await _settle()
    fetcher.want("ETH", Interval.M15)
    await _settle()
    assert tasks[0].cancelled()
    assert fetcher.target == ("ETH", Interval.M15)
    assert ("ETH", Interval.M15, True) in engine.calls
    fetcher.want("ETH", Interval.H1)
    await _settle()
    assert tasks[1].cancelled()
    asked = len(engine.calls)
    await _settle()
    assert len(engine.calls) == asked
    assert fetcher.missing("ETH", Interval.M15) is None


async def test_a_new_engine_gets_the_full_history_and_poke_asks_at_once() -> None:
    first, second = FakeEngine(None), FakeEngine(None)
    current: list[FakeEngine] = [first]
    tasks: list[asyncio.Task[None]] = []

    def spawn(job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        tasks.append(asyncio.create_task(job))
        return tasks[-1]

    fetcher = OnDemandCandles(
        lambda: current[0],  # type: ignore[arg-type,return-value]
        spawn,
        lambda: None,
        refresh_s={Interval.M5: 60.0, Interval.M15: 60.0},
    )
    fetcher.want("BTC", Interval.M5)
    await _settle()
    assert first.calls == [("BTC", Interval.M5, True)]
    current[0] = second
    fetcher.poke()
    await _settle()
    assert second.calls == [("BTC", Interval.M5, True)]
    fetcher.stop()


async def test_a_poke_during_a_fetch_is_not_lost() -> None:
    """A swap pokes while the old engine's fetch is still out: the loop asks again at once."""
    gate = asyncio.Event()

    class SlowEngine(FakeEngine):
        async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
            self.calls.append((symbol, interval, backfill))
            if len(self.calls) == 1:
                await gate.wait()
            return None

    engine = SlowEngine(None)
    tasks: list[asyncio.Task[None]] = []

    def spawn(job: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        tasks.append(asyncio.create_task(job))
        return tasks[-1]

    fetcher = OnDemandCandles(
        lambda: engine,  # type: ignore[arg-type,return-value]
        spawn,
        lambda: None,
        refresh_s={Interval.M5: 60.0, Interval.M15: 60.0},
    )
    fetcher.want("BTC", Interval.M5)
    await _settle(2)
    assert len(engine.calls) == 1
    fetcher.poke()
    gate.set()
    await _settle()
    assert len(engine.calls) == 2  # not 60 s later
    fetcher.stop()


async def test_after_a_gap_longer_than_the_tail_the_full_history_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # with no tail at all, any time since the last good fetch is a gap: every ask is in full
    monkeypatch.setattr(ondemand, "TAIL_COVERS", 0)
    engine = FakeEngine(None)
    fetcher, _, _ = _make(engine)
    fetcher.want("BTC", Interval.M5)
    while len(engine.calls) < 3:
        await asyncio.sleep(0.002)
    fetcher.stop()
    assert [c[2] for c in engine.calls[:3]] == [True, True, True]
