"""A scenario's spec: ``data/<name>/scenario.toml``, read into frozen dataclasses.

The spec says what is real (which file, which column) and what the builder must reconstruct
around it (window, symbols, seed, intraday timing hints, liquidation budgets and the reported
figures they must meet). See ``tools/scenario/README.md`` for every key.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from .model import STEP_MS, day_ms, read_csv

DATA = Path(__file__).parent / "data"
SIDES = {"long": "LONG", "short": "SHORT", "any": None}


class SpecError(Exception):
    """A spec that cannot be built; ``str()`` names the file and the key."""


@dataclass(frozen=True)
class RealDaily:
    """A file of real daily bars; the first file listed wins for a given day."""

    file: str
    symbol: str | None  # one symbol per file, or
    symbol_column: str | None  # a column naming it
    volume_column: str | None  # US$ volume, or None: volume_per_range x (high - low) / open
    volume_per_range: dict[str, float]


@dataclass(frozen=True)
class CloseOnly:
    """Real daily closes of ``symbol`` without O/H/L: the open is the previous close, the
    high and low follow ``follow``'s excursions beyond its open/close times ``beta``."""

    file: str
    symbol: str
    column: str
    follow: str
    beta: float
    volume_per_range: float


@dataclass(frozen=True)
class Bridge:
    """Days of ``symbol`` with no data at all: follow ``follow``'s daily moves times ``beta``,
    rescaled to land on the next real open."""

    symbol: str
    follow: str
    beta: float
    first: date
    last: date
    volume_factor: float


@dataclass(frozen=True)
class Anchor:
    """A close the reconstructed history before the window passes through."""

    day: date
    close: float


@dataclass(frozen=True)
class Prior:
    """Daily history before the window (for the 200-day average), reconstructed between anchors."""

    noise: float
    volume_usd: dict[str, float]
    anchors: dict[str, tuple[Anchor, ...]]


@dataclass(frozen=True)
class DayPin:
    """When a day reaches its high and low (5-minute steps) and levels it passes through on the way
    (``waypoints``: step, position in the day's range with 0 = low and 1 = high)."""

    day: date
    high_step: int
    low_step: int
    waypoints: tuple[tuple[int, float], ...] = ()


@dataclass(frozen=True)
class Part:
    """One budget of a liquidation segment: USD on one side (None: either, following each move)
    over a symbol table (None: the scenario's default shares, with large alt orders moved to
    BTC/ETH as feb-2026 did; a table: only those symbols, orders capped per symbol)."""

    side: str | None
    usd: float
    symbols: dict[str, float] | None


@dataclass(frozen=True)
class Segment:
    """Liquidations in ``[start_ms, end_ms)`` spread over the BTC path's 5-minute moves."""

    start_ms: int
    end_ms: int
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Target:
    """A reported 24 h total the recording must meet (within ``tolerance``): ``scope`` is
    ``all`` or a symbol; None where the report gives no figure."""

    end_ms: int
    scope: str
    total_usd: float | None
    long_usd: float | None
    short_usd: float | None
    source: str
    tolerance: float = 0.05


@dataclass(frozen=True)
class DayModel:
    """Calendar-day total (US$m) where nothing is reported: base + scale x range**power, the range
    being the larger of BTC's and ETH's / eth_range_divisor."""

    base_usd_m: float
    scale_usd_m: float
    power: float
    eth_range_divisor: float


@dataclass(frozen=True)
class LiquidationSpec:
    """How liquidation orders are reconstructed."""

    symbol_share: dict[str, float]
    venue_share: dict[str, float]
    alt_price_per_btc: dict[str, float]
    okx_ct_val: dict[str, str]
    max_order_usd: dict[str, float]
    max_alt_order_usd: float
    day_model: DayModel
    day_totals_usd: dict[date, float]
    segments: tuple[Segment, ...]
    worst_24h_usd: tuple[float, float] | None
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class EtfAsset:
    """One asset's ETF days: ``split`` (totals here, per-fund figures reconstructed around the
    reported ones), ``funds`` (a real per-fund table) or ``totals`` (real totals only)."""

    asset: str
    kind: str
    render: str  # "farside" page or "sosovalue" summary history
    totals_usd_m: dict[date, float]
    funds: tuple[str, ...]
    weights: tuple[float, ...]
    per_fund: dict[date, dict[str, float]]
    fixed: dict[date, dict[str, float]]


