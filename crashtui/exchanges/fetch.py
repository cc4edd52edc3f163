"""Ask each venue with credentials for its open positions, through ccxt (read-only).

ccxt is an optional extra (``pip install 'crashtui[exchanges]'``), imported here, inside
:func:`import_positions`, and only when some venue has credentials: without them nothing
imports it, and the start-up never does. Only ``load_markets`` and ``fetch_positions`` are
called: nothing here can place, change or cancel anything (use read-only API keys anyway).

Every error text that leaves this module went through :func:`~crashtui.exchanges.keys.scrub`
(ccxt errors can echo request URLs and headers), and no exception object leaves it: a
traceback would print the ccxt frames' local variables in some debuggers and their messages
in all. ccxt's and urllib3's loggers are quietened to warnings and scrubbed.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import ModuleType

from crashtui.exchanges.keys import Credentials, EnvCredentials, scrub
from crashtui.exchanges.mapping import Skipped, to_position
from crashtui.risk.position import Position, Venue

INSTALL_HINT = "install crashtui[exchanges] to import positions from {venues}"
TIMEOUT_S = 15.0
# The ccxt class per venue (Binance USDⓈ-M futures is its own class) and the request
# parameters that select the USD(T)-settled linear perpetuals: Bybit v5 needs a category and a
# settle coin to list positions without a symbol, OKX an instrument type.
CCXT_CLASS: Mapping[Venue, str] = {
    Venue.BINANCE: "binanceusdm",
    Venue.BYBIT: "bybit",
    Venue.OKX: "okx",
    Venue.HYPERLIQUID: "hyperliquid",
}
FETCH_PARAMS: Mapping[Venue, Mapping[str, str]] = {
    Venue.BYBIT: {"category": "linear", "settleCoin": "USDT"},
    Venue.OKX: {"instType": "SWAP"},
}
ERROR_LIMIT = 300  # a venue's error keeps its answer's body, which comes after the request line
QUIET_LOGGERS = ("ccxt", "ccxt.base.exchange", "urllib3", "urllib3.connectionpool", "requests")


@dataclass(frozen=True, slots=True)
class VenueImport:
    """One venue's answer: its positions, what was skipped, or a scrubbed one-line error."""

    venue: Venue
    positions: tuple[Position, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ImportResult:
    """Every venue's answer. ``missing_ccxt`` lists venues with credentials when ccxt is absent."""

    venues: tuple[VenueImport, ...] = ()
    missing_ccxt: tuple[Venue, ...] = ()
    incomplete: tuple[str, ...] = ()
    fetched_ms: int | None = None

    @property
    def positions(self) -> tuple[Position, ...]:
        """Every imported position, venue by venue."""
        return tuple(p for v in self.venues for p in v.positions)

    @property
    def errors(self) -> tuple[str, ...]:
        """One line per failed venue (and per missing-ccxt or half-set credentials)."""
        lines = [f"{v.venue.value}: {v.error}" for v in self.venues if v.error is not None]
        if self.missing_ccxt:
            lines.append(missing_ccxt_line(self.missing_ccxt))
        lines.extend(self.incomplete)
        return tuple(lines)

    @property
    def failed(self) -> bool:
        """Whether a venue with credentials could not be read."""
        return bool(self.missing_ccxt) or any(v.error is not None for v in self.venues)


def missing_ccxt_line(venues: Iterable[Venue]) -> str:
    """``install crashtui[exchanges] to import positions from binance and okx``."""
    names = [v.value for v in venues]
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return INSTALL_HINT.format(venues=joined)


def incomplete_lines(creds: EnvCredentials) -> tuple[str, ...]:
    """``okx: CRASHTUI_OKX_API_PASSPHRASE is not set (its other key variables are)`` per venue."""
    return tuple(
        f"{venue.value}: {', '.join(names)} {'is' if len(names) == 1 else 'are'} not set "
        "(its other credential variables are); not imported"
        for venue, names in creds.incomplete.items()
    )


class _Scrub(logging.Filter):
    """Masks the credentials in every record of the loggers it is attached to."""

    def __init__(self, secrets: tuple[str, ...]) -> None:
        super().__init__("crashtui-scrub")
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: show the raw message, scrubbed
            message = str(record.msg)
        record.msg = scrub(message, self.secrets, None)
        record.args = ()
        record.exc_info = None  # a traceback's text is not scrubbed: drop it
        record.exc_text = None
        return True


def _quiet_logs(secrets: tuple[str, ...]) -> None:
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level < logging.WARNING:
            logger.setLevel(logging.WARNING)
        for old in [f for f in logger.filters if isinstance(f, _Scrub)]:
            logger.removeFilter(old)
        logger.addFilter(_Scrub(secrets))


def load_ccxt() -> ModuleType | None:
    """The ccxt module, or None when the extra is not installed."""
    try:
        return importlib.import_module("ccxt")
    except ImportError:
        return None


def _fetch_venue(
    ccxt: ModuleType, creds: Credentials, secrets: tuple[str, ...], now_ms: int, timeout_s: float
) -> VenueImport:
    venue = creds.venue
    try:
        exchange_class = getattr(ccxt, CCXT_CLASS[venue])
        exchange = exchange_class(
            {**creds.options, "enableRateLimit": True, "timeout": round(timeout_s * 1000)}
        )
        raw = exchange.fetch_positions(None, dict(FETCH_PARAMS.get(venue, {})))
    except Exception as exc:  # any ccxt error: one scrubbed line, the exception dropped here
        return VenueImport(venue, error=scrub(f"{type(exc).__name__}: {exc}", secrets, ERROR_LIMIT))
    positions: list[Position] = []
    skipped: list[Skipped] = []
    if not isinstance(raw, list):
        return VenueImport(venue, error="unexpected answer (not a list of positions)")
    for item in raw:
        if not isinstance(item, Mapping):
            continue
        mapped = to_position(venue, item, now_ms)
        if isinstance(mapped, Position):
            positions.append(mapped)
        elif mapped is not None:
            skipped.append(mapped)
    return VenueImport(venue, tuple(positions), tuple(skipped))


def import_positions(
    creds: EnvCredentials,
    now_ms: Callable[[], int],
    *,
    timeout_s: float = TIMEOUT_S,
    loader: Callable[[], ModuleType | None] = load_ccxt,
) -> ImportResult:
    """Open positions of every venue with credentials (blocking: call it from a thread).

    Without credentials nothing happens and ccxt is not imported. A venue that fails gives an
    error line naming it (scrubbed of every credential); the others are still read.
    """
    incomplete = incomplete_lines(creds)
    if not creds.venues:
        return ImportResult(incomplete=incomplete)
    ccxt = loader()
    if ccxt is None:
        return ImportResult(missing_ccxt=tuple(c.venue for c in creds.venues), incomplete=incomplete)
    secrets = creds.secrets
    _quiet_logs(secrets)
    fetched = now_ms()
    results = tuple(_fetch_venue(ccxt, c, secrets, fetched, timeout_s) for c in creds.venues)
    return ImportResult(results, incomplete=incomplete, fetched_ms=fetched)
