"""Render the reconstructed market as provider payloads in each API's real format.

Every payload is what the live poller or stream would have received at that moment
(forming candles only know the prices up to then), so replay runs the real parsers.
Endpoint names and decoder params match ``crashtui.sources`` and ``crashtui.streams``.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from html import escape

from crashtui.model import RawPayload, freeze_params

from .reconstruct import (
    DAY_MS,
    FIRST_DAY,
    LAST_DAY,
    STEP_MS,
    SYMBOLS,
    Market,
    day_ms,
    days,
)

HOUR_MS = 3_600_000
INSTRUMENT = {"BTC": "BTCUSDT", "ETH": "ETHUSDT", "SOL": "SOLUSDT", "XRP": "XRPUSDT", "DOGE": "DOGEUSDT",
              "BNB": "BNBUSDT", "HYPE": "HYPEUSDT"}  # fmt: skip
OKX_CT_VAL = {
    "BTC": "0.01",
    "ETH": "0.1",
    "SOL": "1",
    "XRP": "100",
    "DOGE": "1000",
    "BNB": "0.01",
    "HYPE": "0.1",
}


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _p(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


def _payload(
    source: str, endpoint: str, t: int, body: bytes, kind: str = "http", **params: str
) -> RawPayload:
    return RawPayload(source, endpoint, t, body, freeze_params(params), 200, kind)


# --- candles and prices ---------------------------------------------------------------------


class CandleBook:
    """OHLCV per interval built from the 5-minute path, with volume from the daily bar."""

    def __init__(self, market: Market, symbol: str) -> None:
        self.path = market.path[symbol]
        self.index = {t: i for i, (t, _) in enumerate(self.path)}
        self.daily = {b.day: b for b in market.daily[symbol]}
        self.symbol = symbol

    def _volume_per_step(self, t: int) -> float:
        bar = self.daily[datetime.fromtimestamp(t / 1000, tz=timezone.utc).date()]
        return bar.volume_usd / 288 / bar.close

    def candle(self, open_ms: int, length_ms: int, until_ms: int) -> list[object]:
        """A Binance kline row for [open_ms, open_ms+length) as known at ``until_ms``."""
        end = min(open_ms + length_ms, until_ms)
        i0 = self.index[open_ms]
        i1 = self.index.get(end, i0)
        prices = [p for _, p in self.path[i0 : i1 + 1]] if i1 > i0 else [self.path[i0][1]]
        volume = sum(self._volume_per_step(t) for t, _ in self.path[i0:i1]) if i1 > i0 else 0.0
        o, h, lo, c = prices[0], max(prices), min(prices), prices[-1]
        close_time = open_ms + length_ms - 1
        digits = 2
        return [
            open_ms, _p(o, digits), _p(h, digits), _p(lo, digits), _p(c, digits), f"{volume:.4f}",
            close_time, f"{volume * c:.2f}", int(volume * 40) + 1, f"{volume * 0.48:.4f}",
            f"{volume * 0.48 * c:.2f}", "0",
        ]  # fmt: skip

    def daily_row(self, d: date, until_ms: int) -> list[object]:
        """A 1d kline: the real daily bar once closed, else the path so far."""
        open_ms = day_ms(d)
        bar = self.daily[d]
        if until_ms >= open_ms + DAY_MS or (not bar.real and open_ms + DAY_MS <= day_ms(FIRST_DAY)):
            vol = bar.volume_usd / bar.close
            return [
                open_ms, _p(bar.open), _p(bar.high), _p(bar.low), _p(bar.close), f"{vol:.4f}",
                open_ms + DAY_MS - 1, f"{bar.volume_usd:.2f}", int(vol * 40) + 1, f"{vol * 0.48:.4f}",
                f"{bar.volume_usd * 0.48:.2f}", "0",
            ]  # fmt: skip
        return self.candle(open_ms, DAY_MS, until_ms)

    def price(self, t: int) -> float:
        """Price at a 5-minute boundary."""
        return self.path[self.index[t]][1]

    def ticker(self, t: int) -> dict[str, object]:
        """A Binance MINI 24 h ticker at ``t``."""
        i = self.index[t]
        window = self.path[max(0, i - 288) : i + 1]
        prices = [p for _, p in window]
        volume = sum(self._volume_per_step(ts) for ts, _ in window[:-1])
        return {
            "symbol": INSTRUMENT[self.symbol],
            "openPrice": _p(prices[0]),
            "highPrice": _p(max(prices)),
            "lowPrice": _p(min(prices)),
            "lastPrice": _p(prices[-1]),
            "volume": f"{volume:.4f}",
            "quoteVolume": f"{volume * prices[-1]:.2f}",
            "openTime": window[0][0],
            "closeTime": t,
            "firstId": 1,
            "lastId": 2,
            "count": 2,
        }


def candle_payloads(market: Market) -> Iterator[RawPayload]:
    """Backfill at the start, then the forming 1h candle every 30 minutes and the 4h/1d every 4 h."""
    start = day_ms(FIRST_DAY)
    end = day_ms(LAST_DAY) + DAY_MS
    books = {s: CandleBook(market, s) for s in SYMBOLS}
    for sym, book in books.items():
        daily_rows = [book.daily_row(b.day, start) for b in market.daily[sym] if day_ms(b.day) <= start]
        yield _payload("binance", "klines", start, _json(daily_rows[-1000:]), symbol=sym, interval="1d")
        first_hour = book.path[0][0]
        for interval, length in (("1h", HOUR_MS), ("4h", 4 * HOUR_MS)):
            rows = [book.candle(t, length, start) for t in range(first_hour, start + 1, length)]
            yield _payload("binance", "klines", start, _json(rows[-1000:]), symbol=sym, interval=interval)
    for t in range(start + 30 * 60_000, end + 1, 30 * 60_000):
        recv = t + 1_000
        for sym, book in books.items():
            hour = t - t % HOUR_MS
            rows = [book.candle(hour - HOUR_MS, HOUR_MS, t)] + (
                [book.candle(hour, HOUR_MS, t)] if t < end else []
            )
            yield _payload("binance", "klines", recv, _json(rows), symbol=sym, interval="1h")
            if t % (4 * HOUR_MS) == 0:
                four = t - t % (4 * HOUR_MS)
                rows4 = [book.candle(four - 4 * HOUR_MS, 4 * HOUR_MS, t)]
                if t < end:
                    rows4.append(book.candle(four, 4 * HOUR_MS, t))
                yield _payload("binance", "klines", recv, _json(rows4), symbol=sym, interval="4h")
                d = datetime.fromtimestamp(t / 1000, tz=timezone.utc).date()
                prev = d - timedelta(days=1)
                rows_d = [book.daily_row(prev, t)] + ([book.daily_row(d, t)] if t < end else [])
                yield _payload("binance", "klines", recv, _json(rows_d), symbol=sym, interval="1d")


CRASH_DAYS = (day_ms(date(2026, 2, 5)), day_ms(date(2026, 2, 7)))


def ticker_payloads(market: Market) -> Iterator[RawPayload]:
    """The batched 24 h ticker every 5 minutes on the crash days (Feb 5-6), every 10 elsewhere
    (the recording stays small enough to replay headless in under two seconds)."""
    books = [CandleBook(market, s) for s in SYMBOLS]
    start = day_ms(FIRST_DAY)
    for t in range(start, day_ms(LAST_DAY) + DAY_MS + 1, STEP_MS):
        if not CRASH_DAYS[0] <= t < CRASH_DAYS[1] and t % (2 * STEP_MS):
            continue
        body = _json([b.ticker(t) for b in books])
        yield _payload("binance", "ticker_24hr", t + 400, body, symbols=",".join(SYMBOLS))


# --- derivatives and books ------------------------------------------------------------------


def derivative_payloads(market: Market, rng: random.Random) -> Iterator[RawPayload]:
    """Funding (premiumIndex) and open interest, every hour."""
    books = {s: CandleBook(market, s) for s in SYMBOLS}
    for i, (t, _) in enumerate(market.funding["BTC"]):
        rows = []
        for sym in SYMBOLS:
            mark = books[sym].price(t)
            rate = market.funding[sym][i][1]
            next_funding = t - t % (8 * HOUR_MS) + 8 * HOUR_MS
            rows.append(
                {
                    "symbol": INSTRUMENT[sym],
                    "markPrice": _p(mark * (1 + rate), 8),
                    "indexPrice": _p(mark, 8),
                    "estimatedSettlePrice": _p(mark, 8),
                    "lastFundingRate": f"{rate:.8f}",
                    "interestRate": "0.00010000",
                    "nextFundingTime": next_funding,
                    "time": t,
                }
            )
        yield _payload("binance_futures", "premium_index", t + 600, _json(rows), symbols=",".join(SYMBOLS))
        for sym in SYMBOLS:
            oi = market.open_interest[sym][i][1]
            body = _json({"openInterest": f"{oi:.3f}", "symbol": INSTRUMENT[sym], "time": t})
            yield _payload("binance_futures", "open_interest", t + 700, body, symbol=sym)


BOOK_EVERY_MS = 900_000


def book_payloads(market: Market, rng: random.Random) -> Iterator[RawPayload]:
    """Order books every 15 minutes, following the hourly spread and depth series."""
    books = {s: CandleBook(market, s) for s in SYMBOLS}
    hours = [t for t, _ in market.spread_bps["BTC"]]
    for i, hour in enumerate(hours):
        for t in range(hour, hour + HOUR_MS, BOOK_EVERY_MS):
            for sym in SYMBOLS:
                if t not in books[sym].index:
                    continue
                book = _depth(books[sym].price(t - t % STEP_MS), market, sym, i, rng)
                yield _payload("binance", "depth", t + 800, _json(book), symbol=sym)


def _depth(mid: float, market: Market, sym: str, i: int, rng: random.Random) -> dict[str, object]:
    """An order book whose spread and ±1% depth match the reconstructed series."""
    spread_bps = market.spread_bps[sym][i][1]
    depth_usd = market.depth_usd[sym][i][1]
    half = mid * spread_bps / 20_000
    levels = 5
    bids, asks = [], []
    weights = [rng.uniform(0.5, 1.5) for _ in range(levels)]
    total = sum(weights)
    for k in range(levels):
        offset = half + mid * 0.0095 * k / (levels - 1)
        usd = depth_usd * weights[k] / total
        bid, ask = mid - offset, mid + offset
        bids.append([_p(bid), f"{usd / bid:.3f}"])
        asks.append([_p(ask), f"{usd * rng.uniform(0.85, 1.15) / ask:.3f}"])
    # a few levels beyond 1% that must not count
    bids.append([_p(mid * 0.985), "3.00000"])
    asks.append([_p(mid * 1.015), "3.00000"])
    return {"lastUpdateId": 1027024 + i, "bids": bids, "asks": asks}


# --- liquidation streams --------------------------------------------------------------------


def liquidation_payloads(market: Market) -> Iterator[RawPayload]:
    """Frames of the three liquidation streams, plus OKX's instruments response."""
    start = day_ms(FIRST_DAY)
    instruments = [
        {"instType": "SWAP", "instId": f"{s}-USDT-SWAP", "instFamily": f"{s}-USDT", "uly": f"{s}-USDT",
         "ctVal": v, "ctMult": "1", "ctValCcy": s, "ctType": "linear", "settleCcy": "USDT", "state": "live"}
        for s, v in OKX_CT_VAL.items()
    ]  # fmt: skip
    yield _payload("okx", "instruments", start - 1000, _json({"code": "0", "msg": "", "data": instruments}))
    bybit_batch: dict[str, list[dict[str, object]]] = {}
    bybit_window = -1
    for ts, venue, symbol, side, price, qty in market.liquidations:
        if venue == "bybit":
            window = ts // 500
            if window != bybit_window:
                yield from _flush_bybit(bybit_batch, bybit_window)
                bybit_batch, bybit_window = {}, window
            bybit_batch.setdefault(symbol, []).append(
                {"T": ts, "s": INSTRUMENT[symbol], "S": "Buy" if side == "LONG" else "Sell",
                 "v": f"{qty:.4g}", "p": f"{price:.6g}"}
            )  # fmt: skip
        elif venue == "binance":
            frame = {
                "e": "forceOrder", "E": ts + 40,
                "o": {"s": INSTRUMENT[symbol], "S": "SELL" if side == "LONG" else "BUY", "o": "LIMIT",
                      "f": "IOC", "q": f"{qty:.4g}",
                      "p": f"{price * (0.995 if side == 'LONG' else 1.005):.6g}",
                      "ap": f"{price:.6g}", "X": "FILLED", "l": f"{qty:.4g}", "z": f"{qty:.4g}", "T": ts,
                      "ps": INSTRUMENT[symbol], "st": 1},
            }  # fmt: skip
            yield _payload("binance_liq", "forceOrder", ts + 60, _json(frame), kind="ws")
        else:
            contracts = max(0.01, round(qty / float(OKX_CT_VAL[symbol]), 2))
            frame = {
                "arg": {"channel": "liquidation-orders", "instType": "SWAP"},
                "data": [{"details": [{"bkLoss": "0", "bkPx": f"{price:.6g}", "ccy": "",
                                       "posSide": "long" if side == "LONG" else "short",
                                       "side": "sell" if side == "LONG" else "buy",
                                       "sz": f"{contracts:g}", "ts": str(ts)}],
                          "instFamily": f"{symbol}-USDT", "instId": f"{symbol}-USDT-SWAP",
                          "instType": "SWAP", "uly": f"{symbol}-USDT"}],
            }  # fmt: skip
            yield _payload("okx_liq", "liquidation-orders", ts + 80, _json(frame), kind="ws")
    yield from _flush_bybit(bybit_batch, bybit_window)


