"""OKX REST parsers (instruments, liquidation-orders), the ~24 h backfill and the replay decoder."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from crashtui.clock import FakeClock
from crashtui.errors import BlockedError, ParseError, RateLimitedError, TransportError, UpstreamError
from crashtui.events import DataEvent, Event, StatusEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import Liquidation, RawPayload, Side, SourceState, freeze_params
from crashtui.streams.decode import LiquidationDecoder, is_liquidation_payload
from crashtui.streams.okx import OkxContract, parse_okx_frame
from crashtui.streams.okx_rest import (
    liquidation_params,
    parse_okx_instruments,
    parse_okx_liquidation_orders,
)
from crashtui.symbols import DEFAULT_TABLE
from crashtui.upstream.okx_service import OkxRestService, OkxRestSettings, backfill_liquidations

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def okx_pipeline(events: list[Event]) -> Pipeline:
    """A pipeline into ``events`` that knows BTC-USDT-SWAP's contract size (0.01 BTC)."""
    pipeline = Pipeline.into(events.append)
    pipeline.okx_contracts.update({"BTC-USDT-SWAP": OkxContract(0.01)}, 0)
    return pipeline


OKX_SYMBOLS = DEFAULT_TABLE.reverse("okx")
REST_BODY = (FIXTURES / "okx_liquidation_orders_rest.json").read_bytes()
WS_BTC_LINE = (FIXTURES / "okx_liquidation_orders_ws_real.jsonl").read_text(encoding="utf-8").splitlines()[0]
REST_TS = 1791565600771
BASE_URL = "https://okx.test"

# The instruments response is described in README §3 without a sample file: built from
# OKX's documented fields (ctVal, ctMult, ctValCcy, ctType) for a linear, an inverse and a
# not-yet-listed swap.
INSTRUMENTS_BODY = json.dumps(
    {
        "code": "0",
        "msg": "",
        "data": [
            {
                "instType": "SWAP",
                "instId": "BTC-USDT-SWAP",
                "instFamily": "BTC-USDT",
                "settleCcy": "USDT",
                "ctVal": "0.01",
                "ctMult": "1",
                "ctValCcy": "BTC",
                "ctType": "linear",
                "state": "live",
            },
            {
                "instType": "SWAP",
                "instId": "BTC-USD-SWAP",
                "instFamily": "BTC-USD",
                "settleCcy": "BTC",
                "ctVal": "100",
                "ctMult": "1",
                "ctValCcy": "USD",
                "ctType": "inverse",
                "state": "live",
            },
            {
                "instType": "SWAP",
                "instId": "NEW-USDT-SWAP",
                "ctVal": "",
                "ctMult": "",
                "ctValCcy": "",
                "ctType": "linear",
                "state": "preopen",
            },
        ],
    }
).encode()


def envelope(code: str, msg: str) -> bytes:
    return json.dumps({"code": code, "msg": msg, "data": []}).encode()


def rest_page(*details: tuple[int, str]) -> bytes:
    """The fixture page with its one detail replaced by ``(ts, sz)`` copies of it."""
    message = json.loads(REST_BODY)
    template = message["data"][0]["details"][0]
    message["data"][0]["details"] = [dict(copy.deepcopy(template), ts=str(ts), sz=sz) for ts, sz in details]
    return json.dumps(message).encode()


Handler = Callable[[str, Mapping[str, str]], bytes]


class FakeFetch:
    """The injected fetch: answers from a handler, records every call; raises exceptions it returns."""

    def __init__(self, clock: FakeClock, handler: Handler) -> None:
        self.clock = clock
        self.handler = handler
        self.calls: list[tuple[str, str, dict[str, str]]] = []

    async def __call__(self, endpoint: str, url: str, params: Mapping[str, str]) -> RawPayload:
        self.calls.append((endpoint, url, dict(params)))
        body = self.handler(endpoint, params)
        return RawPayload(
            source="okx",
            endpoint=endpoint,
            received_ms=self.clock.now_ms(),
            body=body,
            params=freeze_params(params),
        )


# ------------------------------------------------------------------ parsers


def test_instruments_give_contract_sizes_and_skip_unlisted_rows() -> None:
    table = parse_okx_instruments(INSTRUMENTS_BODY)
    assert table == {
        "BTC-USDT-SWAP": OkxContract(0.01, inverse=False),
        "BTC-USD-SWAP": OkxContract(100.0, inverse=True),
    }


def test_instruments_without_any_usable_row_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_okx_instruments(b'{"code":"0","msg":"","data":[{"instId":"X-USDT-SWAP","ctVal":""}]}')


def test_rest_fixture_page_is_normalised_with_its_cursor() -> None:
    page = parse_okx_liquidation_orders(REST_BODY, OKX_SYMBOLS, {"BTC-USDT-SWAP": OkxContract(0.01)})
    (liq,) = page.liquidations
    assert (liq.venue, liq.symbol, liq.liquidated_side, liq.ts_ms) == ("okx", "BTC", Side.LONG, REST_TS)
    assert liq.qty == pytest.approx(0.0855)
    assert page.oldest_ms == REST_TS


