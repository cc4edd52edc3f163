"""The positions pane and drilldown: each position against its liquidation price, the levels and
estimated liquidation clusters between, and what a further drop does; the portfolio line.

Pure: a :class:`Frame` (its radar's :class:`~crashtui.risk.evaluate.Portfolio`) in, Rich
``Text`` out. Unknown figures show as ``n/a``, never 0. Symbols come from the config or the
form and are validated, but still pass through :func:`plain` like all external text.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text

from crashtui.numfmt import fmt_price, fmt_usd
from crashtui.risk.evaluate import Portfolio, PositionRisk
from crashtui.risk.position import PositionSide
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_pct, fmt_stamp
from crashtui.ui.palette import Palette
from crashtui.ui.render.common import Column, fit, join, lines, table, wrap_plain
from crashtui.ui.render.frame import Frame

NA = "n/a"
EMPTY_HINT = "No positions. Press n to add one (or add [[positions]] to the config)."
PENDING = "evaluating positions"


def _usd(value: float | None, signed: bool = False) -> str:
    if value is None:
        return NA
    text = fmt_usd(value)
    return f"+{text}" if signed and value > 0 else text


def _price(value: float | None) -> str:
    return NA if value is None else fmt_price(value)


def portfolio_of(frame: Frame) -> Portfolio | None:
    """The frame's portfolio when it evaluated the positions now in effect, else None."""
    radar = frame.radar
    if radar is None or radar.portfolio is None:
        return None
    if len(radar.portfolio.positions) != frame.positions:
        return None  # an edit the radar has not caught up with yet
    return radar.portfolio


def side_text(risk: PositionRisk, palette: Palette) -> Text:
    """``long 10x`` in the side's colour."""
    p = risk.position
    style = palette.up if p.side is PositionSide.LONG else palette.down
    return Text(f"{p.side.value} {p.leverage:g}x", style=style)


def distance_text(risk: PositionRisk, palette: Palette, atr: bool = True) -> Text:
    """``7.3% 2.1 ATR`` to liquidation, ``LIQUIDATED`` once price traded through it."""
    if risk.liquidated:
        return Text("LIQUIDATED", style=f"bold reverse {palette.down}")
    if risk.distance_pct is None:
        reason = "no liq." if risk.mark is not None and risk.liquidation_price is None else NA
        return Text(reason, style=palette.muted)
    style = palette.down if risk.distance_pct < 5 else palette.warning if risk.distance_pct < 15 else ""
    text = f"{risk.distance_pct:.1f}%"
    if atr and risk.distance_atr is not None:
        text += f" {risk.distance_atr:.1f} ATR"
    return Text(text, style=style)


def portfolio_line(portfolio: Portfolio | None, frame: Frame, width: int) -> Text:
    """``Portfolio 2 pos · exposure $45.2K (net +$30.1K) · PnL -$1.2K · nearest liq BTC 7.3%``."""
    p, g = frame.palette, frame.glyphs
    sep = f" {g.sep} "
    if frame.positions == 0:
        return fit(Text("Portfolio: no positions (n: add)", style=p.muted), width)
    if portfolio is None:
        return fit(
            Text(f"Portfolio: {frame.positions} positions, {PENDING}{g.ellipsis}", style=p.muted), width
        )
    parts: list[Text | str] = [
        Text(f"Portfolio {len(portfolio.positions)} pos{_imported_count(portfolio)}", style="bold"),
        Text(f"exposure {_usd(portfolio.gross_exposure_usd)} (net {_usd(portfolio.net_exposure_usd, True)})"),
    ]
    pnl = Text("PnL ")
    pnl.append(_usd(portfolio.pnl_usd, True), style=p.signed(portfolio.pnl_usd))
    if portfolio.pnl_missing:
        pnl.append(f" ({portfolio.pnl_missing} without a mark)", style=p.muted)
    parts.append(pnl)
    nearest = portfolio.nearest
    if nearest is not None:
        near = Text(f"nearest liq {plain(nearest.position.symbol, 16)} ")
        near.append_text(distance_text(nearest, p, atr=False))
        parts.append(near)
    else:
        parts.append(Text("nearest liq n/a", style=p.muted))
    if portfolio.liquidated_count:
        parts.append(Text(f"{portfolio.liquidated_count} LIQUIDATED", style=f"bold {p.down}"))
    return fit(join(parts, sep), width)


def _imported_count(portfolio: Portfolio) -> str:
    count = sum(1 for r in portfolio.positions if r.position.imported)
    return f" ({count} imported)" if count else ""


def _worst_shock(risk: PositionRisk) -> Text:
    """The first standard shock the position does not survive (``dies -10%``), else ``ok -25%``."""
    if risk.liquidated:
        return Text("")
    fixed = [s for s in risk.shocks if s.label.endswith("%")]
    dead = next((s for s in fixed if not s.survives), None)
    if dead is not None:
        return Text(f"liq at {dead.label}", style="bold")
    if fixed:
        return Text(f"ok {fixed[-1].label}")
    return Text(NA)


