"""OKX REST side of the liquidation stream: the ~24 h backfill at start-up and the ctVal refresher.

Both take an injected ``fetch`` (the shared HTTP layer) so they hold no client of their own,
and hand every response to ``deliver``, the one ingest pipeline: it learns contract sizes from
the instruments responses and de-duplicates backfilled orders against the live OKX stream, so
an order seen by both is counted once.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crashtui.clock import Clock
from crashtui.errors import RateLimitedError, SourceError
from crashtui.events import Deliver, EventSink, StatusEvent
from crashtui.model import SourceState, SourceStatus
from crashtui.net.backoff import Backoff
from crashtui.streams.okx_contracts import Fetch, OkxContracts
from crashtui.streams.okx_rest import (
    INSTRUMENTS_ENDPOINT,
    INSTRUMENTS_PATH,
    LIQUIDATIONS_ENDPOINT,
    LIQUIDATIONS_PATH,
    LiquidationPage,
    instruments_params,
    liquidation_params,
    parse_okx_liquidation_orders,
)
from crashtui.textsafe import ERROR_LINE, plain

log = logging.getLogger(__name__)

DAY_S = 86_400.0


@dataclass(frozen=True, slots=True)
class OkxRestSettings:
    """Timing of the OKX REST side (seconds). OKX's REST limit is low and undocumented: go slowly."""

    window_s: float = DAY_S
    max_pages: int = 30
    page_pause_s: float = 0.25
    rate_limit_retries: int = 3
    rate_limit_wait_s: float = 2.0
    contracts_max_age_s: float = 6 * 3600.0
    contracts_missing_after_s: float = 600.0
    refresh_check_s: float = 60.0
    retry_base_s: float = 2.0
    retry_cap_s: float = 300.0


@dataclass(slots=True)
class BackfillResult:
    """What a backfill did: pages fetched, new liquidations emitted, errors per instFamily."""

    pages: int = 0
    liquidations: int = 0  # new orders the pipeline accepted
    errors: dict[str, str] = field(default_factory=dict)


async def backfill_liquidations(
    fetch: Fetch,
    base_url: str,
    families: Sequence[str],
    symbols: Mapping[str, str],
    contracts: OkxContracts,
    deliver: Deliver,
    *,
    clock: Clock,
    settings: OkxRestSettings = OkxRestSettings(),
) -> BackfillResult:
    """Page ``liquidation-orders`` back ``settings.window_s`` for each instFamily (``BTC-USDT``).

    Every page goes to ``deliver`` (which applies the orders not seen before). A family that
    fails is recorded in the result and skipped; others still run.
    """
    result = BackfillResult()
    url = base_url.rstrip("/") + LIQUIDATIONS_PATH
    since_ms = clock.now_ms() - round(settings.window_s * 1000)
    for family in families:
        after: int | None = None
        for _ in range(settings.max_pages):
            try:
                page, accepted = await _fetch_page(
                    fetch, url, family, after, symbols, contracts, deliver, clock, settings
                )
            except SourceError as exc:
                result.errors[family] = plain(exc, ERROR_LINE)
                break
            result.pages += 1
            result.liquidations += accepted
            oldest = page.oldest_ms
            if oldest is None or oldest < since_ms or (after is not None and oldest >= after):
                break
            after = oldest
            await clock.sleep(settings.page_pause_s)
    return result


async def _fetch_page(
    fetch: Fetch,
    url: str,
    family: str,
    after: int | None,
    symbols: Mapping[str, str],
    contracts: OkxContracts,
    deliver: Deliver,
    clock: Clock,
    settings: OkxRestSettings,
) -> tuple[LiquidationPage, int]:
    """One page: its cursor (read here) and how many new orders the pipeline accepted."""
    attempt = 0
    while True:
        try:
            raw = await fetch(LIQUIDATIONS_ENDPOINT, url, liquidation_params(family, after))
            outcome = deliver(raw)
            if outcome.error is not None:
                raise outcome.error
            return parse_okx_liquidation_orders(raw.body, symbols, contracts.table), outcome.accepted
        except RateLimitedError as exc:
            attempt += 1
            if attempt > settings.rate_limit_retries:
                raise
            await clock.sleep(exc.retry_after_s or settings.rate_limit_wait_s * attempt)


