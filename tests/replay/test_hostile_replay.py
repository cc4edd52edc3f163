"""Issue 18's acceptance: hostile lines inserted into the bundled feb-2026 scenario change nothing
that is shown, and each rejection is counted by its reason.

A copy of the recording gets, beside real payloads and at their receive times: liquidations
stamped next century, in seconds, sized 1e308, priced NaN, and one worth a billion dollars;
tickers from the future, in seconds and NaN; a candle of 1e308 coins; a Farside page with a day
after the current US trading day; and a truncated line. Both copies replay through the in-process
engine to the same point (two days in, past two published ETF days); tallies, prices, ETF
figures and the gauge are equal, the gate's rejections are counted per source and reason, and
the replay says it skipped two bad lines (the truncated one, and one received in 2103 that
would have moved the replay clock).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
from crashtui.config.schema import Config
from crashtui.engine import Engine
from crashtui.replay.locate import locate_recording

START = 1_768_435_200_000  # 2026-01-15 00:00Z, the recording's first payload
UNTIL = 1_768_608_000_000  # 2026-01-17 00:00Z: after the 15 and 16 Jan ETF prints
HOSTILE_FROM = START + 36 * 3_600_000  # 2026-01-16 12:00Z
NEXT_CENTURY_MS = 4_102_444_800_000  # 2100-01-01
JAN16 = 1_768_521_600_000


def _line(t: int, src: str, ep: str, body: str, params: dict[str, str], kind: str = "http") -> str:
    return json.dumps({"t": t, "src": src, "ep": ep, "k": kind, "st": 200, "p": params, "b": body})


def _liquidation_frames(t: int) -> list[str]:
    def frame(*items: dict[str, Any]) -> str:
        body = {"topic": "allLiquidation.BTCUSDT", "type": "snapshot", "ts": t, "data": list(items)}
        return _line(t, "bybit_liq", "allLiquidation", json.dumps(body), {}, "ws")

    def item(ts: int, size: str, price: str = "96000.0") -> dict[str, Any]:
        return {"T": ts, "s": "BTCUSDT", "S": "Buy", "v": size, "p": price}

    return [
        frame(
            item(NEXT_CENTURY_MS, "1.5"),  # a liquidation "from next century" would clear the tallies
            item(t // 1000, "1.5"),  # a time in seconds
            item(t - 400, "10500"),  # about US$1bn in one order: implausible
        ),
        # the stream parser refuses these frames whole (a notional out of range, a NaN price)
        frame(item(t - 500, "1e308")),
        frame(item(t - 300, "2.0", "NaN")),
    ]


def _ticker_lines(t: int, real: dict[str, Any]) -> list[str]:
    rows = json.loads(real["b"])
    btc = next(r for r in rows if r["symbol"] == "BTCUSDT")

    def ticker(price: str, close_ms: int) -> str:
        body = json.dumps([{**btc, "lastPrice": price, "closeTime": close_ms}])
        return _line(t, "binance", "ticker_24hr", body, {"symbols": "BTC"})

    return [
        ticker("1.00", t + 30 * 86_400_000),  # a tick from the future would freeze the price
        ticker("50000.00", t // 1000),  # in seconds
        ticker("NaN", t),
    ]


def _candle_line(t: int) -> str:
    hour = t - t % 3_600_000
    row = [
        hour,
        "97000.0",
        "97100.0",
        "96900.0",
        "97050.0",
        "1e308",
        hour + 3_599_999,
        "1e308",
        1,
        "0",
        "0",
        "0",
    ]
    return _line(t, "binance", "klines", json.dumps([row]), {"symbol": "BTC", "interval": "1h"})


def _future_etf_page(real: dict[str, Any]) -> str:
    """The real page with one more row, dated 21 Jan (after the current US trading day)."""
    body: str = real["b"]
    rows = re.findall(r"<tr><td><span class=\"tabletext\">16 Jan 2026</span></td>.*?</tr>", body)
    assert rows, "the 16 Jan row of the BTC page"
    future = rows[0].replace("16 Jan 2026", "21 Jan 2026")
    return _line(real["t"], "farside", "etf_page", body.replace(rows[0], rows[0] + future), real["p"])


def _published_16_jan_btc(head: dict[str, Any]) -> bool:
    """The BTC page that publishes 16 Jan (not the afternoon placeholder)."""
    body: str = head["b"]
    return (
        head["p"].get("asset") == "BTC"
        and "16 Jan 2026" in body
        and "16 Jan 2026</span></td><td>-" not in body
    )


_TIME = re.compile(r'^\{"t":(\d+),')


def hostile_copy(clean: Path, out: Path) -> int:
    """``clean`` with the hostile lines inserted in time order; returns how many were inserted."""
    with gzip.open(clean, "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()
    done: set[str] = set()
    result = [lines[0]]
    for line in lines[1:]:
        result.append(line)
        stamp = _TIME.match(line)
        if len(done) == 3 or (stamp is not None and int(stamp[1]) < HOSTILE_FROM):
            continue
        head = json.loads(line)
        t, key = head["t"], (head["src"], head["ep"])
        if key == ("bybit_liq", "allLiquidation") and "liq" not in done:
            result.extend(_liquidation_frames(t))
            result.append(line[: len(line) // 2])  # a truncated line
            result.append(line.replace(f'"t":{t},', '"t":4200000000000,', 1))  # received in 2103
            done.add("liq")
        elif key == ("binance", "ticker_24hr") and "ticker" not in done:
            result.extend([*_ticker_lines(t, head), _candle_line(t)])
            done.add("ticker")
        elif key == ("farside", "etf_page") and "etf" not in done and _published_16_jan_btc(head):
            result.append(_future_etf_page(head))
            done.add("etf")
    assert done == {"liq", "ticker", "etf"}
    out.write_bytes(gzip.compress(("\n".join(result) + "\n").encode("utf-8"), compresslevel=1, mtime=0))
    return len(result) - len(lines)


def replayed(path: Path) -> Engine:
    engine = build_engine(Config(), (), EngineOptions(replay=ReplayOptions(path, None, None, UNTIL)))
    engine.replay_to_end()
    return engine


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Engine, Engine, int]:
    folder = tmp_path_factory.mktemp("hostile")
    clean = folder / "feb-2026.jsonl.gz"
    shutil.copyfile(locate_recording("feb-2026"), clean)
    hostile = folder / "feb-2026-hostile.jsonl.gz"
    inserted = hostile_copy(clean, hostile)
    return replayed(clean), replayed(hostile), inserted


def test_what_is_shown_equals_the_clean_run(runs: tuple[Engine, Engine, int]) -> None:
    clean, hostile, inserted = runs
    assert inserted == 10
    assert hostile.now_ms() == clean.now_ms() == UNTIL
    a, b = clean.analysis(), hostile.analysis()
    # tallies and cascades
    assert b.liquidations == a.liquidations
    assert a.liquidations.window("24h") is not None
    assert hostile.state.liquidations_total == clean.state.liquidations_total > 0
    # prices: the displayed ticker of every symbol, and the candles
    sa, sb = clean.state.snapshot(), hostile.state.snapshot()
    assert dict(sb.tickers) == dict(sa.tickers)
    assert sa.tickers["BTC"].price > 80_000
    assert dict(sb.candles) == dict(sa.candles)
    # ETF figures: two published days each, nothing after the 16th
    assert b.etf == a.etf
    assert [(s.asset, s.total.latest_day_ms, s.total.latest_usd_m) for s in a.etf] == [
        ("BTC", JAN16, -394.7),
        ("ETH", JAN16, -10.3),
    ]
    assert dict(sb.etf_flows) == dict(sa.etf_flows)
    # the gauge and every component
    assert b.gauge == a.gauge
    assert a.gauge.score is not None
    assert [s.symbol for s in b.symbols] == [s.symbol for s in a.symbols]
    assert [(s.price, s.summary) for s in b.symbols] == [(s.price, s.summary) for s in a.symbols]


def test_each_rejection_is_counted_by_its_reason(runs: tuple[Engine, Engine, int]) -> None:
    clean, hostile, _ = runs
    assert dict(clean.state.snapshot().held) == {}
    held = {
        source: {h.reason: h.count for h in counts}
        for source, counts in hostile.state.snapshot().held.items()
    }
    liq = held.pop("bybit_liq")
    assert liq.pop("timestamp 74 years ahead") == 1
    assert _pop_matching(liq, r"timestamp 17\d{8} looks like seconds, not ms") == 1
    assert _pop_matching(liq, r"^implausible: a single BTC liquidation of 1,008,000,000 USD") == 1
    assert liq == {}
    binance = held.pop("binance")
    assert _pop_matching(binance, r"^timestamp 30 days ahead$") == 1
    assert _pop_matching(binance, r"timestamp 17\d{8} looks like seconds, not ms") == 1
    assert binance.pop("BTC 1h candle volume 1e+308 is above the 1e+16 sanity ceiling") == 1
    assert binance == {}
    assert held.pop("farside") == {"ETF day 2026-01-21 is after the current US trading day 2026-01-16": 1}
    assert held == {}
    # what the parsers refused (a NaN price) and the truncated line are counted too
    replay = hostile.replay
    assert replay is not None
    assert replay.bad_lines == 2
    # three bad frames: the one whose every order was held, the 1e308 one and the NaN one
    assert hostile.state.statuses["bybit_liq"].bad_frames == clean.state.statuses["bybit_liq"].bad_frames + 3


def _pop_matching(reasons: dict[str, int], pattern: str) -> int:
    matches = [r for r in reasons if re.search(pattern, r)]
    assert len(matches) == 1, (pattern, reasons)
    return reasons.pop(matches[0])
