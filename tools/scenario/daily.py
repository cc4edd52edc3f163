"""Daily bars per symbol: reconstructed history before the window, then the real window.

Real bars come from the spec's files as they are. Days a dataset lacks are reconstructed and
flagged ``real=False``: whole days from another symbol's moves (``bridge``), the open, high and
low of close-only days (``close_only``), and the history before the window (between anchors).
"""

from __future__ import annotations

import itertools
import math
import random
from datetime import date, timedelta

from .model import DayBar, days, read_csv
from .spec import Bridge, CloseOnly, ScenarioSpec, SpecError


def real_bars(spec: ScenarioSpec) -> dict[str, dict[date, DayBar]]:
    """Real bars per symbol and day; the first file listed wins for a day."""
    out: dict[str, dict[date, DayBar]] = {s: {} for s in spec.symbols}
    for source in spec.real_daily:
        for r in read_csv(spec.path(source.file)):
            d = date.fromisoformat(r["date"])
            sym = source.symbol or r[source.symbol_column or "asset"]
            if sym not in out or d in out[sym] or not spec.first_day <= d <= spec.last_day:
                continue
            o, h, lo, c = float(r["open"]), float(r["high"]), float(r["low"]), float(r["close"])
            if source.volume_column:
                volume = float(r[source.volume_column])
            else:
                volume = (abs(h - lo) / o) * source.volume_per_range[sym]
            out[sym][d] = DayBar(d, o, h, lo, c, volume, True)
    return out


def bridge(real: dict[str, dict[date, DayBar]], b: Bridge) -> None:
    """Fill days with no data: follow another symbol's daily moves times beta, then rescale so
    the path lands on the next real open."""
    own, ref = real[b.symbol], real[b.follow]
    gap = list(days(b.first, b.last))
    before = b.first - timedelta(days=1)
    start = own[before].close
    target = own[b.last + timedelta(days=1)].open
    raw = [start]
    for d in gap:
        r = ref[d]
        raw.append(raw[-1] * (1 + b.beta * (r.close / r.open - 1)))
    drift = (target / raw[-1]) ** (1 / len(gap))
    prev = start
    for i, d in enumerate(gap, start=1):
        close = raw[i] * drift**i
        r = ref[d]
        up = r.high / max(r.open, r.close) - 1
        down = 1 - r.low / min(r.open, r.close)
        own[d] = DayBar(
            d,
            prev,
            max(prev, close) * (1 + b.beta * up),
            min(prev, close) * (1 - b.beta * down),
            close,
            own[before].volume_usd * b.volume_factor,
            real=False,
        )
        prev = close


def close_only(spec: ScenarioSpec, c: CloseOnly, ref: dict[date, DayBar], prev_close: float) -> list[DayBar]:
    """Window bars of a symbol known only by its closes (real); open, high and low reconstructed."""
    closes = {
        date.fromisoformat(r["date"]): float(r[c.column])
        for r in read_csv(spec.path(c.file))
        if spec.first_day <= date.fromisoformat(r["date"]) <= spec.last_day
    }
    out = []
    prev = prev_close
    for d in days(spec.first_day, spec.last_day):
        if d not in closes:
            raise SpecError(f"{spec.name}: {c.file} has no close for {d}")
        close, r = closes[d], ref[d]
        up = r.high / max(r.open, r.close) - 1
        down = 1 - r.low / min(r.open, r.close)
        high = max(prev, close) * (1 + c.beta * up)
        low = min(prev, close) * (1 - c.beta * down)
        out.append(DayBar(d, prev, high, low, close, (high - low) / prev * c.volume_per_range, real=False))
        prev = close
    return out


def prior_bars(spec: ScenarioSpec, symbol: str, rng: random.Random) -> list[DayBar]:
    """Reconstructed daily bars through the anchors: log-linear between them plus a bridge of
    noise that vanishes at both ends; highs, lows and volumes are random around them."""
    anchors = [(a.day, a.close) for a in spec.prior.anchors.get(symbol, ())]
    if len(anchors) < 2:
        raise SpecError(f"{spec.name}: daily.prior needs at least two anchors for {symbol}")
    closes: dict[date, float] = {}
    for (d0, p0), (d1, p1) in itertools.pairwise(anchors):
        n = (d1 - d0).days
        for i in range(n + 1):
            t = i / n
            noise = math.sin(math.pi * t) * rng.gauss(0.0, spec.prior.noise)
            closes[d0 + timedelta(days=i)] = math.exp(math.log(p0) * (1 - t) + math.log(p1) * t + noise)
    bars: list[DayBar] = []
    prev = closes[anchors[0][0]]
    for d in sorted(closes):
        close = closes[d]
        open_ = prev
        spread = abs(rng.gauss(0.0, 0.012)) + 0.006
        high = max(open_, close) * (1 + spread * rng.uniform(0.3, 1.0))
        low = min(open_, close) * (1 - spread * rng.uniform(0.3, 1.0))
        volume = spec.prior.volume_usd[symbol] * rng.uniform(0.6, 1.4)
        bars.append(DayBar(d, open_, high, low, close, volume, real=False))
        prev = close
    return bars


def build_daily(spec: ScenarioSpec, rng: random.Random) -> dict[str, list[DayBar]]:
    """Daily bars per symbol: reconstructed history, then the window (real where a file has it)."""
    real = real_bars(spec)
    for b in spec.bridges:
        bridge(real, b)
    closes_for = {c.symbol: c for c in spec.close_only}
    out: dict[str, list[DayBar]] = {}
    for sym in spec.symbols:
        prior = [b for b in prior_bars(spec, sym, rng) if b.day < spec.first_day]
        last = prior[-1]
        if last.day != spec.first_day - timedelta(days=1):
            raise SpecError(f"{spec.name}: the {sym} anchors must reach the day before first_day")
        if sym in closes_for:
            c = closes_for[sym]
            out[sym] = prior + close_only(spec, c, real[c.follow], last.close)
            continue
        # make the last reconstructed close meet the first real open
        first_open = real[sym][spec.first_day].open
        prior[-1] = DayBar(
            last.day, last.open, max(last.high, first_open), min(last.low, first_open), first_open,
            last.volume_usd, False,
        )  # fmt: skip
        missing = [d for d in days(spec.first_day, spec.last_day) if d not in real[sym]]
        if missing:
            raise SpecError(f"{spec.name}: no {sym} bar for {missing[0]} (add a file or a daily.bridge)")
        out[sym] = prior + [real[sym][d] for d in days(spec.first_day, spec.last_day)]
    return out
