"""The one table of REST endpoints: who polls each source, and how each payload is decoded.

``decode(payload, table)`` runs the real parser of ``(payload.source, payload.endpoint)``
using only the payload's body, ``received_ms`` and ``params``, so replaying a recording
produces exactly the events the live feed produced. ``ENDPOINTS`` lists every
``(source, endpoint)`` pair a recording can contain from these sources.

``RawPayload.params`` per endpoint (besides the query sent, under ``q.<name>``):

* ``symbols`` (comma-separated crashtui symbols): binance ticker_24hr, binance_futures
  premium_index, kraken ticker, coingecko simple_price, bybit tickers, hyperliquid
  meta_and_asset_ctxs.
* ``symbol``: binance klines/depth, binance_futures open_interest, coinbase ticker/candles,
  kraken ohlc, coingecko market_chart. ``interval`` (``1h``/``4h``/``1d``; binance klines
  also ``5m``/``15m``, fetched on demand for a chart): binance klines,
  coinbase candles (``1h`` also yields 4 h), kraken ohlc (plus ``result_key``);
  ``intervals``: coingecko market_chart.
* ``kind`` (``funding`` or ``open_interest``): bybit tickers, hyperliquid.
* ``asset`` (``BTC``/``ETH``): farside etf_page, sosovalue summary_history, theblock etf_flows.
* ``series`` (``ICSA``/``NASDAQCOM``): fred fredgraph_csv and series_observations.
* ``pools`` (JSON list of pool metadata): defillama lend_borrow.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType, ModuleType

from crashtui.errors import ParseError
from crashtui.model import RawPayload
from crashtui.sources import (
    alternative_me,
    binance,
    binance_futures,
    bybit,
    cnn,
    coinbase,
    coingecko,
    defillama,
    defillama_macro,
    farside,
    fred,
    hyperliquid,
    kraken,
    okx_public,
    sosovalue,
    theblock,
    yahoo,
)
from crashtui.sources.common import CandleRequest, Decoder, Items, Poll
from crashtui.symbols import SymbolTable

_MODULES: dict[str, ModuleType] = {
    "binance": binance,
    "binance_futures": binance_futures,
    "coinbase": coinbase,
    "kraken": kraken,
    "coingecko": coingecko,
    "bybit": bybit,
    "hyperliquid": hyperliquid,
    "farside": farside,
    "sosovalue": sosovalue,
    "theblock": theblock,
    "alternative_me": alternative_me,
    "cnn": cnn,
    "fred": fred,
    "defillama": defillama,
    "okx_public": okx_public,
    "yahoo": yahoo,
    "defillama_macro": defillama_macro,
}

POLLERS: Mapping[str, Poll] = MappingProxyType({name: module.poll for name, module in _MODULES.items()})
"""Source name → its poll function ``poll(kind, ctx)`` (an async iterator of payloads)."""


ON_DEMAND_CANDLES: Mapping[str, CandleRequest] = MappingProxyType({"binance": binance.klines_request})
"""Sources that fetch one symbol's candles of any interval on demand (a chart's 5m and 15m):
source name → the request builder, in the order they are asked."""


DECODERS: Mapping[tuple[str, str], Decoder] = MappingProxyType(
    {
        (name, endpoint): decoder
        for name, module in _MODULES.items()
        for endpoint, decoder in module.DECODERS.items()
    }
)

ENDPOINTS: tuple[tuple[str, str], ...] = tuple(DECODERS)
"""Every ``(source, endpoint)`` name pair a REST payload can carry."""

REST_SOURCES: tuple[str, ...] = tuple(_MODULES)

EXPECTS: Mapping[tuple[str, str], str] = MappingProxyType(
    {
        (name, endpoint): expect
        for name, module in _MODULES.items()
        for endpoint, expect in getattr(module, "EXPECT", {}).items()
    }
)
"""What a good body of ``(source, endpoint)`` looks like when it is not JSON (``html``, ``csv``)."""
"""The REST sources built here (the liquidation streams and OKX REST live elsewhere)."""


def decoder_for(source: str, endpoint: str) -> Decoder | None:
    """The decoder of ``(source, endpoint)``, or None when no REST endpoint has that name."""
    return DECODERS.get((source, endpoint))


def decode(payload: RawPayload, table: SymbolTable) -> tuple[str, Items]:
    """Run the real parser for ``payload``: returns ``(kind, items)`` or raises a SourceError."""
    decoder = DECODERS.get((payload.source, payload.endpoint))
    if decoder is None:
        raise ParseError(f"no decoder for {payload.source} {payload.endpoint}")
    return decoder(payload, table)
