"""Turn recorded payloads back into feed events with the real parsers.

REST payloads go through the source registry's decoders, stream frames and OKX REST
pages through the liquidation stream decoder. Replay statuses are derived from what
the recording holds: a source is ``ok`` as of its last good payload, ``failing`` (or
``blocked``) with the parser's one-line reason after a bad one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crashtui.errors import ParseError, SourceError
from crashtui.events import DataEvent, Event, StatusEvent
from crashtui.model import Liquidation, RawPayload, SourceState, SourceStatus
from crashtui.sanity import PriceGuard
from crashtui.symbols import DEFAULT_TABLE, SymbolTable
from crashtui.textsafe import ERROR_LINE, plain

RestDecoder = Callable[[RawPayload, SymbolTable], tuple[str, tuple[object, ...]]]
SAMPLED_SOURCES = frozenset({"binance_liq", "okx_liq"})
STATUS_REFRESH_MS = 60_000


def _rest_decoders() -> Mapping[tuple[str, str], RestDecoder]:
    from crashtui.sources.registry import DECODERS

    return DECODERS


class PayloadDecoder:
    """Stateful decoder for a stream of recorded payloads in time order."""

    def __init__(self, table: SymbolTable = DEFAULT_TABLE) -> None:
        from crashtui.streams.decode import ReplayDecoder, is_liquidation_payload

        self._table = table
        self._streams = ReplayDecoder(table)
        self._is_liquidation = is_liquidation_payload
        self._rest = _rest_decoders()
        self._last_status: dict[str, SourceStatus] = {}
        self._guard = PriceGuard()
        self.payloads = 0
        self.bad_payloads = 0

    def decode(self, raw: RawPayload) -> list[Event]:
        """Events for one payload: data (if any) plus a status when it changed or aged."""
        self.payloads += 1
        if self._is_liquidation(raw):
            return self._decode_liquidations(raw)
        decoder = self._rest.get((raw.source, raw.endpoint))
        if decoder is None:
            return self._status(raw, SourceState.FAILING, f"no decoder for {raw.source} {raw.endpoint}")
        try:
            kind, items = decoder(raw, self._table)
            suspect = self._guard.check(items, raw.received_ms) if kind == "prices" else None
            if suspect is not None:  # held back live too (crashtui.sanity.PriceGuard)
                raise ParseError(plain(f"{raw.source} {raw.endpoint}: {suspect}", ERROR_LINE))
        except SourceError as exc:
            self.bad_payloads += 1
            return self._status(raw, exc.state, str(exc), hint=exc.hint)
        events: list[Event] = [DataEvent(raw.source, kind, items, raw.received_ms)]
        events.extend(self._status(raw, SourceState.OK, None))
        return events

    def _decode_liquidations(self, raw: RawPayload) -> list[Event]:
        before = self._streams.bad_payloads.get(raw.source, 0)
        liquidations: tuple[Liquidation, ...] = self._streams.feed(raw)
        if self._streams.bad_payloads.get(raw.source, 0) > before:
            self.bad_payloads += 1
            return self._status(raw, SourceState.OK, None, bad_frame=self._streams.last_error.get(raw.source))
        events: list[Event] = []
        if liquidations:
            events.append(DataEvent(raw.source, "liquidations", liquidations, raw.received_ms))
        events.extend(self._status(raw, SourceState.OK, None))
        return events

    def _status(
        self,
        raw: RawPayload,
        state: SourceState,
        error: str | None,
        *,
        hint: str | None = None,
        bad_frame: str | None = None,
    ) -> list[Event]:
        old = self._last_status.get(raw.source)
        ok = state is SourceState.OK
        bad_frames = (old.bad_frames if old else 0) + (1 if bad_frame else 0)
        if (
            old is not None
            and old.state is state
            and not bad_frame
            and raw.received_ms - old.updated_ms < STATUS_REFRESH_MS
        ):
            return []
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
        self._last_status[raw.source] = status
        return [StatusEvent(status)]
