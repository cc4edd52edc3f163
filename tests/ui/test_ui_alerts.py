"""Alerts in the dashboard: the alert line, bell and notifications, failures, the alert log screen,
rewinds."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot

from crashtui.alerts import Alert, read_alerts
from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.alerts_schema import AlertRule, AlertsConfig, FearGreedRule, ZoneRule
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.timeparse import parse_instant
from crashtui.ui.alerting import DashboardAlerts
from crashtui.ui.app import CrashApp
from crashtui.ui.screens.alerts import AlertLogScreen
from crashtui.ui.widgets.textview import TextView
from tests.ui.uihelpers import running_app

ETH_BREAK = ZoneRule(
    kind="zone_break",
    name="ETH 1826 break",
    severity="warning",
    cooldown_s=1800.0,
    symbol="ETH",
    level=1826.0,
)
EXTREME_FEAR = FearGreedRule(name="extreme fear", severity="warning", cooldown_s=21600.0, at_or_below=24.0)
T0055 = parse_instant("2026-02-06T00:55Z")
T0102 = parse_instant("2026-02-06T01:02Z")


def alerts_config(tmp_path: Path, rules: tuple[AlertRule, ...] = (ETH_BREAK,), **delivery: object) -> Config:
    """The default config with these rules, a log in ``tmp_path`` and no bell or notifications."""
    settings: dict[str, object] = {"bell": False, "desktop": "off", **delivery}
    alerts = AlertsConfig(rules=rules, log_path=str(tmp_path / "alerts.jsonl"), **settings)  # type: ignore[arg-type]
    return replace(Config(), alerts=alerts)


async def wait_until(pilot: Pilot[int], condition: Callable[[], bool], tries: int = 400) -> bool:
    """Let the app run until ``condition()`` holds (False if it never does)."""
    for _ in range(tries):
        if condition():
            return True
        await pilot.pause(0.02)
    return condition()


def log_screen_ready(app: CrashApp) -> bool:
    """The alert log screen is up, has read the log and has a frame to render."""
    screen = app.screen
    return isinstance(screen, AlertLogScreen) and screen.earlier is not None and screen.frame is not None


def toasts(app: CrashApp, text: str) -> list[object]:
    return [n for n in app._notifications if text in f"{n.title} {n.message}"]


def alert_row(app: CrashApp) -> str:
    """The visible screen's alert line ("" while it is hidden)."""
    rows = [w for w in app.screen.query(TextView) if w.id in ("alertline", "dd-alertline")]
    return rows[0].text.plain if rows and rows[0].has_class("-shown") else ""


async def test_a_scenario_alert_is_on_the_alert_line_and_on_the_alert_log_screen(
    eth_break_recording: Path, tmp_path: Path
) -> None:
    config = alerts_config(tmp_path)
    app = running_app(
        eth_break_recording, config=config, speed=600.0, start_ms=T0055, until_ms=T0102, tick_s=0.1
    )
    async with app.run_test(size=(200, 50)) as pilot:
        assert await wait_until(pilot, lambda: "ETH 1826 break" in alert_row(app))
        line = alert_row(app)
        assert line.startswith(" WARNING ")
        assert "ETH broke below the pinned 1,826 zone (1,824–1,828): 1h close 1,812 at 01:00Z" in line
        assert line.rstrip().endswith("d dismiss  z snooze")
        assert not toasts(app, "ETH 1826 break")  # nothing is drawn over the panes
        assert app.alerts is not None
        (alert,) = app.alerts.session()
        assert T0055 < alert.at_ms <= T0102  # the replay clock, not the wall clock
        assert alert.mode == "replay"

        await pilot.press("exclamation_mark")
        assert await wait_until(pilot, lambda: log_screen_ready(app))
        app.refresh_now(force=True)
        await pilot.pause()
        session = app.screen.query_one("#alerts-session", TextView).text.plain
        stamp = alert.at[5:10] + " " + alert.at[11:16] + "Z"  # 02-06 01:0xZ
        assert f"{stamp} WARNING  ETH 1826 break" in session
        assert "ETH broke below the pinned 1,826 zone" in session
        assert (
            "This session (1, replay clock)"
            in app.screen.query_one("#alerts-session-title", TextView).text.plain
        )
        # Already in the log file, and not listed a second time as an earlier alert.
        assert [a.rule for a in read_alerts(tmp_path / "alerts.jsonl")] == ["ETH 1826 break"]
        assert "no earlier alerts" in app.screen.query_one("#alerts-earlier", TextView).text.plain
        await pilot.press("q")
    assert app.return_code == 0


