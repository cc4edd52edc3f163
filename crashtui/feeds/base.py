"""The Feed protocol: what the engine needs from any source of data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from crashtui.ingest.pipeline import Pipeline
    from crashtui.model import Interval
    from crashtui.replay.recording import RecordingHeader


class Feed(Protocol):
    """A source of data for one engine.

    ``mode`` is ``live`` or ``replay`` (what the snapshot says it shows); ``label`` says how
    the data arrives, for the status bar ("direct", "replay", "via collector"…). ``header``
    describes the recording a replay plays (None otherwise). ``first_ms`` is where the feed's
    clock starts when it is not wall time (a recording's first payload), else None.
    """

    @property
    def mode(self) -> str:
        """``live`` or ``replay``."""
        ...

    @property
    def label(self) -> str:
        """How the data arrives, for the status bar."""
        ...

    @property
    def header(self) -> RecordingHeader | None:
        """The recording a replay plays, else None."""
        ...

    @property
    def first_ms(self) -> int | None:
        """Where the feed's clock starts when it is not wall time, else None."""
        ...

    def attach(self, pipeline: Pipeline) -> None:
        """Deliver into ``pipeline`` from now on (called once, by the engine)."""
        ...

    def paint_history(self) -> int:
        """Paint what is known from before this run (a store's history); returns items painted."""
        ...

    async def run(self) -> None:
        """Deliver until cancelled (a replay waits at its end for seeks)."""
        ...

    async def fetch_candles(self, symbol: str, interval: Interval, *, backfill: bool) -> str | None:
        """Fetch one symbol's candles of an interval nobody polls (a chart's 5m or 15m) into the
        pipeline, once: None when they arrived, else why not (one plain line, e.g. ``not in
        this recording``). ``backfill``: the full history, else the recent tail."""
        ...

    async def aclose(self) -> None:
        """Release what the feed holds (files, connections); called once after :meth:`run`."""
        ...

    @property
    def failure(self) -> str | None:
        """Why the feed cannot deliver at all, or None while it can."""
        ...
