"""Events that flow from sources (live or replay) into the state reducer.

Live polling, websocket streams and replay all emit exactly these, so the state,
analysis and UI cannot tell a recording from the market.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from crashtui.errors import SourceError
from crashtui.model import RawPayload, SourceStatus


@dataclass(frozen=True, slots=True)
class DataEvent:
    """Parsed items of one data kind (see ``crashtui.catalog.KINDS``) from one source.

    Item types per kind: prices → Ticker; candles → Candle; depth → BookStats;
    funding / open_interest → FundingSnapshot; liquidations → Liquidation;
    etf → EtfFlow; fear_crypto / fear_stocks → FearGreedReading;
    macro → MacroObservation; borrow → BorrowRate.
    """

    source: str
    kind: str
    items: tuple[object, ...]
    received_ms: int


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A source's status changed (or was refreshed)."""

    status: SourceStatus


@dataclass(frozen=True, slots=True)
class ServingEvent:
    """Failover chose ``source`` to serve data ``kind`` (None: nobody can)."""

    kind: str
    source: str | None


# Held reasons can quote the bad value ("got 'abc'"), so a hostile source could invent a new
# reason per payload: past this many kinds per source, the rest are counted under one name.
MAX_HELD_REASONS = 32
OTHER_HELD_REASONS = "other reasons (too many kinds to list)"


def held_reason(known: Collection[str], reason: str) -> str:
    """``reason``, or :data:`OTHER_HELD_REASONS` once ``known`` holds the maximum of kinds."""
    if reason in known or len(known) < MAX_HELD_REASONS:
        return reason
    return OTHER_HELD_REASONS


@dataclass(frozen=True, slots=True)
class HeldEvent:
    """The gate held back ``items`` of data ``kind`` from ``source`` for ``reason`` at ``at_ms``.

    Counted per source and reason in the state (what the user sees), never applied as data;
    held liquidations are kept apart so the liquidations drilldown can list them.
    """

    source: str
    kind: str
    reason: str
    items: tuple[object, ...]
    at_ms: int


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """Replay only: the replay clock moved to ``now_ms`` (drives ages and the badge)."""

    now_ms: int


Event = DataEvent | StatusEvent | ServingEvent | ClockEvent | HeldEvent


class EventSink(Protocol):
    """Where a feed delivers events (the state reducer, a queue, a test list)."""

    def __call__(self, event: Event, /) -> None:
        """Accept one event; must not block."""
        ...


class RawSink(Protocol):
    """Where a feed delivers raw payloads (the recorder)."""

    def __call__(self, payload: RawPayload, /) -> None:
        """Accept one raw payload; must not block."""
        ...


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the ingest pipeline made of one raw payload, for the feed that delivered it.

    ``accepted`` items of data ``kind`` reached the state; ``rejected`` were held back by the
    gate (counted there with their reason). ``control`` is a stream frame's control kind
    (``pong``, ``ack``, ``error``, ``info``, ``reconnect``) with the venue's ``message``.
    ``error`` is set when the payload as a whole could not be used (bad body, error status).
    """

    kind: str | None = None
    accepted: int = 0
    rejected: int = 0
    control: str | None = None
    message: str = ""
    error: SourceError | None = None

    @property
    def ok(self) -> bool:
        """Whether the payload was usable (possibly with nothing new in it)."""
        return self.error is None


class Deliver(Protocol):
    """How a feed hands one raw payload to the pipeline (and learns what became of it)."""

    def __call__(self, payload: RawPayload, /) -> Outcome:
        """Decode, gate and apply ``payload``; never raises."""
        ...