def test_rest_page_same_order_as_ws_frame_has_the_same_dedup_key() -> None:
    contracts = {"BTC-USDT-SWAP": OkxContract(0.01)}
    (rest,) = parse_okx_liquidation_orders(REST_BODY, OKX_SYMBOLS, contracts).liquidations
    (live,) = parse_okx_frame(WS_BTC_LINE, OKX_SYMBOLS, contracts).liquidations
    assert rest.dedup_key == live.dedup_key


def test_error_envelopes_raise_typed_errors(fixture_bytes: Callable[[str], bytes]) -> None:
    with pytest.raises(UpstreamError) as missing:
        parse_okx_liquidation_orders(
            envelope("50015", "Either parameter instFamily or uly is required"), {}, {}
        )
    assert missing.value.code == "50015"
    assert missing.value.hint is not None
    assert "50015" in str(missing.value)
    with pytest.raises(RateLimitedError):
        parse_okx_instruments(envelope("50011", "Too Many Requests"))
    with pytest.raises(BlockedError):
        parse_okx_instruments(fixture_bytes("cloudflare_challenge_page_reconstructed.html"))
    with pytest.raises(ParseError):
        parse_okx_liquidation_orders(b'{"code":"0","data":[{"instId":"BTC-USDT-SWAP"}]}', {}, {})
    with pytest.raises(ParseError):
        parse_okx_instruments(b"\x00\x01")


def test_liquidation_params_page_back_with_after() -> None:
    assert liquidation_params("BTC-USDT") == {
        "instType": "SWAP",
        "instFamily": "BTC-USDT",
        "state": "filled",
        "limit": "100",
    }
    assert liquidation_params("BTC-USDT", after_ms=123)["after"] == "123"


# ------------------------------------------------------------------ backfill


def _events(kind: type[Any], events: list[Event]) -> list[Any]:
    return [e for e in events if isinstance(e, kind)]


async def test_backfill_pages_back_24h_and_skips_orders_already_seen() -> None:
    now = REST_TS + 3_600_000
    clock = FakeClock(start_ms=now)
    minute, hour = 60_000, 3_600_000
    pages = {
        None: rest_page((now - 1 * minute, "1"), (now - 2 * minute, "2")),
        str(now - 2 * minute): rest_page((now - 10 * hour, "3")),
        str(now - 10 * hour): rest_page((now - 20 * hour, "4"), (now - 30 * hour, "5")),
    }
    fetch = FakeFetch(clock, lambda endpoint, params: pages[params.get("after")])
    events: list[Event] = []
    pipeline = okx_pipeline(events)
    seen_live = Liquidation(
        "okx", "BTC", Side.LONG, 82655.7, 0.01, 826.557, now - 1 * minute, "BTC-USDT-SWAP"
    )
    # the live stream delivered this one already (stream and backfill share one memory)
    pipeline.decoder.liquidations.dedup["okx_liq"].add(seen_live.dedup_key)

    result = await backfill_liquidations(
        fetch, BASE_URL, ["BTC-USDT"], OKX_SYMBOLS, pipeline.okx_contracts, pipeline.payload, clock=clock
    )

    assert [call[2].get("after") for call in fetch.calls] == [
        None,
        str(now - 2 * minute),
        str(now - 10 * hour),
    ]
    assert all(call[1] == BASE_URL + "/api/v5/public/liquidation-orders" for call in fetch.calls)
    emitted = [liq for event in _events(DataEvent, events) for liq in event.items]
    # sz 1 was seen live; the rest arrive once, with source "okx". Paging stops at the page that
    # reaches back past 24 h (sz 5, 30 h old, came on it: the tally's windows leave it out).
    assert [round(liq.qty / 0.01) for liq in emitted] == [2, 3, 4, 5]
    assert {event.source for event in _events(DataEvent, events)} == {"okx"}
    assert (result.pages, result.liquidations, result.errors) == (3, 4, {})


async def test_backfill_survives_a_failing_family_and_retries_rate_limits() -> None:
    now = REST_TS + 60_000
    clock = FakeClock(start_ms=now)
    answers = {"BTC-USDT": [envelope("50011", "Too Many Requests"), REST_BODY, rest_page()]}

    def handler(endpoint: str, params: Mapping[str, str]) -> bytes:
        family = params["instFamily"]
        if family == "ETH-USDT":
            return envelope("50015", "Either parameter instFamily or uly is required")
        return answers[family].pop(0)

    fetch = FakeFetch(clock, handler)
    events: list[Event] = []
    pipeline = okx_pipeline(events)
    result = await backfill_liquidations(
        fetch,
        BASE_URL,
        ["ETH-USDT", "BTC-USDT"],
        OKX_SYMBOLS,
        pipeline.okx_contracts,
        pipeline.payload,
        clock=clock,
    )
    assert "50015" in result.errors["ETH-USDT"]
    assert result.liquidations == 1
    assert clock.sleeps[0] == OkxRestSettings().rate_limit_wait_s  # waited before retrying


