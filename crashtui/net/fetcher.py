"""The fetch path every poll uses: rate budget, then :func:`crashtui.net.http.fetch`."""

from __future__ import annotations

import httpx

from crashtui.clock import Clock
from crashtui.events import RawSink
from crashtui.model import RawPayload
from crashtui.net.budget import Budgets, RateBudget
from crashtui.net.http import fetch
from crashtui.wire import Request


class Fetcher:
    """Sends requests through per-host budgets and remembers each source's last latency.

    ``tap`` (the recorder) receives every response that arrived, error statuses included.
    """

    def __init__(
        self, client: httpx.AsyncClient, clock: Clock, *, max_body_bytes: int, tap: RawSink | None = None
    ) -> None:
        self.client = client
        self.tap = tap
        self.clock = clock
        self.max_body_bytes = max_body_bytes
        self.budgets = Budgets(clock)
        self.latency_ms: dict[str, float] = {}

    def budget(self, source: str, url: str) -> RateBudget:
        """The budget a request of ``source`` to ``url`` is counted against."""
        return self.budgets.for_request(source, url)

    async def __call__(self, request: Request) -> RawPayload:
        """Wait for budget, send ``request`` and return its payload (or raise a SourceError)."""
        await self.budget(request.source, request.url).acquire(request.weight)
        started = self.clock.now_ms()
        try:
            return await fetch(
                self.client, request, clock=self.clock, max_body_bytes=self.max_body_bytes, tap=self.tap
            )
        finally:
            self.latency_ms[request.source] = float(self.clock.now_ms() - started)
