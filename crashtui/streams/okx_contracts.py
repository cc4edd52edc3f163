"""Cache of OKX swap contract sizes (ctVal), shared by the live parser, the backfill and replay."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping

from crashtui.model import RawPayload
from crashtui.streams.okx import OkxContract

# The injected HTTP fetch: (endpoint name, url, query params) -> the raw response.
Fetch = Callable[[str, str, Mapping[str, str]], Awaitable[RawPayload]]

_MAX_MISSING = 1000


class OkxContracts:
    """Contract sizes by instId, updated in place so parsers holding :attr:`table` see new rows.

    Instruments a parser could not convert are noted with :meth:`note_missing`; they make a
    refresh due sooner (a new listing appears in the instruments list before it trades).
    """

    def __init__(self, initial: Mapping[str, OkxContract] | None = None) -> None:
        self.table: dict[str, OkxContract] = dict(initial or {})
        self.loaded_ms: int | None = None
        self.missing: set[str] = set()

    def update(self, table: Mapping[str, OkxContract], now_ms: int) -> None:
        """Merge a freshly fetched table (instruments that vanished keep their last size)."""
        self.table.update(table)
        self.loaded_ms = now_ms
        self.missing.difference_update(table)

    def note_missing(self, inst_ids: Iterable[str]) -> None:
        """Remember instruments whose liquidations were skipped for want of a contract size."""
        for inst_id in inst_ids:
            if len(self.missing) >= _MAX_MISSING:
                break
            if inst_id not in self.table:
                self.missing.add(inst_id)

    def refresh_due(self, now_ms: int, *, max_age_ms: int, missing_after_ms: int) -> bool:
        """Whether to refetch: never loaded, older than ``max_age_ms``, or missing rows and older
        than ``missing_after_ms`` (so one unknown instrument cannot hammer the endpoint)."""
        if self.loaded_ms is None:
            return True
        age = now_ms - self.loaded_ms
        return age >= max_age_ms or (bool(self.missing) and age >= missing_after_ms)
