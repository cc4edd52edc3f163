"""Reconstruct the Feb-2026 market, deterministically, from the real daily data.

Real (copied, see data/README.md): BTC and ETH daily OHLC, crypto Fear & Greed,
Nasdaq closes, jobless claims, reported ETF and liquidation figures.
Reconstructed here (fixed seed, labelled as such everywhere the scenario shows):
intraday paths inside and touching each real day's high and low, daily history
before 2026-01-15 (for the 200-day average), liquidation orders, per-fund ETF days,
funding, open interest, order books, stablecoin borrow rates, stock Fear & Greed.
"""

from __future__ import annotations

import csv
import itertools
import math
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

DATA = Path(__file__).parent / "data"
SEED = 20260206
STEP_MS = 300_000  # 5-minute intraday resolution
STEPS_PER_DAY = 288
DAY_MS = 86_400_000
FIRST_DAY = date(2026, 1, 15)
LAST_DAY = date(2026, 2, 20)
HOURLY_HISTORY_FROM = date(2026, 1, 1)  # reconstructed hourly candles before the real window
SYMBOLS = ("BTC", "ETH")


def day_ms(d: date) -> int:
    """00:00 UTC of ``d`` in epoch ms."""
    return int(datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1000)


def days(first: date, last: date) -> Iterator[date]:
    """Each date from first to last inclusive."""
    d = first
    while d <= last:
        yield d
        d += timedelta(days=1)


@dataclass(frozen=True)
class DayBar:
    """One daily OHLC(V) bar; ``real`` tells whether it comes from a dataset."""

    day: date
    open: float
    high: float
    low: float
    close: float
    volume_usd: float
    real: bool


@dataclass
class Market:
    """Everything reconstructed, ready to be encoded into provider payloads."""

    daily: dict[str, list[DayBar]] = field(default_factory=dict)
    # 5-minute price path per symbol: (ts_ms, price) at each step boundary.
    path: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    liquidations: list[tuple[int, str, str, str, float, float]] = field(default_factory=list)
    etf: dict[str, list[tuple[date, dict[str, float]]]] = field(default_factory=dict)
    fear_crypto: list[tuple[date, int, str]] = field(default_factory=list)
    fear_stocks: list[tuple[date, float, str]] = field(default_factory=list)
    nasdaq: list[tuple[date, float]] = field(default_factory=list)
    claims: list[tuple[date, int, date]] = field(default_factory=list)
    funding: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    open_interest: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    spread_bps: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    depth_usd: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    borrow_apy: dict[str, list[tuple[int, float]]] = field(default_factory=dict)


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- daily bars ---------------------------------------------------------------------------

# Approximate closes (USD) before the real window, from memory of the 2025 market and
# labelled as reconstructed: enough to give the 200-day average the right neighbourhood.
_PRIOR_ANCHORS = {
    "BTC": [
        (date(2025, 6, 1), 105_000.0),
        (date(2025, 7, 14), 120_000.0),
        (date(2025, 8, 14), 121_000.0),
        (date(2025, 9, 1), 109_000.0),
        (date(2025, 10, 6), 124_000.0),
        (date(2025, 10, 11), 111_000.0),
        (date(2025, 11, 21), 85_000.0),
        (date(2025, 12, 10), 92_000.0),
        (date(2025, 12, 31), 88_000.0),
        (date(2026, 1, 14), 96_900.0),
    ],
    "ETH": [
        (date(2025, 6, 1), 2_500.0),
        (date(2025, 7, 14), 3_000.0),
        (date(2025, 8, 24), 4_750.0),
        (date(2025, 9, 25), 3_900.0),
        (date(2025, 10, 6), 4_600.0),
        (date(2025, 10, 11), 3_800.0),
        (date(2025, 11, 21), 2_750.0),
        (date(2025, 12, 10), 3_300.0),
        (date(2025, 12, 31), 2_970.0),
        (date(2026, 1, 14), 3_355.0),
    ],
}