@dataclass(frozen=True)
class EtfSpec:
    """ETF payloads: assets in the order they are fetched, and when."""

    assets: tuple[EtfAsset, ...]
    hours: tuple[int, ...] = (23,)
    unpublished_hour: int | None = None
    unpublished_from: date | None = None
    unpublished_to: date | None = None
    page_note: str = ""
    page_days: int = 9


@dataclass(frozen=True)
class FredSeries:
    """A FRED series from a file, published ``lag_days`` after each observation at ``hour:minute``."""

    id: str
    file: str
    column: str
    lag_days: int = 1
    hour: int = 13
    minute: int = 0


@dataclass(frozen=True)
class Claims:
    """Weekly jobless claims (ICSA) with their release days; ``derived`` rows are reconstructed."""

    file: str
    derived: tuple[tuple[date, int], ...]


@dataclass(frozen=True)
class Build:
    """Extra open-interest growth (``pct`` of it, spread evenly) in ``[start_ms, end_ms)``: a
    run-up in which positions pile in."""

    start_ms: int
    end_ms: int
    pct: float


@dataclass(frozen=True)
class Cadence:
    """How often a family polls: every ``every_min`` minutes, every ``dense_every_min`` on the days
    ``[dense_from, dense_to)`` (both on the 5-minute grid)."""

    every_min: int
    dense_every_min: int
    dense_from: date | None
    dense_to: date | None

    def is_dense(self, t: int) -> bool:
        """Whether ``t`` falls on the dense days."""
        return (
            self.dense_from is not None
            and self.dense_to is not None
            and day_ms(self.dense_from) <= t < day_ms(self.dense_to)
        )

    def due(self, t: int, start_ms: int) -> bool:
        """Whether a poll falls at ``t`` (a 5-minute mark)."""
        step = (self.dense_every_min if self.is_dense(t) else self.every_min) * 60_000
        return (t - start_ms) % step == 0


@dataclass(frozen=True)
class PositioningSpec:
    """The reconstructed positioning series (``[positioning]``; see ``positioning.py``).

    ``oi_base``: venue -> symbol -> open interest (coins, one side) at the series' start.
    Open interest grows by ``calm_build_pct_day`` a day when calm, by each ``build`` window's
    share, and shrinks by ``stress_close_pct_day`` a day under full stress and by ``liq_factor``
    coins per coin liquidated on that venue (Hyperliquid, which has no stream here, by the
    other venues' liquidated share). Funding (per 8 h) relaxes towards ``funding_base_8h`` plus
    ``funding_crowd_8h`` per unit of 24 h OI growth, minus ``funding_stress_8h`` at full stress;
    each venue scales it (``funding_scale``). ``taker_per_move``: taker buy share per unit of
    5-minute return; ``long_account``: each symbol's share of accounts net long.
    """

    oi_base: dict[str, dict[str, float]]
    calm_build_pct_day: float
    stress_close_pct_day: float
    liq_factor: float
    builds: tuple[Build, ...]
    backfill_days: float
    funding_base_8h: float
    funding_crowd_8h: float
    funding_stress_8h: float
    funding_scale: dict[str, float]
    taker_per_move: float
    build_taker_tilt: float
    stress_taker_tilt: float
    long_account: dict[str, float]
    history: Cadence
    snapshots: Cadence


