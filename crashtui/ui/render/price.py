"""The Price pane: the watchlist table (price, 24 h, support/resistance, state, sparkline)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from crashtui.analysis.freshness import age_text
from crashtui.analysis.market import SymbolAnalysis
from crashtui.analysis.price import PriceRead, current_price
from crashtui.analysis.zone_state import STATES, ZoneState, state_badge
from crashtui.analysis.zones import Zone, ZoneSummary, distance_pct_at
from crashtui.model import Interval, Snapshot
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_pct, fmt_price, fmt_short
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.palette import Palette
from crashtui.ui.render.common import Column, kept_columns, table, table_width
from crashtui.ui.render.frame import Frame
from crashtui.ui.sparkline import sparkline

SPARK_HOURS = 48
SPARK_PRIORITY = 5  # the sparkline is the first column to give way


@dataclass(frozen=True, slots=True)
class WatchRows:
    """The table's header and one line per symbol, in watchlist order."""

    header: Text
    rows: tuple[Text, ...]
    symbols: tuple[str, ...]


def state_style(state: ZoneState, palette: Palette) -> str:
    """Badge colour per zone state: the state's tone in :data:`STATES`, bold while it is news."""
    look = STATES[state]
    colour = {
        "up": palette.up,
        "down": palette.down,
        "warning": palette.warning,
        "accent": palette.accent,
        "muted": palette.muted,
    }[look.tone]
    return f"bold {colour}" if look.priority <= 2 else colour


def zone_cell(zone: Zone | None, short: bool, style: str, price: float) -> Text:
    """``60,000 -0.1%`` for a zone (level and distance from ``price`` to its edge)."""
    if zone is None:
        return Text("none near", style="dim")
    level = fmt_short(zone.level) if short else fmt_price(zone.level)
    return Text.assemble((level, style), (f" {fmt_pct(distance_pct_at(zone, price))}", "dim"))


def shown_price(item: SymbolAnalysis, snapshot: Snapshot) -> PriceRead | None:
    """The price to show: the snapshot's current price (:func:`current_price`: a current
    ticker, else the newer of the latest close and the old ticker, which says its age), else
    the one the zones were computed at.

    A long watchlist's zones are refreshed a symbol or two per tick, so they may trail the
    ticker by a few seconds; the price column and the distances never do.
    """
    read = current_price(snapshot, item.symbol)
    if read is not None:
        return read
    if item.price is None:
        return None
    return PriceRead(item.price, item.price_source, snapshot.generated_ms, False)


def change_cell(read: PriceRead, now_ms: int, palette: Palette) -> Text:
    """The 24 h change, or how old a stale price is (``36 h old``): never an old number as now."""
    if read.stale:
        return Text(f"{age_text(max(0, now_ms - read.as_of_ms))} old", style=palette.warning)
    change = read.change_24h_pct
    return Text(fmt_pct(change), style=palette.signed(change))


def badge_cell(summary: ZoneSummary | None, palette: Palette, short: bool = False) -> Text:
    """The state badge (``BROKE BELOW 1,826``, ``testing 1,788–1,801``…) or ``clear``;
    ``short``: the table's narrow form (``LOST 1,826``, ``S->R 62.0k``)."""
    if summary is None:
        return Text("", style=palette.muted)
    zone = summary.badge_zone
    if not summary.badge_text or zone is None:
        return Text("clear", style=palette.muted)
    text = summary.badge_text
    if short:
        level, low, high = fmt_short(zone.level), fmt_short(zone.low), fmt_short(zone.high)
        text = state_badge(summary.badge, level, low, high, short=True)
    return Text(plain(text, 28), style=state_style(summary.badge, palette))


# The STATE column never gives way (issue 20): narrow, it abbreviates instead.
# The narrowest form: the state table's narrow badge word where it is short (LOST, S->R).
STATE_ABBREV = {
    ZoneState.TESTING: "TEST",
    ZoneState.BROKE_BELOW: "LOST",
    ZoneState.BROKE_ABOVE: "BRK",
    ZoneState.BACK_ABOVE: "BACK",
    ZoneState.BACK_BELOW: "BACK",
    ZoneState.SUPPORT_TURNED_RESISTANCE: "S->R",
    ZoneState.RESISTANCE_TURNED_SUPPORT: "R->S",
    ZoneState.RECLAIMED: "RCL",
    ZoneState.BREAKOUT_FAILED: "FAIL",
    ZoneState.APPROACHING: "NEAR",
}


