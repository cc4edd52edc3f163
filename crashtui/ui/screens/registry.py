"""Where each drilldown screen lives, by the name its key and the palette use.

Screens are found here, never by importing each other; each is imported when first opened
(none is needed for the first paint). Adding a drilldown: write its screen (a
:class:`~crashtui.ui.screens.drilldown.Drilldown`) and add one line below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crashtui.ui.glyphs import Glyphs
    from crashtui.ui.screens.drilldown import Drilldown

DRILLDOWNS: dict[str, str] = {
    "liquidations": "crashtui.ui.screens.liquidations:LiquidationsScreen",
    "etf": "crashtui.ui.screens.etf:EtfScreen",
    "fear": "crashtui.ui.screens.fear:FearScreen",
    "macro": "crashtui.ui.screens.macro:MacroScreen",
    "sources": "crashtui.ui.screens.sources:SourcesScreen",
    "positions": "crashtui.ui.screens.positions:PositionsScreen",
    "recovery": "crashtui.ui.screens.recovery:RecoveryScreen",
    "liqmap": "crashtui.ui.screens.liqmap:LiqMapScreen",
}


def make_drilldown(name: str, glyphs: Glyphs) -> Drilldown:
    """The drilldown screen registered as ``name``."""
    module_name, _, class_name = DRILLDOWNS[name].partition(":")
    screen_class: type[Drilldown] = getattr(importlib.import_module(module_name), class_name)
    return screen_class(glyphs)
