"""The market strip's sources: a venue's biggest movers and the whole market's size.

* Binance ``GET /api/v3/ticker/24hr?type=MINI`` with no symbol: every pair (a bare array of
  mini rows, prices as strings, ``openTime``/``closeTime`` ints; the window is a rolling 24 h
  ending at the request). It includes halted pairs (``count`` 0, a ``closeTime`` days old),
  leveraged tokens (``BTCUP``) and stablecoin pairs, which are dropped; the change is computed
  from ``openPrice`` and ``lastPrice`` (MINI rows carry no percentage).
* CoinGecko ``GET /global``: everything under ``data``; ``total_market_cap``/``total_volume``
  are maps keyed by lower-case currency, ``market_cap_percentage`` is in **percent** (53.99),
  ``updated_at`` unix **seconds**; big numbers may come in exponent form.
"""

from __future__ import annotations

import re
from typing import Any

from crashtui.model import MarketGlobal, MarketMovers, PairMove
from crashtui.sources.common import as_dict, as_list, load_json, num, opt_num, parser
from crashtui.sources.rows import each_row

MARKET_ENDPOINTS: frozenset[tuple[str, str]] = frozenset(
    {("binance", "ticker_24hr_all"), ("coingecko", "global")}
)
"""The ``(source, endpoint)`` payloads the strip's data comes from: a recording with none of
them has no market data at all."""

TOP_N = 5
MIN_QUOTE_VOLUME_USD = 5_000_000.0  # below this a +80% day is one whale, not the market
ACTIVE_WITHIN_MS = 3_600_000
STABLECOINS = frozenset(
    {
        "USDC",
        "FDUSD",
        "TUSD",
        "DAI",
        "USDP",
        "BUSD",
        "USDE",
        "PYUSD",
        "EURI",
        "EUR",
        "AEUR",
        "USD1",
        "XUSD",
        "BFUSD",
    }
)
_LEVERAGED = re.compile(r"(UP|DOWN|BULL|BEAR)$")


@parser("binance ticker/24hr (all pairs)")
def parse_movers(body: bytes, *, received_ms: int, source: str = "binance", top: int = TOP_N) -> MarketMovers:
    """The top ``top`` gainers and losers among liquid, trading USDT pairs."""

    def read(row: Any) -> tuple[int, PairMove] | None:
        r = as_dict(row, "ticker/24hr[]")
        pair = str(r["symbol"])
        if not pair.endswith("USDT") or len(pair) > 20:
            return None
        base = pair[:-4]
        if not base or base in STABLECOINS or _LEVERAGED.search(base):
            return None
        close_ms = int(r["closeTime"])
        if r.get("count") == 0 or received_ms - close_ms > ACTIVE_WITHIN_MS:
            return None  # halted or delisted: its "24 h change" is days old
        opened, last = num(r["openPrice"], "openPrice"), num(r["lastPrice"], "lastPrice")
        volume = num(r["quoteVolume"], "quoteVolume")
        if not (opened > 0 and last > 0) or volume < MIN_QUOTE_VOLUME_USD:
            return None
        return close_ms, PairMove(pair, base, last, (last / opened - 1) * 100, volume)

    rows = as_list(load_json(body, "binance ticker/24hr", source), "ticker/24hr")
    ranked = each_row(rows, read, "pair")
    newest = max((close_ms for close_ms, _ in ranked), default=0)
    moves = sorted((m for _, m in ranked), key=lambda m: m.change_24h_pct)
    return MarketMovers(
        source=source,
        ts_ms=min(newest, received_ms) if newest else received_ms,
        gainers=tuple(reversed(moves[-top:])) if moves else (),
        losers=tuple(m for m in moves[:top] if m.change_24h_pct < 0),
        ranked=len(moves),
        min_quote_volume_usd=MIN_QUOTE_VOLUME_USD,
    )


def _usd(mapping: Any, what: str) -> float | None:
    return opt_num(as_dict(mapping, what).get("usd"), what) if mapping is not None else None


@parser("coingecko global")
def parse_global(body: bytes, *, source: str = "coingecko") -> MarketGlobal:
    """Total market cap, volume, 24 h change and BTC/ETH dominance."""
    data = as_dict(as_dict(load_json(body, "coingecko global", source), "global")["data"], "data")
    cap = _usd(data["total_market_cap"], "total_market_cap")
    if cap is None:
        raise ValueError("total_market_cap has no usd")
    shares = as_dict(data.get("market_cap_percentage") or {}, "market_cap_percentage")
    return MarketGlobal(
        source=source,
        ts_ms=int(num(data["updated_at"], "updated_at")) * 1000,
        total_market_cap_usd=cap,
        total_volume_usd=_usd(data.get("total_volume"), "total_volume"),
        market_cap_change_24h_pct=opt_num(data.get("market_cap_change_percentage_24h_usd"), "change"),
        btc_dominance_pct=opt_num(shares.get("btc"), "btc dominance"),
        eth_dominance_pct=opt_num(shares.get("eth"), "eth dominance"),
    )
