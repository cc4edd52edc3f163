"""Macro and stress drilldown: the risk-off read and every macro series, correlation with
equities, jobless claims, Nasdaq, stablecoin borrow APY, spreads, funding."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult

from crashtui.ui.render.drill_macro import borrow, claims, funding_overview, nasdaq, spreads
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.macro import correlation_lines, risk_off_lines, series_table
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView

SECTIONS = (
    ("macro-riskoff", "Risk-off read (from the day changes below)", risk_off_lines),
    (
        "macro-series",
        "Macro series: latest, change from the previous observation, trend, as of",
        series_table,
    ),
    ("macro-corr", "Correlation of daily returns (30-day window)", correlation_lines),
    ("macro-claims", "US initial jobless claims (FRED ICSA, weekly)", claims),
    ("macro-nasdaq", "Nasdaq and crypto moving together (FRED NASDAQCOM)", nasdaq),
    ("macro-borrow", "Stablecoin borrow APY (DefiLlama)", borrow),
    ("macro-spreads", "Spreads and order-book depth", spreads),
    ("macro-funding", "Perpetual funding", funding_overview),
)


class MacroScreen(Drilldown):
    """Is the stress spreading beyond crypto?"""

    TITLE_TEXT = "Macro and stress: risk-off read, macro series, correlation, claims, borrow, spreads"

    def compose_body(self) -> ComposeResult:
        """One titled section per stress signal."""
        for widget_id, _, _ in SECTIONS:
            yield TextView(id=f"{widget_id}-title", classes="section-title")
            yield TextView(id=widget_id)

    def render_body(self, frame: Frame) -> None:
        """Fill every section."""
        for widget_id, title, builder in SECTIONS:
            heading = Text(title)
            self.show_text(f"{widget_id}-title", lambda w, t=heading: t)  # type: ignore[misc]
            self.show_text(widget_id, lambda w, b=builder: b(frame, w))  # type: ignore[misc]
