"""Validate the ``[alerts]`` table (rules and delivery) into :class:`AlertsConfig`.

Errors follow the rest of the config: one line with the file, the key path (``alerts.rules[2].level``),
what was expected, and a did-you-mean for unknown keys and kinds.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn, TypedDict

from crashtui.catalog import SOURCES
from crashtui.config.alerts_schema import (
    CASCADE_SIDES,
    DESKTOP_MODES,
    DIRECTIONS,
    FEAR_INDEXES,
    LIQUIDATION_SIDES,
    LIQUIDATION_WINDOWS,
    MAX_MOVE_WINDOW_MIN,
    SEVERITIES,
    ZONE_SETS,
    AlertRule,
    AlertsConfig,
    CascadeRule,
    EtfOutflowRule,
    EtfStreakRule,
    FearGreedRule,
    FundingNegativeRule,
    GaugeRule,
    LiqClusterRule,
    LiquidationRule,
    OiDropRule,
    PositionKindName,
    PositionRule,
    PriceCrossRule,
    PriceMoveRule,
    RecoveryRule,
    SourceFailingRule,
    ZoneKindName,
    ZoneRule,
)
from crashtui.config.reader import Table, suggest
from crashtui.numfmt import fmt_price, fmt_usd

SYMBOL_RE = re.compile(r"^[A-Z0-9]{1,15}$")
WINDOW_RE = re.compile(r"^(?P<n>[1-9][0-9]*)(?P<unit>[mh])$")
_ZONE_KIND: dict[str, ZoneKindName] = {
    "zone_enter": "zone_enter",
    "zone_break": "zone_break",
    "zone_reclaim": "zone_reclaim",
}
COMMON_KEYS = ("kind", "name", "severity", "cooldown_s", "enabled")
_ZONE_KEYS = ("symbol", "level", "zones", "direction", "hysteresis_pct")


def parse_alerts(t: Table) -> AlertsConfig:
    """The ``[alerts]`` table as an :class:`AlertsConfig`; raises ConfigError on the first problem."""
    d = AlertsConfig()
    tables = t.table_array("rules")
    rules = d.rules if tables is None else tuple(_rule(rt) for rt in tables)
    _check_unique_names(t, rules)
    command = t.string_list("command", d.command)
    if command and not command[0].strip():
        t.fail("command", "expected the program as the first item, got an empty string")
    out = AlertsConfig(
        rules=rules,
        log=t.boolean("log", d.log),
        log_path=t.optional_string("log_path"),
        toast=t.boolean("toast", d.toast),
        bell=t.boolean("bell", d.bell),
        desktop=t.string("desktop", d.desktop, choices=DESKTOP_MODES),
        command=command,
        command_timeout_s=t.number(
            "command_timeout_s", d.command_timeout_s, positive=True, maximum=3600, what="seconds"
        ),
    )
    if out.log_path is not None and not out.log_path.strip():
        t.fail("log_path", "expected a file path, got an empty string")
    t.finish()
    return out


def _check_unique_names(t: Table, rules: tuple[AlertRule, ...]) -> None:
    seen: dict[str, int] = {}
    for i, rule in enumerate(rules):
        if rule.name in seen:
            t.fail(
                f"rules[{i}].name",
                f"rule name {rule.name!r} is already used by rules[{seen[rule.name]}]; "
                "give one of them a different name",
            )
        seen[rule.name] = i


def parse_rule(t: Table) -> AlertRule:
    """One ``[[alerts.rules]]`` table (or a rule from another file read the same way)."""
    return _rule(t)


def _rule(t: Table) -> AlertRule:
    kind = t.optional_string("kind", choices=RULE_KINDS)
    if kind is None:
        t.fail("kind", "expected the rule's kind, but the key is missing; one of: " + ", ".join(RULE_KINDS))
    spec = _BY_KIND[kind]
    severity_default, cooldown_default = spec.severity, spec.cooldown_s
    name = t.optional_string("name")
    if name is not None and not name.strip():
        t.fail("name", "expected a non-empty name")
    common = _Common(
        name=name,
        severity=t.string("severity", severity_default, choices=SEVERITIES),
        cooldown_s=t.number("cooldown_s", cooldown_default, minimum=0, what="seconds"),
        enabled=t.boolean("enabled", True),
    )
    rule = spec.parse(t, kind, common)
    _finish(t, kind)
    return rule


class _CommonArgs(TypedDict):
    name: str
    severity: str
    cooldown_s: float
    enabled: bool


@dataclass(frozen=True, slots=True)
class _Common:
    """The settings every rule has, read before the kind-specific ones."""

    name: str | None
    severity: str
    cooldown_s: float
    enabled: bool

    def named(self, default: str) -> _CommonArgs:
        """Constructor arguments, with ``default`` as the name when the file gave none."""
        return _CommonArgs(
            name=self.name or default,
            severity=self.severity,
            cooldown_s=self.cooldown_s,
            enabled=self.enabled,
        )


def _finish(t: Table, kind: str) -> None:
    allowed = COMMON_KEYS + KIND_KEYS[kind]
    leftover = t.keys()
    for key in leftover:
        if any(key in keys for keys in KIND_KEYS.values()):
            t.fail(key, f"not a key of kind {kind!r}; its keys: {', '.join(allowed)}")
        t.fail(key, f"unknown key{suggest(key, allowed)}")


def _missing(t: Table, key: str, what: str) -> NoReturn:
    t.fail(key, f"expected {what}, but the key is missing")


def _symbol(t: Table, key: str = "symbol", *, required: bool) -> str | None:
    value = t.optional_string(key)
    if value is None:
        if required:
            _missing(t, key, "a symbol like 'BTC'")
        return None
    if not SYMBOL_RE.match(value):
        t.fail(key, f"expected an upper-case symbol like 'BTC', got {value!r}")
    return value


def _required_number(t: Table, key: str, what: str, *, maximum: float | None = None) -> float:
    value = t.optional_number(key, positive=True, maximum=maximum, what=what)
    if value is None:
        _missing(t, key, what)
    return value


def _zone(t: Table, kind: str, c: _Common) -> ZoneRule:
    symbol = _symbol(t, required=False)
    level = t.optional_number("level", positive=True, what="a price")
    if level is not None and symbol is None:
        _missing(t, "symbol", "a symbol for the zone at 'level'")
    zones = t.string("zones", "pinned", choices=ZONE_SETS)
    direction = t.string("direction", "any", choices=DIRECTIONS)
    hysteresis = (
        t.number("hysteresis_pct", 0.1, minimum=0, maximum=50, what="a percentage of price")
        if kind == "zone_enter"
        else 0.1
    )
    verb = kind.removeprefix("zone_")
    where = f"zone {verb} {fmt_price(level)}" if level is not None else f"{zones} zone {verb}"
    label = " ".join(p for p in (symbol, where, "" if direction == "any" else direction) if p)
    return ZoneRule(
        kind=_ZONE_KIND[kind],
        symbol=symbol,
        level=level,
        zones=zones,
        direction=direction,
        hysteresis_pct=hysteresis,
        **c.named(label),
    )


def _price_cross(t: Table, kind: str, c: _Common) -> PriceCrossRule:
    symbol = _symbol(t, required=True)
    assert symbol is not None
    level = _required_number(t, "level", "a price")
    direction = t.string("direction", "any", choices=DIRECTIONS)
    hysteresis = t.number("hysteresis_pct", 0.1, minimum=0, maximum=50, what="a percentage of price")
    label = f"{symbol} cross {fmt_price(level)}" + ("" if direction == "any" else f" {direction}")
    return PriceCrossRule(
        symbol=symbol,
        level=level,
        direction=direction,
        hysteresis_pct=hysteresis,
        **c.named(label),
    )


def parse_window_minutes(text: str) -> int | None:
    """``15m`` → 15, ``4h`` → 240; None when the text is not such a duration."""
    match = WINDOW_RE.match(text)
    if match is None:
        return None
    return int(match["n"]) * (60 if match["unit"] == "h" else 1)


def _price_move(t: Table, kind: str, c: _Common) -> PriceMoveRule:
    symbol = _symbol(t, required=True)
    assert symbol is not None
    pct = _required_number(t, "pct", "a percentage", maximum=100)
    window = t.optional_string("window")
    if window is None:
        _missing(t, "window", "a duration like '15m', '1h' or '24h'")
    minutes = parse_window_minutes(window)
    if minutes is None or minutes > MAX_MOVE_WINDOW_MIN:
        t.fail("window", f"expected a duration from '1m' to '24h' like '15m' or '4h', got {window!r}")
    direction = t.string("direction", "down", choices=DIRECTIONS)
    hysteresis = t.optional_number("hysteresis_pct", minimum=0, what="percentage points")
    if hysteresis is not None and hysteresis >= pct:
        t.fail("hysteresis_pct", f"expected less than pct ({pct:g}), got {hysteresis:g}")
    label = f"{symbol} {'move' if direction == 'any' else direction} {pct:g}% in {window}"
    return PriceMoveRule(
        symbol=symbol,
        pct=pct,
        window_min=minutes,
        direction=direction,
        hysteresis_pct=hysteresis,
        **c.named(label),
    )


def _liquidations(t: Table, kind: str, c: _Common) -> LiquidationRule:
    window = t.optional_string("window", choices=LIQUIDATION_WINDOWS)
    if window is None:
        _missing(t, "window", "one of: " + ", ".join(LIQUIDATION_WINDOWS))
    usd = _required_number(t, "usd", "a USD amount")
    side = t.string("side", "all", choices=LIQUIDATION_SIDES)
    symbol = _symbol(t, required=False)
    hysteresis = t.number("hysteresis_pct", 20.0, minimum=0, maximum=99, what="a percentage of usd")
    scope = " ".join(p for p in (symbol, "" if side == "all" else f"{side}s") if p)
    label = f"liquidations {window}{' ' + scope if scope else ''} >= {fmt_usd(usd)}"
    return LiquidationRule(
        window=window,
        usd=usd,
        side=side,
        symbol=symbol,
        hysteresis_pct=hysteresis,
        **c.named(label),
    )


def _cascade(t: Table, kind: str, c: _Common) -> CascadeRule:
    side = t.string("side", "any", choices=CASCADE_SIDES)
    label = "liquidation cascade" + ("" if side == "any" else f" ({side}s)")
    return CascadeRule(side=side, **c.named(label))


def _etf_outflow(t: Table, kind: str, c: _Common) -> EtfOutflowRule:
    usd_m = _required_number(t, "usd_m", "US$ millions")
    asset = _symbol(t, "asset", required=False)
    label = f"{asset or 'any'} ETF outflow >= {usd_m:g} US$m"
    return EtfOutflowRule(usd_m=usd_m, asset=asset, **c.named(label))


def _etf_streak(t: Table, kind: str, c: _Common) -> EtfStreakRule:
    if not t.has("days"):
        _missing(t, "days", "a number of days")
    days = t.integer("days", 0, minimum=1, what="a number of days")
    asset = _symbol(t, "asset", required=False)
    label = f"{asset or 'any'} ETF outflow streak {days}d"
    return EtfStreakRule(days=days, asset=asset, **c.named(label))


def _fear_greed(t: Table, kind: str, c: _Common) -> FearGreedRule:
    index = t.string("index", "crypto", choices=FEAR_INDEXES)
    below = t.optional_number("at_or_below", minimum=0, maximum=100, what="an index value 0–100")
    above = t.optional_number("at_or_above", minimum=0, maximum=100, what="an index value 0–100")
    if (below is None) == (above is None):
        t.fail("at_or_below", "expected exactly one of at_or_below or at_or_above")
    hysteresis = t.number("hysteresis_points", 5.0, minimum=0, maximum=50, what="index points")
    label = f"{index} fear & greed " + (f"<= {below:g}" if below is not None else f">= {above:g}")
    return FearGreedRule(
        index=index,
        at_or_below=below,
        at_or_above=above,
        hysteresis_points=hysteresis,
        **c.named(label),
    )


def _gauge(t: Table, kind: str, c: _Common) -> GaugeRule:
    level = t.optional_number("at_or_above", minimum=0, maximum=100, what="a gauge score 0–100")
    if level is None:
        _missing(t, "at_or_above", "a gauge score 0–100")
    hysteresis = t.number("hysteresis_points", 5.0, minimum=0, maximum=50, what="gauge points")
    return GaugeRule(
        at_or_above=level,
        hysteresis_points=hysteresis,
        **c.named(f"crash gauge >= {level:g}"),
    )


def _source_failing(t: Table, kind: str, c: _Common) -> SourceFailingRule:
    minutes = _required_number(t, "minutes", "minutes")
    source = t.optional_string("source", choices=SOURCES)
    label = f"{source or 'any source'} failing > {minutes:g} min"
    return SourceFailingRule(minutes=minutes, source=source, **c.named(label))


def _liq_cluster(t: Table, kind: str, c: _Common) -> LiqClusterRule:
    symbol = _symbol(t, required=False)
    within = t.number("within_pct", 1.0, minimum=0, maximum=50, what="percent of price")
    min_usd = t.number("min_usd", 50e6, minimum=0, what="US dollars")
    label = f"{symbol or 'any'} within {within:g}% of a {fmt_usd(min_usd)} liquidation cluster"
    return LiqClusterRule(symbol=symbol, within_pct=within, min_usd=min_usd, **c.named(label))


def _oi_drop(t: Table, kind: str, c: _Common) -> OiDropRule:
    symbol = _symbol(t, required=False)
    pct = t.number("pct", 5.0, minimum=0.1, maximum=100, what="percent")
    return OiDropRule(symbol=symbol, pct=pct, **c.named(f"{symbol or 'any'} open interest -{pct:g}% in 1 h"))


def _funding_negative(t: Table, kind: str, c: _Common) -> FundingNegativeRule:
    symbol = _symbol(t, required=False)
    venues = int(t.number("min_venues", 2, minimum=1, maximum=10, what="a number of venues"))
    label = f"{symbol or 'any'} funding negative on {venues}+ venues"
    return FundingNegativeRule(symbol=symbol, min_venues=venues, **c.named(label))


def _position(t: Table, kind: str, c: _Common) -> PositionRule:
    symbol = _symbol(t, required=False)
    within = t.number("within_pct", 5.0, minimum=0, maximum=100, what="percent of price")
    leverage = t.number("max_leverage", 10.0, minimum=1, maximum=200, what="a leverage")
    labels = {
        "position_near_liq": f"position within {within:g}% of liquidation",
        "position_leverage": f"position leverage above {leverage:g}x",
        "position_support_break": "level guarding a position broken",
    }
    return PositionRule(
        kind=_POSITION_KIND[kind],
        symbol=symbol,
        within_pct=within,
        max_leverage=leverage,
        **c.named(labels[kind]),
    )


def _recovery(t: Table, kind: str, c: _Common) -> RecoveryRule:
    item = t.optional_string("item", choices=RECOVERY_ITEMS)
    return RecoveryRule(item=item, **c.named(f"recovery checklist: {item or 'any item'} changes"))


_POSITION_KIND: dict[str, PositionKindName] = {
    "position_near_liq": "position_near_liq",
    "position_leverage": "position_leverage",
    "position_support_break": "position_support_break",
}
_POSITION_KEYS = ("symbol", "within_pct", "max_leverage")


@dataclass(frozen=True, slots=True)
class RuleKind:
    """One alert rule kind: its config keys, defaults and parser. Adding a rule kind is one
    entry in :data:`RULE_REGISTRY` (plus its checker, keyed by rule class, in
    ``crashtui.alerts.checks``; a test holds the two together)."""

    kind: str
    severity: str
    cooldown_s: float
    keys: tuple[str, ...]
    parse: Callable[[Table, str, _Common], AlertRule]


_PRICE_CROSS_KEYS = ("symbol", "level", "direction", "hysteresis_pct")
_PRICE_MOVE_KEYS = ("symbol", "pct", "window", "direction", "hysteresis_pct")
_LIQUIDATION_KEYS = ("window", "usd", "side", "symbol", "hysteresis_pct")
_FEAR_KEYS = ("index", "at_or_below", "at_or_above", "hysteresis_points")

RULE_REGISTRY: tuple[RuleKind, ...] = (
    RuleKind("zone_enter", "info", 1800.0, _ZONE_KEYS, _zone),
    RuleKind("zone_break", "warning", 1800.0, _ZONE_KEYS[:-1], _zone),
    RuleKind("zone_reclaim", "info", 1800.0, _ZONE_KEYS[:-1], _zone),
    RuleKind("price_cross", "warning", 600.0, _PRICE_CROSS_KEYS, _price_cross),
    RuleKind("price_move", "warning", 1800.0, _PRICE_MOVE_KEYS, _price_move),
    RuleKind("liquidations", "warning", 3600.0, _LIQUIDATION_KEYS, _liquidations),
    RuleKind("cascade", "critical", 3600.0, ("side",), _cascade),
    RuleKind("etf_outflow", "info", 0.0, ("usd_m", "asset"), _etf_outflow),
    RuleKind("etf_streak", "info", 0.0, ("days", "asset"), _etf_streak),
    RuleKind("fear_greed", "warning", 21600.0, _FEAR_KEYS, _fear_greed),
    RuleKind("gauge", "critical", 3600.0, ("at_or_above", "hysteresis_points"), _gauge),
    RuleKind("source_failing", "warning", 3600.0, ("minutes", "source"), _source_failing),
    RuleKind("liq_cluster", "warning", 3600.0, ("symbol", "within_pct", "min_usd"), _liq_cluster),
    RuleKind("oi_drop", "critical", 3600.0, ("symbol", "pct"), _oi_drop),
    RuleKind("funding_negative", "info", 21600.0, ("symbol", "min_venues"), _funding_negative),
    RuleKind("position_near_liq", "critical", 900.0, _POSITION_KEYS, _position),
    RuleKind("position_leverage", "warning", 3600.0, _POSITION_KEYS, _position),
    RuleKind("position_support_break", "warning", 1800.0, _POSITION_KEYS, _position),
    RuleKind("recovery", "info", 0.0, ("item",), _recovery),
)
RULE_KINDS: tuple[str, ...] = tuple(r.kind for r in RULE_REGISTRY)
KIND_KEYS: dict[str, tuple[str, ...]] = {r.kind: r.keys for r in RULE_REGISTRY}
_BY_KIND: dict[str, RuleKind] = {r.kind: r for r in RULE_REGISTRY}
RECOVERY_ITEMS = (
    "btc_support",
    "eth_ma200",
    "etf_inflows",
    "claims_trend",
    "ai_basket",
    "crypto_fear",
    "leverage_calm",
)
