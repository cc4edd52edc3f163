"""The crash gauge: one 0–100 stress score from named, weighted components.

Each component's raw value maps linearly onto 0–100 between its configured (calm, panic) band
(calm → 0, panic → 100, clamped), so "inverted" indicators such as Fear & Greed simply have
calm > panic. The score is the weighted mean of the present components:
``score = Σ wᵢ·nᵢ / Σ wᵢ``. A missing component is left out (the weights of the others are
renormalised) and listed in ``missing`` with its reason; it is never counted as calm. A weight of 0
switches a component off. Labels: < 25 CALM, < 50 ELEVATED, < 75 HIGH STRESS, else EXTREME STRESS.

**Coverage.** ``have`` of ``of`` counts the components present out of those switched on. With
fewer than half of them present (``have / of < MIN_COMPONENT_SHARE``) the gauge is
*insufficient*: its label is ``insufficient data`` whatever the partial score, so a gauge
built on one or two components never reads CALM. The partial score is kept (and listed with
its components) but the screen shows the label and the coverage, never the number. With no
component at all the label is ``NO DATA`` and the score is None.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from crashtui.analysis.numbers import clamp
from crashtui.config.schema import GaugeConfig

if TYPE_CHECKING:
    from crashtui.analysis.derivatives import SymbolDerivatives

LABELS = ((25.0, "CALM"), (50.0, "ELEVATED"), (75.0, "HIGH STRESS"))
TOP_LABEL = "EXTREME STRESS"
NO_DATA = "NO DATA"
INSUFFICIENT = "insufficient data"
# Fewer than this share of the switched-on components present: the gauge has insufficient data.
MIN_COMPONENT_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class StressInput:
    """A component's raw value with its unit and provenance (``detail`` is one readable line)."""

    name: str
    raw: float
    unit: str
    source: str
    detail: str
    as_of_ms: int | None = None


@dataclass(frozen=True, slots=True)
class MissingInput:
    """A component that could not be computed, and why."""

    name: str
    reason: str


@dataclass(frozen=True, slots=True)
class GaugeComponent:
    """One component in the score: raw, normalised (0–100), weights and where it came from.

    ``effective_weight`` is the weight renormalised over the present components;
    ``contribution`` = ``effective_weight × normalised``, so contributions sum to the score.
    """

    name: str
    raw: float
    unit: str
    normalised: float
    weight: float
    effective_weight: float
    contribution: float
    calm: float
    panic: float
    source: str
    detail: str
    as_of_ms: int | None


@dataclass(frozen=True, slots=True)
class Gauge:
    """The crash gauge. ``score`` is None when no component is present.

    ``coverage`` is the share (0–1) of the configured weight that is present; ``have`` of
    ``of`` the count of components present out of those switched on. ``sufficient`` is False
    below :data:`MIN_COMPONENT_SHARE` (then ``label`` is ``insufficient data`` or ``NO DATA``).
    """

    score: float | None
    label: str
    components: tuple[GaugeComponent, ...]
    missing: tuple[MissingInput, ...]
    coverage: float
    have: int = 0
    of: int = 0

    @property
    def sufficient(self) -> bool:
        """Whether enough components are present for the score and its label to mean anything."""
        return self.score is not None and enough_components(self.have, self.of)

    @property
    def coverage_text(self) -> str:
        """``8/10``: components present out of those switched on."""
        return f"{self.have}/{self.of}"


def enough_components(have: int, of: int) -> bool:
    """At least :data:`MIN_COMPONENT_SHARE` of the ``of`` switched-on components are present."""
    return of > 0 and have >= MIN_COMPONENT_SHARE * of


def normalise(raw: float, calm: float, panic: float) -> float:
    """``raw`` on a 0–100 stress scale: 0 at ``calm``, 100 at ``panic``, linear, clamped."""
    if calm == panic:
        raise ValueError("calm and panic must differ")
    return clamp((raw - calm) / (panic - calm), 0.0, 1.0) * 100.0


def stress_label(score: float | None) -> str:
    """CALM / ELEVATED / HIGH STRESS / EXTREME STRESS for a score (NO DATA for None)."""
    if score is None:
        return NO_DATA
    for bound, label in LABELS:
        if score < bound:
            return label
    return TOP_LABEL


