"""The gate: every data item passes here before it reaches the state, the store or a sink.

One place for the rules of what may enter (DATA-TRUST.md describes each with its bound):

* values (:mod:`crashtui.ingest.rules`): finite, positive prices below a ceiling, sane sizes;
* time (:mod:`crashtui.ingest.timing`): within the feed clock's window, per-kind maximum age;
* size: a single liquidation above its symbol's plausibility ceiling is quarantined;
* price (:class:`~crashtui.ingest.price_guard.PriceGuard`): a jump far from the last good
  price is held until another source or repeated readings confirm it.

Each item is judged on its own: a bad value costs that item, never the rest of its payload.
What is held is counted per source and reason, so the user sees it ("3 held: timestamp 74
years ahead"); it never reaches the state's data.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crashtui.events import held_reason
from crashtui.ingest.price_guard import PriceGuard
from crashtui.ingest.rules import item_problem
from crashtui.ingest.timing import time_problem
from crashtui.model import FundingSnapshot, Liquidation, OpenInterestPoint, Ticker

Items = tuple[object, ...]

# The largest single liquidations reported are tens of millions of USD ($29.1M ETH on
# Hyperliquid, 2025-09-26; $21.4M BTC on 2025-10-10, see DATA-TRUST.md); a record ETH order of
# about $200M was reported on 2025-10-10. The floor leaves room above that; a market whose open
# interest is larger may liquidate a larger order, up to a small share of it.
LIQUIDATION_FLOOR_USD: Mapping[str, float] = MappingProxyType({"BTC": 500e6, "ETH": 500e6})
DEFAULT_LIQUIDATION_FLOOR_USD = 100e6
_OPEN_INTEREST_KINDS = frozenset({"funding", "open_interest", "open_interest_history"})
LIQUIDATION_OI_SHARE = 0.01
# No symbol's ceiling is below this: a liquidation under it needs no ceiling looked up.
_LOWEST_CEILING_USD = min(DEFAULT_LIQUIDATION_FLOOR_USD, *LIQUIDATION_FLOOR_USD.values())


@dataclass(frozen=True, slots=True)
class Held:
    """One item the gate held back, and why."""

    item: object
    reason: str


@dataclass(frozen=True, slots=True)
class Admission:
    """What the gate let through of one payload (in order) and what it held."""

    admitted: Items
    held: tuple[Held, ...] = ()


@dataclass(slots=True)
class _OpenInterest:
    """Latest open interest per (venue, symbol) in USD, for the liquidation ceiling."""

    by_venue: dict[tuple[str, str], float] = field(default_factory=dict)
    totals: dict[str, float] = field(default_factory=dict)

    def note(self, item: object) -> None:
        if isinstance(item, FundingSnapshot) and item.open_interest_usd:
            self._set(item.venue, item.symbol, item.open_interest_usd)
        elif isinstance(item, OpenInterestPoint) and item.oi_usd and item.scope == "perp":
            self._set(item.venue, item.symbol, item.oi_usd)

    def _set(self, venue: str, symbol: str, usd: float) -> None:
        self.by_venue[(venue, symbol)] = usd
        self.totals[symbol] = sum(v for (_, s), v in self.by_venue.items() if s == symbol)

    def total(self, symbol: str) -> float:
        return self.totals.get(symbol, 0.0)


def liquidation_ceiling_usd(symbol: str, open_interest_usd: float) -> float:
    """The largest single liquidation of ``symbol`` the gate lets through."""
    floor = LIQUIDATION_FLOOR_USD.get(symbol, DEFAULT_LIQUIDATION_FLOOR_USD)
    return max(floor, LIQUIDATION_OI_SHARE * open_interest_usd)


class Gate:
    """Admits or holds back each item of a payload (see the module docstring)."""

    def __init__(self) -> None:
        self.guard = PriceGuard()
        self._open_interest = _OpenInterest()
        self._held: Counter[tuple[str, str]] = Counter()
        self._reasons: dict[str, set[str]] = {}

    def admit(self, source: str, kind: str, items: Items, now_ms: int, *, history: bool = False) -> Admission:
        """Judge each item of one payload received at ``now_ms`` (the feed clock).

        ``history`` (items read back from a store at start) skips the maximum-age rule and the
        price guard: old history is not a live quote.
        """
        problem = self._problem
        admitted: list[object] = []
        held: list[Held] = []
        for item in items:
            reason = problem(item, now_ms, history)
            if reason is None:
                admitted.append(item)
            else:
                held.append(Held(item, reason))
        if kind == "prices" and not history:
            tickers = [t for t in admitted if isinstance(t, Ticker)]
            suspects = self.guard.screen(tickers, now_ms)
            if suspects:
                held.extend(Held(t, reason) for t, reason in suspects.items())
                admitted = [i for i in admitted if i not in suspects]
        if kind in _OPEN_INTEREST_KINDS:
            for item in admitted:
                self._open_interest.note(item)
        if not held:  # the common case: hand back the very tuple (the caller reuses its event)
            return Admission(items if type(items) is tuple else tuple(admitted))
        kinds = self._reasons.setdefault(source, set())
        for entry in held:
            reason = held_reason(kinds, entry.reason)
            kinds.add(reason)
            self._held[(source, reason)] += 1
        return Admission(tuple(admitted), tuple(held))

    def _problem(self, item: object, now_ms: int, history: bool) -> str | None:
        try:
            problem = item_problem(item) or time_problem(item, now_ms, history=history)
        except (TypeError, ValueError, OverflowError) as exc:  # a field of the wrong type
            return f"unreadable {type(item).__name__}: {type(exc).__name__}"
        if problem is None and type(item) is Liquidation and not item.notional_usd <= _LOWEST_CEILING_USD:
            ceiling = liquidation_ceiling_usd(item.symbol, self._open_interest.total(item.symbol))
            if item.notional_usd > ceiling:
                problem = (
                    f"implausible: a single {item.symbol} liquidation of {item.notional_usd:,.0f} USD "
                    f"is above the {ceiling:,.0f} USD ceiling"
                )
        return problem

    @property
    def held(self) -> Mapping[tuple[str, str], int]:
        """How many items each (source, reason) held back since the start."""
        return MappingProxyType(self._held)

    def reset(self) -> None:
        """Forget the anchors, open interest and counts (a replay seeking back starts over)."""
        self.guard = PriceGuard()
        self._open_interest = _OpenInterest()
        self._held.clear()
        self._reasons.clear()