@dataclass(frozen=True)
class ScenarioSpec:
    """Everything that makes one scenario."""

    name: str
    folder: Path
    seed: int
    first_day: date
    last_day: date
    hourly_from: date
    symbols: tuple[str, ...]
    families: tuple[str, ...]
    note: str
    watchlist: tuple[str, ...]
    pinned_zones: dict[str, tuple[float, ...]]
    real_daily: tuple[RealDaily, ...]
    close_only: tuple[CloseOnly, ...]
    bridges: tuple[Bridge, ...]
    prior: Prior
    pins: dict[date, DayPin]
    shared_timing: bool
    liquidations: LiquidationSpec
    etf: EtfSpec | None
    fear_file: str | None
    fear_class_column: str | None
    stocks_fear_from_nasdaq: bool
    fred: tuple[FredSeries, ...]
    claims: Claims | None
    dense_tickers: tuple[date, date] | None
    derivatives: dict[str, Any] = field(default_factory=dict)
    positioning: PositioningSpec | None = None
    books: Cadence | None = None  # order books' cadence (default: every 15 minutes)

    @property
    def start_ms(self) -> int:
        """The window's first instant."""
        return day_ms(self.first_day)

    @property
    def end_ms(self) -> int:
        """The window's end (00:00 UTC after its last day)."""
        return day_ms(self.last_day) + 86_400_000

    def path(self, file: str) -> Path:
        """A data file of this scenario."""
        return self.folder / file


# --- reading --------------------------------------------------------------------------------


class _Table:
    """Typed access to a TOML table, errors naming the key path."""

    def __init__(self, data: dict[str, Any], where: str) -> None:
        self.data = data
        self.where = where

    def _fail(self, key: str, what: str) -> SpecError:
        return SpecError(f"{self.where}.{key}: {what}")

    def get(self, key: str, default: Any = None) -> Any:
        return self.data.get(key, default)

    def req(self, key: str) -> Any:
        if key not in self.data:
            raise self._fail(key, "missing")
        return self.data[key]

    def text(self, key: str, default: str | None = None) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self._fail(key, "expected a string")
        return value

    def opt_str(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, str):
            raise self._fail(key, "expected a string")
        return value

    def num(self, key: str, default: float | None = None) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._fail(key, "expected a number")
        return float(value)

    def date(self, key: str) -> date:
        value = self.req(key)
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self._fail(key, "expected a date (YYYY-MM-DD)")
        return value

    def instant(self, key: str) -> int:
        value = self.req(key)
        if not isinstance(value, datetime) or value.tzinfo is None:
            raise self._fail(key, "expected a UTC date-time (2026-02-06T14:00:00Z)")
        return int(value.astimezone(timezone.utc).timestamp() * 1000)

    def step(self, key: str) -> int:
        """A time of day ``HH:MM`` (a multiple of 5 minutes) as a 5-minute step."""
        value = self.req(key)
        if not isinstance(value, time):
            raise self._fail(key, "expected a time of day (HH:MM:SS)")
        minutes = value.hour * 60 + value.minute
        if value.second or minutes % 5:
            raise self._fail(key, "must be a multiple of 5 minutes")
        return minutes * 60_000 // STEP_MS

    def numbers(self, key: str, default: dict[str, float] | None = None) -> dict[str, float]:
        value = self.data.get(key, default)
        if not isinstance(value, dict) or not all(
            isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values()
        ):
            raise self._fail(key, "expected a table of numbers")
        return {str(k): float(v) for k, v in value.items()}

    def table(self, key: str) -> _Table:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self._fail(key, "expected a table")
        return _Table(value, f"{self.where}.{key}")

    def tables(self, key: str) -> list[_Table]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self._fail(key, "expected an array of tables")
        return [_Table(v, f"{self.where}.{key}[{i}]") for i, v in enumerate(value)]


def _day_keys(t: _Table, key: str) -> dict[date, float]:
    out = {}
    for k, v in t.numbers(key, {}).items():
        try:
            out[date.fromisoformat(k)] = v
        except ValueError:
            raise SpecError(f"{t.where}.{key}: {k!r} is not a date") from None
    return out


def _prior(t: _Table, folder: Path) -> Prior:
    anchors: dict[str, list[Anchor]] = {}
    inline = t.table("anchors")
    for symbol, rows in inline.data.items():
        anchors[symbol] = [Anchor(day, float(close)) for day, close in rows]
    file = t.opt_str("anchors_file")
    if file:
        for row in read_csv(folder / file):
            anchors.setdefault(row["symbol"], []).append(
                Anchor(date.fromisoformat(row["date"]), float(row["close"]))
            )
    return Prior(
        noise=t.num("noise", 0.025),
        volume_usd=t.numbers("volume_usd"),
        anchors={s: tuple(sorted(a, key=lambda x: x.day)) for s, a in anchors.items()},
    )


