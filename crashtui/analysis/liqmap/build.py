"""Build an estimated liquidation map from open-interest history, price bars and taker flow.

The model (approach D of ``/work/shared/notes/liquidation-map.md``, with E's pro-rata closes and
G's path survivorship; the full account with sources is ``docs/liquidation-map.md``):

1. every rise in open interest over one OI step is new positions, entered at that step's
   typical price;
2. split long/short by the step's taker buy share;
3. spread over the leverage tiers by weight; each tier liquidates at ``entry × factor`` with the
   venue's maintenance margin (:func:`~crashtui.analysis.liqmap.params.liq_factor`);
4. every later fall in open interest closes the same share of every open estimate (pro rata);
5. an estimate is gone once any bar after its entry step traded through its liquidation price
   (low ≤ price for longs, high ≥ price for shorts), or the live price is beyond it;
6. what is left is summed into fixed-width price buckets, valued at the liquidation price.

A full rebuild over 30 days of 5-minute history is a few milliseconds of numpy, so the map is
recomputed from scratch rather than updated (no state to drift); see ``benchmarks/bench_liqmap.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crashtui.analysis.liqmap.align import Bars, align_steps, clean_bars
from crashtui.analysis.liqmap.inputs import OiPoint, PriceBar, TakerFlow
from crashtui.analysis.liqmap.params import (
    LiqMapParams,
    VenueMargin,
    nice_bucket,
    resolve_tiers,
    venue_margin,
)
from crashtui.analysis.liqmap.result import LiqLevel, LiqMap

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

MAX_BUCKET_INDEX = 2**52  # beyond this a float price no longer maps to one bucket


@dataclass(frozen=True, slots=True)
class VenueInput:
    """One venue's history for one symbol.

    ``margin`` None uses :func:`~crashtui.analysis.liqmap.params.venue_margin` of ``venue``.
    ``bars`` None uses the symbol's shared bars; pass the venue's own (ideally mark-price)
    bars to consume its levels with its own wicks.
    """

    venue: str
    oi: tuple[OiPoint, ...]
    taker: tuple[TakerFlow, ...] = ()
    margin: VenueMargin | None = None
    bars: tuple[PriceBar, ...] | None = None


def _valid_price(price: float | None) -> float | None:
    if price is None or isinstance(price, bool) or not isinstance(price, (int, float)):
        return None
    return float(price) if math.isfinite(price) and price > 0 else None


def build_liq_map(
    symbol: str,
    venues: Sequence[VenueInput],
    bars: Sequence[PriceBar],
    params: LiqMapParams | None = None,
    price: float | None = None,
    price_ms: int | None = None,
) -> LiqMap:
    """The estimated liquidation map of ``symbol`` from every venue's history.

    ``bars`` should cover the OI history (any period; finer is better, 5m matches Binance's
    OI history). ``price``/``price_ms`` is the live price: levels it is already beyond are
    gone, and distances are measured from it. Raises ValueError only for a bad ``mmr_for``.
    """
    import numpy as np

    params = params or LiqMapParams()
    shared = clean_bars(bars)
    live = _valid_price(price)
    ref = live if live is not None else (float(shared.close[-1]) if not shared.empty else None)
    bucket = params.bucket_usd or (nice_bucket(ref) if ref is not None else 1.0)

    liq_parts: list[NDArray[np.float64]] = []
    usd_parts: list[NDArray[np.float64]] = []
    short_parts: list[NDArray[np.bool_]] = []
    used: list[str] = []
    steps_total = gaps = dropped = 0
    opened_total = opened_known = 0.0
    first_ms: int | None = None
    last_ms: int | None = None
    oi_usd: float | None = None
    dropped += shared.dropped
    for v in venues:
        vbars: Bars = shared if v.bars is None else clean_bars(v.bars)
        if v.bars is not None:
            dropped += vbars.dropped
        steps = align_steps(v.oi, v.taker, vbars, params.taker_weight, live)
        dropped += steps.dropped
        gaps += steps.gaps
        if steps.last_ts_ms is None:
            continue
        last_ms = steps.last_ts_ms if last_ms is None else max(last_ms, steps.last_ts_ms)
        if steps.first_ts_ms is not None:
            first_ms = steps.first_ts_ms if first_ms is None else min(first_ms, steps.first_ts_ms)
        if steps.last_oi_usd is not None:
            oi_usd = (oi_usd or 0.0) + steps.last_oi_usd
        priced = np.isfinite(steps.entry) & (steps.entry > 0)
        steps_total += int(priced.sum())
        used.append(v.venue)
        tiers = resolve_tiers(params, v.margin or venue_margin(v.venue))
        live_rows = priced & (steps.opened > 0)
        if not tiers or not live_rows.any():
            continue
        entry = steps.entry[live_rows]
        opened = steps.opened[live_rows]
        share = steps.long_share[live_rows]
        alive = opened * steps.survival[live_rows]
        low_after = steps.low_after[live_rows]
        high_after = steps.high_after[live_rows]
        opened_total += float(opened.sum())
        opened_known += float(opened[steps.share_known[live_rows]].sum())
        for tier in tiers:
            long_liq = entry * tier.long_factor
            keep = long_liq < low_after
            liq_parts.append(long_liq[keep])
            usd_parts.append((alive * share * tier.weight * long_liq)[keep])
            short_parts.append(np.zeros(int(keep.sum()), dtype=bool))
            short_liq = entry * tier.short_factor
            keep = short_liq > high_after
            liq_parts.append(short_liq[keep])
            usd_parts.append((alive * (1.0 - share) * tier.weight * short_liq)[keep])
            short_parts.append(np.ones(int(keep.sum()), dtype=bool))

    at_ms = last_ms
    if live is not None and price_ms is not None and (at_ms is None or price_ms > at_ms):
        at_ms = price_ms
    levels = (
        _bucket(liq_parts, usd_parts, short_parts, bucket, params.min_level_usd)
        if liq_parts and ref is not None
        else ()
    )
    return LiqMap(
        symbol=symbol,
        at_ms=at_ms,
        levels=levels,
        price=ref,
        bucket_usd=bucket,
        venues=tuple(used),
        from_ms=first_ms,
        steps=steps_total,
        taker_known=opened_known / opened_total if opened_total > 0 else None,
        gaps=gaps,
        dropped=dropped,
        oi_usd=oi_usd,
    )


def _round_edge(value: float, bucket: float) -> float:
    """Bucket edges without float noise (0.30000000000000004 → 0.3)."""
    digits = max(0, 12 - math.floor(math.log10(bucket))) if bucket < 1 else 10
    return round(value, min(digits, 15))


def _bucket(
    liq_parts: list[NDArray[np.float64]],
    usd_parts: list[NDArray[np.float64]],
    short_parts: list[NDArray[np.bool_]],
    bucket: float,
    min_usd: float,
) -> tuple[LiqLevel, ...]:
    """Sum the estimates into ``[k·bucket, (k+1)·bucket)`` per side; levels sorted by price."""
    import numpy as np

    liq = np.concatenate(liq_parts)
    usd = np.concatenate(usd_parts)
    short = np.concatenate(short_parts)
    with np.errstate(over="ignore", invalid="ignore"):
        index_f = np.floor(liq / bucket)
        ok = np.isfinite(usd) & (usd > 0) & np.isfinite(index_f) & (np.abs(index_f) < MAX_BUCKET_INDEX)
    index = index_f[ok].astype(np.int64)
    key = index * 2 + short[ok].astype(np.int64)
    keys, inverse = np.unique(key, return_inverse=True)
    sums = np.bincount(inverse, weights=usd[ok], minlength=len(keys))
    levels: list[LiqLevel] = []
    for k, total in zip(keys.tolist(), sums.tolist(), strict=True):
        if total < min_usd or not math.isfinite(total):
            continue
        i, is_short = divmod(k, 2)
        low = _round_edge(i * bucket, bucket)
        high = _round_edge((i + 1) * bucket, bucket)
        levels.append(LiqLevel(low, high, "short" if is_short else "long", total))
    return tuple(levels)
