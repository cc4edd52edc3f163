"""The one ingest pipeline: raw payload → decode → gate → state, the same for every feed.

Live polling, websocket streams and replay hand raw payloads to :meth:`Pipeline.payload`; the
store and Redis followers hand already-decoded events to :meth:`Pipeline.event`. Every data
event passes the same :class:`~crashtui.ingest.gate.Gate` either way, so a rule about what may
enter the state is written once, and a replay test exercises the live path.
"""

from __future__ import annotations

from collections.abc import Callable

from crashtui.errors import ParseError
from crashtui.events import DataEvent, Event, Outcome
from crashtui.ingest.decode import PayloadDecoder
from crashtui.ingest.gate import Gate
from crashtui.model import RawPayload
from crashtui.streams.okx_contracts import OkxContracts
from crashtui.symbols import DEFAULT_TABLE, SymbolTable

Apply = Callable[[Event], None]


class Pipeline:
    """Decodes, gates and applies. ``apply`` takes what a feed delivers now (it goes on to the
    store and the publishers); ``paint`` takes history read back at start (state only)."""

    def __init__(
        self,
        decoder: PayloadDecoder,
        apply: Apply,
        *,
        paint: Apply | None = None,
        gate: Gate | None = None,
        on_reset: Callable[[], None] | None = None,
    ) -> None:
        self.decoder = decoder
        self.gate = gate if gate is not None else Gate()
        self._apply = apply
        self._paint = paint if paint is not None else apply
        self._on_reset = on_reset
        self.payloads = 0

    @classmethod
    def into(cls, apply: Apply, table: SymbolTable = DEFAULT_TABLE) -> Pipeline:
        """A pipeline that applies into ``apply`` (a state's, a test's list…) with ``table``."""
        return cls(PayloadDecoder(table), apply)

    @property
    def okx_contracts(self) -> OkxContracts:
        """The OKX contract sizes the decoder learned (the OKX REST side keeps them fresh)."""
        return self.decoder.liquidations.contracts

    def payload(self, raw: RawPayload) -> Outcome:
        """Decode ``raw``, gate its items and apply them; says what became of it. Never raises."""
        self.payloads += 1
        decoded = self.decoder.decode(raw)
        if decoded.error is not None:
            return Outcome(error=decoded.error)
        if decoded.control is not None:
            return Outcome(control=decoded.control, message=decoded.message)
        kind, items = decoded.kind, decoded.items
        if kind is None or not items:
            return Outcome(kind=kind)
        reason = self.gate.check(raw.source, kind, items, raw.received_ms)
        if reason is not None:
            return Outcome(
                kind=kind, rejected=len(items), error=ParseError(f"{raw.source} {raw.endpoint}: {reason}")
            )
        self._apply(DataEvent(raw.source, kind, items, raw.received_ms))
        return Outcome(kind=kind, accepted=len(items))

    def event(self, event: Event) -> None:
        """Apply one decoded event from a feed (data events pass the gate first)."""
        if self._admit(event):
            self._apply(event)

    def history(self, event: Event) -> None:
        """Paint one event read back from history: gated like any other, never re-stored."""
        if self._admit(event):
            self._paint(event)

    def _admit(self, event: Event) -> bool:
        if not isinstance(event, DataEvent) or not event.items:
            return True
        return self.gate.check(event.source, event.kind, event.items, event.received_ms) is None

    def reset(self) -> None:
        """Start over (a replay seeking back): decoder, gate and the owner's state."""
        self.decoder = PayloadDecoder(self.decoder.table)
        self.gate.reset()
        if self._on_reset is not None:
            self._on_reset()