def _pins(t: _Table) -> dict[date, DayPin]:
    out = {}
    for p in t.tables("pin"):
        waypoints = []
        for i, item in enumerate(p.get("waypoints", [])):
            wp = _Table({"at": item[0], "level": item[1]}, f"{p.where}.waypoints[{i}]")
            level = wp.num("level")
            if not 0.0 <= level <= 1.0:
                raise SpecError(f"{wp.where}: level {level} is outside 0..1 (0 = low, 1 = high)")
            waypoints.append((wp.step("at"), level))
        pin = DayPin(p.date("day"), p.step("high"), p.step("low"), tuple(sorted(waypoints)))
        if pin.high_step == pin.low_step:
            raise SpecError(f"{p.where}: high and low at the same time")
        out[pin.day] = pin
    return out


def _parts(s: _Table, shares: dict[str, float]) -> tuple[Part, ...]:
    """A segment's budgets. Either ``usd_m`` on one ``side`` (feb-2026's form: default symbol
    shares), or ``long_usd_m``/``short_usd_m`` with per-symbol figures: ``symbol_usd_m`` (split
    between the sides like the segment) or ``symbol_long_usd_m``/``symbol_short_usd_m``; what is
    left of each side goes to the other symbols by their shares (``others``, default: the
    scenario's ``symbol_share`` without the named symbols)."""
    if "usd_m" in s.data:
        side = s.text("side", "any")
        if side not in SIDES:
            raise SpecError(f"{s.where}.side: one of long, short, any")
        symbols = s.numbers("symbols") if "symbols" in s.data else None
        return (Part(SIDES[side], s.num("usd_m") * 1e6, symbols),)
    long_usd, short_usd = s.num("long_usd_m", 0.0) * 1e6, s.num("short_usd_m", 0.0) * 1e6
    total = long_usd + short_usd
    by_side: dict[str, dict[str, float]] = {"LONG": {}, "SHORT": {}}
    for symbol, usd in s.numbers("symbol_usd_m", {}).items():
        by_side["LONG"][symbol] = usd * 1e6 * long_usd / total
        by_side["SHORT"][symbol] = usd * 1e6 * short_usd / total
    for side, key in (("LONG", "symbol_long_usd_m"), ("SHORT", "symbol_short_usd_m")):
        by_side[side].update({k: v * 1e6 for k, v in s.numbers(key, {}).items()})
    named = set(by_side["LONG"]) | set(by_side["SHORT"])
    others = s.numbers("others", {k: v for k, v in shares.items() if k not in named})
    parts = []
    for side, side_usd in (("LONG", long_usd), ("SHORT", short_usd)):
        if side_usd <= 0:
            continue
        for symbol, usd in by_side[side].items():
            parts.append(Part(side, usd, {symbol: 1.0}))
        rest = side_usd - sum(by_side[side].values())
        if rest < -1.0:
            raise SpecError(f"{s.where}: the symbols' {side.lower()} budgets exceed the {side.lower()} total")
        if rest > 1.0:
            if not others:
                raise SpecError(f"{s.where}: {rest / 1e6:.1f}M of {side.lower()}s left for no symbol")
            parts.append(Part(side, rest, others))
    return tuple(parts)


def _liquidations(t: _Table) -> LiquidationSpec:
    model = t.table("day_model")
    shares = t.numbers("symbol_share")
    segments = tuple(
        Segment(s.instant("start"), s.instant("end"), _parts(s, shares)) for s in t.tables("segment")
    )
    for seg in segments:
        if seg.end_ms <= seg.start_ms or seg.start_ms % STEP_MS or seg.end_ms % STEP_MS:
            raise SpecError(
                f"{t.where}.segment: {seg.start_ms}..{seg.end_ms} is empty or off the 5-minute grid"
            )
    targets = []
    for g in t.tables("target"):
        scope = g.text("scope", "all")

        def opt(key: str, g: _Table = g) -> float | None:
            return g.num(key) * 1e6 if key in g.data else None

        targets.append(
            Target(g.instant("end"), scope, opt("total_usd_m"), opt("long_usd_m"), opt("short_usd_m"),
                   g.text("source"), g.num("tolerance", 0.05))
        )  # fmt: skip
    worst = t.get("worst_24h_usd")
    return LiquidationSpec(
        symbol_share=shares,
        venue_share=t.numbers("venue_share"),
        alt_price_per_btc=t.numbers("alt_price_per_btc"),
        okx_ct_val={str(k): str(v) for k, v in t.req("okx_ct_val").items()},
        max_order_usd=t.numbers("max_order_usd"),
        max_alt_order_usd=t.num("max_alt_order_usd"),
        day_model=DayModel(
            model.num("base_usd_m"),
            model.num("scale_usd_m"),
            model.num("power"),
            model.num("eth_range_divisor"),
        ),
        day_totals_usd={d: v * 1e6 for d, v in _day_keys(t, "day_totals_usd_m").items()},
        segments=segments,
        worst_24h_usd=(float(worst[0]), float(worst[1])) if worst else None,
        targets=tuple(targets),
    )