async def test_loading_contracts_updates_the_pipelines_table() -> None:
    clock = FakeClock()
    fetch = FakeFetch(clock, lambda endpoint, params: INSTRUMENTS_BODY)
    events: list[Event] = []
    pipeline = Pipeline.into(events.append)
    contracts = pipeline.okx_contracts
    service = OkxRestService(
        fetch,
        BASE_URL + "/",
        ["BTC-USDT"],
        OKX_SYMBOLS,
        contracts,
        pipeline.payload,
        events.append,
        clock=clock,
    )
    await service._load_contracts()
    assert fetch.calls == [("instruments", BASE_URL + "/api/v5/public/instruments", {"instType": "SWAP"})]
    assert len(contracts.table) == 2
    assert contracts.table["BTC-USDT-SWAP"].ct_val == 0.01
    assert not contracts.refresh_due(clock.now_ms(), max_age_ms=1000, missing_after_ms=500)
    contracts.note_missing(["NEW2-USDT-SWAP", "BTC-USDT-SWAP"])
    assert contracts.missing == {"NEW2-USDT-SWAP"}
    assert contracts.refresh_due(clock.now_ms() + 500, max_age_ms=1000, missing_after_ms=500)


async def test_rest_service_retries_instruments_then_backfills_and_reports_status() -> None:
    clock = FakeClock(start_ms=REST_TS + 60_000)
    attempts = {"instruments": 0}

    def handler(endpoint: str, params: Mapping[str, str]) -> bytes:
        if endpoint == "instruments":
            attempts["instruments"] += 1
            if attempts["instruments"] == 1:
                raise TransportError("connect failed")
            return INSTRUMENTS_BODY
        return REST_BODY if "after" not in params else rest_page()

    fetch = FakeFetch(clock, handler)
    events: list[Event] = []
    pipeline = Pipeline.into(events.append)
    service = OkxRestService(
        fetch,
        BASE_URL,
        ["BTC-USDT"],
        OKX_SYMBOLS,
        pipeline.okx_contracts,
        pipeline.payload,
        events.append,
        clock=clock,
    )
    task = asyncio.create_task(service.run())
    for _ in range(1000):
        if service.backfill is not None:
            break
        await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    statuses = [e.status for e in _events(StatusEvent, events)]
    assert statuses[0].state is SourceState.FAILING
    assert statuses[0].last_error is not None
    assert "connect failed" in statuses[0].last_error
    assert statuses[-1].state is SourceState.OK
    assert {s.source for s in statuses} == {"okx"}
    (data,) = _events(DataEvent, events)
    assert data.items[0].ts_ms == REST_TS


# ------------------------------------------------------------------ replay decode


def _ws(source: str, body: str | bytes, endpoint: str = "frame") -> RawPayload:
    raw = body.encode() if isinstance(body, str) else body
    return RawPayload(source=source, endpoint=endpoint, received_ms=REST_TS + 60_000, body=raw, kind="ws")


def test_the_decoder_runs_the_live_parsers() -> None:
    line = (FIXTURES / "bybit_all_liquidation_ws_real.jsonl").read_text(encoding="utf-8").splitlines()[0]
    decoder = LiquidationDecoder()
    assert [liq.qty for liq in decoder.decode(_ws("bybit_liq", line)).liquidations] == [0.006, 0.038]
    pong = decoder.decode(_ws("bybit_liq", '{"success":true,"ret_msg":"pong","op":"ping"}'))
    assert (pong.control, pong.liquidations) == ("pong", ())
    decoder.contracts.update({"BTC-USDT-SWAP": OkxContract(0.01)}, 1)
    assert decoder.decode(_ws("okx_liq", WS_BTC_LINE)).liquidations[0].symbol == "BTC"
    assert decoder.decode(_ws("coinbase", "{}")).liquidations == ()
    with pytest.raises(ParseError):
        decoder.decode(_ws("binance_liq", "garbage"))


def test_the_pipeline_learns_ct_val_from_recorded_instruments_and_dedups_rest_and_ws() -> None:
    events: list[Event] = []
    pipeline = Pipeline.into(events.append)
    instruments = RawPayload("okx", "instruments", REST_TS + 1, INSTRUMENTS_BODY)
    rest = RawPayload("okx", "liquidation-orders", REST_TS + 2, REST_BODY)
    assert is_liquidation_payload(instruments)

    assert pipeline.payload(_ws("okx_liq", WS_BTC_LINE)).accepted == 0  # no ctVal known yet
    assert pipeline.payload(instruments).accepted == 0
    assert pipeline.okx_contracts.table == parse_okx_instruments(INSTRUMENTS_BODY)
    assert pipeline.payload(_ws("okx_liq", WS_BTC_LINE)).accepted == 1
    (liq,) = (item for event in _events(DataEvent, events) for item in event.items)
    assert isinstance(liq, Liquidation)
    assert liq.qty == pytest.approx(0.0855)
    assert pipeline.payload(_ws("okx_liq", WS_BTC_LINE)).accepted == 0  # replayed frame
    assert pipeline.payload(rest).accepted == 0  # the backfill saw the same order
    broken = pipeline.payload(_ws("okx_liq", "{broken"))
    assert "not JSON" in str(broken.error)
