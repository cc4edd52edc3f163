"""``crashtui collect``: run the feed once for every pane on this machine (and the desk).

The collector polls and streams the providers (one upstream budget however many dashboards
are attached), keeps the history store, publishes every event to the store's feed log for
dashboards on this machine and, with ``--redis redis://…`` or ``[feed] redis_url``, to Redis
for dashboards anywhere. One collector per store: a second one exits with a clear message.
Runs until Ctrl-C / SIGTERM and shuts down cleanly.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TextIO

if TYPE_CHECKING:
    import asyncio

    from crashtui.config import LoadedConfig
    from crashtui.engine import Engine
    from crashtui.model import SourceStatus
    from crashtui.store.sqlite import StoreHealth

PROGRESS_EVERY_S = 60.0
ALERT_CHECK_S = 1.0
OFFLINE_SETTLE_S = 5.0  # failures are gathered this long before the offline notice is printed
COLLECTOR = "collector"  # a follower's status of the collector itself, not a provider


def _bad(status: SourceStatus) -> bool:
    from crashtui.model import SourceState

    return status.state in (SourceState.FAILING, SourceState.BLOCKED)


def reachable(statuses: Mapping[str, SourceStatus]) -> tuple[int, int, int]:
    """(ok, failing or blocked, enabled) over the providers' statuses, the dashboard's count."""
    from crashtui.model import SourceState

    enabled = [s for s in statuses.values() if s.state is not SourceState.DISABLED and s.source != COLLECTOR]
    ok = sum(1 for s in enabled if s.state is SourceState.OK)
    bad = sum(1 for s in enabled if _bad(s))
    return ok, bad, len(enabled)


class OfflineNotice:
    """The dashboard's "No network?" notice as plain lines for a headless collector.

    Printed once when nothing is reachable (after :data:`OFFLINE_SETTLE_S`, so it names every
    source that failed, not the first), one line per failing source with its error; and one line
    when the network is back. Errors are provider text: printed through :func:`plain`.
    """

    def __init__(self, settle_s: float = OFFLINE_SETTLE_S) -> None:
        self.settle_s = settle_s
        self._since: float | None = None
        self._shown = False

    def update(self, statuses: Mapping[str, SourceStatus], now_s: float) -> list[str]:
        """Lines to print now (usually none)."""
        from crashtui.textsafe import plain

        ok, bad, total = reachable(statuses)
        if ok == 0 and bad > 0:
            if self._shown:
                return []
            if self._since is None:
                self._since = now_s
            if now_s - self._since < self.settle_s:
                return []
            self._shown = True
            lines = [
                f"crashtui: No network? {ok} of {total} sources reachable; still trying "
                "(dashboards on this feed show the same; the offline demo: crashtui --replay feb-2026)"
            ]
            for name in sorted(statuses):
                status = statuses[name]
                if _bad(status) and name != COLLECTOR:
                    reason = plain(status.last_error or str(status.state), 160)
                    if not reason.startswith(f"{name} "):  # errors often name their source already
                        reason = f"{plain(name, 40)}: {reason}"
                    lines.append(f"crashtui: {reason}")
            return lines
        self._since = None
        if self._shown and ok > 0:
            self._shown = False
            return [f"crashtui: network back: {ok} of {total} sources reachable"]
        return []


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``collect`` subcommand."""
    from crashtui.commands.args import parse_feed

    parser = subparsers.add_parser(
        "collect",
        help="run one shared feed (no UI) that dashboards on this machine or desk follow",
        description="Poll and stream the providers once for every dashboard: write the history "
        "store, publish each event to the store's feed log and optionally to Redis.",
    )
    common(parser)
    parser.add_argument(
        "--redis",
        dest="redis_url",
        type=parse_feed,
        metavar="redis://HOST:PORT/DB",
        help="also publish to this Redis (default: [feed] redis_url)",
    )
    parser.add_argument("--no-streams", action="store_true", help="REST polling only, no liquidation streams")
    parser.set_defaults(command=run)


