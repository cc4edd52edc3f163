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
    "crashtui.feed",
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
    script = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
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
