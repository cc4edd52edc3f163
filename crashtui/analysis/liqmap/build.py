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

A full rebuild over 30 days of 5-minute history is a few milliseconds of plain Python (no numpy:
the dashboard never imports it), so the map is recomputed from scratch rather than updated (no
state to drift); see ``benchmarks/bench_liqmap.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import compress, repeat
from operator import gt, lt, mul

from crashtui.analysis.liqmap.align import align_steps
from crashtui.analysis.liqmap.clean import Bars, clean_bars
from crashtui.analysis.liqmap.inputs import OiPoint, PriceBar, TakerFlow
from crashtui.analysis.liqmap.params import (
    LiqMapParams,
    VenueMargin,
    nice_bucket,
    resolve_tiers,
    venue_margin,
)
from crashtui.analysis.liqmap.result import LiqLevel, LiqMap
from crashtui.analysis.pairwise import pairwise_sum

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
    params = params or LiqMapParams()
    shared = clean_bars(bars)
    live = _valid_price(price)
    ref = live if live is not None else (shared.close[-1] if not shared.empty else None)
    bucket = params.bucket_usd or (nice_bucket(ref) if ref is not None else 1.0)

    parts: list[_Part] = []
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
        priced = [math.isfinite(e) and e > 0 for e in steps.entry]
        steps_total += sum(priced)
        used.append(v.venue)
        tiers = resolve_tiers(params, v.margin or venue_margin(v.venue))
        rows = [k for k, (ok, o) in enumerate(zip(priced, steps.opened, strict=True)) if ok and o > 0]
        if not tiers or not rows:
            continue
        entry = [steps.entry[k] for k in rows]
        opened = [steps.opened[k] for k in rows]
        share = [steps.long_share[k] for k in rows]
        alive = [steps.opened[k] * steps.survival[k] for k in rows]
        low_after = [steps.low_after[k] for k in rows]
        high_after = [steps.high_after[k] for k in rows]
        opened_total += pairwise_sum(opened)
        opened_known += pairwise_sum([steps.opened[k] for k in rows if steps.share_known[k]])
        for tier in tiers:
            parts.append(_side(entry, tier.long_factor, tier.weight, alive, share, low_after, short=False))
            parts.append(_side(entry, tier.short_factor, tier.weight, alive, share, high_after, short=True))

    at_ms = last_ms
    if live is not None and price_ms is not None and (at_ms is None or price_ms > at_ms):
        at_ms = price_ms
    levels = _bucket(parts, bucket, params.min_level_usd) if parts and ref is not None else ()
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


@dataclass(frozen=True, slots=True)
class _Part:
    """The estimates of one venue, tier and side still alive: liquidation prices and USD."""

    liq: list[float]
    usd: list[float]
    short: bool


def _side(
    entry: list[float],
    factor: float,
    weight: float,
    alive: list[float],
    share: list[float],
    extreme_after: list[float],
    *,
    short: bool,
) -> _Part:
    """One tier's longs (``short`` False) or shorts at ``entry × factor``, less those the price
    path after entry has gone through (``extreme_after``: the lowest low, or the highest high)."""
    liq = list(map(mul, entry, repeat(factor)))
    keep = list(compress(range(len(liq)), map(gt if short else lt, liq, extreme_after)))
    if short:
        usd = [alive[i] * (1.0 - share[i]) * weight * liq[i] for i in keep]
    else:
        usd = [alive[i] * share[i] * weight * liq[i] for i in keep]
    return _Part(list(map(liq.__getitem__, keep)), usd, short)


def _bucket(parts: list[_Part], bucket: float, min_usd: float) -> tuple[LiqLevel, ...]:
    """Sum the estimates into ``[k·bucket, (k+1)·bucket)`` per side; levels sorted by price.

    Each bucket's sum adds its estimates in the order given (as ``np.bincount`` did).
    """
    sums: dict[int, float] = {}
    isf = math.isfinite
    for part in parts:
        side = int(part.short)
        for liq, usd in zip(part.liq, part.usd, strict=True):
            index_f = liq / bucket
            if not (isf(usd) and usd > 0 and isf(index_f)):
                continue
            index = math.floor(index_f)
            if abs(index) < MAX_BUCKET_INDEX:
                key = index * 2 + side
                sums[key] = sums.get(key, 0.0) + usd
    levels: list[LiqLevel] = []
    for k in sorted(sums):
        total = sums[k]
        if total < min_usd or not math.isfinite(total):
            continue
        i, is_short = divmod(k, 2)
        low = _round_edge(i * bucket, bucket)
        high = _round_edge((i + 1) * bucket, bucket)
        levels.append(LiqLevel(low, high, "short" if is_short else "long", total))
    return tuple(levels)
