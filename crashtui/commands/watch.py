"""``crashtui watch``: evaluate the alert rules headless, on live data or a replay, and deliver alerts.

No UI: for a server under systemd or a tmux window. Each alert goes to the JSONL alert log, to
the ``[alerts] command`` hook, and to stdout as one line (one JSON object with ``--json``); the
bell and OSC notifications are sent only when stdout is a terminal. Notes and delivery failures
go to stderr.

* The user's price alerts (``crashtui alerts add``, or added in the dashboard) are read again
  within two seconds of a change to their file, while watch runs (live and replay); the other
  rules keep their state and cooldowns.
* Live: runs until SIGINT or SIGTERM, then stops the feeds, waits for running commands (each
  bounded by ``command_timeout_s``), closes the log and exits 0. Rules are checked every second.
* Replay at ``--speed max`` (the default here): rules are checked after every replay minute, so
  every price tick, candle close and cascade is seen in order; exits 0 at the end of the recording.
  A paced replay (``--speed 60``) is checked every quarter second.
* A replay stopped by SIGINT or SIGTERM before its end says so (at which replay time) and exits
  128 + the signal's number (130, 143), as a command killed by it would: its alerts are not
  the whole recording's.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

    from crashtui.alerts import Alert, AlertManager, DeliveryFailure
    from crashtui.config import LoadedConfig
    from crashtui.engine import Engine

EXIT_OK = 0
EXIT_FEED_FAILED = 1
EXIT_NO_RULES = 2
EXIT_SIGNAL_BASE = 128  # a replay cut short by signal N exits 128 + N (the shell's convention)
LIVE_CHECK_S = 1.0
PACED_CHECK_S = 0.25


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``watch`` subcommand."""
    from crashtui.commands.args import FEED_METAVAR, SpeedAction, instant_arg, parse_feed
    from crashtui.timeparse import parse_speed

    parser = subparsers.add_parser(
        "watch",
        help="check the alert rules without a UI (live or --replay) and deliver alerts",
        description="Evaluate the [alerts] rules on live data (until SIGINT/SIGTERM) or on a replay "
        "(to its end), and deliver each alert to the alert log, the [alerts] command and stdout.",
    )
    common(parser)
    keep = argparse.SUPPRESS  # do not reset what the main parser set
    parser.add_argument(
        "--replay", metavar="NAME|PATH", default=keep, help="replay a recording (bundled: feb-2026)"
    )
    parser.add_argument(
        "--speed",
        type=parse_speed,
        action=SpeedAction,
        default=keep,
        metavar="N|max",
        help="replay speed (default: max)",
    )
    parser.add_argument("--start", type=instant_arg, default=keep, metavar="ISO", help="replay: start here")
    parser.add_argument("--until", type=instant_arg, default=keep, metavar="ISO", help="replay: stop here")
    parser.add_argument(
        "--feed",
        type=parse_feed,
        default=keep,
        metavar=FEED_METAVAR,
        help="live data from a collector (store or redis://…) instead of the providers",
    )
    parser.add_argument(
        "--log", metavar="PATH", help="alert log file (default: [alerts] log_path or the data dir)"
    )
    parser.add_argument("--json", action="store_true", default=keep, help="print each alert as one JSON line")
    parser.add_argument(
        "--no-store", action="store_true", default=keep, help="do not write the history store"
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Build the engine, run until the end (replay) or a signal (live), return the exit code."""
    from crashtui.headless.once import build_engine

    rules = [r for r in loaded.config.alerts.rules if r.enabled]
    if not rules:
        print(
            "crashtui: error: no alert rules are enabled; add [[alerts.rules]] to the config "
            "(see config.example.toml)",
            file=sys.stderr,
        )
        return EXIT_NO_RULES
    engine = build_engine(args, loaded, headless=args.speed is None)
    return asyncio.run(_watch(engine, args))


async def _watch(engine: Engine, args: argparse.Namespace) -> int:
    from pathlib import Path

    from crashtui.alerts import AlertManager
    from crashtui.alerts.advice import rule_notes

    printer = _Printer(as_json=bool(getattr(args, "json", False)))
    terminal = _terminal_writer() if sys.stdout.isatty() else None
    log_path = Path(args.log).expanduser() if args.log else None
    manager = AlertManager(engine, engine.config.alerts, terminal=terminal, log_path=log_path)
    manager.subscribe(printer.alert)
    manager.subscribe_failures(printer.failure)
    reload = RulesReload(manager)
    with _stop_on_signals() as stop:  # before the banner: a supervisor may signal once it sees it
        _note(_banner(engine, manager))
        for note in rule_notes(engine.config, manager.config, engine.watchlist, engine.pinned_zones):
            _note(f"note: {note}")
        try:
            if engine.replay is None:
                code = await _live(engine, manager, stop, reload)
            elif engine.replay.speed is None:
                code = await _replay_max(engine, manager, stop, reload)
            else:
                code = await _replay_paced(engine, manager, stop, reload)
        finally:
            await manager.aclose()
            await engine.stop()
    interrupted = _interrupted_by(engine, stop)
    _note(_summary(engine, manager, interrupted))
    return EXIT_SIGNAL_BASE + interrupted if interrupted is not None else code


def _interrupted_by(engine: Engine, stop: StopEvent) -> int | None:
    """The signal that cut a replay short, None when it ran to its end (or is live: there a
    signal is the way to stop)."""
    if engine.replay is None or stop.signum is None:
        return None
    player = engine.player
    if player is not None and (player.finished or player.clock_ms >= player.end_ms):
        return None  # the signal came after the last step: nothing was left out
    return stop.signum


async def _live(engine: Engine, manager: AlertManager, stop: asyncio.Event, reload: RulesReload) -> int:
    tasks = engine.start()
    while not stop.is_set():
        reload()
        manager.check()
        if tasks and all(t.done() for t in tasks):
            error = next((t.exception() for t in tasks if not t.cancelled() and t.exception()), None)
            _note(f"error: the live feed stopped: {error or engine.failure or 'no reason given'}")
            return EXIT_FEED_FAILED
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), LIVE_CHECK_S)
    return EXIT_OK


async def _replay_max(engine: Engine, manager: AlertManager, stop: asyncio.Event, reload: RulesReload) -> int:
    for _ in engine.replay_steps():
        reload()
        manager.check()
        await asyncio.sleep(0)  # let command hooks and signal handlers run
        if stop.is_set():
            break
    return EXIT_OK


async def _replay_paced(
    engine: Engine, manager: AlertManager, stop: asyncio.Event, reload: RulesReload
) -> int:
    tasks = engine.start()
    while not stop.is_set():
        reload()
        manager.check()
        if engine.player is not None and engine.player.finished:
            break
        if tasks and all(t.done() for t in tasks):
            break
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(stop.wait(), PACED_CHECK_S)
    return EXIT_OK


class RulesReload:
    """Reads the user's price alerts again when their file changed, at most every
    :data:`~crashtui.config.alerts_reload.POLL_S` seconds of wall time (a replay at max speed
    calls it after every replay minute), and hands the new rules to ``manager``."""

    def __init__(
        self, manager: AlertManager, path: Path | None = None, clock: Callable[[], float] | None = None
    ) -> None:
        import time

        from crashtui.config.alerts_reload import UserRulesWatch
        from crashtui.config.user_alerts import user_alerts_path

        self.manager = manager
        self.watch = UserRulesWatch(manager.config, path or user_alerts_path())
        self._clock = clock or time.monotonic
        self._due = self._clock()
        found = self.watch.poll()  # an invalid file was reported at start, by the CLI
        if found.config is not None:
            manager.set_rules(found.config.rules)  # the same rules unless it changed since

    def __call__(self) -> None:
        now = self._clock()
        if now < self._due:
            return  # called after every replay minute at max speed: this must cost nothing
        from crashtui.config.alerts_reload import POLL_S
        from crashtui.textsafe import plain

        self._due = now + POLL_S
        found = self.watch.poll()
        if found.error is not None:
            _note(f"warning: {plain(found.error, 400)}")
        if found.config is not None:
            self.manager.set_rules(found.config.rules)
            count = len(self.watch.alerts or ())
            _note(f"price alerts reloaded from {plain(str(self.watch.path), 300)}: {count} saved")


class StopEvent(asyncio.Event):
    """An event set by a signal, remembering the first signal's number."""

    signum: int | None = None

    def stop_by(self, signum: int) -> None:
        """Set the event on behalf of signal ``signum``."""
        if self.signum is None:
            self.signum = signum
        self.set()


@contextlib.contextmanager
def _stop_on_signals() -> Iterator[StopEvent]:
    """SIGINT and SIGTERM set the yielded event instead of killing the process (restored after)."""
    import signal

    loop = asyncio.get_running_loop()
    event = StopEvent()
    installed = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, event.stop_by, int(sig))
            installed.append(sig)
        except (NotImplementedError, RuntimeError, ValueError):  # pragma: no cover - not POSIX main thread
            continue
    try:
        yield event
    finally:
        for sig in installed:
            loop.remove_signal_handler(sig)