def _prior_bars(symbol: str, rng: random.Random) -> list[DayBar]:
    anchors = _PRIOR_ANCHORS[symbol]
    closes: dict[date, float] = {}
    for (d0, p0), (d1, p1) in itertools.pairwise(anchors):
        n = (d1 - d0).days
        for i in range(n + 1):
            t = i / n
            # log-linear between anchors plus a bridge of noise that vanishes at both ends
            noise = math.sin(math.pi * t) * rng.gauss(0.0, 0.025)
            closes[d0 + timedelta(days=i)] = math.exp(math.log(p0) * (1 - t) + math.log(p1) * t + noise)
    bars: list[DayBar] = []
    prev = closes[anchors[0][0]]
    for d in sorted(closes):
        close = closes[d]
        open_ = prev
        spread = abs(rng.gauss(0.0, 0.012)) + 0.006
        high = max(open_, close) * (1 + spread * rng.uniform(0.3, 1.0))
        low = min(open_, close) * (1 - spread * rng.uniform(0.3, 1.0))
        volume = (30e9 if symbol == "BTC" else 15e9) * rng.uniform(0.6, 1.4)
        bars.append(DayBar(d, open_, high, low, close, volume, real=False))
        prev = close
    return bars


def _real_bars() -> dict[str, dict[date, DayBar]]:
    out: dict[str, dict[date, DayBar]] = {"BTC": {}, "ETH": {}}
    volumes = {
        date.fromisoformat(r["date"]): float(r["volume_usd"])
        for r in _read_csv("btc_daily_ohlcv_yahoo_kittycapital.csv")
    }
    for r in _read_csv("btc_daily_ohlcv_yahoo_kittycapital.csv"):
        d = date.fromisoformat(r["date"])
        out["BTC"][d] = DayBar(
            d, float(r["open"]), float(r["high"]), float(r["low"]), float(r["close"]), volumes[d], True
        )
    for r in _read_csv("btc_eth_daily_ohlc_yahoo_openclaw.csv"):
        d = date.fromisoformat(r["date"])
        sym = r["asset"]
        if d in out[sym]:
            continue
        rng_vol = (abs(float(r["high"]) - float(r["low"])) / float(r["open"])) * (
            7e11 if sym == "BTC" else 4e11
        )
        out[sym][d] = DayBar(
            d, float(r["open"]), float(r["high"]), float(r["low"]), float(r["close"]), rng_vol, True
        )
    return out


def _bridge_eth_gap(real: dict[str, dict[date, DayBar]]) -> None:
    """ETH has no rows for 01-21..01-24: follow BTC's daily moves with beta 1.25, then
    rescale so the path lands on the real 01-25 open."""
    eth, btc = real["ETH"], real["BTC"]
    gap = [date(2026, 1, 21) + timedelta(days=i) for i in range(4)]
    start = eth[date(2026, 1, 20)].close
    target = eth[date(2026, 1, 25)].open
    raw = [start]
    for d in gap:
        b = btc[d]
        raw.append(raw[-1] * (1 + 1.25 * (b.close / b.open - 1)))
    drift = (target / raw[-1]) ** (1 / len(gap))
    prev = start
    for i, d in enumerate(gap, start=1):
        close = raw[i] * drift**i
        b = btc[d]
        up = b.high / max(b.open, b.close) - 1
        down = 1 - b.low / min(b.open, b.close)
        eth[d] = DayBar(
            d,
            prev,
            max(prev, close) * (1 + 1.25 * up),
            min(prev, close) * (1 - 1.25 * down),
            close,
            eth[date(2026, 1, 20)].volume_usd * 0.8,
            real=False,
        )
        prev = close


def build_daily(rng: random.Random) -> dict[str, list[DayBar]]:
    """Daily bars per symbol: reconstructed history, then the real window."""
    real = _real_bars()
    _bridge_eth_gap(real)
    out: dict[str, list[DayBar]] = {}
    for sym in SYMBOLS:
        prior = [b for b in _prior_bars(sym, rng) if b.day < FIRST_DAY]
        # make the last reconstructed close meet the first real open
        first_open = real[sym][FIRST_DAY].open
        last = prior[-1]
        prior[-1] = DayBar(
            last.day,
            last.open,
            max(last.high, first_open),
            min(last.low, first_open),
            first_open,
            last.volume_usd,
            False,
        )
        window = [real[sym][d] for d in days(FIRST_DAY, LAST_DAY)]
        out[sym] = prior + window
    return out


# --- intraday -----------------------------------------------------------------------------

