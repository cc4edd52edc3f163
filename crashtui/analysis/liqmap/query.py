"""Questions a trader asks of a liquidation map: where are the big clusters, how far, how much.

A *cluster* is the densest band of one side's levels no wider than ``width_pct`` of price,
picked greedily (largest first, never overlapping), so a wall spread over several buckets
counts as one. Long liquidations sit below price and short ones above, once the map has been
consumed against that price; the helpers take ``price`` to measure against a newer one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from crashtui.analysis.liqmap.params import Side
from crashtui.analysis.liqmap.result import LiqLevel, LiqMap, distance_pct
from crashtui.timeparse import iso_utc

DEFAULT_CLUSTER_PCT = 0.5


@dataclass(frozen=True, slots=True)
class Cluster:
    """A band of one side's estimated liquidations; ``distance_pct`` is from the price asked."""

    low: float
    high: float
    side: Side
    est_usd: float
    distance_pct: float


def merge_levels(levels: Iterable[LiqLevel], width: float) -> tuple[LiqLevel, ...]:
    """Re-bucket ``levels`` into ``[k·width, (k+1)·width)`` per side (for a coarser display).

    ``width`` should be a multiple of the map's bucket, else a level is counted in the bucket
    holding its low edge.
    """
    if not (math.isfinite(width) and width > 0):
        raise ValueError(f"width must be a positive number, got {width!r}")
    sums: dict[tuple[int, Side], float] = {}
    for lv in levels:
        key = (math.floor(lv.low / width + 1e-9), lv.side)
        sums[key] = sums.get(key, 0.0) + lv.est_usd
    return tuple(
        LiqLevel(round(k * width, 10), round((k + 1) * width, 10), side, usd)
        for (k, side), usd in sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1] == "short"))
    )


def _reference(m: LiqMap, price: float | None) -> float | None:
    p = price if price is not None else m.price
    return p if p is not None and math.isfinite(p) and p > 0 else None


def clusters(
    m: LiqMap,
    side: Side,
    price: float | None = None,
    width_pct: float = DEFAULT_CLUSTER_PCT,
    limit: int | None = None,
    levels: Sequence[LiqLevel] | None = None,
) -> list[Cluster]:
    """``side``'s clusters, largest first (at most ``limit``); empty without a price."""
    ref = _reference(m, price)
    if ref is None:
        return []
    width = max(ref * width_pct / 100.0, m.bucket_usd)
    rows = sorted((lv for lv in (m.levels if levels is None else levels) if lv.side == side),
                  key=lambda lv: lv.low)  # fmt: skip
    used = [False] * len(rows)
    out: list[Cluster] = []
    while limit is None or len(out) < limit:
        best: tuple[float, int, int] | None = None  # usd, first, last (inclusive)
        j = 0
        total = 0.0
        for i, lv in enumerate(rows):
            if used[i]:
                j, total = i + 1, 0.0
                continue
            total += lv.est_usd
            while j < i and rows[j].low < lv.high - width - 1e-9 * width:
                total -= rows[j].est_usd
                j += 1
            if best is None or total > best[0] + 1e-9:
                best = (total, j, i)
        if best is None or best[0] <= 0:
            break
        usd, first, last = best
        for k in range(first, last + 1):
            used[k] = True
        low, high = rows[first].low, rows[last].high
        out.append(Cluster(low, high, side, usd, distance_pct(low, high, ref)))
    return out


def largest_clusters(
    m: LiqMap, n: int = 3, price: float | None = None, width_pct: float = DEFAULT_CLUSTER_PCT
) -> tuple[list[Cluster], list[Cluster]]:
    """(above, below): the ``n`` largest short clusters above price and long clusters below it."""
    ref = _reference(m, price)
    if ref is None:
        return [], []
    above = [lv for lv in m.levels if lv.side == "short" and lv.high > ref]
    below = [lv for lv in m.levels if lv.side == "long" and lv.low < ref]
    return (
        clusters(m, "short", ref, width_pct, limit=n, levels=above),
        clusters(m, "long", ref, width_pct, limit=n, levels=below),
    )


def clusters_within(
    m: LiqMap,
    within_pct: float,
    min_usd: float = 0.0,
    price: float | None = None,
    width_pct: float = DEFAULT_CLUSTER_PCT,
) -> list[Cluster]:
    """Clusters of at least ``min_usd`` whose nearer edge is within ``within_pct`` % of price.

    For the alert "price is near a large estimated cluster"; nearest first.
    """
    ref = _reference(m, price)
    if ref is None or not within_pct >= 0:
        return []
    reach = (within_pct + width_pct) / 100.0 * ref
    near = [lv for lv in m.levels if lv.low <= ref + reach and lv.high >= ref - reach]
    found = [
        c
        for side in ("long", "short")
        for c in clusters(m, side, ref, width_pct, levels=near)
        if c.est_usd >= min_usd and abs(c.distance_pct) <= within_pct
    ]
    return sorted(found, key=lambda c: abs(c.distance_pct))


def _round(x: float, digits: int) -> float:
    return round(x, digits) if math.isfinite(x) else x


def to_json(maps: Iterable[LiqMap]) -> dict[str, Any]:
    """``{SYMBOL: {levels: [{low, high, side, est_usd, distance_pct}], estimate: true, at, …}}``.

    ``at``/``from`` are ISO-8601 UTC strings (null when unknown); ``distance_pct`` is null when
    the map has no price. See ``docs/liquidation-map.md`` for every key.
    """
    out: dict[str, Any] = {}
    for m in maps:
        price = m.price
        out[m.symbol] = {
            "levels": [
                {
                    "low": lv.low,
                    "high": lv.high,
                    "side": lv.side,
                    "est_usd": _round(lv.est_usd, 2),
                    "distance_pct": None if price is None else _round(lv.distance_pct(price), 3),
                }
                for lv in m.levels
            ],
            "estimate": True,
            "at": None if m.at_ms is None else iso_utc(m.at_ms),
            "price": price,
            "bucket_usd": m.bucket_usd,
            "total_long_usd": _round(m.total_usd("long"), 2),
            "total_short_usd": _round(m.total_usd("short"), 2),
            "oi_usd": m.oi_usd,
            "venues": list(m.venues),
            "from": None if m.from_ms is None else iso_utc(m.from_ms),
            "taker_known": None if m.taker_known is None else _round(m.taker_known, 4),
        }
    return out
