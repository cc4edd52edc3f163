"""Source statuses in a replay, derived from what the recording holds.

A source is ``ok`` as of its last good payload and ``failing`` (or ``blocked``) with the
pipeline's one-line reason after a bad one, the way the live feed reported it. A bad stream
frame leaves its stream ``ok`` and counts a bad frame, as the live websocket runner does.
"""

from __future__ import annotations

from crashtui.events import Outcome, StatusEvent
from crashtui.model import RawPayload, SourceState, SourceStatus
from crashtui.streams.decode import is_liquidation_payload

SAMPLED_SOURCES = frozenset({"binance_liq", "okx_liq"})
STATUS_REFRESH_MS = 60_000


class ReplayStatuses:
    """Turns each payload's outcome into a status event when the state changed or aged."""

    def __init__(self) -> None:
        self._last: dict[str, SourceStatus] = {}

    def reset(self) -> None:
        """Forget every source (a replay seeking back starts over)."""
        self._last.clear()

    def observe(self, raw: RawPayload, outcome: Outcome) -> StatusEvent | None:
        """The status event ``outcome`` calls for, or None when nothing changed."""
        error = outcome.error
        if error is None:
            return self._status(raw, SourceState.OK, None)
        if is_liquidation_payload(raw):
            return self._status(raw, SourceState.OK, None, bad_frame=str(error))
        return self._status(raw, error.state, str(error), hint=error.hint)

    def _status(
        self,
        raw: RawPayload,
        state: SourceState,
        error: str | None,
        *,
        hint: str | None = None,
        bad_frame: str | None = None,
    ) -> StatusEvent | None:
        old = self._last.get(raw.source)
        ok = state is SourceState.OK
        bad_frames = (old.bad_frames if old else 0) + (1 if bad_frame else 0)
        if (
            old is not None
            and old.state is state
            and not bad_frame
            and raw.received_ms - old.updated_ms < STATUS_REFRESH_MS
        ):
            return None
        status = SourceStatus(
            source=raw.source,
            state=state,
            updated_ms=raw.received_ms,
            last_ok_ms=raw.received_ms if ok else (old.last_ok_ms if old else None),
            last_error=error if error else (bad_frame or (old.last_error if old and not ok else None)),
            hint=hint,
            connected=True if raw.kind == "ws" else None,
            last_frame_ms=raw.received_ms if raw.kind == "ws" else None,
            bad_frames=bad_frames,
            sampled=raw.source in SAMPLED_SOURCES,
        )
        self._last[raw.source] = status
        return StatusEvent(status)
