"""Plausibility rules for parsed market data: absurd values are rejected, never plotted.

Two layers, both applied by the one gate every event passes (:mod:`crashtui.ingest.gate`), so
live, replay, the followers and ``crashtui sources`` reject exactly the same things:

* **Stateless** (:func:`item_problem`): every price must be a
  finite number above 0 and below :data:`MAX_PRICE_USD` (no asset trades above US$100M a
  unit: a BTC price of 1e12 is a glitch); a candle's high may not be below its low; a single
  liquidation may not exceed :data:`MAX_ORDER_USD`; a Fear & Greed value lies in 0–100;
  funding rates, ETF flows and borrow rates stay within bounds no market has come near;
  names shown to the user (instruments, ETF funds, F&G classifications) are printable. One
  impossible number holds that item back (counted with its reason); the rest of the payload
  is applied. Only when every item is held is the payload an error for its source, so
  failover asks the next one. (Values a parser cannot read at all are left out per row
  before the gate: :mod:`crashtui.sources.rows`.)
* **Stateful** (:class:`~crashtui.ingest.price_guard.PriceGuard`): a ticker more than
  :data:`MAX_MOVE` (50%) away from the last accepted price of its symbol is held back as a
  suspected glitch (a 99% drop between two polls a few seconds apart is a bad print, not a
  crash). It is accepted once confirmed:
  by a second source quoting the same level (within :data:`CONFIRM_BAND`), or by
  :data:`CONFIRM_READINGS` readings in a row at that level, or when the last accepted price is
  older than :data:`REANCHOR_AFTER_MS` (after an outage the market may really have moved).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from typing import Any

from crashtui.model import (
    ETF_PERIODS,
    BookStats,
    BorrowRate,
    Candle,
    EtfFlow,
    FearGreedReading,
    FundingPoint,
    FundingSnapshot,
    Liquidation,
    LongShortRatio,
    MacroObservation,
    MarketGlobal,
    MarketMovers,
    OpenInterestPoint,
    TakerVolume,
    Ticker,
)
from crashtui.sources.macro_series import observation_problem

MAX_PRICE_USD = 1e8
MAX_TURNOVER_USD = 1e13  # US$10 trillion: above any candle's, day's or venue's turnover or OI
MAX_BASE_UNITS = 1e16  # coins: above the whole supply of PEPE or SHIB
MAX_NAME_CHARS = 32  # a symbol, instrument or fund name longer than this is not a name
MAX_ORDER_USD = 1e10
MAX_FUNDING_8H = 1.0  # 100% per 8 h; real caps are a few percent
MAX_ETF_FLOW_USD_M = 100_000.0  # US$100bn in a day; the record is under US$1.5bn
BORROW_APY_RANGE = (-100.0, 10_000.0)
MAX_MOVE = 0.5
CONFIRM_BAND = 0.05
CONFIRM_READINGS = 3
REANCHOR_AFTER_MS = 15 * 60_000


def price_problem(value: float) -> str | None:
    """Why ``value`` is not a plausible USD price, or None when it is."""
    if not math.isfinite(value):
        return f"{value} is not a number"
    if value <= 0:
        return f"{value:g} is not a positive price"
    if value > MAX_PRICE_USD:
        return f"{value:g} is above the {MAX_PRICE_USD:g} USD sanity ceiling"
    return None


def _prices(label: str, values: Iterable[tuple[str, float | None]]) -> str | None:
    for name, value in values:
        if value is not None:
            problem = price_problem(value)
            if problem is not None:
                return f"{label} {name} {problem}"
    return None


def _range(label: str, value: float | None, low: float, high: float) -> str | None:
    if value is None or low <= value <= high:
        return None
    return f"{label} {value:g} is outside the plausible range {low:g}..{high:g}"


def _amount(label: str, value: float | None, maximum: float) -> str | None:
    """A non-negative finite amount no larger than ``maximum`` (volumes, depth, open interest)."""
    if value is None:
        return None
    if not math.isfinite(value):
        return f"{label} {value} is not a number"
    if value < 0:
        return f"{label} {value:g} is negative"
    if value > maximum:
        return f"{label} {value:g} is above the {maximum:g} sanity ceiling"
    return None


def _first(*problems: str | None) -> str | None:
    return next((p for p in problems if p is not None), None)


def _name(label: str, texts: Iterable[str]) -> str | None:
    """Names shown to the user: printable and short (see :func:`_unprintable`)."""
    problem = _unprintable(label, texts)
    if problem is not None:
        return problem
    for text in texts:
        if len(text) > MAX_NAME_CHARS:
            return f"{label} of {len(text)} characters is longer than {MAX_NAME_CHARS}"
    return None


def _ticker(item: Ticker) -> str | None:
    return _first(
        _name("symbol", [item.symbol]),
        _prices(item.symbol, [("price", item.price)]),
        _amount(f"{item.symbol} 24 h volume (USD)", item.volume_24h_usd, MAX_TURNOVER_USD),
        _range(f"{item.symbol} 24 h change %", item.change_24h_pct, -100.0, 100_000.0),
    )


def _candle(item: Candle) -> str | None:
    label = f"{item.symbol} {item.interval} candle"
    problem = _prices(
        label, [("open", item.open), ("high", item.high), ("low", item.low), ("close", item.close)]
    )
    if problem is None and item.high < item.low:
        problem = f"{label} high {item.high:g} is below its low {item.low:g}"
    if problem is None:
        problem = _amount(f"{label} volume", item.volume, MAX_BASE_UNITS)
    if problem is None and item.volume * item.close > MAX_TURNOVER_USD:
        problem = (
            f"{label} volume {item.volume:g} × {item.close:g} is above the {MAX_TURNOVER_USD:g} USD ceiling"
        )
    return _first(_name("symbol", [item.symbol]), problem)


def _book(item: BookStats) -> str | None:
    label = f"{item.symbol} book"
    return _first(
        _prices(label, [("mid", item.mid)]),
        _amount(f"{label} spread (bps)", item.spread_bps, 10_000.0),
        _amount(f"{label} bid depth (USD)", item.bid_depth_usd, MAX_TURNOVER_USD),
        _amount(f"{label} ask depth (USD)", item.ask_depth_usd, MAX_TURNOVER_USD),
    )


def _funding(item: FundingSnapshot) -> str | None:
    label = f"{item.symbol} {item.venue}"
    return _first(
        _prices(label, [("mark", item.mark_price), ("index", item.index_price)]),
        _range(f"{label} funding", item.funding_rate_8h, -MAX_FUNDING_8H, MAX_FUNDING_8H),
        _amount(f"{label} open interest (coins)", item.open_interest_base, MAX_BASE_UNITS),
        _amount(f"{label} open interest (USD)", item.open_interest_usd, MAX_TURNOVER_USD),
    )


def _open_interest(item: OpenInterestPoint) -> str | None:
    label = f"{item.symbol} {item.venue} open interest"
    return _first(
        _amount(f"{label} (coins)", item.oi_base, MAX_BASE_UNITS),
        _amount(f"{label} (USD)", item.oi_usd, MAX_TURNOVER_USD),
    )


def _taker(item: TakerVolume) -> str | None:
    label = f"{item.symbol} {item.venue} taker"
    return _first(
        _amount(f"{label} buy volume", item.buy_base, MAX_BASE_UNITS),
        _amount(f"{label} sell volume", item.sell_base, MAX_BASE_UNITS),
    )


def _long_short(item: LongShortRatio) -> str | None:
    label = f"{item.symbol} {item.venue}"
    return _first(
        _range(f"{label} long share", item.long_share, 0.0, 1.0),
        _range(f"{label} short share", item.short_share, 0.0, 1.0),
    )


def _funding_point(item: FundingPoint) -> str | None:
    return _range(f"{item.symbol} {item.venue} funding", item.rate_8h, -MAX_FUNDING_8H, MAX_FUNDING_8H)


MAX_MARKET_CAP_USD = 1e14  # all crypto was ~$4.4T at its 2025 peak; $100T is not a slip of the market
MAX_DAY_CHANGE_PCT = 100_000.0  # a listing day can do +5,000%; a million percent is a broken row


def _movers(item: MarketMovers) -> str | None:
    moves = (*item.gainers, *item.losers)
    return _first(
        _name(f"{item.source} mover", [m.pair for m in moves]),
        *(_prices(m.pair, [("price", m.price)]) for m in moves),
        *(_range(f"{m.pair} 24 h change %", m.change_24h_pct, -100.0, MAX_DAY_CHANGE_PCT) for m in moves),
        *(_amount(f"{m.pair} 24 h volume (USD)", m.quote_volume_usd, MAX_TURNOVER_USD) for m in moves),
    )


def _market(item: MarketGlobal) -> str | None:
    return _first(
        _amount("total crypto market cap (USD)", item.total_market_cap_usd, MAX_MARKET_CAP_USD),
        _range("market cap 24 h change %", item.market_cap_change_24h_pct, -100.0, 1000.0),
        _range("BTC dominance %", item.btc_dominance_pct, 0.0, 100.0),
        _range("ETH dominance %", item.eth_dominance_pct, 0.0, 100.0),
    )


def _unprintable(label: str, texts: Iterable[str]) -> str | None:
    """Provider strings shown as names (instruments, funds, classifications) must be plain
    printable text: an escape sequence in one is an attack on the terminal, not a name."""
    for text in texts:
        if not text.isprintable():
            return f"{label} {text[:40]!a} holds control characters"  # escaped once: '\x1b[2J'
    return None


def _fear(item: FearGreedReading) -> str | None:
    return _range(f"{item.index} fear & greed", item.value, 0.0, 100.0) or _unprintable(
        f"{item.index} fear & greed classification", [item.classification]
    )


def _etf(item: EtfFlow) -> str | None:
    if item.period not in ETF_PERIODS:
        return f"{item.asset} ETF figure covers an unknown period {str(item.period)[:12]!r}"
    return _first(
        _range(f"{item.asset} ETF flow (US$m)", item.total_usd_m, -MAX_ETF_FLOW_USD_M, MAX_ETF_FLOW_USD_M),
        _name(f"{item.asset} ETF fund", [f.ticker for f in item.funds]),
        *(
            _range(
                f"{item.asset} {f.ticker} flow (US$m)", f.flow_usd_m, -MAX_ETF_FLOW_USD_M, MAX_ETF_FLOW_USD_M
            )
            for f in item.funds
        ),
    )


def _borrow(item: BorrowRate) -> str | None:
    return _first(
        _range(f"{item.asset} borrow APY %", item.borrow_apy_pct, *BORROW_APY_RANGE),
        _range(f"{item.asset} supply APY %", item.supply_apy_pct, *BORROW_APY_RANGE),
    )


def item_problem(item: object) -> str | None:
    """Why one parsed item is implausible, or None (item types without rules pass)."""
    kind = type(item)
    quick = _QUICK.get(kind)
    if quick is not None:
        try:
            if quick(item):
                return None
        except Exception:  # noqa: S110 - a field of an odd type: the full check judges it
            pass
    check = _CHECKS.get(kind)
    return None if check is None else check(item)


def liquidation_problem(liq: Liquidation) -> str | None:
    """Why one liquidation is implausible, or None."""
    problem = _name(f"{liq.venue} instrument", [liq.symbol, liq.instrument])
    if problem is not None:
        return problem
    label = f"{liq.symbol} liquidation"
    problem = _prices(label, [("price", liq.price)]) or _amount(f"{label} size", liq.qty, MAX_BASE_UNITS)
    if problem is None and liq.qty == 0:
        problem = f"{label} of size 0"
    if problem is None and not (math.isfinite(liq.notional_usd) and 0 < liq.notional_usd <= MAX_ORDER_USD):
        problem = f"{label} of {liq.notional_usd:g} USD is above the {MAX_ORDER_USD:g} USD sanity ceiling"
    return problem


_CHECKS: dict[type, Callable[[Any], str | None]] = {
    Ticker: _ticker,
    Candle: _candle,
    BookStats: _book,
    FundingSnapshot: _funding,
    Liquidation: liquidation_problem,
    FearGreedReading: _fear,
    EtfFlow: _etf,
    BorrowRate: _borrow,
    MacroObservation: observation_problem,
    MarketMovers: _movers,
    MarketGlobal: _market,
    OpenInterestPoint: _open_interest,
    TakerVolume: _taker,
    LongShortRatio: _long_short,
    FundingPoint: _funding_point,
}


# Quick checks: True only when every rule of the item's full check passes (the plain
# comparisons below are False for NaN and the infinities, as the full checks' bounds are), so
# the common plausible item costs no label or list. Anything else, and any field of an odd
# type (a comparison that raises), goes to the full check, which says what is wrong. A rule
# added to a full check must be added to its quick check too (tests/ingest/test_rules_quick.py
# holds the two to the same answers on edge values).
_P = MAX_PRICE_USD
_T = MAX_TURNOVER_USD
_B = MAX_BASE_UNITS
_N = MAX_NAME_CHARS
_F = MAX_FUNDING_8H


def _name_ok(text: str) -> bool:
    return text.isprintable() and len(text) <= _N


def _ticker_ok(t: Ticker) -> bool:
    v, c = t.volume_24h_usd, t.change_24h_pct
    return (
        0 < t.price <= _P
        and (v is None or 0 <= v <= _T)
        and (c is None or -100.0 <= c <= 100_000.0)
        and _name_ok(t.symbol)
    )


def _candle_ok(c: Candle) -> bool:
    high, low, close, volume = c.high, c.low, c.close, c.volume
    return (
        0 < c.open <= _P
        and 0 < high <= _P
        and 0 < low <= _P
        and 0 < close <= _P
        and not high < low
        and 0 <= volume <= _B
        and not volume * close > _T
        and _name_ok(c.symbol)
    )


def _book_ok(b: BookStats) -> bool:
    return (
        0 < b.mid <= _P
        and 0 <= b.spread_bps <= 10_000.0
        and 0 <= b.bid_depth_usd <= _T
        and (0 <= b.ask_depth_usd <= _T)
    )


def _funding_ok(f: FundingSnapshot) -> bool:
    mark, index, rate = f.mark_price, f.index_price, f.funding_rate_8h
    base, usd = f.open_interest_base, f.open_interest_usd
    return (
        (mark is None or 0 < mark <= _P)
        and (index is None or 0 < index <= _P)
        and (rate is None or -_F <= rate <= _F)
        and (base is None or 0 <= base <= _B)
        and (usd is None or 0 <= usd <= _T)
    )


def _open_interest_ok(p: OpenInterestPoint) -> bool:
    base, usd = p.oi_base, p.oi_usd
    return (base is None or 0 <= base <= _B) and (usd is None or 0 <= usd <= _T)


def _taker_ok(t: TakerVolume) -> bool:
    return 0 <= t.buy_base <= _B and 0 <= t.sell_base <= _B


def _long_short_ok(r: LongShortRatio) -> bool:
    return 0.0 <= r.long_share <= 1.0 and 0.0 <= r.short_share <= 1.0


def _funding_point_ok(f: FundingPoint) -> bool:
    return -_F <= f.rate_8h <= _F


def _liquidation_ok(liq: Liquidation) -> bool:
    return (
        0 < liq.price <= _P
        and 0 < liq.qty <= _B
        and 0 < liq.notional_usd <= MAX_ORDER_USD
        and _name_ok(liq.symbol)
        and _name_ok(liq.instrument)
    )


_QUICK: dict[type, Callable[[Any], bool]] = {
    Ticker: _ticker_ok,
    Candle: _candle_ok,
    BookStats: _book_ok,
    FundingSnapshot: _funding_ok,
    Liquidation: _liquidation_ok,
    OpenInterestPoint: _open_interest_ok,
    TakerVolume: _taker_ok,
    LongShortRatio: _long_short_ok,
    FundingPoint: _funding_point_ok,
}
