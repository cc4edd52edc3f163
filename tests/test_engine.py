"""Engine: replay clock before the first tick, state reset."""

from __future__ import annotations

from pathlib import Path

import pytest

from crashtui.analysis.market import tally_stats
from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.schema import Config
from crashtui.replay.locate import locate_recording
from crashtui.timeparse import parse_instant


def test_analysis_before_replay_does_not_read_wall_time() -> None:
    """Reading the analysis before the player's first clock tick used to move the liquidation
    tally to wall time (months after the data), so every replayed liquidation was dropped."""
    until = parse_instant("2026-02-06T14:00Z")
    engine = build_engine(
        Config(), (), EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None, None, until))
    )
    early = engine.analysis()
    assert early.generated_ms < until  # the recording's own time, not today
    engine.replay_to_end()
    day = engine.analysis().liquidations.window("24h")
    assert day is not None
    assert day.total.total_usd > 2.0e9
    assert engine.tally.dropped_late == 0


def test_cascades_do_not_depend_on_how_often_the_analysis_runs() -> None:
    """Reading the tally every 37 s of replay time or once at the end gives the same cascades.

    Each step reads the tally the way the analysis does (``tally_stats``, the one reader), not
    the whole analysis: 2,500 full analyses made this the suite's slowest test (53 s).
    """
    until = parse_instant("2026-02-06T14:00Z")
    start = parse_instant("2026-02-05T12:00Z")
    options = EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None, None, until))
    once = build_engine(Config(), (), options)
    once.replay_to_end()
    often = build_engine(Config(), (), options)
    reads = 0
    for clock in often.replay_steps(37_000):  # like UI ticks: not aligned to minutes
        if clock >= start:
            tally_stats(often.tally, often.state.statuses, often.now_ms())
            reads += 1
    assert reads > 2_000
    a = once.analysis().liquidations
    b = often.analysis().liquidations
    assert [c.start_ms for c in a.cascades] == [c.start_ms for c in b.cascades]
    assert (a.cascade is None) == (b.cascade is None)


async def test_reading_during_a_catch_up_does_not_change_the_cascades() -> None:
    """The dashboard catches up to a later start in chunks and reads the analysis (and the
    alerts read the tally) between them. The state's clock used to jump to the start at the
    first chunk, so each read moved the liquidation windows past data not yet applied:
    cascades differed from ``--once`` (13:55Z instead of 13:41Z on the crash day)."""
    until = parse_instant("2026-02-01T00:00Z")
    options = EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None, until, until))
    once = build_engine(Config(), (), options)
    once.replay_to_end()
    read = build_engine(Config(), (), options)
    assert read.replay is not None
    player = read.replay.new_player(None)
    chunks = 0
    while not player._apply_until(player.clock_ms, limit=500):
        chunks += 1
        assert read.now_ms() < until  # the state's clock stays with the data applied so far
        read.analysis(zone_budget=1)
    assert chunks > 10
    expected, got = once.analysis().liquidations, read.analysis().liquidations
    assert expected.cascades  # the Jan 31 cascade at least
    assert got.cascades == expected.cascades
    assert got.dropped_late == 0


def test_offline_start_paints_the_last_known_state_marked_stale(tmp_path: Path) -> None:
    """A live engine paints from the store at once; the stored statuses come back stale."""
    from crashtui.model import SourceState, SourceStatus, Ticker
    from crashtui.store.sqlite import Store

    store_path = tmp_path / "history.sqlite3"
    store = Store(store_path, batch_interval_s=0.01)
    then = 1_770_000_000_000
    store.submit([Ticker("BTC", 61000.0, -3.0, then, "binance")])
    store.submit_status(SourceStatus("binance", SourceState.OK, then, last_ok_ms=then))
    store.close()
    engine = build_engine(Config(), ("BTC",), EngineOptions(store_path=store_path))
    assert engine.load_history() == 1
    assert engine.state.tickers["BTC"].price == 61000.0
    status = engine.state.statuses["binance"]
    assert status.state is SourceState.STALE
    assert status.last_ok_ms == then  # the age the UI shows


