"""A replay seek forward: what happened in the skipped stretch is history, never an alert
stamped with the new time (the tester's feb-2026 case: paused at 02-06 12:08, one day on)."""

from __future__ import annotations

from crashtui.alerts import AlertManager
from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.replay.locate import locate_recording
from crashtui.replay.player import Player
from crashtui.timeparse import parse_instant

DAY_MS = 86_400_000
START = parse_instant("2026-02-06T12:08Z")


def paused_at_start() -> tuple[Engine, Player]:
    config = Config()
    options = EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), 60.0, START, None))
    engine = build_engine(config, (), options)
    assert engine.replay is not None
    player = engine.replay.new_player(60.0)
    player.seek(0, jump=False)  # what the paced player does first: catch up to the start
    player.toggle_pause()
    return engine, player


def test_a_forward_seek_fires_nothing_for_the_skipped_stretch() -> None:
    engine, player = paused_at_start()
    manager = AlertManager(engine, engine.config.alerts, log_path=None)
    manager.check()  # armed at 02-06 12:08, before the 13:14Z and 13:41Z cascades
    player.seek(DAY_MS)
    assert engine.now_ms() == START + DAY_MS
    fired = [a.message for a in manager.check()]
    # the cascades ended on 02-06 and ETH's reclaim was at 02-06 17:00Z: both are over
    assert not [m for m in fired if "cascade" in m or "reclaimed" in m], fired
    assert engine.analysis().liquidations.cascade is None  # the Liquidations pane's "no cascade"
    assert manager.evaluator.armed_at_ms == START + DAY_MS


def test_steps_of_a_headless_replay_are_not_seeks() -> None:
    """``crashtui watch --replay`` steps a minute at a time and evaluates between steps: the
    rules must keep their state (a cascade that opens during the steps fires)."""
    engine, player = paused_at_start()
    manager = AlertManager(engine, engine.config.alerts, log_path=None)
    manager.check()
    fired: list[str] = []
    for _ in range(120):  # to 14:08Z, through the 13:14Z and 13:41Z cascades
        player.seek(60_000, jump=False)
        fired += [a.message for a in manager.check()]
    assert player.seeks == 0
    assert manager.evaluator.armed_at_ms == START
    assert any("Liquidation cascade since 13:41Z" in m for m in fired), fired
