"""Run every crashtui benchmark and print one table (``--json`` for machines).

Usage: ``python benchmarks/run.py [--json] [--quick] [--skip-tty]``

Every timing that depends on the machine is reported next to a baseline measured in the
same run: a bare Textual app (Header, one Static, Footer) started the same way in a real
pty, so the ratios survive a noisy machine. Targets are the performance issue's.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TTYPROBE = Path(os.environ.get("CRASHTUI_TTYPROBE", ROOT.parent / "shared" / "tools" / "ttyprobe.py"))
BARE_APP = Path(__file__).resolve().parent / "bare_app.py"
CRASH_MOMENT = "2026-02-06T14:00Z"
IDLE_SETTLE_S = 10.0


@dataclass
class Row:
    """One line of the results table."""

    name: str
    value: float | None
    unit: str
    baseline: float | None = None
    target: str = ""
    ok: bool | None = None
    note: str = ""


def _crashtui() -> list[str]:
    exe = Path(sys.executable).with_name("crashtui")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "crashtui"]


def _env() -> dict[str, str]:
    """An isolated config and data dir, so the user's files never skew (or receive) anything."""
    home = Path(tempfile.mkdtemp(prefix="crashtui-bench-"))
    env = dict(os.environ)
    env.update(CRASHTUI_CONFIG_DIR=str(home / "config"), CRASHTUI_DATA_DIR=str(home / "data"))
    env.pop("CRASHTUI_CONFIG", None)
    return env


