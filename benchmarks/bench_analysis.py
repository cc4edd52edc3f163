"""Benchmark the analysis layer: zones on a year of hourly candles, liquidation tally per event.

Run: ``python benchmarks/bench_analysis.py``. :func:`run` returns the figures for ``benchmarks/run.py``.
The candles are synthetic but shaped like a real year: volatility clustering, volume that rises
with the size of the move, and a crash in the last days.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crashtui.analysis.liquidations import LiquidationTally
from crashtui.analysis.zones import find_zones
from crashtui.config.schema import CascadeParams, ZoneParams
from crashtui.model import Candle, Interval, Liquidation, Side

HOUR_MS = 3_600_000
START_MS = 1_738_800_000_000 - 1_738_800_000_000 % 86_400_000  # a UTC midnight in Feb 2025


def synthetic_year(
    seed: int = 7, hours: int = 8760, price: float = 3200.0
) -> tuple[list[Candle], list[Candle]]:
    """(hourly, daily) candles for one symbol: GARCH-like returns, volume tied to |return|."""
    rng = random.Random(seed)
    hourly: list[Candle] = []
    var = 0.006**2
    last = price
    for h in range(hours):
        crash = h > hours - 48
        pull = 0.002 * math.log(price / last)  # mean-reverts to the start price over months
        shock = rng.gauss(0.0, 1.0) * math.sqrt(var) + pull - (0.003 if crash else 0.0)
        var = 0.0000007 + 0.08 * shock**2 + 0.9 * var
        open_ = last
        close = open_ * math.exp(shock)
        wick = abs(rng.gauss(0.0, math.sqrt(var))) * open_
        high = max(open_, close) + wick * rng.random()
        low = min(open_, close) - wick * rng.random()
        volume = 1000.0 * (1.0 + 150.0 * abs(shock)) * rng.uniform(0.6, 1.4)
        open_ms = START_MS + h * HOUR_MS
        hourly.append(Candle("ETH", Interval.H1, open_ms, open_, high, low, close, volume, "synthetic"))
        last = close
    daily = []
    for d in range(hours // 24):
        day = hourly[d * 24 : (d + 1) * 24]
        daily.append(
            Candle(
                "ETH",
                Interval.D1,
                day[0].open_ms,
                day[0].open,
                max(c.high for c in day),
                min(c.low for c in day),
                day[-1].close,
                sum(c.volume for c in day),
                "synthetic",
            )
        )
    return hourly, daily


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(times)


def bench_zones(runs: int = 15) -> float:
    """Median ms for ``find_zones`` on 8,760 hourly + 365 daily candles."""
    hourly, daily = synthetic_year()
    price = hourly[-1].close
    params = ZoneParams()
    find_zones("ETH", price, daily, hourly, (price * 0.97,), params)  # warm-up
    return _median_ms(lambda: find_zones("ETH", price, daily, hourly, (price * 0.97,), params), runs)


def synthetic_liquidations(n: int, seed: int = 3) -> list[Liquidation]:
    """``n`` liquidations over about three days, a few seconds out of order now and then."""
    rng = random.Random(seed)
    venues = ("binance", "bybit", "okx")
    symbols = ("BTC", "ETH", "SOL", "XRP")
    out = []
    ts = START_MS
    for _ in range(n):
        ts += rng.randint(0, 4000)
        jitter = -rng.randint(0, 5000) if rng.random() < 0.05 else 0
        side = Side.LONG if rng.random() < 0.7 else Side.SHORT
        notional = rng.lognormvariate(8.5, 1.6)
        venue, symbol = rng.choice(venues), rng.choice(symbols)
        out.append(Liquidation(venue, symbol, side, 100.0, notional / 100.0, notional, ts + jitter))
    return out


def bench_tally(n: int = 200_000, runs: int = 5) -> float:
    """Median µs per event for ``LiquidationTally.add`` (including window expiry and cascades)."""
    events = synthetic_liquidations(n)

    def feed() -> None:
        tally = LiquidationTally(CascadeParams())
        for e in events:
            tally.add(e)

    return _median_ms(feed, runs) * 1000.0 / n


def bench_tally_stats(runs: int = 50) -> float:
    """Median ms for one ``LiquidationTally.stats`` call after three days of events."""
    tally = LiquidationTally(CascadeParams())
    for e in synthetic_liquidations(60_000):
        tally.add(e)
    return _median_ms(lambda: tally.stats(frozenset({"binance"})), runs)


def run() -> dict[str, float]:
    """All analysis figures: zones ms per symbol, tally µs per event, tally stats ms."""
    return {
        "zones_ms_per_symbol_8760h": round(bench_zones(), 3),
        "tally_us_per_event": round(bench_tally(), 3),
        "tally_stats_ms": round(bench_tally_stats(), 3),
    }


def main() -> None:
    """Print the figures, one per line."""
    for name, value in run().items():
        print(f"{name}: {value}")


if __name__ == "__main__":
    main()
