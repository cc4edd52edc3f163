"""A short soak in CI: benchmarks/soak.py in a subprocess (a clean process to measure RSS in).

A live engine on the fault server (faults cycling every second across REST sources and
streams), replays of a week of the bundled scenario every few seconds, analysis and ``--once``
output rebuilt every second. Memory must stay flat after the warm-up; the long version
(``python benchmarks/soak.py``, 10 minutes by default) is run by hand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


@pytest.mark.slow
def test_short_soak_keeps_rss_flat_and_the_engine_alive() -> None:
    args = ["--duration", "25", "--warmup", "12", "--fault-every", "1", "--replay-every", "4", "--json"]
    args += ["--ws-interval", "0.1"]  # a crash's 30 liquidations a second
    proc = subprocess.run(
        [sys.executable, str(SOAK), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    result = json.loads(proc.stdout)
    assert result["faults_applied"] >= 8  # the faults did cycle (after the warm-up)
    assert result["replays"] >= 4
    assert result["analyses"] >= 15
    assert result["liquidations"] >= 100  # the streams kept delivering through the faults
    assert result["sources_ok_at_end"] >= 8  # the feed is alive at the end, not wedged
    assert result["growth"] < 0.10, f"RSS grew {result['growth'] * 100:.1f}% after warm-up"
    assert proc.returncode == 0
