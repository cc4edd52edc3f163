"""Hostile events through the real pipeline: it never raises, and one bad item never costs a
good one (DATA-TRUST.md)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crashtui.events import DataEvent, Event, HeldEvent
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import (
    Candle,
    EtfFlow,
    FearGreedReading,
    Interval,
    Liquidation,
    RawPayload,
    Side,
    Ticker,
    freeze_params,
)
from crashtui.state import FeedState

NOW = 1_770_400_000_000  # 2026-02-06 17:46 UTC, the feed clock of every payload here
DAY = 86_400_000

any_int = st.one_of(
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63, -(2**63), NOW // 1000, NOW * 1000, NOW * 1_000_000, NOW + 10 * 365 * DAY]),
)
any_float = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from([0.0, -0.0, -1.0, 1e308, -1e308, 5e-324, 1e12, math.nan, math.inf]),
)


@st.composite
def hostile_items(draw: st.DrawFn) -> object:
    kind = draw(st.sampled_from(["ticker", "candle", "liq", "etf", "fear"]))
    ts = draw(any_int)
    if kind == "ticker":
        return Ticker(
            "BTC", draw(any_float), draw(st.one_of(st.none(), any_float)), ts, "binance", draw(any_float)
        )
    if kind == "candle":
        o, h, low, c, v = (draw(any_float) for _ in range(5))
        return Candle("BTC", Interval.H1, ts, o, h, low, c, v, "binance")
    if kind == "liq":
        side = draw(st.sampled_from(list(Side)))
        return Liquidation(
            "bybit", "BTC", side, draw(any_float), draw(any_float), draw(any_float), ts, "BTCUSDT"
        )
    if kind == "etf":
        period = draw(st.sampled_from(["day", "week", "month", "", "quarter\x1b[2J"]))
        return EtfFlow("BTC", ts, draw(st.one_of(st.none(), any_float)), "farside", (), period)
    return FearGreedReading("crypto", ts, draw(any_float), draw(st.text(max_size=40)), "alternative_me")


def good_items() -> tuple[object, ...]:
    """Items every rule accepts at the feed clock NOW."""
    return (
        Ticker("ETH", 1_771.0, -11.2, NOW - 5_000, "binance", 2.1e9),
        Candle("ETH", Interval.H1, NOW - 3_600_000, 1_830.0, 1_840.0, 1_750.0, 1_771.2, 52_000.0, "binance"),
        Liquidation("bybit", "ETH", Side.LONG, 1_769.0, 2_318.0, 4_100_542.0, NOW - 2_000, "ETHUSDT"),
        EtfFlow("ETH", NOW - NOW % DAY - DAY, -149.9, "farside"),
        FearGreedReading("crypto", NOW - NOW % DAY, 9.0, "Extreme Fear", "alternative_me"),
    )


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(hostile_items(), max_size=8), st.randoms())
def test_hostile_items_never_raise_and_never_cost_a_good_item(hostile: list[object], rnd: object) -> None:
    good = good_items()
    mixed = [*good, *hostile]
    rnd.shuffle(mixed)  # type: ignore[attr-defined]
    applied: list[Event] = []
    state = FeedState(("BTC", "ETH"), now_ms=lambda: NOW)

    def apply(event: Event) -> None:
        applied.append(event)
        state.apply(event)

    pipeline = Pipeline.into(apply)
    for kind in ("prices", "candles", "liquidations", "etf", "fear_crypto"):
        pipeline.event(DataEvent("test", kind, tuple(mixed), NOW))
    admitted = [i for e in applied if isinstance(e, DataEvent) for i in e.items]
    held = [i for e in applied if isinstance(e, HeldEvent) for i in e.items]
    for item in good:
        assert item in admitted  # a good item is never lost because a bad one came with it
    assert len(admitted) + len(held) == 5 * len(mixed)
    snap = state.snapshot()  # building the snapshot and the state's windows never raises
    for ticker in snap.tickers.values():
        assert math.isfinite(ticker.price)
        assert ticker.ts_ms <= NOW + 5 * 60_000
    for liq in snap.liquidations:
        assert liq.ts_ms <= NOW + 5 * 60_000
        assert math.isfinite(liq.notional_usd)


def test_a_future_liquidation_cannot_clear_the_tally_windows() -> None:
    from crashtui.analysis.liquidations import LiquidationTally
    from crashtui.config.schema import Config

    tally = LiquidationTally(Config().analysis.cascade)
    state = FeedState(("BTC",), now_ms=lambda: NOW, on_liquidation=tally.add)
    pipeline = Pipeline.into(state.apply)
    real = Liquidation("bybit", "BTC", Side.LONG, 60_000.0, 10.0, 600_000.0, NOW - 60_000, "BTCUSDT")
    future = Liquidation("bybit", "BTC", Side.LONG, 60_000.0, 1.0, 60_000.0, NOW + 74 * 365 * DAY, "BTCUSDT")
    pipeline.event(DataEvent("bybit_liq", "liquidations", (real, future), NOW))
    snap = state.snapshot()
    assert snap.liquidations == (real,)
    (held,) = snap.held["bybit_liq"]
    assert held.reason == "timestamp 74 years ahead"
    window = tally.stats(now_ms=NOW).window("1h")
    assert window is not None
    assert window.total.total_usd == 600_000.0


def test_an_order_worth_billions_is_quarantined_not_counted() -> None:
    state = FeedState(("BTC",), now_ms=lambda: NOW)
    pipeline = Pipeline.into(state.apply)
    huge = Liquidation("binance", "BTC", Side.LONG, 60_000.0, 50_000.0, 3e9, NOW - 1_000, "BTCUSDT")
    pipeline.event(DataEvent("binance_liq", "liquidations", (huge,), NOW))
    snap = state.snapshot()
    assert snap.liquidations == ()
    assert snap.held_liquidations == (huge,)
    assert snap.held["binance_liq"][0].reason.startswith(
        "implausible: a single BTC liquidation of 3,000,000,000 USD"
    )


def test_a_tick_stamped_in_seconds_is_named_as_such() -> None:
    state = FeedState(("BTC",), now_ms=lambda: NOW)
    pipeline = Pipeline.into(state.apply)
    pipeline.event(
        DataEvent("coinbase", "prices", (Ticker("BTC", 60_000.0, None, NOW // 1000, "coinbase"),), NOW)
    )
    assert state.snapshot().tickers == {}
    assert (
        state.snapshot().held["coinbase"][0].reason == f"timestamp {NOW // 1000} looks like seconds, not ms"
    )


def test_a_future_etf_day_is_held_and_today_passes() -> None:
    state = FeedState(("BTC",), now_ms=lambda: NOW)
    pipeline = Pipeline.into(state.apply)
    today = NOW - NOW % DAY  # 2026-02-06: 17:46 UTC is 12:46 in New York, the same day
    flows = (EtfFlow("BTC", today, -434.1, "farside"), EtfFlow("BTC", today + 3 * DAY, -9_999.0, "farside"))
    pipeline.event(DataEvent("farside", "etf", flows, NOW))
    assert [f.day_ms for f in state.snapshot().etf_flows["BTC"]] == [today]
    (held,) = state.snapshot().held["farside"]
    assert held.reason == "ETF day 2026-02-09 is after the current US trading day 2026-02-06"


# --- REST answers with one corrupted row (DATA-TRUST.md, "Values") --------------------------

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
OHLC_AT = 1_688_671_500_000  # just after the last of the four real Kraken rows
OI_AT = 1_780_963_200_000 + 60_000  # just after the newest of the five real Bybit rows

hostile_value: st.SearchStrategy[object] = st.one_of(
    st.sampled_from(["NaN", "nan", "inf", "-Infinity", "1e999", "-1", "0", "1e308", "", "abc", "0x10"]),
    st.sampled_from([None, True, False, [], {}, 1e308, -1e308, 0, -1, 2**70]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
)


def _kraken_ohlc(rows: list[Any]) -> RawPayload:
    body = json.loads((FIXTURES / "kraken_ohlc.json").read_bytes())
    body["result"]["XXBTZUSD"] = rows
    params = freeze_params({"symbol": "BTC", "interval": "1h", "result_key": "XXBTZUSD"})
    return RawPayload("kraken", "ohlc", OHLC_AT, json.dumps(body).encode(), params)


def _bybit_oi(rows: list[Any]) -> RawPayload:
    body = json.loads((FIXTURES / "bybit_open_interest.json").read_bytes())
    body["result"]["list"] = rows
    params = freeze_params({"symbol": "BTC", "period": "1d"})
    return RawPayload("bybit", "open_interest", OI_AT, json.dumps(body).encode(), params)


def _ohlc_rows() -> list[Any]:
    rows: list[Any] = json.loads((FIXTURES / "kraken_ohlc.json").read_bytes())["result"]["XXBTZUSD"]
    return rows


def _oi_rows() -> list[Any]:
    rows: list[Any] = json.loads((FIXTURES / "bybit_open_interest.json").read_bytes())["result"]["list"]
    return rows


PAYLOADS: dict[str, tuple[Callable[[], list[Any]], Callable[[list[Any]], RawPayload]]] = {
    "kraken ohlc": (_ohlc_rows, _kraken_ohlc),
    "bybit open interest": (_oi_rows, _bybit_oi),
}


def _admitted(raw: RawPayload) -> tuple[list[object], int, int]:
    """What the real pipeline applied of ``raw`` as data, what it counted as held, and how many
    items the held events carry."""
    applied: list[Event] = []
    outcome = Pipeline.into(applied.append).payload(raw)
    data = [i for e in applied if isinstance(e, DataEvent) for i in e.items]
    held = sum(len(e.items) for e in applied if isinstance(e, HeldEvent))
    return data, outcome.rejected, held


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(PAYLOADS)), st.data(), hostile_value)
def test_one_corrupted_row_never_costs_another_row(name: str, data: st.DataObject, value: object) -> None:
    rows_of, build = PAYLOADS[name]
    clean_rows = rows_of()
    clean, clean_rejected, _ = _admitted(build(clean_rows))
    assert clean_rejected == 0
    assert len(clean) == len(clean_rows)
    rows = rows_of()
    index = data.draw(st.integers(0, len(rows) - 1), label="row")
    row = rows[index]
    key = data.draw(st.sampled_from(range(len(row)) if isinstance(row, list) else sorted(row)), label="field")
    row[key] = value
    admitted, rejected, held = _admitted(build(rows))  # never raises
    assert rejected == held  # every row left out is counted, none silently dropped
    assert len(admitted) + rejected == len(rows)
    lost = [item for item in clean if item not in admitted]
    assert len(lost) <= 1  # only the corrupted row's item may be missing: every other row is there


def test_a_source_inventing_reasons_cannot_grow_the_counts_without_bound() -> None:
    """Reasons quote the bad value, so each hostile payload could bring a new one: past
    MAX_HELD_REASONS kinds per source the rest are counted together, none lost."""
    from crashtui.events import MAX_HELD_REASONS, OTHER_HELD_REASONS
    from crashtui.ingest.gate import Gate
    from crashtui.model import Ticker

    state = FeedState(("BTC",), mode="live", now_ms=lambda: NOW)
    for i in range(MAX_HELD_REASONS + 50):
        state.apply(HeldEvent("binance", "prices", f"unreadable: got 'x{i}'", (None,), NOW))
    held = state.snapshot().held["binance"]
    assert len(held) == MAX_HELD_REASONS + 1
    assert sum(h.count for h in held) == MAX_HELD_REASONS + 50
    assert next(h for h in held if h.reason == OTHER_HELD_REASONS).count == 50

    gate = Gate()
    for i in range(MAX_HELD_REASONS + 10):
        gate.admit("binance", "prices", (Ticker("BTC", -1.0 - i, None, NOW, "binance"),), NOW)
    assert len(gate.held) == MAX_HELD_REASONS + 1
    assert gate.held[("binance", OTHER_HELD_REASONS)] == 10