# Steps (5-minute index within the day) at which the day's first and second extremes
# are reached, for the days the story depends on. Elsewhere they are random.
_PINNED_EXTREMES: dict[date, tuple[int, int]] = {
    date(2026, 1, 31): (40, 200),  # high early, the flush into the US afternoon
    date(2026, 2, 5): (30, 282),  # high early, closes near the low
    date(2026, 2, 6): (168, 262),  # low at 14:00 UTC, rebound into the close
}


def intraday(bar: DayBar, rng: random.Random) -> list[float]:
    """289 prices at 5-minute boundaries from open to close, inside [low, high],
    touching both exactly."""
    falling = bar.close < bar.open
    high_first = rng.random() < (0.7 if falling else 0.3)
    pinned = _PINNED_EXTREMES.get(bar.day)
    if pinned is not None:
        t1, t2 = pinned
        high_first = bar.day != date(2026, 2, 6)
    else:
        t1 = rng.randint(12, 150)
        t2 = rng.randint(t1 + 24, 276)
    e1, e2 = (bar.high, bar.low) if high_first else (bar.low, bar.high)
    anchors = [(0, bar.open), (t1, e1), (t2, e2), (STEPS_PER_DAY, bar.close)]
    prices = [0.0] * (STEPS_PER_DAY + 1)
    span = bar.high - bar.low
    for (s0, p0), (s1, p1) in itertools.pairwise(anchors):
        n = s1 - s0
        walk = [0.0]
        for _ in range(n):
            walk.append(walk[-1] + rng.gauss(0.0, 1.0))
        for i in range(n + 1):
            t = i / n if n else 1.0
            bridge = walk[i] - t * walk[n]
            prices[s0 + i] = p0 + (p1 - p0) * t + bridge * span * 0.12 / math.sqrt(max(n, 1))
    for s, p in anchors:
        prices[s] = p
    return [_reflect(p, bar.low, bar.high) for p in prices]


def _reflect(price: float, low: float, high: float) -> float:
    """Fold a price that overshoots the day's range back inside it (no flat lines)."""
    if price < low:
        price = low + (low - price) * 0.3
    if price > high:
        price = high - (price - high) * 0.3
    return min(high, max(low, price))


def build_path(daily: list[DayBar], rng: random.Random) -> list[tuple[int, float]]:
    """5-minute path over the hourly window (reconstructed days first, then real days)."""
    out: list[tuple[int, float]] = []
    for bar in daily:
        if bar.day < HOURLY_HISTORY_FROM:
            continue
        prices = intraday(bar, rng)
        base = day_ms(bar.day)
        # the last point of a day is the next day's open: keep one of them
        out.extend((base + i * STEP_MS, p) for i, p in enumerate(prices[:-1]))
    last = daily[-1]
    out.append((day_ms(last.day) + DAY_MS, last.close))
    return out


# --- liquidations -------------------------------------------------------------------------

# Calendar-day totals, US$m, over all symbols and venues. Reported: 01-31 (2,560),
# the 24 h to 02-06 (2,600: 2,140 longs, 466.66 shorts), 02-17 (226.37). Others are
# reconstructed from each day's range.
_REPORTED_LIQ_DAYS = {date(2026, 1, 31): 2500.0, date(2026, 2, 17): 226.37}
_SYMBOL_SHARE = {
    "BTC": 0.52,
    "ETH": 0.22,
    "SOL": 0.072,
    "XRP": 0.05,
    "DOGE": 0.04,
    "BNB": 0.02,
    "HYPE": 0.078,
}
_VENUE_SHARE = {"binance": 0.36, "bybit": 0.38, "okx": 0.26}
# Alt prices as a multiple of BTC (reconstructed; about SOL 85, XRP 1.3, DOGE 0.09, BNB 660,
# HYPE 19 with BTC at 60k).
_OTHER_PRICE = {"SOL": 0.0014, "XRP": 0.0000218, "DOGE": 0.00000155, "BNB": 0.011, "HYPE": 0.00031}
# The largest single liquidation order per symbol, USD: larger orders are split, and only
# BTC and ETH get orders above the alt limit.
_MAX_ORDER_USD = {"BTC": 8e6, "ETH": 8e6}
_MAX_ALT_ORDER_USD = 2.5e6


def _liq_day_total(bar_btc: DayBar, bar_eth: DayBar) -> float:
    move = max(bar_btc.high / bar_btc.low - 1, (bar_eth.high / bar_eth.low - 1) / 1.3)
    return float(120.0 + 9000.0 * move**1.6)


