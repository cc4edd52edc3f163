"""The price guard: a ticker that jumps implausibly far from its symbol's last good price is
held back until confirmed (see :mod:`crashtui.ingest.rules` for the bounds)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from crashtui.ingest.rules import CONFIRM_BAND, CONFIRM_READINGS, MAX_MOVE, REANCHOR_AFTER_MS
from crashtui.model import Ticker


@dataclass(slots=True)
class _Anchor:
    price: float
    at_ms: int


@dataclass(slots=True)
class _Candidate:
    price: float
    readings: int = 1
    sources: set[str] = field(default_factory=set)


class PriceGuard:
    """Holds back a ticker that jumps implausibly far from its symbol's last accepted price.

    One guard per feed (every price source shares it, so a second source can confirm a move).
    """

    def __init__(
        self,
        *,
        max_move: float = MAX_MOVE,
        confirm_band: float = CONFIRM_BAND,
        confirm_readings: int = CONFIRM_READINGS,
        reanchor_after_ms: int = REANCHOR_AFTER_MS,
    ) -> None:
        self.max_move = max_move
        self.confirm_band = confirm_band
        self.confirm_readings = confirm_readings
        self.reanchor_after_ms = reanchor_after_ms
        self._anchors: dict[str, _Anchor] = {}
        self._candidates: dict[str, _Candidate] = {}
        self.rejected = 0

    def screen(self, tickers: Iterable[Ticker], now_ms: int) -> dict[Ticker, str]:
        """The suspect tickers with the reason each is held; every other ticker becomes its
        symbol's new anchor. One symbol's glitch never holds back another symbol's price."""
        suspects: dict[Ticker, str] = {}
        for ticker in tickers:
            problem = self._suspect(ticker, now_ms)
            if problem is not None:
                suspects[ticker] = problem
                self.rejected += 1
            else:
                self._anchors[ticker.symbol] = _Anchor(ticker.price, now_ms)
                self._candidates.pop(ticker.symbol, None)
        return suspects

    def check(self, items: Iterable[object], now_ms: int) -> str | None:
        """The reason the first suspect ticker in ``items`` is held, or None (see :meth:`screen`)."""
        suspects = self.screen([t for t in items if isinstance(t, Ticker)], now_ms)
        return next(iter(suspects.values()), None)

    def _suspect(self, ticker: Ticker, now_ms: int) -> str | None:
        anchor = self._anchors.get(ticker.symbol)
        if anchor is None or not 0 <= now_ms - anchor.at_ms <= self.reanchor_after_ms:
            return None
        move = ticker.price / anchor.price - 1.0
        if abs(move) <= self.max_move:
            self._candidates.pop(ticker.symbol, None)
            return None
        candidate = self._candidates.get(ticker.symbol)
        if candidate is None or abs(ticker.price / candidate.price - 1.0) > self.confirm_band:
            candidate = self._candidates[ticker.symbol] = _Candidate(ticker.price)
        else:
            candidate.readings += 1
        candidate.sources.add(ticker.source)
        if candidate.readings >= self.confirm_readings or len(candidate.sources) >= 2:
            return None
        return (
            f"{ticker.symbol} {ticker.price:g} is {move * 100:+.0f}% from the last good price "
            f"{anchor.price:g}; held back until another source or {self.confirm_readings} readings confirm it"
        )
