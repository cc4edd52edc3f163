"""Keep a built map current between rebuilds: take out what the live price has traded through.

A rebuild (:func:`~crashtui.analysis.liqmap.build.build_liq_map`) costs ~10 ms per symbol and
venue on 30 days of 5-minute history and only has new information when an OI point or a bar
arrives. Between rebuilds, :func:`consume` applies the live price range in microseconds: a long
level goes once the low since the rebuild reaches it, a short level once the high does. A bucket
the price only reached into is cut by the share of its width that was crossed (the estimates are
taken as spread evenly across a bucket, which is as fine as the map knows them) and narrowed to
the part not yet reached, so applying the same range again changes nothing.
"""

from __future__ import annotations

import dataclasses
import math

from crashtui.analysis.liqmap.result import LiqLevel, LiqMap


def consume(
    m: LiqMap, low: float, high: float, price: float | None = None, at_ms: int | None = None
) -> LiqMap:
    """``m`` with every estimate at or beyond the traded range ``[low, high]`` removed.

    Pass the lowest and highest price seen since ``m`` was built (running extremes, so calling
    again with the same or a wider range is harmless). ``price``/``at_ms`` update the map's
    reference price and time. Non-finite or non-positive bounds are ignored.
    """
    lo = low if math.isfinite(low) and low > 0 else math.inf
    hi = high if math.isfinite(high) and high > 0 else -math.inf
    kept: list[LiqLevel] = []
    for lv in m.levels:
        width = lv.high - lv.low
        if lv.side == "long":
            if lo <= lv.low:
                continue
            if lo < lv.high:
                lv = LiqLevel(lv.low, lo, lv.side, lv.est_usd * (lo - lv.low) / width)
        else:
            if hi >= lv.high:
                continue
            if hi >= lv.low:
                lv = LiqLevel(hi, lv.high, lv.side, lv.est_usd * (lv.high - hi) / width)
        kept.append(lv)
    new_price = price if price is not None and math.isfinite(price) and price > 0 else m.price
    new_at = at_ms if at_ms is not None and (m.at_ms is None or at_ms > m.at_ms) else m.at_ms
    return dataclasses.replace(m, levels=tuple(kept), price=new_price, at_ms=new_at)
