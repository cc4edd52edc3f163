"""What every REST source module shares: the poll context, decoder types and parse helpers.

Parsers are pure (bytes in, model objects out) and wrapped in :func:`parser`, so a body of
the wrong shape raises :class:`~crashtui.errors.ParseError` with a one-line message,
never a bare KeyError/IndexError/TypeError/ValueError.

Conventions every parser keeps:

* Items come back in ascending time order, whatever order the provider sends.
* Candles are never dropped for being unfinished: a candle whose interval has not ended at
  ``received_ms`` (or that the provider says is still forming) has ``closed=False``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, ParamSpec, TypeVar

from crashtui import jsonfast
from crashtui.errors import ChallengeError, PageError, ParseError
from crashtui.model import Candle, Interval, RawPayload
from crashtui.sources.rows import each_row
from crashtui.symbols import SymbolTable
from crashtui.textsafe import ERROR_LINE, plain
from crashtui.wire import ANTI_BOT, Request, blocked_hint, looks_like_html, page_kind, page_text

P = ParamSpec("P")
T = TypeVar("T")

Items = tuple[object, ...]
Decoder = Callable[[RawPayload, SymbolTable], tuple[str, Items]]
Fetch = Callable[[Request], Awaitable[RawPayload]]


@dataclass(frozen=True, slots=True)
class PollContext:
    """Everything a source needs to build and send one poll cycle's requests.

    ``backfill`` is True until this source has served the kind once: the first poll asks
    for full history, later ones only for the recent tail where the API allows it.
    """

    source: str
    symbols: tuple[str, ...]
    table: SymbolTable
    fetch: Fetch
    base_url: str
    now_ms: int
    api_key: str | None = None
    backfill: bool = True

    def url(self, path: str) -> str:
        """``path`` joined to this source's (configured) base URL."""
        return self.base_url.rstrip("/") + "/" + path.lstrip("/")


Poll = Callable[[str, PollContext], AsyncGenerator[RawPayload, None]]
# One symbol's candles of one interval (a chart's on-demand 5m and 15m): the request, or None
# when the symbol is not listed on the source.
CandleRequest = Callable[[PollContext, str, Interval], Request | None]


async def fetch_each(requests: Iterable[Request], ctx: PollContext) -> AsyncGenerator[RawPayload, None]:
    """Send ``requests`` one after another, yielding each payload as it arrives."""
    for request in requests:
        yield await ctx.fetch(request)


