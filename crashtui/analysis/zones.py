"""Support and resistance zones for one symbol, each with the evidence that makes it.

How zones are found (``ZoneParams`` names in brackets; ATR = Wilder ATR [atr_period] of the
intraday candles, or of the daily candles when there are no intraday ones):

1. **Evidence levels.** Swing pivots (fractal highs/lows with [pivot_span] candles each side) on
   the daily and on the intraday candles, and on weekly and monthly candles built from the
   daily ones (2 and 1 candles each side, see :mod:`zones_history`; they weigh 1.3 and 1.6 as
   touches and age 4× and 8× slower); high-volume nodes of the intraday volume-at-price
   profile; the 200-day simple moving average of daily closes; round numbers within ±15 % of
   price (step from the price's magnitude, see :func:`round_step`); pinned levels.
2. **Clustering.** Levels sorted by price join a cluster while they are within
   [cluster_atr] × ATR of the cluster's lowest level. A zone spans its cluster's levels padded
   by a quarter of that tolerance each side (never more than a third of the gap to the next
   zone), so zones are sorted and never overlap, and every evidence level, pinned ones included,
   lies inside its zone.
3. **Strength** 0–1 = 0.35·touches + 0.25·recency + 0.20·volume + 0.20·agreement, where
   touches = 1 − exp(−w/2) with w the pivots weighted by timeframe (1d 1.0, 4h 0.6, 1h 0.4) and
   by age (× exp(−age in days / 90));
   recency = exp(−days since the latest pivot / 30); volume = the largest volume node in the zone
   relative to the profile's largest node (0 without one); agreement = (number of distinct
   evidence types − 1) / 3, capped at 1 (types: pivot, volume node, 200-day MA, round number,
   pinned). The four parts are kept on each zone.
4. **Selection.** Zones below [min_strength] are dropped unless pinned or holding the nearest
   round number below or above price (traders watch those even without other evidence), and so
   is a zone within [cluster_atr] × ATR of a stronger kept zone (the same area to a trader).
   Kept: every pinned zone (even beyond [max_zones]), the two nearest zones on each side of
   price (even beyond [max_zones]; when fewer than two are eligible, the nearest other
   candidates fill in, round numbers first: round numbers are always generated two on each
   side of price, spaced at least two cluster tolerances apart), then the nearest remaining
   zones, taken alternately below and above price, up to [max_zones] in all.
5. **Kind, distance, state.** A zone is support when its level is at or below price, else
   resistance. Distance is from price to the zone's nearest edge (0 inside it): negative for
   support, positive for resistance, in % of price and in ATRs. State: see :mod:`zone_state`.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from crashtui.analysis.days import DAY_MS, iso_day, iso_minute
from crashtui.analysis.indicators import (
    CandleArrays,
    VolumeNode,
    candle_arrays,
    fractal_pivots,
    sma_last,
    volume_nodes,
    wilder_atr,
)
from crashtui.analysis.zone_state import LOST_STATES, STATES, PriceContext, ZoneState, state_badge, zone_state
from crashtui.analysis.zones_history import (
    HISTORY_DECAY,
    HISTORY_SPANS,
    HISTORY_WEIGHTS,
    MONTH,
    WEEK,
    resample,
)
from crashtui.config.schema import ZoneParams
from crashtui.model import Candle, Interval, StrEnum
from crashtui.numfmt import fmt_price

MA_DAYS = 200
ROUND_SPAN = 0.15
RECENCY_DAYS = 30.0
TOUCH_DECAY_DAYS = 90.0
TIMEFRAME_WEIGHT = {Interval.D1: 1.0, Interval.H4: 0.6, Interval.H1: 0.4}
FALLBACK_ATR_FRACTION = 0.01
MAX_PIVOT_EVIDENCE = 8
VOLUME_PROFILE_BINS = 400
STRENGTH_WEIGHTS = (0.35, 0.25, 0.20, 0.20)
HISTORY_UNITS = {WEEK: "week", MONTH: "month"}
# Every analysis keeps at least this many supports below price and resistances above it.
MIN_PER_SIDE = 2


class ZoneKind(StrEnum):
    """A zone's role relative to the current price."""

    SUPPORT = "support"
    RESISTANCE = "resistance"


