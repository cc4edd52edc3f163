"""The replay player's clock: it follows the data during a catch-up and never runs backwards."""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType

from crashtui.events import ClockEvent, Event
from crashtui.model import RawPayload
from crashtui.replay.player import ListSource, Player, ReplayWindow


def payloads(count: int) -> ListSource:
    """One (undecodable, hence status-only) payload per millisecond from t=0."""
    return ListSource(
        RawPayload("nowhere", "nothing", t, b"{}", MappingProxyType({}), 200, "http") for t in range(count)
    )


def ignore(raw: RawPayload) -> None:
    """The player only delivers; what becomes of a payload is the feed's business."""


def ticks(events: list[Event]) -> Callable[[int], None]:
    """A tick callback that records each clock move as the ClockEvent the feed would apply."""
    return lambda now_ms: events.append(ClockEvent(now_ms))


def clocks(events: list[Event]) -> list[int]:
    return [e.now_ms for e in events if isinstance(e, ClockEvent)]


def test_a_catch_up_clock_follows_the_data_not_the_start() -> None:
    events: list[Event] = []
    player = Player(payloads(1000), ignore, ticks(events), speed=None, window=ReplayWindow(500, None))
    assert player.clock_ms == 500  # where the replay will stand
    assert not player._apply_until(player.clock_ms, limit=100)
    assert clocks(events) == [99]  # the state's clock: just before the first payload not applied
    assert player.behind
    while not player._apply_until(player.clock_ms, limit=100):
        pass
    assert clocks(events) == [99, 199, 299, 399, 499, 500]
    assert not player.behind


def test_a_forward_seek_in_the_middle_of_a_catch_up_never_moves_the_clock_back() -> None:
    events: list[Event] = []
    player = Player(payloads(1000), ignore, ticks(events), speed=None, window=ReplayWindow(500, None))
    assert not player._apply_until(500, limit=100)  # the catch-up, part of the way
    player.seek(60)  # a key pressed meanwhile: the start plus 60 ms
    assert player.clock_ms == 560
    while not player._apply_until(500, limit=100):  # the catch-up's remaining turns
        pass
    seen = clocks(events)
    assert seen == sorted(seen)
    assert seen[-1] == 560
    assert player.clock_ms == 560
    assert player.next_payload_ms() == 561


def test_a_backward_seek_restarts_at_the_earlier_time() -> None:
    events: list[Event] = []
    resets: list[int] = []
    player = Player(
        payloads(1000),
        ignore,
        ticks(events),
        speed=None,
        window=ReplayWindow(500, None),
        on_reset=lambda: resets.append(1),
    )
    player._apply_until(500)
    player.seek(-200)
    assert resets == [1]
    assert player.clock_ms == 300
    assert clocks(events)[-1] == 300
    assert player.next_payload_ms() == 301


async def test_switching_to_max_while_paced_plays_on_to_the_end() -> None:
    # A key sets max speed (None) while the paced loop waits for its next clock step: the
    # step after the wait must not multiply by the new speed (it stopped the feed with a
    # TypeError), it plays on at max.
    import asyncio

    events: list[Event] = []
    player = Player(payloads(1000), ignore, ticks(events), speed=1.0)
    task = asyncio.create_task(player.run())
    await asyncio.sleep(0.05)  # inside the paced wait (0.5 s)
    assert not task.done()
    player.speed = None
    for _ in range(200):
        await asyncio.sleep(0.01)
        if player.finished or task.done():
            break
    assert not task.done(), task.exception()
    assert player.finished
    assert player.clock_ms == 999
    task.cancel()
