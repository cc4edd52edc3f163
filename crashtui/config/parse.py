"""Validate a parsed TOML document into a :class:`~crashtui.config.schema.Config`."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from types import MappingProxyType

from crashtui.catalog import DEFAULT_FAILOVER, KINDS, SOURCES
from crashtui.config.alerts_parse import parse_alerts
from crashtui.config.positions import parse_positions
from crashtui.config.reader import ConfigError, Table, suggest
from crashtui.config.schema import (
    DEFAULT_GAUGE_BANDS,
    DEFAULT_GAUGE_WEIGHTS,
    DEFAULT_WATCHLISTS,
    AnalysisConfig,
    CascadeParams,
    Config,
    FeedConfig,
    GaugeConfig,
    NetConfig,
    SourceConfig,
    StoreConfig,
    UiConfig,
    Watchlist,
    ZoneParams,
)
from crashtui.symbols import PROVIDERS, split_multiplier

SYMBOL_RE = re.compile(r"^[A-Z0-9]{1,15}$")
MAX_WATCHLIST_NAME = 40  # a name is shown in the header, the picker and --check-config
# Each symbol costs candle requests every cycle (one per interval and venue) and a row on
# screen: past this, the rate budgets starve and no layout shows them.
MAX_WATCHLIST_SYMBOLS = 100
TOP_LEVEL = (
    "ui",
    "watchlists",
    "sources",
    "polling",
    "failover",
    "zones",
    "symbols",
    "net",
    "analysis",
    "store",
    "feed",
    "alerts",
    "positions",
)


def parse_config(
    data: Mapping[str, object],
    file: str,
    *,
    themes: tuple[str, ...],
    env: Mapping[str, str] | None = None,
) -> Config:
    """Turn a TOML document into a validated Config or raise :class:`ConfigError`.

    ``themes`` lists the theme names that exist; ``env`` supplies
    ``CRASHTUI_<SOURCE>_API_KEY`` overrides.
    """
    root = Table(data, "", file)
    ui = _ui(root.table("ui"), themes)
    watchlists, default_wl = _watchlists(root.table("watchlists"))
    sources = _sources(root.table("sources"), env or {})
    polling = _polling(root.table("polling"))
    failover = _failover(root.table("failover"))
    zones = _zones(root.table("zones"))
    symbols = _symbols(root.table("symbols"))
    net = _net(root.table("net"))
    analysis = _analysis(root.table("analysis"))
    store = _store(root.table("store"))
    feed_table = root.table("feed")
    feed = FeedConfig(redis_url=feed_table.url("redis_url", schemes=("redis", "rediss", "unix")))
    feed_table.finish()
    alerts = parse_alerts(root.table("alerts"))
    positions = parse_positions(root.table_array("positions"))
    root.finish(allowed=TOP_LEVEL)
    return Config(
        source_file=file,
        ui=ui,
        watchlists=watchlists,
        default_watchlist=default_wl,
        sources=sources,
        polling=polling,
        failover=failover,
        zones=zones,
        symbols=symbols,
        net=net,
        analysis=analysis,
        store=store,
        feed=feed,
        alerts=alerts,
        positions=positions,
    )


def _ui(t: Table, themes: tuple[str, ...]) -> UiConfig:
    d = UiConfig()
    out = UiConfig(
        theme=t.string("theme", d.theme, choices=themes),
        wide_min_cols=t.integer("wide_min_cols", d.wide_min_cols, minimum=20),
        wide_min_rows=t.integer("wide_min_rows", d.wide_min_rows, minimum=10),
        compact_min_cols=t.integer("compact_min_cols", d.compact_min_cols, minimum=20),
        compact_min_rows=t.integer("compact_min_rows", d.compact_min_rows, minimum=10),
        ascii=t.boolean("ascii", d.ascii),
        mouse=t.boolean("mouse", d.mouse),
        market_strip=t.boolean("market_strip", d.market_strip),
    )
    t.finish()
    if out.compact_min_cols > out.wide_min_cols:
        t.fail("compact_min_cols", f"expected at most wide_min_cols ({out.wide_min_cols})")
    if out.compact_min_rows > out.wide_min_rows:
        t.fail("compact_min_rows", f"expected at most wide_min_rows ({out.wide_min_rows})")
    return out


def _watchlists(t: Table) -> tuple[tuple[Watchlist, ...], str]:
    default = t.optional_string("default")
    tables = t.sub_tables()
    if not tables:
        lists = DEFAULT_WATCHLISTS
    else:
        built: list[Watchlist] = []
        for name, wt in tables:
            if not (0 < len(name) <= MAX_WATCHLIST_NAME and name.isprintable() and name.strip()):
                t.fail(name, f"expected a watchlist name of 1 to {MAX_WATCHLIST_NAME} printable characters")
            symbols = wt.string_list("symbols", (), nonempty=True)
            if len(symbols) > MAX_WATCHLIST_SYMBOLS:
                wt.fail("symbols", f"expected at most {MAX_WATCHLIST_SYMBOLS} symbols, got {len(symbols):,}")
            for sym in symbols:
                if not SYMBOL_RE.match(sym):
                    wt.fail("symbols", f"expected upper-case symbols like 'BTC', got {sym!r}")
            if len(set(symbols)) != len(symbols):
                wt.fail("symbols", "expected each symbol once, got duplicates")
            wt.finish()
            built.append(Watchlist(name, symbols))
        lists = tuple(built)
    names = [wl.name for wl in lists]
    if default is None:
        default = "majors" if "majors" in names else names[0]
    elif default not in names:
        t.fail(
            "default",
            f"unknown watchlist {default!r}{suggest(default, names)}; configured: {', '.join(names)}",
        )
    return lists, default


def _sources(t: Table, env: Mapping[str, str]) -> Mapping[str, SourceConfig]:
    out: dict[str, SourceConfig] = {}
    for name, st in t.sub_tables():
        if name not in SOURCES:
            t.fail(name, f"unknown source{suggest(name, SOURCES)}; known sources: {', '.join(SOURCES)}")
        info = SOURCES[name]
        schemes = ("wss", "ws") if info.stream else ("https", "http")
        enabled = st.boolean("enabled", True)
        interval = (
            None if info.stream else st.optional_number("poll_interval_s", positive=True, what="seconds")
        )
        base_url = st.url("base_url", schemes=schemes)
        api_key = st.optional_string("api_key")
        st.finish()
        out[name] = SourceConfig(
            enabled=enabled,
            poll_interval_s=interval,
            base_url=base_url,
            api_key=api_key,
            api_key_from="config" if api_key else None,
        )
    for name in SOURCES:
        cfg = out.get(name, SourceConfig())
        env_key = env.get(f"CRASHTUI_{name.upper()}_API_KEY")
        if env_key:
            cfg = SourceConfig(cfg.enabled, cfg.poll_interval_s, cfg.base_url, env_key, "env")
        out[name] = cfg
    return MappingProxyType(out)


def _polling(t: Table) -> Mapping[str, float]:
    from crashtui.catalog import DEFAULT_POLL_S

    out = {kind: t.number(kind, DEFAULT_POLL_S[kind], positive=True, what="seconds") for kind in KINDS}
    t.finish(allowed=KINDS)
    return MappingProxyType(out)


def _failover(t: Table) -> Mapping[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = dict(DEFAULT_FAILOVER)
    for kind in list(t.keys()):
        if kind not in DEFAULT_FAILOVER:
            t.fail(kind, f"unknown data kind{suggest(kind, DEFAULT_FAILOVER)}")
        serving = tuple(s for s in SOURCES if kind in SOURCES[s].kinds)
        order = t.string_list(kind, (), choices=serving, nonempty=True)
        if len(set(order)) != len(order):
            t.fail(kind, "expected each source once, got duplicates")
        out[kind] = order
    t.finish()
    return MappingProxyType(out)


def _zones(t: Table) -> Mapping[str, tuple[float, ...]]:
    out: dict[str, tuple[float, ...]] = {}
    for symbol, zt in t.sub_tables():
        if not SYMBOL_RE.match(symbol):
            t.fail(symbol, "expected an upper-case symbol like 'ETH' as the table name")
        levels = zt.number_list("levels", (), what="prices")
        if any(level <= 0 for level in levels):
            zt.fail("levels", "expected prices greater than 0")
        zt.finish()
        out[symbol] = tuple(sorted(levels))
    return MappingProxyType(out)


def _symbols(t: Table) -> Mapping[str, Mapping[str, str]]:
    out: dict[str, Mapping[str, str]] = {}
    for symbol, st in t.sub_tables():
        if not SYMBOL_RE.match(symbol):
            t.fail(symbol, "expected an upper-case symbol like 'PEPE' as the table name")
        names: dict[str, str] = {}
        for provider in PROVIDERS:
            value = st.optional_string(provider)
            if value is None:
                continue
            _, per = split_multiplier(value)
            if per != 1:  # its prices and sizes would be read per coin: `per` times off
                st.fail(
                    provider,
                    f"expected a per-coin instrument, got {value!r}: it quotes {per:,} coins; "
                    f"crashtui does not scale per-{per:,} listings yet",
                )
            names[provider] = value
        st.finish(allowed=PROVIDERS)
        out[symbol] = MappingProxyType(names)
    return MappingProxyType(out)


def _net(t: Table) -> NetConfig:
    d = NetConfig()
    out = NetConfig(
        connect_timeout_s=t.number("connect_timeout_s", d.connect_timeout_s, positive=True, what="seconds"),
        read_timeout_s=t.number("read_timeout_s", d.read_timeout_s, positive=True, what="seconds"),
        max_body_mb=t.number("max_body_mb", d.max_body_mb, positive=True, what="megabytes"),
    )
    t.finish()
    return out


def _analysis(t: Table) -> AnalysisConfig:
    zt = t.table("zones")
    dz = ZoneParams()
    zones = ZoneParams(
        pivot_span=zt.integer("pivot_span", dz.pivot_span, minimum=1),
        atr_period=zt.integer("atr_period", dz.atr_period, minimum=2),
        cluster_atr=zt.number("cluster_atr", dz.cluster_atr, positive=True, what="a multiple of ATR"),
        approach_atr=zt.number("approach_atr", dz.approach_atr, positive=True, what="a multiple of ATR"),
        break_atr=zt.number("break_atr", dz.break_atr, minimum=0, what="a multiple of ATR"),
        max_zones=zt.integer("max_zones", dz.max_zones, minimum=1),
        min_strength=zt.number("min_strength", dz.min_strength, minimum=0, maximum=1, what="a strength 0–1"),
        state_window_h=zt.number("state_window_h", dz.state_window_h, positive=True, what="hours"),
    )
    zt.finish()
    ct = t.table("cascade")
    dc = CascadeParams()
    cascade = CascadeParams(
        rate_window_s=ct.integer("rate_window_s", dc.rate_window_s, minimum=10, what="seconds"),
        k=ct.number("k", dc.k, positive=True),
        floor_usd=ct.number("floor_usd", dc.floor_usd, minimum=0, what="USD"),
    )
    ct.finish()
    gauge = _gauge(t.table("gauge"))
    t.finish()
    return AnalysisConfig(zones=zones, cascade=cascade, gauge=gauge)


def _gauge(t: Table) -> GaugeConfig:
    wt = t.table("weights")
    weights = {
        name: wt.number(name, default, minimum=0, what="a weight")
        for name, default in DEFAULT_GAUGE_WEIGHTS.items()
    }
    wt.finish()
    if sum(weights.values()) <= 0:
        wt.fail(next(iter(weights)), "expected at least one weight greater than 0")
    bt = t.table("bands")
    bands: dict[str, tuple[float, float]] = {}
    for name, default in DEFAULT_GAUGE_BANDS.items():
        pair = bt.number_list(name, default, what="two numbers [calm, panic]")
        if len(pair) != 2 or pair[0] == pair[1]:
            bt.fail(name, f"expected two different numbers [calm, panic], got {list(pair)}")
        bands[name] = (pair[0], pair[1])
    bt.finish()
    t.finish()
    return GaugeConfig(weights=MappingProxyType(weights), bands=MappingProxyType(bands))


def _store(t: Table) -> StoreConfig:
    d = StoreConfig()
    days: Callable[[str, int], int] = lambda key, default: t.integer(key, default, minimum=1, what="days")  # noqa: E731
    out = StoreConfig(
        path=t.optional_string("path"),
        liquidations_days=days("liquidations_days", d.liquidations_days),
        intraday_candles_days=days("intraday_candles_days", d.intraday_candles_days),
        daily_candles_days=days("daily_candles_days", d.daily_candles_days),
        etf_days=days("etf_days", d.etf_days),
        fear_days=days("fear_days", d.fear_days),
        macro_days=days("macro_days", d.macro_days),
    )
    t.finish()
    return out


def check_watchlist_name(config: Config, name: str, file: str) -> None:
    """Raise a ConfigError if ``name`` is not a configured watchlist."""
    names = [wl.name for wl in config.watchlists]
    if name not in names:
        raise ConfigError(
            f"{file}: watchlist {name!r} does not exist{suggest(name, names)}; configured: {', '.join(names)}"
        )
