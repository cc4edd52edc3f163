"""Crash gauge: worked example, missing components, and properties (bounded, monotone)."""

from __future__ import annotations

import dataclasses
import json
from types import MappingProxyType

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crashtui.analysis.gauge import MissingInput, StressInput, crash_gauge, normalise, stress_label
from crashtui.config.schema import DEFAULT_GAUGE_BANDS, DEFAULT_GAUGE_WEIGHTS, GaugeConfig

NAMES = tuple(n for n, w in DEFAULT_GAUGE_WEIGHTS.items() if w > 0)  # the components on by default


def inp(name: str, raw: float) -> StressInput:
    return StressInput(name, raw, "unit", "test", f"{name} detail")


def test_normalise_maps_calm_to_0_panic_to_100_and_clamps() -> None:
    assert normalise(60.0, 60.0, 10.0) == 0.0
    assert normalise(10.0, 60.0, 10.0) == 100.0
    assert normalise(35.0, 60.0, 10.0) == 50.0  # (35 - 60) / (10 - 60) = 0.5
    assert normalise(90.0, 60.0, 10.0) == 0.0  # greed beyond calm: clamped
    assert normalise(-1.0, 60.0, 10.0) == 100.0
    with pytest.raises(ValueError):
        normalise(1.0, 2.0, 2.0)


def test_labels() -> None:
    assert [stress_label(s) for s in (0.0, 24.9, 25.0, 49.9, 50.0, 74.9, 75.0, 100.0)] == [
        "CALM",
        "CALM",
        "ELEVATED",
        "ELEVATED",
        "HIGH STRESS",
        "HIGH STRESS",
        "EXTREME STRESS",
        "EXTREME STRESS",
    ]
    assert stress_label(None) == "NO DATA"


def test_worked_example_with_default_config_and_a_missing_component() -> None:
    """Default weights and bands; the order-book spread is missing.

    fear_greed 9:       (9 - 60) / (10 - 60) = 1.02 -> clamped 100     × 0.20 = 20.0
    drawdown 21 %:      21 / 30 = 0.70 -> 70                           × 0.15 = 10.5
    liquidations 3×:    (3 - 1) / (5 - 1) = 0.5 -> 50                  × 0.15 =  7.5
    etf_flows -1,500:   -1500 / -2000 = 0.75 -> 75                     × 0.10 =  7.5
    funding -0.02 %:    (-0.02 - 0.01) / (-0.05 - 0.01) = 0.5 -> 50    × 0.04 =  2.0
    nasdaq_corr 0.4:    0.4 / 0.8 = 0.5 -> 50                          × 0.07 =  3.5
    borrow_apy 10 %:    (10 - 5) / (15 - 5) = 0.5 -> 50                × 0.08 =  4.0
    jobless_claims +22: 22 / 40 = 0.55 -> 55                           × 0.07 =  3.85
    leverage 60:        60 / 100 -> 60                                 × 0.04 =  2.4
    present weight = 1.00 - 0.10 (spread) = 0.90; sum = 61.25; score = 61.25 / 0.90 = 68.06
    """
    inputs: list[StressInput | MissingInput] = [
        inp("fear_greed", 9.0),
        inp("drawdown", 21.0),
        inp("liquidations", 3.0),
        inp("etf_flows", -1500.0),
        inp("funding", -0.02),
        inp("nasdaq_corr", 0.4),
        MissingInput("spread", "only 3 earlier readings for a baseline (need 10)"),
        inp("borrow_apy", 10.0),
        inp("jobless_claims", 22.0),
        inp("leverage", 60.0),
    ]
    g = crash_gauge(inputs, GaugeConfig())
    assert g.score == pytest.approx(61.25 / 0.90)
    assert g.label == "HIGH STRESS"
    assert g.coverage == pytest.approx(0.90)
    assert g.missing == (MissingInput("spread", "only 3 earlier readings for a baseline (need 10)"),)
    by_name = {c.name: c for c in g.components}
    assert by_name["fear_greed"].normalised == 100.0
    assert by_name["drawdown"].normalised == pytest.approx(70.0)
    assert by_name["jobless_claims"].effective_weight == pytest.approx(0.07 / 0.90)
    assert sum(c.contribution for c in g.components) == pytest.approx(g.score)
    assert [c.name for c in g.components] == [n for n in NAMES if n != "spread"]  # config order