async def test_the_alert_log_screen_lists_earlier_sessions_from_the_log(
    eth_break_recording: Path, tmp_path: Path
) -> None:
    earlier = Alert(
        id="1",
        at_ms=parse_instant("2026-02-05T20:30Z"),
        rule="crash gauge extreme",
        kind="gauge",
        severity="critical",
        message="Crash gauge 75/100 EXTREME STRESS ≥ 75 [bold]x[/]",
        mode="replay",
    )
    log = tmp_path / "alerts.jsonl"
    log.write_text('{"type": "alert", ' + earlier.to_json()[1:] + "\nnot json\n", encoding="utf-8")
    app = running_app(eth_break_recording, config=alerts_config(tmp_path), start_ms=T0055, until_ms=T0102)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("exclamation_mark")
        assert await wait_until(pilot, lambda: log_screen_ready(app))
        app.refresh_now(force=True)
        await pilot.pause()
        text = app.screen.query_one("#alerts-earlier", TextView).text.plain
        assert "02-05 20:30Z CRITICAL crash gauge extreme" in text
        assert "[bold]x[/]" in text  # shown as written, never parsed as markup
        title = app.screen.query_one("#alerts-earlier-title", TextView).text.plain
        assert str(log) in title.replace("\n", "")  # wrapped, so a long path is read in full
        await pilot.press("question_mark")  # help names the log too
        await pilot.pause()
        app.refresh_now(force=True)
        await pilot.pause()
        assert f"alert log: {log} (! lists it)" in app.screen.query_one("#help-files", TextView).text.plain


def test_the_collectors_copy_of_a_shown_alert_is_not_listed_as_earlier(tmp_path: Path) -> None:
    """On a collector's feed the log is the collector's: it holds the alerts this dashboard
    showed too, stamped at the collector's own check a moment apart."""
    from crashtui.ui.screens.alerts import earlier_alerts

    shown_at = parse_instant("2026-02-06T14:00Z")
    message = "Crypto Fear & Greed 9 (Extreme Fear) ≤ 24"

    def alert(at_ms: int, n: str) -> Alert:
        return Alert(id=n, at_ms=at_ms, rule="extreme fear", kind="fear_greed", severity="warning",
                     message=message)  # fmt: skip

    log = tmp_path / "alerts.jsonl"
    lines = [
        alert(shown_at - 2 * 86_400_000, "1"),
        alert(shown_at + 800, "2"),
    ]  # days ago; the collector's copy
    log.write_text("".join('{"type": "alert", ' + a.to_json()[1:] + "\n" for a in lines), encoding="utf-8")
    fired = frozenset({(shown_at, "extreme fear", message)})
    assert [a.id for a in earlier_alerts(log, fired, 10)] == ["1"]
    assert [a.id for a in earlier_alerts(log, frozenset(), 10)] == ["2", "1"]