def median_wall(cmd: list[str], runs: int, env: dict[str, str]) -> float:
    """Median wall seconds of ``cmd`` over ``runs`` runs (output discarded)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def ttyprobe(
    cmd: list[str],
    marker: str,
    idle_s: float,
    env: dict[str, str],
    cols: int = 120,
    rows: int = 40,
    settle_s: float = 3.0,
) -> dict[str, Any]:
    """Run ``cmd`` in a pty through ttyprobe and return its JSON figures.

    The idle window opens ``settle_s`` after ``marker`` first shows.
    """
    probe = [sys.executable, str(TTYPROBE), "--marker", marker, "--idle", str(idle_s), "--cols", str(cols),
             "--rows", str(rows), "--settle", str(settle_s), "--", *cmd]  # fmt: skip
    out = subprocess.run(probe, capture_output=True, text=True, env=env, check=False, timeout=idle_s + 90)
    line = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else "{}"
    result: dict[str, Any] = json.loads(line)
    return result


def first_paint(cmd: list[str], marker: str, env: dict[str, str], runs: int) -> float | None:
    """Median seconds to ``marker`` over ``runs`` starts (one start is too noisy to compare)."""
    times = [ttyprobe(cmd, marker, 0.5, env).get("first_marker_s") for _ in range(runs)]
    found = [t for t in times if t is not None]
    return statistics.median(found) if found else None


def tty_rows(idle_s: float, env: dict[str, str], runs: int = 5) -> list[Row]:
    """First paint (median of ``runs``) and idle cost of the dashboard vs a bare Textual app."""
    rows: list[Row] = []
    if not TTYPROBE.exists():
        return [Row("tty figures", None, "", note=f"ttyprobe not found at {TTYPROBE}")]
    bare_cmd = [sys.executable, str(BARE_APP)]
    replay_cmd = [*_crashtui(), "--replay", "feb-2026", "--until", CRASH_MOMENT]
    live_cmd = [*_crashtui(), "--no-store"]
    base_paint = first_paint(bare_cmd, "bare-ready", env, runs)
    for name, cmd in (("first paint, replay feb-2026", replay_cmd), ("first paint, live config", live_cmd)):
        paint = first_paint(cmd, "Liquidations", env, runs)
        ok = None if paint is None or base_paint is None else paint <= 2 * base_paint
        rows.append(Row(name, paint, "s", base_paint, "≤ 2× bare Textual", ok, note=f"median of {runs}"))
    # The pane titles show on the loading screen; the replay then catches up to the crash
    # moment for a few seconds. Idle is measured from 10 s on, once the replay has ended.
    bare = ttyprobe(bare_cmd, "bare-ready", idle_s, env, settle_s=IDLE_SETTLE_S)
    replay = ttyprobe(replay_cmd, "Liquidations", idle_s, env, settle_s=IDLE_SETTLE_S)
    cpu = replay.get("idle_cpu_pct")
    rows.append(
        Row(
            "idle CPU after replay ends",
            cpu,
            "%",
            bare.get("idle_cpu_pct"),
            "≤ 1%",
            None if cpu is None else cpu <= 1.0,
        )
    )
    out = replay.get("idle_bytes_per_min")
    bare_out = bare.get("idle_bytes_per_min")
    kb = None if out is None else out / 1024
    bare_kb = None if bare_out is None else bare_out / 1024
    rows.append(
        Row("idle terminal output", kb, "KB/min", bare_kb, "≤ 6 KB/min", None if kb is None else kb <= 6)
    )
    rss = replay.get("peak_rss_mib")
    rows.append(
        Row(
            "peak RSS (replay)",
            rss,
            "MiB",
            bare.get("peak_rss_mib"),
            "≤ 100 MiB",
            None if rss is None else rss <= 100,
        )
    )
    return rows


def headless_rows(runs: int, env: dict[str, str]) -> list[Row]:
    """``--once --json --replay feb-2026`` wall time and events/s through parse → state → analysis."""
    cmd = [*_crashtui(), "--once", "--json", "--replay", "feb-2026"]
    wall = median_wall(cmd, runs, env)
    version = median_wall([*_crashtui(), "--version"], runs, env)
    rows = [Row("--once --json --replay feb-2026", wall, "s", version, "≤ 2 s", wall <= 2.0,
                note="baseline: crashtui --version")]  # fmt: skip
    from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
    from crashtui.config.schema import Config
    from crashtui.replay.locate import locate_recording
    from crashtui.replay.recording import RecordingSource

    recording = locate_recording("feb-2026")
    engine = build_engine(Config(), (), EngineOptions(replay=ReplayOptions(recording, None)))
    payloads = RecordingSource(recording).count
    start = time.perf_counter()
    engine.replay_to_end()
    engine.analysis()
    elapsed = time.perf_counter() - start
    rows.append(Row("replay throughput (parse → state → analysis)", payloads / elapsed, "payloads/s",
                    note=f"{payloads} payloads, {engine.state.liquidations_total} liquidations"))  # fmt: skip
    from benchmarks.bench_once_floor import measure

    floor = measure("feb-2026")
    rows.append(Row("--once --json feb-2026, CPU vs decode", floor.once_s / floor.decode_s, "× decode",
                    floor.decode_s, "≤ 2× decode", floor.once_s <= 2 * floor.decode_s,
                    note=f"CPU {floor.once_s:.2f} s; baseline: decompress + JSON-decode, s"))  # fmt: skip
    parse_s = floor.read_s + floor.parse_s
    rows.append(Row("  read + parse to models, no gate/state", parse_s / floor.decode_s, "× decode",
                    floor.decode_s, note="the floor under any --once that checks every item"))  # fmt: skip
    return rows


def ui_rows() -> list[Row]:
    """The dashboard's refresh tick and event-loop lag while the crash replays at 60×."""
    from benchmarks import bench_ui

    u = bench_ui.run()
    return [
        Row("dashboard tick (analysis + render), worst", u["worst_tick_ms"], "ms",
            note=f"mean {u['mean_tick_ms']:.1f} ms over {u['ticks']:.0f} ticks at 60×, in turns"),
        Row("dashboard tick, longest single turn", u["worst_turn_ms"], "ms", target="≤ 15 ms",
            ok=u["worst_turn_ms"] <= 15, note="analysis | pane update | chart draw"),
        Row("plot update (price chart draw), worst", u["worst_chart_draw_ms"], "ms",
            note=f"{u['chart_draws']:.0f} draws, plotext, off the screen update"),
        Row("event-loop lag while playing, worst", u["loop_lag_max_ms"], "ms", target="≤ 15 ms",
            ok=u["loop_lag_max_ms"] <= 15, note=f"p99 {u['loop_lag_p99_ms']:.1f} ms"),
    ]  # fmt: skip