def parser(what: str) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a parse function so any shape error becomes a one-line ParseError."""

    def wrap(func: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(func)
        def inner(*args: P.args, **kwargs: P.kwargs) -> T:
            try:
                return func(*args, **kwargs)
            except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
                detail = (
                    f"missing field {exc}" if isinstance(exc, KeyError) else f"{type(exc).__name__}: {exc}"
                )
                raise ParseError(plain(f"{what}: unexpected payload: {detail}", ERROR_LINE)) from None

        return inner

    return wrap


def load_json(body: bytes, what: str, source: str) -> Any:
    """Decode a JSON body; an HTML page is classified (anti-bot or not), anything else unreadable
    a ParseError."""
    if looks_like_html(body):
        kind = page_kind(body, {})
        if kind == ANTI_BOT:
            raise ChallengeError(f"{what}: anti-bot page", hint=blocked_hint(source))
        raise PageError(f"{what}: got {page_text(kind, body)} where JSON was expected", page=kind)
    try:
        return jsonfast.loads(body)
    except ValueError as exc:
        raise ParseError(plain(f"{what}: invalid JSON: {exc}", ERROR_LINE)) from None
    except RecursionError:  # "[[[[…" thousands deep: the C scanner gives up
        raise ParseError(f"{what}: invalid JSON: nested too deeply") from None


def num(value: Any, what: str) -> float:
    """A finite float from a JSON number or numeric string."""
    kind = type(value)  # exact types: bool (an int subclass) is not a number here
    if kind is not str and kind is not float and kind is not int:
        raise ParseError(f"{what}: expected a number, got {type(value).__name__}")
    try:
        out = float(value)
    except ValueError:
        raise ParseError(plain(f"{what}: expected a number, got {value!r}", ERROR_LINE)) from None
    if out - out != 0.0:  # inf - inf and nan - nan are nan: not finite
        raise ParseError(f"{what}: expected a finite number, got {value!r}")
    return out


def positive(value: Any, what: str) -> float:
    """A finite number > 0 (a price: 0 or less is not a reading, it is a broken value)."""
    out = num(value, what)
    if out <= 0.0:
        raise ParseError(f"{what}: {out:g} is not a positive price")
    return out


def non_negative(value: Any, what: str) -> float:
    """A finite number >= 0 (a volume or an amount: it can be nothing, never less)."""
    out = num(value, what)
    if out < 0.0:
        raise ParseError(f"{what}: {out:g} is negative")
    return out


def opt_num(value: Any, what: str) -> float | None:
    """Like :func:`num` but None, ``""`` and ``"."`` mean missing."""
    if value is None or value in ("", "."):
        return None
    return num(value, what)


def as_list(value: Any, what: str) -> list[Any]:
    """``value`` if it is a JSON array."""
    if not isinstance(value, list):
        raise ParseError(f"{what}: expected a list, got {type(value).__name__}")
    return value


def as_dict(value: Any, what: str) -> dict[str, Any]:
    """``value`` if it is a JSON object."""
    if not isinstance(value, dict):
        raise ParseError(f"{what}: expected an object, got {type(value).__name__}")
    return value


def param(raw: RawPayload, name: str) -> str:
    """A decoder parameter recorded with the payload."""
    value = raw.params.get(name)
    if value is None:
        raise ParseError(f"{raw.source} {raw.endpoint}: payload lacks the {name!r} parameter")
    return value


def param_symbols(raw: RawPayload) -> tuple[str, ...]:
    """The crashtui symbols a batched request asked for (``symbols`` param, comma-separated)."""
    return tuple(s for s in param(raw, "symbols").split(",") if s)


def param_interval(raw: RawPayload, name: str = "interval") -> Interval:
    """A candle interval parameter."""
    value = param(raw, name)
    try:
        return Interval(value)
    except ValueError:
        raise ParseError(f"{raw.source} {raw.endpoint}: unknown interval {value!r}") from None


def instrument_map(table: SymbolTable, provider: str, symbols: Iterable[str]) -> dict[str, str]:
    """Provider instrument name → crashtui symbol, for the ``symbols`` listed on ``provider``."""
    out: dict[str, str] = {}
    for symbol in symbols:
        name = table.on(provider, symbol)
        if name is not None:
            out[name] = symbol
    return out


@dataclass(frozen=True, slots=True)
class OhlcvColumns:
    """Where each field sits in a provider's candle row, and the row's time unit."""

    time: int
    open: int
    high: int
    low: int
    close: int
    volume: int
    time_unit_ms: int = 1


def candles_from_rows(
    rows: Sequence[Any],
    columns: OhlcvColumns,
    *,
    symbol: str,
    interval: Interval,
    received_ms: int,
    source: str,
    last_row_forming: bool = False,
) -> tuple[Candle, ...]:
    """Candles from provider rows, oldest first; unfinished ones have ``closed=False``.

    A row with an unreadable value is left out (:func:`~crashtui.sources.rows.each_row`).

    ``last_row_forming``: the provider's last row is the forming candle whatever its time says.
    """
    c = columns
    last = len(rows) - 1

    def read(indexed: tuple[int, Any]) -> Candle:
        index, row = indexed
        open_ms = int(num(row[c.time], "time")) * c.time_unit_ms
        forming = last_row_forming and index == last
        return Candle(
            symbol=symbol,
            interval=interval,
            open_ms=open_ms,
            open=positive(row[c.open], "open"),
            high=positive(row[c.high], "high"),
            low=positive(row[c.low], "low"),
            close=positive(row[c.close], "close"),
            volume=non_negative(row[c.volume], "volume"),
            source=source,
            closed=not forming and candle_closed(open_ms, interval, received_ms),
        )

    out = each_row(enumerate(rows), read, f"{symbol} {interval} candle")
    out.sort(key=lambda candle: candle.open_ms)
    return tuple(out)


def candle_closed(open_ms: int, interval: Interval, received_ms: int) -> bool:
    """Whether a candle opened at ``open_ms`` had ended when the payload was received."""
    return open_ms + interval.ms <= received_ms


def day_ms(value: date) -> int:
    """00:00 UTC of a calendar day, epoch ms."""
    return int(datetime(value.year, value.month, value.day, tzinfo=timezone.utc).timestamp() * 1000)


def iso_day_ms(text: str) -> int:
    """``YYYY-MM-DD`` → 00:00 UTC of that day, epoch ms."""
    return day_ms(date.fromisoformat(text.strip()))


def floor_day_ms(ts_ms: int) -> int:
    """00:00 UTC of the day containing ``ts_ms``."""
    return ts_ms - ts_ms % 86_400_000


_FRACTION = re.compile(r"\.(\d+)")


def iso_ms(text: str) -> int:
    """An ISO-8601 timestamp (``Z`` or offset, any fraction length) → epoch ms."""
    value = text.strip().replace("Z", "+00:00").replace("z", "+00:00")
    value = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], value, count=1)
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return int(parsed.timestamp() * 1000)


def context(**values: str) -> Mapping[str, str]:
    """Decoder parameters for a request (a plain dict; named for readability at call sites)."""
    return dict(values)
