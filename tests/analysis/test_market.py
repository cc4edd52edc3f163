"""analyse_snapshot: one call from a Snapshot to every pane's numbers, JSON-ready."""

from __future__ import annotations

import dataclasses
import json
import math
from types import MappingProxyType

from crashtui.analysis.liquidations import LiquidationTally
from crashtui.analysis.market import analyse_snapshot, sampled_venues, zone_inputs_key
from crashtui.analysis.zone_state import ZoneState
from crashtui.config.schema import Config
from crashtui.model import (
    Candle,
    EtfFlow,
    FearGreedReading,
    Interval,
    Liquidation,
    Side,
    Snapshot,
    SourceState,
    SourceStatus,
    Ticker,
)

H = 3_600_000
DAY = 86_400_000
NOW = 1_770_386_400_000  # 2026-02-06 14:00Z


def snapshot(**over: object) -> Snapshot:
    hourly = []
    for i in range(300):
        mid = 2000.0 + 60.0 * math.sin(i / 11.0) - i * 0.5
        hourly.append(
            Candle("ETH", Interval.H1, NOW - (300 - i) * H, mid, mid + 8, mid - 8, mid + 1, 100.0, "binance")
        )
    liqs = (
        Liquidation("binance", "ETH", Side.LONG, 1771.0, 100.0, 177_100.0, NOW - 60_000),
        Liquidation("bybit", "BTC", Side.SHORT, 61_900.0, 1.0, 61_900.0, NOW - 30 * 60_000),
    )
    fields: dict[str, object] = {
        "generated_ms": NOW,
        "mode": "replay",
        "watchlist": ("ETH", "SOL"),
        "tickers": MappingProxyType({"ETH": Ticker("ETH", 1771.0, -11.2, NOW, "binance")}),
        "candles": MappingProxyType({("ETH", Interval.H1): tuple(hourly)}),
        "liquidations": liqs,
        "etf_flows": MappingProxyType({"ETH": (EtfFlow("ETH", NOW - NOW % DAY - DAY, -129.18, "farside"),)}),
        "fear": MappingProxyType(
            {"crypto": (FearGreedReading("crypto", NOW - NOW % DAY, 9.0, "Extreme Fear", "fng"),)}
        ),
        "macro": MappingProxyType({}),
        "funding": MappingProxyType({}),
        "books": MappingProxyType({}),
        "borrow": (),
        "statuses": MappingProxyType(
            {
                "binance_liq": SourceStatus("binance_liq", SourceState.OK, NOW, sampled=True),
                "bybit_liq": SourceStatus("bybit_liq", SourceState.OK, NOW),
            }
        ),
    }
    fields.update(over)
    return Snapshot(**fields)  # type: ignore[arg-type]


def test_sampled_venues_from_statuses() -> None:
    assert sampled_venues(snapshot().statuses) == frozenset({"binance"})


def test_analyse_snapshot_end_to_end() -> None:
    config = Config(zones=MappingProxyType({"ETH": (1826.0, 1796.0)}))
    result = analyse_snapshot(snapshot(), config)
    eth, sol = result.symbols
    assert eth.price == 1771.0
    assert eth.price_source == "ticker binance"
    assert eth.zones is not None
    assert eth.summary is not None
    for level in (1826.0, 1796.0):
        assert any(z.low <= level <= z.high for z in eth.zones.zones)
    assert eth.summary.badge in set(ZoneState)
    assert sol.zones is None
    assert sol.note == "no price and no candles yet"
    day = result.liquidations.window("24h")
    assert day is not None
    assert day.total.total_usd == 177_100.0 + 61_900.0
    assert day.lower_bound  # binance is sampled and has an order in the window
    assert [e.asset for e in result.etf] == ["ETH"]
    # fear 9 and the ETF 5-day flow (-129.18) are present; everything else is missing, not calm
    assert {c.name for c in result.gauge.components} == {"fear_greed", "etf_flows"}
    assert "drawdown" in {m.name for m in result.gauge.missing}
    text = json.dumps(dataclasses.asdict(result))
    assert "NaN" not in text
    assert "Infinity" not in text


def test_running_tally_is_used_when_given() -> None:
    tally = LiquidationTally()
    tally.add(Liquidation("okx", "BTC", Side.LONG, 60_000.0, 10.0, 600_000.0, NOW - 5 * 60_000))
    result = analyse_snapshot(snapshot(), Config(), tally)
    day = result.liquidations.window("24h")
    assert day is not None
    assert day.total.total_usd == 600_000.0  # the snapshot's own recent list is not re-counted
    assert not day.lower_bound


def test_zones_ignore_5m_and_15m_candles() -> None:
    """A chart's on-demand candles never move a zone: analysis reads 1h, 4h and 1d only."""
    base = snapshot()
    short: dict[tuple[str, Interval], tuple[Candle, ...]] = dict(base.candles)
    for interval in (Interval.M5, Interval.M15):
        # wicks far outside the hourly range: a pivot or an ATR from these would show at once
        short[("ETH", interval)] = tuple(
            Candle(
                "ETH",
                interval,
                NOW - (200 - i) * interval.ms,
                1800.0,
                2600.0,
                900.0,
                1200.0 + i,
                9e5,
                "binance",
            )
            for i in range(200)
        )
    with_short = dataclasses.replace(base, candles=MappingProxyType(short))
    config = Config(zones=MappingProxyType({"ETH": (1826.0,)}))
    plain_eth = analyse_snapshot(base, config).symbols[0]
    short_eth = analyse_snapshot(with_short, config).symbols[0]
    assert plain_eth.zones is not None
    assert plain_eth.zones.zones  # there are zones to compare
    assert short_eth.zones == plain_eth.zones
    assert short_eth.summary == plain_eth.summary
    assert zone_inputs_key(with_short, "ETH", ()) == zone_inputs_key(base, "ETH", ())
