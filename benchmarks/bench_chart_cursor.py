"""What a chart key costs the terminal: bytes written per cursor move against a full chart
repaint, on the symbol screen at 200×50 (what an SSH link carries per keypress).

Run: ``python benchmarks/bench_chart_cursor.py``. The app runs headless over the bundled crash
at a still moment (2026-02-06 14:00Z, engine not started, so nothing else repaints); the
driver's writes are counted per key. ``cursor_bytes`` is the mean of 20 cursor moves (the
cursor column is repainted, the plot is not rebuilt); ``repaint_bytes`` the mean of 4 log-scale
toggles (the whole chart is rebuilt and sent). ``*_ms`` is the key's own work (the action and
the chart's render), without Textual's screen update.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

SIZE = (200, 50)


async def _measure() -> dict[str, float]:
    from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
    from crashtui.config.schema import Config
    from crashtui.replay.locate import locate_recording
    from crashtui.timeparse import parse_instant
    from crashtui.ui.app import CrashApp
    from crashtui.ui.options import UiOptions
    from crashtui.ui.widgets.chart import ChartView

    at = parse_instant("2026-02-06T14:00Z")
    engine = build_engine(
        Config(), (), EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None, None, at))
    )
    engine.replay_to_end()
    app = CrashApp(Config(), engine=engine, options=UiOptions(start_engine=False, show_timings=False))
    written = [0]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause(0.3)
        driver = app._driver
        assert driver is not None
        original = driver.write

        def counting(data: str) -> None:
            written[0] += len(data.encode())
            original(data)

        driver.write = counting  # type: ignore[method-assign]
        # The headless driver is told it is a terminal, so the app sends its updates to it.
        type(driver).is_headless = property(lambda self: False)  # type: ignore[assignment,method-assign]
        chart = app.screen.query_one("#sym-chart", ChartView)

        screen = app.screen

        async def cost(action: str, times: int) -> tuple[float, float]:
            total, seconds = 0, 0.0
            for _ in range(times):
                await pilot.pause(0.05)
                written[0] = 0
                started = time.perf_counter()
                await screen.run_action(action)
                chart.render()  # what the next screen update draws
                seconds += time.perf_counter() - started
                await pilot.pause(0.05)
                total += written[0]
            return total / times, seconds * 1000 / times

        builds = chart.builds
        cursor_bytes, cursor_ms = await cost("cursor(-1)", 20)
        cursor_builds = chart.builds - builds
        repaint_bytes, repaint_ms = await cost("toggle_log", 4)
    return {
        "cursor_bytes": cursor_bytes,
        "cursor_key_ms": cursor_ms,
        "cursor_plot_rebuilds": float(cursor_builds),
        "repaint_bytes": repaint_bytes,
        "repaint_key_ms": repaint_ms,
    }


def run() -> dict[str, float]:
    """Bytes and time per cursor move and per full chart repaint."""
    return asyncio.run(_measure())


def main() -> None:
    """Print the figures."""
    for key, value in run().items():
        print(f"{key}: {value:,.1f}")


if __name__ == "__main__":
    main()
