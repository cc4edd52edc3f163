"""Typed, frozen configuration structures and their defaults.

``config.example.toml`` at the repository root spells out exactly these defaults;
a test keeps the two in step.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crashtui.catalog import DEFAULT_FAILOVER, DEFAULT_POLL_S, SOURCES
from crashtui.config.alerts_schema import AlertsConfig
from crashtui.risk.position import Position


def mask_secret(secret: str | None) -> str:
    """Mask an API key for display: never more than its last 2 characters."""
    if not secret:
        return "(none)"
    if len(secret) <= 6:
        return "****"
    return "****" + secret[-2:]


@dataclass(frozen=True, slots=True)
class UiConfig:
    """``[ui]``: theme and layout thresholds."""

    theme: str = "dark"
    wide_min_cols: int = 120
    wide_min_rows: int = 32
    compact_min_cols: int = 80
    compact_min_rows: int = 24
    ascii: bool = False
    mouse: bool = True
    market_strip: bool = True  # the one-line market strip under the header


@dataclass(frozen=True, slots=True)
class Watchlist:
    """``[watchlists.NAME]``: an ordered list of crashtui symbols."""

    name: str
    symbols: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SourceConfig:
    """``[sources.NAME]``. ``api_key`` is never printed; use :attr:`masked_key`."""

    enabled: bool = True
    poll_interval_s: float | None = None
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_key_from: str | None = None

    @property
    def masked_key(self) -> str:
        """The API key masked for display."""
        return mask_secret(self.api_key)


@dataclass(frozen=True, slots=True)
class NetConfig:
    """``[net]``: HTTP client limits."""

    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    max_body_mb: float = 32.0


@dataclass(frozen=True, slots=True)
class ZoneParams:
    """``[analysis.zones]``: support/resistance detection and zone-state thresholds."""

    pivot_span: int = 3
    atr_period: int = 14
    cluster_atr: float = 0.5
    approach_atr: float = 1.0
    break_atr: float = 0.25
    max_zones: int = 12
    # Zones weaker than this (0–1) are dropped unless pinned.
    min_strength: float = 0.2
    # A break or reclaim older than this many hours no longer sets a zone's state.
    state_window_h: float = 48.0


@dataclass(frozen=True, slots=True)
class CascadeParams:
    """``[analysis.cascade]``: liquidation cascade detection."""

    rate_window_s: int = 300
    k: float = 3.0
    floor_usd: float = 25_000_000.0


DEFAULT_GAUGE_WEIGHTS: Mapping[str, float] = MappingProxyType(
    {
        "fear_greed": 0.20,
        "drawdown": 0.15,
        "liquidations": 0.15,
        "etf_flows": 0.10,
        # funding (the mean rate's level) and leverage (open-interest fall and how many venues
        # pay negative funding, analysis.gauge.leverage_input) share the 0.08 funding had alone:
        # both read funding, so together they weigh what it did. On feb-2026 (reconstructed
        # derivatives) this keeps the gauge's lead before the low (17.6 h) and cuts its alerts
        # from 19 to 16 (`crashtui backtest --all`); aug-2024 and oct-2025 have no derivatives.
        "funding": 0.04,
        "nasdaq_corr": 0.07,
        "spread": 0.10,
        "borrow_apy": 0.08,
        "jobless_claims": 0.07,
        "leverage": 0.04,
    }
)

# (calm, panic) raw values per component: calm maps to 0 stress, panic to 100.
DEFAULT_GAUGE_BANDS: Mapping[str, tuple[float, float]] = MappingProxyType(
    {
        "fear_greed": (60.0, 10.0),
        "drawdown": (0.0, 30.0),
        "liquidations": (1.0, 5.0),
        "etf_flows": (0.0, -2000.0),
        "funding": (0.01, -0.05),
        "nasdaq_corr": (0.0, 0.8),
        "spread": (1.0, 4.0),
        "borrow_apy": (5.0, 15.0),
        "jobless_claims": (0.0, 40.0),
        "leverage": (0.0, 100.0),
    }
)


@dataclass(frozen=True, slots=True)
class GaugeConfig:
    """``[analysis.gauge]``: crash-gauge weights and (calm, panic) bands per component."""

    weights: Mapping[str, float] = field(default_factory=lambda: DEFAULT_GAUGE_WEIGHTS)
    bands: Mapping[str, tuple[float, float]] = field(default_factory=lambda: DEFAULT_GAUGE_BANDS)


@dataclass(frozen=True, slots=True)
class AnalysisConfig:
    """``[analysis]``."""

    zones: ZoneParams = ZoneParams()
    cascade: CascadeParams = CascadeParams()
    gauge: GaugeConfig = GaugeConfig()


@dataclass(frozen=True, slots=True)
class StoreConfig:
    """``[store]``: history database location and retention (days)."""

    path: str | None = None
    liquidations_days: int = 30
    intraday_candles_days: int = 90
    daily_candles_days: int = 730
    etf_days: int = 3650
    fear_days: int = 3650
    macro_days: int = 3650


@dataclass(frozen=True, slots=True)
class FeedConfig:
    """``[feed]``: sharing one collector's feed across a desk."""

    redis_url: str | None = None


def _default_sources() -> Mapping[str, SourceConfig]:
    return MappingProxyType({name: SourceConfig() for name in SOURCES})


def _default_failover() -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType(dict(DEFAULT_FAILOVER))


def _default_polling() -> Mapping[str, float]:
    return MappingProxyType(dict(DEFAULT_POLL_S))


DEFAULT_WATCHLISTS: tuple[Watchlist, ...] = (
    Watchlist("majors", ("BTC", "ETH", "SOL", "XRP", "BNB", "DOGE")),
    Watchlist("core", ("BTC", "ETH")),
)


@dataclass(frozen=True, slots=True)
class Config:
    """The whole validated configuration."""

    source_file: str | None = None
    ui: UiConfig = UiConfig()
    watchlists: tuple[Watchlist, ...] = DEFAULT_WATCHLISTS
    default_watchlist: str = "majors"
    sources: Mapping[str, SourceConfig] = field(default_factory=_default_sources)
    polling: Mapping[str, float] = field(default_factory=_default_polling)
    failover: Mapping[str, tuple[str, ...]] = field(default_factory=_default_failover)
    zones: Mapping[str, tuple[float, ...]] = field(default_factory=lambda: MappingProxyType({}))
    symbols: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))
    net: NetConfig = NetConfig()
    analysis: AnalysisConfig = AnalysisConfig()
    store: StoreConfig = StoreConfig()
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    feed: FeedConfig = FeedConfig()
    positions: tuple[Position, ...] = ()

    def watchlist(self, name: str | None = None) -> Watchlist:
        """The named watchlist, or the default one."""
        wanted = name or self.default_watchlist
        for wl in self.watchlists:
            if wl.name == wanted:
                return wl
        raise KeyError(wanted)

    def source(self, name: str) -> SourceConfig:
        """Config for source ``name`` (defaults when the file does not mention it)."""
        return self.sources.get(name, SourceConfig())

    def base_url(self, name: str) -> str:
        """Configured base URL override, or the catalog default."""
        return self.source(name).base_url or SOURCES[name].base_url

    def poll_interval_s(self, source: str, kind: str) -> float:
        """Seconds between polls of ``kind`` from ``source`` (source override wins)."""
        override = self.source(source).poll_interval_s
        return override if override is not None else self.polling[kind]
