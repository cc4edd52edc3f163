"""Bybit v5 linear ``allLiquidation.{SYMBOL}`` stream: pure frame parser and messages.

``S`` is the **position** side per the docs, so ``S=Buy`` means a long was liquidated (the
opposite of the retired ``liquidation`` topic). ``v`` is base size and ``p`` the bankruptcy
price. The topic pushes every liquidation (``data`` is an array), so Bybit is not sampled.
There is no all-symbols topic: subscribe per watchlist symbol, and send a JSON ping about
every 20 s or the server drops the connection.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from crashtui.errors import ParseError
from crashtui.model import Liquidation, Side
from crashtui.streams.frames import (
    CONTROL_ACK,
    CONTROL_PONG,
    ERROR,
    ParsedFrame,
    base_name,
    each_order,
    epoch_ms,
    load_json,
    malformed,
    positive,
    product,
)
from crashtui.textsafe import ERROR_LINE, plain

VENUE = "bybit"
SOURCE = "bybit_liq"
SYMBOL_PROVIDER = "bybit"
STREAM_PATH = "/v5/public/linear"
ENDPOINT = "allLiquidation"
TOPIC_PREFIX = "allLiquidation."
PING_MESSAGE = '{"op":"ping"}'
SAMPLED = False
# Bybit caps the number of args in one subscribe request; stay well under it.
_TOPICS_PER_REQUEST = 10

_SIDES = {"Buy": Side.LONG, "Sell": Side.SHORT}


def subscribe_messages(instruments: Iterable[str]) -> tuple[str, ...]:
    """Subscribe requests for ``allLiquidation.<instrument>``, at most 10 topics each."""
    topics = [TOPIC_PREFIX + name for name in dict.fromkeys(instruments)]
    return tuple(
        json.dumps({"op": "subscribe", "args": topics[i : i + _TOPICS_PER_REQUEST]}, separators=(",", ":"))
        for i in range(0, len(topics), _TOPICS_PER_REQUEST)
    )


def parse_bybit_frame(frame: str | bytes, symbols: Mapping[str, str]) -> ParsedFrame:
    """Classify one Bybit public-linear frame and normalise its liquidations.

    ``symbols`` maps Bybit instruments to crashtui symbols (``SymbolTable.reverse("bybit")``);
    unknown instruments keep their base name. Raises ParseError for bad or unknown frames.
    """
    message = load_json(frame, VENUE)
    try:
        if not isinstance(message, dict):
            raise ParseError("bybit: expected a JSON object")
        topic = message.get("topic")
        if topic is None:
            return _control(message)
        if not isinstance(topic, str) or not topic.startswith(TOPIC_PREFIX):
            raise ParseError(f"bybit: unknown topic {plain(topic, 40)}")
        items = message["data"]
        if not isinstance(items, list):
            raise ParseError("bybit: data: expected an array")
        return each_order(items, lambda item: _liquidation(item, symbols), VENUE)
    except ParseError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise malformed(VENUE, exc) from None


def _liquidation(item: Any, symbols: Mapping[str, str]) -> Liquidation:
    instrument = item["s"]
    if not isinstance(instrument, str) or not instrument:
        raise ParseError("bybit: s: expected an instrument name")
    side = _SIDES.get(item["S"])
    if side is None:
        raise ParseError(f"bybit: S: expected Buy or Sell, got {plain(item['S'], 20)}")
    price = positive(item["p"], "p")
    qty = positive(item["v"], "v")
    return Liquidation(
        venue=VENUE,
        symbol=symbols.get(instrument) or base_name(instrument),
        liquidated_side=side,
        price=price,
        qty=qty,
        notional_usd=product(price, qty, "notional"),
        ts_ms=epoch_ms(item["T"], "T"),
        instrument=instrument,
    )


def _control(message: dict[str, Any]) -> ParsedFrame:
    """Pong, subscribe ack and error replies; ParseError for anything else."""
    op = message.get("op")
    if op == "pong" or (op == "ping" and message.get("ret_msg") == "pong"):
        return CONTROL_PONG
    if "success" in message and isinstance(op, str):
        if message["success"] is True:
            return CONTROL_ACK
        return ParsedFrame(
            control=ERROR, message=plain(f"bybit {op} failed: {message.get('ret_msg', '')}", ERROR_LINE)
        )
    raise ParseError("bybit: unknown frame (no topic or op)")
