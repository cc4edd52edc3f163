"""Find, read and validate the config file; collect warnings (e.g. key file perms)."""

from __future__ import annotations

import os
import re
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from crashtui.config.parse import parse_config
from crashtui.config.reader import ConfigError
from crashtui.config.schema import Config
from crashtui.paths import user_config_dir
from crashtui.themes import theme_names

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on 3.10 only
    import tomli as tomllib

_TOML_POS = re.compile(r"^(?P<msg>.*?)\s*\(at line (?P<line>\d+), column (?P<col>\d+)\)$")


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    """A validated config plus where it came from and any warnings to show."""

    config: Config
    path: Path | None
    origin: str
    warnings: tuple[str, ...] = field(default=())


def find_config(cli_path: str | None, env: Mapping[str, str]) -> tuple[Path | None, str]:
    """Resolve which config file to read, in lookup order, and say why."""
    if cli_path:
        return Path(cli_path), "--config"
    env_path = env.get("CRASHTUI_CONFIG")
    if env_path:
        return Path(env_path), "$CRASHTUI_CONFIG"
    candidate = user_config_dir() / "config.toml"
    if candidate.is_file():
        return candidate, "user config dir"
    return None, "built-in defaults"


def read_toml(path: Path) -> dict[str, object]:
    """Read a TOML file; any problem becomes a one-line ConfigError."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: expected a TOML file, got a directory") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: expected UTF-8 text, got an invalid byte at offset {exc.start}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc).splitlines()[0]
        match = _TOML_POS.match(message)
        if match:
            raise ConfigError(
                f"{path}:{match['line']}:{match['col']}: TOML syntax error: {match['msg']}"
            ) from None
        raise ConfigError(f"{path}: TOML syntax error: {message}") from None


def _permission_warning(path: Path, config: Config) -> str | None:
    if not any(s.api_key and s.api_key_from == "config" for s in config.sources.values()):
        return None
    try:
        mode = path.stat().st_mode
    except OSError:
        return None
    if mode & (stat.S_IRGRP | stat.S_IROTH):
        return f"warning: {path} holds an API key and is readable by group/others; run: chmod 600 {path}"
    return None


def load_config(cli_path: str | None = None, env: Mapping[str, str] | None = None) -> LoadedConfig:
    """Load and validate the config following the documented lookup order."""
    environ = os.environ if env is None else env
    path, origin = find_config(cli_path, environ)
    themes = tuple(theme_names())
    if path is None:
        config = parse_config({}, "(defaults)", themes=themes, env=environ)
        return LoadedConfig(config, None, origin)
    data = read_toml(path)
    config = parse_config(data, str(path), themes=themes, env=environ)
    warning = _permission_warning(path, config)
    return LoadedConfig(config, path, origin, (warning,) if warning else ())


def with_saved_alerts(loaded: LoadedConfig, path: Path | None = None, *, strict: bool = True) -> LoadedConfig:
    """``loaded`` with the alerts saved by ``crashtui alerts add`` or the app appended to its
    rules (see :mod:`crashtui.config.user_alerts`). An invalid file raises ConfigError, or with
    ``strict=False`` adds a one-line warning and leaves the rules as the config has them (the
    dashboard and ``watch`` run on and pick the file up once it is fixed)."""
    from dataclasses import replace

    from crashtui.config.user_alerts import load_user_alerts, user_alerts_path, with_user_alerts

    target = path or user_alerts_path()
    try:
        saved = load_user_alerts(target)
    except ConfigError as exc:
        if strict:
            raise
        warning = f"warning: {exc}; the saved price alerts are off until it is fixed"
        return replace(loaded, warnings=(*loaded.warnings, warning))
    if not saved:
        return loaded
    alerts = with_user_alerts(loaded.config.alerts, saved, file=str(target))
    return replace(loaded, config=replace(loaded.config, alerts=alerts))
