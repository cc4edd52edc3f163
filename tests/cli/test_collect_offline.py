"""Offline, the collector prints the dashboard's plain "No network?" notice, one line per source;
dashboards that follow it see the providers' health through the shared feed and still say
"No network?" although the collector itself is alive."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path
from types import MappingProxyType

import httpx
import pytest

from crashtui.assemble import EngineOptions, build_engine
from crashtui.commands import collect
from crashtui.commands.collect import OfflineNotice, reachable
from crashtui.config.schema import Config, NetConfig
from crashtui.model import SourceState, SourceStatus
from crashtui.sharedfeed.store_feed import StoreFeedReader
from crashtui.ui.render.status import counts, offline

T0 = 1_770_336_000_000


def status(source: str, state: SourceState, error: str | None = None) -> SourceStatus:
    return SourceStatus(source, state, T0, last_error=error)


def test_notice_waits_to_gather_failures_then_names_each_source_once() -> None:
    notice = OfflineNotice(settle_s=5.0)
    first = {"binance": status("binance", SourceState.FAILING, "cannot resolve api.binance.com")}
    assert notice.update(first, 100.0) == []  # the first failure alone: not yet
    later = {
        **first,
        "coinbase": status(
            "coinbase", SourceState.FAILING, "coinbase ticker: cannot resolve api.exchange.coinbase.com"
        ),
        "cnn": status("cnn", SourceState.DISABLED),
        "farside": status("farside", SourceState.BLOCKED, "\x1b[31manti-bot [bold]wall[/]"),
    }
    lines = notice.update(later, 105.0)
    assert lines[0].startswith("crashtui: No network? 0 of 3 sources reachable")
    assert lines[1:] == [
        "crashtui: binance: cannot resolve api.binance.com",
        "crashtui: coinbase ticker: cannot resolve api.exchange.coinbase.com",  # named once
        "crashtui: farside: anti-bot [bold]wall[/]",  # no escape reaches the terminal; not markup
    ]
    assert all("\x1b" not in line for line in lines)
    assert notice.update(later, 200.0) == []  # said once
    back = {**later, "binance": status("binance", SourceState.OK)}
    assert notice.update(back, 201.0) == ["crashtui: network back: 1 of 3 sources reachable"]
    assert notice.update(back, 202.0) == []


def test_collector_link_is_not_a_provider() -> None:
    statuses = {
        "collector": status("collector", SourceState.OK),
        "binance": status("binance", SourceState.FAILING, "cannot resolve api.binance.com"),
    }
    assert reachable(statuses) == (0, 1, 1)
    assert counts(statuses) == (0, 1, 1)
    assert offline(statuses)  # the dashboard's banner on a collector's feed


def _offline_client(net: NetConfig) -> httpx.AsyncClient:
    def fail(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -3] Temporary failure in name resolution", request=request)

    return httpx.AsyncClient(transport=httpx.MockTransport(fail))


def _forbidden_client(net: NetConfig) -> httpx.AsyncClient:
    raise AssertionError("a follower must never call a provider")


async def test_offline_collector_prints_the_notice_and_followers_see_its_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(collect, "ALERT_CHECK_S", 0.05)
    monkeypatch.setattr(collect, "OFFLINE_SETTLE_S", 0.3)
    store = tmp_path / "history.sqlite3"
    config = Config()
    engine = build_engine(
        config,
        ("BTC",),
        EngineOptions(store_path=store, publish=True, streams=False),
        client_factory=_offline_client,
    )
    err = io.StringIO()
    stop = asyncio.Event()
    task = asyncio.create_task(collect._collect(engine, stop, err))
    for _ in range(400):
        if "No network?" in err.getvalue():
            break
        await asyncio.sleep(0.05)
    stop.set()
    assert await asyncio.wait_for(task, 30) == 0
    lines = err.getvalue().splitlines()
    lead = next(line for line in lines if "No network?" in line)
    assert lead.startswith("crashtui: No network? 0 of ")
    per_source = [line for line in lines if "cannot resolve" in line]
    binance = [line for line in per_source if line.startswith("crashtui: binance ")]
    assert len(binance) == 1  # "crashtui: binance <endpoint>: cannot resolve ..." (named once)
    assert "cannot resolve data-api.binance.vision (offline, or DNS blocked?)" in binance[0]
    assert len(per_source) >= 2
    # A dashboard on this machine follows the collector's store: same sources, same errors.
    follower = build_engine(
        config, ("BTC",), EngineOptions(store_path=store, feed="store"), client_factory=_forbidden_client
    )
    reader = StoreFeedReader(store, ("BTC",), follower.sink)
    reader.catch_up()
    statuses = MappingProxyType(dict(follower.state.statuses))
    assert statuses["collector"].state is SourceState.OK  # its heartbeat is fresh
    assert statuses["binance"].state is SourceState.FAILING
    assert "cannot resolve" in (statuses["binance"].last_error or "")
    assert offline(statuses)  # "No network?" on the follower too
    assert counts(statuses)[0] == 0
