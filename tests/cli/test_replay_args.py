"""Replay arguments: --replay list, each scenario's opening moment, impossible windows, --speed max."""

from __future__ import annotations

import argparse
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from crashtui.cli import build_parser, main
from crashtui.config.schema import Config
from crashtui.replay.catalog import TELLING_MOMENTS
from crashtui.replay.locate import bundled_scenarios, locate_recording
from crashtui.replay.window import RecordingRange, WindowError, check_window, recording_range
from crashtui.ui.session import DASHBOARD_SPEED, plan_from_args

SCENARIOS = ("aug-2024", "feb-2026", "oct-2025")
FEB_RANGE = "2026-01-15T00:00Z to 2026-02-21T00:00Z"


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


def parse(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(list(argv))


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_bundled_scenarios_are_the_three_crashes() -> None:
    assert tuple(bundled_scenarios()) == SCENARIOS


def test_replay_list_shows_each_scenario_with_window_moment_and_note(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_main(capsys, "--replay", "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert "feb-2026  2026-01-15 .. 2026-02-20" in lines
    assert "oct-2025  2025-09-26 .. 2025-10-24" in lines
    assert "aug-2024  2024-07-22 .. 2024-08-19" in lines
    for name in SCENARIOS:
        at = lines.index(next(line for line in lines if line.startswith(f"{name}  ")))
        assert lines[at + 1].startswith("  opens at ")
        assert lines[at + 2].startswith("  SCENARIO, not live data")


def test_replay_list_works_from_a_shell_too() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "crashtui", "--replay", "list"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count("opens at") == 3


@pytest.mark.parametrize("name", SCENARIOS)
def test_dashboard_opens_each_scenario_at_its_telling_moment(name: str) -> None:
    plan = plan_from_args(parse("--replay", name), _config())
    assert plan.start_ms == TELLING_MOMENTS[name].start_ms
    rng = recording_range(locate_recording(name))
    assert rng.start_ms is not None
    assert rng.end_ms is not None
    assert rng.start_ms < plan.start_ms < rng.end_ms


@pytest.mark.parametrize("name", SCENARIOS)
def test_the_dashboards_engine_starts_at_the_telling_moment(name: str) -> None:
    engine = plan_from_args(parse("--replay", name), _config()).build(())
    assert engine.replay is not None
    assert engine.replay.window.start_ms == TELLING_MOMENTS[name].start_ms
    assert engine.replay.window.until_ms is None


def test_replay_list_works_for_subcommands_too(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_main(capsys, "watch", "--replay", "list")
    assert code == 0
    assert out.count("opens at") == 3


def test_feed_is_accepted_before_and_after_watch() -> None:
    assert parse("--feed", "store", "watch").feed == "store"
    assert parse("watch", "--feed", "redis://desk:6379/0").feed == "redis://desk:6379/0"
    assert parse("--pane", "etf", "--feed", "direct").feed == "direct"
    with pytest.raises(SystemExit):
        parse("--feed", "http://nope")


def test_feed_reaches_the_dashboard_plan_and_the_engine_options(tmp_path: Path) -> None:
    from crashtui.assemble import options_from_args
    from crashtui.config.schema import StoreConfig

    config = Config(store=StoreConfig(path=str(tmp_path / "h.sqlite3")))
    assert plan_from_args(parse("--pane", "etf", "--feed", "store"), config).feed == "store"
    url = "redis://desk-server:6379/0"
    assert options_from_args(parse("--feed", url, "--once"), config, headless=True).feed == url
    stored = options_from_args(parse("--feed", "store", "--no-store"), config, headless=True)
    assert stored.feed == "store"
    assert stored.store_path == tmp_path / "h.sqlite3"  # --feed store insists on the store


@pytest.mark.parametrize("name", SCENARIOS)
def test_start_given_wins_over_the_telling_moment(name: str) -> None:
    rng = recording_range(locate_recording(name))
    assert rng.start_ms is not None
    start = rng.start_ms + 86_400_000
    text = datetime.fromtimestamp(start / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    assert plan_from_args(parse("--replay", name, "--start", text), _config()).start_ms == start


def _config() -> Config:
    return Config()


# --- impossible windows: one line naming the range, exit 2, for every mode ---------------------

MODES = {
    "dashboard": [],
    "once": ["--once"],
    "watch": ["watch"],
    "backtest": ["backtest"],
}
BAD_WINDOWS = {
    "future": (["--start", "2027-01-01"], "--start 2027-01-01: after the recording, which covers"),
    "after": (["--until", "2026-03-01T00:00Z"], "--until 2026-03-01T00:00Z: after the recording"),
    "before": (["--start", "2025-12-31"], "--start 2025-12-31: before the recording, which covers"),
    "reversed": (
        ["--start", "2026-02-10", "--until", "2026-02-06"],
        "--start 2026-02-10 is after --until 2026-02-06; the recording covers",
    ),
    "unparsable": (["--start", "yesterday"], "--start yesterday: not a time"),
}


@pytest.mark.parametrize("mode", sorted(MODES))
@pytest.mark.parametrize("bad", sorted(BAD_WINDOWS))
def test_impossible_window_exits_2_naming_the_range(
    capsys: pytest.CaptureFixture[str], mode: str, bad: str
) -> None:
    window, message = BAD_WINDOWS[bad]
    if mode in ("watch", "backtest"):
        argv = [*MODES[mode], "--replay", "feb-2026", *window]
    else:
        argv = ["--replay", "feb-2026", *window, *MODES[mode]]
    code, out, err = run_main(capsys, *argv)
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith(f"crashtui: error: {message}")
    assert FEB_RANGE in err


def test_backtest_checks_its_default_recording(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "backtest", "--until", "2020-01-01")
    assert code == 2
    assert FEB_RANGE in err


def test_backtest_all_refuses_a_window(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "backtest", "--all", "--start", "2026-02-06")
    assert code == 2
    assert "--all" in err
    assert err.count("\n") == 1


def test_a_checked_window_is_plain_epoch_ms() -> None:
    from crashtui.commands.args import check_replay_window

    args = parse("--replay", "feb-2026", "--start", "2026-02-06T12:00Z", "--until", "2026-02-07")
    assert args.start.text == "2026-02-06T12:00Z"  # the text typed, for an error message
    check_replay_window(args, _ms("2026-12-01T00:00"))
    assert (args.start, args.until) == (_ms("2026-02-06T12:00"), _ms("2026-02-07T00:00"))
    assert type(args.start) is int
    assert type(args.until) is int


def test_window_without_a_recording_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "--once", "--until", "2026-02-06")
    assert code == 2
    assert "only work with --replay" in err


def test_feed_and_replay_do_not_mix(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_main(capsys, "--replay", "feb-2026", "--feed", "store", "--once")
    assert code == 2
    assert "--feed" in err
    assert err.count("\n") == 1


@pytest.mark.parametrize(
    "argv", [["--speed", "10"], ["--speed", "max", "--once"], ["watch", "--speed", "max"]]
)
def test_speed_without_a_replay_is_a_usage_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    code, _, err = run_main(capsys, *argv)
    assert code == 2
    assert "--speed paces a replay" in err
    assert err.count("\n") == 1


def test_a_window_inside_the_recording_passes() -> None:
    rng = RecordingRange(_ms("2026-01-15T00:00"), _ms("2026-02-21T00:00"))
    now = _ms("2026-12-01T00:00")
    check_window(rng, _ms("2026-02-06T12:00"), _ms("2026-02-06T12:00"), now)  # start == until: that moment
    check_window(rng, rng.start_ms, rng.end_ms, now)  # both ends inclusive
    check_window(rng, None, None, now)


def test_future_is_judged_when_the_recording_has_no_end() -> None:
    rng = RecordingRange(_ms("2026-01-15T00:00"), None)
    with pytest.raises(WindowError, match="in the future; the recording covers 2026-01-15T00:00Z to"):
        check_window(rng, None, _ms("2026-06-01T00:00"), _ms("2026-05-01T00:00"))


def test_range_of_a_recording_without_a_window_comes_from_its_payloads(tmp_path: Path) -> None:
    from crashtui.model import RawPayload, freeze_params
    from crashtui.replay.recording import RecordingHeader, write_recording

    path = tmp_path / "s.jsonl.gz"
    payloads = [
        RawPayload("binance", "ticker", t, b"{}", freeze_params({}))
        for t in (_ms("2026-03-01T10:00"), _ms("2026-03-01T12:00"))
    ]
    write_recording(path, RecordingHeader(created_ms=0, label="s"), payloads)
    assert recording_range(path) == RecordingRange(_ms("2026-03-01T10:00"), _ms("2026-03-01T12:00"))


# --- --speed max --------------------------------------------------------------------------------


def test_speed_max_is_max_in_the_dashboard_not_the_default() -> None:
    assert plan_from_args(parse("--replay", "feb-2026"), _config()).speed == DASHBOARD_SPEED
    assert plan_from_args(parse("--replay", "feb-2026", "--speed", "max"), _config()).speed is None
    assert plan_from_args(parse("--replay", "feb-2026", "--speed", "2.5"), _config()).speed == 2.5


def test_speed_max_reaches_the_engine_options() -> None:
    from crashtui.assemble import options_from_args

    paced = options_from_args(parse("--replay", "feb-2026"), _config(), headless=False)
    fast = options_from_args(parse("--replay", "feb-2026", "--speed", "max"), _config(), headless=False)
    assert paced.replay is not None
    assert paced.replay.speed == 60.0
    assert fast.replay is not None
    assert fast.replay.speed is None
