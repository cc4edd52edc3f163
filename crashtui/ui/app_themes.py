"""Themes: the one in use is registered before the first paint, the others on first need; ``t``
cycles through them and every change recomputes the palette the renderers draw with."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import App

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

    def _preset_first_theme(self) -> None:
        """Register the theme asked for and make it current before Textual reads any CSS.

        Called from ``__init__``, before the app runs. Setting ``App.theme`` once the app runs
        re-parses and re-applies every stylesheet (about a third of the first frame's cost);
        here the one parse at start-up already uses the theme's variables. This does what
        Textual's theme watcher does, less the CSS refresh that has nothing to refresh yet
        (``self.palette`` already comes from the same spec).
        """
        self._specs[self._theme_spec.name] = self._theme_spec
        theme = textual_theme(self._theme_spec)
        self.register_theme(theme)
        self.set_reactive(App.theme, theme.name)
        classes = {name: False for name in self.classes if name.startswith("-theme-")}
        classes[f"-theme-{theme.name}"] = True
        classes.update({"-dark-mode": theme.dark, "-light-mode": not theme.dark})
        self.update_classes(classes, update=False)
        self._refresh_truecolor_filter(self.ansi_theme)
        self.stylesheet.set_variables(self.get_css_variables())

    def _use_first_theme(self) -> None:
        """Follow theme changes from now on (``t``, the command palette)."""
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
