"""Price alerts set from the app or ``crashtui alerts``, kept beside the config, never in it.

``<user data dir>/user-alerts.json`` holds a list of alerts written as a trader says them
("BTC below 62000", "ETH crosses 1,826"). Each becomes a ``price_cross`` rule, validated by the
same parser as ``[[alerts.rules]]`` in the config, so a hand-edited file fails with the same
one-line errors (key path and what was expected). The config file is never rewritten.

Writers (the CLI and the dashboard, possibly at once) read, change and write the file under an
exclusive lock; the write is atomic (temp file, fsync, rename), so a kill never leaves half a
file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from crashtui.config.alerts_parse import parse_rule
from crashtui.config.alerts_schema import AlertRule, AlertsConfig, PriceCrossRule
from crashtui.config.reader import ConfigError, Table
from crashtui.numfmt import fmt_price
from crashtui.paths import user_data_dir, write_atomic

USER_ALERTS_FILE = "user-alerts.json"
VERSION = 1
MAX_ALERTS = 500  # a hand-edited file of thousands of alerts is refused, not evaluated each tick

# "what the trader says" → the rule's direction
OPERATORS = {"below": "down", "under": "down", "above": "up", "over": "up", "crosses": "any", "cross": "any"}
CANONICAL_OP = {"down": "below", "up": "above", "any": "crosses"}
_PHRASE = re.compile(
    r"^\s*(?P<symbol>[A-Za-z][A-Za-z0-9]{0,14})\s+(?P<op>[a-z]+)\s+\$?(?P<level>[0-9][0-9,_]*(?:\.[0-9]+)?)"
    r"(?P<mult>[kKmM]?)\s*$"
)


@dataclass(frozen=True, slots=True)
class UserAlert:
    """One alert the user set: ``symbol`` crosses ``level`` in ``direction`` (up, down, any)."""

    id: int
    symbol: str
    direction: str
    level: float
    muted: bool = False
    severity: str = "warning"
    cooldown_s: float = 600.0
    created_ms: int = 0

    @property
    def phrase(self) -> str:
        """The alert as the user would say it: ``BTC below 62,000``."""
        return f"{self.symbol} {CANONICAL_OP[self.direction]} {fmt_price(self.level)}"

    @property
    def rule_name(self) -> str:
        """The rule's name in the alert log and on screen (unique: it carries the id)."""
        return f"{self.phrase} (#{self.id})"


def parse_phrase(text: str) -> tuple[str, str, float]:
    """``"BTC below 62,000"`` → ``("BTC", "down", 62000.0)``; ``62k`` and ``$62000`` work too.

    Raises ValueError with a one-line reason when the text is not such a phrase.
    """
    match = _PHRASE.match(text)
    if match is None:
        raise ValueError(
            f"cannot read {text.strip()[:60]!r}: expected SYMBOL below|above|crosses PRICE, "
            "e.g. 'BTC below 62000'"
        )
    op = match["op"]
    if op not in OPERATORS:
        raise ValueError(f"cannot read {op!r}: expected one of below, above, crosses")
    level = float(match["level"].replace(",", "").replace("_", ""))
    level *= {"": 1.0, "k": 1e3, "m": 1e6}[match["mult"].lower()]
    if not math.isfinite(level) or level <= 0:
        raise ValueError(f"expected a positive price, got {match['level']}{match['mult']}")
    return match["symbol"].upper(), OPERATORS[op], level


def user_alerts_path() -> Path:
    """Where the user's alerts live."""
    return user_data_dir() / USER_ALERTS_FILE


def to_rule(alert: UserAlert, *, file: str = USER_ALERTS_FILE, index: int = 0) -> PriceCrossRule:
    """The ``price_cross`` rule of ``alert``, validated by the config's own rule parser."""
    table = {
        "kind": "price_cross",
        "name": alert.rule_name,
        "symbol": alert.symbol,
        "level": alert.level,
        "direction": alert.direction,
        "severity": alert.severity,
        "cooldown_s": alert.cooldown_s,
        "enabled": not alert.muted,
    }
    rule = parse_rule(Table(table, f"alerts[{index}]", file))
    assert isinstance(rule, PriceCrossRule)
    return rule


