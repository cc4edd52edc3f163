"""The bundled feb-2026 scenario's positioning (open-interest history, taker flow, account ratios,
funding on four venues) through the real replay path, parsers, gate and radar.

One replay of the whole recording, in-process, stopping at a few moments of Feb 3-7 to read the
radar (``Engine.radar()``): the estimated liquidation map forms below price while open interest
builds before the Feb 5-6 drop, and is consumed through it; open interest falls and funding turns
negative on every venue in the drop; the gate holds nothing back.
"""

from __future__ import annotations

import gzip
import json
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from crashtui.analysis.derivatives import SymbolDerivatives
from crashtui.analysis.liqmap import largest_clusters
from crashtui.analysis.liqmap.result import LiqMap
from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config import Config
from crashtui.model import Snapshot
from crashtui.replay.locate import locate_recording
from tools.scenario.build import build_market
from tools.scenario.positioning import STEPS_12H, stress
from tools.scenario.spec import SpecError, load

POSITIONING_SOURCES = {"binance_futures", "bybit", "okx_public", "hyperliquid"}
FOUR_VENUES = {"binance_futures", "bybit", "okx_public", "hyperliquid"}


def _ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


CALM = _ms("2026-02-04T14:00")  # after the Feb 4 dip, before dip buyers pile in
PEAK = _ms("2026-02-05T02:30")  # the Feb 5 high: the last moment before the drop
CASCADE = _ms("2026-02-05T14:00")  # the long cascade starts (liquidation segments)
DEEP = _ms("2026-02-06T08:00")  # deep in the drop
LOW = _ms("2026-02-06T14:00")  # the Feb 6 low
MOMENTS = (CALM, PEAK, CASCADE, DEEP, LOW)


@dataclass(frozen=True)
class Moment:
    """What the radar and the state said at one replay time."""

    maps: dict[str, LiqMap]
    derivatives: dict[str, SymbolDerivatives]
    snapshot: Snapshot


@pytest.fixture(scope="module")
def replay() -> tuple[dict[int, Moment], Snapshot]:
    """The whole feb-2026 recording replayed once; the radar read at each of ``MOMENTS``."""
    path = locate_recording("feb-2026")
    engine = build_engine(Config(), (), EngineOptions(replay=ReplayOptions(path, None, None, None)))
    moments: dict[int, Moment] = {}
    for clock in engine.replay_steps(1_800_000):  # every moment is on the half hour
        if clock in MOMENTS:
            radar = engine.radar()
            moments[clock] = Moment(
                dict(radar.liquidation_maps), dict(radar.derivatives), engine.state.snapshot()
            )
    assert set(moments) == set(MOMENTS)
    return moments, engine.state.snapshot()


def _long_below(m: LiqMap, price: float) -> float:
    """Estimated long liquidations (USD) in bands wholly below ``price``."""
    return sum(lv.est_usd for lv in m.levels if lv.side == "long" and lv.high <= price)


def _price(m: LiqMap) -> float:
    assert m.price is not None
    return m.price


def _coins(d: SymbolDerivatives, venue: str) -> float:
    oi = next(v for v in d.oi_venues if v.venue == venue)
    assert oi.base is not None
    return oi.base


def test_the_gate_holds_nothing_back(replay: tuple[dict[int, Moment], Snapshot]) -> None:
    _, end = replay
    assert {source: held for source, held in end.held.items() if held} == {}
    assert end.held_liquidations == ()
    # every positioning source was heard from and is healthy at the end
    healthy = {s for s, st in end.statuses.items() if str(st.state) == "ok"}
    assert healthy >= POSITIONING_SOURCES


@pytest.mark.parametrize("symbol", ["BTC", "ETH"])
def test_long_clusters_form_below_price_as_open_interest_builds(
    replay: tuple[dict[int, Moment], Snapshot], symbol: str
) -> None:
    moments, _ = replay
    calm, peak = moments[CALM], moments[PEAK]
    for moment in (calm, peak):
        m = moment.maps[symbol]
        assert m.estimate
        _, below = largest_clusters(m)
        assert below
        assert all(c.side == "long" and c.high <= _price(m) for c in below)
    # open interest builds on Binance and Bybit (coins, so price moves do not count) ...
    for venue in ("binance_futures", "bybit"):
        before, after = _coins(calm.derivatives[symbol], venue), _coins(peak.derivatives[symbol], venue)
        assert after > before * 1.04, venue
    # ... and the long side under price grows with it
    grown = _long_below(peak.maps[symbol], _price(peak.maps[symbol]))
    assert grown > 1.8 * _long_below(calm.maps[symbol], _price(calm.maps[symbol]))