def _order_sizes(total_usd: float, mean_usd: float, rng: random.Random) -> list[float]:
    sizes: list[float] = []
    remaining = total_usd
    largest = max(_MAX_ORDER_USD.values())
    while remaining > 1_000:
        size = min(remaining, largest, rng.lognormvariate(math.log(mean_usd) - 0.9, 1.35))
        sizes.append(max(size, 200.0))
        remaining -= sizes[-1]
    return sizes


def build_liquidations(market: Market, rng: random.Random) -> None:
    """Orders (ts_ms, venue, symbol, side, price, qty) following the 5-minute moves.

    Longs are liquidated into drops and shorts into rises, in proportion to each
    5-minute move; the calendar-day totals follow the reported figures, and the
    24 h around the Feb 5-6 low carries about $2.6B, mostly longs.
    """
    btc = {b.day: b for b in market.daily["BTC"]}
    eth = {b.day: b for b in market.daily["ETH"]}
    path_btc = market.path["BTC"]
    path_eth = market.path["ETH"]
    by_time_eth = dict(path_eth)
    out: list[tuple[int, str, str, str, float, float]] = []
    for d in days(FIRST_DAY, LAST_DAY):
        if d in (date(2026, 2, 5), date(2026, 2, 6)):
            continue
        total = _REPORTED_LIQ_DAYS.get(d, _liq_day_total(btc[d], eth[d])) * 1e6
        out.extend(_spread_day(d, total, None, path_btc, by_time_eth, rng))
    # The 24 h to Feb 6 14:00 (the low) is the cascade: $2.45B of longs into the low ($0.3B
    # of it in the last 75 minutes) and
    # $0.12B of shorts squeezed on the bounces, then $0.35B of shorts on the rebound until
    # 20:00 (reported: about $2.6B in 24 h, mostly longs).
    low_ms = day_ms(date(2026, 2, 6)) + 14 * 3_600_000
    crash_start = low_ms - DAY_MS
    rebound_end = low_ms + 6 * 3_600_000
    out.extend(_spread_window(crash_start, low_ms, 2.15e9, "LONG", path_btc, by_time_eth, rng))
    # the final flush into the low: a cascade still running at 14:00
    out.extend(_spread_window(low_ms - 75 * 60_000, low_ms, 0.30e9, "LONG", path_btc, by_time_eth, rng))
    out.extend(_spread_window(crash_start, low_ms, 0.12e9, "SHORT", path_btc, by_time_eth, rng))
    out.extend(_spread_window(low_ms, rebound_end, 0.35e9, "SHORT", path_btc, by_time_eth, rng))
    calm = [
        (day_ms(date(2026, 2, 5)), crash_start, 150e6),
        (rebound_end, day_ms(date(2026, 2, 7)), 30e6),
    ]
    for start, end, total in calm:
        out.extend(_spread_window(start, end, total, None, path_btc, by_time_eth, rng))
    out.sort()
    market.liquidations = _sample_venues(out)


def _moves(start_ms: int, end_ms: int, path: list[tuple[int, float]]) -> list[tuple[int, float]]:
    pts = [(t, p) for t, p in path if start_ms <= t <= end_ms]
    return [(t1, p1 / p0 - 1) for (_, p0), (t1, p1) in itertools.pairwise(pts)]


def _spread_day(
    d: date,
    total_usd: float,
    side: str | None,
    path_btc: list[tuple[int, float]],
    eth_prices: dict[int, float],
    rng: random.Random,
) -> list[tuple[int, str, str, str, float, float]]:
    return _spread_window(day_ms(d), day_ms(d) + DAY_MS, total_usd, side, path_btc, eth_prices, rng)


