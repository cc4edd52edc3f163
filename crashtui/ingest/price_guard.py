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

    def check(self, items: Iterable[object], now_ms: int) -> str | None:
        """None when every ticker in ``items`` is plausible (they become the new anchors);
        else the reason for the first suspect one, and nothing in ``items`` is anchored."""
        tickers = [t for t in items if isinstance(t, Ticker)]
        reason = None
        for ticker in tickers:
            problem = self._suspect(ticker, now_ms)
            if problem is not None and reason is None:
                reason = problem
        if reason is not None:
            self.rejected += 1
            return reason
        for ticker in tickers:
            self._anchors[ticker.symbol] = _Anchor(ticker.price, now_ms)
            self._candidates.pop(ticker.symbol, None)
        return None

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