def _cadence(t: _Table, dense: tuple[date, date] | None) -> Cadence:
    every, dense_every = int(t.num("every_min")), int(t.num("dense_every_min", t.num("every_min")))
    for key, value in (("every_min", every), ("dense_every_min", dense_every)):
        if value <= 0 or value % 5:
            raise SpecError(f"{t.where}.{key}: a positive multiple of 5 minutes")
    return Cadence(every, dense_every, dense[0] if dense else None, dense[1] if dense else None)


def _positioning(t: _Table, dense: tuple[date, date] | None) -> PositioningSpec | None:
    if not t.data:
        return None
    bases = t.table("oi_base")
    oi_base = {str(venue): bases.numbers(str(venue)) for venue in bases.data}
    if not oi_base:
        raise SpecError(f"{t.where}.oi_base: missing")
    builds = tuple(Build(b.instant("start"), b.instant("end"), b.num("pct")) for b in t.tables("build"))
    funding = t.table("funding")
    return PositioningSpec(
        oi_base=oi_base,
        calm_build_pct_day=t.num("calm_build_pct_day"),
        stress_close_pct_day=t.num("stress_close_pct_day"),
        liq_factor=t.num("liq_factor", 1.0),
        builds=builds,
        backfill_days=t.num("backfill_days", 2.0),
        funding_base_8h=funding.num("base_8h"),
        funding_crowd_8h=funding.num("crowd_8h"),
        funding_stress_8h=funding.num("stress_8h"),
        funding_scale=funding.numbers("scale"),
        taker_per_move=t.num("taker_per_move"),
        build_taker_tilt=t.num("build_taker_tilt", 0.0),
        stress_taker_tilt=t.num("stress_taker_tilt", 0.0),
        long_account=t.numbers("long_account"),
        history=_cadence(t.table("history"), dense),
        snapshots=_cadence(t.table("snapshots"), dense),
    )


def _etf(t: _Table, folder: Path) -> EtfSpec | None:
    assets = []
    for a in t.tables("asset"):
        kind = a.text("kind")
        asset = a.text("asset")
        totals: dict[date, float] = _day_keys(a, "totals_usd_m") if "totals_usd_m" in a.data else {}
        per_fund: dict[date, dict[str, float]] = {}
        funds = tuple(a.get("funds", ()))
        if "file" in a.data:
            for row in read_csv(folder / a.text("file")):
                d = date.fromisoformat(row["date"])
                totals[d] = float(row[a.text("total_column")])
                if kind == "funds":
                    per_fund[d] = {f: float(row[f]) for f in funds}
        fixed: dict[date, dict[str, float]] = {}
        if "fixed_from" in a.data:
            for row in read_csv(folder / a.text("fixed_from")):
                if row["period"] == "day" and row["fund"] != "TOTAL" and row["asset"] == asset:
                    fixed.setdefault(date.fromisoformat(row["date"]), {})[row["fund"]] = float(
                        row["net_flow_usd_m"]
                    )
        if kind not in ("split", "funds", "totals"):
            raise SpecError(f"{a.where}.kind: one of split, funds, totals")
        assets.append(
            EtfAsset(asset, kind, a.text("render", "farside"), totals, funds,
                     tuple(float(w) for w in a.get("weights", ())), per_fund, fixed)
        )  # fmt: skip
    if not assets:
        return None
    unpublished = t.table("unpublished")
    return EtfSpec(
        assets=tuple(assets),
        hours=tuple(int(h) for h in t.get("hours", [23])),
        unpublished_hour=int(unpublished.num("hour")) if unpublished.data else None,
        unpublished_from=unpublished.date("from") if unpublished.data else None,
        unpublished_to=unpublished.date("to") if unpublished.data else None,
        page_note=t.text("page_note", ""),
        page_days=int(t.num("page_days", 9)),
    )


