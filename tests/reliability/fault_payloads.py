"""Healthy provider payloads for the fault server, shaped like the real APIs (see tests/fixtures).

Exchange endpoints are generated from a small market model so the prices the app sees are
under the test's control (value faults replace them with NaN, negatives or absurd numbers);
the slow-moving sources (ETF flows, fear, macro, borrow rates) serve the fixture files.
Every generator takes the parsed request and a :class:`Quotes` and returns a JSON value or a
:class:`Reply` for non-JSON bodies.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from crashtui.symbols import DEFAULT_TABLE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

BASE_PRICES: Mapping[str, float] = {
    "BTC": 61_940.0,
    "ETH": 1_771.2,
    "SOL": 79.4,
    "XRP": 1.21,
    "BNB": 612.0,
    "DOGE": 0.094,
}
DEFAULT_PRICE = 10.0
HOUR_MS = 3_600_000


@dataclass(frozen=True, slots=True)
class HttpRequest:
    """One parsed request as the server saw it (path without the source prefix)."""

    method: str
    source: str
    path: str
    query: Mapping[str, str]
    headers: Mapping[str, str]
    body: bytes = b""


@dataclass(slots=True)
class Reply:
    """A non-JSON (or fully custom) response."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Quotes:
    """What a generator needs: the current time and a price per crashtui symbol."""

    now_ms: int
    price: Callable[[str], float]


def base_price(symbol: str) -> float:
    """The market model's reference price of ``symbol``."""
    return BASE_PRICES.get(symbol, DEFAULT_PRICE)


def fmt(value: float) -> str:
    """A number as an exchange would send it in a string field (``nan`` stays ``nan``)."""
    return format(value, ".10g")


def fixture_text(name: str) -> str:
    """A fixture file's text."""
    return (FIXTURES / name).read_text(encoding="utf-8")


def fixture_json(name: str) -> Any:
    """A fixture file parsed as JSON."""
    return json.loads(fixture_text(name))


def _symbol(provider: str, name: str) -> str | None:
    return DEFAULT_TABLE.reverse(provider).get(name)


def _wave(i: int) -> float:
    """A small deterministic wiggle so candles are not flat."""
    return 1.0 + 0.004 * math.sin(i / 3.0)


def _candles(
    q: Quotes, symbol: str, interval_ms: int, count: int
) -> list[tuple[int, float, float, float, float]]:
    """``count`` candles (open_ms, open, high, low, close) ending with the forming one."""
    last_open = q.now_ms - q.now_ms % interval_ms
    price = q.price(symbol)
    rows = []
    for i in range(count):
        open_ms = last_open - (count - 1 - i) * interval_ms
        close = price * _wave(i - count + 1)
        open_ = price * _wave(i - count)
        rows.append((open_ms, open_, max(open_, close) * 1.001, min(open_, close) * 0.999, close))
    return rows


# -- Binance spot ------------------------------------------------------------------------


def binance_ticker(req: HttpRequest, q: Quotes) -> Any:
    """``/api/v3/ticker/24hr?symbols=[...]&type=MINI`` (without ``symbols``: every pair)."""
    if "symbols" in req.query:
        names = json.loads(req.query["symbols"])
    else:
        names = sorted(DEFAULT_TABLE.reverse("binance"))
    rows = []
    for name in names:
        symbol = _symbol("binance", name)
        if symbol is None:
            continue
        last = q.price(symbol)
        rows.append(
            {
                "symbol": name,
                "openPrice": fmt(last / 0.92),
                "highPrice": fmt(last / 0.9),
                "lowPrice": fmt(last * 0.99),
                "lastPrice": fmt(last),
                "volume": "1234.5",
                "quoteVolume": fmt(1234.5 * base_price(symbol)),
                "openTime": q.now_ms - 86_400_000,
                "closeTime": q.now_ms,
                "firstId": 1,
                "lastId": 1000,
                "count": 1000,
            }
        )
    return rows


_BINANCE_INTERVALS = {"1h": HOUR_MS, "4h": 4 * HOUR_MS, "1d": 24 * HOUR_MS}


