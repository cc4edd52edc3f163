"""The Liquidations pane: 1h/4h/24h totals by venue with long share, cascade badge, latest big orders."""

from __future__ import annotations

from rich.text import Text

from crashtui.analysis.liquidations import LiquidationStats, SideSplit, WindowTally
from crashtui.model import Liquidation, Side
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_clock, fmt_price, fmt_usd
from crashtui.ui.render.common import Column, ext, fit, join, lines, table, wrap_plain
from crashtui.ui.render.frame import Frame

WINDOWS = ("1h", "4h", "24h")
LARGE_USD = 1_000_000.0


def split_for(window: WindowTally | None, name: str) -> SideSplit | None:
    """The row called ``name`` (``ALL`` or a venue) in a window."""
    if window is None:
        return None
    if name == "ALL":
        return window.total
    return next((v for v in window.by_venue if v.name == name), None)


def long_share_text(split: SideSplit | None, frame: Frame) -> Text:
    """``95% L`` coloured by which side dominates."""
    if split is None or split.long_share is None:
        return Text("–", style=frame.palette.muted)
    share = split.long_share * 100
    style = frame.palette.down if share >= 60 else frame.palette.up if share <= 40 else ""
    return Text(f"{share:.0f}% L", style=style)


def cascade_line(stats: LiquidationStats, frame: Frame, width: int = 200) -> Text:
    """The cascade badge: open cascade with start, peak rate and side; else the current rate."""
    p, g = frame.palette, frame.glyphs
    c = stats.cascade
    if c is not None:
        side = "longs" if c.dominant_side is Side.LONG else "shorts"
        badge = Text(f"{g.warn} CASCADE", style=f"bold reverse {p.down}")
        long_form = f" since {fmt_clock(c.start_ms)} peak {fmt_usd(c.peak_rate_usd)}/5m {side}"
        short_form = f" {fmt_clock(c.start_ms)[:5]} {fmt_usd(c.peak_rate_usd)}/5m {side}"
        detail = long_form if badge.cell_len + len(long_form) <= width else short_form
        return fit(badge + Text(detail, style=f"bold {p.down}"), width)
    rate = f"rate {fmt_usd(stats.rate_usd)}/{stats.rate_window_s // 60}m"
    text = f"no cascade {g.sep} {rate} (cascade at {fmt_usd(stats.cascade_threshold_usd)})"
    if len(text) > width:
        text = f"no cascade {g.sep} {rate}"
    return fit(Text(text, style=p.muted), width)


def order_line(liq: Liquidation, frame: Frame, width: int = 200) -> Text:
    """``13:58 binance BTC long $4.1M @ 59,954`` (the price is dropped when narrow)."""
    p = frame.palette
    side = "long" if liq.liquidated_side is Side.LONG else "short"
    parts = [
        Text(fmt_clock(liq.ts_ms)[:5], style=p.muted),
        ext(liq.venue, 10),
        ext(liq.symbol, 10, style="bold"),
        Text(side, style=p.down if side == "long" else p.up),
        Text(fmt_usd(liq.notional_usd), style="bold"),
    ]
    line = join([*parts, Text(f"@ {fmt_price(liq.price)}", style=p.muted)])
    if line.cell_len > width:
        line = join(parts)
    return fit(line, width)


def latest_large(frame: Frame, count: int) -> list[Liquidation]:
    """The newest liquidations of at least $1M (else the newest of any size)."""
    recent = frame.snapshot.liquidations
    big = [liq for liq in reversed(recent) if liq.notional_usd >= LARGE_USD]
    chosen = big if big else list(reversed(recent))
    return chosen[:count]


def build_liquidations(frame: Frame, width: int, height: int) -> Text:
    """The pane body for ``width`` × ``height``."""
    p = frame.palette
    stats = frame.analysis.liquidations
    windows = {name: stats.window(name) for name in WINDOWS}
    day = windows["24h"]
    if day is None or (day.total.count == 0 and not frame.snapshot.liquidations):
        msg = "no liquidations yet"
        if frame.live:
            msg += " (streams connecting, or blocked: press s)"
        return lines(wrap_plain(msg, width, p.muted), height)
    names = ["ALL", *day.venues]
    sampled = set(day.sampled_venues)
    label_cells = [
        Text(plain(n.upper() if n == "ALL" else n + ("*" if n in sampled else ""), 12), style="bold")
        for n in names
    ]
    columns = [Column("", label_cells, priority=0, max_width=10)]
    for name in WINDOWS:
        cells = []
        for venue in names:
            split = split_for(windows[name], venue)
            cells.append(
                Text(fmt_usd(split.total_usd) if split else "–", style="bold" if venue == "ALL" else "")
            )
        columns.append(Column(name, cells, "right", priority=0 if name != "4h" else 2))
    columns.append(Column("24h L", [long_share_text(split_for(day, n), frame) for n in names], "right", 1))
    hour = windows["1h"]
    columns.append(Column("1h L", [long_share_text(split_for(hour, n), frame) for n in names], "right", 4))
    shorts = [split_for(day, n) for n in names]
    columns.append(
        Column(
            "24h short",
            [Text(fmt_usd(s.short_usd) if s else "–", style=p.up) for s in shorts],
            "right",
            priority=3,
        )
    )
    rows = table(columns, width)
    if sampled:
        note = "* sampled feed: totals are a lower bound" if width >= 42 else "* sampled: a lower bound"
        rows.append(fit(Text(note, style=p.muted), width))
    rows.append(cascade_line(stats, frame, width))
    room = height - len(rows)
    if room > 0:
        rows.extend(order_line(liq, frame, width) for liq in latest_large(frame, room))
    return lines(rows, height)
