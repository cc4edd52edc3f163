"""The dashboard under load: the refresh tick's cost and the event loop's worst lag while the
bundled crash replays at 60× (what a pane update costs the terminal you are typing into).

Run: ``python benchmarks/bench_ui.py``. :func:`run` returns the figures for ``benchmarks/run.py``.
The app runs headless (Textual's test harness) at 120×40 from 2026-02-06 12:00Z, after the
initial catch-up; lag is how late a 5 ms sleeper on the same loop wakes up. The tick runs in
turns (alerts, analysis, pane update, chart draw): ``worst_turn_ms`` is the longest of them.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PLAY_S = 12.0
WARMUP_S = 3.0


async def _measure() -> dict[str, float]:
    from crashtui.config.schema import Config
    from crashtui.replay.locate import locate_recording
    from crashtui.timeparse import parse_instant
    from crashtui.ui.app import CrashApp
    from crashtui.ui.session import FeedPlan
    from crashtui.ui.widgets.chart import ChartView

    plan = FeedPlan(Config(), locate_recording("feb-2026"), 60.0, parse_instant("2026-02-06T12:00Z"), None)
    from crashtui.ui.perf import TickStats

    app = CrashApp(Config(), plan=plan)
    lags: list[float] = []
    warmed = False
    draws_before = 0
    async with app.run_test(size=(120, 40)) as pilot:
        loop = asyncio.get_running_loop()
        start = loop.time()
        while loop.time() - start < WARMUP_S + PLAY_S:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            late_ms = (time.perf_counter() - before) * 1000 - 5.0
            if loop.time() - start >= WARMUP_S:
                if not warmed:
                    app.perf, warmed = TickStats(), True  # count steady-state ticks only
                    chart = app.screen.query_one("#price-chart", ChartView)
                    chart.worst_build_ms, draws_before = 0.0, chart.builds
                else:
                    lags.append(late_ms)
        perf = app.perf
        chart = app.screen.query_one("#price-chart", ChartView)
        draws = chart.builds - draws_before
        await pilot.press("q")
    lags.sort()
    return {
        "ticks": float(perf.ticks),
        "worst_tick_ms": perf.max_analysis_ms + perf.max_render_ms,
        "worst_turn_ms": max(perf.max_analysis_ms, perf.max_render_ms, chart.worst_build_ms),
        "chart_draws": float(draws),
        "worst_chart_draw_ms": chart.worst_build_ms,
        "worst_analysis_ms": perf.max_analysis_ms,
        "worst_render_ms": perf.max_render_ms,
        "mean_tick_ms": perf.total_ms / perf.ticks if perf.ticks else 0.0,
        "loop_lag_p99_ms": lags[int(len(lags) * 0.99)] if lags else 0.0,
        "loop_lag_max_ms": lags[-1] if lags else 0.0,
    }


def run() -> dict[str, float]:
    """Tick and loop-lag figures while the crash replays at 60×."""
    return asyncio.run(_measure())


def main() -> None:
    """Print the figures."""
    for key, value in run().items():
        print(f"{key}: {value:,.1f}")


if __name__ == "__main__":
    main()