def _spread_window(
    start_ms: int,
    end_ms: int,
    total_usd: float,
    side: str | None,
    path_btc: list[tuple[int, float]],
    eth_prices: dict[int, float],
    rng: random.Random,
) -> list[tuple[int, str, str, str, float, float]]:
    moves = _moves(start_ms, end_ms, path_btc)
    if side == "LONG":
        weights = [max(0.0, -m) ** 1.3 + 2e-5 for _, m in moves]
    elif side == "SHORT":
        weights = [max(0.0, m) ** 1.3 + 2e-5 for _, m in moves]
    else:
        weights = [abs(m) ** 1.3 + 2e-5 for _, m in moves]
    wsum = sum(weights)
    btc_prices = dict(path_btc)
    out: list[tuple[int, str, str, str, float, float]] = []
    for (t, m), w in zip(moves, weights, strict=True):
        bucket_usd = total_usd * w / wsum
        # a big 5-minute bucket is made of bigger orders, as in a real cascade
        mean = 1_200_000.0 + bucket_usd / 20
        for size in _order_sizes(bucket_usd, mean, rng):
            ts = t - STEP_MS + rng.randrange(STEP_MS)
            order_side = side or ("LONG" if m < 0 else "SHORT")
            if side is None and rng.random() < 0.25:
                order_side = "SHORT" if order_side == "LONG" else "LONG"
            symbol = _pick(_SYMBOL_SHARE, rng)
            if size > _MAX_ORDER_USD.get(symbol, _MAX_ALT_ORDER_USD):
                symbol = "BTC" if rng.random() < 0.65 else "ETH"
            venue = _pick(_VENUE_SHARE, rng)
            if symbol == "BTC":
                price = btc_prices[t]
            elif symbol == "ETH":
                price = eth_prices[t]
            else:
                price = btc_prices[t] * _OTHER_PRICE[symbol]
            # bankruptcy prices sit a little beyond the market on the liquidated side
            price *= 1 - 0.002 if order_side == "LONG" else 1 + 0.002
            out.append((ts, venue, symbol, order_side, price, size / price))
    return out


def _pick(shares: dict[str, float], rng: random.Random) -> str:
    r = rng.random() * sum(shares.values())
    for key, share in shares.items():
        r -= share
        if r <= 0:
            return key
    return next(iter(shares))


def _sample_venues(
    orders: list[tuple[int, str, str, str, float, float]],
) -> list[tuple[int, str, str, str, float, float]]:
    """Binance and OKX push at most one order per symbol per second: merge the rest
    into that second's order the way their streams report the latest fill."""
    out: list[tuple[int, str, str, str, float, float]] = []
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


def worst_rolling_24h(orders: list[tuple[int, str, str, str, float, float]]) -> tuple[float, int]:
    """Largest 24 h notional in USD over the orders and the window's end (for checks)."""
    best, best_end, j, acc = 0.0, 0, 0, 0.0
    for i, (ts, *_rest, price, qty) in enumerate(orders):
        acc += price * qty
        while orders[j][0] <= ts - DAY_MS:
            acc -= orders[j][4] * orders[j][5]
            j += 1
        if acc > best:
            best, best_end = acc, ts
        del i
    return best, best_end


# --- ETF flows ----------------------------------------------------------------------------

# Daily totals in US$m. R = reported (data/etf_flows_reported.csv), others reconstructed so
# that: BTC week ending Jan 30 = -1,490 (R), Feb 2 = +561.8 (R, first inflow after a 4-day
# outflow streak), Feb 6/9/10 inflows then Feb 11 = -276.3 (R, "ended a 3-day inflow streak"),
# Feb 12 = -410 (R), Feb 17..20 (R) sum to the reported week of -315.9, five straight weekly
# outflows of about $3.8B in all; ETH loses more than $327M in the week ending Feb 6.
BTC_TOTALS = {
    "2026-01-15": 100.2, "2026-01-16": -394.7, "2026-01-20": -483.4, "2026-01-21": -708.7,
    "2026-01-22": -32.1, "2026-01-23": -103.6, "2026-01-26": 6.8, "2026-01-27": -147.4,
    "2026-01-28": -19.6, "2026-01-29": -817.8, "2026-01-30": -512.0, "2026-02-02": 561.8,
    "2026-02-03": -272.0, "2026-02-04": -544.9, "2026-02-05": -434.1, "2026-02-06": 371.1,
    "2026-02-09": 145.0, "2026-02-10": 166.6, "2026-02-11": -276.3, "2026-02-12": -410.0,
    "2026-02-13": -15.2, "2026-02-17": -105.0, "2026-02-18": -133.3, "2026-02-19": -165.8,
    "2026-02-20": 88.1,
}  # fmt: skip
ETH_TOTALS = {
    "2026-01-15": 23.9, "2026-01-16": -10.3, "2026-01-20": -229.9, "2026-01-21": -286.9,
    "2026-01-22": -41.7, "2026-01-23": -22.1, "2026-01-26": 117.0, "2026-01-27": -63.5,
    "2026-01-28": -20.0, "2026-01-29": -155.6, "2026-01-30": -252.9, "2026-02-02": -2.9,
    "2026-02-03": -79.5, "2026-02-04": -80.8, "2026-02-05": -149.9, "2026-02-06": -22.4,
    "2026-02-09": 57.0, "2026-02-10": 13.8, "2026-02-11": -129.18, "2026-02-12": -113.1,
    "2026-02-13": 10.3, "2026-02-17": -48.6, "2026-02-18": -41.8, "2026-02-19": -3.2,
    "2026-02-20": -0.7,
}  # fmt: skip
BTC_FUNDS = ("IBIT", "FBTC", "BITB", "ARKB", "BTCO", "EZBC", "BRRR", "HODL", "BTCW", "MSBT", "GBTC", "BTC")
BTC_WEIGHTS = (0.48, 0.2, 0.06, 0.06, 0.01, 0.01, 0.005, 0.03, 0.005, 0.01, 0.1, 0.03)
ETH_FUNDS = ("ETHA", "FETH", "ETHW", "CETH", "ETHV", "QETH", "EZET", "ETHE", "ETH")
ETH_WEIGHTS = (0.55, 0.17, 0.05, 0.01, 0.03, 0.01, 0.01, 0.12, 0.05)


