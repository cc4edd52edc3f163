"""Liquidation orders following the BTC path's 5-minute moves.

Each UTC day gets a budget (reported calendar-day total, else the day model from the day's
range) spread over its 5-minute moves: longs are liquidated into drops and shorts into rises,
in proportion to each move. Segments (``liquidations.segment``) replace the day model on the
days they cover: they carry the reported 24 h figures, per side and per symbol where a report
gives them. Targets (``liquidations.target``) are the reported 24 h totals the result is checked
against.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Iterable

from .model import DAY_MS, STEP_MS, DayBar, Market, Order, day_ms, days
from .spec import LiquidationSpec, Part, ScenarioSpec, SpecError, Target

PathPoints = list[tuple[int, float]]


class Spreader:
    """Turns USD budgets over time windows into individual orders."""

    def __init__(self, liq: LiquidationSpec, path_btc: PathPoints, eth_prices: dict[int, float],
                 rng: random.Random) -> None:  # fmt: skip
        self.liq = liq
        self.path_btc = path_btc
        self.btc_prices = dict(path_btc)
        self.eth_prices = eth_prices
        self.rng = rng
        self.largest = max(liq.max_order_usd.values())

    def _cap(self, symbol: str) -> float:
        return self.liq.max_order_usd.get(symbol, self.liq.max_alt_order_usd)

    def _moves(self, start_ms: int, end_ms: int) -> list[tuple[int, float]]:
        pts = [(t, p) for t, p in self.path_btc if start_ms <= t <= end_ms]
        return [(t1, p1 / p0 - 1) for (_, p0), (t1, p1) in itertools.pairwise(pts)]

    def _price(self, symbol: str, t: int) -> float:
        if symbol == "BTC":
            return self.btc_prices[t]
        if symbol == "ETH":
            return self.eth_prices[t]
        return self.btc_prices[t] * self.liq.alt_price_per_btc[symbol]

    def spread(self, start_ms: int, end_ms: int, part: Part) -> list[Order]:
        """Orders for ``part`` in ``[start_ms, end_ms)``, weighted by the moves on its side.

        An explicit table of several symbols is allocated between them by share first, so each
        symbol's total is exact and its orders respect its own size cap.
        """
        if part.symbols is not None and len(part.symbols) > 1:
            weight = sum(part.symbols.values())
            out: list[Order] = []
            for symbol, share in part.symbols.items():
                out.extend(
                    self.spread(start_ms, end_ms, Part(part.side, part.usd * share / weight, {symbol: 1.0}))
                )
            return out
        rng, side = self.rng, part.side
        moves = self._moves(start_ms, end_ms)
        if side == "LONG":
            weights = [max(0.0, -m) ** 1.3 + 2e-5 for _, m in moves]
        elif side == "SHORT":
            weights = [max(0.0, m) ** 1.3 + 2e-5 for _, m in moves]
        else:
            weights = [abs(m) ** 1.3 + 2e-5 for _, m in moves]
        wsum = sum(weights)
        table = part.symbols if part.symbols is not None else self.liq.symbol_share
        largest = self.largest if part.symbols is None else min(self._cap(s) for s in table)
        orders: list[Order] = []
        for (t, m), w in zip(moves, weights, strict=True):
            bucket_usd = part.usd * w / wsum
            # a big 5-minute bucket is made of bigger orders, as in a real cascade
            mean = 1_200_000.0 + bucket_usd / 20
            for size in _order_sizes(bucket_usd, mean, largest, rng):
                ts = t - STEP_MS + rng.randrange(STEP_MS)
                order_side = side or ("LONG" if m < 0 else "SHORT")
                if side is None and rng.random() < 0.25:
                    order_side = "SHORT" if order_side == "LONG" else "LONG"
                symbol = _pick(table, rng)
                if part.symbols is None and size > self._cap(symbol):
                    symbol = "BTC" if rng.random() < 0.65 else "ETH"
                venue = _pick(self.liq.venue_share, rng)
                price = self._price(symbol, t)
                # bankruptcy prices sit a little beyond the market on the liquidated side
                price *= 1 - 0.002 if order_side == "LONG" else 1 + 0.002
                orders.append((ts, venue, symbol, order_side, price, size / price))
        return orders


def _order_sizes(total_usd: float, mean_usd: float, largest: float, rng: random.Random) -> list[float]:
    sizes: list[float] = []
    remaining = total_usd
    while remaining > 1_000:
        size = min(remaining, largest, rng.lognormvariate(math.log(mean_usd) - 0.9, 1.35))
        sizes.append(max(size, 200.0))
        remaining -= sizes[-1]
    return sizes


def _pick(shares: dict[str, float], rng: random.Random) -> str:
    r = rng.random() * sum(shares.values())
    for key, share in shares.items():
        r -= share
        if r <= 0:
            return key
    return next(iter(shares))


def day_total(spec: LiquidationSpec, btc: DayBar, eth: DayBar) -> float:
    """The day model: USD liquidated on a day nothing is reported for."""
    m = spec.day_model
    move = max(btc.high / btc.low - 1, (eth.high / eth.low - 1) / m.eth_range_divisor)
    return float(m.base_usd_m + m.scale_usd_m * move**m.power) * 1e6


def covered_days(spec: ScenarioSpec) -> set[int]:
    """Day starts (ms) the segments cover; a day they touch must be covered whole."""
    covered: set[int] = set()
    for d in days(spec.first_day, spec.last_day):
        start = day_ms(d)
        spans = sorted(
            (max(s.start_ms, start), min(s.end_ms, start + DAY_MS))
            for s in spec.liquidations.segments
            if s.start_ms < start + DAY_MS and s.end_ms > start
        )
        if not spans:
            continue
        reach = start
        for a, b in spans:
            if a > reach:
                break
            reach = max(reach, b)
        if reach < start + DAY_MS:
            raise SpecError(f"{spec.name}: liquidation segments touch {d} but do not cover it whole")
        covered.add(start)
    return covered


def build_liquidations(spec: ScenarioSpec, market: Market, rng: random.Random) -> None:
    """Every order of the scenario, Binance and OKX sampled as their streams are."""
    liq = spec.liquidations
    btc = {b.day: b for b in market.daily["BTC"]}
    eth = {b.day: b for b in market.daily["ETH"]}
    spreader = Spreader(liq, market.path["BTC"], dict(market.path["ETH"]), rng)
    skip = covered_days(spec)
    out: list[Order] = []
    for d in days(spec.first_day, spec.last_day):
        if day_ms(d) in skip:
            continue
        total = liq.day_totals_usd.get(d, day_total(liq, btc[d], eth[d]))
        out.extend(spreader.spread(day_ms(d), day_ms(d) + DAY_MS, Part(None, total, None)))
    for seg in liq.segments:
        for part in seg.parts:
            out.extend(spreader.spread(seg.start_ms, seg.end_ms, part))
    out.sort()
    market.liquidations = sample_venues(out)
    check(spec, market.liquidations)


def sample_venues(orders: list[Order]) -> list[Order]:
    """Binance and OKX push at most one order per symbol per second: merge the rest into that
    second's order the way their streams report the latest fill."""
    out: list[Order] = []
    last_index: dict[tuple[str, str, int], int] = {}
    for ts, venue, symbol, side, price, qty in orders:
        if venue in ("binance", "okx"):
            key = (venue, symbol, ts // 1000)
            i = last_index.get(key)
            if i is not None:
                t0, v0, s0, side0, p0, q0 = out[i]
                if side0 == side:
                    out[i] = (t0, v0, s0, side0, (p0 * q0 + price * qty) / (q0 + qty), q0 + qty)
                    continue
                ts = (ts // 1000 + 1) * 1000 + ts % 1000
            last_index[(venue, symbol, ts // 1000)] = len(out)
        out.append((ts, venue, symbol, side, price, qty))
    out.sort()
    return out


def worst_rolling_24h(orders: list[Order]) -> tuple[float, int]:
    """Largest 24 h notional in USD over the orders and the window's end (for checks)."""
    best, best_end, j, acc = 0.0, 0, 0, 0.0
    for ts, *_rest, price, qty in orders:
        acc += price * qty
        while orders[j][0] <= ts - DAY_MS:
            acc -= orders[j][4] * orders[j][5]
            j += 1
        if acc > best:
            best, best_end = acc, ts
    return best, best_end


def window_totals(orders: Iterable[Order], end_ms: int, scope: str) -> tuple[float, float]:
    """(long, short) USD liquidated in the 24 h to ``end_ms`` for ``all`` or one symbol."""
    long_usd = short_usd = 0.0
    for ts, _venue, symbol, side, price, qty in orders:
        if end_ms - DAY_MS < ts <= end_ms and scope in ("all", symbol):
            if side == "LONG":
                long_usd += price * qty
            else:
                short_usd += price * qty
    return long_usd, short_usd


def target_misses(target: Target, orders: list[Order]) -> list[str]:
    """How the orders miss a reported figure (empty when every figure is met)."""
    long_usd, short_usd = window_totals(orders, target.end_ms, target.scope)
    misses = []
    for name, want, got in (
        ("total", target.total_usd, long_usd + short_usd),
        ("long", target.long_usd, long_usd),
        ("short", target.short_usd, short_usd),
    ):
        if want is not None and abs(got / want - 1) > target.tolerance:
            misses.append(
                f"{target.scope} {name} {got / 1e6:.1f}M vs reported {want / 1e6:.1f}M ({target.source})"
            )
    return misses


def check(spec: ScenarioSpec, orders: list[Order]) -> None:
    """Stop the build when the reconstruction drifted from what was reported."""
    liq = spec.liquidations
    if liq.worst_24h_usd is not None:
        worst, _ = worst_rolling_24h(orders)
        low, high = liq.worst_24h_usd
        if not low <= worst <= high:
            raise SystemExit(f"reconstruction drifted: worst 24 h liquidations {worst / 1e9:.2f}B")
    misses = [m for t in liq.targets for m in target_misses(t, orders)]
    if misses:
        raise SystemExit("reconstruction misses reported liquidations: " + "; ".join(misses))
