"""What sources exist, what each serves, and the documented facts about them.

This is static knowledge (from ``tests/fixtures/README.md``), shared by config
validation, the poller, the status bar and ``crashtui sources``.
"""

from __future__ import annotations

from dataclasses import dataclass

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
}


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """Static facts about one source."""

    name: str
    label: str
    kinds: tuple[str, ...]
    base_url: str
    stream: bool = False
    keyed: bool = False
    budget_per_min: int | None = None
    note: str = ""


SOURCES: dict[str, SourceInfo] = {
    s.name: s
    for s in (
        SourceInfo(
            "binance",
            "Binance spot",
            ("prices", "candles", "depth"),
            "https://data-api.binance.vision",
            budget_per_min=6000,
            note="request weight per minute per IP",
        ),
        SourceInfo(
            "binance_futures",
            "Binance USD-M",
            ("funding", "open_interest"),
            "https://fapi.binance.com",
            budget_per_min=2400,
            note="request weight per minute per IP",
        ),
        SourceInfo(
            "coinbase",
            "Coinbase Exchange",
            ("prices", "candles"),
            "https://api.exchange.coinbase.com",
            budget_per_min=600,
        ),
        SourceInfo("kraken", "Kraken", ("prices", "candles"), "https://api.kraken.com", budget_per_min=60),
        SourceInfo(
            "coingecko",
            "CoinGecko",
            ("prices", "candles"),
            "https://api.coingecko.com/api/v3",
            keyed=True,
            budget_per_min=30,
        ),
        SourceInfo(
            "bybit",
            "Bybit",
            ("funding", "open_interest"),
            "https://api.bybit.com",
            budget_per_min=7200,
        ),
        SourceInfo(
            "hyperliquid",
            "Hyperliquid",
            ("funding", "open_interest"),
            "https://api.hyperliquid.xyz",
            budget_per_min=1200,
            note="weight per minute per IP",
        ),
        SourceInfo(
            "okx",
            "OKX REST",
            ("liquidations",),
            "https://www.okx.com",
            budget_per_min=600,
            note="liquidation backfill and instruments",
        ),
        SourceInfo("farside", "Farside", ("etf",), "https://farside.co.uk", budget_per_min=2),
        SourceInfo(
            "sosovalue",
            "SoSoValue",
            ("etf",),
            "https://openapi.sosovalue.com",
            keyed=True,
            budget_per_min=10,
        ),
        SourceInfo("theblock", "The Block", ("etf",), "https://data.tbstat.com", budget_per_min=10),
        SourceInfo(
            "alternative_me",
            "alternative.me F&G",
            ("fear_crypto",),
            "https://api.alternative.me",
            budget_per_min=60,
        ),
        SourceInfo(
            "cnn",
            "CNN F&G",
            ("fear_stocks",),
            "https://production.dataviz.cnn.io",
            budget_per_min=10,
        ),
        SourceInfo(
            "fred",
            "FRED",
            ("macro",),
            "https://fred.stlouisfed.org",
            keyed=True,
            budget_per_min=120,
        ),
        SourceInfo(
            "defillama",
            "DefiLlama yields",
            ("borrow",),
            "https://yields.llama.fi",
            budget_per_min=10,
        ),
        SourceInfo(
            "binance_liq",
            "Binance liquidations",
            ("liquidations",),
            "wss://fstream.binance.com",
            stream=True,
        ),
        SourceInfo(
            "bybit_liq",
            "Bybit liquidations",
            ("liquidations",),
            "wss://stream.bybit.com",
            stream=True,
        ),
        SourceInfo(
            "okx_liq",
            "OKX liquidations",
            ("liquidations",),
            "wss://ws.okx.com:8443",
            stream=True,
        ),
    )
}

# Default failover order per data kind: the first healthy source serves the kind.
# ``liquidations`` is not failover but fan-in: every enabled stream contributes.
DEFAULT_FAILOVER: dict[str, tuple[str, ...]] = {
    "prices": ("binance", "coinbase", "kraken", "coingecko"),
    "candles": ("binance", "coinbase", "kraken", "coingecko"),
    "depth": ("binance",),
    "funding": ("binance_futures", "bybit", "hyperliquid"),
    "open_interest": ("binance_futures", "bybit", "hyperliquid"),
    "etf": ("farside", "sosovalue", "theblock"),
    "fear_crypto": ("alternative_me",),
    "fear_stocks": ("cnn",),
    "macro": ("fred",),
    "borrow": ("defillama",),
}
