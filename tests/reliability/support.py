"""Helpers of the reliability suite: configs pointing every source at the fault server."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from crashtui.catalog import SOURCES
from crashtui.config.parse import parse_config
from crashtui.config.schema import Config
from crashtui.themes import theme_names
from tests.reliability.fault_server import FaultServer

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Tight timings so a fault plays out in well under a second of real time.
FAST_NET = {"connect_timeout_s": 0.5, "read_timeout_s": 0.3, "max_body_mb": 1.0}


def config_data(
    server: FaultServer,
    *,
    polling: Mapping[str, float] | None = None,
    sources: Mapping[str, Mapping[str, Any]] | None = None,
    net: Mapping[str, float] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A TOML-shaped config document with every source pointed at ``server``."""
    tables: dict[str, dict[str, Any]] = {name: {"base_url": url} for name, url in server.base_urls().items()}
    for name, values in (sources or {}).items():
        tables[name].update(values)
    data: dict[str, Any] = {
        "sources": tables,
        "net": dict(FAST_NET if net is None else net),
        "watchlists": {"default": "test", "test": {"symbols": ["BTC", "ETH"]}},
    }
    if polling:
        data["polling"] = dict(polling)
    data.update(extra or {})
    return data


def make_config(server: FaultServer, **kwargs: Any) -> Config:
    """A validated Config (through the real config parser) pointing at ``server``."""
    config = parse_config(config_data(server, **kwargs), "(reliability)", themes=tuple(theme_names()), env={})
    for name in SOURCES:
        assert config.base_url(name).split("/")[2].split(":")[0] in LOOPBACK_HOSTS, name
    return config


def toml_text(data: Mapping[str, Any]) -> str:
    """Write a (flat enough) config document as TOML, for tests that run the CLI on a file."""
    lines: list[str] = []

    def value(v: Any) -> str:
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        raise TypeError(type(v).__name__)

    def table(prefix: str, mapping: Mapping[str, Any]) -> None:
        scalars = {k: v for k, v in mapping.items() if not isinstance(v, Mapping)}
        if prefix and scalars:
            lines.append(f"[{prefix}]")
        for k, v in scalars.items():
            lines.append(f"{k} = {value(v)}")
        if scalars:
            lines.append("")
        for k, v in mapping.items():
            if isinstance(v, Mapping):
                table(f"{prefix}.{k}" if prefix else k, v)

    table("", data)
    return "\n".join(lines)
