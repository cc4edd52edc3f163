"""Binance USD-M all-market liquidation stream (``!forceOrder@arr``): pure frame parser.

Since the 2026 route split the stream lives under ``/market``; the legacy ``/ws`` path
accepts connections but sends nothing. A raw ``/ws`` connection sends bare event objects,
a combined ``/stream`` connection wraps them as ``{"stream": …, "data": {…}}``. The forced
order's side is the order's, so ``S=SELL`` means a **long** was liquidated. Binance sends at
most one (the latest) order per symbol per second, so its tallies are a lower bound.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crashtui.errors import ParseError
from crashtui.model import Liquidation, Side
from crashtui.streams.frames import (
    CONTROL_ACK,
    ERROR,
    ParsedFrame,
    base_name,
    epoch_ms,
    load_json,
    malformed,
    positive,
    product,
)
from crashtui.textsafe import ERROR_LINE, plain

VENUE = "binance"
SOURCE = "binance_liq"
SYMBOL_PROVIDER = "binance_futures"
STREAM_PATH = "/market/ws/!forceOrder@arr"
ENDPOINT = "forceOrder"
SAMPLED = True

_SIDES = {"SELL": Side.LONG, "BUY": Side.SHORT}


def parse_binance_frame(frame: str | bytes, symbols: Mapping[str, str]) -> ParsedFrame:
    """Classify one ``!forceOrder@arr`` frame and normalise its liquidations.

    ``symbols`` maps Binance futures instruments to crashtui symbols
    (``SymbolTable.reverse("binance_futures")``); unknown instruments keep their base name.
    Raises ParseError for anything that is neither a liquidation nor a known control frame.
    """
    message = load_json(frame, VENUE)
    try:
        if isinstance(message, dict):
            if "data" in message and "stream" in message:
                message = message["data"]
            elif "e" not in message:
                return _control(message)
        events = message if isinstance(message, list) else (message,)
        return ParsedFrame(liquidations=tuple(_liquidation(event, symbols) for event in events))
    except ParseError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise malformed(VENUE, exc) from None


def _liquidation(event: Any, symbols: Mapping[str, str]) -> Liquidation:
    if event["e"] != "forceOrder":
        raise ParseError(f"binance: unknown event {plain(event['e'], 40)}")
    order = event["o"]
    instrument = order["s"]
    if not isinstance(instrument, str) or not instrument:
        raise ParseError("binance: o.s: expected an instrument name")
    side = _SIDES.get(order["S"])
    if side is None:
        raise ParseError(f"binance: o.S: expected BUY or SELL, got {plain(order['S'], 20)}")
    # ``ap`` is the average fill price and ``z`` the filled quantity; fall back to the
    # order's price and quantity only if the fill fields are zero (not seen when FILLED).
    price = _fill_or_order(order, "ap", "p")
    qty = _fill_or_order(order, "z", "q")
    return Liquidation(
        venue=VENUE,
        symbol=symbols.get(instrument) or base_name(instrument),
        liquidated_side=side,
        price=price,
        qty=qty,
        notional_usd=product(price, qty, "notional"),
        ts_ms=epoch_ms(order.get("T", event.get("E")), "o.T"),
        instrument=instrument,
    )


def _fill_or_order(order: Any, fill_key: str, order_key: str) -> float:
    fill = order.get(fill_key)
    if fill is not None and not isinstance(fill, bool) and float(fill) > 0:
        return positive(fill, f"o.{fill_key}")
    return positive(order[order_key], f"o.{order_key}")


def _control(message: dict[str, Any]) -> ParsedFrame:
    """Subscribe acks (``{"result": null, "id": 1}``) and error replies; ParseError otherwise."""
    if "result" in message and "id" in message:
        return CONTROL_ACK
    error = message.get("error")
    if isinstance(error, dict):
        return ParsedFrame(control=ERROR, message=_error_text(error))
    if "code" in message and "msg" in message:
        return ParsedFrame(control=ERROR, message=_error_text(message))
    raise ParseError("binance: unknown frame (no event type)")


def _error_text(error: Mapping[str, Any]) -> str:
    return plain(f"binance error {error.get('code', '?')}: {error.get('msg', '')}", ERROR_LINE)
