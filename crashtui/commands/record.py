"""``crashtui record OUT [--duration D]``: record a live session's raw payloads for replay.

Every REST response and websocket frame goes to OUT (gzip JSON Lines, see
docs/recording-format.md) with credentials redacted, so ``crashtui --replay OUT`` re-runs
the real parsers on exactly what the providers sent. Stops after ``--duration`` or on
Ctrl-C / SIGTERM, and always closes the file cleanly.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crashtui.config import LoadedConfig

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_S = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """``90``, ``90s``, ``15m``, ``2h``, ``1d`` → seconds (argparse type)."""
    match = _DURATION.match(text.lower())
    if not match or float(match[1]) <= 0:
        raise argparse.ArgumentTypeError(f"expected a duration like 90s, 15m or 2h, got {text!r}")
    return float(match[1]) * _UNIT_S[match[2]]


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``record`` subcommand."""
    parser = subparsers.add_parser(
        "record",
        help="record the raw payloads of a live session to a file for --replay",
        description="Record every raw REST response and websocket frame of a live session "
        "(keys redacted) to OUT, a gzip-compressed JSON Lines file for --replay.",
    )
    common(parser)
    parser.add_argument("out", metavar="OUT", help="recording file to write (e.g. session.jsonl.gz)")
    parser.add_argument(
        "--duration",
        type=parse_duration,
        metavar="D",
        help="stop after D (e.g. 30m, 2h); default: until Ctrl-C",
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Record until the duration ends or the user interrupts."""
    import asyncio
    from pathlib import Path

    from crashtui.assemble import EngineOptions, build_engine
    from crashtui.commands.args import UsageError

    out = Path(args.out).expanduser()
    if out.is_dir():
        raise UsageError(f"{out} is a directory; give a file name like session.jsonl.gz")
    config = loaded.config
    watchlist = config.watchlist(args.watchlist).symbols
    engine = build_engine(config, watchlist, EngineOptions(record_path=out))
    return asyncio.run(_record(engine, out, args.duration))


async def _record(engine: Any, out: Any, duration: float | None) -> int:
    import asyncio
    import contextlib
    import signal
    import sys

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    print(f"crashtui: recording to {out} (Ctrl-C to stop)", file=sys.stderr)
    engine.start()
    started = loop.time()
    try:
        while not stop.is_set():
            remaining = None if duration is None else duration - (loop.time() - started)
            if remaining is not None and remaining <= 0:
                break
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=min(10.0, remaining or 10.0))
            print(f"crashtui: {_progress(engine)}", file=sys.stderr)
    finally:
        await engine.stop()
    print(f"crashtui: wrote {engine.recorded_count()} payloads to {out}", file=sys.stderr)
    return 0


def _progress(engine: Any) -> str:
    """One progress line; when nothing is reachable, say why for the first failing source."""
    from crashtui.model import SourceState
    from crashtui.textsafe import plain

    ok = engine.healthy_sources()
    line = f"{engine.recorded_count()} payloads recorded, {ok} sources ok"
    if ok == 0:
        failing = [s for s in engine.status_list() if s.state in (SourceState.FAILING, SourceState.BLOCKED)]
        if failing:
            first = failing[0]
            reason = plain(first.last_error or str(first.state), 120)
            line += f" (no source reachable: {first.source}: {reason})"
    return line
