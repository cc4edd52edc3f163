"""`?` help: every key, what the badges and glyphs mean, where settings live."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.app import ComposeResult

from crashtui.paths import user_config_dir
from crashtui.ui.keys import KEYS, key_label
from crashtui.ui.prefs import state_path
from crashtui.ui.render.common import lines
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView

SCREEN_KEYS = (
    (
        "Symbol screen",
        "1-5 candles 5m / 15m / 1h / 4h / 1d (5m, 15m fetched while shown), i next timeframe, "
        "c candles or line, [ ] symbol",
    ),
    ("Symbol chart", "+ or = zoom in, - zoom out, , and . scroll older / newer, 0 newest"),
    ("Chart cursor", "{ } or ctrl+left ctrl+right: older / newer candle (readout under the chart)"),
    ("Chart layers", "L log scale, v volume, M 200D average, Z zones, B est. liq bands, O positions"),
    ("Chart pins", "P pins the cursor candle's close as a zone (again: unpins); zone alerts use it"),
    ("Chart alerts", "A saves a price alert at the cursor candle's close (see crashtui alerts)"),
    ("Liquidations screen", "1-4 window 1h / 4h / 24h / 72h"),
    ("ETF screen", "1 BTC, 2 ETH, tab the other asset"),
    ("Alert screen", "up/down select a price alert, enter or u edit, D or delete remove (A, E, X, M too)"),
    ("Anywhere", "ctrl+p command palette (every action by name), ctrl+q quit"),
)


def hanging(head: Text, body: str, width: int, style: str = "") -> list[Text]:
    """``head`` then ``body`` wrapped to ``width`` columns, continuation lines indented under
    the body's start: a narrow terminal reads every word instead of losing a line's end."""
    indent = head.cell_len if head.cell_len < width // 2 else 4
    parts = textwrap.wrap(body, max(12, width - indent)) or [""]
    first = head.copy()
    first.append(parts[0], style=style)
    return [first, *(Text(" " * indent + part, style=style) for part in parts[1:])]


def _wrapped(row: Text, width: int) -> list[Text]:
    """A one-style legend row wrapped like :func:`hanging`, under its own indent plus two."""
    text = row.plain
    if len(text) <= width:
        return [row]
    lead = len(text) - len(text.lstrip(" "))
    return hanging(Text(" " * lead), text.strip(), width, str(row.style))


def keys_text(frame: Frame, width: int = 200) -> Text:
    """Keys grouped as in :data:`KEYS`, wrapped to ``width``."""
    p = frame.palette
    rows: list[Text] = []
    group = ""
    for key in KEYS:
        if key.group != group:
            group = key.group
            rows.append(Text(group, style=f"bold {p.primary}"))
        head = Text.assemble((f"  {key_label(key, frame.glyphs.ascii):<12}", "bold"))
        rows.extend(hanging(head, key.description, width))
    rows.append(Text("Drilldown screens", style=f"bold {p.primary}"))
    for where, what in SCREEN_KEYS:
        rows.extend(hanging(Text.assemble((f"  {where}: ", "bold")), what, width))
    return lines(rows)


def legend_text(frame: Frame, width: int = 200) -> Text:
    """What the glyphs, badges and colours mean."""
    p, g = frame.palette, frame.glyphs
    rows = [
        Text("Status bar", style=f"bold {p.primary}"),
        Text(
            f"  {g.ok} ok (age shown from a minute)   {g.stale} stale   {g.failing} failing   "
            f"{g.blocked} blocked   {g.pending} connecting or waiting; s shows the reason"
        ),
        Text("Price", style=f"bold {p.primary}"),
        Text("  SUPPORT / RESIST: nearest zone level and the distance from price to its edge"),
        Text("  STATE: testing (inside a zone), BROKE BELOW a support / ABOVE a resistance (narrow: LOST,"),
        Text("    BROKE UP), back above/below (not reclaimed yet), support turned resistance (S->R, R->S),"),
        Text("    reclaimed, break failed, approaching, clear (docs/zones.md)"),
        Text("  48h: hourly closes; chart bands are zones, 200D is the 200-day average"),
        Text("Symbol chart", style=f"bold {p.primary}"),
        Text("  the title names the timeframe (5m, 15m, 1h, 4h, 1d), the candles in view and their span;"),
        Text("    5m and 15m are fetched for that symbol while shown, and say so while loading"),
        Text("Liquidations", style=f"bold {p.primary}"),
        Text("  * sampled feed (Binance and OKX publish a sample): totals are a lower bound"),
        Text("  CASCADE: the 5-minute liquidation rate is far above its 24 h baseline"),
        Text("ETF flows", style=f"bold {p.primary}"),
        Text(
            f"  one bar per trading day, height = size, colour = in or out; {g.unpublished} not published yet"
        ),
        Text("Fear", style=f"bold {p.primary}"),
        Text("  gauge 0-100 from weighted components; a missing component is left out, never counted calm"),
        Text("Times are UTC. In replay, every age is measured on the replay clock.", style=p.muted),
    ]
    return lines([part for row in rows for part in _wrapped(row, width)])


class HelpScreen(Drilldown):
    """Keys and legend."""

    TITLE_TEXT = "Help: keys, badges, files"

    def compose_body(self) -> ComposeResult:
        """Keys, legend, files."""
        yield TextView(id="help-keys")
        yield TextView(id="help-legend", classes="section-title")
        yield TextView(id="help-files", classes="section-title")

    def render_body(self, frame: Frame) -> None:
        """Fill the help text."""
        self.show_text("help-keys", lambda w: keys_text(frame, w))
        self.show_text("help-legend", lambda w: legend_text(frame, w))
        log_path = getattr(self.app, "alert_log_path", None)
        alert_log = log_path() if callable(log_path) else None
        files = Text.assemble(
            ("Files\n", f"bold {frame.palette.primary}"),
            (f"  config and themes: {user_config_dir()} (never rewritten by crashtui)\n", ""),
            (f"  watchlist edits: {state_path()}\n", ""),
            (f"  alert log: {alert_log or 'off ([alerts] log = false)'} (! lists it)", ""),
        )
        self.show_text("help-files", lambda w: files)
