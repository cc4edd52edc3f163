"""Human-readable summary of a loaded config (``--check-config``); keys masked."""

from __future__ import annotations

from crashtui.catalog import SOURCES
from crashtui.config.alerts_schema import AlertsConfig
from crashtui.config.loader import LoadedConfig
from crashtui.textsafe import plain


def summarize(loaded: LoadedConfig) -> str:
    """A multi-line summary that never contains an API key."""
    cfg = loaded.config
    where = str(loaded.path) if loaded.path else "(no file)"
    lines = [f"config OK: {where} ({loaded.origin})"]
    lines.append(f"theme: {cfg.ui.theme}")
    for wl in cfg.watchlists:
        mark = " (default)" if wl.name == cfg.default_watchlist else ""
        lines.append(f"watchlist {plain(wl.name)}{mark}: {', '.join(wl.symbols)}")
    lines.append("sources:")
    for name, info in SOURCES.items():
        sc = cfg.source(name)
        state = "enabled" if sc.enabled else "disabled"
        parts = [f"  {name:<15} {state:<8}", cfg.base_url(name)]
        if sc.poll_interval_s is not None:
            parts.append(f"every {sc.poll_interval_s:g}s")
        if sc.api_key:
            parts.append(f"api_key {sc.masked_key} (from {sc.api_key_from})")
        elif info.keyed:
            parts.append("api_key (none, optional)")
        lines.append("  ".join(parts))
    lines.append(
        "failover: " + "; ".join(f"{kind}: {' > '.join(order)}" for kind, order in cfg.failover.items())
    )
    if cfg.zones:
        lines.append(
            "pinned zones: "
            + "; ".join(f"{sym} {', '.join(f'{lv:g}' for lv in levels)}" for sym, levels in cfg.zones.items())
        )
    lines.append(_alerts_line(cfg.alerts))
    return "\n".join(lines)


def _alerts_line(alerts: AlertsConfig) -> str:
    """The [alerts] rules and deliveries on one line (the live log path is resolved here)."""
    from crashtui.config.alerts_schema import resolve_log_path

    rules = [r for r in alerts.rules if r.enabled]
    names = ", ".join(f"{r.name} ({r.kind})" for r in rules) or "none"
    log = resolve_log_path(alerts, "live")
    command = " ".join(alerts.command) if alerts.command else "none"
    return (
        f"alerts: {len(rules)} rules: {names}; log: {log or 'off'}; bell: {'on' if alerts.bell else 'off'}; "
        f"desktop: {alerts.desktop}; command: {command} (timeout {alerts.command_timeout_s:g}s)"
    )
