"""Payload families: the reconstructed market rendered in each provider's real format.

Every payload is what the live poller or stream would have received at that moment (forming
candles only know the prices up to then), so replay runs the real parsers. Endpoint names and
decoder params match ``crashtui.sources`` and ``crashtui.streams``.

A family is one function ``(ctx) -> Iterable[RawPayload]`` registered in ``FAMILIES``; a
scenario lists the families it carries, in order (ties in time keep that order). A family
whose series the market lacks yields nothing.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from html import escape

from crashtui.model import RawPayload, freeze_params

from .model import DAY_MS, HOUR_MS, STEP_MS, Market, day_ms, days
from .spec import ScenarioSpec


@dataclass
class Context:
    """What a family renders from."""

    spec: ScenarioSpec
    market: Market
    rng: random.Random


Family = Callable[[Context], Iterable[RawPayload]]


def instrument(symbol: str) -> str:
    """The USDT-margined perpetual / spot pair of a symbol."""
    return f"{symbol}USDT"


def _json(value: object) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def _p(value: float, digits: int = 2) -> str:
    return f"{value:.{digits}f}"


KIND = "kind"  # a decoder parameter (the data kind a shared endpoint answered for); see _payload


def _payload(
    source: str, endpoint: str, t: int, body: bytes, transport: str = "http", **params: str
) -> RawPayload:
    """A recorded payload; ``transport`` is ``http`` or ``ws`` (``RawPayload.kind``), and a
    ``kind`` decoder parameter is passed as ``**{KIND: ...}``."""
    return RawPayload(source, endpoint, t, body, freeze_params(params), 200, transport)


# --- candles and prices ---------------------------------------------------------------------


class CandleBook:
    """OHLCV per interval built from the 5-minute path, with volume from the daily bar."""

    def __init__(self, ctx: Context, symbol: str) -> None:
        self.path = ctx.market.path[symbol]
        self.index = {t: i for i, (t, _) in enumerate(self.path)}
        self.daily = {b.day: b for b in ctx.market.daily[symbol]}
        self.symbol = symbol
        self.start_ms = ctx.spec.start_ms

    def _volume_per_step(self, t: int) -> float:
        d = datetime.fromtimestamp(t / 1000, tz=timezone.utc).date()
        bar = self.daily.get(d) or self.daily[d - timedelta(days=1)]  # the window's end mark
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
        """A 1d kline: the daily bar once closed, else the path so far."""
        open_ms = day_ms(d)
        bar = self.daily[d]
        if until_ms >= open_ms + DAY_MS or (not bar.real and open_ms + DAY_MS <= self.start_ms):
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

    @staticmethod
    def price_of(market: Market, symbol: str, t: int) -> float:
        """``symbol``'s price at a 5-minute boundary of its path (no book needed)."""
        path = market.path[symbol]
        return path[(t - path[0][0]) // STEP_MS][1]

    def ticker(self, t: int) -> dict[str, object]:
        """A Binance MINI 24 h ticker at ``t``."""
        i = self.index[t]
        window = self.path[max(0, i - 288) : i + 1]
        prices = [p for _, p in window]
        volume = sum(self._volume_per_step(ts) for ts, _ in window[:-1])
        return {
            "symbol": instrument(self.symbol),
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


def candles(ctx: Context) -> Iterator[RawPayload]:
    """Backfill at the start, then the forming 1h candle every 30 minutes and the 4h/1d every 4 h."""
    start, end = ctx.spec.start_ms, ctx.spec.end_ms
    books = {s: CandleBook(ctx, s) for s in ctx.spec.symbols}
    for sym, book in books.items():
        daily_rows = [book.daily_row(b.day, start) for b in ctx.market.daily[sym] if day_ms(b.day) <= start]
        yield _payload("binance", "klines", start, _json(daily_rows[-1000:]), symbol=sym, interval="1d")
        first_hour = book.path[0][0]
        for interval, length in (("1h", HOUR_MS), ("4h", 4 * HOUR_MS)):
            rows = [book.candle(t, length, start) for t in range(first_hour, start + 1, length)]
            yield _payload("binance", "klines", start, _json(rows[-1000:]), symbol=sym, interval=interval)
    for t in range(start + 30 * 60_000, end + 1, 30 * 60_000):
        recv = min(t + 1_000, end)  # the last candles close at the window's end, inside it
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


def tickers(ctx: Context) -> Iterator[RawPayload]:
    """The batched 24 h ticker every 5 minutes on the crash days (``tickers.dense_*``), every 10
    elsewhere (the recording stays small enough to replay headless quickly)."""
    books = [CandleBook(ctx, s) for s in ctx.spec.symbols]
    dense = ctx.spec.dense_tickers
    dense_from, dense_to = (day_ms(dense[0]), day_ms(dense[1])) if dense else (0, 0)
    for t in range(ctx.spec.start_ms, ctx.spec.end_ms + 1, STEP_MS):
        if not dense_from <= t < dense_to and t % (2 * STEP_MS):
            continue
        body = _json([b.ticker(t) for b in books])
        yield _payload("binance", "ticker_24hr", t + 400, body, symbols=",".join(ctx.spec.symbols))


# --- derivatives and books (reconstructed series) ------------------------------------------------


def derivatives(ctx: Context) -> Iterator[RawPayload]:
    """Funding (premiumIndex) and open interest, every hour (open interest only where the scenario
    carries no open-interest history)."""
    market, symbols = ctx.market, ctx.spec.symbols
    books = {s: CandleBook(ctx, s) for s in symbols}
    for i, (t, _) in enumerate(market.funding.get("BTC", [])):
        rows = []
        for sym in symbols:
            mark = books[sym].price(t)
            rate = market.funding[sym][i][1]
            next_funding = t - t % (8 * HOUR_MS) + 8 * HOUR_MS
            rows.append(
                {
                    "symbol": instrument(sym),
                    "markPrice": _p(mark * (1 + rate), 8),
                    "indexPrice": _p(mark, 8),
                    "estimatedSettlePrice": _p(mark, 8),
                    "lastFundingRate": f"{rate:.8f}",
                    "interestRate": "0.00010000",
                    "nextFundingTime": next_funding,
                    "time": t,
                }
            )
        yield _payload("binance_futures", "premium_index", t + 600, _json(rows), symbols=",".join(symbols))
        if "positioning_history" in ctx.spec.families:
            continue  # Binance's open interest is in its history: one fact, one series
        for sym in symbols:
            oi = market.open_interest[sym][i][1]
            body = _json({"openInterest": f"{oi:.3f}", "symbol": instrument(sym), "time": t})
            yield _payload("binance_futures", "open_interest", t + 700, body, symbol=sym)


BOOK_EVERY_MS = 900_000


def books(ctx: Context) -> Iterator[RawPayload]:
    """Order books every 15 minutes (or on ``books``' cadence), following the hourly spread and
    depth series. A book the cadence skips is still drawn, so the others stay as they were."""
    market, rng, cadence = ctx.market, ctx.rng, ctx.spec.books
    candle_books = {s: CandleBook(ctx, s) for s in ctx.spec.symbols}
    hours = [t for t, _ in market.spread_bps.get("BTC", [])]
    for i, hour in enumerate(hours):
        for t in range(hour, hour + HOUR_MS, BOOK_EVERY_MS):
            for sym in ctx.spec.symbols:
                if t not in candle_books[sym].index:
                    continue
                book = _depth(candle_books[sym].price(t - t % STEP_MS), market, sym, i, rng)
                if cadence is None or cadence.due(t, ctx.spec.start_ms):
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


def liquidations(ctx: Context) -> Iterator[RawPayload]:
    """Frames of the three liquidation streams, plus OKX's instruments response."""
    ct_val = ctx.spec.liquidations.okx_ct_val
    instruments = [
        {"instType": "SWAP", "instId": f"{s}-USDT-SWAP", "instFamily": f"{s}-USDT", "uly": f"{s}-USDT",
         "ctVal": v, "ctMult": "1", "ctValCcy": s, "ctType": "linear", "settleCcy": "USDT", "state": "live"}
        for s, v in ct_val.items()
    ]  # fmt: skip
    # at the window's start (before the first OKX frame: "okx" sorts before "okx_liq")
    yield _payload(
        "okx", "instruments", ctx.spec.start_ms, _json({"code": "0", "msg": "", "data": instruments})
    )
    bybit_batch: dict[str, list[dict[str, object]]] = {}
    bybit_window = -1
    for ts, venue, symbol, side, price, qty in ctx.market.liquidations:
        if venue == "bybit":
            window = ts // 500
            if window != bybit_window:
                yield from _flush_bybit(bybit_batch, bybit_window)
                bybit_batch, bybit_window = {}, window
            bybit_batch.setdefault(symbol, []).append(
                {"T": ts, "s": instrument(symbol), "S": "Buy" if side == "LONG" else "Sell",
                 "v": f"{qty:.4g}", "p": f"{price:.6g}"}
            )  # fmt: skip
        elif venue == "binance":
            frame = {
                "e": "forceOrder", "E": ts + 40,
                "o": {"s": instrument(symbol), "S": "SELL" if side == "LONG" else "BUY", "o": "LIMIT",
                      "f": "IOC", "q": f"{qty:.4g}",
                      "p": f"{price * (0.995 if side == 'LONG' else 1.005):.6g}",
                      "ap": f"{price:.6g}", "X": "FILLED", "l": f"{qty:.4g}", "z": f"{qty:.4g}", "T": ts,
                      "ps": instrument(symbol), "st": 1},
            }  # fmt: skip
            yield _payload("binance_liq", "forceOrder", ts + 60, _json(frame), transport="ws")
        else:
            contracts = max(0.01, round(qty / float(ct_val[symbol]), 2))
            frame = {
                "arg": {"channel": "liquidation-orders", "instType": "SWAP"},
                "data": [{"details": [{"bkLoss": "0", "bkPx": f"{price:.6g}", "ccy": "",
                                       "posSide": "long" if side == "LONG" else "short",
                                       "side": "sell" if side == "LONG" else "buy",
                                       "sz": f"{contracts:g}", "ts": str(ts)}],
                          "instFamily": f"{symbol}-USDT", "instId": f"{symbol}-USDT-SWAP",
                          "instType": "SWAP", "uly": f"{symbol}-USDT"}],
            }  # fmt: skip
            yield _payload("okx_liq", "liquidation-orders", ts + 80, _json(frame), transport="ws")
    yield from _flush_bybit(bybit_batch, bybit_window)


def _flush_bybit(batch: dict[str, list[dict[str, object]]], window: int) -> Iterator[RawPayload]:
    for symbol, rows in batch.items():
        ts = window * 500 + 500
        frame = {"topic": f"allLiquidation.{instrument(symbol)}", "type": "snapshot", "ts": ts, "data": rows}
        yield _payload("bybit_liq", "allLiquidation", ts + 30, _json(frame), transport="ws")


# --- ETF (Farside HTML, SoSoValue JSON) ------------------------------------------------------------


def farside_page(
    asset: str, rows: list[tuple[date, dict[str, float] | None]], funds: tuple[str, ...], note: str
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
        f"</table><p>{escape(note)}</p></body></html>"
    )
    return html.encode()


SOSOVALUE_LIMIT = 30


def sosovalue_history(rows: list[tuple[date, float]]) -> bytes:
    """SoSoValue's summary history (newest first, USD): the days and totals only, the fields the
    scenario has data for."""
    return _json([{"date": d.isoformat(), "total_net_inflow": round(v * 1e6, 2)} for d, v in reversed(rows)])


def etf(ctx: Context) -> Iterator[RawPayload]:
    """ETF payloads on each trading day: published in the evening (``etf.hours``, UTC) and, where
    ``etf.unpublished`` says, an afternoon page whose row for the day is still a placeholder."""
    spec = ctx.spec.etf
    if spec is None:
        return
    assets = [a for a in spec.assets if ctx.market.etf.get(a.asset)]
    by_day = {a.asset: dict(ctx.market.etf[a.asset]) for a in assets}
    funds = {a.asset: tuple(ctx.market.etf[a.asset][0][1]) for a in assets}
    trading = sorted({d for rows in by_day.values() for d in rows})
    for d in days(ctx.spec.first_day, ctx.spec.last_day):
        if d not in trading:
            continue
        fetches = tuple((h, True) for h in spec.hours)
        lo, hi = spec.unpublished_from, spec.unpublished_to
        if spec.unpublished_hour is not None and lo is not None and hi is not None and lo <= d <= hi:
            fetches = ((spec.unpublished_hour, False), *fetches)
        for hour, published in fetches:
            t = day_ms(d) + hour * HOUR_MS
            for a in assets:
                own = by_day[a.asset]
                if d not in own:
                    continue
                earlier = [x for x in trading if x < d and x in own]
                if a.render == "sosovalue":
                    if published:
                        shown = [(x, own[x]["TOTAL"]) for x in [*earlier, d]][-SOSOVALUE_LIMIT:]
                        body = sosovalue_history(shown)
                        yield _payload("sosovalue", "summary_history", t + 2_500, body, asset=a.asset,
                                       **{"q.symbol": a.asset, "q.country_code": "US",
                                          "q.limit": str(SOSOVALUE_LIMIT)})  # fmt: skip
                    continue
                rows: list[tuple[date, dict[str, float] | None]] = [
                    (x, own[x]) for x in earlier[-spec.page_days :]
                ]
                rows.append((d, own[d] if published else None))
                body = farside_page(a.asset, rows, funds[a.asset], spec.page_note)
                yield _payload("farside", "etf_page", t + 2_000, body, asset=a.asset)


# --- sentiment and macro -------------------------------------------------------------------------


def fear(ctx: Context) -> Iterator[RawPayload]:
    """alternative.me every day at 00:05 UTC (newest first), CNN after each US close."""
    rows: list[dict[str, str]] = []
    for d, value, cls in ctx.market.fear_crypto:
        if d > ctx.spec.last_day:
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
    for d, score, rating in ctx.market.fear_stocks:
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


def _fred_value(series: str, value: float) -> str:
    return f"{value:.2f}" if series != "ICSA" else str(int(value))


def macro(ctx: Context) -> Iterator[RawPayload]:
    """FRED CSVs: each daily series the morning after each observation (``macro.series``), claims
    on each release day."""
    start = ctx.spec.start_ms
    for s in ctx.spec.fred:
        seen: list[tuple[date, float]] = []
        pending = None  # observations published before the window: one payload at its start
        for d, value in ctx.market.macro.get(s.id, []):
            seen.append((d, value))
            t = day_ms(d + timedelta(days=s.lag_days)) + s.hour * HOUR_MS + s.minute * 60_000
            body = f"observation_date,{s.id}\n" + "".join(
                f"{x.isoformat()},{_fred_value(s.id, v)}\n" for x, v in seen
            )
            if t < start:
                pending = body
                continue
            if pending is not None:
                yield _payload("fred", "fredgraph_csv", start, pending.encode(), series=s.id)
                pending = None
            yield _payload("fred", "fredgraph_csv", t, body.encode(), series=s.id)
        if pending is not None:
            yield _payload("fred", "fredgraph_csv", start, pending.encode(), series=s.id)
    known: dict[date, int] = {}
    for week, claims, release in ctx.market.claims:
        known[week] = claims
        t = day_ms(release) + 13 * HOUR_MS + 30 * 60_000
        if t < ctx.spec.start_ms - 20 * DAY_MS:
            continue
        rows = "".join(f"{w.isoformat()},{v}\n" for w, v in sorted(known.items()))
        claims_csv = f"observation_date,ICSA\n{rows}".encode()
        yield _payload("fred", "fredgraph_csv", max(t, ctx.spec.start_ms), claims_csv, series="ICSA")


AAVE_POOLS = {"USDC": "aa70268e-4b52-42bf-a116-608b370f9501", "USDT": "f981a304-bb6c-45b8-b0c5-fd2f515ad23a"}


def borrow(ctx: Context) -> Iterator[RawPayload]:
    """DefiLlama pools + lendBorrow (reduced to the Aave v3 stablecoin pools) every 4 hours."""
    series = ctx.market.borrow_apy
    for i in range(0, len(series.get("USDC", [])), 4):
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


# --- positioning: OI history, taker flow, account ratios, funding across venues (reconstructed) ---
#
# Polled on ``positioning.history`` / ``positioning.snapshots`` (the catalog's 5-minute and
# 30-second kinds, thinned outside the crash days so the recording stays small and quick to
# replay). A poll's reply holds the rows since the previous poll: the live poller asks for 30
# (or a 2 h tail) and the rest would only repeat rows the state holds.

PERP_VOLUME_MULTIPLE = 2.5  # perpetuals trade a few times the spot volume
CIRCULATING = {"BTC": 19_990_000.0, "ETH": 120_700_000.0}
HL_MAX_LEVERAGE = {"BTC": 40, "ETH": 25}
OKX_ALL_CONTRACTS = 1.15  # OKX rubik counts expiry futures beside the swap
SETTLE_EVERY_MS = 8 * HOUR_MS


def _rows_since(series: list[tuple[int, float]], first: int, last: int) -> list[tuple[int, float]]:
    """Points with ``first <= t <= last`` (a sorted series on the 5-minute grid)."""
    if not series:
        return []
    base = series[0][0]
    lo = max(0, (first - base) // STEP_MS)
    hi = min(len(series), (last - base) // STEP_MS + 1)
    return series[lo:hi]


def _history_polls(ctx: Context) -> Iterator[tuple[int, int]]:
    """(poll time, row step): every 5 minutes with 5-minute rows on the dense days, else hourly
    with hourly rows; the first poll (the backfill) at the window's start."""
    p = ctx.spec.positioning
    assert p is not None
    start = ctx.spec.start_ms
    for t in range(start, ctx.spec.end_ms + 1, STEP_MS):
        if t == start or p.history.due(t, start):
            dense = p.history.dense_every_min < p.history.every_min and p.history.is_dense(t)
            yield t, STEP_MS if dense else HOUR_MS


def _rows(series: list[tuple[int, float]], first: int, last: int, step: int) -> list[tuple[int, float]]:
    """Points with ``first <= t <= last`` on the ``step`` grid."""
    return [(t, v) for t, v in _rows_since(series, first, last) if t % step == 0]


class _Sent:
    """Where each series' next reply starts: the backfill's reach, then just after the last row
    sent (the live tail repeats a few rows the state already holds; they are left out)."""

    def __init__(self) -> None:
        self.last: dict[object, int] = {}

    def first(self, key: object, reach: int, last_row: int) -> int:
        previous = self.last.get(key)
        self.last[key] = last_row
        return reach if previous is None else previous + 1


PERIOD_NAMES = {  # venue spelling of the two row periods
    "binance": {STEP_MS: "5m", HOUR_MS: "1h"},
    "bybit": {STEP_MS: "5min", HOUR_MS: "1h"},
    "okx": {STEP_MS: "5m", HOUR_MS: "1H"},
}
BACKFILL_ROWS = {"binance": 500, "bybit": 200, "okx": 720}  # each venue's largest page


def positioning_history(ctx: Context) -> Iterator[RawPayload]:
    """Binance openInterestHist, takerlongshortRatio and globalLongShortAccountRatio, Bybit
    open-interest and OKX rubik open interest (all contracts)."""
    market, p = ctx.market, ctx.spec.positioning
    if p is None or not market.oi_coins:
        return
    books = {s: CandleBook(ctx, s) for s in ctx.spec.symbols}
    symbols = [s for s in ctx.spec.symbols if ("binance", s) in market.oi_coins]
    taker = {s: _taker_volumes(ctx, books[s]) for s in symbols}
    sent = _Sent()
    for t, step in _history_polls(ctx):
        for sym in symbols:
            yield from _binance_history(ctx, sym, books[sym], taker[sym], t, step, sent)
            if ("bybit", sym) in market.oi_coins:
                yield from _bybit_history(market.oi_coins[("bybit", sym)], sym, t, step, sent)
            if ("okx", sym) in market.oi_coins:
                yield from _okx_history(market.oi_coins[("okx", sym)], books[sym], sym, t, step, sent)


def _taker_volumes(ctx: Context, book: CandleBook) -> dict[int, tuple[float, float]]:
    """Taker (buy, sell) volume in coins of the 5 minutes starting at each mark."""
    out = {}
    for ts, share in ctx.market.taker_buy_share[book.symbol]:
        move = abs(book.price(ts + STEP_MS) / book.price(ts) - 1)
        volume = book._volume_per_step(ts) * PERP_VOLUME_MULTIPLE * (1 + 150 * move)
        out[ts] = (volume * share, volume * (1 - share))
    return out


def _binance_history(
    ctx: Context,
    sym: str,
    book: CandleBook,
    taker: dict[int, tuple[float, float]],
    t: int,
    step: int,
    sent: _Sent,
) -> Iterator[RawPayload]:
    market, inst = ctx.market, instrument(sym)
    period = PERIOD_NAMES["binance"][step]
    last_row = t - t % step
    first = sent.first(("binance", sym), last_row - (BACKFILL_ROWS["binance"] - 1) * step, last_row)
    oi_rows = []
    for ts, coins in _rows(market.oi_coins[("binance", sym)], first, t, step):
        value = round(coins, 3) * round(book.price(ts), 2)
        supply = f"{CIRCULATING.get(sym, 0.0):.3f}"
        oi_rows.append({"symbol": inst, "sumOpenInterest": f"{coins:.3f}00000",
                        "sumOpenInterestValue": f"{value:.8f}", "CMCCirculatingSupply": supply,
                        "timestamp": ts})  # fmt: skip
    recv = t + 1_300  # just after the poll: every row stays within the 2 h freshness of the next
    yield _payload("binance_futures", "open_interest_hist", recv, _json(oi_rows), symbol=sym, period=period)
    # taker rows are stamped at their period's start and published once it has ended
    taker_rows = []
    for ts, _ in _rows(market.taker_buy_share[sym], first - step, t - step, step):
        parts = [taker[x] for x in range(ts, ts + step, STEP_MS)]
        buy, sell = sum(b for b, _ in parts), sum(s for _, s in parts)
        ratio = f"{buy / sell:.4f}"
        row = {"buySellRatio": ratio, "buyVol": f"{buy:.4f}", "sellVol": f"{sell:.4f}", "timestamp": ts}
        taker_rows.append(row)
    taker_rows.reverse()  # newest first, as the doc lists them
    yield _payload("binance_futures", "taker_long_short_ratio", recv + 100, _json(taker_rows),
                   symbol=sym, period=period)  # fmt: skip
    ratio_rows = [
        {"symbol": inst, "longShortRatio": f"{share / (1 - share):.4f}", "longAccount": f"{share:.4f}",
         "shortAccount": f"{1 - share:.4f}", "timestamp": ts}
        for ts, share in _rows(market.long_account[sym], first, t, step)
    ]  # fmt: skip
    yield _payload("binance_futures", "global_long_short_account_ratio", recv + 200, _json(ratio_rows),
                   symbol=sym, period=period)  # fmt: skip


def _bybit_envelope(result: Mapping[str, object], t: int) -> bytes:
    return _json({"retCode": 0, "retMsg": "OK", "result": result, "retExtInfo": {}, "time": t})


def _bybit_history(
    series: list[tuple[int, float]], sym: str, t: int, step: int, sent: _Sent
) -> Iterator[RawPayload]:
    recv = t + 1_600
    last_row = t - t % step
    first = sent.first(("bybit", sym), last_row - (BACKFILL_ROWS["bybit"] - 1) * step, last_row)
    listed = [
        {"openInterest": f"{2 * coins:.8f}", "singleOpenInterest": f"{coins:.3f}", "timestamp": str(ts)}
        for ts, coins in reversed(_rows(series, first, t, step))
    ]
    result = {"symbol": instrument(sym), "category": "linear", "list": listed, "nextPageCursor": ""}
    yield _payload("bybit", "open_interest", recv, _bybit_envelope(result, recv), symbol=sym,
                   period=PERIOD_NAMES["bybit"][step])  # fmt: skip


def _okx_history(
    series: list[tuple[int, float]], book: CandleBook, sym: str, t: int, step: int, sent: _Sent
) -> Iterator[RawPayload]:
    recv = t + 1_700
    last_row = t - t % step
    first = sent.first(("okx", sym), last_row - (BACKFILL_ROWS["okx"] - 1) * step, last_row)
    data = [
        [str(ts), f"{coins * OKX_ALL_CONTRACTS * book.price(ts):.1f}",
         f"{book._volume_per_step(ts) * step / STEP_MS * PERP_VOLUME_MULTIPLE * 0.3 * book.price(ts):.1f}"]
        for ts, coins in reversed(_rows(series, first, t, step))
    ]  # fmt: skip
    body = _json({"code": "0", "data": data, "msg": ""})
    yield _payload("okx_public", "rubik_open_interest_volume", recv, body, symbol=sym,
                   period=PERIOD_NAMES["okx"][step])  # fmt: skip


def venue_funding(ctx: Context) -> Iterator[RawPayload]:
    """Current funding beside Binance's premium index: Bybit tickers and Hyperliquid
    metaAndAssetCtxs (both with open interest) and OKX funding-rate (its open interest comes from
    the rubik history), on ``positioning.snapshots``."""
    market, p = ctx.market, ctx.spec.positioning
    if p is None or not market.venue_funding:
        return
    books = {s: CandleBook(ctx, s) for s in ctx.spec.symbols}
    start = ctx.spec.start_ms
    for t in range(start, ctx.spec.end_ms, STEP_MS):
        if not p.snapshots.due(t, start):
            continue
        hl: list[tuple[str, dict[str, object]]] = []
        for sym in ctx.spec.symbols:
            now = _Now(market, books[sym], t)
            if ("bybit", sym) in market.venue_funding:
                yield _bybit_ticker(now)
            if ("okx", sym) in market.venue_funding:
                yield _okx_funding(now)
            if ("hyperliquid", sym) in market.venue_funding:
                hl.append((sym, _hyperliquid_ctx(now)))
        if hl:
            universe = [
                {"name": s, "szDecimals": 5 if s == "BTC" else 4, "maxLeverage": HL_MAX_LEVERAGE.get(s, 20)}
                for s, _ in hl
            ]
            body = _json([{"universe": universe, "collateralToken": 0}, [c for _, c in hl]])
            names = ",".join(s for s, _ in hl)
            params = {"symbols": names, KIND: "funding"}
            yield _payload("hyperliquid", "meta_and_asset_ctxs", t + 1200, body, **params)


class _Now:
    """One symbol's price, funding and open interest per venue at a 5-minute mark."""

    def __init__(self, market: Market, book: CandleBook, t: int) -> None:
        self.market, self.book, self.t = market, book, t
        self.symbol = book.symbol
        self.price = book.price(t)
        self.next_settle = t - t % SETTLE_EVERY_MS + SETTLE_EVERY_MS

    def _at(self, series: list[tuple[int, float]]) -> float:
        return _rows_since(series, self.t, self.t)[0][1]

    def funding(self, venue: str) -> float:
        return self._at(self.market.venue_funding[(venue, self.symbol)])

    def oi(self, venue: str) -> float:
        return self._at(self.market.oi_coins[(venue, self.symbol)])


def _bybit_ticker(now: _Now) -> RawPayload:
    rate, coins, price = now.funding("bybit"), now.oi("bybit"), now.price
    row = {
        "symbol": instrument(now.symbol), "lastPrice": _p(price), "indexPrice": _p(price),
        "markPrice": _p(price * (1 + rate)), "openInterest": f"{2 * coins:.3f}",
        "singleOpenInterest": f"{coins:.3f}", "openInterestValue": f"{2 * coins * price:.2f}",
        "singleOpenInterestValue": f"{coins * price:.2f}", "fundingRate": f"{rate:.6f}",
        "nextFundingTime": str(now.next_settle), "fundingIntervalHour": "8", "fundingCap": "0.005",
    }  # fmt: skip
    recv = now.t + 900
    body = _bybit_envelope({"category": "linear", "list": [row]}, recv)
    return _payload("bybit", "tickers", recv, body, **{"symbols": now.symbol, KIND: "funding"})


def _okx_funding(now: _Now) -> RawPayload:
    rate, recv = now.funding("okx"), now.t + 1000
    row = {
        "formulaType": "noRate", "fundingRate": f"{rate:.16f}", "fundingTime": str(now.next_settle),
        "impactValue": "", "instId": f"{now.symbol}-USDT-SWAP", "instType": "SWAP", "interestRate": "",
        "maxFundingRate": "0.00375", "method": "current_period", "minFundingRate": "-0.00375",
        "nextFundingRate": "", "nextFundingTime": str(now.next_settle + SETTLE_EVERY_MS),
        "premium": f"{rate:.16f}", "settFundingRate": f"{rate:.16f}", "settState": "settled", "ts": str(recv),
    }  # fmt: skip
    body = _json({"code": "0", "data": [row], "msg": ""})
    return _payload("okx_public", "funding_rate", recv, body, symbols=now.symbol)


def _hyperliquid_ctx(now: _Now) -> dict[str, object]:
    rate, coins, price, book = now.funding("hyperliquid"), now.oi("hyperliquid"), now.price, now.book
    hourly = rate / 8  # Hyperliquid funds hourly
    day_ago = book.price(max(now.t - DAY_MS, book.path[0][0]))
    return {
        "dayNtlVlm": f"{book._volume_per_step(now.t) * 288 * 0.4 * price:.2f}", "funding": f"{hourly:.8f}",
        "impactPxs": [_p(price * 0.9999), _p(price * 1.0001)], "markPx": _p(price * (1 + rate), 1),
        "midPx": _p(price, 1), "openInterest": f"{coins:.5f}", "oraclePx": _p(price, 1),
        "premium": f"{hourly - 0.0000125:.8f}", "prevDayPx": _p(day_ago, 1),
    }  # fmt: skip


def funding_history(ctx: Context) -> Iterator[RawPayload]:
    """Settled funding after each 8-hourly settlement: Binance fundingRate and Bybit funding/history
    (the last 5 rows, as the poller asks) and Hyperliquid fundingHistory (it settles hourly: the
    hours since the previous poll); a backfill at the window's start. The
    poller's hourly polls in between would repeat these rows and are left out."""
    market, p = ctx.market, ctx.spec.positioning
    if p is None or not market.venue_funding:
        return
    start = ctx.spec.start_ms
    for t in range(start, ctx.spec.end_ms, SETTLE_EVERY_MS):
        backfill = t == start
        recv = t + 60_000
        for sym in ctx.spec.symbols:
            inst = instrument(sym)
            for venue in ("binance", "bybit"):
                series = market.venue_funding.get((venue, sym))
                if series is None:
                    continue
                reach = t - ((100 if venue == "binance" else 200) if backfill else 5) * SETTLE_EVERY_MS
                settled = _rows(series, reach + SETTLE_EVERY_MS, t, SETTLE_EVERY_MS)
                if venue == "binance":
                    rows = [{"symbol": inst, "fundingRate": f"{r:.8f}", "fundingTime": ts + 7,
                             "markPrice": _p(CandleBook.price_of(market, sym, ts), 8)}
                            for ts, r in settled]  # fmt: skip
                    yield _payload("binance_futures", "funding_rate_history", recv, _json(rows), symbol=sym)
                else:
                    listed = [{"symbol": inst, "fundingRate": f"{r:.6f}", "fundingRateTimestamp": str(ts)}
                              for ts, r in reversed(settled)]  # fmt: skip
                    body = _bybit_envelope({"category": "linear", "list": listed}, recv)
                    yield _payload("bybit", "funding_history", recv, body, symbol=sym)
            series = market.venue_funding.get(("hyperliquid", sym))
            if series is not None:
                reach = t - (7 * DAY_MS if backfill else SETTLE_EVERY_MS - HOUR_MS)
                rows_hl = [{"coin": sym, "fundingRate": f"{r / 8:.8f}", "premium": f"{r / 8 - 0.0000125:.8f}",
                            "time": ts + 31} for ts, r in _rows(series, reach, t, HOUR_MS)]  # fmt: skip
                yield _payload("hyperliquid", "funding_history", recv + 1_000, _json(rows_hl), symbol=sym)


FAMILIES: dict[str, Family] = {
    "candles": candles,
    "tickers": tickers,
    "derivatives": derivatives,
    "books": books,
    "liquidations": liquidations,
    "etf": etf,
    "fear": fear,
    "macro": macro,
    "borrow": borrow,
    "positioning_history": positioning_history,
    "venue_funding": venue_funding,
    "funding_history": funding_history,
}
"""Every payload family by name; a new family is one function added here."""
