"""Decode liquidation-stream frames and OKX REST pages, live or recorded, the same way.

Frames arrive as ``RawPayload(kind="ws", source="binance_liq"|"bybit_liq"|"okx_liq")`` and the
OKX REST responses as ``RawPayload(source="okx", endpoint="instruments"|"liquidation-orders")``.
OKX details need contract sizes, which :class:`LiquidationDecoder` learns from the instruments
responses as they pass. Liquidations a venue replays after a reconnect are dropped here, with
one memory per stream (OKX's stream and its REST backfill share one).
"""

from __future__ import annotations

from collections.abc import Mapping

from crashtui.model import RawPayload
from crashtui.streams import binance, bybit, okx
from crashtui.streams.dedup import DEFAULT_CAPACITY, RecentKeys
from crashtui.streams.frames import ParsedFrame
from crashtui.streams.okx import OkxContract
from crashtui.streams.okx_contracts import OkxContracts
from crashtui.streams.okx_rest import (
    INSTRUMENTS_ENDPOINT,
    LIQUIDATIONS_ENDPOINT,
    parse_okx_instruments,
    parse_okx_liquidation_orders,
)
from crashtui.symbols import DEFAULT_TABLE, SymbolTable

STREAM_SOURCES = (binance.SOURCE, bybit.SOURCE, okx.SOURCE)
_PROVIDERS = {
    binance.SOURCE: binance.SYMBOL_PROVIDER,
    bybit.SOURCE: bybit.SYMBOL_PROVIDER,
    okx.SOURCE: okx.SYMBOL_PROVIDER,
    okx.REST_SOURCE: okx.SYMBOL_PROVIDER,
}
_NOTHING = ParsedFrame()


def is_liquidation_payload(raw: RawPayload) -> bool:
    """Whether ``raw`` is a stream frame or an OKX REST response this module decodes."""
    return raw.source in STREAM_SOURCES or (
        raw.source == okx.REST_SOURCE and raw.endpoint in (INSTRUMENTS_ENDPOINT, LIQUIDATIONS_ENDPOINT)
    )


class LiquidationDecoder:
    """Decodes payloads in arrival order (see the module docstring).

    :meth:`decode` raises the parser's :class:`~crashtui.errors.SourceError` for a bad payload,
    exactly as a live parser would.
    """

    def __init__(
        self,
        symbols: SymbolTable = DEFAULT_TABLE,
        contracts: Mapping[str, OkxContract] | None = None,
        *,
        dedup_capacity: int = DEFAULT_CAPACITY,
    ) -> None:
        self.contracts = OkxContracts(contracts)
        self._reverse = {source: symbols.reverse(provider) for source, provider in _PROVIDERS.items()}
        # OKX's memory also holds the ~24 h REST backfill, so it needs more room.
        okx_dedup = RecentKeys(2 * dedup_capacity)
        self.dedup = {
            binance.SOURCE: RecentKeys(dedup_capacity),
            bybit.SOURCE: RecentKeys(dedup_capacity),
            okx.SOURCE: okx_dedup,
            okx.REST_SOURCE: okx_dedup,
        }

    def decode(self, raw: RawPayload) -> ParsedFrame:
        """The frame's control kind or its new liquidations (``()`` for other payloads)."""
        reverse = self._reverse.get(raw.source)
        if reverse is None:
            return _NOTHING
        if raw.source == okx.REST_SOURCE and raw.endpoint == INSTRUMENTS_ENDPOINT:
            self.contracts.update(parse_okx_instruments(raw.body), raw.received_ms)
            return _NOTHING
        parsed = self._parse(raw, reverse)
        if parsed.missing_contracts:
            self.contracts.note_missing(parsed.missing_contracts)
        if not parsed.liquidations:
            return parsed
        fresh = self.dedup[raw.source].fresh(parsed.liquidations)
        if len(fresh) == len(parsed.liquidations):
            return parsed  # none seen before: the very frame
        return ParsedFrame(
            liquidations=fresh,
            missing_contracts=parsed.missing_contracts,
            skipped=parsed.skipped,
            skip_reason=parsed.skip_reason,
        )

    def _parse(self, raw: RawPayload, reverse: Mapping[str, str]) -> ParsedFrame:
        if raw.source == binance.SOURCE:
            return binance.parse_binance_frame(raw.body, reverse)
        if raw.source == bybit.SOURCE:
            return bybit.parse_bybit_frame(raw.body, reverse)
        if raw.source == okx.SOURCE:
            return okx.parse_okx_frame(raw.body, reverse, self.contracts.table)
        if raw.endpoint == LIQUIDATIONS_ENDPOINT:
            page = parse_okx_liquidation_orders(raw.body, reverse, self.contracts.table)
            return ParsedFrame(
                liquidations=page.liquidations,
                missing_contracts=page.missing_contracts,
                skipped=page.skipped,
                skip_reason=page.skip_reason,
            )
        return _NOTHING
