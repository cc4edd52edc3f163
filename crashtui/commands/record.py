"""``crashtui record OUT [--duration D]``: record a live session's raw payloads for replay.

Every REST response (error statuses included) and websocket frame goes to OUT (gzip JSON
Lines, see docs/recording-format.md) with credentials redacted, so ``crashtui --replay OUT``
re-runs the real parsers on exactly what the providers sent. Stops after ``--duration`` or
on Ctrl-C / SIGTERM, and always closes the file cleanly.

The progress line counts payloads on disk, never payloads merely received: while the disk
refuses writes it says ``writing failed: <reason>, N events waiting``. Exit 0 when payloads
were written, 3 when none were (with the reason), 1 when some could not be written.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crashtui.config import LoadedConfig
    from crashtui.model import SourceStatus
    from crashtui.replay.recording import RecorderHealth, RecordingWriter

PROGRESS_EVERY_S = 10.0
EXIT_USAGE = 2
EXIT_NOTHING = 3  # no payload recorded
EXIT_INCOMPLETE = 1  # some payloads could not be written

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
    try:
        engine = build_engine(config, watchlist, EngineOptions(record_path=out))
    except OSError as exc:
        from crashtui.textsafe import plain

        print(f"crashtui: error: cannot write {plain(str(out))}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    return asyncio.run(_record(engine, out, args.duration))


async def _record(engine: Any, out: Any, duration: float | None) -> int:
    import asyncio
    import contextlib
    import signal

    from crashtui.events import StatusEvent
    from crashtui.textsafe import plain

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    where = plain(str(out))
    print(f"crashtui: recording to {where} (Ctrl-C to stop)", file=sys.stderr)
    recorder = getattr(engine.feed, "recorder", None)  # kept: the feed lets go of it at close
    engine.start()
    started = loop.time()
    try:
        while not stop.is_set():
            remaining = None if duration is None else duration - (loop.time() - started)
            if remaining is not None and remaining <= 0:
                break
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(
                    stop.wait(), timeout=min(PROGRESS_EVERY_S, remaining or PROGRESS_EVERY_S)
                )
            if recorder is not None:
                engine.note(StatusEvent(recorder_status(recorder.health(), engine.clock.now_ms())))
            print(f"crashtui: {_progress(engine, recorder)}", file=sys.stderr)
    finally:
        await engine.stop()
    health = recorder.health() if recorder is not None else None
    written = health.written if health is not None else engine.recorded_count()
    if written == 0:
        print(f"crashtui: recorded no payloads: {_why_nothing(engine, health)}", file=sys.stderr)
        return EXIT_NOTHING
    line = f"crashtui: wrote {written} payloads to {where}"
    if health is not None and health.dropped:
        why = health.error or health.dropped_why or "the disk refused them"
        line += f"; {health.dropped} could not be written ({plain(why, 160)})"
        print(line, file=sys.stderr)
        return EXIT_INCOMPLETE
    print(line, file=sys.stderr)
    return 0


def recorder_status(health: RecorderHealth, now_ms: int) -> SourceStatus:
    """The ``recorder`` status: failing with the reason and what waits, else ok."""
    from crashtui.model import RECORDER_SOURCE, SourceState, SourceStatus
    from crashtui.textsafe import plain

    if health.error is None:
        return SourceStatus(RECORDER_SOURCE, SourceState.OK, now_ms)
    detail = f"{health.error}, {health.waiting:,} events waiting"
    if health.dropped:
        detail += f", {health.dropped:,} dropped"
    return SourceStatus(
        RECORDER_SOURCE,
        SourceState.FAILING,
        now_ms,
        last_error=plain(detail, 200),
        hint="free disk space: writing resumes by itself",
    )


def _why_nothing(engine: Any, health: RecorderHealth | None) -> str:
    """One line: why a recording holds no payload."""
    from crashtui.model import LOCAL_SOURCES, SourceState
    from crashtui.textsafe import plain

    if health is not None and health.error is not None:
        return plain(health.error, 160)
    failing = [
        s
        for s in engine.status_list()
        if s.state in (SourceState.FAILING, SourceState.BLOCKED) and s.source not in LOCAL_SOURCES
    ]
    if failing:
        first = failing[0]
        return f"no source answered ({first.source}: {plain(first.last_error or str(first.state), 120)})"
    return "no source answered before the recording stopped"


def _progress(engine: Any, recorder: RecordingWriter | None = None) -> str:
    """One progress line: payloads on disk, or why writing fails; when nothing is reachable,
    why for the first failing source."""
    from crashtui.model import LOCAL_SOURCES, SourceState
    from crashtui.textsafe import plain

    ok = engine.healthy_sources()
    health = recorder.health() if recorder is not None else None
    if health is not None and health.error is not None:
        line = (
            f"{plain(health.error, 120)}, {health.waiting:,} events waiting "
            f"({health.written:,} payloads recorded, {ok} sources ok)"
        )
        if health.dropped:
            line += f", {health.dropped:,} dropped"
        return line
    written = health.written if health is not None else engine.recorded_count()
    line = f"{written} payloads recorded, {ok} sources ok"
    if ok == 0:
        failing = [
            s
            for s in engine.status_list()
            if s.state in (SourceState.FAILING, SourceState.BLOCKED) and s.source not in LOCAL_SOURCES
        ]
        if failing:
            first = failing[0]
            reason = plain(first.last_error or str(first.state), 120)
            line += f" (no source reachable: {first.source}: {reason})"
    return line
