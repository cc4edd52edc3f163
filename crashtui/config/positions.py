"""``[[positions]]`` tables → :class:`~crashtui.risk.position.Position` objects.

Keys: ``symbol`` (upper-case crashtui symbol), ``side`` (long | short), ``size`` (coins) or
``size_usd`` (notional at entry; exactly one of the two), ``entry``, ``leverage``, ``margin``
(isolated | cross, default isolated), ``venue`` (binance | bybit | okx | hyperliquid, default
binance), ``wallet_usd`` (cross only: the venue account's wallet balance, shared by all its
cross positions) and ``opened`` (optional ISO time, e.g. "2026-02-01T12:00Z": only price moves
after it can have liquidated the position). Each problem is one line naming the key path,
e.g. ``positions[2].leverage``.
"""

from __future__ import annotations

import argparse
import re
from typing import TypeVar

from crashtui.config.reader import ConfigError, Table
from crashtui.risk.position import (
    MAX_LEVERAGE,
    MAX_NOTIONAL_USD,
    MAX_PRICE,
    MarginMode,
    Position,
    PositionSide,
    Venue,
)
from crashtui.timeparse import parse_instant

T = TypeVar("T")
SYMBOL_RE = re.compile(r"^[A-Z0-9]{1,15}$")
# Opening times outside this range are typos (or seconds/ms mix-ups), not positions.
OPENED_MIN_MS = 1_230_940_800_000  # 2009-01-03, the first bitcoin block
OPENED_MAX_MS = 4_102_444_800_000  # 2100-01-01
KEYS = ("symbol", "side", "size", "size_usd", "entry", "leverage", "margin", "venue", "wallet_usd", "opened")


def parse_positions(tables: list[Table] | None) -> tuple[Position, ...]:
    """Every ``[[positions]]`` table, validated; ``None`` (no such key) gives no positions."""
    if tables is None:
        return ()
    parsed = [(t, position_from_table(t)) for t in tables]
    _check_shared_wallets(parsed)
    return tuple(p for _, p in parsed)


def _required(value: T | None, t: Table, key: str, what: str) -> T:
    if value is None:
        t.fail(key, f"expected {what}, but the key is missing")
    return value


def position_from_table(t: Table) -> Position:
    """One position table (also usable for a position typed into the app as TOML)."""
    symbol = _required(t.optional_string("symbol"), t, "symbol", "a symbol like 'BTC'")
    if not SYMBOL_RE.match(symbol):
        t.fail("symbol", f"expected an upper-case symbol like 'BTC', got {symbol!r}")
    side = _required(
        t.optional_string("side", choices=[s.value for s in PositionSide]), t, "side", "'long' or 'short'"
    )
    size = t.optional_number("size", positive=True, maximum=MAX_NOTIONAL_USD, what="a size in coins")
    size_usd = t.optional_number(
        "size_usd", positive=True, maximum=MAX_NOTIONAL_USD, what="a notional in USD"
    )
    if size is not None and size_usd is not None:
        t.fail("size_usd", "expected either size (coins) or size_usd, not both")
    if size is None and size_usd is None:
        t.fail("size", "expected size (coins) or size_usd (USD at entry), but both are missing")
    entry = _required(
        t.optional_number("entry", positive=True, maximum=MAX_PRICE, what="an entry price"),
        t,
        "entry",
        "an entry price",
    )
    leverage = _required(
        t.optional_number("leverage", minimum=1, maximum=MAX_LEVERAGE, what="a leverage"),
        t,
        "leverage",
        f"a leverage from 1 to {MAX_LEVERAGE:g}",
    )
    margin = t.string("margin", MarginMode.ISOLATED.value, choices=[m.value for m in MarginMode])
    venue = t.string("venue", Venue.BINANCE.value, choices=[v.value for v in Venue])
    wallet = t.optional_number(
        "wallet_usd", positive=True, maximum=MAX_NOTIONAL_USD, what="a wallet balance in USD"
    )
    if wallet is not None and margin != MarginMode.CROSS.value:
        t.fail(
            "wallet_usd",
            'only applies to margin = "cross" (an isolated position is backed by its own margin)',
        )
    opened_ms = _opened(t)
    t.finish(allowed=KEYS)
    try:
        return Position(
            symbol=symbol,
            side=PositionSide(side),
            entry=entry,
            leverage=leverage,
            size=size,
            size_usd=size_usd,
            margin=MarginMode(margin),
            venue=Venue(venue),
            wallet_usd=wallet,
            opened_ms=opened_ms,
        )
    except ValueError as exc:
        key, _, message = str(exc).partition(": ")
        t.fail(key if key in KEYS else "size", message or str(exc))


def _opened(t: Table) -> int | None:
    if not t.has("opened"):
        return None
    try:
        text = t.optional_string("opened")
    except ConfigError:
        t.fail("opened", 'expected an ISO time in quotes, like "2026-02-01T12:00Z"')
    assert text is not None
    try:
        ms = parse_instant(text)
    except (argparse.ArgumentTypeError, OverflowError, ValueError):
        t.fail("opened", f'expected an ISO time like "2026-02-01T12:00Z", got {text!r}')
    if not OPENED_MIN_MS <= ms < OPENED_MAX_MS:
        t.fail("opened", f"expected a time between 2009 and 2100, got {text!r}")
    return ms


def _check_shared_wallets(parsed: list[tuple[Table, Position]]) -> None:
    """Cross positions of one venue share one account: their wallet_usd must agree."""
    first: dict[Venue, tuple[Table, float]] = {}
    for t, p in parsed:
        if p.wallet_usd is None:
            continue
        seen = first.get(p.venue)
        if seen is None:
            first[p.venue] = (t, p.wallet_usd)
        elif seen[1] != p.wallet_usd:
            t.fail(
                "wallet_usd",
                f"expected {seen[1]:g} as in {seen[0].path} (cross positions on {p.venue} share one "
                f"wallet), got {p.wallet_usd:g}",
            )
