"""The one current price of a symbol, with its age: which number every view shows as "now".

A ticker is a live quote: it stands for the current price while it is at most
:data:`~crashtui.analysis.freshness.TICKER_MAX_AGE_MS` old (the gate's live-quote rule,
DATA-TRUST.md). An older ticker is history. Then the newest intraday (else daily) candle's
close stands in when it is more recent than the ticker (the chart shows the same number), else
the old ticker is still shown, saying how old it is (``ticker binance, stale: quoted 36 h ago``).
Without a ticker the newest candle's close stands in, stale when its series is
(``last 1d close (binance), stale: closed 2 years ago``).

Only a current ticker carries a 24 h change: an old one's change is of another day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from crashtui.analysis.freshness import TICKER_MAX_AGE_MS, age_text, describe, freshness
from crashtui.model import Candle, Interval, Snapshot, Ticker


@dataclass(frozen=True, slots=True)
class PriceRead:
    """A symbol's current price: ``source`` names it (with ``stale: …`` when it is history),
    ``as_of_ms`` is when it was the price (a ticker's stamp, a candle's close)."""

    price: float
    source: str
    as_of_ms: int
    stale: bool
    change_24h_pct: float | None = None


def _candle_read(candles: Sequence[Candle], now_ms: int) -> PriceRead:
    last = max(candles, key=lambda c: c.open_ms)
    close_ms = last.open_ms + last.interval.ms
    age = freshness(close_ms, last.interval.ms, now_ms)
    source = f"last {last.interval.value} close ({last.source})"
    if age.stale:  # an old close is history, never the current price
        source += f", {describe(age, 'closed')}"
    return PriceRead(last.close, source, min(close_ms, now_ms), age.stale)


def ticker_is_current(ticker: Ticker | None, now_ms: int) -> bool:
    """Whether ``ticker`` may stand for the current price (a price, at most 6 h old)."""
    return ticker is not None and ticker.price > 0 and now_ms - ticker.ts_ms <= TICKER_MAX_AGE_MS


def price_read(
    ticker: Ticker | None, intraday: Sequence[Candle], daily: Sequence[Candle], now_ms: int
) -> PriceRead | None:
    """The current price from the symbol's ticker and candles (see the module docstring);
    None when there is neither."""
    if ticker is not None and ticker_is_current(ticker, now_ms):
        return PriceRead(ticker.price, f"ticker {ticker.source}", ticker.ts_ms, False, ticker.change_24h_pct)
    candles = intraday or daily
    from_candles = _candle_read(candles, now_ms) if candles else None
    if ticker is None or not ticker.price > 0:
        return from_candles
    if from_candles is not None and from_candles.as_of_ms > ticker.ts_ms:
        return from_candles
    age = age_text(max(0, now_ms - ticker.ts_ms))
    return PriceRead(ticker.price, f"ticker {ticker.source}, stale: quoted {age} ago", ticker.ts_ms, True)


def current_price(snapshot: Snapshot, symbol: str) -> PriceRead | None:
    """:func:`price_read` of ``symbol`` in ``snapshot`` (1h candles, else 4h, else daily)."""
    intraday = snapshot.candles.get((symbol, Interval.H1), ()) or snapshot.candles.get(
        (symbol, Interval.H4), ()
    )
    daily = snapshot.candles.get((symbol, Interval.D1), ())
    return price_read(snapshot.tickers.get(symbol), intraday, daily, snapshot.generated_ms)