def position_columns(portfolio: Portfolio, frame: Frame, selected: int | None = None) -> list[Column]:
    """The positions table's columns (the narrowest widths keep symbol, side, PnL, distance)."""
    p, g = frame.palette, frame.glyphs
    risks = portfolio.positions
    marks = [
        Text(f"{g.cursor} " if selected == i else "  " if selected is not None else "", style="bold")
        for i in range(len(risks))
    ]
    symbol = [
        m + Text(plain(r.position.symbol, 16), style="bold") + _imported_mark(r, p)
        for m, r in zip(marks, risks, strict=True)
    ]
    pnl_pct = [Text(fmt_pct(r.pnl_pct, 1), style=p.signed(r.pnl_pct)) for r in risks]
    return [
        Column("Symbol", symbol, priority=0),
        Column("Side", [side_text(r, p) for r in risks], priority=0),
        Column("Mark", [Text(_price(r.mark)) for r in risks], "right", priority=2),
        Column("PnL", [Text(_usd(r.pnl_usd, True), style=p.signed(r.pnl_usd)) for r in risks], "right"),
        Column("PnL%", pnl_pct, "right", priority=3),
        Column("Liq (est)", [_liq_text(r, p) for r in risks], "right", priority=1),
        Column("To liq", [distance_text(r, p) for r in risks], "right", priority=0),
        Column("Between", [_between_short(r, g.sep) for r in risks], priority=5, max_width=36),
        Column("Shocks", [_worst_shock(r) for r in risks], priority=4),
    ]


def _imported_mark(risk: PositionRisk, palette: Palette) -> Text:
    """`` imp okx`` after the symbol of an imported position."""
    pos = risk.position
    return Text(f" imp {pos.venue.value}", style=palette.muted) if pos.imported else Text("")


def _liq_text(risk: PositionRisk, palette: Palette) -> Text:
    """Our estimate, and the exchange's own figure beside it when they differ materially."""
    text = Text(_price(risk.liquidation_price))
    venue = risk.venue_liquidation_price
    if venue is not None and risk.liquidation_differs:
        text.append(f" ex {fmt_price(venue)}", style=palette.warning)
    return text


def _between_short(risk: PositionRisk, sep: str) -> Text:
    if risk.liquidated or risk.mark is None:
        return Text("")
    parts = []
    if risk.levels_between:
        parts.append(f"{len(risk.levels_between)} lvl (next {fmt_price(risk.levels_between[0].price)})")
    if risk.clusters_between:
        parts.append(f"{len(risk.clusters_between)} est. clusters")
    return Text(f" {sep} ".join(parts) if parts else "none")


def build_positions(frame: Frame, width: int, height: int) -> Text:
    """The positions pane: the portfolio line, then one row per position."""
    p = frame.palette
    if frame.positions == 0:
        return lines([Text(line.plain, style=p.muted) for line in wrap_plain(EMPTY_HINT, width)], height)
    portfolio = portfolio_of(frame)
    if portfolio is None:
        return fit(
            Text(f"{frame.positions} positions: {PENDING}{frame.glyphs.ellipsis}", style=p.muted), width
        )
    rows = [portfolio_line(portfolio, frame, width)]
    rows += table(position_columns(portfolio, frame), width)
    rows.append(Text("p: drilldown (shocks, levels)  n: add", style=p.muted))
    return lines(rows, height)


def positions_table(frame: Frame, width: int, selected: int) -> Text:
    """The drilldown's table with the selection marked."""
    p = frame.palette
    if frame.positions == 0:
        return Text(EMPTY_HINT, style=p.muted)
    portfolio = portfolio_of(frame)
    if portfolio is None:
        return Text(f"{frame.positions} positions: {PENDING}{frame.glyphs.ellipsis}", style=p.muted)
    rows = [portfolio_line(portfolio, frame, width)]
    rows += table(position_columns(portfolio, frame, selected), width)
    if frame.imports:
        rows += wrap_plain(frame.imports, width, style=p.muted)
    return lines(rows)


