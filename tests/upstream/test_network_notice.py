"""The offline banner is decided from the statuses alone: "No network?" only when nothing answered."""

from __future__ import annotations

from crashtui.model import Failure, SourceState, SourceStatus
from crashtui.upstream.health import OFFLINE, REFUSED, network_notice


def st(source: str, state: SourceState, failure: Failure | None = None, **kw: object) -> SourceStatus:
    return SourceStatus(
        source=source,
        state=state,
        updated_ms=0,
        failure=None if failure is None else failure.value,
        **kw,  # type: ignore[arg-type]
    )


FAILING = SourceState.FAILING
BLOCKED = SourceState.BLOCKED


def test_nothing_to_say_while_any_source_is_ok() -> None:
    said = network_notice([st("a", SourceState.OK), st("b", FAILING, Failure.UNREACHABLE)])
    assert said.kind is None
    assert (said.ok, said.total) == (1, 2)


def test_nothing_to_say_before_anything_failed() -> None:
    assert network_notice([]).kind is None
    assert network_notice([st("a", SourceState.PENDING), st("b", SourceState.CONNECTING)]).kind is None
    assert network_notice([st("a", SourceState.STALE, Failure.UNREACHABLE)]).kind is None


def test_no_network_when_nothing_answered_at_all() -> None:
    said = network_notice(
        [
            st("binance", FAILING, Failure.UNREACHABLE),
            st("coinbase", FAILING, Failure.UNREACHABLE),
            st("bybit_liq", FAILING, Failure.UNREACHABLE, connected=False),
            st("fred", SourceState.DISABLED),
        ]
    )
    assert said.kind == OFFLINE
    assert said.text == "No network? 0 of 3 sources reachable"


def test_throttled_and_blocked_sources_are_named_not_called_offline() -> None:
    said = network_notice(
        [
            st("binance", BLOCKED, Failure.BLOCKED),  # 451
            st("coinbase", FAILING, Failure.THROTTLED),  # 429
            st("bybit", SourceState.STALE, Failure.THROTTLED),  # 429, data still recent
            st("farside", BLOCKED, Failure.BLOCKED),  # anti-bot page
            st("kraken", FAILING, Failure.UNREACHABLE),
        ]
    )
    assert said.kind == REFUSED
    assert said.text == "4 sources throttled or blocked, 1 failing"
    assert said.throttled_or_blocked == 4


def test_one_throttled_source_among_unreachable_ones_is_enough_to_say_the_network_works() -> None:
    said = network_notice([st("a", FAILING, Failure.THROTTLED), st("b", FAILING, Failure.UNREACHABLE)])
    assert said.kind == REFUSED
    assert said.text == "1 source throttled or blocked, 1 failing"


def test_sources_answering_with_errors_are_not_offline() -> None:
    said = network_notice([st("a", FAILING, Failure.ANSWERED), st("b", FAILING, Failure.ANSWERED)])
    assert said.kind == REFUSED
    assert said.text == "2 sources answering with errors"


def test_a_connected_stream_means_the_network_works() -> None:
    said = network_notice([st("a", FAILING, Failure.UNREACHABLE), st("liq", FAILING, connected=True)])
    assert said.kind == REFUSED


def test_old_statuses_without_a_failure_keep_the_old_rule_except_blocks() -> None:
    # a store or a collector of an older version: no failure recorded
    assert network_notice([st("a", FAILING), st("b", FAILING)]).kind == OFFLINE
    said = network_notice([st("a", FAILING), st("b", BLOCKED)])
    assert said.kind == REFUSED
    assert said.text == "1 source throttled or blocked, 1 failing"