def binance_klines(req: HttpRequest, q: Quotes) -> Any:
    """``/api/v3/klines?symbol&interval&limit``: rows of strings, oldest first."""
    symbol = _symbol("binance", req.query.get("symbol", ""))
    if symbol is None:
        return Reply(400, b'{"code":-1121,"msg":"Invalid symbol."}')
    interval = _BINANCE_INTERVALS[req.query.get("interval", "1h")]
    count = min(1000, int(req.query.get("limit", "500")))
    return [
        [t, fmt(o), fmt(h), fmt(lo), fmt(c), "10.5", t + interval - 1, "1000.0", 100, "5.0", "500.0", "0"]
        for t, o, h, lo, c in _candles(q, symbol, interval, count)
    ]


def binance_depth(req: HttpRequest, q: Quotes) -> Any:
    """``/api/v3/depth?symbol&limit``: 20 levels a side around the price."""
    symbol = _symbol("binance", req.query.get("symbol", ""))
    if symbol is None:
        return Reply(400, b'{"code":-1121,"msg":"Invalid symbol."}')
    mid = q.price(symbol)
    step = base_price(symbol) * 0.0002
    return {
        "lastUpdateId": q.now_ms,
        "bids": [[fmt(mid - step * (i + 0.5)), "1.5"] for i in range(20)],
        "asks": [[fmt(mid + step * (i + 0.5)), "1.5"] for i in range(20)],
    }


# -- Binance USD-M -----------------------------------------------------------------------


def binance_premium_index(req: HttpRequest, q: Quotes) -> Any:
    """``/fapi/v1/premiumIndex`` (all perpetuals)."""
    rows = []
    for name, symbol in sorted(DEFAULT_TABLE.reverse("binance_futures").items()):
        mark = q.price(symbol)
        rows.append(
            {
                "symbol": name,
                "markPrice": fmt(mark),
                "indexPrice": fmt(mark * 1.0002),
                "estimatedSettlePrice": fmt(mark),
                "lastFundingRate": "-0.00020000",
                "interestRate": "0.00010000",
                "nextFundingTime": q.now_ms - q.now_ms % (8 * HOUR_MS) + 8 * HOUR_MS,
                "time": q.now_ms,
            }
        )
    return rows


def binance_open_interest(req: HttpRequest, q: Quotes) -> Any:
    """``/fapi/v1/openInterest?symbol``."""
    name = req.query.get("symbol", "")
    return {"openInterest": "80000.123", "symbol": name, "time": q.now_ms}


# -- Coinbase ----------------------------------------------------------------------------


def _iso(ms: int) -> str:
    import datetime as dt

    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def coinbase_ticker(req: HttpRequest, q: Quotes) -> Any:
    """``/products/{product}/ticker``."""
    product = req.path.split("/")[2]
    symbol = _symbol("coinbase", product)
    if symbol is None:
        return Reply(404, b'{"message":"NotFound"}')
    price = q.price(symbol)
    return {
        "ask": fmt(price * 1.0001),
        "bid": fmt(price * 0.9999),
        "volume": "12345.6",
        "trade_id": 1,
        "price": fmt(price),
        "size": "0.01",
        "time": _iso(q.now_ms),
    }


