"""AlertManager delivery: listeners, recent alerts, the log, and the command hook (ok, failing, hanging)."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from crashtui.alerts import Alert, AlertManager, DeliveryFailure
from crashtui.analysis.liquidations import LiquidationTally
from crashtui.clock import FakeClock
from crashtui.config.alerts_schema import AlertsConfig, FearGreedRule
from crashtui.config.schema import Config
from crashtui.events import DataEvent
from crashtui.model import FearGreedReading
from crashtui.state import FeedState

T0 = 1_770_336_000_000

HOOK = """
import json, os, subprocess, sys, time
mode, out = sys.argv[1], sys.argv[2]
alert = json.loads(sys.stdin.read())
record = {"alert": alert, "env_kind": os.environ["CRASHTUI_ALERT_KIND"], "argv": sys.argv[3:]}
with open(out, "a") as f:
    f.write(json.dumps(record) + "\\n")
if mode == "fail":
    print("first line", file=sys.stderr)
    print("boom: no route to pager", file=sys.stderr)
    sys.exit(3)
if mode == "hang":
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    with open(out + ".pids", "a") as f:
        f.write(f"{os.getpid()} {child.pid}\\n")
    child.wait()
"""


class Market:
    """A minimal AlertSource: Fear & Greed readings on a fake clock."""

    def __init__(self) -> None:
        self.config = Config()
        self.watchlist: tuple[str, ...] = ("BTC",)
        self.clock = FakeClock(T0)
        self.tally = LiquidationTally()
        self.state = FeedState(self.watchlist, now_ms=self.clock.now_ms)
        self.mode = "live"

    @property
    def pinned_zones(self) -> Mapping[str, tuple[float, ...]]:
        return {}

    def now_ms(self) -> int:
        return self.clock.now_ms()

    def fear(self, value: float) -> None:
        self.clock.advance(86_400)
        reading = FearGreedReading("crypto", self.now_ms(), value, "Extreme Fear", "alternative_me")
        self.state.apply(DataEvent("alternative_me", "fear_crypto", (reading,), self.now_ms()))


RULE = FearGreedRule(name="extreme fear", severity="warning", cooldown_s=0.0, at_or_below=24.0)


def manager_for(tmp_path: Path, *, command: tuple[str, ...] = (), timeout_s: float = 10.0) -> AlertManager:
    config = AlertsConfig(rules=(RULE,), command=command, command_timeout_s=timeout_s)
    return AlertManager(Market(), config, log_path=tmp_path / "alerts.jsonl")


def hook(tmp_path: Path, mode: str, *extra: str) -> tuple[str, ...]:
    script = tmp_path / "hook.py"
    script.write_text(HOOK, encoding="utf-8")
    return (sys.executable, str(script), mode, str(tmp_path / "hook.out"), *extra)


def fire(manager: AlertManager, times: int = 1) -> list[Alert]:
    """Make the fear rule fire ``times`` times (dropping back above the band in between)."""
    market = manager.source
    assert isinstance(market, Market)
    out: list[Alert] = []
    for _ in range(times):
        market.fear(50)
        out += manager.check()
        market.fear(10)
        out += manager.check()
    return out


def log_records(tmp_path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in (tmp_path / "alerts.jsonl").read_text().splitlines()]


async def test_listeners_recent_and_log(tmp_path: Path) -> None:
    manager = manager_for(tmp_path)
    heard: list[Alert] = []
    unsubscribe = manager.subscribe(heard.append)
    first = fire(manager)
    unsubscribe()
    second = fire(manager)
    await manager.aclose()
    assert heard == first
    assert manager.recent() == (*first, *second)
    assert manager.recent(limit=1) == tuple(second)
    assert [r["id"] for r in log_records(tmp_path)] == [a.id for a in (*first, *second)]


async def test_hook_gets_the_alert_as_json_on_stdin(tmp_path: Path) -> None:
    manager = manager_for(tmp_path, command=hook(tmp_path, "ok", "{severity}", "{rule}", "{nope}"))
    (alert,) = fire(manager)
    await manager.aclose()
    (record,) = [json.loads(line) for line in (tmp_path / "hook.out").read_text().splitlines()]
    assert record["alert"] == alert.to_dict()
    assert Alert.from_dict(record["alert"]) == alert
    assert record["env_kind"] == "fear_greed"
    assert record["argv"] == ["warning", "extreme fear", "{nope}"]
    assert manager.failures() == ()
    assert manager.hook is not None
    assert manager.hook.succeeded == 1


async def test_failing_hook_is_reported_in_the_log_and_to_listeners(tmp_path: Path) -> None:
    manager = manager_for(tmp_path, command=hook(tmp_path, "fail"))
    failures: list[DeliveryFailure] = []
    manager.subscribe_failures(failures.append)
    alerts = fire(manager, times=2)
    await manager.aclose()
    assert len(alerts) == 2
    assert sorted(f.alert_id for f in failures) == sorted(a.id for a in alerts)
    assert {f.reason for f in failures} == {"exited with status 3: boom: no route to pager"}
    assert {f.channel for f in failures} == {"command"}
    logged = [r for r in log_records(tmp_path) if r["type"] == "delivery_failure"]
    assert len(logged) == 2
    assert [r["type"] for r in log_records(tmp_path)][:2] == ["alert", "alert"]


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "State:\tZ" in status.read_text()


async def test_hanging_hook_never_blocks_and_is_killed_with_its_children(tmp_path: Path) -> None:
    manager = manager_for(tmp_path, command=hook(tmp_path, "hang"), timeout_s=1.0)
    heard: list[Alert] = []
    manager.subscribe(heard.append)
    alerts = fire(manager, times=3)
    # check() returned with every alert delivered everywhere else while the hooks still run.
    assert len(alerts) == 3
    assert heard == alerts
    assert [r["id"] for r in log_records(tmp_path)] == [a.id for a in alerts]
    assert manager.hook is not None
    assert manager.hook.pending == 3
    await manager.aclose()
    assert manager.hook.pending == 0
    assert [f.reason for f in manager.failures()] == ["timed out after 1 s (killed)"] * 3
    pids_file = tmp_path / "hook.out.pids"
    pids = (
        [int(p) for line in pids_file.read_text().splitlines() for p in line.split()]
        if pids_file.exists()
        else []
    )
    for _ in range(200):
        if all(_gone(p) for p in pids):
            break
        await asyncio.sleep(0.01)
    assert all(_gone(p) for p in pids), pids


async def test_missing_program_is_a_failure_not_a_crash(tmp_path: Path) -> None:
    manager = manager_for(tmp_path, command=(str(tmp_path / "no-such-hook"),))
    (alert,) = fire(manager)
    await manager.aclose()
    assert manager.failures() == (
        DeliveryFailure(
            manager.source.now_ms(),
            "command",
            alert.id,
            f"not started: command not found: {tmp_path}/no-such-hook",
        ),
    )


async def test_broken_listener_is_reported_and_others_still_hear(tmp_path: Path) -> None:
    manager = manager_for(tmp_path)

    def broken(alert: Alert) -> None:
        raise RuntimeError("toast failed")

    heard: list[Alert] = []
    manager.subscribe(broken)
    manager.subscribe(heard.append)
    (alert,) = fire(manager)
    await manager.aclose()
    assert heard == [alert]
    assert [(f.channel, f.reason) for f in manager.failures()] == [("listener", "RuntimeError: toast failed")]


async def test_unwritable_log_is_reported(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    config = AlertsConfig(rules=(RULE,))
    manager = AlertManager(Market(), config, log_path=blocker / "alerts.jsonl")
    heard: list[Alert] = []
    manager.subscribe(heard.append)
    (alert,) = fire(manager)
    await manager.aclose()
    assert heard == [alert]
    ((channel, reason),) = [(f.channel, f.reason) for f in manager.failures()]
    assert channel == "log"
    assert reason.startswith(f"cannot write {blocker}/alerts.jsonl: ")


async def test_terminal_gets_bell_and_notifications_and_tmux_is_detected(tmp_path: Path) -> None:
    written: list[str] = []
    config = AlertsConfig(rules=(RULE,), log=False, desktop="osc777")
    manager = AlertManager(Market(), config, terminal=written.append, env={"TMUX": "/tmp/tmux-0/default,1,0"})
    (alert,) = fire(manager)
    await manager.aclose()
    assert manager.log_path is None
    assert written == [f"\x07\x1bPtmux;\x1b\x1b]777;notify;crashtui WARNING;{alert.message}\x07\x1b\\"]
