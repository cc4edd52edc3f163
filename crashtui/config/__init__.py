"""Configuration: TOML lookup, validation into frozen structures, secrets handling."""

from crashtui.config.loader import LoadedConfig, load_config
from crashtui.config.reader import ConfigError
from crashtui.config.schema import Config, SourceConfig, Watchlist, mask_secret

__all__ = ["Config", "ConfigError", "LoadedConfig", "SourceConfig", "Watchlist", "load_config", "mask_secret"]
