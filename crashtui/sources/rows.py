"""Per-row reading for REST parsers: one unreadable row costs that row, never the payload.

A parser of a many-row answer (tickers, candles, liquidations, ETF days, series points…) reads
its rows with :func:`each_row`. A row whose *value* cannot be read (``"NaN"``, ``"inf"``,
``null`` or ``"abc"`` where a number goes, an impossible date) is left out and logged with its
reason; the other rows are kept. What counts as a value problem is :data:`VALUE_ERRORS`: the
:class:`~crashtui.errors.ParseError` of :func:`~crashtui.sources.common.num` and friends, and
the ``ValueError``/``TypeError``/``OverflowError`` of a conversion. A row of the wrong shape
(a missing field: ``KeyError``/``IndexError``; :class:`RowShapeError`) is a broken source and
still fails the whole payload, as does a payload that is not a list or lacks its top key.

When no row of a list could be read, :func:`each_row` raises a ParseError: the source
delivered nothing usable and is reported failing, so failover asks the next one (the same rule
as a stream frame whose every order is unreadable).

The ingest decoder opens a :func:`row_log` around each payload's decode and reports the rows
left out as held items (``unreadable: <reason>``), counted per source and reason by the state
like anything the gate holds. Parsers keep their plain return types; a row left out outside a
``row_log`` (a parser called directly) is simply not reported.

Values that parse but are implausible (a negative volume, a price of 1e308) are not judged
here: the parser keeps them and the gate (:mod:`crashtui.ingest.rules`) holds that one item.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

from crashtui.errors import ParseError
from crashtui.textsafe import plain

R = TypeVar("R")
T = TypeVar("T")

VALUE_ERRORS = (ParseError, ValueError, TypeError, OverflowError)
"""What reading one row may raise for a bad value (rather than a broken shape)."""

MAX_REASON = 120  # characters of one reason: the state keeps one count per distinct reason


class RowShapeError(ParseError):
    """A row of the wrong shape (a table row with too few cells): the source is broken, the
    whole payload fails even though it was raised while reading one row."""


class RowLog:
    """Rows left out of one payload, counted by reason (a mutable tally, not a model; its
    counter is made when the first row is left out, as most payloads leave none out)."""

    __slots__ = ("_reasons",)

    def __init__(self) -> None:
        self._reasons: Counter[str] | None = None

    @property
    def reasons(self) -> Counter[str]:
        """How many rows were left out, by reason."""
        if self._reasons is None:
            self._reasons = Counter()
        return self._reasons

    @property
    def count(self) -> int:
        """How many rows were left out."""
        return sum(self.reasons.values())


_LOG: ContextVar[RowLog | None] = ContextVar("crashtui_row_log", default=None)


@contextmanager
def row_log() -> Iterator[RowLog]:
    """Collect the rows :func:`each_row` leaves out while the block runs (one payload's decode)."""
    log = RowLog()
    token = _LOG.set(log)
    try:
        yield log
    finally:
        _LOG.reset(token)


def logged(call: Callable[..., T], *args: object) -> tuple[T, tuple[tuple[str, int], ...]]:
    """``call(*args)`` and the rows it left out, as (reason, count) pairs: :func:`row_log`
    without the generator, for the decoder's hot path (it runs once per payload)."""
    log = RowLog()
    token = _LOG.set(log)
    try:
        result = call(*args)
    finally:
        _LOG.reset(token)
    reasons = log._reasons
    return result, tuple(reasons.items()) if reasons else ()


def row_reason(what: str, exc: BaseException) -> str:
    """One short line naming why a row of ``what`` could not be read."""
    detail = str(exc) if isinstance(exc, ParseError) else f"{type(exc).__name__}: {exc}"
    return plain(f"{what}: {detail}", MAX_REASON)


def each_row(rows: Iterable[R], read: Callable[[R], T | None], what: str) -> list[T]:
    """``read`` every row, in order; ``None`` from ``read`` drops a row silently (not wanted).

    A row whose value cannot be read is left out and logged (see the module docstring). If
    rows were left out and none was read, raises ParseError: nothing usable came.
    """
    out: list[T] = []
    left_out: list[str] = []
    for row in rows:
        try:
            item = read(row)
        except RowShapeError:
            raise
        except VALUE_ERRORS as exc:
            left_out.append(row_reason(what, exc))
            continue
        if item is not None:
            out.append(item)
    if left_out:
        if not out:
            count = len(left_out)
            raise ParseError(f"every row unreadable ({count}): {left_out[0]}")
        log = _LOG.get()
        if log is not None:
            log.reasons.update(left_out)
    return out


def report(reason: str, count: int = 1) -> None:
    """Log ``count`` rows left out for ``reason`` by a parser that reads its rows itself."""
    log = _LOG.get()
    if log is not None:
        log.reasons[plain(reason, MAX_REASON)] += count
