"""Which layout a terminal size gets: a 2×2 grid, the compact grid, or one pane with tabs."""

from __future__ import annotations

from crashtui.config.schema import UiConfig

PANES = ("price", "liquidations", "etf", "fear", "positions", "macro", "recovery")
TITLES = {
    "price": "Price",
    "liquidations": "Liquidations",
    "etf": "ETF flows",
    "fear": "Fear",
    "positions": "Positions",
    "macro": "Macro",
    "recovery": "Recovery",
}
# The tab strip's titles when the full ones do not fit
SHORT_TITLES = {
    "price": "Price",
    "liquidations": "Liq",
    "etf": "ETF",
    "fear": "Fear",
    "positions": "Pos",
    "macro": "Macro",
    "recovery": "Recov",
}
# Panes shown only in the one-pane layout (tabs, --pane); the grid shows their summary line.
SINGLE_ONLY = ("positions", "macro", "recovery")
WIDE = "wide"
COMPACT = "compact"
SINGLE = "single"


def layout_mode(cols: int, rows: int, ui: UiConfig, pane: str | None = None) -> str:
    """``wide`` at or above the wide thresholds, ``compact`` at or above the compact ones, else ``single``.

    ``pane`` (``--pane``) always gives the single-pane layout.
    """
    if pane is not None:
        return SINGLE
    if cols >= ui.wide_min_cols and rows >= ui.wide_min_rows:
        return WIDE
    if cols >= ui.compact_min_cols and rows >= ui.compact_min_rows:
        return COMPACT
    return SINGLE