def _entry(t: Table, index: int) -> UserAlert:
    alert_id = t.optional_number("id", positive=True, what="a whole number")
    if alert_id is None or alert_id != int(alert_id):
        t.fail("id", "expected a whole number above 0")
    symbol = t.optional_string("symbol")
    if symbol is None:
        t.fail("symbol", "expected a symbol like 'BTC', but the key is missing")
    level = t.optional_number("level", positive=True, what="a price")
    if level is None:
        t.fail("level", "expected a price, but the key is missing")
    alert = UserAlert(
        id=int(alert_id),
        symbol=symbol,
        direction=t.string("direction", "any", choices=tuple(CANONICAL_OP)),
        level=level,
        muted=t.boolean("muted", False),
        severity=t.string("severity", "warning", choices=("info", "warning", "critical")),
        cooldown_s=t.number("cooldown_s", 600.0, minimum=0, what="seconds"),
        created_ms=int(t.number("created_ms", 0, minimum=0, what="epoch milliseconds")),
    )
    to_rule(alert, file=t.file, index=index)  # the config's validation, with the same messages
    return alert


def load_user_alerts(path: Path | None = None) -> tuple[UserAlert, ...]:
    """The saved alerts (none when the file does not exist); raises ConfigError naming the file
    and key path when it is unreadable or invalid."""
    target = path or user_alerts_path()
    try:
        raw = target.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise ConfigError(f"{target}: cannot read: {exc.strerror}") from None
    try:
        doc = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{target}: not JSON ({str(exc).splitlines()[0][:80]})") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("alerts", []), list):
        raise ConfigError(f"{target}: alerts: expected a list of alerts")
    entries = doc.get("alerts", [])
    if len(entries) > MAX_ALERTS:
        raise ConfigError(f"{target}: alerts: expected at most {MAX_ALERTS} alerts, got {len(entries)}")
    alerts = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise ConfigError(f"{target}: alerts[{index}]: expected a table of keys")
        alerts.append(_entry(Table(entry, f"alerts[{index}]", str(target)), index))
    ids = [a.id for a in alerts]
    if len(set(ids)) != len(ids):
        raise ConfigError(f"{target}: alerts: two alerts share an id")
    return tuple(alerts)


def _write(alerts: Sequence[UserAlert], target: Path) -> None:
    doc = {
        "version": VERSION,
        "alerts": [
            {
                "id": a.id,
                "phrase": a.phrase,
                "symbol": a.symbol,
                "direction": a.direction,
                "level": a.level,
                "muted": a.muted,
                "severity": a.severity,
                "cooldown_s": a.cooldown_s,
                "created_ms": a.created_ms,
            }
            for a in alerts
        ],
    }
    write_atomic(target, json.dumps(doc, indent=1) + "\n", mode=0o600)


