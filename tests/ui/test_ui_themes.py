"""Themes as data: every bundled theme becomes a Textual theme; a bad one warns and falls back."""

from __future__ import annotations

from pathlib import Path

import pytest

from crashtui.engine import Engine
from crashtui.themes import read_theme, theme_files
from crashtui.ui.palette import palette_from, rich_color
from crashtui.ui.theme import PREFIX, available_specs, resolve_theme, textual_theme
from crashtui.ui.widgets.textview import TextView
from tests.ui.uihelpers import still_app

BUNDLED = ("dark", "light", "ansi", "high-contrast")


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_themes_convert(name: str) -> None:
    spec = read_theme(theme_files()[name])
    theme = textual_theme(spec)
    assert theme.name == PREFIX + name
    assert theme.dark == spec.dark
    assert theme.ansi == spec.ansi
    palette = palette_from(spec)
    for color in (palette.up, palette.down, palette.muted, palette.warning):
        assert not color.startswith("ansi_")
    if spec.ansi:
        assert theme.variables["ansi-background"]  # Textual widgets need it in ANSI themes
        assert palette.down == "red"


def test_rich_color_names() -> None:
    assert rich_color("ansi_bright_red") == "bright_red"
    assert rich_color("#ff0000") == "#ff0000"


def write_theme(dir_: Path, name: str, body: str) -> None:
    themes = dir_ / "themes"
    themes.mkdir(parents=True, exist_ok=True)
    (themes / f"{name}.toml").write_text(body, encoding="utf-8")


def test_bad_user_theme_warns_and_falls_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(tmp_path))
    write_theme(tmp_path, "broken", "dark = true\n[colors]\nprimary = 'not a colour'\n")
    spec, _, warning = resolve_theme("broken")
    assert spec.name == "dark"
    assert warning is not None
    assert "broken" in warning
    specs, warnings = available_specs()
    assert "broken" not in specs
    assert any("broken" in w for w in warnings)
    spec, _, warning = resolve_theme("nope")
    assert spec.name == "dark"
    assert warning is not None
    assert "not found" in warning


def test_user_theme_is_offered(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(tmp_path))
    write_theme(
        tmp_path,
        "mine",
        "dark = true\n[colors]\nprimary = '#123456'\nbackground = '#000000'\n"
        "foreground = '#ffffff'\n[variables]\ndown = '#ff00ff'\n",
    )
    spec, palette, warning = resolve_theme("mine")
    assert warning is None
    assert palette.down == "#ff00ff"
    assert spec.name == "mine"


async def test_app_with_a_bad_theme_notifies_and_uses_the_default(
    feb6_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(tmp_path))
    write_theme(tmp_path, "broken", "this is not toml [[[")
    app = still_app(feb6_engine, theme="broken")
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == PREFIX + "dark"
        assert any("broken" in str(n.message) for n in app._notifications)
        assert app.screen.query_one("#header", TextView).text.plain.strip()


@pytest.mark.parametrize("name", BUNDLED)
async def test_every_bundled_theme_runs(feb6_engine: Engine, name: str) -> None:
    app = still_app(feb6_engine, theme=name)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.theme == PREFIX + name
        assert "Liquidations" in str(app.screen.query_one("#pane-liquidations").border_title)


async def test_no_color_is_honoured(feb6_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = still_app(feb6_engine)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.no_color
        # Meaning never rides on colour alone: signs, words and marks carry it.
        body = app.screen.query_one("#liq-body", TextView).text.plain
        assert "CASCADE" in body
        assert "95% L" in body