def _reported_funds() -> dict[tuple[str, str], dict[str, float]]:
    out: dict[tuple[str, str], dict[str, float]] = {}
    for r in _read_csv("etf_flows_reported.csv"):
        if r["period"] == "day" and r["fund"] != "TOTAL":
            out.setdefault((r["asset"], r["date"]), {})[r["fund"]] = float(r["net_flow_usd_m"])
    return out


def _split(total: float, funds: tuple[str, ...], weights: tuple[float, ...], fixed: dict[str, float],
           rng: random.Random) -> dict[str, float]:  # fmt: skip
    """Per-fund flows (one decimal, like Farside) that sum exactly to ``total``."""
    free = [f for f in funds if f not in fixed]
    rest = total - sum(fixed.values())
    raw = {f: w * rng.uniform(0.2, 1.8) for f, w in zip(funds, weights, strict=True) if f in free}
    # some small funds have a quiet day (0.0) as on real Farside pages
    for f in list(raw):
        if raw[f] < 0.01 and rng.random() < 0.6:
            raw[f] = 0.0
    s = sum(raw.values()) or 1.0
    out = {f: round(rest * raw[f] / s, 1) for f in free}
    out.update({f: round(v, 1) for f, v in fixed.items()})
    drift = round(total - sum(out.values()), 1)
    out[free[0]] = round(out[free[0]] + drift, 1)
    return {f: out[f] for f in funds}


def build_etf(rng: random.Random) -> dict[str, list[tuple[date, dict[str, float]]]]:
    """Per-fund daily flows, US$m, for BTC and ETH."""
    reported = _reported_funds()
    out: dict[str, list[tuple[date, dict[str, float]]]] = {}
    for asset, totals, funds, weights in (
        ("BTC", BTC_TOTALS, BTC_FUNDS, BTC_WEIGHTS),
        ("ETH", ETH_TOTALS, ETH_FUNDS, ETH_WEIGHTS),
    ):
        rows = []
        for day_iso, total in totals.items():
            fixed = reported.get((asset, day_iso), {})
            rows.append((date.fromisoformat(day_iso), _split(total, funds, weights, fixed, rng)))
        out[asset] = rows
    return out


# --- sentiment and macro -------------------------------------------------------------------


def load_fear_crypto() -> list[tuple[date, int, str]]:
    """Real alternative.me daily values."""
    return [
        (date.fromisoformat(r["date"]), int(r["value"]), r["classification"])
        for r in _read_csv("crypto_fear_greed_daily.csv")
    ]


def load_nasdaq() -> list[tuple[date, float]]:
    """Real FRED NASDAQCOM closes."""
    return [
        (date.fromisoformat(r["date"]), float(r["nasdaqcom"]))
        for r in _read_csv("nasdaq_composite_daily_fred.csv")
    ]