@pytest.mark.parametrize(
    ("command", "reason"),
    [
        pytest.param(
            (sys.executable, "-c", "import sys; print('[red]boom\\x1b[2J', file=sys.stderr); sys.exit(3)"),
            "exited with status 3: [red]boom",
            id="exits-3",
        ),
        pytest.param(("/nonexistent/page-me", "{message}"), "command not found", id="not-installed"),
        pytest.param(
            (sys.executable, "-c", "import time; time.sleep(30)"), "timed out after 0.3 s", id="hangs"
        ),
    ],
)
async def test_a_failing_hook_shows_an_error_toast_and_nothing_stops(
    eth_break_recording: Path, tmp_path: Path, command: tuple[str, ...], reason: str
) -> None:
    config = alerts_config(tmp_path, command=command, command_timeout_s=0.3)
    app = running_app(
        eth_break_recording, config=config, speed=600.0, start_ms=T0055, until_ms=T0102, tick_s=0.1
    )
    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: bool(toasts(app, "alert command failed")))
        (error,) = toasts(app, "alert command failed")
        assert error.severity == "error"  # type: ignore[attr-defined]
        message = str(error.message)  # type: ignore[attr-defined]
        assert reason in message
        assert "\x1b" not in message
        assert await wait_until(pilot, lambda: "ETH 1826 break" in alert_row(app))  # still shown
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, AlertLogScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
    assert app.return_code == 0
    failures = [
        line for line in (tmp_path / "alerts.jsonl").read_text().splitlines() if "delivery_failure" in line
    ]
    assert len(failures) == 1


def replay_engine(config: Config, recording: Path, start: str, until: str) -> Engine:
    options = ReplayOptions(recording, None, parse_instant(start), parse_instant(until))
    return build_engine(config, (), EngineOptions(replay=options))


def step_through(alerts: DashboardAlerts, engine: Engine, *, via_collector: bool = False) -> None:
    """Attach ``engine`` and evaluate after every replay minute, as the dashboard's tick does."""
    alerts.attach(engine, via_collector=via_collector)
    for _ in engine.replay_steps():
        alerts.check()


@pytest.fixture
def shown() -> list[Alert]:
    return []


@pytest.fixture
def errors() -> list[str]:
    return []


async def test_a_rewind_does_not_show_alerts_again_but_the_log_gets_the_second_pass(
    eth_break_recording: Path, tmp_path: Path, shown: list[Alert], errors: list[str]
) -> None:
    config = alerts_config(tmp_path, rules=(ETH_BREAK, EXTREME_FEAR))
    alerts = DashboardAlerts(config.alerts, toast=shown.append, error=errors.append)
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T00:50Z", "2026-02-06T01:05Z"))
    assert [a.rule for a in shown] == ["extreme fear", "ETH 1826 break"]
    # Seek back 20 minutes: a new engine and manager replay the same stretch.
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T00:45Z", "2026-02-06T01:05Z"))
    assert [a.rule for a in shown] == ["extreme fear", "ETH 1826 break"]
    assert alerts.repeats == 2  # fear re-armed while still extreme, and the same 01:00Z candle break
    assert [a.rule for a in alerts.session()] == ["ETH 1826 break", "extreme fear"]  # newest first
    await alerts.aclose()
    logged = [a.rule for a in read_alerts(tmp_path / "alerts.jsonl")]
    assert logged == ["extreme fear", "ETH 1826 break"] * 2
    assert len(alerts.fired_keys()) == 3  # both passes evaluated 01:01:00: the same break, the same line
    assert errors == []


@pytest.mark.parametrize("via_collector", [False, True], ids=["direct", "via-collector"])
async def test_a_dashboard_on_a_collectors_feed_shows_alerts_but_leaves_hook_and_log_to_it(
    eth_break_recording: Path, tmp_path: Path, shown: list[Alert], via_collector: bool
) -> None:
    """On a desk, N panes read one collector, which pages and logs once: a pane that also ran
    the hook would page the trader N+1 times for one zone break."""
    paged = tmp_path / "paged.txt"
    hook = (sys.executable, "-c", f"import sys; open({str(paged)!r}, 'a').write(sys.stdin.read() + '\\n')")
    config = alerts_config(tmp_path, command=hook)
    alerts = DashboardAlerts(config.alerts, toast=shown.append, error=print)
    engine = replay_engine(config, eth_break_recording, "2026-02-06T00:50Z", "2026-02-06T01:05Z")
    step_through(alerts, engine, via_collector=via_collector)
    assert alerts.log_path == tmp_path / "alerts.jsonl"  # the alert log screen reads this log
    await alerts.aclose()
    assert [a.rule for a in shown] == ["ETH 1826 break"]  # the pane shows it either way
    written = (tmp_path / "alerts.jsonl").exists()
    assert written is not via_collector
    assert paged.exists() is not via_collector


