"""Themes as data: TOML files in the bundled ``themes/`` dir and the user config dir.

This module only finds and reads theme files (headless); ``crashtui.ui`` turns a
:class:`ThemeSpec` into a Textual theme. A bad theme file is reported, never fatal.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from crashtui.paths import bundled_dir, user_config_dir

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

COLOR_KEYS = (
    "primary",
    "secondary",
    "accent",
    "foreground",
    "background",
    "surface",
    "panel",
    "warning",
    "error",
    "success",
)
# Semantic colours the dashboard uses beyond Textual's palette.
VARIABLE_KEYS = ("up", "down", "support", "resistance", "stale", "muted")
DEFAULT_THEME = "dark"
_COLOR_RE = re.compile(r"^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|ansi_[a-z_]+|[a-z]+)$")


class ThemeError(Exception):
    """A theme file could not be used; ``str()`` is a one-line reason."""


@dataclass(frozen=True, slots=True)
class ThemeSpec:
    """A validated theme: Textual palette colours plus crashtui's semantic colours."""

    name: str
    dark: bool
    colors: Mapping[str, str]
    variables: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    ansi: bool = False


def theme_dirs() -> list[Path]:
    """Bundled themes first, then the user's (a user theme may shadow a bundled one)."""
    return [bundled_dir("themes"), user_config_dir() / "themes"]


def theme_files() -> dict[str, Path]:
    """Map of theme name to file, user themes overriding bundled ones."""
    found: dict[str, Path] = {}
    for directory in theme_dirs():
        if directory.is_dir():
            for path in sorted(directory.glob("*.toml")):
                found[path.stem] = path
    return found


def theme_names() -> list[str]:
    """Names of every theme that exists (valid or not)."""
    return sorted(theme_files())


def read_theme(path: Path) -> ThemeSpec:
    """Read and validate one theme file or raise :class:`ThemeError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ThemeError(f"{path}: {str(exc).splitlines()[0]}") from None
    dark = data.get("dark", True)
    if not isinstance(dark, bool):
        raise ThemeError(f"{path}: dark: expected true or false")
    colors = data.get("colors", {})
    variables = data.get("variables", {})
    if not isinstance(colors, dict) or not isinstance(variables, dict):
        raise ThemeError(f"{path}: expected [colors] and [variables] tables")
    for section, table, allowed in (("colors", colors, COLOR_KEYS), ("variables", variables, VARIABLE_KEYS)):
        for key, value in table.items():
            if key not in allowed:
                raise ThemeError(f"{path}: {section}.{key}: unknown colour name")
            if not isinstance(value, str) or not _COLOR_RE.match(value):
                raise ThemeError(f"{path}: {section}.{key}: expected a colour like '#1e90ff' or 'ansi_red'")
    for key in ("primary", "background", "foreground"):
        if key not in colors:
            raise ThemeError(f"{path}: colors.{key}: missing")
    ansi = data.get("ansi", False)
    if not isinstance(ansi, bool):
        raise ThemeError(f"{path}: ansi: expected true or false")
    return ThemeSpec(
        name=path.stem,
        dark=dark,
        colors=MappingProxyType(dict(colors)),
        variables=MappingProxyType(dict(variables)),
        ansi=ansi,
    )


def load_theme(name: str) -> tuple[ThemeSpec, str | None]:
    """The named theme, or the default with a warning when it is missing or broken."""
    files = theme_files()
    path = files.get(name)
    if path is not None:
        try:
            return read_theme(path), None
        except ThemeError as exc:
            warning = f"theme {name!r} is unusable ({exc}); using {DEFAULT_THEME!r}"
    else:
        warning = f"theme {name!r} not found; using {DEFAULT_THEME!r}"
    return read_theme(files[DEFAULT_THEME]), warning
