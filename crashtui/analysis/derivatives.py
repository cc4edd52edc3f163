"""Leverage radar figures per symbol: open interest in USD with its 1 h and 24 h change,
funding per venue (per 8 h and annualised), perp-spot basis, Coinbase premium and the
long/short account ratio, each with the time it is as of.

Pure: models in, a frozen view out; no IO and no clock (``now_ms`` is passed in, the replay
clock in replay). Inputs may hold any symbols, venues and orders; values that are not finite,
negative open interest, non-positive prices and timestamps that are not plausible epoch ms
(seconds, or after ``now_ms``) are skipped, and of two readings with the same timestamp the
one given last wins. Nothing older than ``max_age_ms`` is shown.

How each figure is made (the choices a trader should know):

* **Open interest** sums the venues. Each venue contributes **one** series, so a level and
  its change always compare like with like: its perpetual's history (``scope="perp"``), else
  the all-contracts history (OKX rubik, ``"all"``), else the latest point read from a
  :class:`~crashtui.model.FundingSnapshot` (no change from that). Coins are converted to USD
  (and USD to coins) with a price of the reading's own time: the venue's mark when it is within
  ``price_skew_ms``, else a candle (interpolated between its open and close), else a spot
  ticker within ``price_skew_ms``.
* **OI change** (``oi_change_1h_pct``, ``oi_change_24h_pct``) is measured in **coins**, so a price
  move alone does not look like positions opening or closing (a 10% drop with no position
  closed is 0%, not −10%); the USD change is beside it. Each venue's latest reading is
  compared with its own reading at or before ``window`` earlier, found within a quarter of the
  window; venues without one are left out of both sums.
* **Funding** per venue is the venue's current rate (its funding snapshot), else its last
  settled one (funding history), per 8 h; annualised = ``rate_8h × 3 × 365`` (simple).
  Binance's premium index does not say its interval and is read as 8 h; when Binance's own
  settlement history shows another interval for the symbol, the rate is rescaled by it.
* **Basis** = perp mark vs spot, in % of spot: the venue's mark against the spot index in the
  same payload (no timing skew); only when a venue gives no index, against a spot ticker taken
  within ``basis_skew_ms`` of the mark. Venues in ``venue_order``; the first that has one wins.
* **Coinbase premium** = Coinbase spot (USD) vs Binance spot (USDT), in % of Binance, from the
  two tickers when they are within ``premium_skew_ms`` of each other (in a fast market a few
  seconds of skew outweigh the premium). As everywhere, USDT is taken at 1 USD.
* **Long/short ratio** counts accounts (not size): the first venue of ``ratio_order`` with a
  reading; venues' figures are not averaged (their account bases differ).
* ``at_ms`` of a row is its **oldest** figure's time: every figure shown is at least that fresh.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, TypeVar

from crashtui.model import (
    Candle,
    FundingPoint,
    FundingSnapshot,
    LongShortRatio,
    OpenInterestPoint,
    Ticker,
)
from crashtui.timeparse import iso_utc

HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
# The open-interest changes shown: over 1 h and over 24 h.
OI_CHANGE_WINDOWS_MS = (HOUR_MS, DAY_MS)
FUNDING_8H_MS = 8 * HOUR_MS
MIN_TS_MS = 1_230_768_000_000  # 2009-01-01: anything earlier is a unit error (seconds)
_P = TypeVar("_P", OpenInterestPoint, FundingPoint, LongShortRatio)
CLOCK_SLACK_MS = 60_000  # a venue's clock a little ahead of ours is not an error
MAX_FUNDING_8H = 1.0
# Beyond these a value is a glitch, not a market (the parsers and the sanity gate use the same)
MAX_PRICE_USD = 1e8
MAX_OI_USD = 1e13
MAX_OI_BASE = 1e16

VENUE_LABELS: Mapping[str, str] = {"binance_futures": "binance", "okx_public": "okx"}
"""Source name → the venue name shown (``binance_futures`` is Binance's futures venue)."""

ASSUMED_8H_VENUES = frozenset({"binance_futures"})
"""Venues whose current-funding parser reads the rate as 8-hourly without being told."""


@dataclass(frozen=True, slots=True)
class DerivSettings:
    """Freshness and alignment limits, and the venue preference orders."""

    max_age_ms: int = 2 * HOUR_MS
    price_skew_ms: int = 10 * 60_000
    basis_skew_ms: int = 60_000
    premium_skew_ms: int = 15_000
    venue_order: tuple[str, ...] = ("binance_futures", "bybit", "okx_public", "hyperliquid")
    ratio_order: tuple[str, ...] = ("binance_futures", "bybit", "okx_public")


DEFAULT_SETTINGS = DerivSettings()


@dataclass(frozen=True, slots=True)
class VenueOpenInterest:
    """One venue's latest open interest as counted in the total."""

    venue: str
    scope: str  # perp | all | snapshot
    usd: float | None
    base: float | None
    at_ms: int


@dataclass(frozen=True, slots=True)
class VenueFunding:
    """One venue's funding rate per 8 h; ``settled`` when it is the last settlement, not the
    current period's rate."""

    venue: str
    rate_8h: float
    at_ms: int
    settled: bool = False

    @property
    def annualised_pct(self) -> float:
        """Simple annual rate in percent (10.95 = 10.95% a year)."""
        return self.rate_8h * 3 * 365 * 100


@dataclass(frozen=True, slots=True)
class SymbolDerivatives:
    """The leverage radar row of one symbol; None means unknown (never zero)."""

    symbol: str
    open_interest_usd: float | None = None
    oi_at_ms: int | None = None
    oi_change_1h_pct: float | None = None
    oi_change_24h_pct: float | None = None
    oi_usd_change_1h_pct: float | None = None
    oi_usd_change_24h_pct: float | None = None
    oi_venues: tuple[VenueOpenInterest, ...] = ()
    funding: tuple[VenueFunding, ...] = ()
    basis_pct: float | None = None
    basis_venue: str | None = None
    basis_at_ms: int | None = None
    coinbase_premium_pct: float | None = None
    premium_at_ms: int | None = None
    long_short_ratio: float | None = None
    long_short_venue: str | None = None
    long_short_at_ms: int | None = None

    @property
    def at_ms(self) -> int | None:
        """The oldest timestamp among the figures present (every figure is at least this fresh)."""
        stamps = [
            t
            for t in (self.oi_at_ms, self.basis_at_ms, self.premium_at_ms, self.long_short_at_ms)
            if t is not None
        ]
        stamps.extend(f.at_ms for f in self.funding)
        return min(stamps) if stamps else None


# --- validity ------------------------------------------------------------------------------


def _usable_ratio(value: float | None) -> bool:
    return value is not None and math.isfinite(value) and value >= 0


def _positive(value: float | None) -> bool:
    """A usable price: finite, above 0 and below the sanity ceiling."""
    return value is not None and math.isfinite(value) and 0 < value <= MAX_PRICE_USD


def _plausible_ts(ts_ms: int, now_ms: int) -> bool:
    return MIN_TS_MS <= ts_ms <= now_ms + CLOCK_SLACK_MS


def _fresh(ts_ms: int, now_ms: int, settings: DerivSettings) -> bool:
    return _plausible_ts(ts_ms, now_ms) and now_ms - ts_ms <= settings.max_age_ms


def _amount(value: float | None, ceiling: float) -> float | None:
    """A usable OI amount: finite, not negative and below ``ceiling``, else None."""
    return value if value is not None and math.isfinite(value) and 0 <= value <= ceiling else None


def _result(value: float | None) -> float | None:
    """A computed figure, or None when the arithmetic left the finite numbers."""
    return value if value is not None and math.isfinite(value) else None


# --- prices of a past moment -----------------------------------------------------------------


class _Prices:
    """The symbol's price at a past moment, from marks, candles or spot tickers."""

    def __init__(
        self,
        marks: Mapping[str, FundingSnapshot],
        candles: Iterable[Candle],
        spot: Iterable[Ticker],
        skew_ms: int,
    ) -> None:
        self._marks = marks
        self._skew = skew_ms
        by_len: dict[int, dict[int, Candle]] = {}
        for candle in candles:
            values = (candle.open, candle.close)
            if all(_positive(v) for v in values):
                by_len.setdefault(candle.interval.ms, {})[candle.open_ms] = candle
        # finest candles first: they place a past moment's price best
        self._candles = [
            (length, sorted(series), [series[t] for t in sorted(series)])
            for length, series in sorted(by_len.items())
        ]
        self._spot = sorted((t for t in spot if _positive(t.price)), key=lambda t: t.ts_ms)

    def at(self, venue: str, ts_ms: int) -> float | None:
        """Price at ``ts_ms``: the venue's mark, a candle, or a spot ticker; None if none is near."""
        mark = self._marks.get(venue)
        if mark is not None and _positive(mark.mark_price) and abs(mark.ts_ms - ts_ms) <= self._skew:
            return mark.mark_price
        for length, opens, candles in self._candles:
            index = bisect.bisect_right(opens, ts_ms) - 1
            if index >= 0:
                open_ms, candle = opens[index], candles[index]
                if ts_ms < open_ms + length:
                    share = (ts_ms - open_ms) / length
                    return candle.open + (candle.close - candle.open) * share
        near = [t for t in self._spot if abs(t.ts_ms - ts_ms) <= self._skew]
        if near:
            return min(near, key=lambda t: abs(t.ts_ms - ts_ms)).price
        return None


@dataclass(frozen=True, slots=True)
class _Reading:
    ts_ms: int
    base: float | None
    usd: float | None


def _coins(reading: _Reading, price: float | None) -> float | None:
    if reading.base is not None:
        return reading.base
    if reading.usd is not None and price:
        return reading.usd / price
    return None


def _usd(reading: _Reading, price: float | None) -> float | None:
    if reading.usd is not None:
        return reading.usd
    if reading.base is not None and price:
        return reading.base * price
    return None


# --- open interest -----------------------------------------------------------------------------


def history_horizon_ms(now_ms: int, settings: DerivSettings = DEFAULT_SETTINGS) -> int:
    """The oldest open-interest reading a row at ``now_ms`` can use: the latest must be fresh,
    and a change window starts at most a window and a quarter before it."""
    return now_ms - settings.max_age_ms - max(w + w // 4 for w in OI_CHANGE_WINDOWS_MS)


def recent_points(
    series: Mapping[Any, Sequence[_P]], since_ms: int, now_ms: int, symbol: str | None = None
) -> list[_P]:
    """Every point from ``since_ms`` on of each time-sorted series, plus each series' newest
    point not ahead of the clock (a venue's funding interval is read from it, however old).

    What :func:`symbol_derivatives` can use of a long history, so a caller holding sorted
    series (the state's) need not hand it all on every call. With ``symbol``, only the series
    of that symbol (keys are ``(venue, symbol, ...)``, as the state's are).
    """
    out: list[_P] = []
    ts = attrgetter("ts_ms")
    for key, points in series.items():
        if symbol is not None and key[1] != symbol:
            continue
        start = bisect.bisect_left(points, since_ms, key=ts)
        end = len(points)
        while end > 0 and not _plausible_ts(points[end - 1].ts_ms, now_ms):
            end -= 1
        if 0 < end <= start:
            out.append(points[end - 1])
        out.extend(points[start:])
    return out


def _oi_series(
    points: Iterable[OpenInterestPoint], snapshots: Iterable[FundingSnapshot], now_ms: int
) -> dict[tuple[str, str], list[_Reading]]:
    """(venue, scope) → valid readings, oldest first, one per timestamp (last given wins)."""
    series: dict[tuple[str, str], dict[int, _Reading]] = {}

    def add(venue: str, scope: str, ts_ms: int, base: float | None, usd: float | None) -> None:
        base, usd = _amount(base, MAX_OI_BASE), _amount(usd, MAX_OI_USD)
        if (base is None and usd is None) or not _plausible_ts(ts_ms, now_ms):
            return
        series.setdefault((venue, scope), {})[ts_ms] = _Reading(ts_ms, base, usd)

    for p in points:
        add(p.venue, p.scope, p.ts_ms, p.oi_base, p.oi_usd)
    for s in snapshots:
        add(s.venue, "snapshot", s.ts_ms, s.open_interest_base, s.open_interest_usd)
    return {key: [by_ts[t] for t in sorted(by_ts)] for key, by_ts in series.items()}


def _chosen_series(
    series: Mapping[tuple[str, str], list[_Reading]], now_ms: int, settings: DerivSettings
) -> dict[str, tuple[str, list[_Reading]]]:
    """venue → (scope, readings): its perp history, else all-contracts history, else snapshot."""
    venues = sorted({venue for venue, _ in series}, key=lambda v: _rank(v, settings.venue_order))
    out: dict[str, tuple[str, list[_Reading]]] = {}
    for venue in venues:
        for scope in ("perp", "all", "snapshot"):
            readings = series.get((venue, scope))
            if readings and _fresh(readings[-1].ts_ms, now_ms, settings):
                out[venue] = (scope, readings)
                break
    return out


def _rank(venue: str, order: tuple[str, ...]) -> tuple[int, str]:
    return (order.index(venue) if venue in order else len(order), venue)


def _before(readings: list[_Reading], target_ms: int, tolerance_ms: int) -> _Reading | None:
    """The last reading at or before ``target_ms``, if it is within ``tolerance_ms`` of it."""
    index = bisect.bisect_right([r.ts_ms for r in readings], target_ms) - 1
    if index < 0 or target_ms - readings[index].ts_ms > tolerance_ms:
        return None
    return readings[index]


def _change_pct(now: float, then: float) -> float | None:
    return _result((now / then - 1.0) * 100.0) if then > 0 else None


def _oi_changes(
    chosen: Mapping[str, tuple[str, list[_Reading]]], prices: _Prices, window_ms: int
) -> tuple[float | None, float | None]:
    """(change in coins %, change in USD %) over ``window_ms``, summed over venues that have both ends."""
    coins_now = coins_then = usd_now = usd_then = 0.0
    coin_venues = usd_venues = 0
    for venue, (_, readings) in chosen.items():
        latest = readings[-1]
        earlier = _before(readings, latest.ts_ms - window_ms, window_ms // 4)
        if earlier is None:
            continue
        price_now, price_then = prices.at(venue, latest.ts_ms), prices.at(venue, earlier.ts_ms)
        c1, c0 = _coins(latest, price_now), _coins(earlier, price_then)
        if c1 is not None and c0 is not None:
            coins_now, coins_then, coin_venues = coins_now + c1, coins_then + c0, coin_venues + 1
        u1, u0 = _usd(latest, price_now), _usd(earlier, price_then)
        if u1 is not None and u0 is not None:
            usd_now, usd_then, usd_venues = usd_now + u1, usd_then + u0, usd_venues + 1
    coin_change = _change_pct(coins_now, coins_then) if coin_venues else None
    usd_change = _change_pct(usd_now, usd_then) if usd_venues else None
    return coin_change, usd_change


# --- the row ---------------------------------------------------------------------------------------


def _latest_by_venue(items: Iterable[Any], now_ms: int, settings: DerivSettings) -> dict[str, Any]:
    """venue → its newest fresh item (of two with one timestamp, the one given last)."""
    out: dict[str, Any] = {}
    for item in items:
        if not _fresh(item.ts_ms, now_ms, settings):
            continue
        old = out.get(item.venue)
        if old is None or item.ts_ms >= old.ts_ms:
            out[item.venue] = item
    return out


def _funding(
    current: Mapping[str, FundingSnapshot],
    history: Iterable[FundingPoint],
    now_ms: int,
    settings: DerivSettings,
) -> tuple[VenueFunding, ...]:
    """Each venue's current rate, else its last settled one, per 8 h."""
    valid = [p for p in history if _usable_rate(p.rate_8h) and p.interval_ms > 0]
    settled: dict[str, FundingPoint] = _latest_by_venue(valid, now_ms, settings)
    # the newest interval a venue's history shows, fresh or not: how the venue funds the symbol now
    interval: dict[str, FundingPoint] = {}
    for p in valid:
        known = interval.get(p.venue)
        if _plausible_ts(p.ts_ms, now_ms) and (known is None or p.ts_ms >= known.ts_ms):
            interval[p.venue] = p
    out = []
    for venue in sorted(set(current) | set(settled), key=lambda v: _rank(v, settings.venue_order)):
        snap = current.get(venue)
        if snap is not None and snap.funding_rate_8h is not None:
            rate = snap.funding_rate_8h
            if venue in ASSUMED_8H_VENUES and venue in interval:
                rate = rate * FUNDING_8H_MS / interval[venue].interval_ms
            if _usable_rate(rate):
                out.append(VenueFunding(venue, rate, snap.ts_ms))
                continue
        point = settled.get(venue)
        if point is not None:
            out.append(VenueFunding(venue, point.rate_8h, point.ts_ms, settled=True))
    return tuple(out)


def _usable_rate(rate: float | None) -> bool:
    return rate is not None and math.isfinite(rate) and abs(rate) <= MAX_FUNDING_8H


def _basis(
    snapshots: Mapping[str, FundingSnapshot], spot: list[Ticker], settings: DerivSettings
) -> tuple[float | None, str | None, int | None]:
    spot_first = sorted(spot, key=lambda t: (t.source != "binance", -t.ts_ms))
    for venue in sorted(snapshots, key=lambda v: _rank(v, settings.venue_order)):
        snap = snapshots[venue]
        mark = snap.mark_price
        if mark is None or not _positive(mark):
            continue
        index = snap.index_price
        if index is not None and _positive(index):
            basis = _result((mark / index - 1.0) * 100.0)
            if basis is not None:
                return basis, venue, snap.ts_ms
        for ticker in spot_first:
            if abs(ticker.ts_ms - snap.ts_ms) <= settings.basis_skew_ms:
                basis = _result((mark / ticker.price - 1.0) * 100.0)
                if basis is not None:
                    return basis, venue, min(snap.ts_ms, ticker.ts_ms)
    return None, None, None


def _premium(spot: list[Ticker], settings: DerivSettings) -> tuple[float | None, int | None]:
    latest: dict[str, Ticker] = {}
    for ticker in spot:
        old = latest.get(ticker.source)
        if old is None or ticker.ts_ms >= old.ts_ms:
            latest[ticker.source] = ticker
    coinbase, binance = latest.get("coinbase"), latest.get("binance")
    if coinbase is None or binance is None or abs(coinbase.ts_ms - binance.ts_ms) > settings.premium_skew_ms:
        return None, None
    premium = _result((coinbase.price / binance.price - 1.0) * 100.0)
    return premium, (min(coinbase.ts_ms, binance.ts_ms) if premium is not None else None)


def symbol_derivatives(
    symbol: str,
    *,
    now_ms: int,
    open_interest: Iterable[OpenInterestPoint] = (),
    snapshots: Iterable[FundingSnapshot] = (),
    funding_history: Iterable[FundingPoint] = (),
    long_short: Iterable[LongShortRatio] = (),
    spot: Iterable[Ticker] = (),
    candles: Iterable[Candle] = (),
    settings: DerivSettings = DEFAULT_SETTINGS,
) -> SymbolDerivatives:
    """The radar row of ``symbol`` from every model given (other symbols' items are ignored)."""
    mine_snaps = [s for s in snapshots if s.symbol == symbol]
    # a venue's funding and its mark may come in different snapshots: the newest of each
    marks: dict[str, FundingSnapshot] = _latest_by_venue(
        (s for s in mine_snaps if _positive(s.mark_price)), now_ms, settings
    )
    rates: dict[str, FundingSnapshot] = _latest_by_venue(
        (s for s in mine_snaps if _usable_rate(s.funding_rate_8h)), now_ms, settings
    )
    mine_spot = [
        t for t in spot if t.symbol == symbol and _positive(t.price) and _fresh(t.ts_ms, now_ms, settings)
    ]
    # Only readings that can be the latest (fresh) or the start of a change window matter, and
    # prices at their times: a month of history need not be read on every gauge refresh.
    oldest_ms = history_horizon_ms(now_ms, settings)
    prices = _Prices(
        marks,
        (c for c in candles if c.symbol == symbol and c.open_ms + c.interval.ms > oldest_ms),
        (t for t in spot if t.symbol == symbol),
        settings.price_skew_ms,
    )

    series = _oi_series(
        (p for p in open_interest if p.symbol == symbol and p.ts_ms >= oldest_ms), mine_snaps, now_ms
    )
    chosen = _chosen_series(series, now_ms, settings)
    venues: list[VenueOpenInterest] = []
    for venue, (scope, readings) in chosen.items():
        latest = readings[-1]
        price = prices.at(venue, latest.ts_ms)
        venues.append(
            VenueOpenInterest(venue, scope, _usd(latest, price), _coins(latest, price), latest.ts_ms)
        )
    counted = [v for v in venues if v.usd is not None]
    change_1h, usd_change_1h = _oi_changes(chosen, prices, OI_CHANGE_WINDOWS_MS[0])
    change_24h, usd_change_24h = _oi_changes(chosen, prices, OI_CHANGE_WINDOWS_MS[1])

    ratios = _latest_by_venue(
        (r for r in long_short if r.symbol == symbol and _usable_ratio(r.ratio)),
        now_ms,
        settings,
    )
    ratio_venue = min(ratios, key=lambda v: _rank(v, settings.ratio_order)) if ratios else None
    ratio = ratios[ratio_venue] if ratio_venue is not None else None

    basis, basis_venue, basis_at = _basis(marks, mine_spot, settings)
    premium, premium_at = _premium(mine_spot, settings)
    return SymbolDerivatives(
        symbol=symbol,
        open_interest_usd=sum(v.usd for v in counted if v.usd is not None) if counted else None,
        oi_at_ms=min(v.at_ms for v in counted) if counted else None,
        oi_change_1h_pct=change_1h,
        oi_change_24h_pct=change_24h,
        oi_usd_change_1h_pct=usd_change_1h,
        oi_usd_change_24h_pct=usd_change_24h,
        oi_venues=tuple(venues),
        funding=_funding(rates, (p for p in funding_history if p.symbol == symbol), now_ms, settings),
        basis_pct=basis,
        basis_venue=basis_venue,
        basis_at_ms=basis_at,
        coinbase_premium_pct=premium,
        premium_at_ms=premium_at,
        long_short_ratio=ratio.ratio if ratio is not None else None,
        long_short_venue=ratio_venue,
        long_short_at_ms=ratio.ts_ms if ratio is not None else None,
    )


def derivatives(
    symbols: Iterable[str],
    *,
    now_ms: int,
    open_interest: Iterable[OpenInterestPoint] = (),
    snapshots: Iterable[FundingSnapshot] = (),
    funding_history: Iterable[FundingPoint] = (),
    long_short: Iterable[LongShortRatio] = (),
    spot: Iterable[Ticker] = (),
    candles: Iterable[Candle] = (),
    settings: DerivSettings = DEFAULT_SETTINGS,
) -> dict[str, SymbolDerivatives]:
    """:func:`symbol_derivatives` for each of ``symbols`` (in their order)."""
    oi, snaps, history = tuple(open_interest), tuple(snapshots), tuple(funding_history)
    ratios, tickers, bars = tuple(long_short), tuple(spot), tuple(candles)
    return {
        symbol: symbol_derivatives(
            symbol,
            now_ms=now_ms,
            open_interest=oi,
            snapshots=snaps,
            funding_history=history,
            long_short=ratios,
            spot=tickers,
            candles=bars,
            settings=settings,
        )
        for symbol in symbols
    }


# --- JSON ---------------------------------------------------------------------------------------


def venue_label(venue: str) -> str:
    """The venue name shown for a source name (``binance_futures`` → ``binance``)."""
    return VENUE_LABELS.get(venue, venue)


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _iso(ts_ms: int | None) -> str | None:
    return None if ts_ms is None else iso_utc(ts_ms)


def row_json(row: SymbolDerivatives) -> dict[str, Any]:
    """One symbol's entry of the ``derivatives`` document (see docs/once-json.md)."""
    return {
        "open_interest_usd": _r(row.open_interest_usd, 0),
        "oi_change_1h_pct": _r(row.oi_change_1h_pct, 3),
        "oi_change_24h_pct": _r(row.oi_change_24h_pct, 3),
        "funding": {venue_label(f.venue): _r(f.rate_8h, 8) for f in row.funding},
        "basis_pct": _r(row.basis_pct, 4),
        "coinbase_premium_pct": _r(row.coinbase_premium_pct, 4),
        "long_short_ratio": _r(row.long_short_ratio, 4),
        "at": _iso(row.at_ms),
        "oi_usd_change_1h_pct": _r(row.oi_usd_change_1h_pct, 3),
        "oi_usd_change_24h_pct": _r(row.oi_usd_change_24h_pct, 3),
        "oi_by_venue": {venue_label(v.venue): _r(v.usd, 0) for v in row.oi_venues},
        "funding_annualised_pct": {venue_label(f.venue): _r(f.annualised_pct, 3) for f in row.funding},
        "basis_venue": venue_label(row.basis_venue) if row.basis_venue else None,
        "long_short_venue": venue_label(row.long_short_venue) if row.long_short_venue else None,
        "as_of": {
            "open_interest": _iso(row.oi_at_ms),
            "funding": {venue_label(f.venue): _iso(f.at_ms) for f in row.funding},
            "basis": _iso(row.basis_at_ms),
            "coinbase_premium": _iso(row.premium_at_ms),
            "long_short_ratio": _iso(row.long_short_at_ms),
        },
    }


def to_json(rows: Mapping[str, SymbolDerivatives]) -> dict[str, Any]:
    """The ``derivatives`` object: ``{SYMBOL: {open_interest_usd, oi_change_1h_pct,
    oi_change_24h_pct, funding: {VENUE: rate_per_8h}, basis_pct, coinbase_premium_pct,
    long_short_ratio, at, …}}`` with ISO-8601 UTC times and null for unknown."""
    return {symbol: row_json(row) for symbol, row in rows.items()}
