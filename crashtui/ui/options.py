"""The dashboard's run options (from CLI flags and ``[ui]``)."""

from __future__ import annotations

import argparse
from dataclasses import dataclass

from crashtui.config.schema import UiConfig


@dataclass(frozen=True, slots=True)
class UiOptions:
    """How to draw: one pane or all, glyph set, mouse, theme, refresh period."""

    pane: str | None = None
    ascii: bool = False
    mouse: bool = True
    theme: str = "dark"
    tick_s: float = 1.0
    start_engine: bool = True
    show_timings: bool = True


def options_from(args: argparse.Namespace, ui: UiConfig) -> UiOptions:
    """CLI flags win over ``[ui]``."""
    return UiOptions(
        pane=getattr(args, "pane", None),
        ascii=bool(getattr(args, "ascii", False) or ui.ascii),
        mouse=ui.mouse and not getattr(args, "no_mouse", False),
        theme=getattr(args, "theme", None) or ui.theme,
    )