def coinbase_candles(req: HttpRequest, q: Quotes) -> Any:
    """``/products/{product}/candles?granularity``: ``[t s, low, high, open, close, vol]``, newest first."""
    symbol = _symbol("coinbase", req.path.split("/")[2])
    if symbol is None:
        return Reply(404, b'{"message":"NotFound"}')
    granularity = int(req.query.get("granularity", "3600"))
    rows = _candles(q, symbol, granularity * 1000, 300)
    return [[t // 1000, lo, h, o, c, 12.5] for t, o, h, lo, c in reversed(rows)]


# -- Kraken ------------------------------------------------------------------------------


def _kraken_result_key(pair: str) -> tuple[str, str] | None:
    symbol = _symbol("kraken", pair)
    if symbol is None:
        return None
    return symbol, DEFAULT_TABLE.on("kraken_result", symbol) or pair


def kraken_ohlc(req: HttpRequest, q: Quotes) -> Any:
    """``/0/public/OHLC?pair&interval``."""
    found = _kraken_result_key(req.query.get("pair", ""))
    if found is None:
        return {"error": ["EQuery:Unknown asset pair"]}
    symbol, key = found
    minutes = int(req.query.get("interval", "60"))
    rows = _candles(q, symbol, minutes * 60_000, 720)
    return {
        "error": [],
        "result": {
            key: [[t // 1000, fmt(o), fmt(h), fmt(lo), fmt(c), fmt(c), "3.5", 42] for t, o, h, lo, c in rows],
            "last": rows[-1][0] // 1000,
        },
    }


def kraken_ticker(req: HttpRequest, q: Quotes) -> Any:
    """``/0/public/Ticker?pair=A,B``."""
    result = {}
    for pair in req.query.get("pair", "").split(","):
        found = _kraken_result_key(pair)
        if found is None:
            continue
        symbol, key = found
        price = fmt(q.price(symbol))
        result[key] = {
            "a": [price, "1", "1.000"],
            "b": [price, "1", "1.000"],
            "c": [price, "0.01"],
            "v": ["100.0", "2500.0"],
            "p": [price, price],
            "t": [100, 2000],
            "l": [price, price],
            "h": [price, price],
            "o": price,
        }
    return {"error": [], "result": result}


# -- CoinGecko ---------------------------------------------------------------------------


def coingecko_simple_price(req: HttpRequest, q: Quotes) -> Any:
    """``/simple/price?ids=…&vs_currencies=usd&…``."""
    out = {}
    for coin_id in req.query.get("ids", "").split(","):
        symbol = _symbol("coingecko", coin_id)
        if symbol is None:
            continue
        out[coin_id] = {
            "usd": q.price(symbol),
            "usd_24h_change": -8.9,
            "usd_24h_vol": 2.5e10,
            "last_updated_at": q.now_ms // 1000,
        }
    return out


def coingecko_market_chart(req: HttpRequest, q: Quotes) -> Any:
    """``/coins/{id}/market_chart?vs_currency=usd&days=N``: hourly points."""
    symbol = _symbol("coingecko", req.path.split("/")[2])
    if symbol is None:
        return Reply(404, b'{"error":"coin not found"}')
    days = int(req.query.get("days", "30"))
    step = HOUR_MS if days <= 90 else 24 * HOUR_MS
    count = min(days * 24 if step == HOUR_MS else days, 2000)
    points = [[q.now_ms - (count - 1 - i) * step, q.price(symbol) * _wave(i)] for i in range(count)]
    return {"prices": points, "market_caps": points, "total_volumes": points}


# -- Bybit and Hyperliquid ---------------------------------------------------------------


def bybit_tickers(req: HttpRequest, q: Quotes) -> Any:
    """``/v5/market/tickers?category=linear&symbol=…``."""
    name = req.query.get("symbol", "")
    symbol = _symbol("bybit", name)
    rows = []
    if symbol is not None:
        mark = q.price(symbol)
        rows.append(
            {
                "symbol": name,
                "lastPrice": fmt(mark),
                "indexPrice": fmt(mark * 1.0001),
                "markPrice": fmt(mark),
                "fundingRate": "-0.0001",
                "fundingIntervalHour": "8",
                "openInterest": "52000.5",
                "openInterestValue": fmt(52000.5 * base_price(symbol)),
                "nextFundingTime": str(q.now_ms + HOUR_MS),
            }
        )
    return {
        "retCode": 0,
        "retMsg": "OK",
        "result": {"category": req.query.get("category", "linear"), "list": rows},
        "retExtInfo": {},
        "time": q.now_ms,
    }


def hyperliquid_info(req: HttpRequest, q: Quotes) -> Any:
    """``POST /info {"type":"metaAndAssetCtxs"}``: ``[meta, ctxs]`` with numbers as strings;
    ``{"type":"fundingHistory"}``: the real settlement list, re-stamped to now."""
    if b"fundingHistory" in req.body:
        return restamped("hyperliquid_funding_history_btc.json", q)
    names = sorted(DEFAULT_TABLE.reverse("hyperliquid").items())
    universe = [{"name": name, "szDecimals": 3, "maxLeverage": 40} for name, _ in names]
    ctxs = []
    for _, symbol in names:
        mark = q.price(symbol)
        ctxs.append(
            {
                "dayNtlVlm": "1169046.29",
                "funding": "0.0000125",
                "impactPxs": [fmt(mark * 0.9999), fmt(mark * 1.0001)],
                "markPx": fmt(mark),
                "midPx": fmt(mark),
                "openInterest": "688.11",
                "oraclePx": fmt(mark),
                "premium": "0.0003",
                "prevDayPx": fmt(mark / 0.92),
            }
        )
    return [{"universe": universe}, ctxs]


# -- OKX REST (liquidation backfill) -----------------------------------------------------


def okx_instruments(req: HttpRequest, q: Quotes) -> Any:
    """``/api/v5/public/instruments?instType=SWAP``: linear swaps with ctVal."""
    data = [
        {
            "instId": name,
            "instFamily": name.removesuffix("-SWAP"),
            "instType": "SWAP",
            "ctVal": "0.01" if symbol == "BTC" else "0.1",
            "ctMult": "1",
            "ctValCcy": symbol,
            "ctType": "linear",
            "settleCcy": "USDT",
            "state": "live",
        }
        for name, symbol in sorted(DEFAULT_TABLE.reverse("okx").items())
    ]
    return {"code": "0", "msg": "", "data": data}


def okx_liquidation_orders(req: HttpRequest, q: Quotes) -> Any:
    """``/api/v5/public/liquidation-orders``: one recent order, then an empty page when paging back."""
    if "after" in req.query:
        return {"code": "0", "msg": "", "data": []}
    family = req.query.get("instFamily", "BTC-USDT")
    inst_id = family + "-SWAP"
    symbol = _symbol("okx", inst_id) or "BTC"
    detail = {
        "bkLoss": "0",
        "bkPx": fmt(q.price(symbol)),
        "ccy": "",
        "posSide": "long",
        "side": "sell",
        "sz": "2",
        "ts": str(q.now_ms - 60_000),
    }
    entry = {"details": [detail], "instFamily": family, "instId": inst_id, "instType": "SWAP", "uly": family}
    return {"code": "0", "msg": "", "data": [entry]}


# -- Slow-moving sources: the fixture files ----------------------------------------------


def farside_page(req: HttpRequest, q: Quotes) -> Any:
    """``/btc/`` and ``/eth/``: the real page capture."""
    return Reply(200, fixture_text("farside_btc.html").encode(), "text/html; charset=UTF-8")


def sosovalue_history(req: HttpRequest, q: Quotes) -> Any:
    """``/openapi/v1/etfs/summary-history``."""
    return fixture_json("sosovalue_etf_summary_history.json")


def theblock_flows(req: HttpRequest, q: Quotes) -> Any:
    """The Block's daily flow series."""
    return fixture_json("theblock_btc_etf_flows_reconstructed.json")


def alternative_me_fng(req: HttpRequest, q: Quotes) -> Any:
    """``/fng/?limit=N``."""
    return fixture_json("alternative_me_fng.json")


def cnn_graphdata(req: HttpRequest, q: Quotes) -> Any:
    """``/index/fearandgreed/graphdata``."""
    return fixture_json("cnn_fear_greed_graphdata.json")


FRED_CSV_FIXTURES = {
    "SP500": "fred_fredgraph_sp500.csv",
    "VIXCLS": "fred_fredgraph_vixcls.csv",
    "DGS10": "fred_fredgraph_dgs10.csv",
    "DTB3": "fred_fredgraph_dtb3.csv",
    "DTWEXBGS": "fred_fredgraph_dtwexbgs_reconstructed.csv",
}


def fred_csv(req: HttpRequest, q: Quotes) -> Any:
    """``/graph/fredgraph.csv?id=SERIES``: the series' real CSV where one is saved, else the
    real CSV layout (WALCL's row) under the asked series' header."""
    series = req.query.get("id", "ICSA")
    if series in FRED_CSV_FIXTURES:
        return Reply(200, fixture_text(FRED_CSV_FIXTURES[series]).encode(), "text/csv")
    lines = fixture_text("fred_fredgraph_walcl.csv").splitlines()
    lines[0] = f"observation_date,{series}"
    return Reply(200, ("\n".join(lines) + "\n").encode(), "text/csv")


def fred_observations(req: HttpRequest, q: Quotes) -> Any:
    """``/fred/series/observations`` (the keyed JSON API)."""
    return fixture_json("fred_series_observations_icsa_reconstructed.json")


def defillama_pools(req: HttpRequest, q: Quotes) -> Any:
    """``/pools``."""
    return fixture_json("defillama_yields_pools_aave_usdc_reconstructed.json")


def defillama_lend_borrow(req: HttpRequest, q: Quotes) -> Any:
    """``/lendBorrow``."""
    return fixture_json("defillama_lendborrow_reconstructed.json")


Generator = Callable[[HttpRequest, Quotes], Any]


# -- Positioning, macro and reference sources: real fixtures, re-stamped to "now" -----------

TIME_KEYS = frozenset(
    {"timestamp", "fundingTime", "nextFundingTime", "fundingRateTimestamp", "time", "ts", "date"}
)


def _restamp_value(value: Any, shift_ms: int) -> Any:
    """``value`` (an epoch in ms or s, as int or string) moved by ``shift_ms``, unit and type kept."""
    number = int(value)
    moved = number + (shift_ms if number > 10**11 else shift_ms // 1000)
    return str(moved) if isinstance(value, str) else moved


def _epochs_ms(node: Any, row_index: int | None) -> list[int]:
    out: list[int] = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in TIME_KEYS and isinstance(value, (int, str)) and str(value).isdigit():
                out.append(int(value) if int(value) > 10**11 else int(value) * 1000)
            else:
                out.extend(_epochs_ms(value, row_index))
    elif isinstance(node, list):
        if row_index is not None and node and not isinstance(node[0], (dict, list)):
            out.append(int(node[row_index]))
        else:
            for item in node:
                out.extend(_epochs_ms(item, row_index))
    return out


def _shift(node: Any, shift_ms: int, row_index: int | None) -> Any:
    if isinstance(node, dict):
        return {
            k: _restamp_value(v, shift_ms)
            if k in TIME_KEYS and isinstance(v, (int, str)) and str(v).isdigit()
            else _shift(v, shift_ms, row_index)
            for k, v in node.items()
        }
    if isinstance(node, list):
        if row_index is not None and node and not isinstance(node[0], (dict, list)):
            row = list(node)
            row[row_index] = _restamp_value(row[row_index], shift_ms)
            return row
        return [_shift(item, shift_ms, row_index) for item in node]
    return node


def restamped(name: str, q: Quotes, *, row_index: int | None = None, lag_ms: int = 60_000) -> Any:
    """The fixture ``name`` with every timestamp moved so its newest reads ``lag_ms`` before now
    (spacing, units and string-or-number kept): a real payload as it would arrive today."""
    data = fixture_json(name)
    epochs = _epochs_ms(data, row_index)
    return _shift(data, q.now_ms - lag_ms - max(epochs), row_index) if epochs else data


def _fixed(name: str, *, row_index: int | None = None) -> Generator:
    def generate(req: HttpRequest, q: Quotes) -> Any:
        return restamped(name, q, row_index=row_index)

    generate.__doc__ = f"The real ``{name}`` payload, re-stamped to now."
    return generate


def coingecko_global(req: HttpRequest, q: Quotes) -> Any:
    """``/global``: the real reply, ``updated_at`` (unix seconds) moved to a minute ago."""
    data = fixture_json("coingecko_global.json")
    data["data"]["updated_at"] = q.now_ms // 1000 - 60
    return data


def yahoo_chart(req: HttpRequest, q: Quotes) -> Any:
    """``/v8/finance/chart/SYMBOL``: the real NVDA chart, re-stamped, under the asked symbol."""
    data = restamped("yahoo_chart_nvda_1h_1d.json", q, lag_ms=3_600_000)
    for result in data["chart"]["result"]:
        result["meta"]["symbol"] = req.path.rsplit("/", 1)[-1]
        stamps = result.get("timestamp") or []
        if stamps:
            shift = (q.now_ms - 3_600_000) // 1000 - max(stamps)
            result["timestamp"] = [t + shift for t in stamps]
            result["meta"]["regularMarketTime"] = max(result["timestamp"])
    return data


def defillama_macro_series(req: HttpRequest, q: Quotes) -> Any:
    """``/stablecoincharts/all`` and ``/v2/historicalChainTvl``: the real daily series, re-stamped
    so the newest day is yesterday (UTC midnight, as DefiLlama dates its days)."""
    name = (
        "defillama_stablecoincharts_all_reconstructed.json"
        if req.path.startswith("/stablecoincharts")
        else "defillama_historical_chain_tvl_reconstructed.json"
    )
    midnight = q.now_ms - q.now_ms % 86_400_000
    return restamped(name, q, lag_ms=q.now_ms - (midnight - 86_400_000))


# (source, method, path prefix) → generator; the first matching prefix wins.
ROUTES: tuple[tuple[str, str, str, Generator], ...] = (
    ("binance", "GET", "/api/v3/ticker/24hr", binance_ticker),
    ("binance", "GET", "/api/v3/klines", binance_klines),
    ("binance", "GET", "/api/v3/depth", binance_depth),
    ("binance_futures", "GET", "/fapi/v1/premiumIndex", binance_premium_index),
    ("binance_futures", "GET", "/fapi/v1/openInterest", binance_open_interest),
    (
        "binance_futures",
        "GET",
        "/futures/data/openInterestHist",
        _fixed("binance_futures_open_interest_hist.json"),
    ),
    (
        "binance_futures",
        "GET",
        "/futures/data/takerlongshortRatio",
        _fixed("binance_futures_taker_long_short_ratio.json"),
    ),
    (
        "binance_futures",
        "GET",
        "/futures/data/globalLongShortAccountRatio",
        _fixed("binance_futures_global_long_short_account_ratio.json"),
    ),
    ("binance_futures", "GET", "/fapi/v1/fundingRate", _fixed("binance_futures_funding_rate_history.json")),
    ("bybit", "GET", "/v5/market/open-interest", _fixed("bybit_open_interest.json")),
    ("bybit", "GET", "/v5/market/account-ratio", _fixed("bybit_account_ratio.json")),
    ("bybit", "GET", "/v5/market/funding/history", _fixed("bybit_funding_history.json")),
    ("okx_public", "GET", "/api/v5/public/funding-rate", _fixed("okx_funding_rate.json")),
    ("okx_public", "GET", "/api/v5/public/open-interest", _fixed("okx_open_interest.json")),
    (
        "okx_public",
        "GET",
        "/api/v5/rubik/stat/contracts/open-interest-volume",
        _fixed("okx_rubik_contracts_open_interest_volume.json", row_index=0),
    ),
    (
        "okx_public",
        "GET",
        "/api/v5/rubik/stat/contracts/long-short-account-ratio-contract",
        _fixed("okx_rubik_long_short_account_ratio_contract.json", row_index=0),
    ),
    ("yahoo", "GET", "/v8/finance/chart/", yahoo_chart),
    ("defillama_macro", "GET", "/stablecoincharts/all", defillama_macro_series),
    ("defillama_macro", "GET", "/v2/historicalChainTvl", defillama_macro_series),
    ("coinbase", "GET", "/products/", coinbase_candles),  # refined in route() by the path tail
    ("kraken", "GET", "/0/public/OHLC", kraken_ohlc),
    ("kraken", "GET", "/0/public/Ticker", kraken_ticker),
    ("coingecko", "GET", "/simple/price", coingecko_simple_price),
    ("coingecko", "GET", "/coins/", coingecko_market_chart),
    ("coingecko", "GET", "/global", coingecko_global),
    ("bybit", "GET", "/v5/market/tickers", bybit_tickers),
    ("hyperliquid", "POST", "/info", hyperliquid_info),
    ("okx", "GET", "/api/v5/public/instruments", okx_instruments),
    ("okx", "GET", "/api/v5/public/liquidation-orders", okx_liquidation_orders),
    ("farside", "GET", "/", farside_page),
    ("sosovalue", "GET", "/openapi/v1/etfs/summary-history", sosovalue_history),
    ("theblock", "GET", "/dashboard/", theblock_flows),
    ("alternative_me", "GET", "/fng", alternative_me_fng),
    ("cnn", "GET", "/index/fearandgreed/graphdata", cnn_graphdata),
    ("fred", "GET", "/graph/fredgraph.csv", fred_csv),
    ("fred", "GET", "/fred/series/observations", fred_observations),
    ("defillama", "GET", "/pools", defillama_pools),
    ("defillama", "GET", "/lendBorrow", defillama_lend_borrow),
)


def route(req: HttpRequest) -> Generator | None:
    """The generator for a request, or None (the server answers 404)."""
    if req.source == "coinbase" and req.path.endswith("/ticker"):
        return coinbase_ticker
    for source, method, prefix, generator in ROUTES:
        if source == req.source and method == req.method and req.path.startswith(prefix):
            return generator
    return None
