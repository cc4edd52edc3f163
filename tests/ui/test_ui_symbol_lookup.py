"""Adding a symbol the table does not know: the dashboard looks it up in the venues' instrument
lists (the real fixtures, served by a MockTransport), asks where a venue offers a choice, maps
it for the next engine and the state file, says when it is found nowhere, and works offline from
the cache with its date. A replay never looks anything up."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

import crashtui.net.http
from crashtui.config.schema import Config
from crashtui.sources import instruments
from crashtui.timeparse import parse_instant
from crashtui.ui.app import CrashApp
from crashtui.ui.options import UiOptions
from crashtui.ui.prefs import UiState, load_state, save_state
from crashtui.ui.screens.choice import ChoiceScreen
from crashtui.ui.screens.prompt import PromptScreen
from crashtui.ui.session import FeedPlan
from crashtui.ui.watchlists import WatchlistBook
from crashtui.upstream.instrument_lists import VenueList, cache_path, write_cache
from tests.ui.uihelpers import FEB6_1200, FEB6_1400, KNOWN, running_app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOSTS = {
    "data-api.binance.vision": "binance_spot_exchange_info_doc.json",
    "fapi.binance.com": "binance_futures_exchange_info_btc_eth_reconstructed.json",
    "api.bybit.com": "bybit_instruments_info_linear.json",
    "www.okx.com": "okx_instruments_swap_reconstructed.json",
    "api.exchange.coinbase.com": "coinbase_products_reconstructed.json",
    "api.hyperliquid.xyz": "hyperliquid_meta_and_asset_ctxs.json",
}


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def lists_with(coin: str, *, per_thousand: bool) -> dict[str, bytes]:
    """The real lists with ``coin`` listed like BTC is (the first row of each list copied and
    renamed); ``per_thousand``: Binance futures and Hyperliquid list it per 1,000 coins."""
    out = {}
    spot = fixture(HOSTS["data-api.binance.vision"])
    row = dict(spot["symbols"][0], symbol=f"{coin}USDT", baseAsset=coin, quoteAsset="USDT")
    spot["symbols"].append(row)
    out["data-api.binance.vision"] = spot
    fut = fixture(HOSTS["fapi.binance.com"])
    base = f"1000{coin}" if per_thousand else coin
    fut["symbols"].append(dict(fut["symbols"][0], symbol=f"{base}USDT", baseAsset=base))
    out["fapi.binance.com"] = fut
    bybit = fixture(HOSTS["api.bybit.com"])
    rows = bybit["result"]["list"]
    rows.append(dict(rows[0], symbol=f"{coin}USDT", baseCoin=coin))
    out["api.bybit.com"] = bybit
    okx = fixture(HOSTS["www.okx.com"])
    okx["data"].append(
        dict(okx["data"][0], instId=f"{coin}-USDT-SWAP", ctValCcy=coin, instFamily=f"{coin}-USDT")
    )
    out["www.okx.com"] = okx
    coinbase = fixture(HOSTS["api.exchange.coinbase.com"])
    coinbase.append(dict(coinbase[0], id=f"{coin}-USD", base_currency=coin, display_name=f"{coin}-USD"))
    out["api.exchange.coinbase.com"] = coinbase
    meta = fixture(HOSTS["api.hyperliquid.xyz"])
    meta = copy.deepcopy(meta)
    meta[0]["universe"].append(dict(meta[0]["universe"][0], name=f"k{coin}" if per_thousand else coin))
    out["api.hyperliquid.xyz"] = meta
    return {host: json.dumps(doc).encode() for host, doc in out.items()}


def serve(bodies: dict[str, bytes] | None, calls: list[str]) -> httpx.MockTransport:
    """The venues' lists (``bodies``), or no network at all (None)."""

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.host)
        if bodies is None:
            raise httpx.ConnectError("no route to host", request=request)
        return httpx.Response(200, content=bodies[request.url.host])

    return httpx.MockTransport(handler)