def test_missing_is_not_calm() -> None:
    """One panicked component alone gives 100, not 100 × its weight share."""
    g = crash_gauge([inp("fear_greed", 5.0)], GaugeConfig())
    assert g.score == 100.0
    assert g.coverage == pytest.approx(0.20)
    assert {m.name for m in g.missing} == set(NAMES) - {"fear_greed"}
    assert all(m.reason == "no input" for m in g.missing)


def test_no_components_means_no_score() -> None:
    g = crash_gauge([], GaugeConfig())
    assert g.score is None
    assert g.label == "NO DATA"
    assert len(g.missing) == len(NAMES)


def test_zero_weight_switches_a_component_off_and_unknown_inputs_are_ignored() -> None:
    weights = dict(DEFAULT_GAUGE_WEIGHTS, funding=0.0)
    g = crash_gauge(
        [inp("funding", -1.0), inp("bogus", 1.0), inp("drawdown", 0.0)], GaugeConfig(weights=weights)
    )
    assert [c.name for c in g.components] == ["drawdown"]
    assert "funding" not in {m.name for m in g.missing}
    assert g.score == 0.0


def test_non_finite_raw_is_missing() -> None:
    g = crash_gauge([inp("drawdown", float("nan"))], GaugeConfig())
    assert g.score is None
    assert any(m.name == "drawdown" and "not a number" in m.reason for m in g.missing)


def test_gauge_serialises() -> None:
    g = crash_gauge([inp(n, 0.0) for n in NAMES], GaugeConfig())
    data = json.loads(json.dumps(dataclasses.asdict(g)))
    assert (data["label"], data["have"], data["of"]) == (g.label, 10, 10)


def test_one_component_of_ten_is_insufficient_never_calm() -> None:
    """Drawdown 0 alone scores 0 (CALM if it counted): 1 of 10 components is below half."""
    g = crash_gauge([inp("drawdown", 0.0)], GaugeConfig())
    assert g.score == 0.0
    assert (g.label, g.have, g.of, g.coverage_text) == ("insufficient data", 1, 10, "1/10")
    assert not g.sufficient


@pytest.mark.parametrize(("have", "label"), [(4, "insufficient data"), (5, "CALM")])
def test_insufficient_below_half_of_the_components(have: int, label: str) -> None:
    """Ten components switched on: 4 present is under half (5), 5 is enough."""
    g = crash_gauge([inp(n, DEFAULT_GAUGE_BANDS[n][0]) for n in NAMES[:have]], GaugeConfig())
    assert (g.have, g.of, g.label, g.sufficient) == (have, 10, label, have == 5)


def test_switched_off_components_do_not_count_in_coverage() -> None:
    weights = {n: (1.0 if n in ("drawdown", "fear_greed") else 0.0) for n in NAMES}
    g = crash_gauge([inp("drawdown", 0.0)], GaugeConfig(weights=weights))
    assert (g.have, g.of, g.label) == (1, 2, "CALM")  # 1 of 2 is half: enough


# -- properties --------------------------------------------------------------------------------

finite = st.floats(-1e6, 1e6, allow_nan=False)


@st.composite
def configs(draw: st.DrawFn) -> GaugeConfig:
    weights = {n: draw(st.floats(0.0, 1.0)) for n in NAMES}
    bands = {}
    for n in NAMES:
        calm = draw(st.floats(-100.0, 100.0))
        panic = draw(st.floats(-100.0, 100.0))
        if abs(panic - calm) < 1e-6:
            panic = calm + 1.0
        bands[n] = (calm, panic)
    return GaugeConfig(weights=MappingProxyType(weights), bands=MappingProxyType(bands))


@settings(max_examples=300)
@given(cfg=configs(), raws=st.dictionaries(st.sampled_from(NAMES), finite))
def test_score_always_within_0_100_and_missing_listed(cfg: GaugeConfig, raws: dict[str, float]) -> None:
    g = crash_gauge([inp(n, v) for n, v in raws.items()], cfg)
    active = {n for n, w in cfg.weights.items() if w > 0}
    if g.score is not None:
        assert 0.0 <= g.score <= 100.0
    assert {c.name for c in g.components} == active & set(raws)
    assert {m.name for m in g.missing} == active - set(raws)
    assert (g.score is None) == (not active & set(raws))


@settings(max_examples=300)
@given(
    cfg=configs(),
    raws=st.dictionaries(st.sampled_from(NAMES), finite, min_size=1),
    which=st.sampled_from(NAMES),
    step=st.floats(0.0, 1e4),
)
def test_score_is_monotone_in_each_component(
    cfg: GaugeConfig, raws: dict[str, float], which: str, step: float
) -> None:
    """Moving one raw value towards panic never lowers the score."""
    calm, panic = cfg.bands[which]
    base = dict(raws)
    base.setdefault(which, calm)
    worse = dict(base)
    worse[which] = base[which] + (step if panic > calm else -step)
    before = crash_gauge([inp(n, v) for n, v in base.items()], cfg).score
    after = crash_gauge([inp(n, v) for n, v in worse.items()], cfg).score
    if before is None:
        assert after is None
    else:
        assert after is not None
        assert after >= before


