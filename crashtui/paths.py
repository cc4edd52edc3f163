"""Where crashtui keeps its files (platformdirs), overridable for tests."""

from __future__ import annotations

import os
from pathlib import Path


def user_config_dir() -> Path:
    """Directory of the user's ``config.toml`` and themes (``$CRASHTUI_CONFIG_DIR`` wins)."""
    override = os.environ.get("CRASHTUI_CONFIG_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_config_dir("crashtui", appauthor=False))


def user_data_dir() -> Path:
    """Directory of the history store and state file (``$CRASHTUI_DATA_DIR`` wins)."""
    override = os.environ.get("CRASHTUI_DATA_DIR")
    if override:
        return Path(override)
    import platformdirs

    return Path(platformdirs.user_data_dir("crashtui", appauthor=False))


def bundled_dir(name: str) -> Path:
    """A data directory shipped with the package (``themes``, ``scenarios``).

    Installed wheels carry it inside the package; an editable checkout finds it
    at the repository root.
    """
    inside = Path(__file__).resolve().parent / name
    if inside.is_dir():
        return inside
    return Path(__file__).resolve().parent.parent / name
