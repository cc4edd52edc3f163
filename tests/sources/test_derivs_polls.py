"""The positioning polls: which requests each kind sends, first (backfill) and later, and that
each recorded request decodes with nothing but its own params."""

from __future__ import annotations

from collections.abc import AsyncGenerator, Callable
from types import MappingProxyType, ModuleType
from urllib.parse import urlparse

import pytest

from crashtui.model import RawPayload
from crashtui.sources import binance_futures, bybit, hyperliquid, okx_public
from crashtui.sources.common import PollContext
from crashtui.symbols import SymbolInfo, SymbolTable
from crashtui.wire import Request
from tests.conftest import FixtureReader

T0 = 1_790_000_000_000
HOUR = 3_600_000
# FOO is listed nowhere but Binance futures: the other venues skip it
TABLE = SymbolTable({"FOO": SymbolInfo("FOO", MappingProxyType({"binance_futures": "FOOUSDT"}))})


async def _requests(
    poll: Callable[[str, PollContext], AsyncGenerator[RawPayload, None]],
    kind: str,
    base_url: str,
    *,
    backfill: bool,
    body: bytes = b"[]",
) -> list[Request]:
    sent: list[Request] = []

    async def fetch(request: Request) -> RawPayload:
        sent.append(request)
        return RawPayload(request.source, request.endpoint, T0, body, request.record_params())

    ctx = PollContext(
        source=poll.__module__.rsplit(".", 1)[-1].replace("okx_public", "okx"),
        symbols=("BTC", "FOO"),
        table=TABLE,
        fetch=fetch,
        base_url=base_url,
        now_ms=T0,
        backfill=backfill,
    )
    _ = [p async for p in poll(kind, ctx)]
    return sent


def _path_query(request: Request) -> tuple[str, dict[str, str]]:
    return urlparse(request.url).path, dict(request.query)


@pytest.mark.parametrize(
    ("kind", "path"),
    [
        ("open_interest_history", "/futures/data/openInterestHist"),
        ("taker_volume", "/futures/data/takerlongshortRatio"),
        ("long_short_ratio", "/futures/data/globalLongShortAccountRatio"),
    ],
)
async def test_binance_history_polls(kind: str, path: str) -> None:
    first = await _requests(binance_futures.poll, kind, "https://fapi.binance.com", backfill=True)
    assert [_path_query(r) for r in first] == [
        (path, {"symbol": "BTCUSDT", "period": "5m", "limit": "500"}),
        (path, {"symbol": "FOOUSDT", "period": "5m", "limit": "500"}),
    ]
    assert all(r.weight == 0 for r in first)  # /futures/data costs no request weight
    later = await _requests(binance_futures.poll, kind, "https://fapi.binance.com", backfill=False)
    assert [r.query["limit"] for r in later] == ["30", "30"]
    assert dict(later[0].record_params())["period"] == "5m"


async def test_binance_funding_history_poll() -> None:
    first = await _requests(
        binance_futures.poll, "funding_history", "https://fapi.binance.com", backfill=True
    )
    assert [_path_query(r) for r in first] == [
        ("/fapi/v1/fundingRate", {"symbol": "BTCUSDT", "limit": "100"}),
        ("/fapi/v1/fundingRate", {"symbol": "FOOUSDT", "limit": "100"}),
    ]
    later = await _requests(
        binance_futures.poll, "funding_history", "https://fapi.binance.com", backfill=False
    )
    assert [r.query["limit"] for r in later] == ["5", "5"]


async def test_bybit_open_interest_history_poll() -> None:
    first = await _requests(bybit.poll, "open_interest_history", "https://api.bybit.com", backfill=True)
    # FOO is not on Bybit; BTC gets two days of hourly rows and 200 five-minute rows
    assert [_path_query(r) for r in first] == [
        (
            "/v5/market/open-interest",
            {"category": "linear", "symbol": "BTCUSDT", "intervalTime": "1h", "limit": "48"},
        ),
        (
            "/v5/market/open-interest",
            {"category": "linear", "symbol": "BTCUSDT", "intervalTime": "5min", "limit": "200"},
        ),
    ]
    assert [r.context["period"] for r in first] == ["1h", "5min"]
    later = await _requests(bybit.poll, "open_interest_history", "https://api.bybit.com", backfill=False)
    assert [(r.query["intervalTime"], r.query["limit"]) for r in later] == [("5min", "30")]