def analysis_rows() -> list[Row]:
    """Zones, tallies, stream parsing and loaded memory (their own benchmark modules)."""
    from benchmarks import bench_analysis, bench_liqmap, bench_memory, bench_streams

    a = bench_analysis.run()
    s = bench_streams.run()
    m = bench_memory.run()
    lq = bench_liqmap.run()
    return [
        Row("peak RSS, 10 symbols + 24 h of liquidations", m["peak_rss_mib"], "MiB", target="≤ 100 MiB",
            ok=m["peak_rss_mib"] <= 100, note=f"{m['liquidations']:,.0f} orders, UI modules loaded"),
        Row("analysis, 10 symbols (first call)", m["analysis_ms"], "ms"),
        Row("zones, 8,760 hourly candles", a["zones_ms_per_symbol_8760h"], "ms/symbol", target="≤ 20 ms",
            ok=a["zones_ms_per_symbol_8760h"] <= 20),
        Row("liquidation tally", a["tally_us_per_event"], "µs/event", target="O(1)"),
        Row("tally read (stats)", a["tally_stats_ms"], "ms"),
        Row("liquidation frames parsed", s["parse_frames_per_s"], "frames/s", target="≥ 50,000",
            ok=s["parse_frames_per_s"] >= 50_000),
        Row("liquidation map rebuild, 30 d of 5m OI", lq["build_ms_1_venue_5m_bars"], "ms/symbol/venue",
            target="≤ 25 ms", ok=lq["build_ms_1_venue_5m_bars"] <= 25,
            note=f"3 venues {lq['build_ms_3_venues_5m_bars']:.1f} ms; {lq['levels']:.0f} levels"),
        Row("liquidation map OI/bar alignment", lq["align_ms_model"], "ms",
            note=f"pandas {lq['align_ms_pandas']:.1f} ms, plain Python {lq['align_ms_python']:.1f} ms"),
        Row("liquidation map queries (clusters, alert)", lq["queries_ms"], "ms"),
    ]  # fmt: skip


def requests_per_cycle(symbols: int) -> dict[str, int]:
    """HTTP requests one poll cycle of each kind makes for ``symbols`` watchlist symbols."""
    import httpx

    from crashtui.clock import FakeClock
    from crashtui.config.schema import Config
    from crashtui.ingest.pipeline import Pipeline
    from crashtui.symbols import BUILTIN
    from crashtui.upstream.poller import Poller

    names = list(BUILTIN)
    watchlist = tuple((names * (symbols // len(names) + 1))[:symbols])
    if symbols > len(names):
        watchlist = tuple(names) + tuple(f"X{i}" for i in range(symbols - len(names)))
    counts: dict[str, int] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        counts["n"] = counts.get("n", 0) + 1
        return httpx.Response(200, json=[])  # an empty but valid answer: the cycle runs to the end

    async def cycle(kind: str, source: str) -> int:
        counts.clear()
        async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
            poller = Poller(
                Config(),
                watchlist,
                client,
                Pipeline.into(lambda e: None).payload,
                lambda e: None,
                clock=FakeClock(),
            )
            await poller.attempt(source, kind)
        return counts.get("n", 0)

    async def all_kinds() -> dict[str, int]:
        return {
            "prices (binance, batched)": await cycle("prices", "binance"),
            "prices (coingecko, batched)": await cycle("prices", "coingecko"),
            "funding (binance_futures)": await cycle("funding", "binance_futures"),
            "candles (binance, per symbol)": await cycle("candles", "binance"),
        }

    return asyncio.run(all_kinds())


def request_rows() -> list[Row]:
    """Requests per poll cycle with 1, 10 and 50 symbols."""
    by_size = {n: requests_per_cycle(n) for n in (1, 10, 50)}
    rows = []
    for kind in by_size[1]:
        counts = [by_size[n][kind] for n in (1, 10, 50)]
        batched = "batched" in kind
        rows.append(
            Row(
                f"requests/cycle {kind}",
                float(counts[-1]),
                "req @50",
                note="1/10/50 symbols: " + "/".join(map(str, counts)),
                target="constant" if batched else "",
                ok=(len(set(counts)) == 1) if batched else None,
            )
        )
    return rows


def render(rows: list[Row]) -> str:
    """A plain-text table."""
    header = ("benchmark", "value", "unit", "baseline", "target", "met", "note")
    lines = [header]
    for r in rows:
        value = "n/a" if r.value is None else f"{r.value:,.3g}" if r.value < 1000 else f"{r.value:,.0f}"
        base = "" if r.baseline is None else f"{r.baseline:,.3g}"
        met = "" if r.ok is None else "yes" if r.ok else "NO"
        lines.append((r.name, value, r.unit, base, r.target, met, r.note))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and print the table (or JSON)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--quick", action="store_true", help="fewer repetitions, shorter idle window")
    ap.add_argument("--skip-tty", action="store_true", help="skip the pty measurements")
    args = ap.parse_args(argv)
    env = _env()
    sections: list[tuple[str, Callable[[], list[Row]]]] = [
        ("headless", lambda: headless_rows(3 if args.quick else 5, env)),
        ("analysis", analysis_rows),
        ("ui", ui_rows),
        ("requests", request_rows),
    ]
    if not args.skip_tty:
        sections.insert(0, ("tty", lambda: tty_rows(20.0 if args.quick else 60.0, env)))
    rows: list[Row] = []
    for _, section in sections:
        rows.extend(section())
    if args.json:
        print(json.dumps([r.__dict__ for r in rows], indent=1))
    else:
        print(render(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
