"""Neither ``--once`` nor the dashboard's analysis imports numpy or pandas (issue 19: numpy
alone is 16 MiB of RSS and ~60 ms of import). The zones and the liquidation map are plain
Python; only ``crashtui backtest`` uses pandas. Each check runs in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("numpy", "pandas")

ONCE = f"""
import json, sys
from crashtui.cli import main
code = main(sys.argv[1:])
print()
print(json.dumps({{"code": code, "loaded": sorted(m for m in {HEAVY!r} if m in sys.modules)}}))
"""

DASHBOARD = f"""
import json, sys
from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.schema import Config
from crashtui.replay.locate import locate_recording
from crashtui.ui.app import warm_up_analysis
warm_up_analysis(Config())
engine = build_engine(Config(), (), EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"))))
engine.replay_to_end()
analysis = engine.analysis()
radar = engine.radar()
print(json.dumps({{
    "zones": sum(len(s.zones.zones) for s in analysis.symbols if s.zones is not None),
    "liq_levels": sum(len(m.levels) for m in radar.liquidation_maps.values()),
    "loaded": sorted(m for m in {HEAVY!r} if m in sys.modules),
}}))
"""


def run(script: str, *args: str) -> tuple[str, dict[str, object]]:
    """``script`` in a fresh interpreter: everything it printed before the last line, and the
    last line as JSON."""
    proc = subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    *before, last = proc.stdout.rstrip("\n").splitlines()
    return "\n".join(before), json.loads(last)


def test_once_json_of_a_replay_imports_neither_numpy_nor_pandas() -> None:
    out, result = run(ONCE, "--once", "--json", "--replay", "feb-2026")
    assert result == {"code": 0, "loaded": []}
    doc = json.loads(out)
    assert all(row["zones"] for row in doc["watchlist"])  # the zones were computed...
    assert all(m["levels"] for m in doc["liquidation_map"].values())  # ...and the liquidation map


def test_the_dashboards_warm_up_analysis_and_radar_import_neither() -> None:
    _, result = run(DASHBOARD)
    assert result["loaded"] == []
    assert result["zones"]
    assert result["liq_levels"]