class Rig:
    """A dashboard with a live plan whose engines replay the small recording (no network), the
    venues' lists behind a MockTransport and the data dir in a temp directory."""

    def __init__(self, recording: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.built: list[Config] = []
        self.saved: list[UiState] = []
        self.calls: list[str] = []
        self.bodies: dict[str, bytes] | None = None
        self.data_dir = tmp_path / "data"
        monkeypatch.setenv("CRASHTUI_DATA_DIR", str(self.data_dir))
        real_client = crashtui.net.http.make_client
        monkeypatch.setattr(
            crashtui.net.http,
            "make_client",
            lambda net, **_: real_client(net, transport=serve(self.bodies, self.calls)),
        )
        real_build = FeedPlan.build

        def build(plan: FeedPlan, watchlist: tuple[str, ...], start_ms: int | None = None) -> Any:
            self.built.append(plan.config)
            replay = FeedPlan(plan.config, recording, None, FEB6_1200, FEB6_1400)
            return real_build(replay, watchlist, start_ms)

        monkeypatch.setattr(FeedPlan, "build", build)
        config = Config()
        book = WatchlistBook(config, UiState(), known=KNOWN.__contains__, save=self.saved.append)
        self.app = CrashApp(config, plan=FeedPlan(config), options=UiOptions(show_timings=False), book=book)

    def said(self) -> list[str]:
        return [str(n.message) for n in self.app._notifications]


@pytest.fixture
def rig(small_recording: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Rig:
    return Rig(small_recording, tmp_path, monkeypatch)


async def wait_for(pilot: Any, condition: Callable[[], bool], tries: int = 400) -> None:
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached")


async def started(rig: Rig, pilot: Any) -> None:
    app = rig.app
    await wait_for(
        pilot, lambda: app.engine is not None and app.engine.state.version > 0 and not app._switching
    )


async def type_symbol(pilot: Any, text: str) -> None:
    await pilot.press("a")
    await pilot.pause()
    assert isinstance(pilot.app.screen, PromptScreen)
    await pilot.press(*text.lower(), "enter")


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_symbol_found_on_every_venue_is_mapped_and_handed_to_the_engine(
    rig: Rig, size: tuple[int, int]
) -> None:
    rig.bodies = lists_with("WIF", per_thousand=False)
    app = rig.app
    async with app.run_test(size=size) as pilot:
        await started(rig, pilot)
        before = len(rig.built)
        await type_symbol(pilot, "wif")
        await wait_for(pilot, lambda: len(rig.built) > before and not app._switching)
        assert any(m == "looking up WIF on 5 venues…" for m in rig.said())
        assert len(rig.calls) == 6  # each list once (Binance spot and futures are two lists)
        expected = {
            "binance": "WIFUSDT",
            "binance_futures": "WIFUSDT",
            "bybit": "WIFUSDT",
            "okx": "WIF-USDT-SWAP",
            "coinbase": "WIF-USD",
            "hyperliquid": "WIF",
        }
        assert dict(rig.built[-1].symbols["WIF"]) == expected  # the engine's table maps it
        assert app.engine is not None
        assert app.engine.watchlist[-1] == "WIF"
        assert dict(rig.saved[-1].symbols["WIF"]) == expected  # kept with the edit
        assert rig.saved[-1].watchlists["majors"][-1] == "WIF"
        added = next(m for m in rig.said() if m.startswith("added WIF"))
        assert "instrument lists from " in added
        # the next symbol reads the cache: no request
        rig.calls.clear()
        await type_symbol(pilot, "zzz")
        await wait_for(pilot, lambda: any("ZZZ: not found" in m for m in rig.said()))
        assert rig.calls == []


def with_usdc_perp(coin: str) -> dict[str, bytes]:
    """``lists_with(coin, per_thousand=True)`` where Binance futures also lists ``{coin}USDC``
    per coin: a real choice beside the per-1,000 ``1000{coin}USDT``."""
    bodies = lists_with(coin, per_thousand=True)
    fut = json.loads(bodies["fapi.binance.com"])
    fut["symbols"].append(dict(fut["symbols"][0], symbol=f"{coin}USDC", baseAsset=coin, quoteAsset="USDC"))
    bodies["fapi.binance.com"] = json.dumps(fut).encode()
    return bodies


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_a_per_1000_listing_is_never_mapped_and_says_why(rig: Rig, size: tuple[int, int]) -> None:
    rig.bodies = lists_with("PEPE", per_thousand=True)
    app = rig.app
    async with app.run_test(size=size) as pilot:
        await started(rig, pilot)
        before = len(rig.built)
        await type_symbol(pilot, "pepe")
        await wait_for(pilot, lambda: len(rig.built) > before and not app._switching)
        assert not isinstance(app.screen, ChoiceScreen)  # nothing to choose: per-1,000 is no choice
        # liquidations, OI and funding from 1000PEPEUSDT/kPEPE would be 1,000x off: not mapped
        assert dict(rig.built[-1].symbols["PEPE"]) == {
            "binance": "PEPEUSDT",
            "bybit": "PEPEUSDT",
            "okx": "PEPE-USDT-SWAP",
            "coinbase": "PEPE-USD",
        }
        added = next(m for m in rig.said() if m.startswith("added PEPE"))
        assert added.endswith(
            "; not mapped: binance_futures: 1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale "
            "per-1,000 contracts yet; hyperliquid: kPEPE quotes 1,000 PEPE; crashtui does not scale "
            "per-1,000 contracts yet"
        )


async def test_a_symbol_listed_only_per_1000_is_not_added(rig: Rig) -> None:
    bodies = lists_with("WIF", per_thousand=False)
    fut = json.loads(bodies["fapi.binance.com"])
    fut["symbols"].append(dict(fut["symbols"][0], symbol="1000SATSUSDT", baseAsset="1000SATS"))
    bodies["fapi.binance.com"] = json.dumps(fut).encode()
    rig.bodies = bodies
    app = rig.app
    async with app.run_test(size=(80, 24)) as pilot:
        await started(rig, pilot)
        engine = app.engine
        await type_symbol(pilot, "sats")
        await wait_for(pilot, lambda: any(m.startswith("SATS not added") for m in rig.said()))
        assert (
            "SATS not added: binance_futures: 1000SATSUSDT quotes 1,000 SATS; "
            "crashtui does not scale per-1,000 contracts yet"
        ) in rig.said()
        assert app.engine is engine
        assert app.book is not None
        assert "SATS" not in app.book.symbols()


@pytest.mark.parametrize("size", [(80, 24), (200, 50)])
async def test_an_ambiguous_symbol_asks_per_venue(rig: Rig, size: tuple[int, int]) -> None:
    rig.bodies = with_usdc_perp("PEPE")
    app = rig.app
    async with app.run_test(size=size) as pilot:
        await started(rig, pilot)
        before = len(rig.built)
        await type_symbol(pilot, "pepe")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        text = " ".join(str(s.render()) for s in app.screen.query("Static"))
        assert "binance_futures lists PEPE as:" in text
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == [
            "PEPEUSDC (quoted in USDC)",
            "skip binance_futures",
            "1000PEPEUSDT quotes 1,000 PEPE; crashtui does not scale per-1,000 contracts yet",
        ]
        assert options.get_option_at_index(2).disabled  # shown with its reason, never choosable
        await pilot.press("down", "down", "down", "enter")  # the reason line cannot be reached
        await wait_for(pilot, lambda: len(rig.built) > before and not app._switching)
        assert "binance_futures" not in rig.built[-1].symbols["PEPE"]  # skipped
        added = next(m for m in rig.said() if m.startswith("added PEPE"))
        assert "hyperliquid: kPEPE quotes 1,000 PEPE" in added
        # take the per-coin USDC perp on the next symbol
        rig.bodies = with_usdc_perp("WIF")
        (rig.data_dir / "instruments.json").unlink()
        before = len(rig.built)
        await type_symbol(pilot, "wif")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(rig.built) > before and not app._switching)
        assert rig.built[-1].symbols["WIF"]["binance_futures"] == "WIFUSDC"
        # Esc in a choice cancels the whole add
        rig.bodies = with_usdc_perp("BONK")
        (rig.data_dir / "instruments.json").unlink()
        engine = app.engine
        await type_symbol(pilot, "bonk")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: "BONK not added" in rig.said())
        assert app.engine is engine
        assert app.book is not None
        assert "BONK" not in app.book.symbols()


