"""Domain model shared by every layer: frozen dataclasses, no IO.

Conventions (kept everywhere in crashtui):

* **Time** is an ``int`` of epoch milliseconds, UTC, in fields named ``*_ms``.
  Calendar-day values (an ETF trading day, a weekly jobless-claims print, a daily
  Fear & Greed reading) carry ``day_ms``: 00:00 UTC of that day in epoch ms.
* **Money** is float USD unless the field name says otherwise (``flow_usd_m`` is
  US$ millions, ``*_pct`` is a percentage where 3.5 means 3.5%, ``*_bps`` basis points).
* **Symbols** are crashtui's own base-asset names (``BTC``, ``ETH``); each source
  maps them to its own instrument names via :mod:`crashtui.symbols`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from crashtui.strenum import StrEnum as StrEnum


class Side(StrEnum):
    """Which side of the market was liquidated (the position that was closed)."""

    LONG = "LONG"
    SHORT = "SHORT"


class SourceState(StrEnum):
    """Health of one source, as shown in the status bar."""

    OK = "ok"
    STALE = "stale"
    FAILING = "failing"
    BLOCKED = "blocked"
    DISABLED = "disabled"
    CONNECTING = "connecting"
    PENDING = "pending"


class Failure(StrEnum):
    """Why a source's last attempt failed, as far as the network goes (the offline banner).

    ``unreachable``: no answer at all (DNS, connect, timeout). ``throttled``: the provider
    answered "too many requests". ``blocked``: a geo-block, ban or anti-bot page. ``answered``:
    the provider answered, with an error or a body that could not be used.
    """

    UNREACHABLE = "unreachable"
    THROTTLED = "throttled"
    BLOCKED = "blocked"
    ANSWERED = "answered"


class Interval(StrEnum):
    """Candle intervals crashtui works with, shortest first (the values are Binance's kline
    intervals). 5m and 15m are fetched on demand for one symbol's chart, never polled."""

    M5 = "5m"
    M15 = "15m"
    H1 = "1h"
    H4 = "4h"
    D1 = "1d"

    @property
    def ms(self) -> int:
        """Length of one candle in milliseconds."""
        return _INTERVAL_MS[self]


_INTERVAL_MS = {
    Interval.M5: 300_000,
    Interval.M15: 900_000,
    Interval.H1: 3_600_000,
    Interval.H4: 14_400_000,
    Interval.D1: 86_400_000,
}
# The intervals the feed polls for every watchlist symbol, and the only ones the analysis
# (zones, the gauge, alerts) and ``--once`` read. The others come on demand for a chart.
POLLED_INTERVALS = (Interval.H1, Interval.H4, Interval.D1)
ON_DEMAND_INTERVALS = (Interval.M5, Interval.M15)


@dataclass(frozen=True, slots=True)
class Candle:
    """One OHLCV candle. ``closed`` is False for the still-forming last candle."""

    symbol: str
    interval: Interval
    open_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float
    source: str
    closed: bool = True


@dataclass(frozen=True, slots=True)
class Ticker:
    """Latest spot price of one symbol with its 24 h change."""

    symbol: str
    price: float
    change_24h_pct: float | None
    ts_ms: int
    source: str
    volume_24h_usd: float | None = None


@dataclass(frozen=True, slots=True)
class Liquidation:
    """One forced order on a derivatives venue, normalised across venues."""

    venue: str
    symbol: str
    liquidated_side: Side
    price: float
    qty: float
    notional_usd: float
    ts_ms: int
    instrument: str = ""

    @property
    def dedup_key(self) -> tuple[str, str, int, float]:
        """Identity used to drop replays after a reconnect (venue+symbol+ts+qty)."""
        return (self.venue, self.symbol, self.ts_ms, self.qty)


@dataclass(frozen=True, slots=True)
class FundFlow:
    """One fund's net flow on one day; ``flow_usd_m`` None means not published."""

    ticker: str
    flow_usd_m: float | None


