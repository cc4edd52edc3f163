"""Alert JSON, the JSONL log, and the exact terminal bytes (bell, OSC 9/777, tmux passthrough)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from types import MappingProxyType

import pytest

from crashtui.alerts.alert import Alert, DeliveryFailure
from crashtui.alerts.log import AlertLog, read_alerts
from crashtui.alerts.terminal import TerminalNotifier, alert_sequences, osc9, osc777, tmux_passthrough
from crashtui.config.alerts_schema import default_log_path

ALERT = Alert(
    id="1770339660000-1",
    at_ms=1_770_339_660_000,
    rule="pinned zone break",
    kind="zone_break",
    severity="warning",
    message="ETH broke below the pinned 1,826 zone (1,824–1,828): 1h close 1,812 at 01:00Z",
    symbol="ETH",
    value=1812.39,
    threshold=1826.0,
    mode="replay",
    details=MappingProxyType({"direction": "down", "event_ms": 1_770_339_600_000, "pinned": True}),
)


def test_alert_json_round_trip() -> None:
    data = json.loads(ALERT.to_json())
    assert data["at"] == "2026-02-06T01:01:00Z"
    assert data["details"] == {"direction": "down", "event_ms": 1_770_339_600_000, "pinned": True}
    assert Alert.from_dict(data) == ALERT
    assert "\n" not in ALERT.to_json()


def test_alert_line() -> None:
    assert ALERT.line() == (
        "2026-02-06T01:01:00Z WARNING  [pinned zone break] ETH broke below the pinned 1,826 zone "
        "(1,824–1,828): 1h close 1,812 at 01:00Z"
    )


def test_osc_sequences_exact_bytes() -> None:
    assert osc9("crashtui: BTC crossed below 60,000") == "\x1b]9;crashtui: BTC crossed below 60,000\x07"
    assert osc777("crashtui WARNING", "a;b") == "\x1b]777;notify;crashtui WARNING;a,b\x07"


def test_tmux_passthrough_doubles_every_escape() -> None:
    assert tmux_passthrough("\x1b]9;hi\x07") == "\x1bPtmux;\x1b\x1b]9;hi\x07\x1b\\"
    assert tmux_passthrough("\x1b]777;notify;t;b\x07") == "\x1bPtmux;\x1b\x1b]777;notify;t;b\x07\x1b\\"


def test_alert_sequences_bell_then_both_notifications() -> None:
    plain_out = alert_sequences(ALERT, bell=True, desktop="both", tmux=False)
    assert plain_out == (
        f"\x07\x1b]9;crashtui: {ALERT.message}\x07\x1b]777;notify;crashtui WARNING;{ALERT.message}\x07"
    )
    tmux_out = alert_sequences(ALERT, bell=True, desktop="osc9", tmux=True)
    assert tmux_out == f"\x07\x1bPtmux;\x1b\x1b]9;crashtui: {ALERT.message}\x07\x1b\\"
    assert alert_sequences(ALERT, bell=False, desktop="off", tmux=True) == ""


def test_hostile_text_cannot_escape_the_notification() -> None:
    evil = Alert(
        id="x", at_ms=0, rule="r", kind="source_failing", severity="info",
        message="farside \x1b]52;c;ZXZpbA==\x07 err\x07\x1b\\ok\x9b2J",
    )  # fmt: skip
    out = alert_sequences(evil, bell=False, desktop="both", tmux=True)
    inner = out.replace("\x1bPtmux;", "").replace("\x1b\\", "|ST|")
    assert inner.count("\x1b\x1b]") == 2  # only our own two sequences start
    assert "52;" not in out
    assert out.count("\x07") == 2  # one terminator each, none from the message


def test_notifier_writes_through_the_given_writer() -> None:
    written: list[str] = []
    TerminalNotifier(written.append, bell=True, desktop="off", tmux=False).deliver(ALERT)
    TerminalNotifier(written.append, bell=False, desktop="off", tmux=False).deliver(ALERT)
    assert written == ["\x07"]


def test_log_appends_private_lines_each_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "alerts.jsonl"
    log = AlertLog(path)
    log.write_alert(ALERT)
    # Already complete on disk before close (flushed and fsync'ed per line).
    assert json.loads(path.read_text().splitlines()[0])["type"] == "alert"
    log.write_failure(DeliveryFailure(1_770_339_661_000, "command", ALERT.id, "exited with status 3: boom"))
    log.close()
    AlertLog(path).write_alert(ALERT)  # a new writer appends
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [r["type"] for r in lines] == ["alert", "delivery_failure", "alert"]
    assert lines[1] == {
        "type": "delivery_failure",
        "at": "2026-02-06T01:01:01Z",
        "at_ms": 1_770_339_661_000,
        "channel": "command",
        "alert_id": ALERT.id,
        "reason": "exited with status 3: boom",
    }
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_read_alerts_skips_bad_lines_and_failures(tmp_path: Path) -> None:
    path = tmp_path / "alerts.jsonl"
    log = AlertLog(path)
    log.write_alert(ALERT)
    log.write_failure(DeliveryFailure(0, "command", "x", "r"))
    log.close()
    with path.open("a") as f:
        f.write("{not json\n")
        f.write('{"type": "alert", "id": 1}\n')
    assert read_alerts(path) == [ALERT]
    assert read_alerts(path, limit=0) == []
    assert read_alerts(tmp_path / "missing.jsonl") == []


def test_default_log_paths_keep_replays_apart(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRASHTUI_DATA_DIR", str(tmp_path))
    assert default_log_path("live") == tmp_path / "alerts.jsonl"
    assert default_log_path("replay") == tmp_path / "alerts-replay.jsonl"
