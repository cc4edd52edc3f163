"""What the model returns: price bands of estimated liquidations, per symbol."""

from __future__ import annotations

from dataclasses import dataclass

from crashtui.analysis.liqmap.params import Side


def distance_pct(low: float, high: float, price: float) -> float:
    """Signed distance from ``price`` to the nearer edge of ``[low, high)`` in % of price.

    Positive above price, negative below, 0 when price is inside the band.
    """
    if price <= 0:
        raise ValueError(f"price must be positive, got {price!r}")
    if low > price:
        return (low - price) / price * 100.0
    if high < price:
        return (high - price) / price * 100.0
    return 0.0


@dataclass(frozen=True, slots=True)
class LiqLevel:
    """Estimated USD of ``side`` positions whose liquidation price lies in ``[low, high)``.

    ``est_usd`` is the notional that would be force-closed there (coins × liquidation price).
    """

    low: float
    high: float
    side: Side
    est_usd: float

    def distance_pct(self, price: float) -> float:
        """Signed % from ``price`` to the nearer edge (see :func:`distance_pct`)."""
        return distance_pct(self.low, self.high, price)


@dataclass(frozen=True, slots=True)
class LiqMap:
    """An estimated liquidation map of one symbol as of ``at_ms``. Always an estimate.

    * ``levels``: non-empty buckets, sorted by price (long before short at equal price).
    * ``price``: the reference price the map was consumed against (the live price given, else
      the last bar's close); None when there was none, and then ``levels`` is empty.
    * ``bucket_usd``: bucket width; every level is one bucket.
    * ``venues``: the venues whose open interest went in; ``from_ms`` the oldest OI point used.
    * ``steps``: OI steps placed; ``taker_known``: share of the opened coins that had a taker
      split (the rest was split 50/50); ``gaps``: OI steps longer than twice their period;
      ``dropped``: input rows left out as unusable.
    * ``oi_usd``: the newest open interest summed over ``venues``.
    """

    symbol: str
    at_ms: int | None
    levels: tuple[LiqLevel, ...]
    price: float | None
    bucket_usd: float
    venues: tuple[str, ...] = ()
    from_ms: int | None = None
    steps: int = 0
    taker_known: float | None = None
    gaps: int = 0
    dropped: int = 0
    oi_usd: float | None = None
    estimate: bool = True

    def total_usd(self, side: Side | None = None) -> float:
        """Estimated USD still open on ``side`` (both sides when None)."""
        return sum((lv.est_usd for lv in self.levels if side is None or lv.side == side), 0.0)