def _flush_bybit(batch: dict[str, list[dict[str, object]]], window: int) -> Iterator[RawPayload]:
    for symbol, rows in batch.items():
        ts = window * 500 + 500
        frame = {"topic": f"allLiquidation.{INSTRUMENT[symbol]}", "type": "snapshot", "ts": ts, "data": rows}
        yield _payload("bybit_liq", "allLiquidation", ts + 30, _json(frame), kind="ws")


# --- ETF (Farside HTML) -------------------------------------------------------------------------


def farside_page(
    asset: str, rows: list[tuple[date, dict[str, float] | None]], funds: tuple[str, ...]
) -> bytes:
    """A Farside-style page: ticker header row, data rows, placeholder for unpublished days."""

    def cell(value: float | None) -> str:
        if value is None:
            return "<td>-</td>"
        if value == 0:
            return '<td class="zero-flow">0.0</td>'
        text = f"{abs(value):,.1f}"
        if value < 0:
            return f'<td><span class="redFont">({text})</span></td>'
        return f"<td>{text}</td>"

    head = (
        "<thead><tr><th></th>"
        + "".join(f'<th><img alt="{escape(f)}"></th>' for f in funds)
        + "<th>Total</th></tr>"
        "<tr><th></th>" + "".join(f"<th>{escape(f)}</th>" for f in funds) + "<th></th></tr>"
        "<tr><th>Fee</th>" + "".join("<th>0.25%</th>" for _ in funds) + "<th></th></tr></thead>"
    )
    body = []
    for d, flows in rows:
        label = f'<td><span class="tabletext">{d.strftime("%d %b %Y")}</span></td>'
        if flows is None:
            body.append(
                '<tr style="background-color: #99ff99 !important;">' + label
                + "".join("<td>-</td>" for _ in funds) + '<td class="zero-flow">0.0</td></tr>'
            )  # fmt: skip
        else:
            total = round(sum(flows.values()), 1)
            body.append("<tr>" + label + "".join(cell(flows[f]) for f in funds) + cell(total) + "</tr>")
    published = [flows for _, flows in rows if flows is not None]
    totals = [round(sum(f.values()), 1) for f in published]
    summary = "".join(
        f"<tr><td>{name}</td>" + "".join("<td></td>" for _ in funds) + cell(value) + "</tr>"
        for name, value in (
            ("Total", sum(totals)),
            ("Average", sum(totals) / max(1, len(totals))),
            ("Maximum", max(totals, default=0.0)),
            ("Minimum", min(totals, default=0.0)),
        )
    )
    title = "Bitcoin" if asset == "BTC" else "Ethereum"
    html = (
        f"<!DOCTYPE html><html><head><title>{title} ETF Flow - Farside Investors</title></head><body>"
        f'<h1>{title} ETF Flow (US$m)</h1><table class="etf">{head}<tbody>{"".join(body)}{summary}</tbody>'
        "</table><p>Scenario feb-2026: per-fund days reconstructed around reported totals.</p></body></html>"
    )
    return html.encode()


