"""Levels pinned on the dashboard's chart, for every engine that reads pinned zones.

The dashboard keeps them in the UI state file (``<user data dir>/ui-state.json``, key ``pins``,
written by :mod:`crashtui.ui.prefs`); ``--once`` and ``crashtui watch`` read them from there too,
so a zone alert with ``zones = "pinned"`` watches the same levels in a script as on screen.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

from crashtui.paths import user_data_dir

STATE_FILE = "ui-state.json"
Pins = Mapping[str, tuple[float, ...]]
NO_PINS: Pins = MappingProxyType({})


def parse_pins(raw: object) -> Pins:
    """The ``pins`` table of the state file: symbol → positive prices (ValueError otherwise)."""
    if raw is None:
        return NO_PINS
    if not isinstance(raw, dict):
        raise ValueError("pins is not a table")
    out: dict[str, tuple[float, ...]] = {}
    for symbol, levels in raw.items():
        if not isinstance(levels, list) or not all(
            isinstance(x, int | float) and not isinstance(x, bool) and 0 < x < math.inf for x in levels
        ):
            raise ValueError(f"pins of {str(symbol)[:20]!r} is not a list of positive prices")
        out[str(symbol)] = tuple(float(x) for x in levels)
    return MappingProxyType(out)


def load_saved_pins(path: Path | None = None) -> tuple[Pins, str | None]:
    """The pins saved by the dashboard, and a one-line warning when the file is unusable
    (a missing file means no pins, quietly)."""
    target = path or user_data_dir() / STATE_FILE
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return NO_PINS, None
    except (OSError, ValueError) as exc:
        return (
            NO_PINS,
            f"{target}: unreadable ({type(exc).__name__}); the dashboard's pinned levels are not used",
        )
    try:
        return parse_pins(data.get("pins") if isinstance(data, dict) else None), None
    except ValueError as exc:
        return NO_PINS, f"{target}: {exc}; the dashboard's pinned levels are not used"