def build_fear_stocks(nasdaq: list[tuple[date, float]]) -> list[tuple[date, float, str]]:
    """Reconstructed CNN score: starts in 'neutral' and follows the Nasdaq's 5-day change."""
    out = []
    for i, (d, close) in enumerate(nasdaq):
        base = nasdaq[max(0, i - 5)][1]
        score = max(5.0, min(95.0, 50.0 + (close / base - 1) * 500))
        rating = (
            "extreme fear" if score < 25 else "fear" if score < 45 else "neutral" if score <= 55 else "greed"
        )
        out.append((d, round(score, 1), rating))
    return out


def build_claims() -> list[tuple[date, int, date]]:
    """(week ending, claims, release date). Weeks ending 01-10 and 01-17 are derived from
    the reported four-week averages (01-24: 206,250; 02-07: 219,500); the rest as reported,
    first prints at their release, revisions at the next release."""
    thursday = timedelta(days=5)
    rows = [
        (date(2026, 1, 3), 207_000, date(2026, 1, 3) + thursday),
        (date(2026, 1, 10), 199_000, date(2026, 1, 10) + thursday),
        (date(2026, 1, 17), 210_000, date(2026, 1, 17) + thursday),
    ]
    for r in _read_csv("initial_jobless_claims_reported.csv"):
        week = date.fromisoformat(r["week_ending"])
        release = date.fromisoformat(r["release_date"]) if r["release_date"] else week + thursday
        rows.append((week, int(r["initial_claims_sa"]), release))
    return sorted(rows, key=lambda x: (x[2], x[0]))


# --- derivatives, books, borrow -------------------------------------------------------------


def _stress_at(ts: int, path: list[tuple[int, float]], index: dict[int, int]) -> float:
    """0..1 stress from the 24 h drawdown at ts (used to shape reconstructed series)."""
    i = index[ts]
    window = path[max(0, i - 288) : i + 1]
    peak = max(p for _, p in window)
    return min(1.0, (1 - path[i][1] / peak) / 0.15)


def build_derivatives(market: Market, rng: random.Random) -> None:
    """Funding, open interest, spread, depth and Aave borrow APY, hourly, shaped by stress."""
    for sym in SYMBOLS:
        path = market.path[sym]
        index = {t: i for i, (t, _) in enumerate(path)}
        funding, oi, spread, depth = [], [], [], []
        oi_base = 95_000.0 if sym == "BTC" else 2_400_000.0
        for t, price in path[::12]:
            if t < day_ms(FIRST_DAY):
                continue
            s = _stress_at(t, path, index)
            funding.append((t, 0.0001 - 0.0004 * s + rng.gauss(0, 0.00002)))
            oi_base *= 1 - 0.002 * s + rng.gauss(0, 0.0015)
            oi.append((t, oi_base))
            spread.append((t, (0.9 if sym == "BTC" else 1.4) * (1 + 2.2 * s) * rng.uniform(0.85, 1.15)))
            depth.append((t, (28e6 if sym == "BTC" else 14e6) * (1 - 0.55 * s) * rng.uniform(0.85, 1.15)))
            del price
        market.funding[sym] = funding
        market.open_interest[sym] = oi
        market.spread_bps[sym] = spread
        market.depth_usd[sym] = depth
    path = market.path["ETH"]
    index = {t: i for i, (t, _) in enumerate(path)}
    for asset, base in (("USDC", 5.2), ("USDT", 5.6)):
        series = []
        level = base
        for t, _ in path[::12]:
            if t < day_ms(FIRST_DAY):
                continue
            s = _stress_at(t, path, index)
            target = base + 6.0 * s**1.2
            level += (target - level) * 0.25 + rng.gauss(0, 0.08)
            series.append((t, max(2.0, level)))
        market.borrow_apy[asset] = series


def build_market() -> Market:
    """The whole reconstructed market, deterministic for a given SEED."""
    rng = random.Random(SEED)
    market = Market()
    market.daily = build_daily(rng)
    for sym in SYMBOLS:
        market.path[sym] = build_path(market.daily[sym], rng)
    build_liquidations(market, rng)
    market.etf = build_etf(rng)
    market.fear_crypto = load_fear_crypto()
    market.nasdaq = load_nasdaq()
    market.fear_stocks = build_fear_stocks(market.nasdaq)
    market.claims = build_claims()
    build_derivatives(market, rng)
    return market