@pytest.mark.parametrize("symbol", ["BTC", "ETH"])
def test_the_drop_consumes_the_long_clusters(replay: tuple[dict[int, Moment], Snapshot], symbol: str) -> None:
    moments, _ = replay
    peak = moments[PEAK].maps[symbol]
    low = moments[LOW].maps[symbol]
    assert _price(low) < _price(peak) * 0.85  # the drop itself
    before = _long_below(peak, _price(peak))
    after = _long_below(low, _price(peak))
    assert after < 0.4 * before  # most of the long book under the pre-drop price is gone
    # what is left under the old price is low-leverage, far below it
    _, below = largest_clusters(low)
    assert all(c.high <= _price(low) for c in below)


@pytest.mark.parametrize("symbol", ["BTC", "ETH"])
def test_open_interest_falls_and_funding_turns_negative_on_every_venue(
    replay: tuple[dict[int, Moment], Snapshot], symbol: str
) -> None:
    moments, _ = replay
    peak, deep, low = moments[PEAK].derivatives[symbol], moments[DEEP].derivatives[symbol], moments[LOW]
    # funding: positive on all four venues before the drop, negative on all four deep in it
    assert {f.venue for f in peak.funding} == FOUR_VENUES
    assert all(f.rate_8h > 0 for f in peak.funding)
    assert {f.venue for f in deep.funding} == FOUR_VENUES
    assert all(f.rate_8h < 0 for f in deep.funding)
    # open interest: every venue with history ends the drop lower, in coins where it says coins
    for venue in ("binance_futures", "bybit"):
        assert _coins(low.derivatives[symbol], venue) < 0.95 * _coins(peak, venue), venue
    okx_peak, okx_low = (
        next(v for v in moments[m].derivatives[symbol].oi_venues if v.venue == "okx_public")
        for m in (PEAK, LOW)
    )
    assert okx_peak.scope == "all"  # rubik: every contract of the coin, in USD
    assert okx_low.usd is not None
    assert okx_peak.usd is not None
    assert okx_low.usd < 0.8 * okx_peak.usd
    change = low.derivatives[symbol].oi_change_24h_pct
    assert change is not None
    assert change < -5
    # takers sell through the drop and leaned to buying while positions built
    flows = [t for (_, s), series in low.snapshot.taker_volume.items() if s == symbol for t in series]
    drop = [t for t in flows if CASCADE <= t.ts_ms < LOW]
    build = [t for t in flows if CALM <= t.ts_ms < PEAK]
    assert sum(t.sell_base for t in drop) > 1.1 * sum(t.buy_base for t in drop)
    assert sum(t.buy_base for t in build) > sum(t.sell_base for t in build)
    ratio = low.derivatives[symbol].long_short_ratio
    assert ratio is not None
    assert ratio > 1  # accounts buy the dip


def test_open_interest_drop_roughly_matches_the_liquidations() -> None:
    """Per venue with a liquidation stream, the open interest closed in the 24 h cascade is the
    liquidated size plus some voluntary closing: between 1x and 2.5x the liquidated USD."""
    spec = load("feb-2026")
    market = build_market(spec)
    for symbol in ("BTC", "ETH"):
        price = dict(market.path[symbol])
        for venue in ("binance", "bybit", "okx"):
            oi = dict(market.oi_coins[(venue, symbol)])
            liquidated = sum(
                price_ * qty
                for ts, v, sym, _side, price_, qty in market.liquidations
                if v == venue and sym == symbol and CASCADE <= ts < LOW
            )
            closed = (oi[CASCADE] - oi[LOW]) * price[LOW]
            assert liquidated > 0
            assert liquidated <= closed <= 2.5 * liquidated, (symbol, venue, closed, liquidated)


def test_the_note_labels_positioning_reconstructed_and_binance_funding_stays_hourly() -> None:
    with gzip.open(locate_recording("feb-2026"), "rt", encoding="utf-8") as fh:
        header = json.loads(fh.readline())
        endpoints: dict[tuple[str, str], int] = {}
        for line in fh:
            record = json.loads(line)
            if record["src"] in POSITIONING_SOURCES:
                key = (record["src"], record["ep"])
                endpoints[key] = endpoints.get(key, 0) + 1
    note = header["note"]
    for name in (
        "reconstructed",
        "positioning",
        "Bybit",
        "OKX",
        "Hyperliquid",
        "open-interest history",
        "taker",
        "long/short",
    ):
        assert name in note
    # Binance's open interest now comes from its history only (one fact, one series)
    assert ("binance_futures", "open_interest") not in endpoints
    assert endpoints[("binance_futures", "premium_index")] == 888  # hourly, as before
    assert {ep for src, ep in endpoints if src == "binance_futures"} == {
        "premium_index", "open_interest_hist", "taker_long_short_ratio", "global_long_short_account_ratio",
        "funding_rate_history",
    }  # fmt: skip


FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BYBIT_2026_SINGLE = {"singleOpenInterest", "singleOpenInterestValue"}  # the 2026 one-side twins


def _fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def _first_bodies() -> dict[tuple[str, str], Any]:
    """The first body of each positioning endpoint in the recording (after the backfill)."""
    out: dict[tuple[str, str], Any] = {}
    with gzip.open(locate_recording("feb-2026"), "rt", encoding="utf-8") as fh:
        fh.readline()
        for line in fh:
            record = json.loads(line)
            key = (record["src"], record["ep"])
            if record["src"] in POSITIONING_SOURCES and key not in out:
                out[key] = json.loads(record["b"])
    return out


def test_payloads_have_the_real_payloads_shape() -> None:
    """Rows carry the fields the real (documented) payloads in tests/fixtures carry, no others."""
    got = _first_bodies()

    def keys(rows: list[dict[str, Any]]) -> set[str]:
        return {k for row in rows for k in row}

    pairs = [
        (("binance_futures", "open_interest_hist"), "binance_futures_open_interest_hist.json"),
        (("binance_futures", "taker_long_short_ratio"), "binance_futures_taker_long_short_ratio.json"),
        (("binance_futures", "global_long_short_account_ratio"),
         "binance_futures_global_long_short_account_ratio.json"),
        (("binance_futures", "funding_rate_history"), "binance_futures_funding_rate_history.json"),
        (("hyperliquid", "funding_history"), "hyperliquid_funding_history_btc.json"),
    ]  # fmt: skip
    for endpoint, fixture in pairs:
        assert keys(got[endpoint]) == keys(_fixture(fixture)), endpoint
    bybit_oi = got[("bybit", "open_interest")]
    real = _fixture("bybit_open_interest.json")
    assert bybit_oi.keys() == real.keys()
    assert bybit_oi["result"].keys() == real["result"].keys()
    assert bybit_oi["result"]["category"] == "linear"  # coins, one side in singleOpenInterest
    assert keys(bybit_oi["result"]["list"]) == keys(real["result"]["list"])
    assert keys(got[("bybit", "funding_history")]["result"]["list"]) == keys(
        _fixture("bybit_funding_history.json")["result"]["list"]
    )
    ticker = keys(got[("bybit", "tickers")]["result"]["list"])
    assert ticker <= keys(_fixture("bybit_tickers_inverse.json")["result"]["list"]) | BYBIT_2026_SINGLE
    assert keys(got[("okx_public", "funding_rate")]["data"]) == keys(
        _fixture("okx_funding_rate.json")["data"]
    )
    rubik = got[("okx_public", "rubik_open_interest_volume")]["data"]
    assert {len(row) for row in rubik} == {
        len(row) for row in _fixture("okx_rubik_contracts_open_interest_volume.json")["data"]
    }
    meta, ctxs = got[("hyperliquid", "meta_and_asset_ctxs")]
    real_meta, real_ctxs = _fixture("hyperliquid_meta_and_asset_ctxs.json")
    assert keys(ctxs) == keys(real_ctxs)
    assert keys(meta["universe"]) <= keys(real_meta["universe"])


def test_stress_is_the_drawdown_from_the_trailing_12h_high() -> None:
    # 10% under the 12 h high is full stress; a new high resets it; a high 12 h old drops out
    prices = [100.0, 95.0, 90.0, 80.0, 100.0, 99.0]
    assert stress(prices) == pytest.approx([0.0, 0.5, 1.0, 1.0, 0.0, 0.1])
    calm_then_old_high = [100.0] + [90.0] * STEPS_12H
    assert stress(calm_then_old_high)[-1] == 0.0  # the 100 is 12 h back: out of the window


def test_cadence_thins_outside_the_dense_days(tmp_path: Path) -> None:
    spec = load("feb-2026")
    assert spec.positioning is not None
    history = spec.positioning.history
    start = spec.start_ms
    calm, dense = _ms("2026-01-20T00:00"), _ms("2026-02-05T00:00")
    assert [history.due(calm + k * 1_800_000, start) for k in range(5)] == [True, False, False, False, True]
    assert [history.due(dense + k * 1_800_000, start) for k in range(5)] == [True] * 5
    folder = tmp_path / "bad"
    shutil.copytree(spec.folder, folder)
    text = (spec.folder / "scenario.toml").read_text(encoding="utf-8")
    (folder / "scenario.toml").write_text(text.replace("dense_every_min = 30", "dense_every_min = 7", 1))
    with pytest.raises(SpecError, match=r"positioning\.history\.dense_every_min"):
        load("bad", tmp_path)