def crash_gauge(inputs: Iterable[StressInput | MissingInput], config: GaugeConfig) -> Gauge:
    """Combine component inputs into the gauge, in the configured components' order.

    Inputs whose name is not a configured component are ignored; configured components with no
    input are reported missing ("no input").
    """
    by_name = {i.name: i for i in inputs}
    present: list[tuple[StressInput, float, float, float, float]] = []
    missing: list[MissingInput] = []
    total_weight = 0.0
    for name, weight in config.weights.items():
        if not weight > 0.0:
            continue
        total_weight += weight
        item = by_name.get(name)
        band = config.bands.get(name)
        if item is None:
            missing.append(MissingInput(name, "no input"))
        elif isinstance(item, MissingInput):
            missing.append(item)
        elif band is None or band[0] == band[1]:
            missing.append(MissingInput(name, "no valid (calm, panic) band configured"))
        elif not math.isfinite(item.raw):
            missing.append(MissingInput(name, f"raw value is not a number ({item.raw})"))
        else:
            present.append((item, weight, band[0], band[1], normalise(item.raw, band[0], band[1])))
    present_weight = sum(w for _, w, _, _, _ in present)
    components = tuple(
        GaugeComponent(
            name=item.name,
            raw=item.raw,
            unit=item.unit,
            normalised=norm,
            weight=weight,
            effective_weight=weight / present_weight,
            contribution=weight / present_weight * norm,
            calm=calm,
            panic=panic,
            source=item.source,
            detail=item.detail,
            as_of_ms=item.as_of_ms,
        )
        for item, weight, calm, panic, norm in present
    )
    score = clamp(sum(c.contribution for c in components), 0.0, 100.0) if components else None
    of = len(components) + len(missing)
    label = stress_label(score)
    if score is not None and not enough_components(len(components), of):
        label = INSUFFICIENT
    return Gauge(
        score=score,
        label=label,
        components=components,
        missing=tuple(missing),
        coverage=present_weight / total_weight if total_weight > 0 else 0.0,
        have=len(components),
        of=of,
    )


# -- the leverage component -------------------------------------------------------------------

# Open interest (in coins) falling this much is a full deleveraging reading.
LEVERAGE_OI_DROP_24H_PCT = 20.0
LEVERAGE_OI_DROP_1H_PCT = 5.0
# Shares of the leverage score: open-interest drop, venues with negative funding.
LEVERAGE_SHARES = (0.6, 0.4)


def leverage_input(derivs: SymbolDerivatives | None) -> StressInput | MissingInput:
    """The ``leverage`` component: forced deleveraging from open interest and funding.

    ``oi`` = the larger of (fall of open interest in coins over 24 h) / 20 % and (fall over
    1 h) / 5 %, clamped to 0–1 (a rise is 0); ``funding`` = the share of venues whose funding
    rate per 8 h is negative. raw = 100 × (0.6·oi + 0.4·funding) on a 0–100 scale; with only one
    of the two known, that part alone (renormalised) and the detail says which is missing.
    Worked: OI −10 % in 24 h and −2.5 % in 1 h → oi 0.5; 3 of 4 venues negative → 0.75;
    raw = 100 × (0.3 + 0.3) = 60.
    """
    if derivs is None:
        return MissingInput("leverage", "no derivatives data")
    changes = [
        clamp(-c / bound, 0.0, 1.0)
        for c, bound in (
            (derivs.oi_change_24h_pct, LEVERAGE_OI_DROP_24H_PCT),
            (derivs.oi_change_1h_pct, LEVERAGE_OI_DROP_1H_PCT),
        )
        if c is not None and math.isfinite(c)
    ]
    rates = [f for f in derivs.funding if math.isfinite(f.rate_8h)]
    parts: list[tuple[float, float]] = []
    words: list[str] = []
    if changes:
        parts.append((LEVERAGE_SHARES[0], max(changes)))
        oi_24 = derivs.oi_change_24h_pct
        oi_1 = derivs.oi_change_1h_pct
        words.append(
            "OI "
            + " ".join(
                f"{c:+.1f}% {w}"
                for c, w in ((oi_1, "1h"), (oi_24, "24h"))
                if c is not None and math.isfinite(c)
            )
        )
    else:
        words.append("OI change unknown")
    if rates:
        negative = sum(1 for f in rates if f.rate_8h < 0.0)
        parts.append((LEVERAGE_SHARES[1], negative / len(rates)))
        words.append(f"funding negative on {negative}/{len(rates)} venues")
    else:
        words.append("no funding rates")
    if not parts:
        return MissingInput("leverage", "no open-interest change or funding across venues")
    share = sum(w for w, _ in parts)
    raw = 100.0 * sum(w * v for w, v in parts) / share
    stamps = [t for t in (derivs.oi_at_ms, *(f.at_ms for f in rates)) if t is not None]
    detail = f"{derivs.symbol} " + ", ".join(words)
    return StressInput("leverage", raw, "score 0–100", "derivatives", detail, max(stamps) if stamps else None)
