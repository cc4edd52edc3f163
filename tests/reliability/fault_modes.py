"""The fault modes the fault server can inject, and the pure transforms behind the shape faults.

A mode is set per source (or as the server-wide default). REST modes change how a response
is sent (slow, hang, drip, cut, oversize), what status it carries (429, 418, 5xx, 451, a
Cloudflare challenge, an HTML page), what shape its JSON has (missing, renamed and extra
fields, wrong types, nulls) or which prices it quotes (NaN, negative, zero, absurd, a 99%
jump). Websocket modes garble frames, drop connections in a storm or ignore pings.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from typing import Any


class Fault(str, enum.Enum):
    """One fault mode (the value is the ``--mode`` name of ``benchmarks/fault_server.py``)."""

    OK = "ok"
    # timing
    SLOW = "slow"  # answer after ``slow_s`` (below the read timeout)
    HANG = "hang"  # read the request, never answer
    DRIP = "drip"  # headers at once, then one body byte every ``drip_s``
    CUT = "cut"  # promise the whole body, send half, close
    # statuses
    RATE_LIMIT = "429"  # HTTP 429 with Retry-After
    BANNED = "418"  # HTTP 418 (Binance IP ban) with Retry-After
    SERVER_ERROR = "5xx"  # 500 / 502 (HTML) / 503 (empty) / 504 in turn
    GEO_BLOCK = "451"  # Binance's restricted-location answer
    CLOUDFLARE = "cloudflare"  # 403 + cf-mitigated: challenge + "Just a moment..."
    HTML = "html"  # HTTP 200 with an HTML maintenance page
    ERROR_ENVELOPE = "envelope"  # HTTP 400 with the provider's JSON error (message under test control)
    # body shape
    TRUNCATED = "truncated"  # the first half of the JSON, consistent Content-Length
    MISSING = "missing"  # every numeric field removed, rows cut short
    RENAMED = "renamed"  # every object key renamed
    EXTRA = "extra"  # extra keys and row columns (must be tolerated)
    WRONG_TYPES = "types"  # numbers become prose strings, numeric strings become objects
    NULLS = "nulls"  # every number becomes null
    OVERSIZE = "oversize"  # an endless chunked body (``oversize_mb``)
    NESTED = "nested"  # "[[[[…]]]]" 50,000 deep (with HTTP ``status``): JSON parsers recurse
    # values (prices quoted by the market model)
    NAN = "nan"
    NEGATIVE = "negative"
    ZERO = "zero"
    ABSURD = "absurd"  # 1e12 USD
    JUMP = "jump"  # 99% below the real price
    # websockets
    GARBAGE = "garbage"  # bad frames between the good ones
    STORM = "storm"  # close every connection right after the handshake
    NO_PONG = "nopong"  # never answer app-level pings
    SILENT = "silent"  # accept, then send nothing at all
    # security
    INJECT = "inject"  # terminal escapes and markup in every provider string we show
    ECHO_KEY = "echo-key"  # echo any API key received back in the body


VALUE_FAULTS: dict[Fault, Callable[[float], float]] = {
    Fault.NAN: lambda p: math.nan,
    Fault.NEGATIVE: lambda p: -p,
    Fault.ZERO: lambda p: 0.0,
    Fault.ABSURD: lambda p: 1e12,
    Fault.JUMP: lambda p: p * 0.01,
}
SHAPE_FAULTS = frozenset({Fault.MISSING, Fault.RENAMED, Fault.EXTRA, Fault.WRONG_TYPES, Fault.NULLS})
WS_FAULTS = frozenset({Fault.GARBAGE, Fault.STORM, Fault.NO_PONG, Fault.SILENT})

# OSC 52 (write "rm -rf ~" to the clipboard), a screen clear, a title change, 8-bit CSI and
# Rich/Textual markup: none of it may reach a terminal or be interpreted.
HOSTILE = "\x1b]52;c;cm0gLXJmIH4=\x07[bold red]pwned[/]\x1b[2J\x1b]0;owned\x07\x9b31m"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_numeric_string(value: Any) -> bool:
    if not isinstance(value, str) or not value.strip():
        return False
    try:
        float(value)
    except ValueError:
        return False
    return True


def _map(value: Any, leaf: Callable[[Any], Any], key: Callable[[str], str] = lambda k: k) -> Any:
    if isinstance(value, dict):
        return {key(k): _map(v, leaf, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_map(v, leaf, key) for v in value]
    return leaf(value)


def _drop_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_numbers(v) for k, v in value.items() if not (_is_number(v) or _is_numeric_string(v))}
    if isinstance(value, list):
        if value and all(not isinstance(v, (dict, list)) for v in value):
            return value[: len(value) // 2]  # a row: cut it short
        return [_drop_numbers(v) for v in value]
    return value


def _with_extra(value: Any, *, in_list: bool = False) -> Any:
    if isinstance(value, dict):
        out = {k: _with_extra(v) for k, v in value.items()}
        out["x_added_2027"] = {"note": "a field added by the provider", "values": [1, "two", None]}
        return out
    if isinstance(value, list):
        items = [_with_extra(v, in_list=True) for v in value]
        # A row (an unnamed list of scalars inside a list, like a kline) gains a trailing
        # column; a named column of values (Yahoo's ``"close": [...]``) keeps its length.
        if in_list and value and all(not isinstance(v, (dict, list)) for v in value):
            items.append("extra-column")
        return items
    return value


def _wrong_type(value: Any) -> Any:
    if _is_number(value):
        return f"about {value} (approx.)"
    if _is_numeric_string(value):
        return {"value": value}
    return value


def reshape(fault: Fault, value: Any) -> Any:
    """Apply a shape fault to a decoded JSON value."""
    if fault is Fault.MISSING:
        return _drop_numbers(value)
    if fault is Fault.RENAMED:
        return _map(value, lambda v: v, key=lambda k: f"{k}_v2")
    if fault is Fault.EXTRA:
        return _with_extra(value)
    if fault is Fault.WRONG_TYPES:
        return _map(value, _wrong_type)
    if fault is Fault.NULLS:
        return _map(value, lambda v: None if _is_number(v) or _is_numeric_string(v) else v)
    return value


def inject_strings(value: Any) -> Any:
    """Prefix every non-numeric string in a JSON value with hostile escapes and markup."""

    def leaf(v: Any) -> Any:
        if isinstance(v, str) and not _is_numeric_string(v) and v:
            return HOSTILE + v
        return v

    return _map(value, leaf)
