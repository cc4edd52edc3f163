"""What a liquidation-stream frame turned out to be, plus the parsing primitives all venues share.

A parser classifies every frame as data (liquidations, possibly none) or control (pong,
subscribe ack, venue error, notice). Anything else is a bad frame and raises
:class:`~crashtui.errors.ParseError`; the websocket runner counts those and moves on.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from crashtui import jsonfast
from crashtui.errors import ParseError
from crashtui.model import Liquidation
from crashtui.textsafe import plain

# Control frame kinds a parser may report.
PONG = "pong"
ACK = "ack"
ERROR = "error"
INFO = "info"
RECONNECT = "reconnect"  # the venue asked us to reconnect (e.g. OKX 64008 service upgrade)

# Quote and contract suffixes stripped to find an unknown instrument's base asset, longest first.
_QUOTE_SUFFIXES = ("FDUSD", "USDT", "USDC", "BUSD", "PERP", "USD")


@dataclass(frozen=True, slots=True)
class ParsedFrame:
    """One classified frame.

    ``control`` is None for a data frame, else one of the control kinds above with the
    venue's ``message`` (one line). ``missing_contracts`` lists instruments whose details
    were skipped because their contract size is not known yet (OKX only).
    """

    liquidations: tuple[Liquidation, ...] = ()
    control: str | None = None
    message: str = ""
    missing_contracts: tuple[str, ...] = ()
    skipped: int = 0  # unreadable orders left out of a frame whose other orders were kept
    skip_reason: str = ""  # the first one's reason (one line)

    @property
    def is_data(self) -> bool:
        """Whether this frame carried (possibly zero) liquidations rather than control."""
        return self.control is None


CONTROL_PONG = ParsedFrame(control=PONG)
CONTROL_ACK = ParsedFrame(control=ACK)
EMPTY_DATA = ParsedFrame()


def load_json(frame: str | bytes, venue: str) -> Any:
    """Decode a frame's JSON or raise ParseError naming the venue."""
    try:
        return jsonfast.loads(frame)
    except (ValueError, TypeError) as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise ParseError(f"{venue}: frame is not JSON ({plain(exc, 60)})") from None
    except RecursionError:  # "[[[[…" thousands deep: the C scanner gives up
        raise ParseError(f"{venue}: frame is not JSON (nested too deeply)") from None


def malformed(venue: str, exc: Exception) -> ParseError:
    """A one-line ParseError for a KeyError/TypeError/... raised while reading a frame."""
    if isinstance(exc, KeyError):
        detail = f"missing field {plain(exc.args[0] if exc.args else '?', 40)}"
    else:
        detail = plain(exc, 80)
    return ParseError(f"{venue}: malformed frame ({detail})")


def positive(value: Any, field_name: str) -> float:
    """A finite number > 0 from a JSON string or number (ParseError otherwise)."""
    if isinstance(value, bool):
        raise ParseError(f"{field_name}: expected a number, got a boolean")
    number = float(value)
    if not 0.0 < number < math.inf:
        raise ParseError(f"{field_name}: expected a positive number, got {plain(value, 30)}")
    return number


def product(a: float, b: float, field_name: str) -> float:
    """``a × b``, which must stay a finite number > 0 (no underflow to 0, no overflow)."""
    result = a * b
    if not 0.0 < result < math.inf:
        raise ParseError(f"{field_name}: out of range")
    return result


def epoch_ms(value: Any, field_name: str) -> int:
    """Epoch milliseconds from a JSON int or a string of digits (ParseError otherwise)."""
    if type(value) is int:
        ms = value
    elif isinstance(value, str) and value.isdigit():
        ms = int(value)
    else:
        raise ParseError(f"{field_name}: expected epoch ms, got {plain(value, 30)}")
    if ms <= 0:
        raise ParseError(f"{field_name}: expected epoch ms > 0, got {ms}")
    return ms


def base_name(instrument: str) -> str:
    """Best-guess base asset of an instrument not in the symbol table (``MANTAUSDT`` → ``MANTA``)."""
    head = instrument.replace("_", "-").split("-", 1)[0]
    for suffix in _QUOTE_SUFFIXES:
        if head.endswith(suffix) and len(head) > len(suffix):
            return head[: -len(suffix)]
    return head or instrument


def each_order(items: Iterable[Any], read: Callable[[Any], Liquidation], venue: str) -> ParsedFrame:
    """``read`` every order of a frame; an unreadable one is skipped and counted, never the
    whole frame (one bad order must not cost the others). All unreadable: a ParseError."""
    out: list[Liquidation] = []
    skipped, reason = 0, ""
    for item in items:
        try:
            out.append(read(item))
        except (ParseError, KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
            skipped += 1
            if not reason:
                reason = str(exc) if isinstance(exc, ParseError) else str(malformed(venue, exc))
                prefix = "" if reason.startswith(f"{venue}:") else f"{venue}: "
                reason = plain(f"{prefix}{reason}", 160)
    if not skipped:
        return ParsedFrame(tuple(out))
    if not out:
        raise ParseError(reason)
    return ParsedFrame(liquidations=tuple(out), skipped=skipped, skip_reason=reason)