class OkxRestService:
    """Loads contract sizes (retrying until it works), backfills once, then keeps sizes fresh.

    Reports its health as the ``okx`` source status. :meth:`run` never raises anything but
    ``CancelledError``.
    """

    def __init__(
        self,
        fetch: Fetch,
        base_url: str,
        families: Sequence[str],
        symbols: Mapping[str, str],
        contracts: OkxContracts,
        deliver: Deliver,
        sink: EventSink,
        *,
        clock: Clock,
        settings: OkxRestSettings = OkxRestSettings(),
        source: str = "okx",
    ) -> None:
        self._fetch = fetch
        self._base_url = base_url
        self._families = tuple(families)
        self._symbols = symbols
        self.contracts = contracts
        self._deliver = deliver
        self._sink = sink
        self._clock = clock
        self._settings = settings
        self._source = source
        self._backoff = Backoff(base_s=settings.retry_base_s, cap_s=settings.retry_cap_s)
        self._last_ok_ms: int | None = None
        self.backfill: BackfillResult | None = None

    async def run(self) -> None:
        """Contracts first (the live parser needs them), then the backfill, then refreshes."""
        while not await self._refresh_contracts():
            await self._clock.sleep(self._backoff.next_delay())
        self._backoff.reset()
        try:
            self.backfill = await backfill_liquidations(
                self._fetch,
                self._base_url,
                self._families,
                self._symbols,
                self.contracts,
                self._deliver,
                clock=self._clock,
                settings=self._settings,
            )
        except SourceError as exc:
            self._report(SourceState.FAILING, f"backfill: {plain(exc, ERROR_LINE)}")
        except Exception as exc:  # an unexpected fetch-layer error must not end the service
            log.exception("okx backfill failed")
            self._report(SourceState.FAILING, f"backfill: {type(exc).__name__}: {plain(exc, ERROR_LINE)}")
        else:
            errors = self.backfill.errors
            if errors:
                family, text = next(iter(errors.items()))
                self._report(SourceState.FAILING, f"backfill {family}: {text}")
            else:
                self._report(SourceState.OK, None)
        settings = self._settings
        while True:
            await self._clock.sleep(settings.refresh_check_s)
            due = self.contracts.refresh_due(
                self._clock.now_ms(),
                max_age_ms=round(settings.contracts_max_age_s * 1000),
                missing_after_ms=round(settings.contracts_missing_after_s * 1000),
            )
            if due:
                await self._refresh_contracts()

    async def _refresh_contracts(self) -> bool:
        try:
            await self._load_contracts()
        except SourceError as exc:
            self._report(SourceState.FAILING, f"instruments: {plain(exc, ERROR_LINE)}", hint=exc.hint)
            return False
        except Exception as exc:  # see run(): keep going whatever the fetch layer raised
            log.exception("okx instruments fetch failed")
            self._report(SourceState.FAILING, f"instruments: {type(exc).__name__}: {plain(exc, ERROR_LINE)}")
            return False
        self._report(SourceState.OK, None)
        return True

    async def _load_contracts(self) -> None:
        """Fetch the swap instruments; the pipeline learns the contract sizes from the response."""
        url = self._base_url.rstrip("/") + INSTRUMENTS_PATH
        raw = await self._fetch(INSTRUMENTS_ENDPOINT, url, instruments_params())
        outcome = self._deliver(raw)
        if outcome.error is not None:
            raise outcome.error

    def _report(self, state: SourceState, error: str | None, hint: str | None = None) -> None:
        now = self._clock.now_ms()
        if state is SourceState.OK:
            self._last_ok_ms = now
        status = SourceStatus(
            source=self._source,
            state=state,
            updated_ms=now,
            last_ok_ms=self._last_ok_ms,
            last_error=plain(error, ERROR_LINE) if error else None,
            hint=hint,
        )
        self._sink(StatusEvent(status))
