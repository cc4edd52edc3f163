"""Raw payload → items: the one decoder for live and recorded payloads alike.

REST responses go through the source registry's parsers, stream frames and OKX REST pages
through :class:`~crashtui.streams.decode.LiquidationDecoder`. A recorded response with an error
status is judged by :func:`crashtui.wire.classify_response`, the rule the live fetch applied
when it arrived, so a replay shows the failure the live run saw.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from crashtui.errors import ParseError, SourceError
from crashtui.model import RawPayload
from crashtui.sources.registry import EXPECTS, decoder_for
from crashtui.sources.rows import logged
from crashtui.streams.decode import LiquidationDecoder, is_liquidation_payload
from crashtui.symbols import DEFAULT_TABLE, SymbolTable
from crashtui.textsafe import ERROR_LINE, plain
from crashtui.wire import Request, classify_response

_NO_HEADERS: MappingProxyType[str, str] = MappingProxyType({})
# A 2xx body that begins with none of these cannot be an HTML page: skip the page checks.
_MAYBE_PAGE = frozenset({b"<", b" ", b"\t", b"\r", b"\n", b""})


@dataclass(frozen=True, slots=True)
class Decoded:
    """What one payload holds: items of data ``kind``, or a stream ``control`` frame, or an
    ``error`` when the payload cannot be used."""

    kind: str | None = None
    items: tuple[object, ...] = ()
    control: str | None = None
    message: str = ""
    error: SourceError | None = None
    # Unreadable items left out, the rest of the payload kept: (reason, count) pairs.
    unreadable: tuple[tuple[str, int], ...] = ()


class PayloadDecoder:
    """Stateful decoder for payloads in arrival order (OKX contract sizes, stream de-duplication)."""

    def __init__(self, table: SymbolTable = DEFAULT_TABLE) -> None:
        self.table = table
        self.liquidations = LiquidationDecoder(table)

    def decode(self, raw: RawPayload) -> Decoded:
        """Decode ``raw``; never raises (a bad payload is a :class:`Decoded` with ``error``)."""
        try:
            status_error(raw)
            if is_liquidation_payload(raw):
                frame = self.liquidations.decode(raw)
                if frame.control is not None:
                    return Decoded(control=frame.control, message=frame.message)
                if not frame.skipped:
                    return Decoded("liquidations", frame.liquidations)
                unread = ((frame.skip_reason, frame.skipped),)
                return Decoded("liquidations", frame.liquidations, unreadable=unread)
            decoder = decoder_for(raw.source, raw.endpoint)
            if decoder is None:
                raise ParseError(f"no decoder for {raw.source} {raw.endpoint}")
            # with the rows a parser left out for an unreadable value
            (kind, items), left_out = logged(decoder, raw, self.table)
            return Decoded(kind, items, unreadable=left_out)
        except SourceError as exc:
            return Decoded(error=exc)
        except Exception as exc:  # a parser bug must cost one payload, never the feed
            where = f"{raw.source} {raw.endpoint}"
            text = plain(f"{where}: internal error: {type(exc).__name__}: {exc}", ERROR_LINE)
            return Decoded(error=ParseError(text))


def status_error(raw: RawPayload) -> None:
    """Raise the typed error a recorded HTTP response stands for (its status, a block page)."""
    if raw.kind != "http" or (200 <= raw.status < 300 and raw.body[:1] not in _MAYBE_PAGE):
        return  # a frame, or a 2xx body that begins like JSON or CSV: nothing to classify
    request = Request(
        source=raw.source,
        endpoint=raw.endpoint,
        url="",
        expect=EXPECTS.get((raw.source, raw.endpoint), "json"),
    )
    classify_response(request, raw.status, _NO_HEADERS, raw.body, raw.received_ms)
