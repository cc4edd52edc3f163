"""Reconstructed positioning: open interest per venue, taker flow, account long/short shares and
funding per venue, at 5-minute marks, consistent with the price path and the liquidation orders.

No public dataset holds any of these for the scenario windows (each data folder's README), so
every series here is a reconstruction, deterministic for the scenario's seed:

* **Open interest** (coins, one side) per venue starts at ``oi_base`` and, each 5 minutes, grows
  by ``calm_build_pct_day`` when the market is calm (scaled down by stress), by each ``build``
  window's share (the run-up in which positions pile in), shrinks by ``stress_close_pct_day`` at
  full stress (voluntary deleveraging), and loses ``liq_factor`` coins per coin the scenario's
  liquidation orders close on that venue in those 5 minutes. Hyperliquid has no stream in the
  scenarios, so it loses the share of open interest the other venues lose to liquidations. In a
  cascade the open-interest drop is therefore the liquidated size plus some voluntary closing.
* **Stress** is the drawdown from the trailing 12 h high, 6% being full stress.
* **Taker buy share** of each 5 minutes leans with the move (``taker_per_move`` per unit of
  return, within 0.5 ± 0.2), towards buying in a build window (``build_taker_tilt``) and towards
  selling under stress (``stress_taker_tilt`` at full stress): selling-heavy in a cascade.
* **Account long share** follows the symbol's 24 h change inversely (accounts buy the dip), as
  Binance's and Bybit's account ratios do in sell-offs.
* **Funding** (per 8 h) relaxes over about two hours towards ``funding_base_8h`` plus
  ``funding_crowd_8h`` per unit of 24 h open-interest growth, minus ``funding_stress_8h`` times
  the stress squared: positive while positions build, negative through a cascade. Venues scale it
  (``funding_scale``) and add their own small noise.
"""

from __future__ import annotations

import random
from collections import deque

from .model import DAY_MS, STEP_MS, Market
from .spec import PositioningSpec, ScenarioSpec

STEPS_24H = 288
STEPS_12H = 144
FULL_STRESS_DRAWDOWN = 0.10
FUNDING_RELAX_STEPS = 24  # about two hours
STREAM_VENUES = ("binance", "bybit", "okx")  # venues with a liquidation stream in the scenarios