async def test_bybit_ratio_and_funding_history_polls() -> None:
    ratio = await _requests(bybit.poll, "long_short_ratio", "https://api.bybit.com", backfill=True)
    assert [_path_query(r) for r in ratio] == [
        (
            "/v5/market/account-ratio",
            {"category": "linear", "symbol": "BTCUSDT", "period": "5min", "limit": "500"},
        )
    ]
    funding = await _requests(bybit.poll, "funding_history", "https://api.bybit.com", backfill=False)
    assert [_path_query(r) for r in funding] == [
        ("/v5/market/funding/history", {"category": "linear", "symbol": "BTCUSDT", "limit": "5"})
    ]
    assert "period" not in funding[0].context


async def test_hyperliquid_funding_history_poll() -> None:
    first = await _requests(hyperliquid.poll, "funding_history", "https://api.hyperliquid.xyz", backfill=True)
    (request,) = first
    assert request.method == "POST"
    assert urlparse(request.url).path == "/info"
    assert request.json_body == {"type": "fundingHistory", "coin": "BTC", "startTime": T0 - 7 * 24 * HOUR}
    later = await _requests(
        hyperliquid.poll, "funding_history", "https://api.hyperliquid.xyz", backfill=False
    )
    assert later[0].json_body["startTime"] == T0 - 6 * HOUR


async def test_okx_polls() -> None:
    base = "https://www.okx.com"
    oi = await _requests(okx_public.poll, "open_interest", base, backfill=False)
    assert [_path_query(r) for r in oi] == [
        ("/api/v5/public/open-interest", {"instType": "SWAP", "instId": "BTC-USDT-SWAP"})
    ]
    funding = await _requests(okx_public.poll, "funding", base, backfill=False)
    assert [_path_query(r) for r in funding] == [("/api/v5/public/funding-rate", {"instId": "BTC-USDT-SWAP"})]
    history = await _requests(okx_public.poll, "open_interest_history", base, backfill=True)
    path = "/api/v5/rubik/stat/contracts/open-interest-volume"
    assert [_path_query(r) for r in history] == [
        (path, {"ccy": "BTC", "period": "1H"}),
        (path, {"ccy": "BTC", "period": "5m"}),
    ]
    tail = await _requests(okx_public.poll, "open_interest_history", base, backfill=False)
    assert [_path_query(r) for r in tail] == [
        (path, {"ccy": "BTC", "period": "5m", "begin": str(T0 - 2 * HOUR)})
    ]
    ratio = await _requests(okx_public.poll, "long_short_ratio", base, backfill=True)
    assert [_path_query(r) for r in ratio] == [
        (
            "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract",
            {"instId": "BTC-USDT-SWAP", "period": "5m", "limit": "100"},
        )
    ]


@pytest.mark.parametrize("module", [binance_futures, bybit, hyperliquid, okx_public])
async def test_unknown_kind_raises(module: ModuleType) -> None:
    poll = module.poll
    with pytest.raises(ValueError, match="does not serve"):
        await _requests(poll, "etf", "https://example.invalid", backfill=False)


@pytest.mark.parametrize(
    ("module", "kind", "base", "fixture", "items"),
    [
        (
            binance_futures,
            "taker_volume",
            "https://fapi.binance.com",
            "binance_futures_taker_long_short_ratio.json",
            2,
        ),
        (bybit, "long_short_ratio", "https://api.bybit.com", "bybit_account_ratio.json", 2),
        (
            okx_public,
            "long_short_ratio",
            "https://www.okx.com",
            "okx_rubik_long_short_account_ratio_contract.json",
            1,
        ),
        (okx_public, "funding", "https://www.okx.com", "okx_funding_rate.json", 1),
        (
            hyperliquid,
            "funding_history",
            "https://api.hyperliquid.xyz",
            "hyperliquid_funding_history_btc.json",
            34,
        ),
    ],
)
async def test_polled_payloads_decode_from_their_params(
    module: ModuleType, kind: str, base: str, fixture: str, items: int, fixture_bytes: FixtureReader
) -> None:
    poll = module.poll
    decoders = module.DECODERS
    sent = await _requests(poll, kind, base, backfill=False, body=fixture_bytes(fixture))
    request = sent[0]
    raw = RawPayload(request.source, request.endpoint, T0, fixture_bytes(fixture), request.record_params())
    got_kind, decoded = decoders[raw.endpoint](raw, TABLE)
    assert got_kind == ("funding" if kind == "funding" else kind)
    assert len(decoded) == items
