"""A trader's position as entered in the config or the app: the input of every risk function."""

from __future__ import annotations

import math
from dataclasses import dataclass

from crashtui.strenum import StrEnum

MAX_LEVERAGE = 500.0
MAX_NOTIONAL_USD = 1e12
MAX_PRICE = 1e9


class PositionSide(StrEnum):
    """Direction of a position."""

    LONG = "long"
    SHORT = "short"

    @property
    def sign(self) -> int:
        """+1 for a long, -1 for a short."""
        return 1 if self is PositionSide.LONG else -1


class MarginMode(StrEnum):
    """How a position is margined."""

    ISOLATED = "isolated"
    CROSS = "cross"


class Venue(StrEnum):
    """Venues whose liquidation formula and margin tiers crashtui knows."""

    BINANCE = "binance"
    BYBIT = "bybit"
    OKX = "okx"
    HYPERLIQUID = "hyperliquid"


def _finite_positive(name: str, value: float, upper: float) -> None:
    if not (isinstance(value, int | float) and math.isfinite(value) and 0 < value <= upper):
        raise ValueError(f"{name}: expected a number greater than 0 and at most {upper:g}, got {value!r}")


@dataclass(frozen=True, slots=True)
class Position:
    """One open perpetual position in a USD(T)-margined linear contract.

    Give the size either in coins (``size``) or as notional at entry (``size_usd``); exactly one.
    ``wallet_usd`` is the cross-margin wallet balance of the venue account (only for
    ``margin=cross``; every cross position of one venue shares it). ``opened_ms``, when known,
    limits the price path that can have liquidated the position to what traded after it.

    A position read from an exchange (``crashtui positions import``) has ``imported_ms``, the
    time it was read, and ``venue_liquidation_price``, the liquidation price the exchange
    reported (None: it reported none); both are None for a position from the config or the app.
    Invalid values raise ValueError (the config layer reports them per key first).
    """

    symbol: str
    side: PositionSide
    entry: float
    leverage: float
    size: float | None = None
    size_usd: float | None = None
    margin: MarginMode = MarginMode.ISOLATED
    venue: Venue = Venue.BINANCE
    wallet_usd: float | None = None
    opened_ms: int | None = None
    imported_ms: int | None = None
    venue_liquidation_price: float | None = None

    def __post_init__(self) -> None:
        if not self.symbol:
            raise ValueError("symbol: expected a non-empty symbol")
        _finite_positive("entry", self.entry, MAX_PRICE)
        if not (isinstance(self.leverage, int | float) and math.isfinite(self.leverage)):
            raise ValueError(f"leverage: expected a number, got {self.leverage!r}")
        if not 1.0 <= self.leverage <= MAX_LEVERAGE:
            raise ValueError(f"leverage: expected 1 to {MAX_LEVERAGE:g}, got {self.leverage!r}")
        if (self.size is None) == (self.size_usd is None):
            raise ValueError("size: expected exactly one of size (coins) and size_usd")
        if self.size is not None:
            _finite_positive("size", self.size, MAX_NOTIONAL_USD)
        if self.size_usd is not None:
            _finite_positive("size_usd", self.size_usd, MAX_NOTIONAL_USD)
        if self.entry_notional > MAX_NOTIONAL_USD:
            raise ValueError(f"size: expected a position worth at most ${MAX_NOTIONAL_USD:g} at entry")
        if self.wallet_usd is not None:
            if self.margin is not MarginMode.CROSS:
                raise ValueError("wallet_usd: only applies to margin = cross")
            _finite_positive("wallet_usd", self.wallet_usd, MAX_NOTIONAL_USD)
        if self.venue_liquidation_price is not None:
            _finite_positive("venue_liquidation_price", self.venue_liquidation_price, MAX_PRICE)

    @property
    def imported(self) -> bool:
        """Whether the position was read from an exchange (not entered by the user)."""
        return self.imported_ms is not None

    @property
    def qty(self) -> float:
        """Absolute size in coins."""
        if self.size is not None:
            return self.size
        assert self.size_usd is not None
        return self.size_usd / self.entry

    @property
    def entry_notional(self) -> float:
        """Position value at the entry price, USD."""
        return self.size_usd if self.size_usd is not None else self.qty * self.entry

    @property
    def initial_margin(self) -> float:
        """Initial margin at entry: notional / leverage (the isolated margin, no margin added)."""
        return self.entry_notional / self.leverage

    def pnl_at(self, price: float) -> float:
        """Unrealised PnL in USD if marked at ``price``."""
        return self.side.sign * self.qty * (price - self.entry)
