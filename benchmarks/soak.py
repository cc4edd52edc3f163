"""Soak: a live engine on the fault server with faults cycling, plus repeated replays; RSS must stay flat.

    python benchmarks/soak.py                       # 10 minutes, report on stdout
    python benchmarks/soak.py --duration 3600       # an hour
    python benchmarks/soak.py --duration 25 --warmup 12 --fault-every 1 --replay-every 4 --json  # CI

The fault server runs in its own process (benchmarks/fault_server.py, faults switched over its
stdin) so only crashtui's memory is measured here. This process runs one live Engine (every
REST source polled every 0.2-1 s, order books and borrow rates at their real 15 s and 60 s;
the three liquidation streams pushing 10 orders a second in all; the SQLite store on) while
every ``--fault-every`` seconds the next fault of a fixed cycle hits a source or a stream;
every ``--replay-every`` seconds a week of the bundled feb-2026 scenario is replayed through
a fresh Engine, and every second the analysis, the ``--once`` JSON document and text summary
are rebuilt, as the dashboard and scripts would.

RSS comes from /proc/self/statm (resource.getrusage's peak RSS elsewhere), sampled twice a
second after a garbage collection. Growth compares the median RSS of the window right after
the warm-up (state windows, caches and the allocator fill up first) with the median of an
equally long window at the end. Target: under 10%.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import itertools
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FAULT_SERVER = ROOT / "benchmarks" / "fault_server.py"
TARGET_GROWTH = 0.10
REST_FAULTS = ("5xx", "429", "hang", "truncated", "types", "absurd", "jump", "html", "cut", "missing", "slow")
WS_FAULTS = ("garbage", "storm", "nopong", "absurd")
REST_VICTIMS = ("binance", "coinbase", "binance_futures", "bybit", "farside", "alternative_me", "defillama")
WS_VICTIMS = ("binance_liq", "bybit_liq", "okx_liq")
WARMUP_TOUR = (("binance",), ("binance", "coinbase"), ("binance", "coinbase", "kraken"), ())
_PORTS = re.compile(r"http 127\.0\.0\.1:(\d+), ws 127\.0\.0\.1:(\d+)")


def rss_bytes() -> int:
    """Current resident set size of this process."""
    try:
        with open("/proc/self/statm", encoding="ascii") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:  # not Linux: the peak is the best we have
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return peak if sys.platform == "darwin" else peak * 1024


@dataclass
class SoakResult:
    """What a soak did and how memory behaved (bytes, seconds)."""

    duration_s: float
    warmup_s: float
    rss_start: int = 0
    rss_after_warmup: int = 0
    rss_final: int = 0
    rss_end: int = 0
    rss_peak: int = 0
    growth: float = 0.0
    faults_applied: int = 0
    replays: int = 0
    analyses: int = 0
    liquidations: int = 0
    sources_ok_at_end: int = 0
    samples: list[tuple[float, int]] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        """Whether RSS growth after warm-up stayed under the target."""
        return self.growth < TARGET_GROWTH


class FaultServerProcess:
    """benchmarks/fault_server.py in a subprocess, commanded over its stdin."""

    def __init__(self, ws_interval_s: float) -> None:
        command = [sys.executable, str(FAULT_SERVER), "--port", "0", "--ws-port", "0", "--quiet"]
        command += ["--ws-interval", str(ws_interval_s), "--retry-after", "2", "--slow", "0.2"]
        self.proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        first = self.proc.stdout.readline()
        match = _PORTS.search(first)
        if match is None:
            self.stop()
            raise RuntimeError(f"fault server did not start: {first!r}")
        self.http_port, self.ws_port = int(match[1]), int(match[2])

    def command(self, line: str) -> None:
        """Send one stdin command (``binance 5xx``, ``clear``…)."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def stop(self) -> None:
        """Terminate the server."""
        self.proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)
        if self.proc.poll() is None:
            self.proc.kill()


