"""Liquidation-stream parsing throughput: recorded frames → normalised Liquidations, one core.

Builds a realistic mix from the recorded fixture frames (Binance about half, as its
all-market stream is the busiest, then Bybit and OKX, plus a few pongs and acks), varying
times and sizes so nothing is cached, then times the real parsers (and parse + de-dup).
Target: at least 50,000 frames/s. Run: ``python benchmarks/bench_streams.py``.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable
from pathlib import Path

from crashtui.streams import binance, bybit, okx
from crashtui.streams.dedup import RecentKeys
from crashtui.streams.frames import ParsedFrame
from crashtui.streams.okx import OkxContract
from crashtui.symbols import DEFAULT_TABLE

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "fixtures"
TARGET_FRAMES_PER_S = 50_000.0
FRAME_COUNT = 50_000
ROUNDS = 5

Parser = Callable[[str], ParsedFrame]


def _lines(name: str) -> list[str]:
    return (FIXTURES / name).read_text(encoding="utf-8").splitlines()


def _binance_frames(rng: random.Random, count: int) -> list[str]:
    templates = [json.loads(line) for line in _lines("binance_futures_force_order_ws_real.jsonl")]
    out = []
    for i in range(count):
        message = json.loads(json.dumps(templates[i % len(templates)]))
        event = message.get("data", message)
        event["E"] += i
        event["o"]["T"] += i
        event["o"]["z"] = event["o"]["q"] = f"{rng.uniform(0.001, 50):.3f}"
        out.append(json.dumps(message, separators=(",", ":")))
    return out


def _bybit_frames(rng: random.Random, count: int) -> list[str]:
    templates = [json.loads(line) for line in _lines("bybit_all_liquidation_ws_real.jsonl")[:2]]
    out = []
    for i in range(count):
        message = json.loads(json.dumps(templates[i % len(templates)]))
        for item in message["data"]:
            item["T"] += i
            item["v"] = f"{rng.uniform(0.001, 50):.3f}"
        out.append(json.dumps(message, separators=(",", ":")))
    return out


def _okx_frames(rng: random.Random, count: int) -> list[str]:
    templates = [json.loads(line) for line in _lines("okx_liquidation_orders_ws_real.jsonl")]
    out = []
    for i in range(count):
        message = json.loads(json.dumps(templates[i % len(templates)]))
        detail = message["data"][0]["details"][0]
        detail["ts"] = str(int(detail["ts"]) + i)
        detail["sz"] = str(rng.randint(1, 5000))
        out.append(json.dumps(message, separators=(",", ":")))
    return out


def build_mix(count: int = FRAME_COUNT, seed: int = 1) -> list[tuple[Parser, str]]:
    """``count`` (parser, frame) pairs: 50% Binance, 25% Bybit, 24% OKX, 1% control frames."""
    rng = random.Random(seed)
    contracts = {
        "BTC-USDT-SWAP": OkxContract(0.01),
        "CELO-USDT-SWAP": OkxContract(10.0),
        "DYDX-USDT-SWAP": OkxContract(1.0),
    }
    binance_symbols = DEFAULT_TABLE.reverse("binance_futures")
    bybit_symbols = DEFAULT_TABLE.reverse("bybit")
    okx_symbols = DEFAULT_TABLE.reverse("okx")

    def parse_binance(frame: str) -> ParsedFrame:
        return binance.parse_binance_frame(frame, binance_symbols)

    def parse_bybit(frame: str) -> ParsedFrame:
        return bybit.parse_bybit_frame(frame, bybit_symbols)

    def parse_okx(frame: str) -> ParsedFrame:
        return okx.parse_okx_frame(frame, okx_symbols, contracts)

    n_binance, n_bybit, n_control = count // 2, count // 4, count // 100
    n_okx = count - n_binance - n_bybit - n_control
    mix: list[tuple[Parser, str]] = []
    mix += [(parse_binance, f) for f in _binance_frames(rng, n_binance)]
    mix += [(parse_bybit, f) for f in _bybit_frames(rng, n_bybit)]
    mix += [(parse_okx, f) for f in _okx_frames(rng, n_okx)]
    controls: list[tuple[Parser, str]] = [
        (parse_okx, "pong"),
        (parse_bybit, _lines("bybit_all_liquidation_ws_real.jsonl")[2]),
    ]
    mix += [controls[i % 2] for i in range(n_control)]
    rng.shuffle(mix)
    return mix


def _time_parse(mix: list[tuple[Parser, str]], dedup: bool) -> tuple[float, int]:
    keys = RecentKeys() if dedup else None
    liquidations = 0
    start = time.perf_counter()
    for parse, frame in mix:
        parsed = parse(frame)
        if keys is not None:
            liquidations += len(keys.fresh(parsed.liquidations))
        else:
            liquidations += len(parsed.liquidations)
    return time.perf_counter() - start, liquidations


def run(count: int = FRAME_COUNT, rounds: int = ROUNDS) -> dict[str, float]:
    """Best-of-``rounds`` throughput of parse and parse + de-dup over a ``count``-frame mix."""
    mix = build_mix(count)
    parse_s = min(_time_parse(mix, dedup=False)[0] for _ in range(rounds))
    dedup_runs = [_time_parse(mix, dedup=True) for _ in range(rounds)]
    dedup_s = min(elapsed for elapsed, _ in dedup_runs)
    liquidations = dedup_runs[0][1]
    return {
        "frames": float(len(mix)),
        "liquidations": float(liquidations),
        "parse_frames_per_s": len(mix) / parse_s,
        "parse_dedup_frames_per_s": len(mix) / dedup_s,
        "target_frames_per_s": TARGET_FRAMES_PER_S,
    }


def main() -> int:
    """Print the figures; exit 1 if parsing is below the target."""
    result = run()
    print(f"liquidation streams: {result['frames']:.0f} frames ({result['liquidations']:.0f} liquidations)")
    print(f"  parse + normalise:         {result['parse_frames_per_s']:>10,.0f} frames/s")
    print(f"  parse + normalise + dedup: {result['parse_dedup_frames_per_s']:>10,.0f} frames/s")
    print(f"  target:                    {TARGET_FRAMES_PER_S:>10,.0f} frames/s")
    return 0 if result["parse_dedup_frames_per_s"] >= TARGET_FRAMES_PER_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
