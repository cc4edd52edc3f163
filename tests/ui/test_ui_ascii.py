"""``--ascii`` is strictly 7-bit on every screen (issue 20): every character drawn, borders,
sparklines, truncation marks, words from the analysis and the alert line included."""

from __future__ import annotations

import pytest
from rich.text import Text

from crashtui.engine import Engine
from crashtui.ui.capture import screen_text
from crashtui.ui.glyphs import ascii_str, ascii_text
from tests.ui.test_ui_alert_line import alert
from tests.ui.uihelpers import still_app

SIZES = [
    pytest.param((80, 24), id="80x24"),
    pytest.param((120, 40), id="120x40"),
    pytest.param((200, 50), id="200x50"),
]
SCREENS = [
    pytest.param((), id="dashboard"),
    pytest.param(("enter",), id="symbol"),
    pytest.param(("l",), id="liquidations"),
    pytest.param(("e",), id="etf"),
    pytest.param(("f",), id="fear"),
    pytest.param(("m",), id="macro"),
    pytest.param(("s",), id="sources"),
    pytest.param(("question_mark",), id="help"),
    pytest.param(("exclamation_mark",), id="alert-log"),
    pytest.param(("w",), id="watchlists"),
    pytest.param(("ctrl+p",), id="palette"),
]
# An alert whose message carries the Unicode the analysis writes (en dash, times, ellipsis).
MESSAGE = "ETH broke below the pinned 1,826 zone (1,824–1,828): 13× the median…"


def non_ascii(text: str) -> list[tuple[int, str]]:
    return [(row, line) for row, line in enumerate(text.splitlines()) if not line.isascii()]


async def screen_in_ascii(
    engine: Engine, size: tuple[int, int], keys: tuple[str, ...], pane: str | None = None
) -> str:
    app = still_app(engine, ascii=True, pane=pane)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app._toast_alert(alert(msg=MESSAGE))
        app.say("a toast – with … Unicode", severity="warning")
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
        app.refresh_now(force=True)
        await pilot.pause(0.2)
        return screen_text(app)


@pytest.mark.usefixtures("fixed_dirs")
@pytest.mark.parametrize("keys", SCREENS)
@pytest.mark.parametrize("size", SIZES)
async def test_every_screen_is_seven_bit(
    feb6_engine: Engine, size: tuple[int, int], keys: tuple[str, ...]
) -> None:
    text = await screen_in_ascii(feb6_engine, size, keys)
    assert text.strip()
    assert all(ord(c) < 128 for c in text), non_ascii(text)


@pytest.mark.parametrize("pane", ["price", "liquidations", "etf", "fear"])
@pytest.mark.parametrize("size", [(80, 24), (60, 20)], ids=["80x24", "60x20"])
async def test_every_pane_is_seven_bit(feb6_engine: Engine, size: tuple[int, int], pane: str) -> None:
    text = await screen_in_ascii(feb6_engine, size, (), pane)
    assert all(ord(c) < 128 for c in text), non_ascii(text)


def test_ascii_text_keeps_length_and_styles() -> None:
    text = Text.assemble(("1,824–1,828", "bold"), (" 13× ", "red"), ("cut…", "dim"))
    out = ascii_text(text)
    assert out.plain == "1,824-1,828 13x cut."
    assert out.plain.isascii()
    assert [(s.start, s.end, s.style) for s in out.spans] == [(s.start, s.end, s.style) for s in text.spans]
    assert ascii_str("→ ≤ ≥ ± ↓ ↑ ▲ ▼ ● ✗ 🚀") == "> < > + v ^ ^ v + x ?"
