"""The one place an engine is put together: which feed, which sinks, for every command.

The dashboard, ``--once``, ``watch``, ``record`` and ``collect`` describe what they need as
:class:`EngineOptions` and call :func:`build_engine`; nothing else constructs feeds or sinks.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.clock import SYSTEM_CLOCK, Clock
from crashtui.config.schema import Config
from crashtui.events import Event

if TYPE_CHECKING:
    from crashtui.engine import Engine
    from crashtui.feeds.base import Feed
    from crashtui.feeds.live import ClientFactory
    from crashtui.replay.recording import RecordingWriter
    from crashtui.sinks.base import Sink

DIRECT = "direct"
STORE = "store"
REDIS_SCHEMES = ("redis://", "rediss://", "unix://")


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    """What to replay and how fast (``speed`` None: as fast as possible)."""

    path: Path
    speed: float | None = 60.0
    start_ms: int | None = None
    until_ms: int | None = None


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """What an engine is for: replay or live, where live data comes from, what it keeps.

    ``feed`` is ``direct`` (poll and stream the providers), ``store`` (follow a collector
    through ``store_path``) or a ``redis://`` URL (follow a collector across machines).
    ``publish`` makes a collector: every event also goes to the store's feed log and, with
    ``redis_url``, to Redis.
    """

    replay: ReplayOptions | None = None
    store_path: Path | None = None
    record_path: Path | None = None
    streams: bool = True
    feed: str = DIRECT
    publish: bool = False
    redis_url: str | None = None


def build_engine(
    config: Config,
    watchlist: tuple[str, ...],
    options: EngineOptions = EngineOptions(),
    *,
    clock: Clock = SYSTEM_CLOCK,
    on_change: Callable[[], None] | None = None,
    client_factory: ClientFactory | None = None,
) -> Engine:
    """A new, not yet started engine for ``options`` (reads a recording's header: call it off
    the event loop in the UI). In replay an empty ``watchlist`` means the recording's own."""
    from crashtui.engine import Engine

    feed = _feed(config, watchlist, options, clock, client_factory)
    if options.replay is not None and not watchlist and feed.header is not None:
        watchlist = feed.header.watchlist
    engine = Engine(config, watchlist, feed, _sinks(config, options, clock), clock=clock, on_change=on_change)
    from crashtui.sinks.store import StoreSink

    for sink in engine.sinks:
        if isinstance(sink, StoreSink):
            sink.report = engine.note  # the store's own status: failing with the reason, shown
    if options.publish and options.redis_url:
        from crashtui.sharedfeed.redis_feed import RedisPublisher, state_events

        store_path = options.store_path

        def snapshot() -> list[Event]:
            return state_events(engine.state.snapshot(), store_path, engine.watchlist)

        engine.add_sink(RedisPublisher(options.redis_url, snapshot, engine.note, clock=clock))
    return engine


def _feed(
    config: Config,
    watchlist: tuple[str, ...],
    options: EngineOptions,
    clock: Clock,
    client_factory: ClientFactory | None,
) -> Feed:
    if options.replay is not None:
        from crashtui.feeds.replay import ReplayFeed
        from crashtui.replay.player import ReplayWindow
        from crashtui.replay.recording import RecordingSource

        recording = RecordingSource(options.replay.path)
        window = ReplayWindow(options.replay.start_ms, options.replay.until_ms)
        return ReplayFeed(recording, header=recording.header, speed=options.replay.speed, window=window)
    if options.feed == STORE:
        from crashtui.feeds.followers import StoreFollower

        if options.store_path is None:
            raise ValueError("--feed store needs a history store")
        return StoreFollower(options.store_path, watchlist, clock=clock)
    if options.feed != DIRECT:
        from crashtui.feeds.followers import RedisFollower

        return RedisFollower(options.feed, clock=clock)
    from crashtui.feeds.live import LiveFeed

    return LiveFeed(
        config,
        watchlist,
        clock=clock,
        streams=options.streams,
        recorder=_recorder(config, watchlist, options, clock),
        history=options.store_path,
        client_factory=client_factory,
    )


def _recorder(
    config: Config, watchlist: tuple[str, ...], options: EngineOptions, clock: Clock
) -> RecordingWriter | None:
    if options.record_path is None:
        return None
    from crashtui.replay.recording import RecordingHeader, RecordingWriter

    header = RecordingHeader(
        created_ms=clock.now_ms(),
        label=options.record_path.name,
        watchlist=watchlist,
        pinned_zones=dict(config.zones),
    )
    return RecordingWriter(options.record_path, header)


def _sinks(config: Config, options: EngineOptions, clock: Clock) -> list[Sink]:
    if options.replay is not None or options.feed != DIRECT or options.store_path is None:
        return []
    from crashtui.sinks.store import StoreSink

    return [StoreSink(options.store_path, config.store, publish=options.publish, clock=clock)]


def choose_feed(flag: str | None, config: Config, store: Path | None) -> str:
    """Where live data comes from: ``--feed``, else ``[feed] redis_url``, else a running
    collector on the same store, else the providers directly."""
    if flag is not None:
        return flag
    if config.feed.redis_url:
        return config.feed.redis_url
    if store is not None:
        from crashtui.sharedfeed.lock import collector_alive

        if collector_alive(store):
            return STORE
    return DIRECT


def options_from_args(args: argparse.Namespace, config: Config, *, headless: bool) -> EngineOptions:
    """The engine options the dashboard, ``--once`` and ``watch`` arguments ask for.

    Headless replays run as fast as possible unless ``--speed`` says otherwise.
    """
    from crashtui.store.sqlite import default_store_path

    if getattr(args, "replay", None):
        from crashtui.replay.locate import locate_recording

        path = locate_recording(args.replay)
        given = getattr(args, "speed_given", False)  # --speed max is None: never the default 60
        speed = None if headless else (args.speed if given else 60.0)
        return EngineOptions(replay=ReplayOptions(path, speed, args.start, args.until))
    store = None if getattr(args, "no_store", False) else default_store_path(config.store)
    feed = choose_feed(getattr(args, "feed", None), config, store)
    if feed == STORE and store is None:
        store = default_store_path(config.store)
    return EngineOptions(store_path=store, feed=feed)


def watchlist_from_args(args: argparse.Namespace, config: Config) -> tuple[str, ...]:
    """The watchlist the arguments name; empty in replay without ``--watchlist`` (the
    recording's own)."""
    named = getattr(args, "watchlist", None)
    if getattr(args, "replay", None) and not named:
        return ()
    return config.watchlist(named).symbols
