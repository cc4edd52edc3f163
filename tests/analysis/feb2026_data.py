"""Loaders for the real Feb-2026 daily data in tests/fixtures (copied from the shared scenario
folder, see tests/fixtures/README.md §11): each file becomes the model objects the feed makes."""

from __future__ import annotations

import csv
from pathlib import Path

from crashtui.analysis.days import DAY_MS
from crashtui.model import EtfFlow, FearGreedReading, MacroObservation
from crashtui.sources.common import iso_day_ms

FIXTURES = Path(__file__).parent.parent / "fixtures"


def rows(name: str) -> list[dict[str, str]]:
    """The rows of a fixture CSV (lines starting with ``#`` are comments)."""
    with (FIXTURES / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def yahoo_closes(asset: str) -> dict[int, float]:
    """BTC or ETH daily closes (Yahoo, 2 dp; BTC and ETH miss 01-21..01-24)."""
    return {
        iso_day_ms(r["date"]): float(r["close"])
        for r in rows("feb2026_btc_eth_daily_ohlc_yahoo_openclaw.csv")
        if r["asset"] == asset
    }


def eth_coingecko_closes() -> dict[int, float]:
    """ETH daily closes from CoinGecko's 00:00 UTC snapshots: the price at the start of day D
    is the close of day D-1."""
    return {
        iso_day_ms(r["snapped_at"][:10]) - DAY_MS: float(r["price"])
        for r in rows("feb2026_eth_daily_coingecko_kittycapital.csv")
    }


def fred_closes(name: str, column: str) -> dict[int, float]:
    """A ``date,<column>`` file (FRED style) as day → value; empty values skipped."""
    return {iso_day_ms(r["date"]): float(r[column]) for r in rows(name) if r[column].strip()}


def observations(series: str, points: dict[int, float], source: str) -> tuple[MacroObservation, ...]:
    """``points`` as observations of ``series``."""
    return tuple(MacroObservation(series, d, v, source) for d, v in sorted(points.items()))


def fear() -> tuple[FearGreedReading, ...]:
    """alternative.me daily readings (00:00 UTC of each day)."""
    return tuple(
        FearGreedReading(
            "crypto", iso_day_ms(r["date"]), float(r["value"]), r["classification"], "alternative_me"
        )
        for r in rows("feb2026_crypto_fear_greed_daily.csv")
    )


def claims() -> tuple[tuple[MacroObservation, ...], tuple[MacroObservation, ...]]:
    """(4-week averages as IC4WSA, weekly claims as ICSA) from the reported prints; a revised
    print replaces the first (the feed keeps one value per week: the latest)."""
    avg: dict[int, float] = {}
    weekly: dict[int, float] = {}
    for r in rows("feb2026_initial_jobless_claims_reported.csv"):
        week = iso_day_ms(r["week_ending"])
        weekly[week] = float(r["initial_claims_sa"])
        if r["four_week_avg"].strip():
            avg[week] = float(r["four_week_avg"])
    return observations("IC4WSA", avg, "reported"), observations("ICSA", weekly, "reported")


def etf_flows() -> dict[str, tuple[EtfFlow, ...]]:
    """Daily TOTAL rows per asset (weekly totals and per-fund rows left out)."""
    out: dict[str, list[EtfFlow]] = {}
    for r in rows("feb2026_etf_flows_reported.csv"):
        if r["period"] == "day" and r["fund"] == "TOTAL":
            out.setdefault(r["asset"], []).append(
                EtfFlow(r["asset"], iso_day_ms(r["date"]), float(r["net_flow_usd_m"]), "reported")
            )
    return {a: tuple(sorted(f, key=lambda e: e.day_ms)) for a, f in out.items()}


def stock_closes() -> dict[str, dict[int, float]]:
    """AI-basket closes: the reported quotes under their exact ticker (Alphabet quotes whose
    class is not stated are left out), plus the real NVDA closes of 02-17..02-20."""
    out: dict[str, dict[int, float]] = {}
    for r in rows("feb2026_stock_closes_reported.csv"):
        if r["ticker"] in ("NVDA", "MSFT", "GOOGL"):
            out.setdefault(r["ticker"], {})[iso_day_ms(r["date"])] = float(r["close_usd"])
    out.setdefault("NVDA", {}).update(fred_closes("feb2026_nvda_daily_close_yahoo_smingers.csv", "close"))
    return out
