"""The one ingest pipeline: raw payload → decode → gate → state, the same for every feed.

Live polling, websocket streams and replay hand raw payloads to :meth:`Pipeline.payload`; the
store and Redis followers hand already-decoded events to :meth:`Pipeline.event`. Every data
event passes the same :class:`~crashtui.ingest.gate.Gate` either way, so a rule about what may
enter the state is written once, and a replay test exercises the live path.
"""

from __future__ import annotations

from collections.abc import Callable

from crashtui.errors import ParseError
from crashtui.events import DataEvent, Event, HeldEvent, Outcome
from crashtui.ingest.decode import PayloadDecoder
from crashtui.ingest.gate import Admission, Gate
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
        """Decode ``raw``, gate its items and apply them; says what became of it. Never raises.

        A payload whose every item was held is an error for its source (failover asks the next
        one); a payload with some items held applies the rest and counts the held ones.
        """
        self.payloads += 1
        decoded = self.decoder.decode(raw)
        if decoded.error is not None:
            return Outcome(error=decoded.error)
        if decoded.control is not None:
            return Outcome(control=decoded.control, message=decoded.message)
        kind, items = decoded.kind, decoded.items
        unread = 0
        if kind is not None:  # items left out unread are counted like anything the gate holds
            for reason, count in decoded.unreadable:
                unread += count
                self._apply(
                    HeldEvent(raw.source, kind, f"unreadable: {reason}", (None,) * count, raw.received_ms)
                )
        if kind is None or not items:
            return Outcome(kind=kind, rejected=unread)
        event = DataEvent(raw.source, kind, items, raw.received_ms)
        admission = self._gate(event, history=False)
        admitted, held = admission.admitted, len(admission.held)
        if not admitted:
            error = ParseError(f"{raw.source} {raw.endpoint}: held: {admission.held[0].reason}")
            return Outcome(kind=kind, rejected=held + unread, error=error)
        self._apply(event if admitted is items else self._with(event, admitted))
        return Outcome(kind=kind, accepted=len(admitted), rejected=held + unread)

    def event(self, event: Event) -> None:
        """Apply one decoded event from a feed (data events pass the gate first)."""
        if isinstance(event, DataEvent) and event.items:
            admitted = self._gate(event, history=False).admitted
            if admitted:
                self._apply(event if admitted is event.items else self._with(event, admitted))
            return
        self._apply(event)

    def history(self, event: Event) -> None:
        """Paint one event read back from history: gated like any other (stored events that
        fail today's rules are ignored, so an older version's bad data heals), never re-stored."""
        if isinstance(event, DataEvent) and event.items:
            admitted = self._gate(event, history=True).admitted
            if admitted:
                self._paint(event if admitted is event.items else self._with(event, admitted))
            return
        self._paint(event)

    @staticmethod
    def _with(event: DataEvent, items: tuple[object, ...]) -> DataEvent:
        return DataEvent(event.source, event.kind, items, event.received_ms)

    def _gate(self, event: DataEvent, *, history: bool) -> Admission:
        """What the gate admits of ``event``; what it holds is reported to the state, by reason."""
        admission = self.gate.admit(event.source, event.kind, event.items, event.received_ms, history=history)
        if not admission.held:
            return admission
        by_reason: dict[str, list[object]] = {}
        for held in admission.held:
            by_reason.setdefault(held.reason, []).append(held.item)
        report = self._paint if history else self._apply
        for reason, items in by_reason.items():
            report(HeldEvent(event.source, event.kind, reason, tuple(items), event.received_ms))
        return admission

    def reset(self) -> None:
        """Start over (a replay seeking back): decoder, gate and the owner's state."""
        self.decoder = PayloadDecoder(self.decoder.table)
        self.gate.reset()
        if self._on_reset is not None:
            self._on_reset()
