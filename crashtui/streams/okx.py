"""OKX ``liquidation-orders`` (instType SWAP): pure frame parser, contract conversion, messages.

``posSide`` is the closed position (``long``/``short``); in net mode it is ``net`` and the
side comes from the forced order's ``side`` (``sell`` closes a long). ``sz`` is in
**contracts**: base qty = ``sz × ctVal`` for linear swaps (BTC-USDT-SWAP ctVal 0.01 BTC);
for inverse swaps (BTC-USD-SWAP) ``ctVal`` is in USD. ``ts`` is an epoch-ms *string*.
The channel shows at most one order per contract per second, so OKX is sampled. The
heartbeat is the plain text ``ping`` (answered by ``pong``) at least every 30 s.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from crashtui.errors import ParseError
from crashtui.model import Liquidation, Side
from crashtui.streams.frames import (
    CONTROL_ACK,
    CONTROL_PONG,
    ERROR,
    INFO,
    RECONNECT,
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

VENUE = "okx"
SOURCE = "okx_liq"
REST_SOURCE = "okx"
SYMBOL_PROVIDER = "okx"
STREAM_PATH = "/ws/v5/public"
ENDPOINT = "liquidation-orders"
CHANNEL = "liquidation-orders"
PING_MESSAGE = "ping"
SAMPLED = True
SUBSCRIBE_MESSAGE = json.dumps(
    {"op": "subscribe", "args": [{"channel": CHANNEL, "instType": "SWAP"}]}, separators=(",", ":")
)

_POS_SIDES = {"long": Side.LONG, "short": Side.SHORT}
_ORDER_SIDES = {"sell": Side.LONG, "buy": Side.SHORT}  # net mode: a forced sell closes a long
_SERVICE_UPGRADE = "64008"
_INFO_EVENTS = frozenset({"channel-conn-count", "unsubscribe", "login"})


@dataclass(frozen=True, slots=True)
class OkxContract:
    """Size of one contract of a swap: ``ct_val`` (× ctMult) in base units, or USD if ``inverse``."""

    ct_val: float
    inverse: bool = False


def parse_okx_frame(
    frame: str | bytes, symbols: Mapping[str, str], contracts: Mapping[str, OkxContract]
) -> ParsedFrame:
    """Classify one OKX public-channel frame and normalise its liquidations.

    ``symbols`` maps OKX instIds to crashtui symbols (``SymbolTable.reverse("okx")``);
    ``contracts`` maps instIds to contract sizes. Details of instruments missing from
    ``contracts`` are skipped and listed in ``missing_contracts``. Raises ParseError for
    bad or unknown frames.
    """
    if frame == "pong" or frame == b"pong":
        return CONTROL_PONG
    message = load_json(frame, VENUE)
    try:
        if not isinstance(message, dict):
            raise ParseError("okx: expected a JSON object")
        if "event" in message:
            return _control(message)
        channel = message["arg"]["channel"]
        if channel != CHANNEL:
            raise ParseError(f"okx: unknown channel {plain(channel, 40)}")
        return liquidations_from_data(message["data"], symbols, contracts)
    except ParseError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise malformed(VENUE, exc) from None


def liquidations_from_data(
    data: Any, symbols: Mapping[str, str], contracts: Mapping[str, OkxContract]
) -> ParsedFrame:
    """Normalise a ``data`` array of ``{instId, details: [...]}`` (shared by WS and REST).

    Lets KeyError/TypeError/... through: callers wrap them into ParseError.
    """
    if not isinstance(data, list):
        raise ParseError("okx: data: expected an array")
    out: list[Liquidation] = []
    missing: list[str] = []
    skipped, reason = 0, ""
    for entry in data:
        inst_id = entry["instId"]
        if not isinstance(inst_id, str) or not inst_id:
            raise ParseError("okx: instId: expected an instrument name")
        details = entry["details"]
        if not isinstance(details, list):
            raise ParseError("okx: details: expected an array")
        contract = contracts.get(inst_id)
        if contract is None:
            if details:
                missing.append(inst_id)
            continue
        symbol = symbols.get(inst_id) or base_name(inst_id)
        read = each_order(details, partial(_liquidation, inst_id, symbol, contract=contract), VENUE)
        out.extend(read.liquidations)
        skipped += read.skipped
        reason = reason or read.skip_reason
    return ParsedFrame(
        liquidations=tuple(out), missing_contracts=tuple(missing), skipped=skipped, skip_reason=reason
    )


def _liquidation(inst_id: str, symbol: str, detail: Any, contract: OkxContract) -> Liquidation:
    side = _POS_SIDES.get(detail["posSide"])
    if side is None:
        side = _ORDER_SIDES.get(detail["side"])
        if side is None:
            raise ParseError(
                f"okx: posSide/side: cannot tell the liquidated side from "
                f"{plain(detail['posSide'], 10)}/{plain(detail['side'], 10)}"
            )
    price = positive(detail["bkPx"], "bkPx")
    size = product(positive(detail["sz"], "sz"), contract.ct_val, "sz × ctVal")
    if contract.inverse:
        notional, qty = size, product(size, 1.0 / price, "sz × ctVal / bkPx")
    else:
        notional, qty = product(size, price, "notional"), size
    return Liquidation(
        venue=VENUE,
        symbol=symbol,
        liquidated_side=side,
        price=price,
        qty=qty,
        notional_usd=notional,
        ts_ms=epoch_ms(detail["ts"], "ts"),
        instrument=inst_id,
    )


def _control(message: dict[str, Any]) -> ParsedFrame:
    """Subscribe acks, errors, notices and connection-count info; ParseError otherwise."""
    event = message["event"]
    if event == "subscribe":
        return CONTROL_ACK
    if event in ("error", "channel-conn-count-error"):
        text = f"okx error {message.get('code', '?')}: {message.get('msg', '')}"
        return ParsedFrame(control=ERROR, message=plain(text, ERROR_LINE))
    if event == "notice":
        kind = RECONNECT if str(message.get("code")) == _SERVICE_UPGRADE else INFO
        return ParsedFrame(control=kind, message=plain(f"okx notice: {message.get('msg', '')}", ERROR_LINE))
    if event in _INFO_EVENTS:
        return ParsedFrame(control=INFO)
    raise ParseError(f"okx: unknown event {plain(event, 40)}")
