"""Peak RSS of a loaded dashboard: a 10-symbol watchlist with the candle history the store
keeps (90 days of 1h and 4h candles, 800 daily) and 24 h of busy-market liquidations in memory,
plus the Textual app's modules and one analysis pass.

Run: ``python benchmarks/bench_memory.py``. :func:`run` measures in a fresh subprocess (so
nothing else this process imported counts) and returns the figures for ``benchmarks/run.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SYMBOLS = ("BTC", "ETH", "SOL", "XRP", "BNB", "DOGE", "ADA", "AVAX", "LINK", "LTC")
LIQUIDATIONS_PER_S = 5.0  # a busy 24 h: 432,000 orders through the tally and the de-dup memory

_CHILD = r"""
import json, random, sys, time
sys.path.insert(0, sys.argv[1])
import crashtui.ui.app  # the dashboard's modules (Textual, Rich, plotext on first chart)
import textual_plotext
from crashtui.config.schema import Config
from crashtui.assemble import EngineOptions, build_engine
from crashtui.engine import Engine
from crashtui.events import DataEvent
from crashtui.model import Candle, Interval, Liquidation, Side, Ticker
symbols = tuple(sys.argv[2].split(","))
rate = float(sys.argv[3])
rng = random.Random(1)
now = 1_770_336_000_000
from crashtui.clock import FakeClock
engine = build_engine(Config(), symbols, EngineOptions(streams=False), clock=FakeClock(now))
for s in symbols:
    price = rng.uniform(1, 60000)
    for interval, count in ((Interval.H1, 2160), (Interval.H4, 540), (Interval.D1, 800)):
        items = []
        for i in range(count):
            o = now - (count - i) * interval.ms
            items.append(Candle(s, interval, o, price, price * 1.01, price * 0.99, price, 1000.0, "binance"))
        engine.sink(DataEvent("binance", "candles", tuple(items), now))
    engine.sink(DataEvent("binance", "prices", (Ticker(s, price, -5.0, now, "binance"),), now))
n = int(rate * 86_400)
venues = ("binance", "bybit", "okx")
batch = []
for i in range(n):
    ts = now - 86_400_000 + int(i * 86_400_000 / n)
    s = symbols[i % len(symbols)]
    side = Side.LONG if i % 5 else Side.SHORT
    batch.append(Liquidation(venues[i % 3], s, side, 100.0, 1.0 + i % 7, 100.0 * (1 + i % 7), ts))
    if len(batch) == 1000:
        engine.sink(DataEvent("bybit_liq", "liquidations", tuple(batch), ts))
        batch = []
start = time.perf_counter()
analysis = engine.analysis()
elapsed = time.perf_counter() - start
# VmHWM belongs to this process image; ru_maxrss survives exec and can report the parent's peak.
peak_kib = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(json.dumps({"peak_rss_mib": peak_kib / 1024, "liquidations": n, "analysis_ms": elapsed * 1000,
                  "zones": sum(len(a.zones.zones) for a in analysis.symbols if a.zones)}))
"""


def run(rate: float = LIQUIDATIONS_PER_S) -> dict[str, float]:
    """Peak RSS (MiB) of the loaded state in a fresh interpreter, and the analysis time."""
    out = subprocess.run(
        [sys.executable, "-c", _CHILD, str(ROOT), ",".join(SYMBOLS), str(rate)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    """Print the figures."""
    for key, value in run().items():
        print(f"{key}: {value:,.1f}")


if __name__ == "__main__":
    main()
