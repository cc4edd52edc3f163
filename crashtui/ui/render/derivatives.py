"""Leverage on the main screen: open interest with its 1 h and 24 h change, funding per venue,
basis, Coinbase premium and the long/short account ratio, each with its age.

Narrow (the compact grid, one pane): one line for the selected symbol. Wide: a table of every
watchlist symbol, funding per venue with its annualised figure and each figure's age. A figure
the radar does not have shows as ``n/a`` (a venue without funding as the dash glyph), never 0.
Pure: frame in, Rich ``Text`` out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text

from crashtui.analysis.derivatives import SymbolDerivatives, VenueFunding
from crashtui.numfmt import fmt_usd
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age, fmt_pct
from crashtui.ui.palette import Palette
from crashtui.ui.render.common import Column, fit, kept_columns, lines, table, wrap_items
from crashtui.ui.render.frame import Frame

if TYPE_CHECKING:
    from crashtui.analysis.radar import Radar

NA = "n/a"
VENUES = (
    ("binance_futures", "Binance", "B"),
    ("bybit", "Bybit", "Y"),
    ("okx_public", "OKX", "O"),
    ("hyperliquid", "HL", "H"),
)
STALE_MS = 30 * 60_000  # a figure older than this is shown dim


def funding_pct(rate_8h: float) -> str:
    """A per-8h rate in percent: ``-0.0196%``."""
    return f"{rate_8h * 100:+.4f}%"


def _age(frame: Frame, at_ms: int | None) -> str:
    return fmt_age(frame.now_ms - at_ms) if at_ms is not None else "?"


def _aged(frame: Frame, text: str, at_ms: int | None, style: str = "", with_age: bool = True) -> Text:
    """``text`` with its age beside it (dim when stale); ``n/a`` alone when unknown."""
    p = frame.palette
    if at_ms is None:
        return Text(NA, style=p.muted)
    stale = frame.now_ms - at_ms > STALE_MS
    out = Text(text, style=p.stale if stale else style)
    if with_age:
        out.append(f" {_age(frame, at_ms)}", style=p.muted)
    return out


def _venue_funding(row: SymbolDerivatives, venue: str) -> VenueFunding | None:
    return next((f for f in row.funding if f.venue == venue), None)


def _oi(row: SymbolDerivatives) -> str:
    return fmt_usd(row.open_interest_usd) if row.open_interest_usd is not None else NA


def _signed_style(p: Palette, value: float | None) -> str:
    return p.signed(value)


def derivatives_line(frame: Frame, symbol: str, width: int) -> Text:
    """One line for ``symbol``: ``BTC lev  OI $4.58B 1h +0.4% 24h n/a · fund B -0.0196% Y – …``."""
    p, g = frame.palette, frame.glyphs
    sep = f" {g.sep} "
    head = Text(f"{plain(symbol, 12)} ", style="bold")
    if frame.radar is None:
        return fit(head + Text(f"leverage: computing{frame.glyphs.ellipsis}", style=p.muted), width)
    row = frame.radar.derivatives.get(symbol)
    if row is None:
        return fit(head + Text("leverage: n/a (not a perpetual, or no data yet)", style=p.muted), width)
    oi = Text("OI ")
    oi.append(_oi(row), style="bold" if row.open_interest_usd is not None else p.muted)
    oi.append(" 1h ")
    oi.append(fmt_pct(row.oi_change_1h_pct, 1), style=_signed_style(p, row.oi_change_1h_pct))
    oi.append(" 24h ")
    oi.append(fmt_pct(row.oi_change_24h_pct, 1), style=_signed_style(p, row.oi_change_24h_pct))
    fund = Text("fund")
    for venue, _, short in VENUES:
        f = _venue_funding(row, venue)
        fund.append(f" {short} ")
        if f is None:
            fund.append(g.dash, style=p.muted)
        else:
            fund.append(funding_pct(f.rate_8h), style=p.signed(f.rate_8h))
    parts: list[Text | str] = [
        head + oi,
        fund,
        Text("basis ") + Text(fmt_pct(row.basis_pct, 3), style=p.muted if row.basis_pct is None else ""),
        Text("CB prem ") + Text(fmt_pct(row.coinbase_premium_pct, 3)),
        Text("L/S ") + Text(f"{row.long_short_ratio:.2f}" if row.long_short_ratio is not None else NA),
        Text(f"as of {_age(frame, row.at_ms)}", style=p.muted),
    ]
    return lines(wrap_items([Text(x) if isinstance(x, str) else x for x in parts], width, sep, "  ")[:3])


def derivatives_table(frame: Frame, width: int) -> list[Text]:
    """Every watchlist symbol: OI and its changes, funding per venue (annualised when there is
    room), basis, premium, long/short, each with its age.

    The annualised figure comes after every venue, the premium and the long/short ratio: it is
    shown only where it costs no column (a 100-column pane keeps all four venues' per-8h rates
    rather than three with their yearly figure)."""
    p = frame.palette
    radar = frame.radar
    if radar is None:
        return [Text(f"Leverage: computing{frame.glyphs.ellipsis}", style=p.muted)]
    roomy = width >= 150  # each figure's own age beside it (else the row's oldest, in Age)
    cols = _table_columns(frame, radar, annual=True, roomy=roomy)
    annual = width >= 90 and len(kept_columns(cols, width)) == len(cols)
    if not annual:
        cols = _table_columns(frame, radar, annual=False, roomy=roomy)
    out = table(cols, width)
    note = "funding per 8h" + (" and a year" if annual else "") + f"; dim: older than {STALE_MS // 60_000}m"
    out.append(Text(note, style=p.muted))
    return out


def _table_columns(frame: Frame, radar: Radar, *, annual: bool, roomy: bool) -> list[Column]:
    """The leverage table's columns, with or without funding's annualised figure."""
    p, g = frame.palette, frame.glyphs
    symbols = frame.snapshot.watchlist
    rows = [radar.derivatives.get(s) for s in symbols]

    def each(make: object) -> list[Text]:
        return [make(r) if r is not None else Text(NA, style=p.muted) for r in rows]  # type: ignore[operator]

    cols = [
        Column("Leverage", [Text(plain(s, 12), style="bold") for s in symbols], priority=0),
        Column("OI", each(lambda r: _aged(frame, _oi(r), r.oi_at_ms, with_age=roomy)), "right", priority=0),
        Column(
            "1h",
            each(lambda r: Text(fmt_pct(r.oi_change_1h_pct, 1), style=p.signed(r.oi_change_1h_pct))),
            "right",
            priority=1,
        ),
        Column(
            "24h",
            each(lambda r: Text(fmt_pct(r.oi_change_24h_pct, 1), style=p.signed(r.oi_change_24h_pct))),
            "right",
            priority=2,
        ),
    ]
    for i, (venue, label, _) in enumerate(VENUES):

        def cell(r: SymbolDerivatives, venue: str = venue) -> Text:
            f = _venue_funding(r, venue)
            if f is None:
                return Text(g.dash, style=p.muted)
            text = funding_pct(f.rate_8h)
            if annual:
                text += f" {f.annualised_pct:+.0f}%/y"
            return _aged(frame, text, f.at_ms, style=p.signed(f.rate_8h), with_age=roomy)

        priority = (1, 2, 3, 3)[i]
        cols.append(Column(label, each(cell), "right", priority=priority))
    cols += [
        Column(
            "Basis",
            each(lambda r: _aged(frame, fmt_pct(r.basis_pct, 3), r.basis_at_ms, with_age=roomy)),
            "right",
            priority=2,
        ),
        Column(
            "CB prem",
            each(lambda r: _aged(frame, fmt_pct(r.coinbase_premium_pct, 3), r.premium_at_ms, with_age=roomy)),
            "right",
            priority=4,
        ),
        Column(
            "L/S",
            each(
                lambda r: _aged(
                    frame,
                    f"{r.long_short_ratio:.2f}" if r.long_short_ratio is not None else NA,
                    r.long_short_at_ms,
                    with_age=roomy,
                )
            ),
            "right",
            priority=4,
        ),
        Column("Age", each(lambda r: Text(_age(frame, r.at_ms), style=p.muted)), "right", priority=1),
    ]
    return cols


def build_derivatives(frame: Frame, width: int, wide: bool, symbol: str | None) -> Text:
    """The leverage block under the Price table: a table when ``wide``, else one line."""
    if width >= 90 or (wide and width >= 60):
        return lines(derivatives_table(frame, width))
    chosen = symbol or (frame.snapshot.watchlist[0] if frame.snapshot.watchlist else None)
    if chosen is None:
        return Text("")
    return derivatives_line(frame, chosen, width)
