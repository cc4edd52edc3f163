"""Estimated liquidation map: where leveraged positions opened over the last weeks would be
force-closed, from open-interest history, price bars and taker flow. Always an estimate.

Pure and headless: no IO, plain Python (no numpy: the dashboard never imports it). The model
and its limits are described in ``docs/liquidation-map.md``.

Entry points:

* :func:`build_liq_map` — the map of one symbol from each venue's :class:`VenueInput`;
* :func:`largest_clusters`, :func:`clusters_within`, :func:`clusters`, :func:`merge_levels` —
  questions about a map; :meth:`LiqMap.total_usd` — what is left;
* :func:`consume` — take out what the live price traded through since the last build;
* :func:`to_json` — the ``liquidation_map`` block of ``--once --json``.
"""

from crashtui.analysis.liqmap.build import VenueInput, build_liq_map
from crashtui.analysis.liqmap.inputs import (
    OiPoint,
    PriceBar,
    TakerFlow,
    bars_from_candles,
    oi_points_from_snapshots,
)
from crashtui.analysis.liqmap.live import consume
from crashtui.analysis.liqmap.params import (
    DEFAULT_TIERS,
    VENUE_MARGINS,
    LeverageTier,
    LiqMapParams,
    MmrFn,
    VenueMargin,
    flat_mmr,
    hyperliquid_margin,
    liq_factor,
    liq_price,
    mmr_by_leverage,
    venue_margin,
)
from crashtui.analysis.liqmap.query import (
    Cluster,
    clusters,
    clusters_within,
    largest_clusters,
    merge_levels,
    to_json,
)
from crashtui.analysis.liqmap.result import LiqLevel, LiqMap, distance_pct

__all__ = [
    "DEFAULT_TIERS",
    "VENUE_MARGINS",
    "Cluster",
    "LeverageTier",
    "LiqLevel",
    "LiqMap",
    "LiqMapParams",
    "MmrFn",
    "OiPoint",
    "PriceBar",
    "TakerFlow",
    "VenueInput",
    "VenueMargin",
    "bars_from_candles",
    "build_liq_map",
    "clusters",
    "clusters_within",
    "consume",
    "distance_pct",
    "flat_mmr",
    "hyperliquid_margin",
    "largest_clusters",
    "liq_factor",
    "liq_price",
    "merge_levels",
    "mmr_by_leverage",
    "oi_points_from_snapshots",
    "to_json",
    "venue_margin",
]