async def test_a_symbol_found_nowhere_says_so(rig: Rig) -> None:
    rig.bodies = lists_with("WIF", per_thousand=False)
    app = rig.app
    async with app.run_test(size=(120, 40)) as pilot:
        await started(rig, pilot)
        engine = app.engine
        await type_symbol(pilot, "nosuch")
        await wait_for(pilot, lambda: any(m.startswith("NOSUCH: not found on any venue") for m in rig.said()))
        assert app.engine is engine
        assert app.book is not None
        assert "NOSUCH" not in app.book.symbols()


def cached_lists(path: Path, fetched_ms: int) -> None:
    """The real lists (with WIF everywhere), cached as a lookup on ``fetched_ms`` left them."""
    bodies = lists_with("WIF", per_thousand=False)
    parsed = {
        "binance": instruments.parse_binance_exchange_info(bodies["data-api.binance.vision"]),
        "binance_futures": instruments.parse_binance_exchange_info(
            bodies["fapi.binance.com"], venue="binance_futures"
        ),
        "bybit": instruments.parse_bybit_instruments(bodies["api.bybit.com"]),
        "okx": instruments.parse_okx_instruments(bodies["www.okx.com"]),
        "coinbase": instruments.parse_coinbase_products(bodies["api.exchange.coinbase.com"]),
        "hyperliquid": instruments.parse_hyperliquid_meta(bodies["api.hyperliquid.xyz"]),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    write_cache(path, {v: VenueList(v, rows, fetched_ms) for v, rows in parsed.items()})


async def test_offline_the_cache_answers_with_its_date(rig: Rig) -> None:
    cached_lists(cache_path(rig.data_dir), parse_instant("2026-02-05T09:00Z"))  # older than a day
    rig.bodies = None  # no network
    app = rig.app
    async with app.run_test(size=(120, 40)) as pilot:
        await started(rig, pilot)
        before = len(rig.built)
        await type_symbol(pilot, "wif")
        await wait_for(pilot, lambda: len(rig.built) > before and not app._switching)
        assert len(rig.calls) == 6  # it tried every venue first
        added = next(m for m in rig.said() if m.startswith("added WIF"))
        assert "instrument lists from 2026-02-05, offline" in added
        assert rig.built[-1].symbols["WIF"]["okx"] == "WIF-USDT-SWAP"


async def test_offline_without_a_cache_says_it_cannot_look_up(rig: Rig) -> None:
    rig.bodies = None
    app = rig.app
    async with app.run_test(size=(80, 24)) as pilot:
        await started(rig, pilot)
        engine = app.engine
        await type_symbol(pilot, "wif")
        await wait_for(pilot, lambda: any(m.startswith("cannot look WIF up") for m in rig.said()))
        assert "cannot look WIF up: no venue answered and no instrument list is cached" in rig.said()
        assert app.engine is engine


async def test_a_replay_never_looks_up_the_recording_decides(small_recording: Path) -> None:
    app = running_app(small_recording)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(
            pilot, lambda: app.engine is not None and app.engine.state.version > 0 and not app._switching
        )
        await type_symbol(pilot, "pepe")
        await pilot.pause()
        said = [str(n.message) for n in app._notifications]
        assert any(m.startswith("PEPE is not in this recording") for m in said)
        assert not any("looking up" in m for m in said)


def test_mappings_survive_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "ui-state.json"
    book = WatchlistBook(Config(), UiState(), known=KNOWN.__contains__, save=lambda s: save_state(s, path))
    book.add("wif", {"okx": "WIF-USDT-SWAP", "hyperliquid": "WIF"})
    state, warning = load_state(path)
    assert warning is None
    assert dict(state.symbols["WIF"]) == {"okx": "WIF-USDT-SWAP", "hyperliquid": "WIF"}
    from crashtui.config.symbols import table_from_config, with_symbols

    config = with_symbols(Config(), state.symbols)
    assert table_from_config(config).on("okx", "WIF") == "WIF-USDT-SWAP"
    restarted = WatchlistBook(config, state, known=KNOWN.__contains__)
    assert restarted.symbols()[-1] == "WIF"
    assert restarted.known("WIF")
    # a damaged mapping (not an instrument name) makes the file unusable, never a request
    doc = json.loads(path.read_text())
    doc["symbols"]["WIF"]["okx"] = "WIF USDT\x1b[2J"
    path.write_text(json.dumps(doc))
    state, warning = load_state(path)
    assert warning is not None
    assert not state.symbols


def test_a_venue_without_a_list_is_unknown_not_missing() -> None:
    from crashtui.sources.instrument_match import resolve
    from crashtui.ui.symbol_lookup import LookupResult, not_found_message

    day = parse_instant("2026-12-05T08:00Z")
    okx = instruments.parse_okx_instruments(lists_with("WIF", per_thousand=False)["www.okx.com"])
    lists = {
        "okx": VenueList("okx", okx, day, "okx instruments: HTTP 503"),
        "bybit": VenueList("bybit", (), None, "bybit instruments: timeout"),
    }
    result = LookupResult("NOSUCH", resolve("NOSUCH", okx, ("okx", "bybit")), lists)
    assert not_found_message(result) == (
        "NOSUCH: not found on any venue that answered (no list from bybit) "
        "(instrument lists from 2026-12-05, offline)"
    )
    found = LookupResult("WIF", resolve("WIF", okx, ("okx", "bybit")), lists)
    assert found.found
    assert not found.no_lists
