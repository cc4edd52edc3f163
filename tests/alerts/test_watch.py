"""``crashtui watch`` over the bundled feb-2026 scenario, end to end: rules, cooldowns, hook, log, exit."""

from __future__ import annotations

import itertools
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.cli import main
from crashtui.config import load_config
from crashtui.replay.locate import locate_recording
from crashtui.timeparse import iso_utc, parse_instant

MIN = 60_000
CASCADE_COOLDOWN_S = 21_600

HOOK = """
import json, sys
line = sys.stdin.read()
json.loads(line)
with open(sys.argv[1], "a") as f:
    f.write(line.strip() + "\\n")
if len(sys.argv) > 2 and sys.argv[2] == "fail":
    sys.exit("pager unreachable")
if len(sys.argv) > 2 and sys.argv[2] == "hang":
    import time
    time.sleep(120)
"""


def write_config(
    tmp_path: Path, rules: str, hook_args: tuple[str, ...] = (), timeout_s: float = 30.0
) -> Path:
    script = tmp_path / "hook.py"
    script.write_text(HOOK, encoding="utf-8")
    command = [sys.executable, str(script), str(tmp_path / "hook.out"), *hook_args]
    path = tmp_path / "config.toml"
    path.write_text(
        f"[alerts]\ncommand = {json.dumps(command)}\ncommand_timeout_s = {timeout_s}\n{rules}",
        encoding="utf-8",
    )
    return path


SCENARIO_RULES = f"""
[[alerts.rules]]
name = "eth 1826"
kind = "zone_break"
symbol = "ETH"
level = 1826.0

[[alerts.rules]]
name = "cascade"
kind = "cascade"
cooldown_s = {CASCADE_COOLDOWN_S}

[[alerts.rules]]
name = "extreme fear"
kind = "fear_greed"
at_or_below = 24.0
"""


def read_log(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def cascade_starts() -> list[int]:
    """Every cascade start of the recording, from the tally over the whole replay."""
    config = load_config(None, env={}).config
    engine = build_engine(config, (), EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None)))
    engine.replay_to_end()
    detector = engine.tally.cascades
    starts = [c.start_ms for c in detector.history()]
    current = detector.current()
    if current is not None:
        starts.append(current.start_ms)
    return starts