def load(name: str, data: Path = DATA) -> ScenarioSpec:
    """The spec of scenario ``name`` (``data/<name>/scenario.toml``)."""
    folder = data / name
    path = folder / "scenario.toml"
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"{path}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"{path}: {exc}") from None
    t = _Table(raw, name)
    daily = t.table("daily")
    header = t.table("header")
    intraday = t.table("intraday")
    fear = t.table("fear")
    macro = t.table("macro")
    claims = macro.table("claims")
    tickers = t.table("tickers")
    dense = (tickers.date("dense_from"), tickers.date("dense_to")) if tickers.data else None
    spec = ScenarioSpec(
        name=t.text("name"),
        folder=folder,
        seed=int(t.num("seed")),
        first_day=t.date("first_day"),
        last_day=t.date("last_day"),
        hourly_from=t.date("hourly_from"),
        symbols=tuple(t.req("symbols")),
        families=tuple(t.req("families")),
        note=t.text("note").strip(),
        watchlist=tuple(header.get("watchlist", t.req("symbols"))),
        pinned_zones={k: tuple(float(x) for x in v) for k, v in header.get("pinned_zones", {}).items()},
        real_daily=tuple(
            RealDaily(
                r.text("file"),
                r.opt_str("symbol"),
                r.opt_str("symbol_column"),
                r.opt_str("volume_column"),
                r.numbers("volume_per_range", {}),
            )
            for r in daily.tables("real")
        ),
        close_only=tuple(
            CloseOnly(
                c.text("file"),
                c.text("symbol"),
                c.text("column", "close"),
                c.text("follow"),
                c.num("beta"),
                c.num("volume_per_range"),
            )
            for c in daily.tables("close_only")
        ),
        bridges=tuple(
            Bridge(
                b.text("symbol"),
                b.text("follow"),
                b.num("beta"),
                b.date("first"),
                b.date("last"),
                b.num("volume_factor"),
            )
            for b in daily.tables("bridge")
        ),
        prior=_prior(daily.table("prior"), folder),
        pins=_pins(intraday),
        shared_timing=bool(intraday.get("shared_timing", False)),
        liquidations=_liquidations(t.table("liquidations")),
        etf=_etf(t.table("etf"), folder),
        fear_file=fear.opt_str("crypto_file"),
        fear_class_column=fear.opt_str("class_column"),
        stocks_fear_from_nasdaq=bool(fear.get("stocks_from_nasdaq", False)),
        fred=tuple(
            FredSeries(
                f.text("id"),
                f.text("file"),
                f.text("column"),
                int(f.num("lag_days", 1)),
                int(f.num("hour", 13)),
                int(f.num("minute", 0)),
            )
            for f in macro.tables("series")
        ),
        claims=Claims(claims.text("file"), tuple((d, int(v)) for d, v in claims.get("derived", [])))
        if claims.data
        else None,
        dense_tickers=(tickers.date("dense_from"), tickers.date("dense_to")) if tickers.data else None,
        derivatives=dict(t.get("derivatives", {})),
        positioning=_positioning(t.table("positioning"), dense),
        books=_cadence(t.table("books"), dense) if "books" in t.data else None,
    )
    for family in spec.families:
        from .families import FAMILIES

        if family not in FAMILIES:
            raise SpecError(f"{name}.families: unknown family {family!r} (known: {', '.join(FAMILIES)})")
    if spec.hourly_from > spec.first_day or spec.last_day < spec.first_day:
        raise SpecError(f"{name}: hourly_from <= first_day <= last_day expected")
    return spec


def scenario_names(data: Path = DATA) -> list[str]:
    """Every scenario that has a spec."""
    return sorted(p.parent.name for p in data.glob("*/scenario.toml"))