@dataclass(frozen=True, slots=True)
class EtfFlow:
    """Net spot-ETF flows for one asset on one trading day, in US$ millions.

    ``total_usd_m`` None means the day is not published yet (never zero).
    ``funds`` is empty when the source only gives a total (SoSoValue, The Block).
    ``period`` is what the figure covers, as its source's parser read it: ``day`` (a trading
    day), or an aggregate ``week`` or ``month`` starting at ``day_ms`` (its Monday, its 1st);
    an aggregate is never summed as a day nor shown as week to date.
    """

    asset: str
    day_ms: int
    total_usd_m: float | None
    source: str
    funds: tuple[FundFlow, ...] = ()
    period: str = "day"

    @property
    def published(self) -> bool:
        """Whether the day's total is known."""
        return self.total_usd_m is not None


ETF_PERIODS = ("day", "week", "month")
"""What an :class:`EtfFlow` figure may cover."""


@dataclass(frozen=True, slots=True)
class FearGreedReading:
    """A Fear & Greed index value. ``index`` is ``crypto`` or ``stocks``."""

    index: str
    ts_ms: int
    value: float
    classification: str
    source: str


@dataclass(frozen=True, slots=True)
class MacroObservation:
    """One observation of a macro series (``ICSA`` weekly, ``NASDAQCOM`` daily)."""

    series: str
    day_ms: int
    value: float
    source: str


@dataclass(frozen=True, slots=True)
class FundingSnapshot:
    """Perpetual funding, mark price and open interest for one symbol on one venue.

    ``funding_rate_8h`` is normalised to an 8-hour rate as a fraction (0.0001 = 0.01%)
    whatever the venue's own funding period.
    """

    venue: str
    symbol: str
    ts_ms: int
    funding_rate_8h: float | None = None
    mark_price: float | None = None
    index_price: float | None = None
    next_funding_ms: int | None = None
    open_interest_base: float | None = None
    open_interest_usd: float | None = None


@dataclass(frozen=True, slots=True)
class BookStats:
    """Order-book stress for one symbol: spread and depth within ±1% of mid."""

    venue: str
    symbol: str
    ts_ms: int
    mid: float
    spread_bps: float
    bid_depth_usd: float
    ask_depth_usd: float


@dataclass(frozen=True, slots=True)
class BorrowRate:
    """A lending market's borrow APY (percent: 10.5 means 10.5%)."""

    protocol: str
    chain: str
    asset: str
    pool_id: str
    ts_ms: int
    borrow_apy_pct: float
    supply_apy_pct: float | None = None
    source: str = "defillama"


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """Health of one source (REST or stream) at a moment.

    REST sources fill the request fields; streams fill the stream fields.
    ``last_error`` is one line, already stripped of secrets and control characters.
    """

    source: str
    state: SourceState
    updated_ms: int
    last_ok_ms: int | None = None
    last_error: str | None = None
    hint: str | None = None
    next_attempt_ms: int | None = None
    latency_ms: float | None = None
    requests_used: int = 0
    requests_budget: int | None = None
    serving: tuple[str, ...] = ()
    connected: bool | None = None
    reconnects: int = 0
    last_frame_ms: int | None = None
    frames_per_min: float | None = None
    bad_frames: int = 0
    sampled: bool = False
    failure: str | None = None  # a Failure value while the source is not ok


# Statuses of crashtui's own machinery shown beside the providers' (the history store, the
# recorder): a failing one is listed with the failing sources, but none of them is a source,
# so they never count as "a source is reachable".
STORE_SOURCE = "store"
RECORDER_SOURCE = "recorder"
LOCAL_SOURCES = frozenset({STORE_SOURCE, RECORDER_SOURCE})
COLLECTOR_SOURCE = "collector"  # a follower's link to its collector
# Statuses that are not data providers: they never count as "a source reachable".
NOT_PROVIDERS = LOCAL_SOURCES | {COLLECTOR_SOURCE}


