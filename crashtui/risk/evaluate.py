"""Per-position risk and the portfolio summary: the pure core of the positions pane.

:func:`evaluate` takes the positions and, per symbol, a :class:`MarketView` (mark, ATR, the
support/resistance levels and estimated liquidation clusters to check, and the price path since
entry) and returns a :class:`Portfolio`. Conventions:

* **PnL %** is the return on the initial margin (notional at entry / leverage), as venues show it.
* **Distance to liquidation** is the adverse move from the mark to the liquidation price, as a
  positive % of the mark and in ATRs. None when there is no liquidation price or no mark.
* **Between price and liquidation**: levels and clusters strictly between the mark and the
  liquidation price (all of them on the adverse side when price cannot liquidate the position),
  nearest the mark first.
* **Shocks** are adverse moves from the mark: −5/−10/−15/−25 % and down to each support below the
  mark for a long, +5/+10/+15/+25 % and up to each resistance above it for a short. A position
  survives a shock when the shocked price has not reached its liquidation price; when it does
  not survive, its PnL is the loss of what backs it (the isolated margin; for cross margin the
  wallet plus the other positions' PnL).
* **Cross margin**: the cross positions of one venue share one account and its ``wallet_usd``;
  each one's liquidation price holds the others at their marks (the venues' own estimate). A
  cross position without ``wallet_usd`` is estimated as isolated with margin = notional /
  leverage (nearer than the real one) and says so.
* **Liquidated**: the first bar of the price path (at or after ``opened_ms``) whose low (long) or
  high (short) reached the liquidation price, or the mark itself beyond it. Venues trigger on the
  mark price; the path's lows and highs stand in for it. A cross position is checked against
  its current liquidation price.
* **Portfolio shocks** move every symbol by the same % at once (−5/−10/−15/−25 %); a cross account
  is liquidated as a whole when its equity falls to its total maintenance margin.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from crashtui.model import StrEnum
from crashtui.numfmt import fmt_price
from crashtui.risk.liquidation import Liquidation, estimate, maintenance_margin
from crashtui.risk.position import MarginMode, Position, PositionSide, Venue
from crashtui.risk.tiers import TierBook, bundled_tiers

SHOCK_PCTS: tuple[float, ...] = (5.0, 10.0, 15.0, 25.0)
# An exchange-reported liquidation price this far (% of it) from our estimate is shown beside it:
# below that the two agree to within tiers, fees and rounding a trader would not act on.
MATERIAL_LIQ_GAP_PCT = 0.5


class LevelKind(StrEnum):
    """Whether a level is a support or a resistance."""

    SUPPORT = "support"
    RESISTANCE = "resistance"


@dataclass(frozen=True, slots=True)
class Level:
    """A support or resistance level (e.g. a zone's level) to weigh a position against."""

    price: float
    kind: LevelKind
    label: str = ""

    @property
    def name(self) -> str:
        """``label``, or ``support 58,000``."""
        return self.label or f"{self.kind} {fmt_price(self.price)}"


@dataclass(frozen=True, slots=True)
class LiquidationCluster:
    """An estimated cluster of other traders' liquidations at ``price`` (``side`` gets liquidated)."""

    price: float
    usd: float
    side: PositionSide


@dataclass(frozen=True, slots=True)
class PriceBar:
    """Low and high of one interval of the price path, stamped at its open (ms)."""

    ts_ms: int
    low: float
    high: float


@dataclass(frozen=True, slots=True)
class MarketView:
    """What :func:`evaluate` needs to know about one symbol's market."""

    mark: float | None = None
    mark_ms: int | None = None
    atr: float | None = None
    levels: tuple[Level, ...] = ()
    clusters: tuple[LiquidationCluster, ...] = ()
    path: tuple[PriceBar, ...] = ()


@dataclass(frozen=True, slots=True)
class Shock:
    """One adverse scenario for one position."""

    label: str
    move_pct: float
    price: float
    pnl_usd: float
    survives: bool


@dataclass(frozen=True, slots=True)
class PositionRisk:
    """Everything the positions pane shows for one position."""

    position: Position
    mark: float | None
    notional_usd: float
    margin_usd: float
    pnl_usd: float | None
    pnl_pct: float | None
    effective_leverage: float | None
    liquidation: Liquidation
    distance_pct: float | None
    distance_atr: float | None
    levels_between: tuple[Level, ...]
    clusters_between: tuple[LiquidationCluster, ...]
    shocks: tuple[Shock, ...]
    liquidated: bool
    liquidated_at_ms: int | None
    notes: tuple[str, ...] = ()

    @property
    def liquidation_price(self) -> float | None:
        """The estimated liquidation price (None: price alone cannot liquidate it)."""
        return self.liquidation.price

    @property
    def venue_liquidation_price(self) -> float | None:
        """The liquidation price the exchange reported for an imported position (else None)."""
        return self.position.venue_liquidation_price

    @property
    def liquidation_gap_pct(self) -> float | None:
        """How far our estimate is from the exchange's price, % of the exchange's (None: no
        exchange price; ``inf`` when we find no liquidation price and the exchange does)."""
        venue = self.position.venue_liquidation_price
        if venue is None:
            return None
        ours = self.liquidation.price
        if ours is None:
            return math.inf
        return abs(ours - venue) / venue * 100.0

    @property
    def liquidation_differs(self) -> bool:
        """Whether the exchange's liquidation price differs materially from our estimate."""
        gap = self.liquidation_gap_pct
        return gap is not None and gap >= MATERIAL_LIQ_GAP_PCT


@dataclass(frozen=True, slots=True)
class MarketShock:
    """Every symbol moved by ``move_pct`` at once: total PnL and what would be liquidated."""

    move_pct: float
    pnl_usd: float
    liquidated: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Portfolio:
    """All positions with the portfolio line (exposure, PnL, nearest liquidation)."""

    positions: tuple[PositionRisk, ...]
    gross_exposure_usd: float
    net_exposure_usd: float
    pnl_usd: float
    pnl_missing: int
    nearest: PositionRisk | None
    liquidated_count: int
    shocks: tuple[MarketShock, ...] = field(default=())


def _clean_mark(mark: float | None) -> float | None:
    return mark if mark is not None and math.isfinite(mark) and mark > 0 else None


def _adverse(side: PositionSide, price: float, reference: float) -> bool:
    """Whether ``price`` lies on the losing side of ``reference``."""
    return price < reference if side is PositionSide.LONG else price > reference


def _reached(side: PositionSide, price: float, liq: float) -> bool:
    return price <= liq if side is PositionSide.LONG else price >= liq


@dataclass(frozen=True, slots=True)
class _Account:
    """What backs one position: the equity ``W`` of the formula, and what it can lose."""

    equity: float
    backing: float
    wallet: float | None = None
    notes: tuple[str, ...] = ()

    @property
    def isolated(self) -> bool:
        """Whether the position is margined (or, lacking a wallet, estimated) as isolated."""
        return self.wallet is None


def _marks(positions: Sequence[Position], markets: Mapping[str, MarketView]) -> list[float | None]:
    return [_clean_mark(markets.get(p.symbol, MarketView()).mark) for p in positions]


def _accounts(positions: Sequence[Position], marks: Sequence[float | None], book: TierBook) -> list[_Account]:
    wallets: dict[Venue, float] = {}
    for p in positions:
        if p.margin is MarginMode.CROSS and p.wallet_usd is not None:
            wallets.setdefault(p.venue, p.wallet_usd)
    out: list[_Account] = []
    for i, p in enumerate(positions):
        wallet = wallets.get(p.venue)
        if p.margin is MarginMode.ISOLATED:
            out.append(_Account(p.initial_margin, p.initial_margin))
            continue
        if wallet is None:
            note = (
                f"cross margin without wallet_usd: estimated as isolated with margin = notional / leverage "
                f"({p.initial_margin:,.0f} USD); the real liquidation is further away"
            )
            out.append(_Account(p.initial_margin, p.initial_margin, None, (note,)))
            continue
        notes: list[str] = []
        if p.wallet_usd is not None and p.wallet_usd != wallet:
            notes.append(
                f"wallet_usd differs between {p.venue} cross positions; the first ({wallet:,.0f}) is used"
            )
        upnl = 0.0
        others_mm = 0.0
        for j, other in enumerate(positions):
            if j == i or other.margin is not MarginMode.CROSS or other.venue is not p.venue:
                continue
            mark = marks[j]
            if mark is None:
                mark = other.entry
                notes.append(f"no mark for {other.symbol}: its PnL is taken as 0")
            upnl += other.pnl_at(mark)
            others_mm += maintenance_margin(book, other.venue, other.symbol, other.qty, mark)
        out.append(_Account(wallet + upnl - others_mm, wallet + upnl, wallet, tuple(notes)))
    return out


def _liquidated_at(
    p: Position, liq: float | None, view: MarketView, mark: float | None
) -> tuple[bool, int | None]:
    if liq is None:
        return False, None
    for bar in sorted(view.path, key=lambda b: b.ts_ms):
        if p.opened_ms is not None and bar.ts_ms < p.opened_ms:
            continue
        extreme = bar.low if p.side is PositionSide.LONG else bar.high
        if math.isfinite(extreme) and _reached(p.side, extreme, liq):
            return True, bar.ts_ms
    if mark is not None and _reached(p.side, mark, liq):
        return True, view.mark_ms
    return False, None


def _between(side: PositionSide, mark: float, liq: float | None, price: float) -> bool:
    if not _adverse(side, price, mark):
        return False
    return liq is None or _adverse(side, liq, price)


def _shocks(
    p: Position, mark: float, liq: float | None, account: _Account, levels: Sequence[Level]
) -> tuple[Shock, ...]:
    s = p.side.sign
    wanted = LevelKind.SUPPORT if p.side is PositionSide.LONG else LevelKind.RESISTANCE
    scenarios = [(f"{-s * pct:+g}%", mark * (1 - s * pct / 100.0)) for pct in SHOCK_PCTS]
    scenarios += [
        (level.name, level.price)
        for level in sorted(levels, key=lambda lv: abs(lv.price - mark))
        if level.kind is wanted and _adverse(p.side, level.price, mark) and level.price > 0
    ]
    out = []
    for label, price in scenarios:
        survives = liq is None or not _reached(p.side, price, liq)
        pnl = p.pnl_at(price) if survives else -account.backing
        out.append(Shock(label, (price / mark - 1.0) * 100.0, price, pnl, survives))
    return tuple(out)


def _risk(
    p: Position, view: MarketView, mark: float | None, account: _Account, book: TierBook
) -> PositionRisk:
    liq = estimate(
        book,
        p.venue,
        p.symbol,
        p.side,
        p.qty,
        p.entry,
        account.equity,
        isolated=account.isolated,
        leverage=p.leverage,
    )
    price = liq.price
    liquidated, at_ms = _liquidated_at(p, price, view, mark)
    notional = p.qty * (mark if mark is not None else p.entry)
    pnl = p.pnl_at(mark) if mark is not None else None
    if liquidated:
        pnl = -account.backing
    pnl_pct = pnl / p.initial_margin * 100.0 if pnl is not None else None
    equity_now = account.backing + (pnl or 0.0) if not liquidated else 0.0
    effective = notional / equity_now if equity_now > 0 else None
    distance_pct = distance_atr = None
    levels: tuple[Level, ...] = ()
    clusters: tuple[LiquidationCluster, ...] = ()
    shocks: tuple[Shock, ...] = ()
    if mark is not None and not liquidated:
        if price is not None:
            distance_pct = abs(mark - price) / mark * 100.0
            if view.atr is not None and math.isfinite(view.atr) and view.atr > 0:
                distance_atr = abs(mark - price) / view.atr
        levels = tuple(
            sorted(
                (lv for lv in view.levels if _between(p.side, mark, price, lv.price)),
                key=lambda lv: abs(lv.price - mark),
            )
        )
        clusters = tuple(
            sorted(
                (c for c in view.clusters if _between(p.side, mark, price, c.price)),
                key=lambda c: abs(c.price - mark),
            )
        )
        shocks = _shocks(p, mark, price, account, view.levels)
    notes = account.notes + liq.notes
    venue_liq = p.venue_liquidation_price
    if venue_liq is not None and (
        price is None or abs(price - venue_liq) / venue_liq * 100.0 >= MATERIAL_LIQ_GAP_PCT
    ):
        ours = fmt_price(price) if price is not None else "none"
        notes += (
            f"{p.venue} reports liquidation at {fmt_price(venue_liq)}, our estimate is {ours}: "
            "the exchange knows the account's real margin, trust its figure",
        )
    if mark is None:
        notes += (f"no mark price for {p.symbol} yet",)
    return PositionRisk(
        position=p,
        mark=mark,
        notional_usd=notional,
        margin_usd=account.backing,
        pnl_usd=pnl,
        pnl_pct=pnl_pct,
        effective_leverage=effective,
        liquidation=liq,
        distance_pct=distance_pct,
        distance_atr=distance_atr,
        levels_between=levels,
        clusters_between=clusters,
        shocks=shocks,
        liquidated=liquidated,
        liquidated_at_ms=at_ms,
        notes=notes,
    )


def _market_shocks(
    positions: Sequence[Position],
    marks: Sequence[float | None],
    risks: Sequence[PositionRisk],
    accounts: Sequence[_Account],
    book: TierBook,
) -> tuple[MarketShock, ...]:
    out = []
    for pct in SHOCK_PCTS:
        factor = 1.0 - pct / 100.0
        total = 0.0
        gone: list[str] = []
        cross: dict[Venue, list[int]] = {}
        for i, p in enumerate(positions):
            mark = marks[i]
            if risks[i].liquidated or mark is None:
                continue
            if accounts[i].wallet is not None:
                cross.setdefault(p.venue, []).append(i)
                continue
            shocked = mark * factor
            price = risks[i].liquidation_price
            if price is not None and _reached(p.side, shocked, price):
                total -= accounts[i].backing
                gone.append(p.symbol)
            else:
                total += p.pnl_at(shocked)
        for venue, members in cross.items():
            wallet = accounts[members[0]].wallet
            assert wallet is not None
            shocked_marks = [(marks[i] or 0.0) * factor for i in members]
            pnl = sum(positions[i].pnl_at(m) for i, m in zip(members, shocked_marks, strict=True))
            mm = sum(
                maintenance_margin(book, venue, positions[i].symbol, positions[i].qty, m)
                for i, m in zip(members, shocked_marks, strict=True)
            )
            if wallet + pnl <= mm:
                total -= wallet
                gone.extend(positions[i].symbol for i in members)
            else:
                total += pnl
        out.append(MarketShock(-pct, total, tuple(gone)))
    return tuple(out)


def evaluate(
    positions: Sequence[Position],
    markets: Mapping[str, MarketView],
    *,
    tiers: TierBook | None = None,
) -> Portfolio:
    """Risk of every position and the portfolio summary (pure; see the module docstring)."""
    book = tiers or bundled_tiers()
    marks = _marks(positions, markets)
    accounts = _accounts(positions, marks, book)
    risks = tuple(
        _risk(p, markets.get(p.symbol, MarketView()), marks[i], accounts[i], book)
        for i, p in enumerate(positions)
    )
    open_risks = [r for r in risks if not r.liquidated]
    gross = sum(r.notional_usd for r in open_risks)
    net = sum(r.position.side.sign * r.notional_usd for r in open_risks)
    known = [r.pnl_usd for r in risks if r.pnl_usd is not None]
    with_distance = [r for r in open_risks if r.distance_pct is not None]
    nearest = min(with_distance, key=lambda r: r.distance_pct or 0.0) if with_distance else None
    return Portfolio(
        positions=risks,
        gross_exposure_usd=gross,
        net_exposure_usd=net,
        pnl_usd=sum(known),
        pnl_missing=len(risks) - len(known),
        nearest=nearest,
        liquidated_count=len(risks) - len(open_risks),
        shocks=_market_shocks(positions, marks, risks, accounts, book),
    )