async def test_alert_checks_do_not_move_the_dashboards_liquidation_windows(tmp_path: Path) -> None:
    """Every reader of the running tally keeps the same late grace: an alert check at 14:00
    must not advance the windows past what the analysis shows."""
    from crashtui.alerts import AlertManager

    until = parse_instant("2026-02-06T14:00Z")
    path = locate_recording("feb-2026")
    plain = build_engine(Config(), (), EngineOptions(replay=ReplayOptions(path, None, None, until)))
    plain.replay_to_end()
    expected = plain.analysis().liquidations.window("1h")
    # The crash's last day checked every minute (the month before it is applied at once: a
    # check a week earlier cannot move the 14:00 windows, and 30,000 checks took 30 s).
    checked = build_engine(
        Config(), (), EngineOptions(replay=ReplayOptions(path, None, until - 86_400_000, until))
    )
    manager = AlertManager(checked, log_path=tmp_path / "alerts.jsonl")
    checks = 0
    for _ in checked.replay_steps(60_000):  # as `crashtui watch` and the dashboard tick do
        manager.check()
        checks += 1
    assert checks > 1_400
    got = checked.analysis().liquidations.window("1h")
    await manager.aclose()
    assert expected is not None
    assert got is not None
    assert (got.start_ms, got.total.total_usd) == (expected.start_ms, expected.total.total_usd)


async def test_feeds_that_cannot_fetch_5m_say_why_and_send_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every feed answers a chart's on-demand fetch: a replay and a collector follower with why."""
    from crashtui.feeds import live as live_feed
    from crashtui.feeds.followers import RedisFollower, StoreFollower
    from crashtui.feeds.live import LiveFeed
    from crashtui.model import Interval

    until = parse_instant("2026-02-06T14:00Z")
    replay = build_engine(
        Config(), (), EngineOptions(replay=ReplayOptions(locate_recording("feb-2026"), None, None, until))
    )
    payloads = replay.pipeline.payloads
    assert await replay.fetch_candles("BTC", Interval.M5, backfill=True) == "not in this recording"
    assert replay.pipeline.payloads == payloads
    for follower in (StoreFollower(tmp_path / "h.sqlite3", ("BTC",)), RedisFollower("redis://127.0.0.1:1")):
        why = await follower.fetch_candles("BTC", Interval.M15, backfill=True)
        assert why == "not polled by the collector (it polls 1h, 4h and 1d)"
    monkeypatch.setattr(live_feed, "POLLER_WAIT_STEPS", 2)
    live = LiveFeed(Config(), ("BTC",), streams=False)  # not running: no poller, nothing sent
    assert await live.fetch_candles("BTC", Interval.M5, backfill=True) == "the feed has not started yet"


async def test_a_stopped_live_feed_fetches_nothing_on_demand() -> None:
    import asyncio
    from types import MappingProxyType

    import httpx

    from crashtui.feeds.live import LiveFeed
    from crashtui.ingest.pipeline import Pipeline
    from crashtui.model import Interval

    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(503)

    config = Config(failover=MappingProxyType({"candles": ("binance",)}))
    feed = LiveFeed(
        config,
        ("BTC",),
        streams=False,
        client_factory=lambda net: httpx.AsyncClient(transport=httpx.MockTransport(handler)),
    )
    feed.attach(Pipeline.into(lambda event: None))
    task = asyncio.create_task(feed.run())
    for _ in range(100):
        if feed.poller is not None:
            break
        await asyncio.sleep(0.01)
    assert feed.poller is not None
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    before = len(sent)
    assert await feed.fetch_candles("BTC", Interval.M5, backfill=True) == "the feed has stopped"
    assert len(sent) == before