def soak_config(server: FaultServerProcess, store_dir: Path) -> Any:
    """A validated config with every source on the fault server and fast polling."""
    from crashtui.catalog import KINDS, SOURCES
    from crashtui.config.parse import parse_config
    from crashtui.themes import theme_names

    sources = {
        name: {
            "base_url": f"ws://127.0.0.1:{server.ws_port}/{name}"
            if info.stream
            else f"http://127.0.0.1:{server.http_port}/{name}"
        }
        for name, info in SOURCES.items()
    }
    # Fast everywhere, except the kinds whose state keeps a reading history (order-book stress:
    # 12 h of 15 s readings; borrow rates): polled fast they would fill their (bounded) history
    # windows during the measurement and read as growth.
    polling = {kind: 0.2 if kind == "prices" else 1.0 for kind in KINDS} | {"depth": 15.0, "borrow": 60.0}
    data = {
        "sources": sources,
        "polling": polling,
        "net": {"connect_timeout_s": 1.0, "read_timeout_s": 0.5, "max_body_mb": 2.0},
        "store": {"path": str(store_dir / "history.sqlite3")},
    }
    return parse_config(data, "(soak)", themes=tuple(theme_names()), env={})


SLICE_UNTIL_MS = 1_768_953_600_000  # 2026-01-21T00:00Z: the scenario's first week


def write_slice(directory: Path) -> Path:
    """The first week of the bundled feb-2026 scenario as its own recording (written once)."""
    from dataclasses import replace

    from crashtui.replay.locate import locate_recording
    from crashtui.replay.recording import read_recording, write_recording

    header, payloads = read_recording(locate_recording("feb-2026"))
    path = directory / "feb-2026-week1.jsonl.gz"
    write_recording(
        path,
        replace(header, label="feb-2026 week 1"),
        [p for p in payloads if p.received_ms <= SLICE_UNTIL_MS],
    )
    return path


def replay_slice(path: Path) -> int:
    """Replay ``path`` through a fresh Engine at full speed, then analyse it; returns the state version."""
    from crashtui.assemble import EngineOptions, ReplayOptions, build_engine

    engine = build_engine(_default_config(), (), EngineOptions(replay=ReplayOptions(path, None)))
    engine.replay_to_end()
    engine.analysis()
    return engine.state.version


def _default_config() -> Any:
    from crashtui.config.schema import Config

    return Config()