def etf_payloads(market: Market) -> Iterator[RawPayload]:
    """Farside pages: 23:00 UTC (published) every trading day, 14:00 UTC (unpublished) near the crash."""
    funds = {"BTC": tuple(market.etf["BTC"][0][1]), "ETH": tuple(market.etf["ETH"][0][1])}
    by_day = {asset: dict(rows) for asset, rows in market.etf.items()}
    trading = sorted(by_day["BTC"])
    for d in days(FIRST_DAY, LAST_DAY):
        if d not in by_day["BTC"]:
            continue
        # Farside is fetched hourly live; the recording keeps the 23:00 page (the day published)
        # and, around the crash, the 14:00 page too (today's row still the unpublished placeholder).
        fetches = ((14, False), (23, True)) if date(2026, 2, 2) <= d <= date(2026, 2, 13) else ((23, True),)
        for hour, published in fetches:
            t = day_ms(d) + hour * HOUR_MS
            for asset in ("BTC", "ETH"):
                shown = [x for x in trading if x < d][-9:]
                rows: list[tuple[date, dict[str, float] | None]] = [(x, by_day[asset][x]) for x in shown]
                rows.append((d, by_day[asset][d] if published else None))
                body = farside_page(asset, rows, funds[asset])
                yield _payload("farside", "etf_page", t + 2_000, body, asset=asset)