async def test_alerts_arm_where_the_replay_starts_not_on_the_way_there(
    small_recording: Path, tmp_path: Path
) -> None:
    """A replay started at a later moment catches up to it in chunks; a tick on the way must
    not arm the rules there, or everything between would fire as a burst of old alerts."""
    from crashtui.ui.options import UiOptions

    start = parse_instant("2026-02-06T13:30Z")
    config = alerts_config(tmp_path, rules=(EXTREME_FEAR,))
    options = EngineOptions(replay=ReplayOptions(small_recording, None, start, None))
    engine = build_engine(config, (), options)
    assert engine.replay is not None
    engine.replay.new_player(None)
    assert engine.player is not None
    app = CrashApp(config, engine=engine, options=UiOptions(start_engine=False, tick_s=3600.0))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app._attach_alerts(engine)
        assert app.alerts is not None
        assert app.alerts.manager is not None
        evaluator = app.alerts.manager.evaluator
        assert not engine.player._apply_until(engine.player.clock_ms, limit=20)  # part of the way
        assert engine.now_ms() < start
        app._tick()
        assert evaluator.armed_at_ms is None  # not armed on the way
        while not engine.player._apply_until(engine.player.clock_ms, limit=20):
            pass
        app._tick()
        assert evaluator.armed_at_ms == start
        await pilot.pause(0.05)
        await pilot.press("q")


async def test_a_rewind_to_before_the_session_start_shows_what_was_never_shown(
    eth_break_recording: Path, tmp_path: Path, shown: list[Alert]
) -> None:
    config = alerts_config(tmp_path, rules=(ETH_BREAK, EXTREME_FEAR))
    alerts = DashboardAlerts(config.alerts, toast=shown.append, error=print)
    # Started after the 01:00Z break: it is history for these rules.
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T01:02Z", "2026-02-06T01:05Z"))
    assert [a.rule for a in shown] == ["extreme fear"]
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T00:50Z", "2026-02-06T01:05Z"))
    assert [a.rule for a in shown] == ["extreme fear", "ETH 1826 break"]
    # Listed by replay time, newest first, though the break was shown last.
    assert [a.at for a in alerts.session()] == ["2026-02-06T01:02:00Z", "2026-02-06T01:01:00Z"]
    await alerts.aclose()


async def test_after_a_watchlist_switch_only_new_alerts_are_shown(
    eth_break_recording: Path, tmp_path: Path, shown: list[Alert]
) -> None:
    config = alerts_config(tmp_path, rules=(ETH_BREAK, EXTREME_FEAR))
    alerts = DashboardAlerts(config.alerts, toast=shown.append, error=print)
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T00:50Z", "2026-02-06T00:55Z"))
    assert [a.rule for a in shown] == ["extreme fear"]
    # The switch builds a new engine at the replay clock: its rules arm again at 00:55Z.
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T00:55Z", "2026-02-06T01:05Z"))
    assert [a.rule for a in shown] == ["extreme fear", "ETH 1826 break"]  # fear not again; the break is new
    assert alerts.repeats == 1
    await alerts.aclose()