async def soak(args: argparse.Namespace, server: FaultServerProcess, store_dir: Path) -> SoakResult:
    """Run the soak for ``args.duration`` seconds; see the module docstring."""
    from crashtui.assemble import EngineOptions, build_engine
    from crashtui.headless.document import build_document
    from crashtui.headless.once import json_text, text_summary

    result = SoakResult(duration_s=args.duration, warmup_s=args.warmup)
    week = write_slice(store_dir)
    config = soak_config(server, store_dir)
    engine = build_engine(
        config, config.watchlist().symbols, EngineOptions(store_path=store_dir / "history.sqlite3")
    )
    rest = [(v, f) for f in REST_FAULTS for v in REST_VICTIMS]
    ws = [(v, f) for f in WS_FAULTS for v in WS_VICTIMS]
    # every third fault hits a stream, so a short soak sees both kinds
    faults = itertools.cycle(
        [pair for i, r in enumerate(rest) for pair in ((r, ws[i // 2 % len(ws)]) if i % 2 else (r,))]
    )
    loop = asyncio.get_running_loop()
    started = loop.time()
    gc.collect()
    result.rss_start = rss_bytes()
    tasks = engine.start()
    next_fault = next_replay = next_analysis = next_sample = started
    victims: list[str] = []
    try:
        while (now := loop.time()) - started < args.duration:
            if now >= next_fault:
                for victim in victims:
                    server.command(f"{victim} ok")
                if now - started < args.warmup:
                    # Warm-up: fail over through every candle source once, so the state's
                    # candle windows hold the union of their histories (Kraken keeps 720 rows,
                    # Coinbase 300) before the baseline: later failovers add nothing.
                    victims = list(WARMUP_TOUR[int((now - started) / args.warmup * len(WARMUP_TOUR))])
                    for victim in victims:
                        server.command(f"{victim} 5xx")
                    next_fault = now + 1.0
                else:
                    victim, fault = next(faults)
                    server.command(f"{victim} {fault}")
                    victims = [victim]
                    result.faults_applied += 1
                    next_fault = now + args.fault_every
            if now >= next_replay:
                # On the loop thread, as the player runs (a worker thread would get its own
                # malloc arena and measure glibc, not crashtui).
                replay_slice(week)
                result.replays += 1
                next_replay = loop.time() + args.replay_every
            if now >= next_analysis:
                analysis = engine.analysis()
                snapshot = engine.state.snapshot()
                json_text(build_document(snapshot, analysis, header=None, serving=snapshot.serving))
                text_summary(engine, analysis)
                result.analyses += 1
                next_analysis = now + 1.0
            if now >= next_sample:
                gc.collect()
                rss = rss_bytes()
                result.samples.append((round(now - started, 1), rss))
                result.rss_peak = max(result.rss_peak, rss)
                next_sample = now + 0.5
            if any(t.done() for t in tasks):
                raise RuntimeError("the engine stopped during the soak")
            await asyncio.sleep(0.05)
    finally:
        result.liquidations = engine.state.liquidations_total
        result.sources_ok_at_end = engine.healthy_sources()
        await engine.stop()
    gc.collect()
    result.rss_end = rss_bytes()
    result.rss_peak = max(result.rss_peak, result.rss_end)
    result.rss_after_warmup, result.rss_final = window_medians(result.samples, args.warmup, result.duration_s)
    result.growth = result.rss_final / result.rss_after_warmup - 1.0
    return result


def window_medians(samples: list[tuple[float, int]], warmup_s: float, duration_s: float) -> tuple[int, int]:
    """Median RSS just after the warm-up and at the end, each over the same window length.

    Replays and bursts allocate transiently, so single readings jump by tens of MB; comparing
    medians of equal windows measures what stays.
    """
    window = max(3.0, 0.2 * (duration_s - warmup_s))
    first = [rss for t, rss in samples if warmup_s <= t < warmup_s + window]
    last = [rss for t, rss in samples if t >= duration_s - window]
    if not first or not last:
        raise RuntimeError("too few RSS samples: run longer than the warm-up")
    return statistics.median_low(first), statistics.median_low(last)


def report(result: SoakResult) -> str:
    """A human-readable summary."""
    mb = 1e6
    lines = [
        f"soak {result.duration_s:.0f} s (warm-up {result.warmup_s:.0f} s): "
        f"{result.faults_applied} faults, {result.replays} replays, {result.analyses} analyses, "
        f"{result.liquidations} liquidations, {result.sources_ok_at_end} sources ok at the end",
        f"RSS start {result.rss_start / mb:.1f} MB; median after warm-up "
        f"{result.rss_after_warmup / mb:.1f} MB, at the end {result.rss_final / mb:.1f} MB; "
        f"peak {result.rss_peak / mb:.1f} MB",
        f"growth after warm-up {result.growth * 100:+.1f}% (target < {TARGET_GROWTH * 100:.0f}%): "
        + ("PASS" if result.passed else "FAIL"),
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Entry point: exit 0 when RSS growth stays under the target."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--duration", type=float, default=600.0, help="seconds (default 600)")
    parser.add_argument("--warmup", type=float, default=60.0, help="seconds before the baseline (default 60)")
    parser.add_argument("--fault-every", type=float, default=5.0, help="seconds between fault changes")
    parser.add_argument("--replay-every", type=float, default=15.0, help="seconds between scenario replays")
    parser.add_argument(
        "--ws-interval",
        type=float,
        default=0.3,
        help="seconds between pushed liquidations per stream (default 0.3: 10/s in all, a busy market; "
        "0.1 is a crash's 30/s)",
    )
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    server = FaultServerProcess(args.ws_interval)
    try:
        with tempfile.TemporaryDirectory(prefix="crashtui-soak-") as tmp:
            started = time.monotonic()
            result = asyncio.run(soak(args, server, Path(tmp)))
            result.duration_s = round(time.monotonic() - started, 1)
    finally:
        server.stop()
    print(json.dumps(asdict(result) | {"passed": result.passed}) if args.json else report(result))
    return 0 if result.passed else 1


if __name__ == "__main__":
    sys.exit(main())
