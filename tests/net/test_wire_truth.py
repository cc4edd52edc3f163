"""wire: HTML pages are named (anti-bot, maintenance, other), Retry-After is capped and said."""

from __future__ import annotations

import random

import pytest

from crashtui.errors import (
    BlockedError,
    ChallengeError,
    PageError,
    RateLimitedError,
    SourceError,
)
from crashtui.model import Failure, SourceState
from crashtui.upstream.health import BLOCKED_MIN_S, SourceHealth, new_lane
from crashtui.wire import RETRY_AFTER_CAP_S, Request, classify_response, fmt_wait
from tests.conftest import FixtureReader

NOW_MS = 1_700_000_000_000  # 2023-11-14T22:13:20Z
REQ = Request(source="binance", endpoint="ticker_24hr", url="https://example.test/x")
HINT = "set [sources.binance] base_url or disable the source"
MAINTENANCE = (
    b"<!DOCTYPE html><html><head><title>Scheduled maintenance</title></head>"
    b"<body><h1>We'll be back soon</h1></body></html>"
)


def _raise(status: int, body: bytes, headers: dict[str, str] | None = None) -> SourceError:
    with pytest.raises(SourceError) as err:
        classify_response(REQ, status, headers or {}, body, NOW_MS)
    return err.value


def test_a_cloudflare_challenge_is_an_anti_bot_page_with_the_block_hint(fixture_bytes: FixtureReader) -> None:
    page = fixture_bytes("cloudflare_challenge_page_reconstructed.html")
    err = _raise(403, page, {"content-type": "text/html"})
    assert type(err) is ChallengeError
    assert str(err) == "binance ticker_24hr: anti-bot challenge page (HTTP 403)"
    assert err.hint == HINT
    assert err.failure is Failure.BLOCKED
    assert err.state is SourceState.BLOCKED


def test_an_access_denied_page_is_an_anti_bot_page() -> None:
    err = _raise(200, b"<!DOCTYPE html><html><body>Access denied</body></html>")
    assert type(err) is ChallengeError
    assert "anti-bot page (HTTP 200)" in str(err)


@pytest.mark.parametrize("status", [200, 503])
def test_a_maintenance_page_is_named_as_such(status: int) -> None:
    err = _raise(status, MAINTENANCE, {"content-type": "text/html"})
    assert type(err) is PageError
    assert err.page == "maintenance"
    assert "got a maintenance page where JSON was expected" in str(err)
    assert ("HTTP 503 Service Unavailable" in str(err)) is (status == 503)
    assert err.failure is Failure.ANSWERED
    assert "<" not in str(err)  # the markup is not the message


def test_another_html_page_is_named_by_its_title() -> None:
    err = _raise(200, b"<html><head><title>Login - Hotel WiFi</title></head><body>x</body></html>")
    assert type(err) is PageError
    assert str(err) == 'binance ticker_24hr: got an HTML page "Login - Hotel WiFi" where JSON was expected'


def test_a_geo_block_stays_a_block_and_names_the_status() -> None:
    err = _raise(451, b'{"code":0,"msg":"Service unavailable from a restricted location"}')
    assert type(err) is BlockedError
    assert "HTTP 451 restricted location" in str(err)
    assert err.hint == HINT


@pytest.mark.parametrize(
    ("header", "wait", "said"),
    [
        ("240", 240.0, "rate limited, retry in 4m"),
        ("37", 37.0, "rate limited, retry in 37s"),
        ("Tue, 14 Nov 2023 22:18:20 GMT", 300.0, "rate limited, retry in 5m"),  # HTTP date, 5 min ahead
        ("7200", RETRY_AFTER_CAP_S, "rate limited, retry in 15m (asked for 2h, capped at 15m)"),
        ("Wed, 15 Nov 2023 22:13:20 GMT", RETRY_AFTER_CAP_S, "retry in 15m (asked for 24h, capped at 15m)"),
    ],
)
def test_retry_after_is_honoured_up_to_15_minutes_and_said(header: str, wait: float, said: str) -> None:
    err = _raise(429, b"{}", {"retry-after": header})
    assert isinstance(err, RateLimitedError)
    assert err.retry_after_s == pytest.approx(wait)
    assert said in str(err)
    assert err.failure is Failure.THROTTLED


def test_a_rate_limit_without_retry_after_says_rate_limited() -> None:
    err = _raise(429, b"{}")
    assert str(err) == "binance ticker_24hr: HTTP 429 Too Many Requests: rate limited"


def test_fmt_wait() -> None:
    assert [fmt_wait(s) for s in (0, 59, 89, 90, 240, 900, 5400, 7200)] == [
        "0s",
        "59s",
        "89s",
        "2m",
        "4m",
        "15m",
        "1h 30m",
        "2h",
    ]


# --- what the health does with each ------------------------------------------------------


def _after(error: SourceError) -> tuple[SourceHealth, int]:
    rng = random.Random(1)
    health = SourceHealth("binance", enabled=True)
    lane = new_lane(rng)
    health.failed(lane, error, NOW_MS, 10.0, rng)
    return health, health.available_at(lane) - NOW_MS


def test_anti_bot_and_maintenance_pages_retry_on_the_normal_schedule_geo_blocks_pause() -> None:
    challenge, wait_ms = _after(ChallengeError("binance x: anti-bot challenge page (HTTP 403)", hint=HINT))
    assert challenge.state is SourceState.BLOCKED
    assert wait_ms <= 10_000
    assert challenge.status(NOW_MS).failure == "blocked"
    page, wait_ms = _after(PageError("binance x: got a maintenance page", page="maintenance"))
    assert page.state is SourceState.FAILING
    assert wait_ms <= 10_000
    blocked, wait_ms = _after(BlockedError("binance x: HTTP 451", hint=HINT))
    assert blocked.state is SourceState.BLOCKED
    assert wait_ms >= BLOCKED_MIN_S * 1000


def test_a_rate_limit_holds_the_source_no_longer_than_the_cap() -> None:
    health, wait_ms = _after(RateLimitedError("x", retry_after_s=86_400.0))
    assert wait_ms == RETRY_AFTER_CAP_S * 1000
    assert health.status(NOW_MS).failure == "throttled"
