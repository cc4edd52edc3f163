"""The source registry: what sources exist, what each serves, and the facts about them.

Adding a source happens here: its entry carries the catalog facts (label, kinds, base URL,
budget), its short name for the status bar, the comment ``config.example.toml`` shows for it,
and the instrument-name formats it adds to the symbol table. Its code lives in
``crashtui/sources/<name>.py`` (REST) or ``crashtui/streams/`` (liquidation streams), and a test
checks ``config.example.toml`` against this table. Shared by config validation, the poller,
the status bar and ``crashtui sources``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

# Data kinds: each is served by one source at a time, with failover between sources.
KINDS = (
    "prices",
    "candles",
    "depth",
    "funding",
    "open_interest",
    "liquidations",
    "etf",
    "fear_crypto",
    "fear_stocks",
    "macro",
    "borrow",
    "open_interest_history",
    "taker_volume",
    "long_short_ratio",
    "funding_history",
    "spot_reference",
    "macro_quotes",
    "macro_defi",
    "market_movers",
    "market_global",
)

# Kinds every source of the chain serves side by side (the leverage radar compares venues)
# instead of the first healthy one serving alone. Liquidations are fan-in too (the streams).
FAN_IN_KINDS = frozenset(
    {
        "funding",
        "open_interest",
        "open_interest_history",
        "taker_volume",
        "long_short_ratio",
        "funding_history",
        "spot_reference",
    }
)

# Default poll interval per data kind, seconds (the live-data issue's defaults).
DEFAULT_POLL_S: dict[str, float] = {
    "prices": 10.0,
    "candles": 60.0,
    "depth": 15.0,
    "funding": 30.0,
    "open_interest": 30.0,
    "liquidations": 3600.0,
    "etf": 3600.0,
    "fear_crypto": 3600.0,
    "fear_stocks": 3600.0,
    "macro": 21600.0,
    "borrow": 1800.0,
    "open_interest_history": 300.0,
    "taker_volume": 300.0,
    "long_short_ratio": 300.0,
    "funding_history": 3600.0,
    "spot_reference": 15.0,
    "macro_quotes": 900.0,
    "macro_defi": 3600.0,
    "market_movers": 300.0,  # every pair's ticker is weight 80 and ~0.5 MB: not every 10 s
    "market_global": 600.0,  # CoinGecko caches /global for 10 min
}


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Static facts about one source (see the module docstring).

    ``short`` is its name in the status bar (default: ``name``); ``config_note`` the comment
    beside its table in ``config.example.toml``. ``symbol_formats`` maps each symbol-table key
    this source names instruments under to the default name of a symbol (``{symbol}USDT``;
    empty: no default, every symbol names its own, as CoinGecko ids do).
    """

    name: str
    label: str
    kinds: tuple[str, ...]
    base_url: str
    stream: bool = False
    keyed: bool = False
    budget_per_min: int | None = None
    note: str = ""
    short: str = ""
    config_note: str = ""
    symbol_formats: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def short_name(self) -> str:
        """The name shown in the status bar."""
        return self.short or self.name


def _formats(formats: dict[str, str]) -> Mapping[str, str]:
    return MappingProxyType(formats)


