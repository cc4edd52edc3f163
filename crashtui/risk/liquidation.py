"""Liquidation price per venue from the maintenance-margin tiers (one-way mode).

Every venue liquidates when the equity backing a position falls to its maintenance margin, and
all four venues trigger on the mark price. With ``s`` = +1 long / −1 short, ``Q`` the size in
coins, ``EP`` the entry, ``W`` the equity backing the position and a tier's rate ``r`` and
deduction ``d``, the price ``LP`` solves ``W + s·Q·(LP − EP) = Q·LP·r − d``:

* long ``LP = (Q·EP − W − d) / (Q·(1 − r))``; short ``LP = (Q·EP + W + d) / (Q·(1 + r))``.

This is Binance's published formula (FAQ "How to Calculate Liquidation Price of USDⓈ-M Futures
Contracts") with ``W = WB − TMM1 + UPNL1``; Hyperliquid's (docs "Liquidations",
``examples/LiquidationPx.tsx``: ``r = 1/(2·max leverage)``); OKX's margin-ratio rule with the
taker fee added to the rate (``r = mmr + fee``, no deduction); and the cross-margin form derived
for Bybit. Bybit's isolated formula takes the maintenance margin at the **entry** value instead:
``LP = EP − s·(W − (Q·EP·r − d)) / Q`` (Bybit Help "Liquidation Price (USDT Contract)").

``W`` is the isolated margin (initial margin plus any margin added, minus funding paid out of
it), or for cross margin the wallet balance plus the unrealised PnL of the account's other
positions minus their maintenance margin.

**Tier rule.** Where the tier depends on the value at the liquidation price (every venue but
Bybit isolated and OKX, whose tiers are by size), compute ``LP`` for the tier holding the entry
value, check that ``Q·LP`` falls in that tier's band, and move to the tier it does fall in until
they agree (Binance's FAQ states the rule). Continuous deductions make the answer unique; should
a table's bands disagree anyway, the estimate nearest the entry is kept.

**None.** A long whose ``LP`` is ≤ 0 cannot be liquidated by price (Binance shows "--").
"""

from __future__ import annotations

from dataclasses import dataclass

from crashtui.numfmt import fmt_usd
from crashtui.risk.position import PositionSide, Venue
from crashtui.risk.tiers import Band, TableChoice, Tier, TierBook, TierTable


@dataclass(frozen=True, slots=True)
class Liquidation:
    """An estimated liquidation price and the tier it was computed with.

    ``price`` is None when price alone cannot liquidate the position (a long with LP ≤ 0).
    ``notes`` say what the estimate assumed: a table from another venue or the generic tier, a
    position above the venue's largest tier, leverage above the tier's maximum.
    """

    price: float | None
    table: TierTable
    tier_index: int
    notes: tuple[str, ...] = ()

    @property
    def tier(self) -> Tier:
        """The tier the price was computed with."""
        return self.table.tiers[self.tier_index]


def solve_price(
    side: PositionSide,
    qty: float,
    entry: float,
    equity: float,
    rate: float,
    deduction: float,
    *,
    mm_at_entry: bool = False,
) -> float:
    """The price at which ``equity`` + PnL equals the maintenance margin of one tier.

    ``rate`` is the tier's maintenance rate (plus any fee the venue adds); ``mm_at_entry``
    takes the maintenance margin at the entry value (Bybit isolated). May return ≤ 0.
    """
    s = side.sign
    if mm_at_entry:
        maintenance = qty * entry * rate - deduction
        return entry - s * (equity - maintenance) / qty
    return (s * qty * entry - equity - deduction) / (s * qty - qty * rate)


