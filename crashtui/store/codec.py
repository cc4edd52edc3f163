"""Rows <-> model objects for the SQLite store: one table per data kind."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from crashtui.model import (
    BookStats,
    BorrowRate,
    Candle,
    EtfFlow,
    FearGreedReading,
    FundFlow,
    FundingSnapshot,
    Interval,
    Liquidation,
    MacroObservation,
    Side,
    Ticker,
)

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class TableSpec:
    """One store table: its DDL, the kind it holds and how to (de)serialise rows."""

    name: str
    kind: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    time_column: str
    to_row: Callable[[Any], Row]
    from_row: Callable[[Row], object]

    def ddl(self) -> str:
        """CREATE TABLE statement (WITHOUT ROWID, keyed for upserts)."""
        cols = ", ".join(self.columns)
        key = ", ".join(self.key)
        return f"CREATE TABLE IF NOT EXISTS {self.name} ({cols}, PRIMARY KEY ({key})) WITHOUT ROWID"

    def upsert_sql(self) -> str:
        """INSERT OR REPLACE statement for one row."""
        marks = ", ".join("?" for _ in self.columns)
        return f"INSERT OR REPLACE INTO {self.name} ({', '.join(self.columns)}) VALUES ({marks})"


def _candle_row(c: Candle) -> Row:
    return (
        c.symbol,
        str(c.interval),
        c.open_ms,
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        c.source,
        int(c.closed),
    )


def _candle(r: Row) -> Candle:
    return Candle(r[0], Interval(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8], bool(r[9]))


def _ticker_row(t: Ticker) -> Row:
    return (t.symbol, t.price, t.change_24h_pct, t.ts_ms, t.source, t.volume_24h_usd)


def _ticker(r: Row) -> Ticker:
    return Ticker(r[0], r[1], r[2], r[3], r[4], r[5])


def _liq_row(x: Liquidation) -> Row:
    return (x.venue, x.symbol, str(x.liquidated_side), x.price, x.qty, x.notional_usd, x.ts_ms, x.instrument)


def _liq(r: Row) -> Liquidation:
    return Liquidation(r[0], r[1], Side(r[2]), r[3], r[4], r[5], r[6], r[7])


def _etf_row(e: EtfFlow) -> Row:
    funds = json.dumps([[f.ticker, f.flow_usd_m] for f in e.funds], separators=(",", ":"))
    return (e.asset, e.day_ms, e.total_usd_m, e.source, funds)


def _etf(r: Row) -> EtfFlow:
    funds = tuple(FundFlow(str(t), None if v is None else float(v)) for t, v in json.loads(r[4]))
    return EtfFlow(r[0], r[1], r[2], r[3], funds)


def _fear_row(f: FearGreedReading) -> Row:
    return (f.index, f.ts_ms, f.value, f.classification, f.source)


def _fear(r: Row) -> FearGreedReading:
    return FearGreedReading(r[0], r[1], r[2], r[3], r[4])


def _macro_row(m: MacroObservation) -> Row:
    return (m.series, m.day_ms, m.value, m.source)


def _macro(r: Row) -> MacroObservation:
    return MacroObservation(r[0], r[1], r[2], r[3])


def _funding_row(f: FundingSnapshot) -> Row:
    return (
        f.venue,
        f.symbol,
        f.ts_ms,
        f.funding_rate_8h,
        f.mark_price,
        f.index_price,
        f.next_funding_ms,
        f.open_interest_base,
        f.open_interest_usd,
    )


def _funding(r: Row) -> FundingSnapshot:
    return FundingSnapshot(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8])


def _book_row(b: BookStats) -> Row:
    return (b.venue, b.symbol, b.ts_ms, b.mid, b.spread_bps, b.bid_depth_usd, b.ask_depth_usd)


def _book(r: Row) -> BookStats:
    return BookStats(r[0], r[1], r[2], r[3], r[4], r[5], r[6])


def _borrow_row(b: BorrowRate) -> Row:
    return (b.protocol, b.chain, b.asset, b.pool_id, b.ts_ms, b.borrow_apy_pct, b.supply_apy_pct, b.source)


def _borrow(r: Row) -> BorrowRate:
    return BorrowRate(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7])


TABLES: tuple[TableSpec, ...] = (
    TableSpec(
        "candles",
        "candles",
        ("symbol", "interval", "open_ms", "open", "high", "low", "close", "volume", "source", "closed"),
        ("symbol", "interval", "open_ms"),
        "open_ms",
        _candle_row,
        _candle,
    ),
    TableSpec(
        "tickers",
        "prices",
        ("symbol", "price", "change_24h_pct", "ts_ms", "source", "volume_24h_usd"),
        ("symbol",),
        "ts_ms",
        _ticker_row,
        _ticker,
    ),
    TableSpec(
        "liquidations",
        "liquidations",
        ("venue", "symbol", "side", "price", "qty", "notional_usd", "ts_ms", "instrument"),
        ("venue", "symbol", "ts_ms", "qty"),
        "ts_ms",
        _liq_row,
        _liq,
    ),
    TableSpec(
        "etf_flows",
        "etf",
        ("asset", "day_ms", "total_usd_m", "source", "funds"),
        ("asset", "day_ms"),
        "day_ms",
        _etf_row,
        _etf,
    ),
    TableSpec(
        "fear",
        "fear",
        ("idx", "ts_ms", "value", "classification", "source"),
        ("idx", "ts_ms"),
        "ts_ms",
        _fear_row,
        _fear,
    ),
    TableSpec(
        "macro",
        "macro",
        ("series", "day_ms", "value", "source"),
        ("series", "day_ms"),
        "day_ms",
        _macro_row,
        _macro,
    ),
    TableSpec(
        "funding",
        "funding",
        (
            "venue",
            "symbol",
            "ts_ms",
            "funding_rate_8h",
            "mark_price",
            "index_price",
            "next_funding_ms",
            "open_interest_base",
            "open_interest_usd",
        ),
        ("venue", "symbol"),
        "ts_ms",
        _funding_row,
        _funding,
    ),
    TableSpec(
        "books",
        "depth",
        ("venue", "symbol", "ts_ms", "mid", "spread_bps", "bid_depth_usd", "ask_depth_usd"),
        ("venue", "symbol", "ts_ms"),
        "ts_ms",
        _book_row,
        _book,
    ),
    TableSpec(
        "borrow",
        "borrow",
        ("protocol", "chain", "asset", "pool_id", "ts_ms", "borrow_apy_pct", "supply_apy_pct", "source"),
        ("pool_id", "ts_ms"),
        "ts_ms",
        _borrow_row,
        _borrow,
    ),
)

TABLE_FOR_TYPE: dict[type, TableSpec] = {
    Candle: TABLES[0],
    Ticker: TABLES[1],
    Liquidation: TABLES[2],
    EtfFlow: TABLES[3],
    FearGreedReading: TABLES[4],
    MacroObservation: TABLES[5],
    FundingSnapshot: TABLES[6],
    BookStats: TABLES[7],
    BorrowRate: TABLES[8],
}


def group_rows(items: Sequence[object]) -> dict[TableSpec, list[Row]]:
    """Group model objects into rows per table; unknown types are ignored."""
    out: dict[TableSpec, list[Row]] = {}
    for item in items:
        spec = TABLE_FOR_TYPE.get(type(item))
        if spec is not None:
            out.setdefault(spec, []).append(spec.to_row(item))
    return out
