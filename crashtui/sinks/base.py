"""The Sink protocol: what the engine hands every applied event to."""

from __future__ import annotations

from typing import Protocol

from crashtui.events import Event


class Sink(Protocol):
    """Receives every event the pipeline applied (never history painted at start)."""

    def __call__(self, event: Event, /) -> None:
        """Take one event; must not block the event loop."""
        ...

    async def run(self) -> None:
        """Background work until cancelled (returns at once when there is none)."""
        ...

    async def aclose(self) -> None:
        """Flush and release; called once when the engine stops."""
        ...