@dataclass(frozen=True, slots=True)
class RawPayload:
    """One raw response or frame exactly as received, the unit of record/replay.

    ``kind`` is ``http`` or ``ws``. ``params`` holds the request parameters a parser
    needs to interpret the body (e.g. which symbol a kline response belongs to).
    Secrets never appear here: the fetch layer redacts them before building this.
    """

    source: str
    endpoint: str
    received_ms: int
    body: bytes
    params: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    status: int = 200
    kind: str = "http"


def freeze_params(params: Mapping[str, str] | None) -> Mapping[str, str]:
    """Return a read-only copy of request params for a :class:`RawPayload`."""
    return MappingProxyType(dict(params or {}))


@dataclass(frozen=True, slots=True)
class HeldCount:
    """How many items one source's payloads had held back by the gate for one reason."""

    reason: str
    count: int
    last_ms: int


@dataclass(frozen=True, slots=True)
class Snapshot:
    """Everything the feed knows at one moment; read by UI, ``--once`` and alerts.

    Collections are tuples/mappings built by the state reducer; a Snapshot is never
    mutated after it is built.
    """

    generated_ms: int
    mode: str
    watchlist: tuple[str, ...]
    tickers: Mapping[str, Ticker]
    candles: Mapping[tuple[str, Interval], tuple[Candle, ...]]
    liquidations: tuple[Liquidation, ...]
    etf_flows: Mapping[str, tuple[EtfFlow, ...]]
    fear: Mapping[str, tuple[FearGreedReading, ...]]
    macro: Mapping[str, tuple[MacroObservation, ...]]
    funding: Mapping[tuple[str, str], FundingSnapshot]
    books: Mapping[str, tuple[BookStats, ...]]
    borrow: tuple[BorrowRate, ...]
    statuses: Mapping[str, SourceStatus]
    serving: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    # What the gate held back: counts per source and reason, and the quarantined liquidations.
    held: Mapping[str, tuple[HeldCount, ...]] = field(default_factory=lambda: MappingProxyType({}))
    held_liquidations: tuple[Liquidation, ...] = ()
    # Positioning histories per (venue, symbol), oldest first (open interest also per scope:
    # key (venue, symbol, scope)); the latest quote of every price source per (source, symbol).
    open_interest_history: Mapping[tuple[str, str, str], tuple[OpenInterestPoint, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    taker_volume: Mapping[tuple[str, str], tuple[TakerVolume, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    long_short: Mapping[tuple[str, str], tuple[LongShortRatio, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    funding_history: Mapping[tuple[str, str], tuple[FundingPoint, ...]] = field(
        default_factory=lambda: MappingProxyType({})
    )
    quotes: Mapping[tuple[str, str], Ticker] = field(default_factory=lambda: MappingProxyType({}))
    movers: MarketMovers | None = None
    market: MarketGlobal | None = None


# --- Derivatives positioning (leverage radar) ----------------------------------------------
#
# Shared by these models: ``venue`` is the source name (``binance_futures``, ``bybit``, ``okx``,
# ``hyperliquid``); ``period_ms`` is the sampling period of the history series a row came from
# (5 min, 1 h…), and ``ts_ms`` is the time the venue stamps the row with. Which end of its
# period a venue's stamp marks is not documented by any of them: treat a row as describing the
# period around ``ts_ms``, ±1 period.

FUNDING_8H_MS = 8 * 3_600_000
"""The period every funding rate in crashtui is normalised to."""


@dataclass(frozen=True, slots=True)
class OpenInterestPoint:
    """Open interest of one symbol on one venue at ``ts_ms``, counting **one side** once.

    A 1 BTC long held against a 1 BTC short is 1 BTC of open interest (Bybit's two-sided
    ``openInterest`` is halved by taking its ``singleOpenInterest``). ``oi_base`` is in the
    base coin, ``oi_usd`` in USD; a venue that gives only one leaves the other None (never 0)
    and analysis converts with a price of that time. ``scope`` is ``perp`` for the venue's
    perpetual the symbol table names (``BTCUSDT``, ``BTC-USDT-SWAP``) and ``all`` for every
    contract of the coin on the venue (OKX rubik: swaps, inverse swaps and expiry futures).
    """

    venue: str
    symbol: str
    ts_ms: int
    oi_base: float | None
    oi_usd: float | None
    period_ms: int | None = None
    scope: str = "perp"


@dataclass(frozen=True, slots=True)
class TakerVolume:
    """Aggressor (taker) volume of one period in base coin: market buys vs market sells.

    A taker buy opens a long or closes a short; :attr:`buy_share` is the fraction of the
    period's taker volume that was buying (0.6 = 60% bought).
    """

    venue: str
    symbol: str
    ts_ms: int
    period_ms: int
    buy_base: float
    sell_base: float

    @property
    def buy_share(self) -> float | None:
        """``buy / (buy + sell)``; None for a period without taker volume."""
        total = self.buy_base + self.sell_base
        return self.buy_base / total if total > 0 else None


@dataclass(frozen=True, slots=True)
class LongShortRatio:
    """Share of **accounts** net long vs net short on one venue (not position size).

    ``long_share + short_share`` is about 1 (flat accounts are not counted). Venues that only
    publish the ratio ``r`` (OKX) give ``long_share = r / (1 + r)``, ``short_share = 1 / (1 + r)``.
    The ratio is always recomputed from the shares: Binance's own ``longShortRatio`` field
    disagrees with its shares in the documented sample.
    """

    venue: str
    symbol: str
    ts_ms: int
    period_ms: int
    long_share: float
    short_share: float

    @property
    def ratio(self) -> float | None:
        """Accounts long per account short (1.96 = almost two longs for each short)."""
        return self.long_share / self.short_share if self.short_share > 0 else None


@dataclass(frozen=True, slots=True)
class FundingPoint:
    """One funding settlement (or the venue's current rate) normalised to 8 hours.

    ``rate_8h`` is a fraction per 8 h (0.0001 = 0.01%): the venue's rate per interval times
    ``8 h / interval_ms``, so an hourly 0.0000125 and an 8-hourly 0.0001 are both 0.0001.
    ``interval_ms`` is the funding interval the rate was paid for (read from the venue, or
    derived from the spacing of settlements). Annualised (simple, not compounded):
    :attr:`annualised` = ``rate_8h × 3 × 365``.
    """

    venue: str
    symbol: str
    ts_ms: int
    rate_8h: float
    interval_ms: int

    @property
    def annualised(self) -> float:
        """Simple annual rate as a fraction (0.1095 = 10.95% a year)."""
        return self.rate_8h * 3 * 365


@dataclass(frozen=True, slots=True)
class PairMove:
    """One pair's rolling 24 h move on a venue's all-pairs ticker (a market-strip entry)."""

    pair: str
    base: str
    price: float
    change_24h_pct: float
    quote_volume_usd: float


@dataclass(frozen=True, slots=True)
class MarketMovers:
    """The biggest 24 h gainers and losers among a venue's liquid USDT pairs, at ``ts_ms``.

    ``ranked`` pairs passed the filters (trading in the last hour, quote volume of at least
    ``min_quote_volume_usd``, no leveraged tokens or stablecoins); ``gainers`` run from the
    biggest rise, ``losers`` from the biggest fall.
    """

    source: str
    ts_ms: int
    gainers: tuple[PairMove, ...]
    losers: tuple[PairMove, ...]
    ranked: int
    min_quote_volume_usd: float


@dataclass(frozen=True, slots=True)
class MarketGlobal:
    """The whole crypto market: total capitalisation, its 24 h change and dominance (percent)."""

    source: str
    ts_ms: int
    total_market_cap_usd: float
    total_volume_usd: float | None
    market_cap_change_24h_pct: float | None
    btc_dominance_pct: float | None
    eth_dominance_pct: float | None
