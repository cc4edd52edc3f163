"""Positions drilldown: every position, the selected one in full (liquidation, what stands
between, shocks), the whole book shocked at once; add, edit and remove keys."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.common import lines
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.positions import market_shock_rows, portfolio_of, position_detail, positions_table
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView


class PositionsScreen(Drilldown):
    """How far is each liquidation, and what does a further drop do?"""

    TITLE_TEXT = "Positions: liquidation (estimate), levels and clusters in between, shocks"
    KEYS_TEXT = "↑↓ select  n add  u edit  d remove "
    BINDINGS = [
        Binding("up,k", "move(-1)", "Previous position", show=False, priority=True, id="positions.up"),
        Binding("down,j", "move(1)", "Next position", show=False, priority=True, id="positions.down"),
        Binding("u,enter", "app.position_edit", "Edit the position", show=False, id="positions.screen.edit"),
        Binding(
            "D,delete", "app.position_remove", "Remove the position", show=False, id="positions.screen.remove"
        ),
    ]

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__(glyphs)
        self.selected = 0
        if glyphs.ascii:
            self.KEYS_TEXT = "up/down select  n add  u edit  d remove "

    def compose_body(self) -> ComposeResult:
        """Table, the selected position, the book shocked at once."""
        yield TextView(id="positions-table")
        yield TextView(id="positions-detail-title", classes="section-title")
        yield TextView(id="positions-detail")
        yield TextView(id="positions-shocks-title", classes="section-title")
        yield TextView(id="positions-shocks")

    def select(self, index: int) -> None:
        """Put the selection on ``index`` (clamped) and redraw."""
        count = self.frame.positions if self.frame is not None else 0
        self.selected = max(0, min(index, count - 1)) if count else 0
        self.refresh_from_last()

    def action_move(self, step: int) -> None:
        """Move the selection."""
        self.select(self.selected + step)

    def render_body(self, frame: Frame) -> None:
        """Fill the sections."""
        if frame.positions and self.selected >= frame.positions:
            self.selected = frame.positions - 1
        selected = self.selected
        self.show_text("positions-table", lambda w: positions_table(frame, w, selected))
        portfolio = portfolio_of(frame)
        has = portfolio is not None and bool(portfolio.positions)
        self.show_text("positions-detail-title", lambda w: Text("Selected position" if has else ""))
        self.show_text("positions-detail", lambda w: position_detail(frame, selected, w))
        self.show_text(
            "positions-shocks-title",
            lambda w: Text("Every symbol moved at once (portfolio shocks)" if has else ""),
        )
        self.show_text(
            "positions-shocks",
            lambda w: (
                lines(list(market_shock_rows(portfolio, frame, w)))
                if portfolio is not None and has
                else Text("")
            ),
        )