async def test_bell_and_desktop_notifications_are_written_wrapped_for_tmux(
    eth_break_recording: Path, tmp_path: Path, shown: list[Alert]
) -> None:
    config = alerts_config(tmp_path, bell=True, desktop="both", toast=False)
    written: list[str] = []
    alerts = DashboardAlerts(
        config.alerts, toast=shown.append, error=print, terminal=written.append, env={"TMUX": "1"}
    )
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T00:55Z", "2026-02-06T01:05Z"))
    assert shown == []  # toast = false: listed, not toasted
    assert [a.rule for a in alerts.session()] == ["ETH 1826 break"]
    (data,) = written
    assert data.startswith("\a")  # the bell is never wrapped: tmux flags the window itself
    assert "\x1bPtmux;\x1b\x1b]9;crashtui: ETH broke below the pinned 1,826 zone" in data
    assert "\x1bPtmux;\x1b\x1b]777;notify;crashtui WARNING;ETH broke below" in data
    await alerts.aclose()


async def test_a_terminal_that_cannot_be_written_is_reported_once_and_never_raises(
    eth_break_recording: Path, tmp_path: Path, shown: list[Alert], errors: list[str]
) -> None:
    config = alerts_config(tmp_path, rules=(ETH_BREAK, EXTREME_FEAR), bell=True)
    calls: list[str] = []

    def broken(data: str) -> None:
        calls.append(data)
        raise OSError(5, "Input/output error")

    alerts = DashboardAlerts(config.alerts, toast=shown.append, error=errors.append, terminal=broken, env={})
    step_through(alerts, replay_engine(config, eth_break_recording, "2026-02-06T00:50Z", "2026-02-06T01:05Z"))
    assert [a.rule for a in shown] == ["extreme fear", "ETH 1826 break"]  # toasts go on
    assert calls == ["\a"]  # tried once, then left alone
    assert errors == ["alert bell/notification could not be written: OSError: [Errno 5] Input/output error"]
    await alerts.aclose()


async def test_a_rule_that_breaks_stops_the_alerts_not_the_dashboard(
    eth_break_recording: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = alerts_config(tmp_path)
    app = running_app(
        eth_break_recording, config=config, speed=600.0, start_ms=T0055, until_ms=T0102, tick_s=0.1
    )

    def broken(self: object) -> list[Alert]:
        raise ZeroDivisionError("division by zero")

    async with app.run_test(size=(120, 40)) as pilot:
        assert await wait_until(pilot, lambda: app.alerts is not None and app.alerts.manager is not None)
        assert app.alerts is not None
        assert app.alerts.manager is not None
        monkeypatch.setattr(type(app.alerts.manager.evaluator), "evaluate", broken)
        assert await wait_until(pilot, lambda: bool(toasts(app, "alert rules stopped")))
        (error,) = toasts(app, "alert rules stopped")
        assert "ZeroDivisionError: division by zero" in str(error.message)  # type: ignore[attr-defined]
        assert app.alerts.manager is None
        await pilot.press("l")  # the dashboard goes on
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("q")
    assert app.return_code == 0


async def test_a_forward_seek_shows_nothing_of_the_skipped_stretch_nor_repeats(
    eth_break_recording: Path, tmp_path: Path, shown: list[Alert]
) -> None:
    """Paused at 00:50Z and seeking to 01:02Z in the same engine: the 01:00Z break happened in
    the skipped stretch (history, as before start-up), and extreme fear, still true and already
    shown, is a repeat: nothing new reaches the alert line."""
    config = alerts_config(tmp_path, rules=(ETH_BREAK, EXTREME_FEAR))
    alerts = DashboardAlerts(config.alerts, toast=shown.append, error=print)
    engine = replay_engine(config, eth_break_recording, "2026-02-06T00:50Z", "2026-02-06T01:05Z")
    assert engine.replay is not None
    player = engine.replay.new_player(None)
    player.seek(0, jump=False)
    alerts.attach(engine)
    alerts.check()
    assert [a.rule for a in shown] == ["extreme fear"]
    player.seek(12 * 60_000)
    alerts.check()
    assert [a.rule for a in shown] == ["extreme fear"]
    assert alerts.repeats == 1  # fear, re-armed at 01:02Z while still extreme
    assert [a.at for a in alerts.session()] == ["2026-02-06T00:50:00Z"]
    await alerts.aclose()
