"""Build one scenario: reconstruct its market from the spec, render every family, write the file.

Deterministic: the same spec and data give the same bytes (``python -m tools.scenario check``).
"""

from __future__ import annotations

import random
from pathlib import Path

from crashtui.model import RawPayload
from crashtui.replay.recording import RecordingHeader, write_recording

from .daily import build_daily
from .families import FAMILIES, Context
from .intraday import build_paths
from .liquidations import build_liquidations
from .model import Market
from .positioning import build_positioning
from .series import build_claims, build_derivatives, build_etf, build_fear_stocks, load_fear_crypto, load_fred
from .spec import ScenarioSpec

BUNDLED = Path(__file__).resolve().parents[2] / "crashtui" / "scenarios"
# families that render the reconstructed funding / open-interest / book / borrow series
DERIVED_FAMILIES = ("derivatives", "books", "borrow")


def header(spec: ScenarioSpec) -> RecordingHeader:
    """The recording's first line: a scenario, its window and what is real in it."""
    return RecordingHeader(
        created_ms=spec.end_ms,
        label=spec.name,
        scenario=True,
        note=spec.note,
        watchlist=spec.watchlist,
        pinned_zones=spec.pinned_zones,
        start_ms=spec.start_ms,
        end_ms=spec.end_ms,
    )


def build_market(spec: ScenarioSpec) -> Market:
    """The whole reconstructed market, deterministic for the spec's seed."""
    rng = random.Random(spec.seed)
    market = Market()
    market.daily = build_daily(spec, rng)
    market.path = build_paths(
        market.daily, spec.symbols, spec.hourly_from, spec.pins, spec.shared_timing, rng
    )
    build_liquidations(spec, market, rng)
    market.etf = build_etf(spec, rng)
    market.fear_crypto = load_fear_crypto(spec)
    market.macro = load_fred(spec)
    if spec.stocks_fear_from_nasdaq:
        market.fear_stocks = build_fear_stocks(market.macro["NASDAQCOM"])
    market.claims = build_claims(spec)
    if any(f in spec.families for f in DERIVED_FAMILIES):
        build_derivatives(spec, market, rng)
    # its own generator: the series above stay as they were built before positioning existed
    build_positioning(spec, market, random.Random(spec.seed + 2))
    return market


def payloads(spec: ScenarioSpec, market: Market | None = None) -> list[RawPayload]:
    """Every payload of the scenario in time order (ties by source, then family order)."""
    ctx = Context(spec, market or build_market(spec), random.Random(spec.seed + 1))
    out: list[RawPayload] = []
    for name in spec.families:
        out.extend(FAMILIES[name](ctx))
    end = spec.end_ms
    out = [p for p in out if p.received_ms <= end]  # e.g. claims released after the window
    # Time order so a replay can stream the file instead of holding it.
    out.sort(key=lambda p: (p.received_ms, p.source, p.endpoint))
    return out


def build(spec: ScenarioSpec, out: Path | None = None) -> tuple[Path, int]:
    """Write the recording (default: the bundled ``crashtui/scenarios/<name>.jsonl.gz``)."""
    path = out or BUNDLED / f"{spec.name}.jsonl.gz"
    count = write_recording(path, header(spec), payloads(spec))
    return path, count