SOURCES: dict[str, SourceInfo] = {
    s.name: s
    for s in (
        SourceInfo(
            "binance",
            "Binance spot",
            ("prices", "candles", "depth", "market_movers"),
            "https://data-api.binance.vision",
            budget_per_min=6000,
            note="request weight per minute per IP",
            config_note="spot prices, candles, order book (data-api.binance.vision)",
            symbol_formats=_formats({"binance": "{symbol}USDT"}),
        ),
        SourceInfo(
            "binance_futures",
            "Binance USD-M",
            (
                "funding",
                "open_interest",
                "open_interest_history",
                "taker_volume",
                "long_short_ratio",
                "funding_history",
            ),
            "https://fapi.binance.com",
            budget_per_min=2400,
            note="request weight per minute per IP",
            short="bin-fut",
            config_note="funding, mark price, open interest",
            symbol_formats=_formats({"binance_futures": "{symbol}USDT"}),
        ),
        SourceInfo(
            "coinbase",
            "Coinbase Exchange",
            ("prices", "candles", "spot_reference"),
            "https://api.exchange.coinbase.com",
            budget_per_min=600,
            config_note="prices and candles, second venue",
            symbol_formats=_formats({"coinbase": "{symbol}-USD"}),
        ),
        SourceInfo(
            "kraken",
            "Kraken",
            ("prices", "candles"),
            "https://api.kraken.com",
            budget_per_min=60,
            config_note="prices and candles, third venue",
            symbol_formats=_formats({"kraken": "{symbol}USD", "kraken_result": "{symbol}USD"}),
        ),
        SourceInfo(
            "coingecko",
            "CoinGecko",
            ("prices", "candles", "market_global"),
            "https://api.coingecko.com/api/v3",
            keyed=True,
            budget_per_min=30,
            short="gecko",
            config_note="prices, broad coverage (demo key optional)",
            symbol_formats=_formats({"coingecko": ""}),
        ),
        SourceInfo(
            "bybit",
            "Bybit",
            ("funding", "open_interest", "open_interest_history", "long_short_ratio", "funding_history"),
            "https://api.bybit.com",
            budget_per_min=7200,
            config_note="funding and open interest",
            symbol_formats=_formats({"bybit": "{symbol}USDT"}),
        ),
        SourceInfo(
            "hyperliquid",
            "Hyperliquid",
            ("funding", "open_interest", "funding_history"),
            "https://api.hyperliquid.xyz",
            budget_per_min=1200,
            note="weight per minute per IP",
            short="hyperliq",
            config_note="funding and open interest",
            symbol_formats=_formats({"hyperliquid": "{symbol}"}),
        ),
        SourceInfo(
            "okx",
            "OKX REST",
            ("liquidations",),
            "https://www.okx.com",
            budget_per_min=600,
            note="liquidation backfill and instruments",
            config_note="liquidation backfill (last ~24 h) and contract sizes",
            symbol_formats=_formats({"okx": "{symbol}-USDT-SWAP"}),
        ),
        SourceInfo(
            "okx_public",
            "OKX public data",
            ("funding", "open_interest", "open_interest_history", "long_short_ratio"),
            "https://www.okx.com",
            budget_per_min=300,
            note="public-data and rubik limits are 5-20 requests per 2 s",
            short="okx-pub",
            config_note="funding, open interest and its history, long/short account ratio",
        ),
        SourceInfo(
            "farside",
            "Farside",
            ("etf",),
            "https://farside.co.uk",
            budget_per_min=2,
            config_note="spot ETF flows, BTC and ETH (HTML; often behind Cloudflare)",
        ),
        SourceInfo(
            "sosovalue",
            "SoSoValue",
            ("etf",),
            "https://openapi.sosovalue.com",
            keyed=True,
            budget_per_min=10,
            short="soso",
            config_note="spot ETF flow totals (free key optional)",
        ),
        SourceInfo(
            "theblock",
            "The Block",
            ("etf",),
            "https://data.tbstat.com",
            budget_per_min=10,
            short="tblock",
            config_note="spot ETF flows, further fallback",
        ),
        SourceInfo(
            "alternative_me",
            "alternative.me F&G",
            ("fear_crypto",),
            "https://api.alternative.me",
            budget_per_min=60,
            short="alt.me",
            config_note="crypto Fear & Greed",
        ),
        SourceInfo(
            "cnn",
            "CNN F&G",
            ("fear_stocks",),
            "https://production.dataviz.cnn.io",
            budget_per_min=10,
            config_note="stock Fear & Greed (often blocked from datacenters)",
        ),
        SourceInfo(
            "fred",
            "FRED",
            ("macro",),
            "https://fred.stlouisfed.org",
            keyed=True,
            budget_per_min=120,
            config_note="jobless claims (ICSA) and Nasdaq (NASDAQCOM), keyless CSV",
        ),
        SourceInfo(
            "defillama",
            "DefiLlama yields",
            ("borrow",),
            "https://yields.llama.fi",
            budget_per_min=10,
            short="llama",
            config_note="Aave v3 stablecoin borrow APY",
        ),
        SourceInfo(
            "yahoo",
            "Yahoo Finance chart",
            ("macro_quotes",),
            "https://query1.finance.yahoo.com",
            budget_per_min=30,
            note="unofficial; may answer 429 or ask for a cookie",
            config_note="daily closes of the AI basket (NVDA, MSFT, GOOGL) and gold (GC=F)",
        ),
        SourceInfo(
            "defillama_macro",
            "DefiLlama stablecoins/TVL",
            ("macro_defi",),
            "https://api.llama.fi",
            budget_per_min=10,
            short="llama-tvl",
            config_note="total stablecoin supply and DeFi TVL",
        ),
        SourceInfo(
            "binance_liq",
            "Binance liquidations",
            ("liquidations",),
            "wss://fstream.binance.com",
            stream=True,
            short="bin-liq",
            config_note="liquidation stream (sampled: at most 1 order/symbol/s)",
        ),
        SourceInfo(
            "bybit_liq",
            "Bybit liquidations",
            ("liquidations",),
            "wss://stream.bybit.com",
            stream=True,
            short="bybit-liq",
            config_note="liquidation stream (all orders) for watchlist symbols",
        ),
        SourceInfo(
            "okx_liq",
            "OKX liquidations",
            ("liquidations",),
            "wss://ws.okx.com:8443",
            stream=True,
            short="okx-liq",
            config_note="liquidation stream (sampled: at most 1 order/contract/s)",
        ),
    )
}

SYMBOL_FORMATS: Mapping[str, str] = MappingProxyType(
    {key: pattern for source in SOURCES.values() for key, pattern in source.symbol_formats.items()}
)
"""Every symbol-table key with its default instrument-name format (from the entries above)."""

# Default failover order per data kind: the first healthy source serves the kind.
# ``liquidations`` is not failover but fan-in: every enabled stream contributes.
DEFAULT_FAILOVER: dict[str, tuple[str, ...]] = {
    "prices": ("binance", "coinbase", "kraken", "coingecko"),
    "candles": ("binance", "coinbase", "kraken", "coingecko"),
    "depth": ("binance",),
    "funding": ("binance_futures", "bybit", "okx_public", "hyperliquid"),
    "open_interest": ("binance_futures", "bybit", "okx_public", "hyperliquid"),
    "etf": ("farside", "sosovalue", "theblock"),
    "fear_crypto": ("alternative_me",),
    "fear_stocks": ("cnn",),
    "macro": ("fred",),
    "borrow": ("defillama",),
    "open_interest_history": ("binance_futures", "bybit", "okx_public"),
    "taker_volume": ("binance_futures",),
    "long_short_ratio": ("binance_futures", "bybit", "okx_public"),
    "funding_history": ("binance_futures", "bybit", "hyperliquid"),
    "spot_reference": ("coinbase",),
    "macro_quotes": ("yahoo",),
    "macro_defi": ("defillama_macro",),
    "market_movers": ("binance",),
    "market_global": ("coingecko",),
}
