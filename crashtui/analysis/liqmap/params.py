"""Model parameters: leverage tiers and their weights, maintenance margin per venue, buckets.

Every default is sourced in ``docs/liquidation-map.md``; the short version:

* tiers 5/10/25/50/100x weighted 15/30/25/20/10 % — the weights of the one open model that
  uses exactly this ladder (gptprojectmanager/liquidations, spec 008 research.md); 55 % sits at
  10–25x, where Binance's default leverage (20x) and its cap for new accounts (20x) put most
  retail positions;
* maintenance margin 0.5 % (Binance and Bybit BTCUSDT tier 2, 50k–600k notional), 0.4 % + 0.05 %
  taker fee on OKX (its isolated formula adds the fee), ``1 / (2 × max leverage)`` on Hyperliquid;
* Binance, OKX and Hyperliquid take maintenance margin on the **mark** notional, Bybit on the
  **entry** notional, which gives two liquidation-price formulas (:func:`liq_factor`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

MmrFn = Callable[[float, float], float]
"""``mmr_for(notional_usd, leverage)`` → maintenance-margin rate as a fraction (0.005 = 0.5 %)."""

MmBasis = Literal["mark", "entry"]
Side = Literal["long", "short"]


@dataclass(frozen=True, slots=True)
class LeverageTier:
    """One leverage the model assumes positions use, and the share of new positions at it."""

    leverage: float
    weight: float


DEFAULT_TIERS: tuple[LeverageTier, ...] = (
    LeverageTier(5.0, 0.15),
    LeverageTier(10.0, 0.30),
    LeverageTier(25.0, 0.25),
    LeverageTier(50.0, 0.20),
    LeverageTier(100.0, 0.10),
)


def flat_mmr(rate: float) -> MmrFn:
    """One maintenance-margin rate whatever the notional and leverage."""
    if not (math.isfinite(rate) and 0.0 <= rate < 1.0):
        raise ValueError(f"maintenance-margin rate must be in [0, 1), got {rate!r}")

    def mmr_for(notional: float, leverage: float) -> float:
        return rate

    return mmr_for


def mmr_by_leverage(rates: Mapping[float, float], default: float = 0.005) -> MmrFn:
    """A rate per leverage (``{100: 0.005, 50: 0.01}``); other leverages get ``default``."""
    table = {float(k): float(v) for k, v in rates.items()}
    for rate in (*table.values(), default):
        if not (math.isfinite(rate) and 0.0 <= rate < 1.0):
            raise ValueError(f"maintenance-margin rate must be in [0, 1), got {rate!r}")

    def mmr_for(notional: float, leverage: float) -> float:
        return table.get(float(leverage), default)

    return mmr_for


@dataclass(frozen=True, slots=True)
class VenueMargin:
    """How one venue turns an entry and a leverage into a liquidation price.

    ``max_leverage`` drops tiers the venue does not offer for the symbol (their weight is
    shared out among the rest); so does a rate above half the tier's initial margin, which no
    venue allows (Binance: maintenance margin is always below 50 % of initial margin).
    """

    mmr_for: MmrFn = field(default_factory=lambda: flat_mmr(0.005))
    mm_basis: MmBasis = "mark"
    max_leverage: float | None = None


def hyperliquid_margin(max_leverage: float) -> VenueMargin:
    """Hyperliquid: maintenance margin is half the initial margin at max leverage."""
    return VenueMargin(flat_mmr(1.0 / (2.0 * max_leverage)), "mark", max_leverage)


VENUE_MARGINS: Mapping[str, VenueMargin] = {
    "binance": VenueMargin(flat_mmr(0.005), "mark"),
    "bybit": VenueMargin(flat_mmr(0.005), "entry"),
    "okx": VenueMargin(flat_mmr(0.0045), "mark"),
    "hyperliquid": hyperliquid_margin(40.0),  # BTC's table (ETH: 25x); pass the symbol's own
}


def venue_margin(venue: str) -> VenueMargin:
    """The default margin model of ``venue`` (Binance's for venues not listed)."""
    return VENUE_MARGINS.get(venue, VENUE_MARGINS["binance"])


def liq_factor(leverage: float, mmr: float, side: Side, basis: MmBasis = "mark") -> float:
    """Liquidation price ÷ entry price for an isolated position with no margin added.

    ``entry`` basis (Bybit: MM on the entry value): long ``1 − 1/L + mmr``, short ``1 + 1/L − mmr``.
    ``mark`` basis (Binance, OKX, Hyperliquid: MM on the value at the liquidation price):
    long ``(1 − 1/L) / (1 − mmr)``, short ``(1 + 1/L) / (1 + mmr)``.
    """
    inv = 1.0 / leverage
    if side == "long":
        return 1.0 - inv + mmr if basis == "entry" else (1.0 - inv) / (1.0 - mmr)
    return 1.0 + inv - mmr if basis == "entry" else (1.0 + inv) / (1.0 + mmr)


def liq_price(entry: float, leverage: float, mmr: float, side: Side, basis: MmBasis = "mark") -> float:
    """Liquidation price of an isolated ``side`` position opened at ``entry``."""
    return entry * liq_factor(leverage, mmr, side, basis)


@dataclass(frozen=True, slots=True)
class LiqMapParams:
    """Knobs of the model (defaults sourced in ``docs/liquidation-map.md``).

    * ``tiers``: leverage ladder and weights (weights need not sum to 1; they are normalised).
    * ``bucket_usd``: price bucket width; None picks 0.1 % of the reference price rounded to
      1, 2 or 5 × 10^k (so BTC at 70,000 gets 50, ETH at 2,000 gets 2).
    * ``taker_weight``: 1 takes the taker buy share as the long share as it is, 0 ignores it
      (50/50), values between damp it toward 50/50.
    * ``position_usd``: the typical position notional passed to ``mmr_for`` (tiered rates
      depend on it; any value from 50k to 600k gives Binance BTCUSDT's 0.5 %).
    * ``min_level_usd``: buckets smaller than this are left out of the levels.
    """

    tiers: tuple[LeverageTier, ...] = DEFAULT_TIERS
    bucket_usd: float | None = None
    taker_weight: float = 1.0
    position_usd: float = 100_000.0
    min_level_usd: float = 1.0

    def __post_init__(self) -> None:
        if not self.tiers:
            raise ValueError("at least one leverage tier is needed")
        for tier in self.tiers:
            if not (math.isfinite(tier.leverage) and tier.leverage >= 1.0):
                raise ValueError(f"leverage must be a finite number ≥ 1, got {tier.leverage!r}")
            if not (math.isfinite(tier.weight) and tier.weight >= 0.0):
                raise ValueError(f"tier weight must be finite and ≥ 0, got {tier.weight!r}")
        if sum(t.weight for t in self.tiers) <= 0.0:
            raise ValueError("tier weights sum to zero")
        if self.bucket_usd is not None and not (math.isfinite(self.bucket_usd) and self.bucket_usd > 0):
            raise ValueError(f"bucket_usd must be a positive number, got {self.bucket_usd!r}")
        if not (math.isfinite(self.taker_weight) and 0.0 <= self.taker_weight <= 1.0):
            raise ValueError(f"taker_weight must be in [0, 1], got {self.taker_weight!r}")
        if not (math.isfinite(self.position_usd) and self.position_usd > 0):
            raise ValueError(f"position_usd must be a positive number, got {self.position_usd!r}")
        if not (math.isfinite(self.min_level_usd) and self.min_level_usd >= 0):
            raise ValueError(f"min_level_usd must be ≥ 0, got {self.min_level_usd!r}")


@dataclass(frozen=True, slots=True)
class ResolvedTier:
    """A tier as one venue applies it: normalised weight and both liquidation factors."""

    leverage: float
    weight: float
    mmr: float
    long_factor: float
    short_factor: float


def resolve_tiers(params: LiqMapParams, margin: VenueMargin) -> tuple[ResolvedTier, ...]:
    """The tiers ``margin``'s venue allows, weights renormalised, factors computed.

    Empty when the venue allows none of them (the venue then adds nothing to the map).
    Raises ValueError when ``mmr_for`` returns something that is not a rate in [0, 1).
    """
    kept: list[tuple[LeverageTier, float]] = []
    for tier in params.tiers:
        if tier.weight <= 0.0:
            continue
        if margin.max_leverage is not None and tier.leverage > margin.max_leverage * (1 + 1e-9):
            continue
        mmr = float(margin.mmr_for(params.position_usd, tier.leverage))
        if not (math.isfinite(mmr) and 0.0 <= mmr < 1.0):
            raise ValueError(f"mmr_for returned {mmr!r} for {tier.leverage}x; expected a rate in [0, 1)")
        if mmr > 0.5 / tier.leverage * (1 + 1e-9):
            continue  # maintenance above half the initial margin: the venue does not offer this tier
        kept.append((tier, mmr))
    total = sum(t.weight for t, _ in kept)
    return tuple(
        ResolvedTier(
            t.leverage,
            t.weight / total,
            mmr,
            liq_factor(t.leverage, mmr, "long", margin.mm_basis),
            liq_factor(t.leverage, mmr, "short", margin.mm_basis),
        )
        for t, mmr in kept
    )


def nice_bucket(price: float) -> float:
    """0.1 % of ``price`` rounded to 1, 2 or 5 × 10^k (BTC 70,000 → 50; ETH 2,000 → 2)."""
    raw = price * 0.001
    if not (math.isfinite(raw) and raw > 0):
        return 1.0
    exp = math.floor(math.log10(raw))
    base = raw / 10.0**exp
    step = 1.0 if base < 1.5 else 2.0 if base < 3.5 else 5.0 if base < 7.5 else 10.0
    return step * 10.0**exp
