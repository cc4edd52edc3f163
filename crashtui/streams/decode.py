"""Re-run the liquidation parsers on recorded payloads, for replay.

A recording holds every stream frame as ``RawPayload(kind="ws", source="binance_liq"|…)``
and the OKX REST responses as ``RawPayload(source="okx", endpoint="instruments"|
"liquidation-orders")``. OKX frames need contract sizes, which replay learns from the
recorded instruments responses (:class:`ReplayDecoder` does that as it goes).
"""

from __future__ import annotations

from collections.abc import Mapping

from crashtui.errors import SourceError
from crashtui.model import Liquidation, RawPayload
from crashtui.streams import binance, bybit, okx
from crashtui.streams.dedup import RecentKeys
from crashtui.streams.okx import OkxContract
from crashtui.streams.okx_contracts import OkxContracts
from crashtui.streams.okx_rest import (
    INSTRUMENTS_ENDPOINT,
    LIQUIDATIONS_ENDPOINT,
    parse_okx_instruments,
    parse_okx_liquidation_orders,
)
from crashtui.symbols import DEFAULT_TABLE, SymbolTable
from crashtui.textsafe import ERROR_LINE, plain

STREAM_SOURCES = (binance.SOURCE, bybit.SOURCE, okx.SOURCE)
_PROVIDERS = {
    binance.SOURCE: binance.SYMBOL_PROVIDER,
    bybit.SOURCE: bybit.SYMBOL_PROVIDER,
    okx.SOURCE: okx.SYMBOL_PROVIDER,
    okx.REST_SOURCE: okx.SYMBOL_PROVIDER,
}


def is_liquidation_payload(raw: RawPayload) -> bool:
    """Whether ``raw`` is a recorded stream frame or OKX REST response this module decodes."""
    return raw.source in STREAM_SOURCES or (
        raw.source == okx.REST_SOURCE and raw.endpoint in (INSTRUMENTS_ENDPOINT, LIQUIDATIONS_ENDPOINT)
    )


def contracts_from_payload(raw: RawPayload) -> dict[str, OkxContract] | None:
    """Contract sizes from a recorded OKX instruments response; None for any other payload.

    Raises the parser's SourceError if the recorded response was an error or malformed.
    """
    if raw.source == okx.REST_SOURCE and raw.endpoint == INSTRUMENTS_ENDPOINT:
        return parse_okx_instruments(raw.body)
    return None


def decode_frame(
    raw: RawPayload,
    symbols: SymbolTable = DEFAULT_TABLE,
    contracts: Mapping[str, OkxContract] | None = None,
) -> tuple[Liquidation, ...]:
    """The liquidations in one recorded frame or OKX liquidation-orders page.

    Control frames (pongs, acks) and payloads of other sources give ``()``. OKX details
    whose instrument is not in ``contracts`` are skipped. Raises ParseError (or the OKX
    envelope's typed error) for bad payloads, exactly as the live parsers do.
    """
    provider = _PROVIDERS.get(raw.source)
    if provider is None:
        return ()
    return _decode(raw, symbols.reverse(provider), contracts or {})


def _decode(
    raw: RawPayload, reverse: Mapping[str, str], contracts: Mapping[str, OkxContract]
) -> tuple[Liquidation, ...]:
    if raw.source == binance.SOURCE:
        return binance.parse_binance_frame(raw.body, reverse).liquidations
    if raw.source == bybit.SOURCE:
        return bybit.parse_bybit_frame(raw.body, reverse).liquidations
    if raw.source == okx.SOURCE:
        return okx.parse_okx_frame(raw.body, reverse, contracts).liquidations
    if raw.source == okx.REST_SOURCE and raw.endpoint == LIQUIDATIONS_ENDPOINT:
        return parse_okx_liquidation_orders(raw.body, reverse, contracts).liquidations
    return ()


class ReplayDecoder:
    """Feeds recorded payloads in order: learns OKX contract sizes, decodes, drops replays.

    De-duplication matches live: one memory per stream, shared by OKX's stream and backfill.
    Bad payloads are counted per source (with the last error), never raised.
    """

    def __init__(
        self, symbols: SymbolTable = DEFAULT_TABLE, contracts: Mapping[str, OkxContract] | None = None
    ) -> None:
        self.contracts = OkxContracts(contracts)
        self._reverse = {source: symbols.reverse(provider) for source, provider in _PROVIDERS.items()}
        okx_dedup = RecentKeys()
        self._dedup = {
            binance.SOURCE: RecentKeys(),
            bybit.SOURCE: RecentKeys(),
            okx.SOURCE: okx_dedup,
            okx.REST_SOURCE: okx_dedup,
        }
        self.bad_payloads: dict[str, int] = {}
        self.last_error: dict[str, str] = {}

    def feed(self, raw: RawPayload) -> tuple[Liquidation, ...]:
        """New liquidations in ``raw`` (``()`` for control frames, other sources and bad payloads)."""
        reverse = self._reverse.get(raw.source)
        if reverse is None:
            return ()
        try:
            table = contracts_from_payload(raw)
            if table is not None:
                self.contracts.update(table, raw.received_ms)
                return ()
            liquidations = _decode(raw, reverse, self.contracts.table)
        except SourceError as exc:
            self.bad_payloads[raw.source] = self.bad_payloads.get(raw.source, 0) + 1
            self.last_error[raw.source] = plain(exc, ERROR_LINE)
            return ()
        return self._dedup[raw.source].fresh(liquidations)
