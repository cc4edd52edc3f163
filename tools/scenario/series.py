"""Daily series beside prices: ETF days, Fear & Greed, FRED series, jobless claims, and the
reconstructed derivatives/borrow series of feb-2026."""

from __future__ import annotations

import random
from datetime import date, timedelta

from .model import Market, read_csv
from .spec import EtfAsset, ScenarioSpec

# alternative.me's published bands (value -> classification); checked against the feb-2026 file,
# which carries both (25 Extreme Fear, 26 Fear, 49 Neutral, 61 Greed)
FEAR_BANDS = ((25, "Extreme Fear"), (46, "Fear"), (54, "Neutral"), (75, "Greed"), (100, "Extreme Greed"))


def fear_class(value: int) -> str:
    """alternative.me's classification of a Fear & Greed value."""
    return next(name for top, name in FEAR_BANDS if value <= top)


# --- ETF flows ------------------------------------------------------------------------------


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


def _asset_days(spec: ScenarioSpec, a: EtfAsset, rng: random.Random) -> list[tuple[date, dict[str, float]]]:
    rows = []
    for d, total in a.totals_usd_m.items():
        if not spec.first_day <= d <= spec.last_day:
            continue
        if a.kind == "split":
            rows.append((d, _split(total, a.funds, a.weights, a.fixed.get(d, {}), rng)))
        elif a.kind == "funds":
            rows.append((d, dict(a.per_fund[d])))
        else:
            rows.append((d, {"TOTAL": total}))
    return rows


def build_etf(spec: ScenarioSpec, rng: random.Random) -> dict[str, list[tuple[date, dict[str, float]]]]:
    """ETF days per asset (US$m): reconstructed splits, real per-fund tables or real totals."""
    if spec.etf is None:
        return {}
    return {a.asset: _asset_days(spec, a, rng) for a in spec.etf.assets}


# --- sentiment and macro -------------------------------------------------------------------------


def load_fear_crypto(spec: ScenarioSpec) -> list[tuple[date, int, str]]:
    """Real alternative.me daily values (classification from the file, else from the bands)."""
    if spec.fear_file is None:
        return []
    out = []
    for r in read_csv(spec.path(spec.fear_file)):
        value = int(float(r["value"]))
        cls = r[spec.fear_class_column] if spec.fear_class_column else fear_class(value)
        out.append((date.fromisoformat(r["date"]), value, cls))
    return out


def load_fred(spec: ScenarioSpec) -> dict[str, list[tuple[date, float]]]:
    """Real FRED (or FRED-equivalent) daily series; blank fields are left out."""
    out = {}
    for s in spec.fred:
        rows = read_csv(spec.path(s.file))
        out[s.id] = [(date.fromisoformat(r["date"]), float(r[s.column])) for r in rows if r[s.column].strip()]
    return out


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


def build_claims(spec: ScenarioSpec) -> list[tuple[date, int, date]]:
    """(week ending, claims, release date): the ``derived`` weeks (reconstructed from reported
    four-week averages) first, then the reported first prints at their release, revisions at the
    next release."""
    if spec.claims is None:
        return []
    thursday = timedelta(days=5)
    rows = [(week, value, week + thursday) for week, value in spec.claims.derived]
    for r in read_csv(spec.path(spec.claims.file)):
        week = date.fromisoformat(r["week_ending"])
        release = date.fromisoformat(r["release_date"]) if r["release_date"] else week + thursday
        rows.append((week, int(r["initial_claims_sa"]), release))
    return sorted(rows, key=lambda x: (x[2], x[0]))


# --- reconstructed derivatives, books, borrow (feb-2026) ---------------------------------------------


def _stress_at(ts: int, path: list[tuple[int, float]], index: dict[int, int]) -> float:
    """0..1 stress from the 24 h drawdown at ts (used to shape reconstructed series)."""
    i = index[ts]
    window = path[max(0, i - 288) : i + 1]
    peak = max(p for _, p in window)
    return min(1.0, (1 - path[i][1] / peak) / 0.15)


def build_derivatives(spec: ScenarioSpec, market: Market, rng: random.Random) -> None:
    """Funding, open interest, spread, depth and Aave borrow APY, hourly, shaped by stress."""
    p = spec.derivatives
    start = spec.start_ms
    for sym in spec.symbols:
        path = market.path[sym]
        index = {t: i for i, (t, _) in enumerate(path)}
        funding, oi, spread, depth = [], [], [], []
        oi_base = float(p["oi_base"][sym])
        for t, _price in path[::12]:
            if t < start:
                continue
            s = _stress_at(t, path, index)
            funding.append((t, 0.0001 - 0.0004 * s + rng.gauss(0, 0.00002)))
            oi_base *= 1 - 0.002 * s + rng.gauss(0, 0.0015)
            oi.append((t, oi_base))
            spread.append((t, float(p["spread_bps"][sym]) * (1 + 2.2 * s) * rng.uniform(0.85, 1.15)))
            depth.append((t, float(p["depth_usd"][sym]) * (1 - 0.55 * s) * rng.uniform(0.85, 1.15)))
        market.funding[sym] = funding
        market.open_interest[sym] = oi
        market.spread_bps[sym] = spread
        market.depth_usd[sym] = depth
    path = market.path["ETH"]
    index = {t: i for i, (t, _) in enumerate(path)}
    for asset, base in p["borrow_base_apy"].items():
        series = []
        level = float(base)
        for t, _ in path[::12]:
            if t < start:
                continue
            s = _stress_at(t, path, index)
            target = float(base) + 6.0 * s**1.2
            level += (target - level) * 0.25 + rng.gauss(0, 0.08)
            series.append((t, max(2.0, level)))
        market.borrow_apy[asset] = series
