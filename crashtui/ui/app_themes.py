"""Themes: the one in use is registered before the first paint, the others on first need; ``t``
cycles through them and every change recomputes the palette the renderers draw with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crashtui.themes import ThemeSpec
from crashtui.ui.app_base import AppCore
from crashtui.ui.palette import Palette, palette_from
from crashtui.ui.theme import PREFIX, available_specs, textual_theme


class ThemesMixin(AppCore):
    """Registers crashtui's themes and follows theme changes."""

    palette: Palette
    _specs: dict[str, ThemeSpec]
    _theme_spec: ThemeSpec
    _theme_name: str
    _themes_loaded: bool
    _startup_warnings: list[str]

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

    def _use_first_theme(self) -> None:
        """Register and switch to the theme asked for; follow later changes (``t``, palette)."""
        self._specs[self._theme_spec.name] = self._theme_spec
        self.register_theme(textual_theme(self._theme_spec))
        self.theme = PREFIX + self._theme_name
        self.theme_changed_signal.subscribe(self, lambda theme: self._on_theme(theme.name))

    def _load_themes(self) -> None:
        """Read and register every theme file (once; ``t`` cycles through them)."""
        if self._themes_loaded:
            return
        self._themes_loaded = True
        specs, warnings = available_specs()
        self._startup_warnings.extend(warnings)
        for name, spec in specs.items():
            if name not in self._specs:
                self._specs[name] = spec
                self.register_theme(textual_theme(spec))

    def _on_theme(self, name: str) -> None:
        spec = self._specs.get(name.removeprefix(PREFIX)) if name.startswith(PREFIX) else None
        if spec is not None:
            self.palette = palette_from(spec)
        else:
            colors = self.current_theme
            self.palette = Palette(
                up=colors.success or "green",
                down=colors.error or "red",
                support=colors.primary,
                resistance=colors.accent or "magenta",
                stale=colors.secondary or "bright_black",
                muted=colors.secondary or "bright_black",
                warning=colors.warning or "yellow",
                error=colors.error or "red",
                success=colors.success or "green",
                accent=colors.accent or "yellow",
                primary=colors.primary,
            )
        self.refresh_now(force=True)

    def action_next_theme(self) -> None:
        """Cycle through crashtui's themes."""
        self._load_themes()
        names = sorted(self._specs)
        if not names:
            return
        current = self.theme.removeprefix(PREFIX)
        following = names[(names.index(current) + 1) % len(names)] if current in names else names[0]
        self.theme = PREFIX + following
        self.say(f"theme: {following}", timeout=2)