class _Printer:
    """Alerts to stdout (text or JSON lines), delivery failures to stderr; survives a closed pipe."""

    def __init__(self, *, as_json: bool) -> None:
        self.as_json = as_json
        self._stdout_ok = True

    def alert(self, alert: Alert) -> None:
        if not self._stdout_ok:
            return
        try:
            sys.stdout.write((alert.to_json() if self.as_json else alert.line()) + "\n")
            sys.stdout.flush()
        except (BrokenPipeError, OSError):
            self._stdout_ok = False

    def failure(self, failure: DeliveryFailure) -> None:
        _note(f"warning: {failure.channel} failed for alert {failure.alert_id}: {failure.reason}")


def _terminal_writer() -> Callable[[str], None]:
    def write(data: str) -> None:
        sys.stdout.write(data)
        sys.stdout.flush()

    return write


def _note(text: str) -> None:
    with contextlib.suppress(OSError):
        print(f"crashtui watch: {text}", file=sys.stderr, flush=True)


def _banner(engine: Engine, manager: AlertManager) -> str:
    from crashtui.textsafe import plain

    rules = manager.evaluator.rules
    where = "live data"
    if engine.header is not None:
        kind = "scenario, not live data" if engine.header.scenario else "recording"
        where = f"replay of {plain(engine.header.label)} ({kind})"
    command = manager.config.command[0] if manager.config.command else "none"
    log = str(manager.log_path) if manager.log_path is not None else "off"
    names = ", ".join(r.name for r in rules)
    return f"{len(rules)} rules ({names}) on {where}; alert log: {log}; command: {command}"


def _summary(engine: Engine, manager: AlertManager, interrupted: int | None = None) -> str:
    held = f" ({manager.suppressed} more held back by cooldowns)" if manager.suppressed else ""
    failures = len(manager.failures())
    from crashtui.numfmt import counted

    fired, failed = counted(manager.fired, "alert"), counted(failures, "delivery failure")
    return f"{_how_it_ended(engine, interrupted)}: {fired}{held}, {failed}"


def _how_it_ended(engine: Engine, interrupted: int | None) -> str:
    import signal

    from crashtui.timeparse import iso_utc

    if engine.replay is None:
        return "stopped"
    if interrupted is None:
        return f"replay ended at {iso_utc(engine.now_ms())}"
    name = signal.Signals(interrupted).name
    end = f" (the replay runs to {iso_utc(engine.player.end_ms)})" if engine.player is not None else ""
    return f"replay interrupted by {name} at {iso_utc(engine.now_ms())}{end}"