def position_detail(frame: Frame, index: int, width: int) -> Text:
    """Everything about one position: liquidation, what stands between, shocks, notes."""
    p, g = frame.palette, frame.glyphs
    portfolio = portfolio_of(frame)
    if portfolio is None or not 0 <= index < len(portfolio.positions):
        return Text("")
    risk = portfolio.positions[index]
    pos = risk.position
    size = f"{pos.size:g} coins" if pos.size is not None else f"{fmt_usd(pos.size_usd or 0.0)} at entry"
    out: list[Text] = [
        join(
            [
                Text(plain(pos.symbol, 16), style="bold"),
                side_text(risk, p),
                Text(f"{pos.margin.value} on {pos.venue.value}"),
                *([Text(f"imported from {pos.venue.value}", style=p.muted)] if pos.imported else []),
                Text(f"size {size}"),
                Text(f"entry {fmt_price(pos.entry)}"),
            ],
            f" {g.sep} ",
        )
    ]
    pnl = Text(f"Mark {_price(risk.mark)}  PnL ")
    pnl.append(
        f"{_usd(risk.pnl_usd, True)} ({fmt_pct(risk.pnl_pct, 1)} of margin)", style=p.signed(risk.pnl_usd)
    )
    pnl.append(f"  notional {fmt_usd(risk.notional_usd)}  margin {fmt_usd(risk.margin_usd)}")
    out.append(pnl)
    liq = Text("Liquidation price (estimate) ")
    liq.append(_price(risk.liquidation_price), style="bold")
    liq.append("  distance ")
    liq.append_text(distance_text(risk, p))
    out.append(liq)
    venue_liq = risk.venue_liquidation_price
    if venue_liq is not None:
        ex = Text(f"{pos.venue.value} reports liquidation at ")
        ex.append(fmt_price(venue_liq), style="bold")
        if risk.liquidation_differs:
            ex.append(
                "  (differs from the estimate: the exchange knows the account's real margin)",
                style=p.warning,
            )
        out.append(ex)
    if pos.imported and pos.imported_ms is not None:
        out.append(
            Text(
                f"Imported from {pos.venue.value} (read {fmt_stamp(pos.imported_ms)}); "
                "u: keep an edited copy as your own",
                style=p.muted,
            )
        )
    if risk.liquidated:
        when = fmt_stamp(risk.liquidated_at_ms) if risk.liquidated_at_ms is not None else "an unknown time"
        out.append(
            Text(
                f"LIQUIDATED: price traded through {_price(risk.liquidation_price)} at {when}",
                style=f"bold {p.down}",
            )
        )
    out.append(Text(""))
    out.append(Text("Between price and liquidation", style=p.title))
    if risk.liquidated or risk.mark is None:
        out.append(Text("n/a", style=p.muted))
    else:
        if not risk.levels_between and not risk.clusters_between:
            out.append(Text("no support/resistance zone and no estimated cluster", style=p.muted))
        for level in risk.levels_between:
            move = (level.price / risk.mark - 1) * 100
            out.append(Text(f"  zone {plain(level.name, 40)}  ({move:+.1f}%)"))
        for cluster in risk.clusters_between:
            move = (cluster.price / risk.mark - 1) * 100
            out.append(
                Text(
                    f"  est. {cluster.side.value} liquidations ~{fmt_usd(cluster.usd)} at "
                    f"{fmt_price(cluster.price)} ({move:+.1f}%) (estimate)"
                )
            )
    out.append(Text(""))
    out.append(Text("Shocks (adverse moves from the mark)", style=p.title))
    out.extend(shock_rows(risk, frame, width))
    for note in risk.notes:
        out.extend(wrap_plain(f"note: {note}", width, style=p.muted))
    return lines(out)


def shock_rows(risk: PositionRisk, frame: Frame, width: int) -> Sequence[Text]:
    """``-10%  55,800  -$3,500  survives yes`` per shock."""
    p = frame.palette
    if not risk.shocks:
        return [Text("n/a (no mark, or already liquidated)", style=p.muted)]
    cols = [
        Column("Shock", [Text(plain(s.label, 40)) for s in risk.shocks]),
        Column("Move", [Text(fmt_pct(s.move_pct, 1)) for s in risk.shocks], "right", priority=2),
        Column("Price", [Text(fmt_price(s.price)) for s in risk.shocks], "right", priority=1),
        Column("PnL", [Text(_usd(s.pnl_usd, True), style=p.signed(s.pnl_usd)) for s in risk.shocks], "right"),
        Column(
            "Survives",
            [
                Text("yes", style=p.up) if s.survives else Text("no: LIQUIDATED", style=f"bold {p.down}")
                for s in risk.shocks
            ],
        ),
    ]
    return table(cols, width)


def market_shock_rows(portfolio: Portfolio, frame: Frame, width: int) -> Sequence[Text]:
    """Every position shocked by the same % at once."""
    p = frame.palette
    if not portfolio.shocks:
        return [Text("n/a", style=p.muted)]
    cols = [
        Column("All symbols", [Text(fmt_pct(s.move_pct, 0)) for s in portfolio.shocks], "right"),
        Column(
            "PnL", [Text(_usd(s.pnl_usd, True), style=p.signed(s.pnl_usd)) for s in portfolio.shocks], "right"
        ),
        Column(
            "Liquidated",
            [Text(", ".join(plain(x, 16) for x in s.liquidated) or "none") for s in portfolio.shocks],
            max_width=60,
        ),
    ]
    return table(cols, width)
