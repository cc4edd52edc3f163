"""Start-up cost: what the dashboard imports before its first paint."""

from __future__ import annotations

import json
import subprocess
import sys

# Each of these costs milliseconds to import and none is needed to paint the loading screen:
# they are imported with the first frame of data, the first chart or the engine (off the loop).
NOT_BEFORE_FIRST_PAINT = (
    "crashtui.engine",
    "crashtui.state",
    "crashtui.analysis.market",
    "crashtui.analysis.zones",
    "crashtui.alerts",
    "crashtui.replay.player",
    "crashtui.store",
    "crashtui.upstream",
    "crashtui.feeds",
    "crashtui.ingest",
    "crashtui.streams",
    "crashtui.ui.render.price",
    "crashtui.ui.screens.drilldown",
    "numpy",
    "plotext",
    "textual_plotext",
    "websockets",
    "httpx",
)


def imported_by(code: str) -> set[str]:
    """Module names loaded after running ``code`` in a fresh interpreter."""
    # (a None entry is a module blocked from loading, e.g. httpx's command-line tool: not loaded)
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(k for k, v in sys.modules.items() if v)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout.splitlines()[-1]))


def test_the_dashboard_imports_nothing_slow_before_its_first_paint() -> None:
    modules = imported_by(
        "import crashtui.cli, crashtui.ui.run, crashtui.ui.app, crashtui.ui.session, crashtui.ui.watchlists\n"
        "from crashtui.ui.session import plan_from_args\n"
        "plan_from_args(crashtui.cli.build_parser().parse_args([]), crashtui.config.load_config(None).config)"
    )
    loaded = sorted(
        m for m in modules for slow in NOT_BEFORE_FIRST_PAINT if m == slow or m.startswith(slow + ".")
    )
    assert loaded == []


def test_after_the_warm_up_the_first_analysis_imports_nothing() -> None:
    """The engine is built in a worker thread with this warm-up; whatever it leaves out is
    imported by the first analysis on the event loop instead (numpy alone stalled it ~0.1 s)."""
    script = (
        "import sys\n"
        "from crashtui.config.schema import Config\n"
        "from crashtui.assemble import EngineOptions, ReplayOptions, build_engine\n"
        "from crashtui.replay.locate import locate_recording\n"
        "from crashtui.timeparse import parse_instant\n"
        "from crashtui.ui.app import warm_up_analysis\n"
        "until = parse_instant('2026-01-25T00:00Z')\n"
        "options = EngineOptions(replay=ReplayOptions(locate_recording('feb-2026'), None, None, until))\n"
        "engine = build_engine(Config(), (), options)\n"
        "engine.replay_to_end()\n"
        "warm_up_analysis(Config())\n"
        "before = set(sys.modules)\n"
        "analysis = engine.analysis(zone_budget=1)\n"
        "assert all(s.zones is not None for s in analysis.symbols)\n"
        "import json\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.splitlines()[-1]) == []