def collect_watchlist(loaded: LoadedConfig, name: str | None) -> tuple[str, ...]:
    """Symbols to collect: the named watchlist, else every configured watchlist together."""
    config = loaded.config
    if name:
        return config.watchlist(name).symbols
    merged: dict[str, None] = {}
    for wl in config.watchlists:
        merged.update(dict.fromkeys(wl.symbols))
    return tuple(merged)


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Run the collector until interrupted."""
    import sys

    from crashtui.assemble import EngineOptions, build_engine
    from crashtui.sharedfeed.lock import CollectorLock
    from crashtui.store.sqlite import default_store_path

    config = loaded.config
    store = default_store_path(config.store)
    lock = CollectorLock(store)
    if not lock.acquire():
        pid = lock.owner_pid()
        owner = f" (pid {pid})" if pid else ""
        print(f"crashtui: another collector{owner} is already running for {store}", file=sys.stderr)
        return 1
    redis_url = getattr(args, "redis_url", None) or config.feed.redis_url
    if redis_url in ("direct", "store"):
        redis_url = None
    options = EngineOptions(store_path=store, publish=True, redis_url=redis_url, streams=not args.no_streams)
    engine = build_engine(config, collect_watchlist(loaded, getattr(args, "watchlist", None)), options)
    where = f"{store}" + (f" and {redis_url}" if redis_url else "")
    print(
        f"crashtui: collecting {', '.join(engine.watchlist)} into {where} (Ctrl-C to stop)", file=sys.stderr
    )
    try:
        return asyncio.run(_collect(engine))
    finally:
        lock.release()


def _store_health(engine: Engine) -> StoreHealth | None:
    from crashtui.sinks.store import StoreSink

    for sink in engine.sinks:
        if isinstance(sink, StoreSink):
            return sink.health()
    return None


def store_failing(engine: Engine) -> bool:
    """Whether the collector's history store refuses writes now."""
    health = _store_health(engine)
    return health is not None and health.failing


def progress_line(engine: Engine) -> str:
    """``N sources ok``; while the store refuses writes, that first: ``writing failed: <reason>,
    N events waiting`` (never a claim of progress that is not being made)."""
    from crashtui.textsafe import plain

    ok = f"{engine.healthy_sources()} sources ok"
    health = _store_health(engine)
    if health is None or health.error is None:
        return ok
    reason = health.error.removeprefix("store write failed: ")
    line = f"writing failed: {plain(reason, 160)}, {health.waiting:,} events waiting"
    if health.dropped:
        line += f", {health.dropped:,} dropped"
    return f"{line}; {ok}"


async def _collect(engine: Engine, stop: asyncio.Event | None = None, err: TextIO | None = None) -> int:
    import asyncio
    import contextlib
    import signal
    import sys

    from crashtui.alerts import AlertManager

    out = err if err is not None else sys.stderr
    loop = asyncio.get_running_loop()
    if stop is None:
        stop = asyncio.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
    notice = OfflineNotice(OFFLINE_SETTLE_S)
    engine.load_history()
    # The collector evaluates the alert rules once for the desk: log and command hook.
    alerts = AlertManager(engine, engine.config.alerts, terminal=None)
    alerts.subscribe_failures(lambda failure: print(f"crashtui: alert delivery failed: {failure}", file=out))
    tasks = engine.start()
    last_progress = loop.time()
    was_failing = False
    try:
        while not stop.is_set():
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=ALERT_CHECK_S)
            alerts.check()
            for line in notice.update(engine.state.statuses, loop.time()):
                print(line, file=out, flush=True)
            for task in tasks:
                if task.done() and not task.cancelled() and task.exception() is not None:
                    print(f"crashtui: collector stopped: {task.exception()}", file=out)
                    return 1
            failing = store_failing(engine)
            if failing != was_failing or loop.time() - last_progress >= PROGRESS_EVERY_S:
                was_failing = failing
                last_progress = loop.time()
                print(f"crashtui: {progress_line(engine)}", file=out)
    finally:
        await engine.stop()
        await alerts.aclose()
        health = _store_health(engine)
        if health is not None and health.dropped:
            why = f": {health.error}" if health.error else ""
            print(f"crashtui: {health.dropped:,} events were never written to the store{why}", file=out)
    return 0