def check_cascade_alerts(alerts: list[dict[str, object]], cooldown_s: int) -> None:
    """Each cascade start is alerted at the next replay minute unless a cooldown holds it; inside a
    cooldown only a cascade at least twice the rate of the last alert is, and says so."""
    fired: list[tuple[int, float]] = []
    for alert in alerts:
        at_ms, value = int(str(alert["at_ms"])), float(str(alert["value"]))
        details = alert["details"]
        assert isinstance(details, dict)
        if "breaks_cooldown_of" in details:
            assert details["breaks_cooldown_of"] == fired[-1][1]
            assert value >= 2 * fired[-1][1]
        else:
            assert "grew to" not in str(alert["message"])
            assert not fired or at_ms - fired[-1][0] >= cooldown_s * 1000
        fired.append((at_ms, value))
    for start in cascade_starts():
        seen = -(-start // MIN) * MIN
        before = [at for at, _ in fired if at <= seen]
        if not before or seen - before[-1] >= cooldown_s * 1000:
            assert seen in [at for at, _ in fired], iso_utc(start)


def test_scenario_alerts_fire_once_each_and_the_hook_gets_every_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = write_config(tmp_path, SCENARIO_RULES)
    log = tmp_path / "alerts.jsonl"
    args = ["--config", str(config), "watch", "--replay", "feb-2026", "--speed", "max", "--log", str(log)]
    assert main(args) == 0
    out, err = capsys.readouterr()
    records = read_log(log)
    alerts = [r for r in records if r["type"] == "alert"]
    by_rule: dict[object, list[dict[str, object]]] = {}
    for alert in alerts:
        by_rule.setdefault(alert["rule"], []).append(alert)

    # ETH breaks the pinned $1,826 zone once: the 01:00 close on the crash day, never again.
    (eth,) = by_rule["eth 1826"]
    assert eth["at"] == "2026-02-06T01:01:00Z"
    assert eth["symbol"] == "ETH"
    assert eth["threshold"] == 1826.0
    details = eth["details"]
    assert isinstance(details, dict)
    assert details["event_at"] == "2026-02-06T01:00:00Z"
    assert details["direction"] == "down"
    assert details["pinned"] is True
    assert isinstance(eth["value"], float)
    assert eth["value"] < details["zone_low"]
    assert str(eth["message"]).startswith("ETH broke below the pinned 1,826 zone")

    # Extreme fear once, the day it first reached 24; it never rose past 29 afterwards.
    (fear,) = by_rule["extreme fear"]
    assert fear["value"] == 24.0
    assert str(fear["at"]).startswith("2026-01-21T")

    # Cascades: each start seen at the next replay minute, none within the cooldown of the last
    # unless at least twice as big: the biggest of Feb 6 (13:41Z) breaks through.
    check_cascade_alerts(by_rule["cascade"], CASCADE_COOLDOWN_S)
    assert len(by_rule["cascade"]) >= 3
    started = {str(a["details"]["start_at"]) for a in by_rule["cascade"]}  # type: ignore[index]
    assert "2026-02-06T13:41:39Z" in started

    assert {a["mode"] for a in alerts} == {"replay"}
    assert set(by_rule) == {"eth 1826", "cascade", "extreme fear"}
    assert [r for r in records if r["type"] != "alert"] == []

    # The hook got every alert as valid JSON on stdin, exactly as logged.
    hooked = [json.loads(line) for line in (tmp_path / "hook.out").read_text().splitlines()]
    assert sorted(h["id"] for h in hooked) == sorted(str(a["id"]) for a in alerts)
    logged = {a["id"]: {k: v for k, v in a.items() if k != "type"} for a in alerts}
    assert all(h == logged[h["id"]] for h in hooked)

    # stdout: one line per alert; stderr: banner and summary.
    assert len(out.splitlines()) == len(alerts)
    assert "[eth 1826] ETH broke below the pinned 1,826 zone" in out
    assert "\x07" not in out  # not a terminal: no bell, no OSC
    assert "3 rules (eth 1826, cascade, extreme fear) on replay of feb-2026" in err
    assert f"replay ended at 2026-02-21T00:00:00Z: {len(alerts)} alerts" in err  # last payload: window end
    assert "0 delivery failures" in err


WINDOW = ["--start", "2026-02-06T00:00Z", "--until", "2026-02-06T04:00Z"]
WINDOW_RULES = """
[[alerts.rules]]
name = "eth 1826"
kind = "zone_break"
symbol = "ETH"
level = 1826.0

[[alerts.rules]]
name = "cascade"
kind = "cascade"
cooldown_s = 0
"""


def run_window(
    tmp_path: Path, hook_args: tuple[str, ...], timeout_s: float
) -> tuple[list[dict[str, object]], str]:
    config = write_config(tmp_path, WINDOW_RULES, hook_args, timeout_s)
    log = tmp_path / "alerts.jsonl"
    code = main(["--config", str(config), "watch", "--replay", "feb-2026", *WINDOW, "--log", str(log)])
    assert code == 0
    return read_log(log), str(log)


def test_failing_hook_is_reported_and_changes_nothing_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, _ = run_window(tmp_path, ("fail",), 30.0)
    _, err = capsys.readouterr()
    alerts = [r for r in records if r["type"] == "alert"]
    failures = [r for r in records if r["type"] == "delivery_failure"]
    assert [a["at"] for a in alerts if a["rule"] == "eth 1826"] == ["2026-02-06T01:01:00Z"]
    assert len(alerts) >= 3
    assert min(str(a["at"]) for a in alerts) >= "2026-02-06T00:00:00Z"
    assert sorted(str(f["alert_id"]) for f in failures) == sorted(str(a["id"]) for a in alerts)
    assert {f["reason"] for f in failures} == {"exited with status 1: pager unreachable"}
    assert err.count("warning: command failed for alert") == len(alerts)
    assert f"{len(failures)} delivery failures" in err


def test_hanging_hook_times_out_and_the_replay_still_finishes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    records, _ = run_window(tmp_path, ("hang",), 1.0)
    _, err = capsys.readouterr()
    alerts = [r for r in records if r["type"] == "alert"]
    failures = [r for r in records if r["type"] == "delivery_failure"]
    assert len(alerts) >= 3
    assert {f["reason"] for f in failures} == {"timed out after 1 s (killed)"}
    assert sorted(str(f["alert_id"]) for f in failures) == sorted(str(a["id"]) for a in alerts)
    assert "replay ended at 2026-02-06T04:00:00Z" in err


def test_watch_with_no_rules_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[alerts]\nrules = []\n", encoding="utf-8")
    assert main(["--config", str(config), "watch", "--replay", "feb-2026"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(
        "crashtui: error: no alert rules are enabled; add [[alerts.rules]] to the config"
    )


def test_replay_steps_walk_the_minutes_and_end_in_the_same_state() -> None:
    config = load_config(None, env={}).config
    until = parse_instant("2026-01-17T00:00Z")
    options = EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None, until_ms=until))
    stepped = build_engine(config, (), options)
    clocks = list(stepped.replay_steps())
    assert clocks[-1] == until
    assert all(b > a for a, b in itertools.pairwise(clocks))
    assert all(c % MIN == 0 for c in clocks[1:])
    assert stepped.player is not None
    assert stepped.player.finished
    whole = build_engine(config, (), options)
    whole.replay_to_end()
    assert stepped.state.tickers == whole.state.tickers
    assert stepped.state.liquidations_total == whole.state.liquidations_total
    assert stepped.tally.cascades.history() == whole.tally.cascades.history()


def test_acceptance_default_rules_write_the_crash_alerts_and_exit_0(tmp_path: Path) -> None:
    """``crashtui watch --replay feb-2026 --speed max`` as a user runs it: no config, default rules."""
    env = {**os.environ, "CRASHTUI_DATA_DIR": str(tmp_path)}
    proc = subprocess.run(
        [sys.executable, "-m", "crashtui", "watch", "--replay", "feb-2026", "--speed", "max"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    log = tmp_path / "alerts-replay.jsonl"
    alerts = [r for r in read_log(log) if r["type"] == "alert"]
    rules = {str(a["rule"]) for a in alerts}
    assert {"pinned zone break", "liquidation cascade", "extreme fear"} <= rules
    breaks = [str(a["message"]) for a in alerts if a["rule"] == "pinned zone break"]
    assert any(m.startswith("ETH broke below the pinned 1,826 zone") for m in breaks)
    assert len([a for a in alerts if a["rule"] == "extreme fear"]) == 1
    assert len(proc.stdout.splitlines()) == len(alerts)
    assert f"alert log: {log}" in proc.stderr
    assert "replay ended at" in proc.stderr


def test_live_watch_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    from crashtui.catalog import SOURCES

    config = tmp_path / "config.toml"
    config.write_text("".join(f"[sources.{name}]\nenabled = false\n" for name in SOURCES), encoding="utf-8")
    env = {**os.environ, "CRASHTUI_DATA_DIR": str(tmp_path)}
    argv = ["--config", str(config), "watch", "--no-store"]
    code, rest = _signalled(argv, env, "on live data; alert log:", signal.SIGTERM)
    assert code == 0, rest
    assert "stopped: 0 alerts" in rest


def _signalled(argv: list[str], env: dict[str, str], banner: str, sig: int) -> tuple[int, str]:
    """Run ``crashtui ARGV``, send ``sig`` once its banner (first stderr line, holding
    ``banner``) is out; its exit code and the rest of its stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "crashtui", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stderr is not None
        assert banner in proc.stderr.readline()
        proc.send_signal(sig)
        _, rest = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, rest


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_replay_cut_short_by_a_signal_says_so_and_exits_128_plus_it(tmp_path: Path, sig: int) -> None:
    """A replay stopped half-way is no "replay ended at": its alerts are not the recording's."""
    env = {**os.environ, "CRASHTUI_DATA_DIR": str(tmp_path), "CRASHTUI_CONFIG_DIR": str(tmp_path)}
    argv = ["watch", "--replay", "feb-2026", "--speed", "max", "--no-store"]
    code, rest = _signalled(argv, env, "on replay of feb-2026", sig)
    assert code == 128 + sig, rest
    assert "replay ended" not in rest
    (summary,) = [line for line in rest.splitlines() if "delivery failure" in line]
    name = signal.Signals(sig).name
    assert summary.startswith(f"crashtui watch: replay interrupted by {name} at 2026-"), summary
    assert "(the replay runs to 2026-02-21T00:00:00Z)" in summary


def test_paced_replay_arms_at_the_window_start_and_exits_at_its_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "alerts.jsonl"
    window = ["--start", "2026-02-06T00:00Z", "--until", "2026-02-06T02:00Z"]
    assert main(["watch", "--replay", "feb-2026", "--speed", "7200", *window, "--log", str(log)]) == 0
    alerts = [r for r in read_log(log) if r["type"] == "alert"]
    assert min(str(a["at"]) for a in alerts) >= "2026-02-06T00:00:00Z"
    assert max(str(a["at"]) for a in alerts) <= "2026-02-06T02:00:00Z"
    assert any(str(a["message"]).startswith("ETH broke below the pinned 1,826 zone") for a in alerts)
    assert any(a["rule"] == "liquidation cascade" for a in alerts)
    assert "replay ended at 2026-02-06T02:00:00Z" in capsys.readouterr().err


def test_nothing_is_evaluated_before_the_replay_clock_exists(tmp_path: Path) -> None:
    """Reading the tally at wall time before the first clock event would drop every replayed liquidation."""
    from crashtui.alerts import AlertManager

    config = load_config(None, env={}).config
    engine = build_engine(config, (), EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None)))
    manager = AlertManager(engine, config.alerts, log_path=tmp_path / "alerts.jsonl")
    assert manager.check() == []
    assert manager.evaluator.armed_at_ms is None
    assert engine.tally.stats().as_of_ms is None  # the tally was not touched
    steps = engine.replay_steps()
    first = next(steps)
    manager.check()
    assert manager.evaluator.armed_at_ms == first
