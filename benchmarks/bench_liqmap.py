"""Benchmark the estimated liquidation map on 30 days of 5-minute history (8,640 OI steps).

Run: ``python benchmarks/bench_liqmap.py``. :func:`run` returns the figures for ``benchmarks/run.py``.

The history is synthetic but shaped like a month of BTC: GARCH-like 5-minute returns with a
sell-off in the last two days, open interest that builds on rallies and drops in the sell-off,
and taker buy shares that lean with the move. Besides the full rebuild (what a dashboard would
run every few seconds) it times the step that lines OI up with bars and taker rows three ways
— the model's own (plain Python with bisection-free merges and running sums, bit for bit the
numpy version it replaced), a pandas version (``merge_asof`` + grouped VWAP) and a bare
two-pointer loop that skips the cleaning — because the issue asked for pandas only where it
is the right tool.
"""

from __future__ import annotations

import itertools
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crashtui.analysis.liqmap import (
    LiqMap,
    LiqMapParams,
    OiPoint,
    PriceBar,
    TakerFlow,
    VenueInput,
    build_liq_map,
    clusters_within,
    largest_clusters,
    to_json,
)
from crashtui.analysis.liqmap.align import align_steps, clean_bars

FIVE_MIN = 300_000
HOUR = 3_600_000
START_MS = 1_767_225_600_000  # 2026-01-01 00:00Z
STEPS = 30 * 288  # 30 days of 5-minute steps


def synthetic_month(seed: int = 11, steps: int = STEPS, price: float = 90_000.0) -> tuple[
    list[PriceBar], list[OiPoint], list[TakerFlow]
]:  # fmt: skip
    """(5m bars, 5m OI points, 5m taker rows) for one symbol on one venue."""
    rng = random.Random(seed)
    bars: list[PriceBar] = []
    points: list[OiPoint] = []
    flows: list[TakerFlow] = []
    var = 0.0015**2
    last = price
    coins = 80_000.0
    for i in range(steps + 1):
        ts = START_MS + i * FIVE_MIN
        points.append(OiPoint(ts, coins * last, FIVE_MIN, coins))
        if i == steps:
            break
        crash = i > steps - 576
        shock = rng.gauss(0.0, 1.0) * math.sqrt(var) - (0.0004 if crash else 0.0)
        var = 0.0000002 + 0.06 * shock**2 + 0.92 * var
        close = last * math.exp(shock)
        wick = abs(rng.gauss(0.0, math.sqrt(var))) * last
        high = max(last, close) + wick * rng.random()
        low = min(last, close) - wick * rng.random()
        bars.append(PriceBar(ts, FIVE_MIN, high, low, close, 100.0 * (1 + 200 * abs(shock))))
        share = min(0.95, max(0.05, 0.5 + 40 * shock + rng.gauss(0, 0.05)))
        volume = 500.0 * (1 + 200 * abs(shock))
        flows.append(TakerFlow(ts, volume * share, volume * (1 - share)))
        change = 0.001 * rng.gauss(0.05, 1.0) + (0.5 * shock if shock < 0 and crash else 0.0)
        coins = max(1.0, coins * (1 + change))
        last = close
    return bars, points, flows


def hourly(bars: list[PriceBar]) -> list[PriceBar]:
    """The 5-minute bars rolled up into hourly ones."""
    out = []
    for k in range(0, len(bars), 12):
        chunk = bars[k : k + 12]
        out.append(PriceBar(chunk[0].open_ms, HOUR, max(b.high for b in chunk), min(b.low for b in chunk),
                            chunk[-1].close, sum(b.volume for b in chunk)))  # fmt: skip
    return out


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def align_pandas(bars: list[PriceBar], points: list[OiPoint], flows: list[TakerFlow]) -> tuple[
    list[float], list[float]
]:  # fmt: skip
    """Entry VWAP and taker buy share per OI step, the pandas way (for comparison only)."""
    import pandas as pd

    b = pd.DataFrame({"open_ms": [x.open_ms for x in bars], "high": [x.high for x in bars],
                      "low": [x.low for x in bars], "close": [x.close for x in bars],
                      "volume": [x.volume for x in bars]})  # fmt: skip
    o = pd.DataFrame({"ts": [p.ts_ms for p in points]}).sort_values("ts")
    t = pd.DataFrame({"ts": [f.ts_ms for f in flows], "buy": [f.buy for f in flows],
                      "sell": [f.sell for f in flows]})  # fmt: skip
    steps = pd.DataFrame({"t0": o["ts"].to_numpy()[:-1], "t1": o["ts"].to_numpy()[1:]})
    steps["step"] = range(len(steps))
    b["pv"] = (b["high"] + b["low"] + b["close"]) / 3 * b["volume"]
    tagged = pd.merge_asof(b.sort_values("open_ms"), steps, left_on="open_ms", right_on="t0")
    tagged = tagged[tagged["open_ms"] < tagged["t1"]]
    g = tagged.groupby("step")[["pv", "volume"]].sum()
    entry = (g["pv"] / g["volume"]).reindex(steps["step"])
    tt = pd.merge_asof(t.sort_values("ts"), steps, left_on="ts", right_on="t0")
    tt = tt[tt["ts"] < tt["t1"]]
    gt = tt.groupby("step")[["buy", "sell"]].sum()
    share = (gt["buy"] / (gt["buy"] + gt["sell"])).reindex(steps["step"]).fillna(0.5)
    return entry.tolist(), share.tolist()


