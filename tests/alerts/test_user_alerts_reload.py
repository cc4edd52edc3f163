"""Live reload of the user's price alerts: new rules without a restart, other rules' state and
cooldowns kept, an invalid file reported once, and ``watch`` picking up a file change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crashtui.alerts import Alert, AlertManager
from crashtui.alerts.evaluator import Evaluator
from crashtui.config.alerts_reload import UserRulesWatch, file_stamp
from crashtui.config.alerts_schema import AlertsConfig, PriceCrossRule
from crashtui.config.loader import LoadedConfig, with_saved_alerts
from crashtui.config.reader import ConfigError
from crashtui.config.schema import Config
from crashtui.config.user_alerts import (
    add_alert,
    change_alert,
    edit_alert,
    is_user_rule,
    load_user_alerts,
    with_user_alerts,
    without_user_alerts,
)
from crashtui.engine import Engine
from tests.alerts.test_rules import FakeMarket

KNOWN = ("BTC", "ETH")
CONFIG_RULE = PriceCrossRule(
    name="btc 60k", severity="warning", cooldown_s=3600.0, symbol="BTC", level=60_000.0, direction="down"
)


def test_set_rules_keeps_unchanged_rules_state_and_cooldowns() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [CONFIG_RULE])
    market.at(0).price("BTC", 61_000.0)
    assert evaluator.evaluate() == []  # arms
    market.at(1).price("BTC", 59_000.0)
    assert [a.rule for a in evaluator.evaluate()] == ["btc 60k"]
    new = PriceCrossRule(
        name="BTC below 58,000 (#1)", severity="warning", cooldown_s=0.0, symbol="BTC", level=58_000.0
    )
    evaluator.set_rules([CONFIG_RULE, new])
    # the config rule is in its cooldown: a quick bounce and drop is held back, not fired again
    market.at(2).price("BTC", 61_000.0)
    assert evaluator.evaluate() == []
    market.at(3).price("BTC", 57_000.0)
    fired = [a.rule for a in evaluator.evaluate()]
    assert fired == ["BTC below 58,000 (#1)"]  # the new rule armed at 59,000 (above) and fired
    assert evaluator.suppressed == 1
    evaluator.set_rules([CONFIG_RULE])
    assert [r.name for r in evaluator.rules] == ["btc 60k"]


def test_a_rule_added_while_price_is_already_beyond_waits_for_the_next_cross() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [])
    market.at(0).price("BTC", 59_000.0)
    evaluator.evaluate()
    evaluator.set_rules([CONFIG_RULE])
    market.at(1).price("BTC", 58_000.0)
    assert evaluator.evaluate() == []  # already below at the add: no alert about history
    market.at(2).price("BTC", 61_000.0)
    evaluator.evaluate()
    market.at(3).price("BTC", 59_500.0)
    assert [a.rule for a in evaluator.evaluate()] == ["btc 60k"]


def test_rules_set_before_the_first_check_are_armed_by_it() -> None:
    market = FakeMarket()
    evaluator = Evaluator(market, [])
    evaluator.set_rules([CONFIG_RULE])
    market.at(0).price("BTC", 61_000.0)
    evaluator.evaluate()
    market.at(1).price("BTC", 59_000.0)
    assert [a.rule for a in evaluator.evaluate()] == ["btc 60k"]


def test_user_rules_are_told_apart_from_the_config_rules(tmp_path: Path) -> None:
    path = tmp_path / "user-alerts.json"
    add_alert("BTC below 62000", known_symbols=KNOWN, now_ms=1, path=path)
    add_alert("ETH crosses 1,826.5", known_symbols=KNOWN, now_ms=1, path=path)
    base = AlertsConfig(rules=(CONFIG_RULE,))
    merged = with_user_alerts(base, load_user_alerts(path), file=str(path))
    assert [is_user_rule(r) for r in merged.rules] == [False, True, True]
    assert without_user_alerts(merged) == base


def test_edit_keeps_the_id_and_mute_and_refuses_a_duplicate(tmp_path: Path) -> None:
    path = tmp_path / "user-alerts.json"
    add_alert("BTC below 62000", known_symbols=KNOWN, now_ms=1, path=path)
    add_alert("BTC below 60000", known_symbols=KNOWN, now_ms=1, path=path)
    change_alert(1, muted=True, path=path)
    edited = edit_alert(1, "BTC above 70k", known_symbols=KNOWN, path=path)
    assert (edited.id, edited.phrase, edited.muted) == (1, "BTC above 70,000", True)
    with pytest.raises(ValueError, match="already set: #2"):
        edit_alert(1, "BTC under 60,000", known_symbols=KNOWN, path=path)
    with pytest.raises(ValueError, match="cannot read"):
        edit_alert(1, "BTC sideways", known_symbols=KNOWN, path=path)
    with pytest.raises(KeyError):
        edit_alert(9, "BTC below 1", known_symbols=KNOWN, path=path)
    assert [a.phrase for a in load_user_alerts(path)] == ["BTC above 70,000", "BTC below 60,000"]


def test_the_watch_reads_changes_and_reports_a_bad_file_once(tmp_path: Path) -> None:
    path = tmp_path / "user-alerts.json"
    watch = UserRulesWatch(AlertsConfig(rules=(CONFIG_RULE,)), path)
    first = watch.poll()
    assert first.config is not None  # the first look (no file: no alerts)
    assert [r.name for r in first.config.rules] == ["btc 60k"]
    assert watch.poll().config is None  # unchanged: one stat, nothing read
    add_alert("BTC below 62000", known_symbols=KNOWN, now_ms=1, path=path)
    changed = watch.poll()
    assert changed.config is not None
    assert [r.name for r in changed.config.rules] == ["btc 60k", "BTC below 62,000 (#1)"]
    path.write_text("{broken", encoding="utf-8")
    bad = watch.poll()
    assert bad.config is None
    assert bad.error is not None
    assert "user-alerts.json: not JSON" in bad.error
    assert "\n" not in bad.error
    path.write_text("{broken!", encoding="utf-8")  # a new stamp, the same problem: not said again
    assert watch.poll() == type(bad)()
    assert watch.current().rules == changed.config.rules  # the last good alerts stay in force
    path.write_text(json.dumps({"alerts": []}), encoding="utf-8")
    fixed = watch.poll()
    assert fixed.config is not None
    assert fixed.error is None
    assert [r.name for r in fixed.config.rules] == ["btc 60k"]
    assert file_stamp(tmp_path / "absent.json") is None


def test_a_bad_file_at_start_warns_except_where_it_must_refuse(tmp_path: Path) -> None:
    path = tmp_path / "user-alerts.json"
    path.write_text("[1, 2", encoding="utf-8")
    loaded = LoadedConfig(Config(), None, "built-in defaults")
    with pytest.raises(ConfigError):
        with_saved_alerts(loaded, path)
    relaxed = with_saved_alerts(loaded, path, strict=False)
    assert relaxed.config == loaded.config
    assert len(relaxed.warnings) == 1
    assert "not JSON" in relaxed.warnings[0]


def test_watch_reload_hands_new_rules_to_the_manager_on_its_timer(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crashtui.commands.watch import RulesReload

    path = tmp_path / "user-alerts.json"
    market = FakeMarket()
    manager = AlertManager(market, AlertsConfig(rules=(CONFIG_RULE,), log=False))
    now = [0.0]
    reload = RulesReload(manager, path, clock=lambda: now[0])
    market.at(0).price("BTC", 61_000.0)
    manager.check()
    add_alert("BTC below 60500", known_symbols=KNOWN, now_ms=1, path=path)
    now[0] = 0.5
    reload()
    reload()  # called again at once: the first call already looked
    assert [r.name for r in manager.evaluator.rules] == ["btc 60k", "BTC below 60,500 (#1)"]
    add_alert("ETH below 1000", known_symbols=KNOWN, now_ms=1, path=path)
    now[0] = 1.0
    reload()  # within the poll interval: not looked at yet
    assert len(manager.evaluator.rules) == 2
    now[0] = 3.0
    reload()
    assert len(manager.evaluator.rules) == 3
    assert manager.check() == []  # the new rules arm at the price of their first check
    market.at(1).price("BTC", 59_000.0)
    assert sorted(a.rule for a in manager.check()) == ["BTC below 60,500 (#1)", "btc 60k"]
    assert "price alerts reloaded" in capsys.readouterr().err


async def test_watch_picks_up_an_alert_added_while_it_replays_and_fires_it_at_the_crossing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``crashtui watch --replay`` at max speed: ``crashtui alerts add`` from another terminal at
    11:00Z of the replay; the alert fires at the minute BTC first goes below the level."""
    import asyncio

    from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
    from crashtui.commands.watch import RulesReload, _replay_max
    from crashtui.timeparse import parse_instant
    from tests.ui.conftest import cut_recording

    start, added_at, end = (
        parse_instant(t) for t in ("2026-02-06T10:00Z", "2026-02-06T11:00Z", "2026-02-06T14:00Z")
    )
    level = 60_100.0
    recording = cut_recording(tmp_path, start, end, "watch-reload")
    path = tmp_path / "user-alerts.json"

    def engine() -> Engine:
        return build_engine(Config(), (), EngineOptions(replay=ReplayOptions(recording, None, start, end)))

    watched = engine()
    manager = AlertManager(watched, AlertsConfig(rules=(), log=False))
    fired: list[Alert] = []
    manager.subscribe(fired.append)
    wall = [0.0]

    def clock() -> float:
        # another terminal adds the alert at 11:00Z replay time; the next poll is due at once
        if watched.now_ms() >= added_at and not path.exists():
            add_alert("BTC below 60,100", known_symbols=KNOWN, now_ms=1, path=path)
        wall[0] += 1.0
        return wall[0]

    reload = RulesReload(manager, path, clock=clock)
    assert await _replay_max(watched, manager, asyncio.Event(), reload) == 0
    assert [a.rule for a in fired][:1] == ["BTC below 60,100 (#1)"]

    oracle, crossed_at, above = engine(), None, False
    for minute in oracle.replay_steps():
        ticker = oracle.state.tickers.get("BTC")
        if ticker is None or minute < added_at:
            continue
        if ticker.price >= level:
            above = True
        elif above and crossed_at is None:
            crossed_at = minute
    assert crossed_at is not None
    assert fired[0].at_ms == crossed_at
    assert "price alerts reloaded" in capsys.readouterr().err