# -- the leverage component ------------------------------------------------------------------------


def test_leverage_worked_example() -> None:
    """OI -10 % in 24 h (10 / 20 = 0.5) and -2.5 % in 1 h (2.5 / 5 = 0.5): oi = 0.5; funding
    negative on 3 of 4 venues: 0.75. raw = 100 × (0.6 × 0.5 + 0.4 × 0.75) = 60."""
    from crashtui.analysis.derivatives import SymbolDerivatives, VenueFunding
    from crashtui.analysis.gauge import leverage_input

    funding = tuple(
        VenueFunding(v, r, 1_000)
        for v, r in (("binance", -0.0001), ("bybit", 0.0002), ("okx", -0.00005), ("hyperliquid", -0.0001))
    )
    d = SymbolDerivatives(
        "BTC", oi_change_24h_pct=-10.0, oi_change_1h_pct=-2.5, oi_at_ms=2_000, funding=funding
    )
    r = leverage_input(d)
    assert isinstance(r, StressInput)
    assert r.raw == pytest.approx(60.0)
    assert r.as_of_ms == 2_000
    assert r.detail == "BTC OI -2.5% 1h -10.0% 24h, funding negative on 3/4 venues"
    # the faster of the two OI readings counts: -5 % in 1 h alone is a full reading
    r = leverage_input(
        SymbolDerivatives("BTC", oi_change_24h_pct=2.0, oi_change_1h_pct=-5.0, funding=funding)
    )
    assert isinstance(r, StressInput)
    assert r.raw == pytest.approx(100.0 * (0.6 * 1.0 + 0.4 * 0.75))


def test_leverage_with_one_part_known_and_none() -> None:
    from crashtui.analysis.derivatives import SymbolDerivatives, VenueFunding
    from crashtui.analysis.gauge import leverage_input

    only_funding = SymbolDerivatives("BTC", funding=(VenueFunding("binance", -0.0002, 5),))
    r = leverage_input(only_funding)
    assert isinstance(r, StressInput)
    assert r.raw == pytest.approx(100.0)  # 1 of 1 venues negative, renormalised alone
    assert "OI change unknown" in r.detail
    only_oi = SymbolDerivatives("BTC", oi_change_24h_pct=-4.0)
    r = leverage_input(only_oi)
    assert isinstance(r, StressInput)
    assert r.raw == pytest.approx(20.0)  # 4 / 20 = 0.2
    assert "no funding rates" in r.detail
    assert isinstance(leverage_input(SymbolDerivatives("BTC")), MissingInput)
    assert isinstance(leverage_input(None), MissingInput)


def test_leverage_counts_by_default_is_left_out_when_missing_and_off_at_weight_0() -> None:
    lev = StressInput("leverage", 60.0, "score 0–100", "derivatives", "x")
    others = [inp(n, DEFAULT_GAUGE_BANDS[n][0]) for n in NAMES if n != "leverage"]
    assert {"leverage", "funding"} <= set(NAMES)
    assert sum(DEFAULT_GAUGE_WEIGHTS.values()) == pytest.approx(1.0)
    on = crash_gauge([*others, lev], GaugeConfig())
    assert (on.have, on.of) == (10, 10)
    assert on.score == pytest.approx(DEFAULT_GAUGE_WEIGHTS["leverage"] * 60.0)  # the rest is calm
    # no derivatives (a spot-only venue, a replay without them): missing, lowers the coverage,
    # never read as calm
    gone = crash_gauge([*others, MissingInput("leverage", "no derivatives data")], GaugeConfig())
    assert (gone.have, gone.of, gone.coverage_text) == (9, 10, "9/10")
    assert gone.missing == (MissingInput("leverage", "no derivatives data"),)
    assert gone.coverage == pytest.approx(1.0 - DEFAULT_GAUGE_WEIGHTS["leverage"])
    off = crash_gauge([*others, lev], GaugeConfig(weights=dict(DEFAULT_GAUGE_WEIGHTS, leverage=0.0)))
    assert "leverage" not in {c.name for c in off.components} | {m.name for m in off.missing}
    assert (off.have, off.of) == (9, 9)
