"""Rolling correlation of crypto daily returns with equity indices, and ETH's beta to BTC.

The rules, so a trader can check a number by hand:

* **Closes.** A crypto close is the close of a *finished* UTC-day candle (``closed``; the
  forming candle never counts); an index close is the FRED (or Yahoo) value of that date.
  A close that is not a finite positive number is dropped.
* **Pairing.** Crypto trades 7 days a week, stocks 5: only dates that have *both* closes are
  used (weekends and US holidays drop out). A return is the log change between two
  **consecutive common dates**, so a weekend's crypto move lands in Monday's return, measured
  against the index's Friday → Monday move. Two crypto series (ETH against BTC) pair on every
  day both have.
* **Window.** The window is the ``window_days`` calendar days ending at the latest common date
  on or before ``now_ms``; it holds the returns whose *end* date lies inside it (pandas'
  ``rolling("30D")`` on end-dated returns). ``days`` is how many paired returns that is,
  ``from`` the close the first of them starts at.
* **Statistics.** ``r`` is the Pearson correlation of the paired returns; ``beta`` is
  cov(x, y) / var(y): how many percent the symbol moves per 1 % of the series. Neither is
  given with fewer than ``min_returns`` returns, when a side has no variance, or when the
  latest common date is more than ``max_age_days`` old; ``reason`` then says why.

(The crash gauge's ``nasdaq_corr`` input counts only returns whose *both* closes lie in the
window, one return fewer; the two can differ in the second decimal.)

Plain Python (no pandas): importing this module stays cheap.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from crashtui.analysis.days import DAY_MS, day_start, iso_day
from crashtui.model import Candle, Interval, MacroObservation

WINDOW_DAYS = 30
MIN_RETURNS = 10
MAX_AGE_DAYS = 7
HISTORY_POINTS = 90
DEFAULT_PAIRS: tuple[tuple[str, str], ...] = (
    ("BTC", "NASDAQCOM"),
    ("BTC", "SP500"),
    ("ETH", "NASDAQCOM"),
    ("ETH", "SP500"),
    ("ETH", "BTC"),
)


@dataclass(frozen=True, slots=True)
class Correlation:
    """One symbol's correlation with (and beta to) one series over the latest window.

    ``history`` holds ``(end day_ms, r)`` of each earlier window with enough returns (the
    rolling correlation, oldest first, at most :data:`HISTORY_POINTS`).
    """

    symbol: str
    series: str
    r: float | None
    beta: float | None
    days: int
    window_days: int
    from_day_ms: int | None
    to_day_ms: int | None
    reason: str | None = None
    history: tuple[tuple[int, float], ...] = ()


def candle_closes(candles: Iterable[Candle]) -> dict[int, float]:
    """UTC day → close of each finished daily candle (other intervals and bad closes dropped)."""
    out: dict[int, float] = {}
    for c in candles:
        if c.interval is Interval.D1 and c.closed and math.isfinite(c.close) and c.close > 0:
            out[day_start(c.open_ms)] = c.close
    return out


def observation_closes(observations: Iterable[MacroObservation]) -> dict[int, float]:
    """UTC day → value of each observation (non-finite or non-positive values dropped)."""
    return {day_start(o.day_ms): o.value for o in observations if math.isfinite(o.value) and o.value > 0}


def correlate(
    x: Mapping[int, float],
    y: Mapping[int, float],
    *,
    symbol: str,
    series: str,
    now_ms: int,
    window_days: int = WINDOW_DAYS,
    min_returns: int = MIN_RETURNS,
    max_age_days: int = MAX_AGE_DAYS,
) -> Correlation:
    """Correlation and beta of ``x``'s daily log returns with ``y``'s (see the module rules).

    Plain Python: the windows hold a few dozen returns, and importing pandas for them would cost
    ``--once`` more than the whole computation.
    """

    def missing(reason: str, days: int = 0, first: int | None = None, last: int | None = None) -> Correlation:
        return Correlation(symbol, series, None, None, days, window_days, first, last, reason)

    common = sorted(d for d in x if d in y and d <= now_ms and _usable(x[d]) and _usable(y[d]))
    if len(common) < 2:
        return missing(f"fewer than two dates with both a {symbol} and a {series} close")
    last = common[-1]
    ends = common[1:]  # each return is stamped with the date it ends on
    rx = [math.log(x[b]) - math.log(x[a]) for a, b in itertools.pairwise(common)]
    ry = [math.log(y[b]) - math.log(y[a]) for a, b in itertools.pairwise(common)]
    rolled = _rolling(ends, rx, ry, window_days * DAY_MS)
    days, r_raw, beta_raw = rolled[-1][1:]
    first = common[len(common) - 1 - days] if days else None  # the close the first return starts from
    if now_ms - last > max_age_days * DAY_MS:
        return missing(f"stale: the latest common date is {iso_day(last)}", days, first, last)
    if days < min_returns:
        return missing(
            f"only {days} paired daily returns in {window_days} days (need {min_returns})", days, first, last
        )
    r = _finite(r_raw)
    if r is None:
        return missing("the returns have no variance", days, first, last)
    history = [
        (day, value) for day, n, raw, _ in rolled if n >= min_returns and (value := _finite(raw)) is not None
    ]
    return Correlation(
        symbol=symbol,
        series=series,
        r=max(-1.0, min(1.0, r)),
        beta=_finite(beta_raw),
        days=days,
        window_days=window_days,
        from_day_ms=first,
        to_day_ms=last,
        history=tuple((d, max(-1.0, min(1.0, v))) for d, v in history[-HISTORY_POINTS:]),
    )


def correlations(
    closes: Mapping[str, Mapping[int, float]],
    *,
    now_ms: int,
    pairs: Sequence[tuple[str, str]] = DEFAULT_PAIRS,
    window_days: int = WINDOW_DAYS,
    min_returns: int = MIN_RETURNS,
    max_age_days: int = MAX_AGE_DAYS,
) -> tuple[Correlation, ...]:
    """:func:`correlate` for each ``(symbol, series)`` pair; ``closes`` maps both kinds of name
    (``BTC``, ``NASDAQCOM``) to day → close. A name without closes gives a missing result."""
    out = []
    for symbol, series in pairs:
        x, y = closes.get(symbol, {}), closes.get(series, {})
        if not x or not y:
            absent = symbol if not x else series
            out.append(
                Correlation(symbol, series, None, None, 0, window_days, None, None, f"no {absent} closes")
            )
            continue
        out.append(
            correlate(
                x,
                y,
                symbol=symbol,
                series=series,
                now_ms=now_ms,
                window_days=window_days,
                min_returns=min_returns,
                max_age_days=max_age_days,
            )
        )
    return tuple(out)


def correlation_json(results: Iterable[Correlation]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{SYMBOL: {SERIES: {r, beta, days, window_days, from, to, reason}}}`` (r and beta to 4 dp)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for c in results:
        out.setdefault(c.symbol, {})[c.series] = {
            "r": None if c.r is None else round(c.r, 4),
            "beta": None if c.beta is None else round(c.beta, 4),
            "days": c.days,
            "window_days": c.window_days,
            "from": None if c.from_day_ms is None else iso_day(c.from_day_ms),
            "to": None if c.to_day_ms is None else iso_day(c.to_day_ms),
            "reason": c.reason,
        }
    return out


def _usable(value: float) -> bool:
    return math.isfinite(value) and value > 0


def _finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _rolling(
    ends: Sequence[int], rx: Sequence[float], ry: Sequence[float], window_ms: int
) -> list[tuple[int, int, float | None, float | None]]:
    """``(end, returns in the window, r, beta)`` for each return: the window holds the returns
    ending in ``(end - window_ms, end]``."""
    out: list[tuple[int, int, float | None, float | None]] = []
    lo = 0
    for i, end in enumerate(ends):
        while ends[lo] <= end - window_ms:
            lo += 1
        xs, ys = rx[lo : i + 1], ry[lo : i + 1]
        n = len(xs)
        if n < 2:
            out.append((end, n, None, None))
            continue
        mx, my = sum(xs) / n, sum(ys) / n
        sxy = sum((a - mx) * (b - my) for a, b in zip(xs, ys, strict=True))
        sxx = sum((a - mx) ** 2 for a in xs)
        syy = sum((b - my) ** 2 for b in ys)
        r = sxy / math.sqrt(sxx * syy) if sxx > 0 and syy > 0 else None
        beta = sxy / syy if syy > 0 else None
        out.append((end, n, r, beta))
    return out