def fear_payloads(market: Market) -> Iterator[RawPayload]:
    """alternative.me every day at 00:05 UTC (newest first), CNN after each US close."""
    rows: list[dict[str, str]] = []
    for d, value, cls in market.fear_crypto:
        if d > LAST_DAY:
            break
        rows.insert(
            0, {"value": str(value), "value_classification": cls, "timestamp": str(day_ms(d) // 1000)}
        )
        t = day_ms(d) + 5 * 60_000
        shown = [dict(r) for r in rows[:30]]
        shown[0]["time_until_update"] = str(86_400 - 300)
        body = _json({"name": "Fear and Greed Index", "data": shown, "metadata": {"error": None}})
        yield _payload("alternative_me", "fng", t, body, **{"q.limit": "30"})
    history: list[dict[str, object]] = []
    for d, score, rating in market.fear_stocks:
        t = day_ms(d) + 21 * HOUR_MS + 15 * 60_000
        history.append({"x": float(day_ms(d)), "y": score, "rating": rating})
        iso = datetime.fromtimestamp(t / 1000, tz=timezone.utc).isoformat()
        body = _json(
            {
                "fear_and_greed": {
                    "score": score,
                    "rating": rating,
                    "timestamp": iso,
                    "previous_close": history[-2]["y"] if len(history) > 1 else score,
                },
                "fear_and_greed_historical": {
                    "timestamp": float(t),
                    "score": score,
                    "rating": rating,
                    "data": history[-30:],
                },
            }
        )
        yield _payload("cnn", "graphdata", t, body)


def macro_payloads(market: Market) -> Iterator[RawPayload]:
    """FRED CSVs: Nasdaq the morning after each close, claims on each release day."""
    closes: list[tuple[date, float]] = []
    for d, close in market.nasdaq:
        closes.append((d, close))
        t = day_ms(d + timedelta(days=1)) + 13 * HOUR_MS
        csv_text = "observation_date,NASDAQCOM\n" + "".join(f"{x.isoformat()},{v:.2f}\n" for x, v in closes)
        yield _payload("fred", "fredgraph_csv", t, csv_text.encode(), series="NASDAQCOM")
    known: dict[date, int] = {}
    for week, claims, release in market.claims:
        known[week] = claims
        t = day_ms(release) + 13 * HOUR_MS + 30 * 60_000
        if t < day_ms(FIRST_DAY) - 20 * DAY_MS:
            continue
        rows = "".join(f"{w.isoformat()},{v}\n" for w, v in sorted(known.items()))
        body = f"observation_date,ICSA\n{rows}".encode()
        yield _payload("fred", "fredgraph_csv", max(t, day_ms(FIRST_DAY)), body, series="ICSA")


AAVE_POOLS = {"USDC": "aa70268e-4b52-42bf-a116-608b370f9501", "USDT": "f981a304-bb6c-45b8-b0c5-fd2f515ad23a"}


def borrow_payloads(market: Market) -> Iterator[RawPayload]:
    """DefiLlama pools + lendBorrow (reduced to the Aave v3 stablecoin pools) every 4 hours."""
    series = market.borrow_apy
    for i in range(0, len(series["USDC"]), 4):
        t = series["USDC"][i][0] + 20 * 60_000
        pools = [
            {"chain": "Ethereum", "project": "aave-v3", "symbol": asset,
             "tvlUsd": 3.1e9 if asset == "USDC" else 1.9e9,
             "apyBase": round(series[asset][i][1] * 0.78, 3), "apyReward": None,
             "apy": round(series[asset][i][1] * 0.78, 3), "pool": pool_id, "stablecoin": True}
            for asset, pool_id in AAVE_POOLS.items()
        ]  # fmt: skip
        yield _payload("defillama", "pools", t, _json({"status": "success", "data": pools}))
        lend = [
            {"pool": pool_id, "apyBaseBorrow": round(series[asset][i][1], 3), "apyRewardBorrow": None,
             "totalSupplyUsd": 3.1e9, "totalBorrowUsd": 2.6e9, "ltv": 0.75, "borrowable": True}
            for asset, pool_id in AAVE_POOLS.items()
        ]  # fmt: skip
        meta = json.dumps(
            [{"pool": p["pool"], "project": "aave-v3", "chain": "Ethereum", "asset": p["symbol"],
              "apy": p["apy"]} for p in pools],
            separators=(",", ":"),
        )  # fmt: skip
        yield _payload("defillama", "lend_borrow", t + 1_500, _json(lend), pools=meta)
