"""A stand-in ``ccxt`` module: CI installs only ``.[test]`` and tests never reach an exchange.

The position dicts copy ccxt's unified position structure (ccxt Manual, "Position Structure";
the fields as ``hyperliquid.parse_position`` in ccxt/python/ccxt/hyperliquid.py and Binance's
``parse_position_risk`` fill them): ``contracts`` in contracts of ``contractSize`` coins (OKX
ETH-USDT-SWAP: 0.01 ETH; Hyperliquid leaves contractSize None), prices as floats, the venue's
own ``liquidationPrice``, ``marginMode`` cross|isolated, the raw answer under ``info``.
"""

from __future__ import annotations

import logging
import types
from collections.abc import Callable, Mapping
from typing import Any

FAKE_KEY = "fAkEbInAnCeKeY0123456789abcdefKEY"
FAKE_SECRET = "fAkEbInAnCeSeCrEt9876543210SECRET"
FAKE_OKX = ("fAkEoKxKeY-1111-2222", "fAkEoKxSeCrEt-3333", "fAkEpAsSpHrAsE-4444")
FAKE_WALLET = "0x1234567890abcdef1234567890abcdef12345678"

BINANCE_BTC: dict[str, Any] = {
    "info": {"symbol": "BTCUSDT", "positionAmt": "0.500", "entryPrice": "62000.0", "marginType": "isolated"},
    "id": None,
    "symbol": "BTC/USDT:USDT",
    "timestamp": 1_765_000_000_000,
    "datetime": "2025-12-06T05:46:40.000Z",
    "initialMargin": 3100.0,
    "initialMarginPercentage": 0.1,
    "maintenanceMargin": 124.0,
    "maintenanceMarginPercentage": 0.004,
    "entryPrice": 62000.0,
    "notional": 31000.0,
    "leverage": 10.0,
    "unrealizedPnl": 0.0,
    "contracts": 0.5,
    "contractSize": 1.0,
    "marginRatio": 0.04,
    "liquidationPrice": 56050.1,
    "markPrice": 62000.0,
    "collateral": 3100.0,
    "marginMode": "isolated",
    "marginType": "isolated",
    "side": "long",
    "hedged": False,
    "percentage": 0.0,
}
OKX_ETH: dict[str, Any] = {
    "info": {"instId": "ETH-USDT-SWAP", "pos": "-150", "mgnMode": "cross", "lever": "20"},
    "id": "312269865356374016",
    "symbol": "ETH/USDT:USDT",
    "notional": 5100.0,
    "marginMode": "cross",
    "liquidationPrice": 4980.5,
    "entryPrice": 3400.0,
    "unrealizedPnl": 0.0,
    "percentage": 0.0,
    "contracts": 150.0,
    "contractSize": 0.01,
    "markPrice": 3400.0,
    "side": "short",
    "hedged": False,
    "timestamp": 1_765_000_000_000,
    "datetime": "2025-12-06T05:46:40.000Z",
    "maintenanceMargin": 20.4,
    "maintenanceMarginPercentage": 0.004,
    "collateral": 255.0,
    "initialMargin": 255.0,
    "initialMarginPercentage": 0.05,
    "leverage": 20.0,
    "marginRatio": 0.08,
}
BYBIT_PEPE: dict[str, Any] = {
    "info": {"symbol": "1000PEPEUSDT", "side": "Buy", "size": "100000", "tradeMode": 0},
    "id": None,
    "symbol": "1000PEPE/USDT:USDT",
    "timestamp": 1_765_000_000_000,
    "datetime": "2025-12-06T05:46:40.000Z",
    "initialMargin": 246.0,
    "initialMarginPercentage": 0.2,
    "maintenanceMargin": 18.45,
    "maintenanceMarginPercentage": 0.015,
    "entryPrice": 0.0123,
    "notional": 1230.0,
    "leverage": 5.0,
    "unrealizedPnl": 0.0,
    "contracts": 100000.0,
    "contractSize": 1.0,
    "marginRatio": 0.01,
    "liquidationPrice": 0.01005,
    "markPrice": 0.0123,
    "collateral": 246.0,
    "marginMode": "isolated",
    "side": "long",
    "percentage": 0.0,
}
BYBIT_INVERSE: dict[str, Any] = {
    **BYBIT_PEPE,
    "symbol": "BTC/USD:BTC",
    "entryPrice": 60000.0,
    "contracts": 100.0,
}
HYPERLIQUID_SOL: dict[str, Any] = {
    # hyperliquid.parse_position: contractSize and markPrice None, collateral = marginUsed
    "info": {"position": {"coin": "SOL", "szi": "30.0", "entryPx": "140.0", "liquidationPx": "133.9"}},
    "id": None,
    "symbol": "SOL/USDC:USDC",
    "timestamp": None,
    "datetime": None,
    "isolated": True,
    "hedged": None,
    "side": "long",
    "contracts": 30.0,
    "contractSize": None,
    "entryPrice": 140.0,
    "markPrice": None,
    "notional": 4200.0,
    "leverage": 20.0,
    "collateral": 210.0,
    "initialMargin": 210.0,
    "maintenanceMargin": None,
    "initialMarginPercentage": None,
    "maintenanceMarginPercentage": None,
    "unrealizedPnl": 0.0,
    "liquidationPrice": 133.9,
    "marginMode": "isolated",
    "percentage": 0.0,
}