class EvidenceKind(StrEnum):
    """What a piece of zone evidence is."""

    SWING_HIGH = "swing_high"
    SWING_LOW = "swing_low"
    VOLUME_NODE = "volume_node"
    MA200 = "ma200"
    ROUND_NUMBER = "round_number"
    PINNED = "pinned"


# Integer codes for the evidence arrays (index into this tuple).
_KINDS = tuple(EvidenceKind)
_SWING_HIGH, _SWING_LOW, _VOLUME, _MA200, _ROUND, _PINNED = range(6)


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason a zone exists: its type, price level and a human-readable description.

    ``timeframe`` and ``ts_ms`` (the pivot candle's open time) are set for swing pivots.
    """

    kind: EvidenceKind
    level: float
    description: str
    timeframe: str | None = None
    ts_ms: int | None = None


def edge_distance(low: float, high: float, price: float) -> float:
    """From ``price`` to the nearest edge of ``[low, high]``: 0 inside, negative when below."""
    if price < low:
        return low - price
    if price > high:
        return high - price
    return 0.0


def distance_pct_at(zone: Zone, price: float) -> float:
    """``zone.distance_pct`` as it would be at ``price`` (a newer price than the analysis saw)."""
    if not (price > 0.0 and math.isfinite(price)):
        return zone.distance_pct
    return edge_distance(zone.low, zone.high, price) / price * 100.0


@dataclass(frozen=True, slots=True)
class StrengthParts:
    """The four 0–1 parts of a zone's strength (weights 0.35, 0.25, 0.20, 0.20)."""

    touches: float
    recency: float
    volume: float
    agreement: float


@dataclass(frozen=True, slots=True)
class Zone:
    """A support or resistance zone.

    ``level`` is the zone's name-giving price (a pinned level, else a round number, else the
    median pivot). ``distance_pct``/``distance_atr`` run from price to the nearest edge (0 when
    price is inside): ≤ 0 for support, ≥ 0 for resistance. ``distance_atr`` is None when no ATR
    could be computed. ``evidence`` keeps every non-pivot item and the latest pivots;
    ``evidence_omitted`` counts the older pivots left out of the list (they still count as touches).
    ``source`` is the zone's main evidence (see :func:`zone_source`).
    """

    low: float
    high: float
    level: float
    kind: ZoneKind
    strength: float
    strength_parts: StrengthParts
    touches: int
    last_touch_ms: int | None
    distance_pct: float
    distance_atr: float | None
    state: ZoneState
    state_since_ms: int | None
    broken_ms: int | None
    reclaimed_ms: int | None
    pinned: bool
    evidence: tuple[Evidence, ...]
    evidence_omitted: int = 0
    source: str = "pivot"


@dataclass(frozen=True, slots=True)
class ZoneAnalysis:
    """Zones for one symbol (sorted by price, non-overlapping) and the inputs they came from."""

    symbol: str
    price: float
    as_of_ms: int
    atr: float | None
    atr_basis: str
    cluster_tolerance: float
    round_step: float
    ma200: float | None
    daily_candles: int
    intraday_candles: int
    intraday_interval: str | None
    zones: tuple[Zone, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ZoneSummary:
    """What the watchlist row shows: nearest support/resistance and the state badge."""

    symbol: str
    price: float
    support: Zone | None
    resistance: Zone | None
    badge: ZoneState
    badge_text: str
    badge_zone: Zone | None
    badge_since_ms: int | None


def round_step(price: float) -> float:
    """Spacing of the round numbers traders watch at this price.

    With price = m × 10^e (1 ≤ m < 10) the step is 10^(e−1) × (1 if m < 2, 2.5 if m < 5, else 5):
    ETH at 1,771 → 100; BTC at 61,940 → 5,000; SOL at 79.4 → 5; ETH at 3,200 → 250.
    """
    if not (price > 0.0 and math.isfinite(price)):
        raise ValueError(f"price must be positive and finite, got {price!r}")
    exponent = math.floor(math.log10(price))
    mantissa = price / 10.0**exponent
    if mantissa >= 10.0:  # log10 rounding at exact powers of ten
        exponent += 1
        mantissa /= 10.0
    factor = 1.0 if mantissa < 2.0 else 2.5 if mantissa < 5.0 else 5.0
    return factor * 10.0 ** (exponent - 1)


def round_levels(price: float, step: float, span: float = ROUND_SPAN) -> list[float]:
    """Multiples of ``step`` within ±``span`` (a fraction) of ``price``, ascending."""
    first = math.ceil(price * (1.0 - span) / step)
    last = math.floor(price * (1.0 + span) / step)
    digits = max(0, -math.floor(math.log10(step)) + 2)
    return [round(k * step, digits) for k in range(first, last + 1)]


def round_levels_beyond(price: float, step: float, spacing: float, count: int = MIN_PER_SIDE) -> list[float]:
    """``count`` round numbers below and ``count`` above ``price``, at least ``spacing`` apart.

    Multiples of ``step`` (widened to a multiple of it no narrower than ``spacing``, so that
    they land in different zones), the nearest on each side of price; only positive ones.
    BTC at 60,197, step 5,000: 60,000 and 55,000 below, 65,000 and 70,000 above.
    """
    wide = step * max(1, math.ceil(spacing / step - 1e-9))
    digits = max(0, -math.floor(math.log10(step)) + 2)
    below = math.ceil(price / wide) - 1
    above = math.floor(price / wide) + 1
    out = [round(k * wide, digits) for k in range(below - count + 1, below + 1) if k > 0]
    return out + [round(k * wide, digits) for k in range(above, above + count)]


@dataclass(slots=True)
class _Levels:
    """Evidence levels as parallel lists (kept lean: most pivots never become Evidence objects).

    ``decay`` is the age (days) over which a pivot's touch weight falls by e (90 for intraday
    and daily pivots, longer for weekly and monthly ones)."""

    level: list[float]
    kind: list[int]
    ts: list[int]
    weight: list[float]
    ref: list[int]
    timeframe: list[str]
    decay: list[float] = field(default_factory=list)


def find_zones(
    symbol: str,
    price: float,
    daily: Sequence[Candle],
    intraday: Sequence[Candle] = (),
    pinned: Sequence[float] = (),
    params: ZoneParams | None = None,
    now_ms: int | None = None,
) -> ZoneAnalysis:
    """Support/resistance zones for ``symbol`` at ``price`` (method in the module docstring).

    ``daily`` gives daily pivots and the 200-day average; ``intraday`` (1h or 4h, one interval)
    gives ATR, intraday pivots, the volume profile and the candle closes that break zones.
    ``pinned`` levels (from ``config.zones[symbol]``) always land in a kept zone. ``now_ms``
    defaults to the close time of the latest candle.
    """
    if not (price > 0.0 and math.isfinite(price)):
        raise ValueError(f"price must be positive and finite, got {price!r}")
    p = params if params is not None else ZoneParams()
    day_arrays, _ = candle_arrays(daily)
    intra_arrays, forming = candle_arrays(intraday)
    intra_interval = intraday[0].interval if intraday else None
    notes: list[str] = []

    if intra_interval is not None and len(intra_arrays) > p.atr_period:
        work, work_interval = intra_arrays, intra_interval
    else:
        work, work_interval, forming = day_arrays, Interval.D1, None
        if len(intra_arrays):
            notes.append(f"only {len(intra_arrays)} intraday candles: ATR and breaks use daily candles")
    atr = wilder_atr(work, p.atr_period)
    if atr is not None and atr > 0.0:
        atr_basis = f"{work_interval.value} ATR({p.atr_period})"
    else:
        atr = None
        atr_basis = f"no ATR (under {p.atr_period} candles): tolerances use 1% of price"
        notes.append(atr_basis)
    unit = atr if atr is not None else price * FALLBACK_ATR_FRACTION
    tolerance = p.cluster_atr * unit
    if now_ms is None:
        ends = [work.open_ms[-1] + work_interval.ms] if len(work) else []
        if forming is not None:
            ends.append(forming.open_ms + work_interval.ms)
        now_ms = max(ends, default=0)

    levels = _Levels([], [], [], [], [], [])
    _add_pivots(levels, day_arrays, p.pivot_span, Interval.D1.value, TIMEFRAME_WEIGHT[Interval.D1])
    for period in (WEEK, MONTH):
        longer = resample(day_arrays, period)
        weight, decay = HISTORY_WEIGHTS[period], TOUCH_DECAY_DAYS * HISTORY_DECAY[period]
        _add_pivots(levels, longer, HISTORY_SPANS[period], period, weight, decay)
    if work is intra_arrays:
        _add_pivots(levels, work, p.pivot_span, work_interval.value, TIMEFRAME_WEIGHT[work_interval])
    nodes = volume_nodes(work, tolerance, VOLUME_PROFILE_BINS, 2 * p.max_zones)
    for i, node in enumerate(nodes):
        _append(levels, node.level, _VOLUME, 0, 0.0, i, work_interval.value)
    ma200 = sma_last(day_arrays.close, MA_DAYS)
    if ma200 is not None:
        _append(levels, ma200, _MA200, 0, 0.0, 0, "1d")
    else:
        notes.append(f"{len(day_arrays)} daily candles: no {MA_DAYS}-day average")
    step = round_step(price)
    # one more than needed on each side: the nearest may hold price (a zone price is testing
    # is neither a support nor a resistance), and two must remain on each side
    beyond = round_levels_beyond(price, step, 2.0 * tolerance, MIN_PER_SIDE + 1)
    for lv in sorted({*round_levels(price, step), *beyond}):
        _append(levels, lv, _ROUND, 0, 0.0, 0, "")
    pinned_ok = [float(x) for x in pinned if x > 0.0 and math.isfinite(x)]
    for lv in pinned_ok:
        _append(levels, lv, _PINNED, 0, 0.0, 0, "")

    clusters = _cluster(levels, tolerance)
    ctx = PriceContext(
        closed=work,
        interval_ms=work_interval.ms,
        price=price,
        now_ms=now_ms,
        atr=unit,
        forming_open_ms=forming.open_ms if forming else None,
        forming_high=forming.high if forming else None,
        forming_low=forming.low if forming else None,
    )
    builder = _ZoneBuilder(levels, nodes, step, symbol, price, atr, now_ms, p, ctx, work)
    zones = [builder.build(members, lo, hi) for members, lo, hi in _bounds(levels, clusters, tolerance)]
    kept = _select(zones, p, tolerance)
    return ZoneAnalysis(
        symbol=symbol,
        price=price,
        as_of_ms=now_ms,
        atr=atr,
        atr_basis=atr_basis,
        cluster_tolerance=tolerance,
        round_step=step,
        ma200=ma200,
        daily_candles=len(day_arrays),
        intraday_candles=len(intra_arrays),
        intraday_interval=intra_interval.value if intra_interval is not None else None,
        zones=tuple(kept),
        notes=tuple(notes),
    )


def _append(levels: _Levels, level: float, kind: int, ts: int, weight: float, ref: int, tf: str) -> None:
    levels.level.append(level)
    levels.kind.append(kind)
    levels.ts.append(ts)
    levels.weight.append(weight)
    levels.ref.append(ref)
    levels.timeframe.append(tf)
    levels.decay.append(TOUCH_DECAY_DAYS)


def _add_pivots(
    levels: _Levels,
    a: CandleArrays,
    span: int,
    timeframe: str,
    weight: float,
    decay: float = TOUCH_DECAY_DAYS,
) -> None:
    highs, lows = fractal_pivots(a, span)
    for idx, prices, kind in ((highs, a.high, _SWING_HIGH), (lows, a.low, _SWING_LOW)):
        n = len(idx)
        levels.level.extend([prices[i] for i in idx])
        levels.kind.extend([kind] * n)
        levels.ts.extend([a.open_ms[i] for i in idx])
        levels.weight.extend([weight] * n)
        levels.ref.extend([span] * n)
        levels.timeframe.extend([timeframe] * n)
        levels.decay.extend([decay] * n)


def _cluster(levels: _Levels, tolerance: float) -> list[list[int]]:
    """Indices of ``levels`` grouped greedily: a cluster spans at most ``tolerance`` in price."""
    order = sorted(range(len(levels.level)), key=levels.level.__getitem__)
    clusters: list[list[int]] = []
    start_level = -math.inf
    for i in order:
        lv = levels.level[i]
        if lv - start_level > tolerance:
            clusters.append([i])
            start_level = lv
        else:
            clusters[-1].append(i)
    return clusters


def _bounds(
    levels: _Levels, clusters: list[list[int]], tolerance: float
) -> list[tuple[list[int], float, float]]:
    """Each cluster with its zone bounds: its level range padded, never reaching a neighbour."""
    pad = tolerance / 4.0
    spans = [(min(levels.level[i] for i in c), max(levels.level[i] for i in c)) for c in clusters]
    out = []
    for k, members in enumerate(clusters):
        lo, hi = spans[k]
        below_gap = lo - spans[k - 1][1] if k > 0 else math.inf
        above_gap = spans[k + 1][0] - hi if k + 1 < len(spans) else math.inf
        out.append((members, lo - min(pad, below_gap / 3.0), hi + min(pad, above_gap / 3.0)))
    return out


class _ZoneBuilder:
    """Turns one cluster of evidence levels into a :class:`Zone` (strength, distance, state)."""

    def __init__(
        self,
        levels: _Levels,
        nodes: list[VolumeNode],
        step: float,
        symbol: str,
        price: float,
        atr: float | None,
        now_ms: int,
        params: ZoneParams,
        ctx: PriceContext,
        work: CandleArrays,
    ) -> None:
        self.levels = levels
        self.nodes = nodes
        self.step = step
        self.symbol = symbol
        self.price = price
        self.atr = atr
        self.now_ms = now_ms
        self.params = params
        self.ctx = ctx
        self.work = work

    def build(self, members: list[int], low: float, high: float) -> _Candidate:
        lv = self.levels
        pivots = [i for i in members if lv.kind[i] in (_SWING_HIGH, _SWING_LOW)]
        kinds = {_SWING_LOW if lv.kind[i] == _SWING_HIGH else lv.kind[i] for i in members}  # one "pivot" type
        now = self.now_ms
        weight = sum(lv.weight[i] * math.exp(-max(0, now - lv.ts[i]) / DAY_MS / lv.decay[i]) for i in pivots)
        last_touch = max((lv.ts[i] for i in pivots), default=None)
        touches = 1.0 - math.exp(-weight / 2.0)
        recency = 0.0
        if last_touch is not None:
            recency = math.exp(-max(0.0, (self.now_ms - last_touch) / DAY_MS) / RECENCY_DAYS)
        volume = max((self.nodes[lv.ref[i]].relative for i in members if lv.kind[i] == _VOLUME), default=0.0)
        agreement = min(1.0, (len(kinds) - 1) / 3.0)
        parts = StrengthParts(round(touches, 4), round(recency, 4), round(volume, 4), round(agreement, 4))
        w = STRENGTH_WEIGHTS
        strength = round(
            w[0] * parts.touches + w[1] * parts.recency + w[2] * parts.volume + w[3] * parts.agreement, 4
        )
        level = self._name_level(members, pivots)
        distance = edge_distance(low, high, self.price)
        kind = (
            ZoneKind.SUPPORT
            if (distance < 0.0 or (distance == 0.0 and level <= self.price))
            else ZoneKind.RESISTANCE
        )
        return _Candidate(
            self,
            members,
            pivots,
            low,
            high,
            level,
            kind,
            strength,
            parts,
            last_touch,
            distance,
            pinned=_PINNED in kinds,
            round_number=_ROUND in kinds,
        )

    def _name_level(self, members: list[int], pivots: list[int]) -> float:
        lv = self.levels
        for kind in (_PINNED, _ROUND):
            hits = [lv.level[i] for i in members if lv.kind[i] == kind]
            if hits:
                return _median(hits)
        return _median([lv.level[i] for i in (pivots or members)])

    def evidence(self, members: list[int], pivots: list[int]) -> tuple[tuple[Evidence, ...], int]:
        lv = self.levels
        others = sorted(
            (i for i in members if lv.kind[i] not in (_SWING_HIGH, _SWING_LOW)), key=lambda i: lv.kind[i]
        )
        recent = sorted(pivots, key=lambda i: lv.ts[i], reverse=True)[:MAX_PIVOT_EVIDENCE]
        items = tuple(self._describe(i) for i in [*others, *recent])
        return items, len(pivots) - len(recent)

    def _describe(self, i: int) -> Evidence:
        lv = self.levels
        kind, level = lv.kind[i], lv.level[i]
        if kind in (_SWING_HIGH, _SWING_LOW):
            word = "high" if kind == _SWING_HIGH else "low"
            tf = lv.timeframe[i]
            bars = 2 * lv.ref[i] + 1
            extreme = "highest" if kind == _SWING_HIGH else "lowest"
            if tf in HISTORY_UNITS:
                unit = HISTORY_UNITS[tf]
                when = f"the {unit} of {iso_day(lv.ts[i])}"
                text = f"{tf} swing {word} {fmt_price(level)} in {when} ({extreme} of {bars} {unit}s)"
            else:
                when = iso_day(lv.ts[i]) if tf == "1d" else iso_minute(lv.ts[i])
                text = f"{tf} swing {word} {fmt_price(level)} on {when} ({extreme} of {bars} candles)"
            return Evidence(_KINDS[kind], level, text, timeframe=tf, ts_ms=lv.ts[i])
        if kind == _VOLUME:
            node = self.nodes[lv.ref[i]]
            since = iso_day(self.work.open_ms[0]) if len(self.work) else "?"
            text = (
                f"high-volume node ≈{fmt_price(level)}: {node.share * 100:.1f}% of traded volume "
                f"({node.ratio_to_mean:.1f}× the average price band) "
                f"in {lv.timeframe[i]} candles since {since}"
            )
            return Evidence(EvidenceKind.VOLUME_NODE, level, text, timeframe=lv.timeframe[i])
        if kind == _MA200:
            text = (
                f"{MA_DAYS}-day moving average {fmt_price(level)} (mean of the last {MA_DAYS} daily closes)"
            )
            return Evidence(EvidenceKind.MA200, level, text, timeframe="1d")
        if kind == _ROUND:
            text = f"round number {fmt_price(level)} (step {fmt_price(self.step)})"
            return Evidence(EvidenceKind.ROUND_NUMBER, level, text)
        text = f"pinned level {fmt_price(level)} from config [zones.{self.symbol}]"
        return Evidence(EvidenceKind.PINNED, level, text)


@dataclass(slots=True)
class _Candidate:
    """A scored cluster; only the kept ones pay for evidence text and state."""

    builder: _ZoneBuilder
    members: list[int]
    pivots: list[int]
    low: float
    high: float
    level: float
    kind: ZoneKind
    strength: float
    parts: StrengthParts
    last_touch: int | None
    distance: float
    pinned: bool
    round_number: bool

    def finish(self) -> Zone:
        b = self.builder
        p = b.params
        st = zone_state(
            self.low,
            self.high,
            b.ctx,
            approach_atr=p.approach_atr,
            break_atr=p.break_atr,
            state_window_h=p.state_window_h,
        )
        evidence, omitted = b.evidence(self.members, self.pivots)
        lv = b.levels
        return Zone(
            source=zone_source({(_KINDS[lv.kind[i]], lv.timeframe[i]) for i in self.members}),
            low=self.low,
            high=self.high,
            level=self.level,
            kind=self.kind,
            strength=self.strength,
            strength_parts=self.parts,
            touches=len(self.pivots),
            last_touch_ms=self.last_touch,
            distance_pct=self.distance / b.price * 100.0,
            distance_atr=self.distance / b.atr if b.atr else None,
            state=st.state,
            state_since_ms=st.since_ms,
            broken_ms=st.broken_ms,
            reclaimed_ms=st.reclaimed_ms,
            pinned=self.pinned,
            evidence=evidence,
            evidence_omitted=omitted,
        )


def _select(candidates: list[_Candidate], p: ZoneParams, spacing: float) -> list[Zone]:
    """Pinned zones, then the nearest eligible zones taken alternately below and above price.

    Eligible: strength ≥ ``min_strength`` (or pinned, or the nearest round number on its side of
    price) and no stronger zone within ``spacing`` (a zone that close to a stronger one is the same
    area for a trader, and listing both hides the stronger).
    """
    landmarks: set[int] = set()
    for side_kind in (ZoneKind.SUPPORT, ZoneKind.RESISTANCE):
        rounds = [c for c in candidates if c.round_number and c.kind is side_kind]
        if rounds:
            landmarks.add(id(min(rounds, key=lambda c: abs(c.distance))))
    ranked = sorted(
        (c for c in candidates if c.pinned or id(c) in landmarks or c.strength >= p.min_strength),
        key=lambda c: (not c.pinned, -c.strength, abs(c.distance)),
    )
    kept_lows: list[float] = []
    kept: list[_Candidate] = []
    for c in ranked:
        at = bisect.bisect_left(kept_lows, c.low)
        near_below = at > 0 and c.low - kept[at - 1].high < spacing
        near_above = at < len(kept) and kept[at].low - c.high < spacing
        if c.pinned or not (near_below or near_above):
            kept_lows.insert(at, c.low)
            kept.insert(at, c)
    chosen: dict[int, _Candidate] = {id(c): c for c in kept if c.pinned}
    supports = _at_least(kept, candidates, ZoneKind.SUPPORT)
    resistances = _at_least(kept, candidates, ZoneKind.RESISTANCE)
    for side in (supports, resistances):
        for c in side[:MIN_PER_SIDE]:
            chosen.setdefault(id(c), c)
    for k in range(max(len(supports), len(resistances))):
        for side in (supports, resistances):
            if k < len(side) and len(chosen) < p.max_zones:
                chosen.setdefault(id(side[k]), side[k])
    return [c.finish() for c in sorted(chosen.values(), key=lambda c: c.low)]


SOURCES = ("pinned", "monthly", "weekly", "pivot", "round", "volume", "ma200")


def zone_source(items: set[tuple[EvidenceKind, str]]) -> str:
    """A zone's main evidence from its (kind, timeframe) items, the first that applies of:
    ``pinned`` (a level from the config), ``monthly`` / ``weekly`` (a swing pivot of monthly or
    weekly candles built from daily ones), ``pivot`` (a daily or intraday swing pivot),
    ``round`` (a round number), ``volume`` (a high-volume node), ``ma200`` (the 200-day average).
    """
    kinds = {k for k, _ in items}
    frames = {tf for k, tf in items if k in (EvidenceKind.SWING_HIGH, EvidenceKind.SWING_LOW)}
    if EvidenceKind.PINNED in kinds:
        return "pinned"
    if MONTH in frames:
        return "monthly"
    if WEEK in frames:
        return "weekly"
    if frames:
        return "pivot"
    if EvidenceKind.ROUND_NUMBER in kinds:
        return "round"
    return "volume" if EvidenceKind.VOLUME_NODE in kinds else "ma200"


def _at_least(kept: list[_Candidate], candidates: list[_Candidate], kind: ZoneKind) -> list[_Candidate]:
    """The kept zones of one side, nearest first, topped up to :data:`MIN_PER_SIDE` from the
    other candidates of that side (round numbers first, then the nearest)."""
    side = sorted((c for c in kept if c.kind is kind), key=lambda c: abs(c.distance))
    if len(side) < MIN_PER_SIDE:
        have = {id(c) for c in side}
        extra = sorted(
            (c for c in candidates if c.kind is kind and id(c) not in have),
            key=lambda c: (not c.round_number, abs(c.distance)),
        )
        side = sorted([*side, *extra[: MIN_PER_SIDE - len(side)]], key=lambda c: abs(c.distance))
    return side


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2.0


def zone_badge(zone: Zone) -> str:
    """The badge text of a zone's state (``BROKE BELOW 1,826``; empty when clear)."""
    return state_badge(zone.state, fmt_price(zone.level), fmt_price(zone.low), fmt_price(zone.high))


def _event_ms(zone: Zone) -> int:
    return zone.state_since_ms or zone.broken_ms or 0


def _badge_key(zone: Zone) -> tuple[int, int, int, float]:
    """Testing first, then the latest event (break, back, turn, reclaim; ties by priority),
    then approaching (the nearest)."""
    priority = STATES[zone.state].priority
    group = 0 if zone.state is ZoneState.TESTING else 2 if zone.state is ZoneState.APPROACHING else 1
    return (group, -_event_ms(zone) if group == 1 else 0, priority, abs(zone.distance_pct))


def summarise(analysis: ZoneAnalysis) -> ZoneSummary:
    """Nearest support and resistance and the state badge for the watchlist row.

    Badge: a zone price is testing; else the latest state change among the zones broken, back
    over, turned or reclaimed (ties by :data:`STATES` priority); else the nearest zone being
    approached. One exception: a pinned zone lost (broken or turned) outranks testing an
    unpinned zone (a level the user pinned matters more).
    """
    zones = analysis.zones
    supports = [z for z in zones if z.kind is ZoneKind.SUPPORT]
    resistances = [z for z in zones if z.kind is ZoneKind.RESISTANCE]
    support = max(supports, key=lambda z: z.distance_pct, default=None)
    resistance = min(resistances, key=lambda z: z.distance_pct, default=None)
    live = [z for z in zones if z.state is not ZoneState.CLEAR]
    badge_zone: Zone | None = None
    if live:
        badge_zone = min(live, key=_badge_key)
        pinned_broken = [z for z in live if z.pinned and z.state in LOST_STATES]
        if badge_zone.state is ZoneState.TESTING and not badge_zone.pinned and pinned_broken:
            badge_zone = max(pinned_broken, key=lambda z: (_event_ms(z), -abs(z.distance_pct)))
    return ZoneSummary(
        symbol=analysis.symbol,
        price=analysis.price,
        support=support,
        resistance=resistance,
        badge=badge_zone.state if badge_zone else ZoneState.CLEAR,
        badge_text=zone_badge(badge_zone) if badge_zone else "",
        badge_zone=badge_zone,
        badge_since_ms=badge_zone.state_since_ms if badge_zone else None,
    )
