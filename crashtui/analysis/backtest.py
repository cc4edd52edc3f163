"""How early the radar warns: signal firings judged against a recording's drawdowns.

Given the price path of a replay (hourly closes) and when each signal fired, this finds the
deepest low and the largest drawdowns, then says for each signal how many hours before the
deepest low it first fired (within a lookback), and which firings were false alarms (no
drawdown of ``crash_pct`` followed within ``horizon_h``). pandas does the drawdown arithmetic
(imported here only: a backtest is a batch job, not the dashboard's start-up).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

HOUR_MS = 3_600_000
LOOKBACK_H = 72  # a firing counts as a warning of the low if it came at most this long before it
HORIZON_H = 48  # a firing followed by no crash_pct fall within this is a false alarm
CRASH_PCT = 8.0  # what counts as "a crash followed" (from the firing's price to a later low)
MIN_DRAWDOWN_PCT = 10.0


@dataclass(frozen=True, slots=True)
class Drawdown:
    """A peak-to-trough fall of the price path."""

    peak_ms: int
    peak: float
    trough_ms: int
    trough: float

    @property
    def pct(self) -> float:
        """The fall in % of the peak (positive)."""
        return (1 - self.trough / self.peak) * 100


@dataclass(frozen=True, slots=True)
class SignalReport:
    """What one signal did over one recording."""

    signal: str
    fires: int
    first_before_low_ms: int | None
    lead_h: float | None
    false_alarms: int


@dataclass(frozen=True, slots=True)
class BacktestReport:
    """One recording's backtest."""

    scenario: str
    start_ms: int
    end_ms: int
    low_ms: int | None
    low: float | None
    drawdowns: tuple[Drawdown, ...]
    signals: tuple[SignalReport, ...]


def drawdowns(closes: Sequence[tuple[int, float]], min_pct: float = MIN_DRAWDOWN_PCT) -> tuple[Drawdown, ...]:
    """The non-overlapping peak-to-trough falls of at least ``min_pct`` %, largest first: the
    deepest fall of the path, then the deepest of what lies before its peak and after its trough."""
    import pandas as pd

    times = [t for t, _ in closes]
    prices = pd.Series([p for _, p in closes], dtype="float64")
    found: list[Drawdown] = []
    spans = [(0, len(prices))]
    while spans:
        lo, hi = spans.pop()
        if hi - lo < 2:
            continue
        piece = prices.iloc[lo:hi].reset_index(drop=True)
        depth = (piece / piece.cummax() - 1.0).to_numpy()
        trough = int(depth.argmin())
        if -depth[trough] * 100 < min_pct - 1e-9:  # "at least": a fall of exactly min_pct counts
            continue
        peak = int(piece.iloc[: trough + 1].to_numpy().argmax())
        found.append(
            Drawdown(times[lo + peak], float(piece.iloc[peak]), times[lo + trough], float(piece.iloc[trough]))
        )
        spans.append((lo, lo + peak))
        spans.append((lo + trough + 1, hi))
    return tuple(sorted(found, key=lambda d: -d.pct))


def judge(
    scenario: str,
    closes: Sequence[tuple[int, float]],
    firings: Mapping[str, Sequence[int]],
    *,
    lookback_h: float = LOOKBACK_H,
    horizon_h: float = HORIZON_H,
    crash_pct: float = CRASH_PCT,
) -> BacktestReport:
    """The report of one recording: ``closes`` its (time, price) path, ``firings`` each
    signal's firing times."""
    start = closes[0][0] if closes else 0
    end = closes[-1][0] if closes else 0
    low_ms, low = min(closes, key=lambda c: c[1]) if closes else (None, None)
    reports = []
    for signal, times in firings.items():
        before = [t for t in times if low_ms is not None and low_ms - lookback_h * HOUR_MS <= t <= low_ms]
        first = min(before) if before else None
        lead = (low_ms - first) / HOUR_MS if first is not None and low_ms is not None else None
        false = sum(1 for t in times if not _crash_follows(closes, t, horizon_h, crash_pct))
        reports.append(SignalReport(signal, len(times), first, lead, false))
    return BacktestReport(scenario, start, end, low_ms, low, drawdowns(closes), tuple(reports))


def _crash_follows(
    closes: Sequence[tuple[int, float]], at_ms: int, horizon_h: float, crash_pct: float
) -> bool:
    """Whether price fell ``crash_pct`` % below its level at ``at_ms`` within ``horizon_h``."""
    now = [p for t, p in closes if t <= at_ms]
    if not now:
        return False
    later = [p for t, p in closes if at_ms < t <= at_ms + horizon_h * HOUR_MS]
    return bool(later) and min(later) <= now[-1] * (1 - crash_pct / 100)


def report_json(reports: Sequence[BacktestReport]) -> list[dict[str, Any]]:
    """The reports for ``crashtui backtest --json``."""
    from crashtui.timeparse import iso_utc

    def iso(ms: int | None) -> str | None:
        return None if ms is None else iso_utc(ms)

    return [
        {
            "scenario": r.scenario,
            "from": iso(r.start_ms),
            "to": iso(r.end_ms),
            "low": r.low,
            "low_at": iso(r.low_ms),
            "drawdowns": [
                {
                    "peak_at": iso(d.peak_ms),
                    "peak": d.peak,
                    "trough_at": iso(d.trough_ms),
                    "trough": d.trough,
                    "pct": round(d.pct, 2),
                }
                for d in r.drawdowns
            ],
            "signals": [
                {
                    "signal": s.signal,
                    "fires": s.fires,
                    "first_before_low": iso(s.first_before_low_ms),
                    "lead_h": None if s.lead_h is None else round(s.lead_h, 1),
                    "false_alarms": s.false_alarms,
                }
                for s in r.signals
            ],
        }
        for r in reports
    ]


def report_table(reports: Sequence[BacktestReport]) -> str:
    """A plain-text table: one row per scenario and signal."""
    rows = [("SCENARIO", "SIGNAL", "FIRES", "LEAD BEFORE LOW", "FALSE ALARMS")]
    for r in reports:
        for s in r.signals:
            lead = "—" if s.lead_h is None else f"{s.lead_h:.1f} h"
            rows.append((r.scenario, s.signal, str(s.fires), lead, str(s.false_alarms)))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    for r in reports:
        if r.low is not None and r.low_ms is not None:
            from crashtui.timeparse import iso_utc

            deepest = max(r.drawdowns, key=lambda d: d.pct, default=None)
            fall = f", deepest drawdown {deepest.pct:.1f}%" if deepest else ""
            lines.append(f"{r.scenario}: low {r.low:,.0f} at {iso_utc(r.low_ms)[:16]}Z{fall}")
    return "\n".join(lines)