@contextmanager
def _locked(target: Path) -> Iterator[None]:
    """An exclusive lock beside ``target`` for a read-change-write (POSIX; a no-op elsewhere)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with open(target.with_name(target.name + ".lock"), "a+b") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def add_alert(
    phrase: str,
    *,
    known_symbols: Sequence[str],
    now_ms: int,
    severity: str = "warning",
    cooldown_s: float = 600.0,
    path: Path | None = None,
) -> UserAlert:
    """Add the alert ``phrase`` says and save; returns it. Raises ValueError (bad phrase, unknown
    symbol, a duplicate) or ConfigError (the file on disk is invalid)."""
    symbol, direction, level = parse_phrase(phrase)
    if symbol not in known_symbols:
        raise ValueError(
            f"{symbol}: no source knows this symbol; add a [symbols.{symbol}] table to the config "
            f"(known: {', '.join(sorted(known_symbols)[:12])}…)"
        )
    target = path or user_alerts_path()
    with _locked(target):
        alerts = load_user_alerts(target)
        for old in alerts:
            if (old.symbol, old.direction, old.level) == (symbol, direction, level):
                raise ValueError(f"already set: #{old.id} {old.phrase}")
        if len(alerts) >= MAX_ALERTS:
            raise ValueError(f"at most {MAX_ALERTS} alerts; remove some first")
        alert = UserAlert(
            id=max((a.id for a in alerts), default=0) + 1,
            symbol=symbol,
            direction=direction,
            level=level,
            severity=severity,
            cooldown_s=cooldown_s,
            created_ms=now_ms,
        )
        to_rule(alert, file=str(target), index=len(alerts))
        _write((*alerts, alert), target)
    return alert


def edit_alert(
    alert_id: int, phrase: str, *, known_symbols: Sequence[str], path: Path | None = None
) -> UserAlert:
    """Give alert ``alert_id`` the symbol, direction and level ``phrase`` says (its id, mute,
    severity and cooldown stay) and save; returns it. Raises like :func:`add_alert`, and
    KeyError when no alert has that id."""
    symbol, direction, level = parse_phrase(phrase)
    if symbol not in known_symbols:
        raise ValueError(
            f"{symbol}: no source knows this symbol; add a [symbols.{symbol}] table to the config"
        )
    target = path or user_alerts_path()
    with _locked(target):
        alerts = load_user_alerts(target)
        found = next((a for a in alerts if a.id == alert_id), None)
        if found is None:
            raise KeyError(alert_id)
        for old in alerts:
            if old.id != alert_id and (old.symbol, old.direction, old.level) == (symbol, direction, level):
                raise ValueError(f"already set: #{old.id} {old.phrase}")
        changed = replace(found, symbol=symbol, direction=direction, level=level)
        to_rule(changed, file=str(target))
        _write(tuple(changed if a.id == alert_id else a for a in alerts), target)
    return changed


def change_alert(
    alert_id: int, *, remove: bool = False, muted: bool | None = None, path: Path | None = None
) -> UserAlert:
    """Remove, mute or unmute alert ``alert_id`` and save; returns the alert as it was/is now.
    Raises KeyError when no alert has that id."""
    target = path or user_alerts_path()
    with _locked(target):
        alerts = load_user_alerts(target)
        found = next((a for a in alerts if a.id == alert_id), None)
        if found is None:
            raise KeyError(alert_id)
        if remove:
            _write(tuple(a for a in alerts if a.id != alert_id), target)
            return found
        changed = found if muted is None else replace(found, muted=muted)
        _write(tuple(changed if a.id == alert_id else a for a in alerts), target)
        return changed


_USER_RULE_NAME = re.compile(r"^[A-Z][A-Z0-9]* (below|above|crosses) \S+ \(#[0-9]+\)$")


def is_user_rule(rule: AlertRule) -> bool:
    """Whether ``rule`` came from this file (a ``price_cross`` rule named like ``BTC below 62,000
    (#3)``, see :attr:`UserAlert.rule_name`), so a reload can replace it."""
    return isinstance(rule, PriceCrossRule) and _USER_RULE_NAME.match(rule.name) is not None


def without_user_alerts(alerts_config: AlertsConfig) -> AlertsConfig:
    """``alerts_config`` with the rules :func:`with_user_alerts` appended taken out again."""
    rules = tuple(r for r in alerts_config.rules if not is_user_rule(r))
    return alerts_config if len(rules) == len(alerts_config.rules) else replace(alerts_config, rules=rules)


def with_user_alerts(alerts_config: AlertsConfig, alerts: Sequence[UserAlert], *, file: str) -> AlertsConfig:
    """``alerts_config`` with the user's alerts appended as rules (muted ones disabled)."""
    if not alerts:
        return alerts_config
    rules = tuple(to_rule(a, file=file, index=i) for i, a in enumerate(alerts))
    return replace(alerts_config, rules=(*alerts_config.rules, *rules))
