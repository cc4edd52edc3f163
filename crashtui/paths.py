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


def write_atomic(target: Path, text: str, *, mode: int | None = None) -> None:
    """Replace ``target`` with ``text`` so a reader (or a kill) sees the old file or the new one,
    never half of one: a temp file beside it, flushed to disk, then renamed over it.
    ``mode`` (e.g. ``0o600``) is set before the rename. Raises OSError."""
    import tempfile

    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}-", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