ANSWERS: dict[str, list[dict[str, Any]]] = {
    "binanceusdm": [BINANCE_BTC],
    "okx": [OKX_ETH],
    "bybit": [BYBIT_PEPE, BYBIT_INVERSE],
    "hyperliquid": [HYPERLIQUID_SOL],
}


class AuthenticationError(Exception):
    """As ccxt's: the message is ``id + ' ' + body`` and can echo the request."""


def make_ccxt(
    answers: Mapping[str, list[dict[str, Any]]] | None = None,
    fail: Mapping[str, Callable[[Mapping[str, Any]], Exception]] | None = None,
    calls: list[tuple[str, dict[str, Any], Any]] | None = None,
) -> types.ModuleType:
    """A module with the four exchange classes; ``fail[id](config)`` is raised by that one's
    ``fetch_positions``; ``calls`` records (id, constructor config, fetch params)."""
    answers_by_id: Mapping[str, list[dict[str, Any]]] = ANSWERS if answers is None else answers
    failing: Mapping[str, Callable[[Mapping[str, Any]], Exception]] = fail or {}
    module = types.ModuleType("ccxt")

    def exchange_class(exchange_id: str) -> type:
        class Exchange:
            id = exchange_id

            def __init__(self, config: dict[str, Any]) -> None:
                self.config = dict(config)

            def fetch_positions(self, symbols: Any = None, params: Any = None) -> list[dict[str, Any]]:
                if calls is not None:
                    calls.append((exchange_id, self.config, params))
                # as ccxt in verbose mode: the request, headers and all, to its logger
                logging.getLogger("ccxt.base.exchange").warning("request %s", self.config)
                if exchange_id in failing:
                    raise failing[exchange_id](self.config)
                return [dict(p) for p in answers_by_id.get(exchange_id, [])]

        Exchange.__name__ = exchange_id
        return Exchange

    for exchange_id in ("binanceusdm", "bybit", "okx", "hyperliquid"):
        setattr(module, exchange_id, exchange_class(exchange_id))
    module.AuthenticationError = AuthenticationError  # type: ignore[attr-defined]
    return module


def leaky_error(config: Mapping[str, Any]) -> Exception:
    """An error whose text carries every credential, as a careless library might."""
    return AuthenticationError(
        f"binanceusdm GET https://fapi.binance.com/fapi/v2/positionRisk?timestamp=1&signature=abc"
        f"&apiKey={config.get('apiKey')} headers {{'X-MBX-APIKEY': '{config.get('apiKey')}'}} "
        f'secret={config.get("secret")} 401 Unauthorized {{"code":-2015,"msg":"Invalid API-key"}}'
    )
