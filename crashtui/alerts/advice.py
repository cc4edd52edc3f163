"""Start-up notes about rules that cannot fire as written (shown by ``crashtui watch``).

The config is valid either way; these depend on the watchlist, the pinned levels (the recording
adds its own in replay), enabled sources and what is installed on this machine.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path

from crashtui.config.alerts_schema import AlertRule, AlertsConfig, SourceFailingRule, ZoneRule
from crashtui.config.schema import Config
from crashtui.numfmt import fmt_price


def rule_notes(
    config: Config, alerts: AlertsConfig, watchlist: Sequence[str], pinned: Mapping[str, Sequence[float]]
) -> list[str]:
    """One line per rule (or hook) that will not work as the user probably expects."""
    notes: list[str] = []
    for rule in alerts.rules:
        if rule.enabled:
            notes.extend(
                f"rule {rule.name!r}: {text}" for text in _rule_notes(config, rule, watchlist, pinned)
            )
    if alerts.command:
        program = alerts.command[0]
        found = Path(program).expanduser().is_file() if "/" in program else shutil.which(program) is not None
        if not found:
            notes.append(f"alerts.command: {program!r} was not found; alerts are still logged")
    return notes


def _rule_notes(
    config: Config, rule: AlertRule, watchlist: Sequence[str], pinned: Mapping[str, Sequence[float]]
) -> list[str]:
    symbol = getattr(rule, "symbol", None)
    if symbol is not None and symbol not in watchlist:
        return [f"{symbol} is not in the watchlist ({', '.join(watchlist)}); it will not fire"]
    if isinstance(rule, ZoneRule):
        symbols = [symbol] if symbol else list(watchlist)
        if rule.level is not None and symbol is not None and rule.level not in pinned.get(symbol, ()):
            return [
                f"{fmt_price(rule.level)} is not pinned for {symbol}; it fires only while a zone contains "
                f"that price (pin it: [zones.{symbol}] levels = [{rule.level:g}])"
            ]
        if rule.level is None and rule.zones == "pinned" and not any(pinned.get(s) for s in symbols):
            return [f"no levels are pinned for {', '.join(symbols)} ([zones.SYMBOL] levels = [...])"]
    if isinstance(rule, SourceFailingRule) and rule.source and not config.source(rule.source).enabled:
        return [f"source {rule.source} is disabled; it will not fire"]
    return []
