"""The market strip's parsers (real payloads), its gate rules and its ``--once --json`` key."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crashtui.events import DataEvent, HeldEvent
from crashtui.headless.document import market_json
from crashtui.ingest.pipeline import Pipeline
from crashtui.model import MarketGlobal, MarketMovers, RawPayload
from crashtui.sources.market_strip import MIN_QUOTE_VOLUME_USD, parse_global, parse_movers
from crashtui.state import FeedState

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
REAL_ROW: dict[str, Any] = json.loads(
    (FIXTURES / "binance_ticker_24hr_btcusdt_ccxt_reconstructed.json").read_text()
)[0]
NOW = REAL_ROW["closeTime"] + 1_000


def test_coingecko_global_real_payload() -> None:
    market = parse_global((FIXTURES / "coingecko_global.json").read_bytes())
    assert market == MarketGlobal(
        source="coingecko",
        ts_ms=1_737_105_225_000,  # updated_at is unix seconds
        total_market_cap_usd=3_751_351_705_612.96,
        total_volume_usd=192_064_640_371.143,
        market_cap_change_24h_pct=2.33456898742883,
        btc_dominance_pct=53.9930159141062,  # already percent
        eth_dominance_pct=10.9542610800551,
    )


def test_the_real_btcusdt_row_agrees_with_binances_own_percentage() -> None:
    board = parse_movers(json.dumps([REAL_ROW]).encode(), received_ms=NOW)
    (move,) = board.gainers
    assert (move.pair, move.base, move.price) == ("BTCUSDT", "BTC", 73_369.84)
    assert round(move.change_24h_pct, 3) == float(REAL_ROW["priceChangePercent"])  # computed from MINI fields
    assert board.losers == ()  # a rise is never listed as a loser
    assert board.ts_ms == REAL_ROW["closeTime"]


def test_the_doc_mini_rows_quote_btc_and_rank_nothing() -> None:
    board = parse_movers((FIXTURES / "binance_ticker_24hr_mini_multi.json").read_bytes(), received_ms=NOW)
    assert (board.gainers, board.losers, board.ranked) == ((), (), 0)


def _row(pair: str, change_pct: float, **changes: Any) -> dict[str, Any]:
    """The real row's shape under another pair name and move."""
    opened = 100.0
    row = dict(
        REAL_ROW, symbol=pair, openPrice=f"{opened:.8f}", lastPrice=f"{opened * (1 + change_pct / 100):.8f}"
    )
    row.update(changes)
    return row


def test_only_liquid_trading_usdt_coins_are_ranked() -> None:
    rows = [
        _row("SOLUSDT", -12.0),
        _row("DOGEUSDT", -20.0),
        _row("PEPEUSDT", 30.0),
        _row("XRPUSDT", 5.0),
        _row("ETHBTC", 50.0),  # not a USDT pair
        _row("BTCUPUSDT", 90.0),  # a leveraged token
        _row("USDCUSDT", 0.1),  # a stablecoin
        _row("THINUSDT", 400.0, quoteVolume=str(MIN_QUOTE_VOLUME_USD / 10)),  # one whale
        _row("DEADUSDT", -95.0, closeTime=NOW - 3 * 86_400_000),  # halted days ago
        _row("IDLEUSDT", 60.0, count=0),
    ]
    board = parse_movers(json.dumps(rows).encode(), received_ms=NOW, top=2)
    assert [m.pair for m in board.gainers] == ["PEPEUSDT", "XRPUSDT"]
    assert [m.pair for m in board.losers] == ["DOGEUSDT", "SOLUSDT"]
    assert board.ranked == 4


def _payload(body: bytes) -> RawPayload:
    return RawPayload(source="binance", endpoint="ticker_24hr_all", received_ms=NOW, body=body, params={})


def test_a_hostile_board_is_held_and_the_last_good_one_stays() -> None:
    state = FeedState(("BTC",))
    state.now_ms = lambda: NOW  # type: ignore[method-assign]
    applied: list[object] = []

    def apply(event: object) -> None:
        applied.append(event)
        state.apply(event)  # type: ignore[arg-type]

    pipeline = Pipeline.into(apply)
    good = json.dumps([_row("SOLUSDT", -12.0), _row("PEPEUSDT", 30.0)]).encode()
    assert pipeline.payload(_payload(good)).accepted == 1
    first = state.movers
    assert first is not None
    hostile = json.dumps([_row("SOLUSDT", -12.0), _row("EVILUSDT", 10.0, lastPrice="1e300")]).encode()
    outcome = pipeline.payload(_payload(hostile))
    assert outcome.rejected == 1
    assert state.movers is first
    assert any(isinstance(e, HeldEvent) and "EVILUSDT" in e.reason for e in applied)


@pytest.mark.parametrize("field", ["btc_dominance_pct", "total_market_cap_usd"])
def test_an_absurd_market_figure_is_held(field: str) -> None:
    good = parse_global((FIXTURES / "coingecko_global.json").read_bytes())
    bad = MarketGlobal(**{**{f: getattr(good, f) for f in good.__dataclass_fields__}, field: 1e300})
    from crashtui.ingest.rules import item_problem

    assert item_problem(good) is None
    assert item_problem(bad) is not None


def test_market_json_says_what_it_has_and_how_old() -> None:
    state = FeedState(("BTC",))
    state.now_ms = lambda: NOW + 60_000  # type: ignore[method-assign]
    assert market_json(state.snapshot()) == {"movers": None, "global": None}
    board = parse_movers(json.dumps([_row("SOLUSDT", -12.0)]).encode(), received_ms=NOW)
    state.apply(DataEvent("binance", "market_movers", (board,), NOW))
    doc = market_json(state.snapshot())
    assert doc["movers"]["losers"][0]["pair"] == "SOLUSDT"
    assert doc["movers"]["losers"][0]["change_24h_pct"] == -12.0
    assert doc["movers"]["age_s"] == 61.0
    assert isinstance(state.snapshot().movers, MarketMovers)
