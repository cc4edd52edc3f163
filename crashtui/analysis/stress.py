"""Raw crash-gauge components computed from model data, each with a readable provenance line.

Every function returns a :class:`StressInput` or a :class:`MissingInput` saying why it could not
(no data, too little history, or stale). Names match ``GaugeConfig`` keys; units match the
bands documented in ``config.example.toml``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from operator import attrgetter

from crashtui.analysis.days import DAY_MS, MINUTE_MS, day_start, iso_day, iso_minute
from crashtui.analysis.etf import EtfSummary
from crashtui.analysis.gauge import MissingInput, StressInput
from crashtui.analysis.numbers import median, pearson
from crashtui.model import BookStats, BorrowRate, Candle, FearGreedReading, FundingSnapshot, MacroObservation
from crashtui.numfmt import fmt_price, fmt_usd

_TS = attrgetter("ts_ms")

StressResult = StressInput | MissingInput

FEAR_MAX_AGE_MS = 3 * DAY_MS
FUNDING_MAX_AGE_MS = DAY_MS
BOOK_MAX_AGE_MS = 20 * MINUTE_MS  # live polls every 15 s; recordings may hold fewer books
# The spread baseline is the median of one reading per 10 minutes over the 7 days before the
# latest: long enough that a day-long crash does not become its own baseline, and time-uniform
# so the dense recent readings (every 15 s) do not outweigh the thinned older ones.
BOOK_BASELINE_MS = 7 * DAY_MS
BOOK_BUCKET_MS = 10 * MINUTE_MS
BOOK_MIN_SAMPLES = 10
BORROW_MAX_AGE_MS = 2 * DAY_MS
CLAIMS_MAX_AGE_MS = 21 * DAY_MS
NASDAQ_MAX_AGE_MS = 7 * DAY_MS
ETF_MAX_AGE_MS = 10 * DAY_MS
CORR_DAYS = 30
CORR_MIN_RETURNS = 10
LIQ_MIN_DAYS = 7
STABLECOINS = frozenset(
    {"USDC", "USDT", "DAI", "USDS", "USDE", "GHO", "PYUSD", "FRAX", "LUSD", "RLUSD", "USDC.E"}
)


def _stale(name: str, what: str, ts_ms: int, now_ms: int, max_age_ms: int) -> MissingInput | None:
    if now_ms - ts_ms > max_age_ms:
        return MissingInput(name, f"stale: latest {what} is from {iso_minute(ts_ms)}")
    return None


def fear_greed(readings: Sequence[FearGreedReading], now_ms: int) -> StressResult:
    """Latest crypto Fear & Greed value (0 = extreme fear); stale after 3 days."""
    crypto = [r for r in readings if r.index == "crypto"]
    if not crypto:
        return MissingInput("fear_greed", "no crypto Fear & Greed reading")
    latest = max(crypto, key=lambda r: r.ts_ms)
    stale = _stale("fear_greed", "reading", latest.ts_ms, now_ms, FEAR_MAX_AGE_MS)
    if stale:
        return stale
    detail = f"{latest.source} {latest.value:g} ({latest.classification}) on {iso_day(latest.ts_ms)}"
    return StressInput("fear_greed", latest.value, "index 0–100", latest.source, detail, latest.ts_ms)


def drawdown(daily: Sequence[Candle], price: float | None, now_ms: int) -> StressResult:
    """% below the highest high of the daily candles opened in the last 30 days (today included)."""
    since = day_start(now_ms) - 29 * DAY_MS
    recent = [c for c in daily if since <= c.open_ms <= now_ms and math.isfinite(c.high) and c.high > 0]
    if not recent:
        return MissingInput("drawdown", "no daily candles in the last 30 days")
    top = max(recent, key=lambda c: c.high)
    last = max(recent, key=lambda c: c.open_ms)
    current = price if price is not None and price > 0 else last.close
    raw = max(0.0, (top.high - current) / top.high * 100.0)
    detail = (
        f"{top.symbol} {fmt_price(current)} is {raw:.1f}% below its 30-day high "
        f"{fmt_price(top.high)} ({iso_day(top.open_ms)})"
    )
    return StressInput("drawdown", raw, "% below 30-day high", top.source, detail, now_ms)


def liquidations(
    total_24h_usd: float | None, daily_totals_usd: Sequence[float], lower_bound: bool
) -> StressResult:
    """Rolling 24 h liquidations over the median of up to 30 whole previous days (needs 7)."""
    if total_24h_usd is None:
        return MissingInput("liquidations", "no liquidation tally")
    days = list(daily_totals_usd)[-30:]
    if len(days) < LIQ_MIN_DAYS:
        return MissingInput(
            "liquidations", f"only {len(days)} whole day(s) of liquidation history (need {LIQ_MIN_DAYS})"
        )
    base = median(days)
    if base is None or base <= 0.0:
        return MissingInput("liquidations", "the daily median is zero")
    raw = total_24h_usd / base
    detail = f"{fmt_usd(total_24h_usd)} in 24 h vs a median {fmt_usd(base)} per day over {len(days)} days"
    if lower_bound:
        detail += " (sampled venues: a lower bound)"
    return StressInput("liquidations", raw, "× 30-day median", "liquidation tally", detail)


def etf_flows(summaries: Iterable[EtfSummary], now_ms: int) -> StressResult:
    """Sum of the trailing-5-trading-day net flows of the given assets, US$m."""
    parts = []
    total = 0.0
    latest: int | None = None
    for s in summaries:
        t5 = s.total.trailing_5d
        if t5.net_usd_m is None or t5.last_day_ms is None or now_ms - t5.last_day_ms > ETF_MAX_AGE_MS:
            continue
        total += t5.net_usd_m
        latest = t5.last_day_ms if latest is None else max(latest, t5.last_day_ms)
        note = "" if t5.complete else ", incomplete"
        parts.append(f"{s.asset} {t5.net_usd_m:+,.0f} ({t5.days} days to {iso_day(t5.last_day_ms)}{note})")
    if not parts:
        return MissingInput("etf_flows", "no published ETF flows in the last 10 days")
    return StressInput("etf_flows", total, "US$m over 5 trading days", "etf", " + ".join(parts), latest)


def funding(snapshots: Iterable[FundingSnapshot], symbol: str, now_ms: int) -> StressResult:
    """Mean 8-hour funding rate of ``symbol`` across venues, in % (0.01 = 0.01% per 8 h)."""
    fresh = [
        s
        for s in snapshots
        if s.symbol == symbol and s.funding_rate_8h is not None and now_ms - s.ts_ms <= FUNDING_MAX_AGE_MS
    ]
    if not fresh:
        return MissingInput("funding", f"no {symbol} funding rate from the last 24 h")
    rates = [(s.venue, (s.funding_rate_8h or 0.0) * 100.0) for s in sorted(fresh, key=lambda s: s.venue)]
    raw = sum(r for _, r in rates) / len(rates)
    detail = f"{symbol} mean of " + ", ".join(f"{v} {r:+.4f}%" for v, r in rates) + " (8 h rate)"
    return StressInput("funding", raw, "% per 8 h", "funding", detail, max(s.ts_ms for s in fresh))


def nasdaq_correlation(
    btc_daily: Sequence[Candle], nasdaq: Sequence[MacroObservation], now_ms: int
) -> StressResult:
    """Pearson correlation of BTC and Nasdaq daily log returns over the last 30 calendar days.

    Days are aligned by UTC date (BTC's daily close vs the Nasdaq close of the same date); a
    return spans two consecutive common dates, so weekend BTC moves fold into Monday.
    """
    btc = {day_start(c.open_ms): c.close for c in btc_daily if c.closed and c.close > 0}
    ndx = {day_start(o.day_ms): o.value for o in nasdaq if o.series == "NASDAQCOM" and o.value > 0}
    common = sorted(d for d in btc if d in ndx and d <= now_ms)
    if not common:
        return MissingInput("nasdaq_corr", "no dates with both a BTC daily close and a Nasdaq close")
    last = common[-1]
    if now_ms - last > NASDAQ_MAX_AGE_MS:
        return MissingInput("nasdaq_corr", f"stale: latest common date is {iso_day(last)}")
    window = [d for d in common if d > last - CORR_DAYS * DAY_MS]
    xs = [math.log(btc[b] / btc[a]) for a, b in itertools.pairwise(window)]
    ys = [math.log(ndx[b] / ndx[a]) for a, b in itertools.pairwise(window)]
    if len(xs) < CORR_MIN_RETURNS:
        return MissingInput(
            "nasdaq_corr", f"only {len(xs)} paired daily returns in 30 days (need {CORR_MIN_RETURNS})"
        )
    corr = pearson(xs, ys)
    if corr is None:
        return MissingInput("nasdaq_corr", "returns have no variance")
    detail = f"{len(xs)} paired daily returns {iso_day(window[0])} → {iso_day(last)}"
    return StressInput("nasdaq_corr", corr, "correlation", "fred NASDAQCOM + BTC daily", detail, last)


def spread(books: Sequence[BookStats], now_ms: int) -> StressResult:
    """Latest order-book spread over the same venue's 7-day baseline (10-minute readings)."""
    if not books:
        return MissingInput("spread", "no order-book readings")
    latest = max(books, key=_TS)
    stale = _stale("spread", "order book", latest.ts_ms, now_ms, BOOK_MAX_AGE_MS)
    if stale:
        return stale
    buckets: dict[int, float] = {}
    for b in books:
        if b.venue == latest.venue and latest.ts_ms - BOOK_BASELINE_MS <= b.ts_ms < latest.ts_ms:
            buckets[b.ts_ms // BOOK_BUCKET_MS] = b.spread_bps  # the last reading of each 10 minutes
    history = list(buckets.values())
    if len(history) < BOOK_MIN_SAMPLES:
        return MissingInput(
            "spread", f"only {len(history)} earlier readings for a baseline (need {BOOK_MIN_SAMPLES})"
        )
    base = median(history)
    if base is None or base <= 0.0:
        return MissingInput("spread", "baseline spread is zero")
    raw = latest.spread_bps / base
    detail = (
        f"{latest.venue} {latest.symbol} spread {latest.spread_bps:.3g} bps vs a 7-day median of "
        f"{base:.3g} bps ({len(history)} ten-minute readings)"
    )
    return StressInput("spread", raw, "× baseline", latest.venue, detail, latest.ts_ms)


def borrow_apy(rates: Iterable[BorrowRate], now_ms: int) -> StressResult:
    """Median of the latest stablecoin borrow APYs (one per pool), in %."""
    latest: dict[str, BorrowRate] = {}
    for r in rates:
        if r.asset.upper() not in STABLECOINS or now_ms - r.ts_ms > BORROW_MAX_AGE_MS:
            continue
        if not math.isfinite(r.borrow_apy_pct):
            continue
        old = latest.get(r.pool_id)
        if old is None or r.ts_ms >= old.ts_ms:
            latest[r.pool_id] = r
    if not latest:
        return MissingInput("borrow_apy", "no stablecoin borrow rate from the last 2 days")
    pools = sorted(latest.values(), key=lambda r: -r.borrow_apy_pct)
    raw = median([r.borrow_apy_pct for r in pools])
    assert raw is not None
    listed = ", ".join(f"{r.protocol} {r.chain} {r.asset} {r.borrow_apy_pct:.2f}%" for r in pools)
    detail = f"median of {listed}" if len(pools) > 1 else listed
    return StressInput("borrow_apy", raw, "% APY", pools[0].source, detail, max(r.ts_ms for r in pools))


def jobless_claims(icsa: Sequence[MacroObservation], now_ms: int) -> StressResult:
    """Change in US initial claims (ICSA, persons) over 4 weeks, in thousands."""
    obs = sorted((o for o in icsa if o.series == "ICSA"), key=lambda o: o.day_ms)
    if not obs:
        return MissingInput("jobless_claims", "no ICSA observations")
    latest = obs[-1]
    stale = _stale("jobless_claims", "ICSA week", latest.day_ms, now_ms, CLAIMS_MAX_AGE_MS)
    if stale:
        return stale
    target = latest.day_ms - 28 * DAY_MS
    near = [o for o in obs if abs(o.day_ms - target) <= 3 * DAY_MS]
    if not near:
        return MissingInput("jobless_claims", f"no ICSA observation near {iso_day(target)} (4 weeks earlier)")
    prior = min(near, key=lambda o: abs(o.day_ms - target))
    raw = (latest.value - prior.value) / 1000.0
    detail = (
        f"{latest.value / 1000:,.0f}k (week ending {iso_day(latest.day_ms)}) vs "
        f"{prior.value / 1000:,.0f}k four weeks earlier: {raw:+,.0f}k"
    )
    return StressInput(
        "jobless_claims", raw, "thousand claims vs 4 weeks before", latest.source, detail, latest.day_ms
    )
