"""Events that flow from sources (live or replay) into the state reducer.

Live polling, websocket streams and replay all emit exactly these, so the state,
analysis and UI cannot tell a recording from the market.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

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


@dataclass(frozen=True, slots=True)
class ClockEvent:
    """Replay only: the replay clock moved to ``now_ms`` (drives ages and the badge)."""

    now_ms: int


Event = DataEvent | StatusEvent | ServingEvent | ClockEvent


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
