"""Build the bundled ``feb-2026`` recording: ``python -m tools.scenario_feb2026.build [OUT]``.

Deterministic: the same inputs give the same bytes (a test checks the bundled file).
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from crashtui.model import RawPayload
from crashtui.replay.recording import RecordingHeader, write_recording

from . import encode
from .reconstruct import DAY_MS, FIRST_DAY, LAST_DAY, SEED, build_market, day_ms, worst_rolling_24h

OUT = Path(__file__).resolve().parents[2] / "crashtui" / "scenarios" / "feb-2026.jsonl.gz"
NOTE = (
    "SCENARIO, not live data: the Feb-2026 sell-off with real daily prices (BTC and ETH daily OHLC), "
    "real Fear & Greed, Nasdaq and jobless claims, and reconstructed intraday paths, liquidation orders, "
    "per-fund ETF days, funding, order books and borrow rates (deterministic, seed "
    f"{SEED}). See tools/scenario_feb2026/ for sources and method."
)
HEADER = RecordingHeader(
    created_ms=day_ms(LAST_DAY) + DAY_MS,
    label="feb-2026",
    scenario=True,
    note=NOTE,
    watchlist=("BTC", "ETH"),
    pinned_zones={"BTC": (60000.0,), "ETH": (1796.0, 1826.0)},
    start_ms=day_ms(FIRST_DAY),
    end_ms=day_ms(LAST_DAY) + DAY_MS,
)


def payloads() -> list[RawPayload]:
    """Every payload of the scenario."""
    market = build_market()
    worst, _ = worst_rolling_24h(market.liquidations)
    if not 2.45e9 <= worst <= 2.8e9:
        raise SystemExit(f"reconstruction drifted: worst 24 h liquidations {worst / 1e9:.2f}B")
    rng = random.Random(SEED + 1)
    out: list[RawPayload] = []
    out.extend(encode.candle_payloads(market))
    out.extend(encode.ticker_payloads(market))
    out.extend(encode.derivative_payloads(market, rng))
    out.extend(encode.book_payloads(market, rng))
    out.extend(encode.liquidation_payloads(market))
    out.extend(encode.etf_payloads(market))
    out.extend(encode.fear_payloads(market))
    out.extend(encode.macro_payloads(market))
    out.extend(encode.borrow_payloads(market))
    # Time order (ties by source) so a replay can stream the file instead of holding it.
    end = HEADER.end_ms or 0
    out = [p for p in out if p.received_ms <= end]  # e.g. claims released after the window
    out.sort(key=lambda p: (p.received_ms, p.source, p.endpoint))
    return out


def main(argv: list[str]) -> int:
    """Write the recording to OUT (default: the bundled path)."""
    out = Path(argv[0]) if argv else OUT
    count = write_recording(out, HEADER, payloads())
    print(f"wrote {count} payloads to {out} ({out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
