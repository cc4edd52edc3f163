"""Levels pinned at the chart cursor: the book, the state file and the engine's pinned zones."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crashtui.engine import Engine
from crashtui.ui.pins import MAX_PINS, PinBook
from crashtui.ui.prefs import load_state, save_pins, save_positions


def test_toggle_pins_then_unpins_inside_the_cursor_candle() -> None:
    saved: list[dict[str, tuple[float, ...]]] = []
    book = PinBook(save=lambda pins: saved.append(dict(pins)))
    assert book.toggle("BTC", 61_000.0, (60_500.0, 61_200.0)) == (True, 61_000.0)
    assert book.toggle("BTC", 58_000.0) == (True, 58_000.0)
    assert book.of("BTC") == (58_000.0, 61_000.0)
    # another close in the same candle's range unpins the pin there
    assert book.toggle("BTC", 60_900.0, (60_600.0, 61_100.0)) == (False, 61_000.0)
    assert book.of("BTC") == (58_000.0,)
    assert book.toggle("BTC", 58_000.0) == (False, 58_000.0)
    assert book.of("BTC") == ()
    assert "BTC" not in book.pins
    assert saved[-1] == {}
    assert len(saved) == 4


def test_bad_levels_and_too_many_pins_are_refused() -> None:
    book = PinBook()
    for bad in (0.0, -5.0, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="positive price"):
            book.toggle("ETH", bad)
    for i in range(MAX_PINS):
        book.toggle("ETH", 100.0 + i)
    with pytest.raises(ValueError, match="unpin one first"):
        book.toggle("ETH", 5_000.0)


def test_a_failed_save_is_reported_not_raised(tmp_path: Path) -> None:
    def fail(_: object) -> None:
        raise PermissionError(13, "Permission denied")

    changes: list[int] = []
    book = PinBook(save=fail)
    book.on_change = lambda: changes.append(1)
    book.toggle("ETH", 1_800.0)
    assert book.of("ETH") == (1_800.0,)
    assert book.save_error == "pins not saved: Permission denied"
    assert changes == [1]


def test_pins_are_kept_in_the_state_file_next_to_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "ui-state.json"
    save_positions(({"symbol": "BTC", "side": "long", "entry": 1.0, "leverage": 2.0, "size": 1.0},), path)
    save_pins({"BTC": (61_000.0, 58_000.0), "ETH": ()}, path)
    doc = json.loads(path.read_text())
    assert doc["pins"] == {"BTC": [61_000.0, 58_000.0]}
    assert doc["positions"][0]["symbol"] == "BTC"  # untouched
    state, warning = load_state(path)
    assert warning is None
    assert dict(state.pins) == {"BTC": (61_000.0, 58_000.0)}
    assert PinBook(state.pins).of("BTC") == (58_000.0, 61_000.0)


@pytest.mark.parametrize("raw", ['{"pins": [1, 2]}', '{"pins": {"BTC": [-1]}}', '{"pins": {"BTC": ["x"]}}'])
def test_a_broken_pins_entry_is_one_warning(tmp_path: Path, raw: str) -> None:
    path = tmp_path / "ui-state.json"
    path.write_text(raw)
    state, warning = load_state(path)
    assert warning is not None
    assert "pins" in warning
    assert dict(state.pins) == {}


def test_engine_merges_dashboard_pins_into_its_pinned_zones(still_engine: Engine) -> None:
    engine = still_engine
    before = dict(engine.pinned_zones)
    try:
        engine.ui_pins = {"BTC": (61_234.0,)}
        assert 61_234.0 in engine.pinned_zones["BTC"]
        assert all(set(v) <= set(engine.pinned_zones[k]) for k, v in before.items())
        btc = engine.analysis().symbol("BTC")
        assert btc is not None
        assert btc.zones is not None
        assert any(z.pinned and z.low <= 61_234.0 <= z.high for z in btc.zones.zones)
    finally:
        engine.ui_pins = {}
    assert dict(engine.pinned_zones) == before