def align_python(bars: list[PriceBar], points: list[OiPoint], flows: list[TakerFlow]) -> tuple[
    list[float], list[float], list[float], list[float]
]:  # fmt: skip
    """Entry, taker share, survival and lowest low after each step, plain Python (comparison only)."""
    pts = sorted(points, key=lambda p: p.ts_ms)
    bs = sorted(bars, key=lambda x: x.open_ms)
    fs = sorted(flows, key=lambda x: x.ts_ms)
    entry: list[float] = []
    share: list[float] = []
    i = j = 0
    for a, b in itertools.pairwise(pts):
        t0, t1 = a.ts_ms, b.ts_ms
        pv = vol = 0.0
        while i < len(bs) and bs[i].open_ms < t1:
            if bs[i].open_ms >= t0:
                bar = bs[i]
                pv += (bar.high + bar.low + bar.close) / 3 * bar.volume
                vol += bar.volume
            i += 1
        entry.append(pv / vol if vol > 0 else math.nan)
        buy = sell = 0.0
        while j < len(fs) and fs[j].ts_ms < t1:
            if fs[j].ts_ms >= t0:
                buy += fs[j].buy
                sell += fs[j].sell
            j += 1
        share.append(buy / (buy + sell) if buy + sell > 0 else 0.5)
    survival = [1.0] * len(entry)
    low_after = [math.inf] * len(entry)
    running, lowest, k = 1.0, math.inf, len(bs) - 1
    for s in range(len(entry) - 1, -1, -1):
        survival[s] = running
        before, after = pts[s].oi_base or 0.0, pts[s + 1].oi_base or 0.0
        if after < before:
            running *= after / before
        while k >= 0 and bs[k].open_ms >= pts[s + 1].ts_ms:
            lowest = min(lowest, bs[k].low)
            k -= 1
        low_after[s] = lowest
    return entry, share, survival, low_after


def run(runs: int = 15) -> dict[str, float]:
    """Figures in ms: full rebuilds (1 and 3 venues, 5m and 1h bars), alignment three ways, queries."""
    bars, points, flows = synthetic_month()
    bars_1h = hourly(bars)
    price = bars[-1].close
    params = LiqMapParams()
    one = [VenueInput("binance", tuple(points), tuple(flows))]
    three = [VenueInput(v, tuple(points), tuple(flows)) for v in ("binance", "bybit", "okx")]
    m: LiqMap = build_liq_map("BTC", one, bars, params, price=price)  # warm-up
    import pandas  # noqa: F401  (import cost is not what is compared)

    def rebuild(venues: list[VenueInput], bars_in: list[PriceBar]) -> Callable[[], object]:
        return lambda: build_liq_map("BTC", venues, bars_in, params, price=price)

    def align_model() -> object:
        return align_steps(points, flows, clean_bars(bars), 1.0, price)

    figures = {
        "build_ms_1_venue_5m_bars": _median_ms(rebuild(one, bars), runs),
        "build_ms_3_venues_5m_bars": _median_ms(rebuild(three, bars), runs),
        "build_ms_1_venue_1h_bars": _median_ms(rebuild(one, bars_1h), runs),
        "align_ms_model": _median_ms(align_model, runs),
        "align_ms_pandas": _median_ms(lambda: align_pandas(bars, points, flows), runs),
        "align_ms_python": _median_ms(lambda: align_python(bars, points, flows), runs),
        "queries_ms": _median_ms(lambda: (largest_clusters(m, 3), clusters_within(m, 2.0, 1e6)), runs),
        "to_json_ms": _median_ms(lambda: to_json([m]), runs),
        "levels": float(len(m.levels)),
        "steps": float(m.steps),
    }
    return {k: round(v, 3) for k, v in figures.items()}


def main() -> None:
    """Print the figures, one per line."""
    for name, value in run().items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
