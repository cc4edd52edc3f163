"""OKX public REST responses used by the liquidation stream: pure parsers, no IO.

* ``GET /api/v5/public/instruments?instType=SWAP`` gives each swap's contract size (ctVal).
* ``GET /api/v5/public/liquidation-orders?instType=SWAP&instFamily=BTC-USDT&state=filled``
  gives recent liquidations (about 24 h when paged with ``after=<oldest ts>``).

Both use the envelope ``{"code": "0", "msg": "", "data": [...]}``; any other ``code`` is an
error even inside HTTP 200 (``50015``: instFamily or uly missing; ``50011``: rate limited).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crashtui.errors import BlockedError, ParseError, RateLimitedError, UpstreamError
from crashtui.model import Liquidation
from crashtui.streams.frames import malformed
from crashtui.streams.okx import OkxContract, liquidations_from_data
from crashtui.textsafe import ERROR_LINE, plain

INSTRUMENTS_PATH = "/api/v5/public/instruments"
INSTRUMENTS_ENDPOINT = "instruments"
LIQUIDATIONS_PATH = "/api/v5/public/liquidation-orders"
LIQUIDATIONS_ENDPOINT = "liquidation-orders"
PAGE_LIMIT = 100

_RATE_LIMIT_CODES = frozenset({"50011", "50061"})
_HINTS = {"50015": "liquidation-orders needs instType=SWAP plus instFamily or uly"}


@dataclass(frozen=True, slots=True)
class LiquidationPage:
    """One page of REST liquidations; ``oldest_ms`` is the ``after=`` cursor for the next page."""

    liquidations: tuple[Liquidation, ...]
    oldest_ms: int | None
    missing_contracts: tuple[str, ...] = ()
    skipped: int = 0  # unreadable orders left out of the page, the others kept
    skip_reason: str = ""


def instruments_params() -> dict[str, str]:
    """Query parameters of the swap instruments request."""
    return {"instType": "SWAP"}


def liquidation_params(inst_family: str, after_ms: int | None = None) -> dict[str, str]:
    """Query parameters of one liquidation-orders page (newest first; ``after`` pages back)."""
    params = {"instType": "SWAP", "instFamily": inst_family, "state": "filled", "limit": str(PAGE_LIMIT)}
    if after_ms is not None:
        params["after"] = str(after_ms)
    return params


def envelope_data(body: bytes | str) -> list[Any]:
    """The ``data`` array of an OKX response, raising the typed error its ``code`` means."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    if text.lstrip()[:1] == "<":
        raise BlockedError("okx: got an HTML page where JSON was expected (blocked or challenged)")
    try:
        message = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise ParseError("okx: response is not JSON") from None
    if not isinstance(message, dict) or "code" not in message:
        raise ParseError("okx: expected an object with code and data")
    code = str(message["code"])
    if code != "0":
        text_msg = plain(f"okx error {code}: {message.get('msg', '')}", ERROR_LINE)
        if code in _RATE_LIMIT_CODES:
            raise RateLimitedError(text_msg)
        raise UpstreamError(text_msg, code=code, hint=_HINTS.get(code))
    data = message.get("data")
    if not isinstance(data, list):
        raise ParseError("okx: data: expected an array")
    return data


def parse_okx_instruments(body: bytes | str) -> dict[str, OkxContract]:
    """Contract sizes by instId from an instruments response.

    Rows without a usable ``ctVal`` (e.g. instruments not yet listed) are skipped; a
    response with no usable row at all is a ParseError.
    """
    out: dict[str, OkxContract] = {}
    for row in envelope_data(body):
        contract = _contract(row)
        if contract is not None:
            out[row["instId"]] = contract
    if not out:
        raise ParseError("okx: instruments: no instrument with a contract value")
    return out


def _contract(row: Any) -> OkxContract | None:
    if not isinstance(row, dict) or not isinstance(row.get("instId"), str):
        return None
    try:
        ct_val = float(row["ctVal"])
        mult_text = row.get("ctMult") or "1"
        ct_mult = float(mult_text)
    except (KeyError, TypeError, ValueError):
        return None
    value = ct_val * ct_mult
    if not 0.0 < value < float("inf"):
        return None
    # Inverse swaps (BTC-USD-SWAP) quote ctVal in USD; linear ones in the base coin.
    inverse = row.get("ctType") == "inverse" or row.get("ctValCcy") in ("USD", "USDT", "USDC")
    return OkxContract(ct_val=value, inverse=inverse)


def parse_okx_liquidation_orders(
    body: bytes | str, symbols: Mapping[str, str], contracts: Mapping[str, OkxContract]
) -> LiquidationPage:
    """One page of ``/api/v5/public/liquidation-orders`` normalised to Liquidations."""
    data = envelope_data(body)
    try:
        parsed = liquidations_from_data(data, symbols, contracts)
        stamps = [ms for entry in data for d in entry["details"] if (ms := _stamp(d)) is not None]
    except ParseError:
        raise
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        raise malformed("okx", exc) from None
    return LiquidationPage(
        liquidations=parsed.liquidations,
        oldest_ms=min(stamps) if stamps else None,
        missing_contracts=parsed.missing_contracts,
        skipped=parsed.skipped,
        skip_reason=parsed.skip_reason,
    )


def _stamp(detail: Any) -> int | None:
    """An order's ``ts`` for the paging cursor; None when unreadable (the order is skipped)."""
    ts = detail["ts"]
    return int(ts) if isinstance(ts, (str, int)) and str(ts).isdigit() else None