def state_abbrev(summary: ZoneSummary | None, price: float, glyphs: Glyphs) -> str:
    """``TEST``, ``BRK↓`` (price below the broken zone), ``RCL↑``, ``NEAR``: the state in 4-5 cells."""
    if summary is None:
        return ""
    if not summary.badge_text:
        return "clear"
    state = summary.badge
    word = STATE_ABBREV.get(state, str(state.value)[:4].upper())
    zone = summary.badge_zone
    if state is not ZoneState.TESTING and zone is not None:
        if price < zone.low:
            word += glyphs.down_arrow
        elif price > zone.high:
            word += glyphs.up_arrow
    return word


def badge_cells(
    summary: ZoneSummary | None, price: float, frame: Frame, short: bool = False
) -> tuple[Text, Text, Text]:
    """The STATE cell in three widths: the badge (``short``: its narrow form), the abbreviation
    with the zone's level (``BRK↓ 61.99k``), the abbreviation alone."""
    full = badge_cell(summary, frame.palette, short)
    word = state_abbrev(summary, price, frame.glyphs)
    style = full.style
    zone = summary.badge_zone if summary is not None else None
    level = f"{word} {fmt_short(zone.level)}" if zone is not None and word else word
    return full, Text(level, style=style), Text(word, style=style)


def spark_cell(frame: Frame, symbol: str, width: int) -> Text:
    """Sparkline of the last 48 hourly closes, coloured by the change over them."""
    candles = frame.snapshot.candles.get((symbol, Interval.H1), ())[-SPARK_HOURS:]
    closes = [c.close for c in candles]
    if len(closes) < 2:
        return Text("")
    style = frame.palette.signed(closes[-1] - closes[0])
    return Text(sparkline(closes, width, frame.glyphs.spark), style=style)


def _no_data(frame: Frame, symbol: str) -> str:
    """Why a symbol has no price: a finished replay will never bring one, nor will a replay
    whose recording was made for other symbols."""
    replay = frame.replay
    if replay is not None and (replay.finished or (replay.symbols and symbol not in replay.symbols)):
        return "not in recording"
    return "no data yet"


def build_watch_rows(frame: Frame, width: int) -> WatchRows:
    """The watchlist table for ``width`` columns (the first column is left for the cursor)."""
    p = frame.palette
    items: list[SymbolAnalysis] = list(frame.analysis.symbols)
    short = width < 64
    syms, prices, changes, supports, resists, sparks = [], [], [], [], [], []
    states: tuple[list[Text], list[Text], list[Text]] = ([], [], [])
    spark_width = 12 if width >= 100 else 8
    for item in items:
        syms.append(Text(plain(item.symbol, 8), style="bold"))
        read = shown_price(item, frame.snapshot)
        if read is None:
            prices.append(Text("–", style=p.muted))
            changes.append(Text(""))
            supports.append(Text(_no_data(frame, item.symbol), style=p.muted))
            resists.append(Text(""))
            for variant in states:
                variant.append(Text(""))
            sparks.append(Text(""))
            continue
        price = read.price
        prices.append(Text(fmt_price(price), style=p.warning if read.stale else "bold"))
        changes.append(change_cell(read, frame.snapshot.generated_ms, p))
        summary = item.summary
        supports.append(zone_cell(summary.support if summary else None, short, p.support, price))
        resists.append(zone_cell(summary.resistance if summary else None, short, p.resistance, price))
        for variant, cell in zip(states, badge_cells(summary, price, frame, short), strict=True):
            variant.append(cell)
        sparks.append(spark_cell(frame, item.symbol, spark_width))

    def columns(state_cells: list[Text]) -> list[Column]:
        cols = [
            Column("SYM", syms, priority=0, max_width=8),
            Column("PRICE", prices, "right", priority=0),
            Column("24h", changes, "right", priority=1),
            Column("SUPPORT", supports, priority=2, max_width=40 if len(items) == 1 else 18),
            Column("STATE", state_cells, priority=0, max_width=22),
            Column("48h", sparks, priority=SPARK_PRIORITY, max_width=spark_width),
            Column("RESIST", resists, priority=4, max_width=18),
        ]
        # Narrow panes show resistance last, wide ones beside support.
        return [*cols[:4], cols[6], cols[4], cols[5]] if width >= 96 else cols

    room = max(10, width - 1)

    def data_columns(cols: list[Column]) -> list[str]:
        return [c.header for c in cols if c.priority < SPARK_PRIORITY]

    # The widest STATE that costs no data column (the sparkline may give way) and no cut; else
    # the abbreviation alone.
    shortest = data_columns(kept_columns(columns(states[-1]), room))
    chosen = columns(states[-1])
    for variant in states[:-1]:
        candidate = columns(variant)
        kept = kept_columns(candidate, room)
        if data_columns(kept) == shortest and table_width(kept) <= room:
            chosen = candidate
            break
    out = table(chosen, room)
    return WatchRows(out[0], tuple(out[1:]), tuple(i.symbol for i in items))
