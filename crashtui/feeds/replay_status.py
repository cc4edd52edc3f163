"""Source statuses in a replay, derived from what the recording holds.

A source is ``ok`` as of its last good payload and, after a bad one, reported with the
pipeline's one-line reason by the rule the live poller applies (``upstream/health.py``): a
block is ``blocked``; a transient failure (a recorded 429 or 5xx, a parse error, a payload the
gate held whole) is ``stale`` while the source's last good payload is within
:data:`~crashtui.upstream.health.STALE_INTERVALS` poll intervals, else ``failing``. The poll
interval is the recording's own cadence for that endpoint (the gap between its payloads).
A bad stream frame leaves its stream ``ok`` and counts a bad frame, as the live websocket
runner does.
"""

from __future__ import annotations

from crashtui.events import Outcome, StatusEvent
from crashtui.model import RawPayload, SourceState, SourceStatus
from crashtui.streams.decode import is_liquidation_payload
from crashtui.upstream.health import STALE_INTERVALS

SAMPLED_SOURCES = frozenset({"binance_liq", "okx_liq"})
STATUS_REFRESH_MS = 60_000


class ReplayStatuses:
    """Turns each payload's outcome into a status event when the state changed or aged."""

    def __init__(self) -> None:
        self._last: dict[str, SourceStatus] = {}
        self._seen: dict[tuple[str, str], int] = {}  # (source, endpoint) -> its last payload
        self._cadence: dict[tuple[str, str], int] = {}  # (source, endpoint) -> gap between payloads
        self._ok: dict[str, int] = {}  # source -> its last good payload

    def reset(self) -> None:
        """Forget every source (a replay seeking back starts over)."""
        self._last.clear()
        self._seen.clear()
        self._cadence.clear()
        self._ok.clear()

    def observe(self, raw: RawPayload, outcome: Outcome) -> StatusEvent | None:
        """The status event ``outcome`` calls for, or None when nothing changed."""
        key = (raw.source, raw.endpoint)
        previous = self._seen.get(key)
        gap = raw.received_ms - previous if previous is not None and raw.received_ms > previous else None
        cadence = self._cadence.get(key, gap)  # the cadence so far, else this first gap
        if gap is not None:
            self._cadence[key] = gap
        self._seen[key] = raw.received_ms
        error = outcome.error
        if error is None:
            self._ok[raw.source] = raw.received_ms
            return self._status(raw, SourceState.OK, None)
        if is_liquidation_payload(raw):
            return self._status(raw, SourceState.OK, None, bad_frame=f"bad frame: {error}")
        state = error.state
        last_ok = self._ok.get(raw.source)
        # transient: stale while the last good answer is recent, as the live poller says
        recent = (
            last_ok is not None
            and bool(cadence)
            and raw.received_ms - last_ok <= STALE_INTERVALS * (cadence or 0)
        )
        if state is SourceState.FAILING and recent:
            state = SourceState.STALE
        return self._status(raw, state, str(error), hint=error.hint)

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
            # a stream keeps its last bad frame's reason while ok, as the live runner does
            last_error=error
            or bad_frame
            or (old.last_error if old and (not ok or raw.kind == "ws") else None),
            hint=hint,
            connected=True if raw.kind == "ws" else None,
            last_frame_ms=raw.received_ms if raw.kind == "ws" else None,
            bad_frames=bad_frames,
            sampled=raw.source in SAMPLED_SOURCES,
        )
        self._last[raw.source] = status
        return StatusEvent(status)
