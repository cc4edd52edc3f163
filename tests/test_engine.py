"""Engine: replay clock before the first tick, state reset."""

from __future__ import annotations

from crashtui.config.schema import Config
from crashtui.engine import Engine, EngineOptions, ReplayOptions
from crashtui.replay.locate import locate_recording
from crashtui.timeparse import parse_instant


def test_analysis_before_replay_does_not_read_wall_time() -> None:
    """Reading the analysis before the player's first clock tick used to move the liquidation
    tally to wall time (months after the data), so every replayed liquidation was dropped."""
    until = parse_instant("2026-02-06T14:00Z")
    engine = Engine(
        Config(), (), EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None, None, until))
    )
    early = engine.analysis()
    assert early.generated_ms < until  # the recording's own time, not today
    engine.replay_to_end()
    day = engine.analysis().liquidations.window("24h")
    assert day is not None
    assert day.total.total_usd > 2.0e9
    assert engine.tally.dropped_late == 0