def _marks(spec: ScenarioSpec, p: PositioningSpec, path: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """The path's 5-minute marks from ``backfill_days`` before the window to its end."""
    first = spec.start_ms - int(p.backfill_days * DAY_MS)
    first -= first % STEP_MS
    return [(t, price) for t, price in path if first <= t <= spec.end_ms]


def stress(prices: list[float]) -> list[float]:
    """0..1 at each mark: the drawdown from the trailing 12 h high over 10%."""
    out: list[float] = []
    window: deque[int] = deque()  # indices of a decreasing run of prices: the max at the front
    for i, price in enumerate(prices):
        while window and prices[window[-1]] <= price:
            window.pop()
        window.append(i)
        if window[0] <= i - STEPS_12H:
            window.popleft()
        peak = prices[window[0]]
        out.append(min(1.0, max(0.0, (1.0 - price / peak) / FULL_STRESS_DRAWDOWN)))
    return out


def _liquidated(market: Market, times: list[int], symbol: str) -> dict[str, list[float]]:
    """Coins liquidated per stream venue in each step ``[times[i-1], times[i])`` (index i)."""
    first = times[0]
    out = {v: [0.0] * len(times) for v in STREAM_VENUES}
    for ts, venue, sym, _side, _price, qty in market.liquidations:
        if sym != symbol or venue not in out or not first <= ts < times[-1]:
            continue
        out[venue][(ts - first) // STEP_MS + 1] += qty
    return out


def _build_rate(p: PositioningSpec, t: int) -> float:
    """Extra growth per step from the build windows covering ``t``."""
    rate = 0.0
    for b in p.builds:
        if b.start_ms <= t < b.end_ms:
            rate += b.pct / 100 / ((b.end_ms - b.start_ms) / STEP_MS)
    return rate


def build_positioning(spec: ScenarioSpec, market: Market, rng: random.Random) -> None:
    """Fill ``market``'s positioning series for every symbol ``positioning.oi_base`` names, and
    replace its hourly Binance funding and open interest (``derivatives``) with the same figures."""
    p = spec.positioning
    if p is None:
        return
    symbols = [s for s in spec.symbols if any(s in table for table in p.oi_base.values())]
    for symbol in symbols:
        marks = _marks(spec, p, market.path[symbol])
        times = [t for t, _ in marks]
        prices = [price for _, price in marks]
        s = stress(prices)
        liquidated = _liquidated(market, times, symbol)
        venues = [v for v in p.oi_base if symbol in p.oi_base[v]]
        oi = {v: [p.oi_base[v][symbol]] for v in venues}
        for i in range(1, len(times)):
            calm = p.calm_build_pct_day / 100 / STEPS_24H * (1.0 - s[i])
            close = p.stress_close_pct_day / 100 / STEPS_24H * s[i]
            growth = calm + _build_rate(p, times[i - 1]) - close
            stream = [v for v in venues if v in STREAM_VENUES]
            before = sum(oi[v][-1] for v in stream)
            lost_share = sum(liquidated[v][i] for v in stream) * p.liq_factor / before if before else 0.0
            for v in venues:
                prev = oi[v][-1]
                lost = liquidated[v][i] * p.liq_factor if v in STREAM_VENUES else prev * lost_share
                value = prev * (1.0 + growth + rng.gauss(0.0, 0.0004)) - lost
                oi[v].append(max(value, 0.3 * p.oi_base[v][symbol]))
        for v in venues:
            market.oi_coins[(v, symbol)] = list(zip(times, oi[v], strict=True))
        market.taker_buy_share[symbol] = _taker(p, times, prices, s, rng)
        market.long_account[symbol] = _long_account(p, symbol, times, prices, rng)
        total = [sum(oi[v][i] for v in venues) for i in range(len(times))]
        funding = _funding(p, total, s, rng)
        for v in venues:
            scale = p.funding_scale.get(v, 1.0)
            noise = 0.0
            series = []
            for t, rate in zip(times, funding, strict=True):
                noise = 0.9 * noise + rng.gauss(0.0, 0.000004)
                series.append((t, rate * scale + noise))
            market.venue_funding[(v, symbol)] = series
        _hourly_binance(market, symbol)


def _taker(
    p: PositioningSpec, times: list[int], prices: list[float], s: list[float], rng: random.Random
) -> list[tuple[int, float]]:
    """Taker buy share of the 5 minutes starting at each mark (the last mark has none)."""
    out = []
    for i in range(len(times) - 1):
        move = prices[i + 1] / prices[i] - 1.0
        tilt = (p.build_taker_tilt if _build_rate(p, times[i]) > 0 else 0.0) - p.stress_taker_tilt * s[i]
        share = 0.5 + max(-0.2, min(0.2, move * p.taker_per_move + tilt + rng.gauss(0.0, 0.01)))
        out.append((times[i], share))
    return out


def _long_account(
    p: PositioningSpec, symbol: str, times: list[int], prices: list[float], rng: random.Random
) -> list[tuple[int, float]]:
    base = p.long_account.get(symbol, 0.6)
    out = []
    noise = 0.0
    for i, t in enumerate(times):
        change = prices[i] / prices[max(0, i - STEPS_24H)] - 1.0
        noise = 0.97 * noise + rng.gauss(0.0, 0.002)
        out.append((t, max(0.3, min(0.85, base - 0.8 * change + noise))))
    return out


def _funding(p: PositioningSpec, total_oi: list[float], s: list[float], rng: random.Random) -> list[float]:
    out = []
    rate = p.funding_base_8h
    for i, oi in enumerate(total_oi):
        crowd = oi / total_oi[max(0, i - STEPS_24H)] - 1.0
        # squared: the day's ordinary swings barely move it, a cascade turns it negative
        target = p.funding_base_8h + p.funding_crowd_8h * crowd - p.funding_stress_8h * s[i] ** 2
        rate += (target - rate) / FUNDING_RELAX_STEPS + rng.gauss(0.0, 0.000003)
        out.append(max(-0.003, min(0.003, rate)))
    return out


def _hourly_binance(market: Market, symbol: str) -> None:
    """The ``derivatives`` family's hourly Binance funding and open interest, read from the
    positioning series at its own hours (one fact, one figure)."""
    oi = dict(market.oi_coins.get(("binance", symbol), []))
    funding = dict(market.venue_funding.get(("binance", symbol), []))
    if symbol in market.funding and oi:
        market.funding[symbol] = [(t, funding[t]) for t, _ in market.funding[symbol]]
        market.open_interest[symbol] = [(t, oi[t]) for t, _ in market.open_interest[symbol]]
