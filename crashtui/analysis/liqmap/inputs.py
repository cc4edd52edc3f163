"""The liquidation map's own input types: open-interest points, price bars, taker flow.

These are deliberately small and independent of any venue parser: whoever fetches the data
converts it into these (one list per venue and symbol). Nothing here validates eagerly; the
builder drops rows it cannot use (non-finite, non-positive, timestamps outside 2001–2100) and
counts them, so one bad row never costs the whole map.

Time conventions (the converter's job to honour):

* :class:`OiPoint` ``ts_ms`` is the moment the open interest was measured. The change between
  two consecutive points happened during ``[previous ts_ms, ts_ms)``.
* :class:`PriceBar` and :class:`TakerFlow` are stamped at the **start** of the period they
  cover, like candles: a bar opened at ``open_ms`` covers ``[open_ms, open_ms + period_ms)``.
  If a venue stamps its taker rows at the period's end, shift them back by one period.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from crashtui.model import Candle, FundingSnapshot


@dataclass(frozen=True, slots=True)
class OiPoint:
    """Open interest of one symbol on one venue at ``ts_ms``.

    ``oi_base`` (coins) is optional but preferred: open interest in USD moves with price even
    when no position opens or closes, so the model works in coins and divides ``oi_usd`` by the
    price of the moment when ``oi_base`` is missing. ``period_ms`` is the series' nominal
    spacing (300,000 for 5-minute history); longer steps are counted as gaps.
    """

    ts_ms: int
    oi_usd: float
    period_ms: int
    oi_base: float | None = None


@dataclass(frozen=True, slots=True)
class PriceBar:
    """One OHLCV bar covering ``[open_ms, open_ms + period_ms)``; volume in any one unit.

    ``open`` is not needed by the model. A still-forming bar is fine: its range so far is
    range that has traded.
    """

    open_ms: int
    period_ms: int
    high: float
    low: float
    close: float
    volume: float = 0.0


@dataclass(frozen=True, slots=True)
class TakerFlow:
    """Taker (aggressive) buy and sell volume over the period starting at ``ts_ms``.

    Units do not matter (coins or USD), only the buy share ``buy / (buy + sell)``.
    """

    ts_ms: int
    buy: float
    sell: float


def bars_from_candles(candles: Iterable[Candle]) -> list[PriceBar]:
    """crashtui candles as :class:`PriceBar` (their interval gives the period)."""
    return [PriceBar(c.open_ms, c.interval.ms, c.high, c.low, c.close, c.volume) for c in candles]


def oi_points_from_snapshots(
    snapshots: Iterable[FundingSnapshot], venue: str, symbol: str, period_ms: int
) -> list[OiPoint]:
    """``venue``'s open-interest readings of ``symbol`` from crashtui's own funding snapshots.

    For building history from what crashtui records itself (venues keep only weeks of it).
    ``period_ms`` is the polling interval (steps longer than twice it count as gaps). A
    snapshot needs USD open interest, or coins and a mark price to value them; others are skipped.
    """
    out: list[OiPoint] = []
    for s in snapshots:
        if s.venue != venue or s.symbol != symbol:
            continue
        usd = s.open_interest_usd
        if usd is None and s.open_interest_base is not None and s.mark_price is not None:
            usd = s.open_interest_base * s.mark_price
        if usd is not None:
            out.append(OiPoint(s.ts_ms, usd, period_ms, s.open_interest_base))
    return out