def maintenance_margin(book: TierBook, venue: Venue, asset: str, qty: float, price: float) -> float:
    """Maintenance margin (USD) of ``qty`` coins of ``asset`` marked at ``price`` on ``venue``."""
    table = book.table_for(venue, asset).table
    band_value = qty if table.band is Band.SIZE else qty * price
    index = table.index_of(band_value)
    if index is None:
        table = book.fallback_for(venue, asset, "").table
        index = table.index_of(qty if table.band is Band.SIZE else qty * price)
        assert index is not None  # fallback tables are complete
    tier = table.tiers[index]
    return max(0.0, qty * price * (tier.mmr + book.rules[venue].fee_in_mm) - tier.deduction)


def _unit(table: TierTable, value: float) -> str:
    return f"{value:g} {table.asset}" if table.band is Band.SIZE else fmt_usd(value)


def _walk(
    table: TierTable, side: PositionSide, qty: float, entry: float, equity: float, fee: float, at_entry: bool
) -> tuple[float, int] | None:
    """``(LP, tier index)`` by the tier rule; None when the table stops short of the position."""

    def value_at(price: float) -> float:
        if table.band is Band.SIZE:
            return qty
        return qty * (entry if at_entry else price)

    index = table.index_of(value_at(entry))
    if index is None:
        return None
    seen: dict[int, float] = {}
    while True:
        tier = table.tiers[index]
        price = solve_price(side, qty, entry, equity, tier.mmr + fee, tier.deduction, mm_at_entry=at_entry)
        seen[index] = price
        nxt = table.index_of(value_at(max(price, 0.0)))
        if nxt is None:
            return None
        if nxt == index:
            return price, index
        if nxt in seen:
            # Bands that disagree (a table whose deductions are not continuous): keep the
            # estimate nearest the entry, the one that liquidates first.
            pick = (
                max(seen, key=seen.__getitem__)
                if side is PositionSide.LONG
                else min(seen, key=seen.__getitem__)
            )
            return seen[pick], pick
        index = nxt


def estimate(
    book: TierBook,
    venue: Venue,
    asset: str,
    side: PositionSide,
    qty: float,
    entry: float,
    equity: float,
    *,
    isolated: bool,
    leverage: float | None = None,
    choice: TableChoice | None = None,
) -> Liquidation:
    """Liquidation price of one position with ``equity`` backing it, by the venue's rule.

    ``choice`` overrides the table (tests pass a venue's worked-example tier this way); by
    default the venue's bundled table is used, falling back as :class:`TierBook` documents.
    """
    rules = book.rules[venue]
    at_entry = isolated and rules.mm_at_entry_isolated
    chosen = choice or book.table_for(venue, asset)
    notes: list[str] = [chosen.fallback] if chosen.fallback else []
    found = _walk(chosen.table, side, qty, entry, equity, rules.fee_in_mm, at_entry)
    table = chosen.table
    if found is None:
        last = table.tiers[-1]
        assert last.cap is not None
        why = f"{table.table_id} tiers ({table.as_of}) end at {_unit(table, last.cap)}"
        chosen = book.fallback_for(venue, asset, why)
        assert chosen.fallback is not None
        notes.append(chosen.fallback)
        table = chosen.table
        found = _walk(table, side, qty, entry, equity, rules.fee_in_mm, at_entry)
        assert found is not None  # fallback tables are complete
    price, index = found
    at_entry_value = qty if table.band is Band.SIZE else qty * entry
    at_lp_value = qty if table.band is Band.SIZE else qty * max(price, 0.0)
    if table.beyond_top(max(at_entry_value, at_lp_value)):
        notes.append(
            f"the position is above the largest tier of {table.table_id} "
            f"({_unit(table, table.tiers[-1].cap or 0.0)}); its top rate is used"
        )
    entry_tier = table.tiers[table.index_of(at_entry_value) or 0]
    if leverage is not None and leverage > entry_tier.max_leverage and table.venue == venue.value:
        notes.append(
            f"leverage {leverage:g}x is above the {entry_tier.max_leverage:g}x "
            f"{rules.name} allows at this size"
        )
    if side is PositionSide.LONG and price <= 0.0:
        return Liquidation(None, table, index, tuple(notes))
    return Liquidation(max(price, 0.0), table, index, tuple(notes))
