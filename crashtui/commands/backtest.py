"""``crashtui backtest``: replay a recording (or every bundled crash) and judge the radar.

Every enabled alert rule (the defaults include the crash gauge) is evaluated through the
replay at a fixed step, exactly as ``crashtui watch`` would, without delivering anything. The
table says, per scenario and rule, how many times it fired, how many hours before the deepest
low it first fired, and how many firings were false alarms (no fall followed). See
:mod:`crashtui.analysis.backtest` for the rules of judgement.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crashtui.analysis.backtest import BacktestReport
    from crashtui.config import LoadedConfig

STEP_MIN = 5
DEFAULT_REPLAY = "feb-2026"


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``backtest`` subcommand."""
    from crashtui.commands.args import instant_arg

    parser = subparsers.add_parser(
        "backtest",
        help="replay a recording (or every bundled crash) and report how early each alert rule fired",
        description="Evaluate the gauge and every enabled alert rule through a replay and report, per "
        "rule, when it first fired before the deepest low and how often it fired without a crash.",
    )
    common(parser)
    keep = argparse.SUPPRESS
    parser.add_argument(
        "--replay", metavar="NAME|PATH", default=keep, help="the recording (default: feb-2026)"
    )
    parser.add_argument("--all", action="store_true", help="every bundled scenario")
    parser.add_argument(
        "--start", type=instant_arg, default=keep, metavar="ISO", help="judge from this UTC time"
    )
    parser.add_argument(
        "--until", type=instant_arg, default=keep, metavar="ISO", help="judge up to this UTC time"
    )
    parser.add_argument("--json", action="store_true", default=keep, help="print JSON instead of a table")
    parser.add_argument(
        "--step",
        type=int,
        default=STEP_MIN,
        metavar="MIN",
        help=f"evaluate every MIN replay minutes ({STEP_MIN})",
    )
    parser.set_defaults(command=run, default_replay=DEFAULT_REPLAY)


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Backtest the asked recordings and print the report."""
    from crashtui.analysis.backtest import report_json, report_table
    from crashtui.replay.locate import bundled_scenarios, locate_recording

    if args.step < 1:
        print("crashtui: error: --step must be at least 1 minute", file=sys.stderr)
        return 2
    start, until = getattr(args, "start", None), getattr(args, "until", None)
    if args.all and (start is not None or until is not None):
        print("crashtui: error: --start/--until judge one recording; drop --all or them", file=sys.stderr)
        return 2
    names = list(bundled_scenarios()) if args.all else [getattr(args, "replay", None) or DEFAULT_REPLAY]
    reports = [
        backtest_one(name, str(locate_recording(name)), loaded, args.step, start_ms=start, until_ms=until)
        for name in names
    ]
    if getattr(args, "json", False):
        import json

        print(json.dumps(report_json(reports), indent=1))
    else:
        print(report_table(reports))
    return 0


def backtest_one(
    name: str,
    path: str,
    loaded: LoadedConfig,
    step_min: int,
    *,
    start_ms: int | None = None,
    until_ms: int | None = None,
) -> BacktestReport:
    """One recording through the alert evaluator; firings judged against its BTC (or first
    symbol's) hourly closes."""
    from pathlib import Path

    from crashtui.alerts.evaluator import Evaluator
    from crashtui.analysis.backtest import judge
    from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
    from crashtui.model import Interval
    from crashtui.textsafe import plain

    config = loaded.config
    replay = ReplayOptions(Path(path), None, start_ms, until_ms)
    engine = build_engine(config, (), EngineOptions(replay=replay))
    # A position rule with no positions configured can never fire: it is no signal to judge.
    rules = [
        r
        for r in config.alerts.rules
        if r.enabled and (config.positions or not r.kind.startswith("position_"))
    ]
    evaluator = Evaluator(engine, rules)
    firings: dict[str, list[int]] = {r.name: [] for r in rules}
    for clock_ms in engine.replay_steps(step_min * 60_000):
        for alert in evaluator.evaluate():
            firings.setdefault(alert.rule, []).append(clock_ms)
    symbol = "BTC" if "BTC" in engine.watchlist else (engine.watchlist[0] if engine.watchlist else "BTC")
    candles = engine.state.snapshot().candles.get((symbol, Interval.H1), ())
    closes = [(c.open_ms + Interval.H1.ms, c.close) for c in candles if c.closed]
    return judge(plain(name, 40), closes, firings)
