"""Instrument lists (real payloads) and the symbol lookup built on them."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx
import pytest

from crashtui.clock import FakeClock
from crashtui.commands.symbols import choose
from crashtui.config.schema import Config
from crashtui.errors import BlockedError, ParseError
from crashtui.sources.instrument_match import resolve, toml_snippet, unscaled_reason
from crashtui.sources.instruments import (
    Listing,
    parse_binance_exchange_info,
    parse_bybit_instruments,
    parse_coinbase_products,
    parse_hyperliquid_meta,
    parse_okx_instruments,
    split_multiplier,
)
from crashtui.upstream.instrument_lists import FRESH_MS, VenueList, instrument_lists

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def body(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_binance_spot_and_futures_lists() -> None:
    spot = parse_binance_exchange_info(body("binance_spot_exchange_info_doc.json"))
    assert spot == (Listing("binance", "ETHBTC", "ETH", "BTC"),)
    futures = parse_binance_exchange_info(
        body("binance_futures_exchange_info_btc_eth_reconstructed.json"), venue="binance_futures"
    )
    assert {(x.name, x.base, x.quote) for x in futures} == {
        ("BTCUSDT", "BTC", "USDT"),
        ("ETHUSDT", "ETH", "USDT"),
    }


def test_binance_futures_skips_quarterlies_and_halted() -> None:
    doc = json.loads(body("binance_futures_exchange_info_btc_eth_reconstructed.json"))
    doc["symbols"][0]["contractType"] = "CURRENT_QUARTER"
    doc["symbols"][1]["status"] = "SETTLING"
    assert parse_binance_exchange_info(json.dumps(doc).encode(), venue="binance_futures") == ()


def test_bybit_okx_coinbase_hyperliquid_lists() -> None:
    assert parse_bybit_instruments(body("bybit_instruments_info_linear.json")) == (
        Listing("bybit", "BTCUSDT", "BTC", "USDT"),
    )
    okx = parse_okx_instruments(body("okx_instruments_swap_reconstructed.json"))
    assert {(x.name, x.base, x.quote) for x in okx} >= {
        ("BTC-USDT-SWAP", "BTC", "USDT"),
        ("ETH-USDT-SWAP", "ETH", "USDT"),
    }
    assert all(x.name.endswith("-USDT-SWAP") for x in okx)  # the inverse BTC-USD-SWAP is not a linear swap
    # ARPA-USDT is delisted (status delisted, trading disabled): only BTC-USD stays
    assert parse_coinbase_products(body("coinbase_products_reconstructed.json")) == (
        Listing("coinbase", "BTC-USD", "BTC", "USD"),
    )
    assert [x.name for x in parse_coinbase_products(body("coinbase_products_legacy_excerpt.json"))] != []
    meta = parse_hyperliquid_meta(body("hyperliquid_meta_and_asset_ctxs.json"))
    assert meta[:2] == (
        Listing("hyperliquid", "BTC", "BTC", "USDC"),
        Listing("hyperliquid", "ETH", "ETH", "USDC"),
    )


def test_error_envelopes_and_html_are_errors_not_empty_lists() -> None:
    with pytest.raises(ParseError):
        parse_bybit_instruments(b'{"retCode": 10001, "retMsg": "params error", "result": {}}')
    with pytest.raises(ParseError):
        parse_okx_instruments(b'{"code": "51000", "msg": "Parameter instType error", "data": []}')
    with pytest.raises(BlockedError, match="anti-bot page"):  # "Just a moment..." is a challenge
        parse_coinbase_products(b"<!DOCTYPE html><html><title>Just a moment...</title></html>")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("1000PEPE", ("PEPE", 1000)),
        ("kPEPE", ("PEPE", 1000)),
        ("1000000MOG", ("MOG", 1_000_000)),
        ("1INCH", ("1INCH", 1)),
        ("BTC", ("BTC", 1)),
        ("KAVA", ("KAVA", 1)),
    ],
)
def test_per_thousand_listings_carry_their_multiplier(base: str, expected: tuple[str, int]) -> None:
    assert split_multiplier(base) == expected


def test_resolve_takes_plain_matches_offers_other_quotes_and_never_maps_per_1000() -> None:
    listings = [
        Listing("binance", "PEPEUSDT", "PEPE", "USDT"),
        Listing("binance", "PEPEFDUSD", "PEPE", "FDUSD"),
        Listing("binance_futures", "1000PEPEUSDT", "PEPE", "USDT", 1000),
        Listing("hyperliquid", "kPEPE", "PEPE", "USDC", 1000),
        Listing("coinbase", "PEPE-USDC", "PEPE", "USDC"),
        Listing("okx", "PEPE-USDT-SWAP", "PEPE", "USDT"),
        Listing("bybit", "BTCUSDT", "BTC", "USDT"),
    ]
    r = resolve("pepe", listings)
    assert dict(r.names) == {"binance": "PEPEUSDT", "okx": "PEPE-USDT-SWAP"}
    assert {v: [x.name for x in xs] for v, xs in r.choices.items()} == {"coinbase": ["PEPE-USDC"]}
    # a per-1,000 listing's prices and sizes would be read per coin, 1,000 times off: never mapped
    assert {v: [x.name for x in xs] for v, xs in r.unscaled.items()} == {
        "binance_futures": ["1000PEPEUSDT"],
        "hyperliquid": ["kPEPE"],
    }
    assert r.missing == ("bybit",)
    assert unscaled_reason(r.unscaled["binance_futures"][0]) == (
        "1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale per-1,000 contracts yet"
    )
    with pytest.raises(ValueError, match="1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale"):
        choose(r, {"binance_futures": "1000PEPEUSDT"}, None)
    names, open_choices = choose(r, {"coinbase": "PEPE-USDC"}, None)
    assert names == {"binance": "PEPEUSDT", "okx": "PEPE-USDT-SWAP", "coinbase": "PEPE-USDC"}
    assert open_choices == []
    with pytest.raises(ValueError, match="not among"):
        choose(r, {"okx": "WRONG"} | {"coinbase": "PEPE-USD"}, None)
    assert toml_snippet("PEPE", names).splitlines()[:2] == ["[symbols.PEPE]", 'binance = "PEPEUSDT"']


def _serve(
    calls: list[str], *, fail: frozenset[str] | set[str] = frozenset(), bodies: dict[str, bytes] | None = None
) -> httpx.MockTransport:
    files = {
        "data-api.binance.vision": "binance_spot_exchange_info_doc.json",
        "fapi.binance.com": "binance_futures_exchange_info_btc_eth_reconstructed.json",
        "api.bybit.com": "bybit_instruments_info_linear.json",
        "www.okx.com": "okx_instruments_swap_reconstructed.json",
        "api.exchange.coinbase.com": "coinbase_products_reconstructed.json",
        "api.hyperliquid.xyz": "hyperliquid_meta_and_asset_ctxs.json",
    }

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        if request.url.host in fail:
            return httpx.Response(503, text="down for maintenance")
        if bodies and request.url.host in bodies:
            return httpx.Response(200, content=bodies[request.url.host])
        return httpx.Response(200, content=body(files[request.url.host]))

    return httpx.MockTransport(handler)


def test_lists_are_fetched_once_a_day_and_a_failed_venue_keeps_its_cached_list(tmp_path: Path) -> None:
    cache, clock = tmp_path / "instruments.json", FakeClock(start_ms=1_800_000_000_000)

    def run(transport: httpx.MockTransport, refresh: bool = False) -> dict[str, VenueList]:
        async def go() -> dict[str, VenueList]:
            async with httpx.AsyncClient(transport=transport) as client:
                return dict(await instrument_lists(Config(), client, clock, cache, refresh=refresh))

        return asyncio.run(go())

    calls: list[str] = []
    first = run(_serve(calls))
    assert len(calls) == 6
    # the spot fixture (Binance's doc example) lists only ETHBTC: BTC is found everywhere else
    assert resolve("BTC", [x for v in first.values() for x in v.listings]).missing == ("binance",)
    run(_serve(calls))
    assert len(calls) == 6  # cached: no request within the day
    clock.advance(FRESH_MS / 1000 + 1)
    calls.clear()
    later = run(_serve(calls, fail={"api.bybit.com"}))
    assert len(calls) == 6
    bybit = later["bybit"]
    assert bybit.error is not None
    assert "503" in bybit.error
    assert bybit.listings == (Listing("bybit", "BTCUSDT", "BTC", "USDT"),)
    assert bybit.fetched_ms == 1_800_000_000_000
    cache.write_text("{garbage", encoding="utf-8")  # a broken cache is no cache, never an error
    calls.clear()
    run(_serve(calls))
    assert len(calls) == 6


def test_the_lookup_command_prints_the_config_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import crashtui.net.http
    from crashtui.cli import main

    calls: list[str] = []
    transport = _serve(calls, fail={"api.bybit.com"})
    real = crashtui.net.http.make_client
    monkeypatch.setattr(crashtui.net.http, "make_client", lambda net, **_: real(net, transport=transport))
    monkeypatch.setenv("CRASHTUI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("CRASHTUI_CONFIG", raising=False)
    assert main(["symbols", "lookup", "btc"]) == 0
    out = capsys.readouterr().out
    table = out[out.index("[symbols.BTC]") :].splitlines()
    assert table == [
        "[symbols.BTC]",
        'binance_futures = "BTCUSDT"',
        'okx = "BTC-USDT-SWAP"',
        'coinbase = "BTC-USD"',
        'hyperliquid = "BTC"',
    ]
    assert "# binance: BTC not listed" in out  # the spot list answered without BTC
    assert "# bybit: no list (fetch failed: bybit instruments: HTTP 503" in out  # unknown, not "not listed"
    assert main(["symbols", "lookup", "DOGE", "--json"]) == 3
    doc = json.loads(capsys.readouterr().out)
    assert doc["names"] == {}
    assert "bybit" in doc["lists"]
    assert main(["symbols", "lookup", "BTC", "--pick", "nonsense"]) == 2


def _per_thousand_pepe() -> dict[str, bytes]:
    """The real Binance futures and Hyperliquid lists with PEPE listed as those venues list it:
    ``1000PEPEUSDT`` and ``kPEPE`` (the first row copied and renamed), and OKX per coin."""
    fut = json.loads(body("binance_futures_exchange_info_btc_eth_reconstructed.json"))
    fut["symbols"].append(dict(fut["symbols"][0], symbol="1000PEPEUSDT", baseAsset="1000PEPE"))
    meta = json.loads(body("hyperliquid_meta_and_asset_ctxs.json"))
    meta[0]["universe"].append(dict(meta[0]["universe"][0], name="kPEPE"))
    okx = json.loads(body("okx_instruments_swap_reconstructed.json"))
    okx["data"].append(dict(okx["data"][0], instId="PEPE-USDT-SWAP", ctValCcy="PEPE", instFamily="PEPE-USDT"))
    return {
        "fapi.binance.com": json.dumps(fut).encode(),
        "api.hyperliquid.xyz": json.dumps(meta).encode(),
        "www.okx.com": json.dumps(okx).encode(),
    }


def test_the_lookup_command_never_maps_a_per_1000_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import crashtui.net.http
    from crashtui.cli import main

    transport = _serve([], bodies=_per_thousand_pepe())
    real = crashtui.net.http.make_client
    monkeypatch.setattr(crashtui.net.http, "make_client", lambda net, **_: real(net, transport=transport))
    monkeypatch.setenv("CRASHTUI_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(tmp_path / "cfg"))
    monkeypatch.delenv("CRASHTUI_CONFIG", raising=False)
    assert main(["symbols", "lookup", "PEPE"]) == 0
    out = capsys.readouterr().out
    assert (
        "# binance_futures: 1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale per-1,000 contracts yet"
        in out
    )
    assert "# hyperliquid: kPEPE quotes 1,000 PEPE; crashtui does not scale per-1,000 contracts yet" in out
    assert out[out.index("[symbols.PEPE]") :].splitlines() == ["[symbols.PEPE]", 'okx = "PEPE-USDT-SWAP"']
    assert main(["symbols", "lookup", "PEPE", "--pick", "hyperliquid=kPEPE"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        "crashtui: error: --pick hyperliquid=kPEPE: kPEPE quotes 1,000 PEPE; "
        "crashtui does not scale per-1,000 contracts yet"
    )
    assert main(["symbols", "lookup", "PEPE", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["names"] == {"okx": "PEPE-USDT-SWAP"}
    assert doc["unscaled"]["binance_futures"][0]["name"] == "1000PEPEUSDT"
