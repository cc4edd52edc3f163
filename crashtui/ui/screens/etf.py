"""ETF drilldown: per-fund table by day, cumulative chart, BTC/ETH switch."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding

from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.common import fit
from crashtui.ui.render.drill_etf import asset_picker, cumulative_chart, fund_table, shares, summary_block
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.chart import ChartView
from crashtui.ui.widgets.textview import TextView


class EtfScreen(Drilldown):
    """Spot-ETF flows per fund."""

    TITLE_TEXT = "ETF flows: per fund and day, cumulative, streaks (US$ millions)"
    KEYS_TEXT = "1 BTC  2 ETH  tab switch"
    BINDINGS = [
        Binding("1", "asset(0)", "BTC ETFs", id="etf.btc"),
        Binding("2", "asset(1)", "ETH ETFs", id="etf.eth"),
        Binding("tab", "asset(-1)", "Other asset", id="etf.next"),
    ]

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__(glyphs)
        self.asset = "BTC"

    def compose_body(self) -> ComposeResult:
        """Picker, summary, fund table, shares, cumulative chart."""
        yield TextView(id="etf-picker")
        yield TextView(id="etf-summary")
        yield TextView(id="etf-table-title", classes="section-title")
        yield TextView(id="etf-table")
        yield TextView(id="etf-shares-title", classes="section-title")
        yield TextView(id="etf-shares")
        yield TextView(id="etf-chart-title", classes="section-title")
        yield ChartView(self.glyphs, id="etf-chart")

    def _assets(self, frame: Frame) -> list[str]:
        return [s.asset for s in frame.analysis.etf] or ["BTC", "ETH"]

    def render_body(self, frame: Frame) -> None:
        """Fill the sections for the chosen asset."""
        assets = self._assets(frame)
        self.show_text("etf-picker", lambda w: asset_picker(assets, self.asset, frame))
        summary = next((s for s in frame.analysis.etf if s.asset == self.asset), None)
        if summary is None:
            self.show_text(
                "etf-summary", lambda w: Text(f"no {self.asset} ETF flows yet", style=frame.palette.muted)
            )
            for section in (
                "etf-table-title",
                "etf-table",
                "etf-shares-title",
                "etf-shares",
                "etf-chart-title",
            ):
                self.show_text(section, lambda w: Text(""))
            return
        self.show_text("etf-summary", lambda w: summary_block(summary, frame))
        self.show_text(
            "etf-table-title",
            lambda w: Text(
                f"{self.asset} funds by day (US$m; funds by their net over these days, largest first)"
            ),
        )
        self.show_text("etf-table", lambda w: fund_table(summary, frame, w))
        self.show_text("etf-shares-title", lambda w: Text("Share of the latest day's gross flow"))
        self.show_text("etf-shares", lambda w: shares(summary, frame, w))
        spec, title = cumulative_chart(summary, frame)
        self.show_text("etf-chart-title", lambda w: fit(title, w))
        self.query_one("#etf-chart", ChartView).set_spec(spec, defer=frame.deferred_charts)

    def action_asset(self, index: int) -> None:
        """Switch between BTC and ETH (``-1``: the other one)."""
        if self.frame is None:
            return
        assets = self._assets(self.frame)
        if index < 0:
            current = assets.index(self.asset) if self.asset in assets else -1
            index = (current + 1) % len(assets)
        if index < len(assets):
            self.asset = assets[index]
            self.refresh_from_last()
