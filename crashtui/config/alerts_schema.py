"""Typed ``[alerts]`` configuration: rules (one class per kind) and delivery settings.

Every rule has a ``name`` (shown in each alert; generated from the kind and its settings when
the file gives none), a ``severity``, a ``cooldown_s`` (after firing, the rule stays quiet for the
same target, e.g. the same zone or source, this long) and ``enabled``. Hysteresis settings say
how far a value must move back before the rule can fire again, so a price hovering on a level
does not spam. ``config.example.toml`` documents each key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

SEVERITIES = ("info", "warning", "critical")
DESKTOP_MODES = ("off", "osc9", "osc777", "both")
LIQUIDATION_WINDOWS = ("1h", "4h", "24h")
FEAR_INDEXES = ("crypto", "stocks")
ZONE_KINDS = ("zone_enter", "zone_break", "zone_reclaim")
ZONE_SETS = ("pinned", "any")
DIRECTIONS = ("any", "up", "down")
LIQUIDATION_SIDES = ("all", "long", "short")
CASCADE_SIDES = ("any", "long", "short")
MAX_MOVE_WINDOW_MIN = 24 * 60

ZoneKindName = Literal["zone_enter", "zone_break", "zone_reclaim"]


@dataclass(frozen=True, slots=True, kw_only=True)
class RuleBase:
    """Settings every rule has."""

    name: str
    severity: str
    cooldown_s: float
    enabled: bool = True


@dataclass(frozen=True, slots=True, kw_only=True)
class ZoneRule(RuleBase):
    """Price enters, breaks or reclaims a support/resistance zone.

    ``symbol`` None means every watchlist symbol. ``level`` picks the zone containing that price
    (pin it under ``[zones.SYMBOL]`` so the zone always exists); without it ``zones`` says which
    zones count: ``pinned`` or ``any``. ``direction`` is the way price went through the zone
    (``down``: a support lost, a reclaim from above, an entry from above; ``up`` the reverse; or
    ``any``). ``hysteresis_pct`` (zone_enter only): price must leave the zone by this % of price
    before another entry counts.
    """

    kind: ZoneKindName
    symbol: str | None = None
    level: float | None = None
    zones: str = "pinned"
    direction: str = "any"
    hysteresis_pct: float = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceCrossRule(RuleBase):
    """Price crosses ``level`` (``direction`` up, down or any); re-arms ``hysteresis_pct`` % beyond it."""

    kind: Literal["price_cross"] = "price_cross"
    symbol: str
    level: float
    direction: str = "any"
    hysteresis_pct: float = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class PriceMoveRule(RuleBase):
    """Price moved ``pct`` % within ``window_min`` minutes (from the window's high, or low for ``up``).

    Re-arms once the move is back under ``pct - hysteresis_pct`` (None: half of ``pct``).
    """

    kind: Literal["price_move"] = "price_move"
    symbol: str
    pct: float
    window_min: int
    direction: str = "down"
    hysteresis_pct: float | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LiquidationRule(RuleBase):
    """Liquidations in a rolling ``window`` reach ``usd`` (``side``: all, long or short; optional symbol).

    Re-arms once the total falls below ``usd × (1 - hysteresis_pct / 100)``.
    """

    kind: Literal["liquidations"] = "liquidations"
    window: str
    usd: float
    side: str = "all"
    symbol: str | None = None
    hysteresis_pct: float = 20.0


@dataclass(frozen=True, slots=True, kw_only=True)
class CascadeRule(RuleBase):
    """A liquidation cascade started (``side``: the side mostly liquidated when it opened, or any)."""

    kind: Literal["cascade"] = "cascade"
    side: str = "any"


@dataclass(frozen=True, slots=True, kw_only=True)
class EtfOutflowRule(RuleBase):
    """A newly published spot-ETF day with a net outflow of at least ``usd_m`` US$ millions."""

    kind: Literal["etf_outflow"] = "etf_outflow"
    usd_m: float
    asset: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class EtfStreakRule(RuleBase):
    """Spot-ETF net outflows on ``days`` consecutive published days (once per streak)."""

    kind: Literal["etf_streak"] = "etf_streak"
    days: int
    asset: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class FearGreedRule(RuleBase):
    """Fear & Greed at or below / at or above a value (exactly one is set); re-arms past the hysteresis."""

    kind: Literal["fear_greed"] = "fear_greed"
    index: str = "crypto"
    at_or_below: float | None = None
    at_or_above: float | None = None
    hysteresis_points: float = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class GaugeRule(RuleBase):
    """The crash gauge at or above ``at_or_above`` (0–100); re-arms ``hysteresis_points`` below it."""

    kind: Literal["gauge"] = "gauge"
    at_or_above: float
    hysteresis_points: float = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceFailingRule(RuleBase):
    """A source (or any source, when None) failing or blocked for more than ``minutes``."""

    kind: Literal["source_failing"] = "source_failing"
    minutes: float
    source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class LiqClusterRule(RuleBase):
    """Price within ``within_pct`` % of an estimated liquidation cluster of at least ``min_usd``
    (the liquidation map; ``symbol`` None: every watchlist symbol)."""

    kind: Literal["liq_cluster"] = "liq_cluster"
    symbol: str | None = None
    within_pct: float = 1.0
    min_usd: float = 50e6


@dataclass(frozen=True, slots=True, kw_only=True)
class OiDropRule(RuleBase):
    """Open interest (in coins, every venue) falls ``pct`` % or more within an hour: forced
    deleveraging. Re-arms once the hour's change is back above half of it."""

    kind: Literal["oi_drop"] = "oi_drop"
    symbol: str | None = None
    pct: float = 5.0


@dataclass(frozen=True, slots=True, kw_only=True)
class FundingNegativeRule(RuleBase):
    """Funding negative on every venue quoting it (at least ``min_venues`` of them)."""

    kind: Literal["funding_negative"] = "funding_negative"
    symbol: str | None = None
    min_venues: int = 2


PositionKindName = Literal["position_near_liq", "position_leverage", "position_support_break"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PositionRule(RuleBase):
    """A configured position: within ``within_pct`` % of its liquidation price
    (``position_near_liq``), running above ``max_leverage`` (``position_leverage``, live
    leverage: losses raise it), or a support (a resistance for a short) between its price and its
    liquidation price broken (``position_support_break``)."""

    kind: PositionKindName
    symbol: str | None = None
    within_pct: float = 5.0
    max_leverage: float = 10.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RecoveryRule(RuleBase):
    """An item of the recovery checklist turns met or is lost (``item`` None: every item)."""

    kind: Literal["recovery"] = "recovery"
    item: str | None = None


AlertRule = (
    ZoneRule
    | PriceCrossRule
    | PriceMoveRule
    | LiquidationRule
    | CascadeRule
    | EtfOutflowRule
    | EtfStreakRule
    | FearGreedRule
    | GaugeRule
    | SourceFailingRule
    | LiqClusterRule
    | OiDropRule
    | FundingNegativeRule
    | PositionRule
    | RecoveryRule
)

DEFAULT_RULES: tuple[AlertRule, ...] = (
    ZoneRule(kind="zone_break", name="pinned zone break", severity="warning", cooldown_s=1800.0),
    ZoneRule(kind="zone_reclaim", name="pinned zone reclaim", severity="info", cooldown_s=1800.0),
    CascadeRule(name="liquidation cascade", severity="critical", cooldown_s=3600.0),
    FearGreedRule(name="extreme fear", severity="warning", cooldown_s=21600.0, at_or_below=24.0),
    GaugeRule(name="crash gauge extreme", severity="critical", cooldown_s=3600.0, at_or_above=75.0),
    # Silent until [[positions]] are configured.
    PositionRule(
        kind="position_near_liq", name="position near liquidation", severity="critical", cooldown_s=900.0
    ),
    PositionRule(kind="position_leverage", name="position leverage", severity="warning", cooldown_s=3600.0),
    PositionRule(
        kind="position_support_break", name="guarding level broken", severity="warning", cooldown_s=1800.0
    ),
)


@dataclass(frozen=True, slots=True)
class AlertsConfig:
    """``[alerts]``: the rules and how alerts are delivered.

    ``log_path`` None means ``<user data dir>/alerts.jsonl`` (``alerts-replay.jsonl`` in replay).
    ``command`` is an argv list run for each alert with the alert as JSON on stdin (no shell);
    empty means no command.
    """

    rules: tuple[AlertRule, ...] = DEFAULT_RULES
    log: bool = True
    log_path: str | None = None
    toast: bool = True
    bell: bool = True
    desktop: str = "both"
    command: tuple[str, ...] = ()
    command_timeout_s: float = 10.0


LIVE_LOG = "alerts.jsonl"
REPLAY_LOG = "alerts-replay.jsonl"


def default_log_path(mode: str) -> Path:
    """``<user data dir>/alerts.jsonl`` (``alerts-replay.jsonl`` for replays, kept apart from live alerts)."""
    from crashtui.paths import user_data_dir

    return user_data_dir() / (REPLAY_LOG if mode == "replay" else LIVE_LOG)


def resolve_log_path(config: AlertsConfig, mode: str) -> Path | None:
    """Where alerts are logged: None when ``log`` is off, else ``log_path`` or the default for ``mode``."""
    if not config.log:
        return None
    if config.log_path:
        return Path(config.log_path).expanduser()
    return default_log_path(mode)
