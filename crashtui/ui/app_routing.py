"""Screen routing: drilldowns, the symbol screen, help, the alert log, back, the one-pane layout's
panes, and the command palette (every key, by its description)."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from crashtui.ui.app_base import AppCore
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.keys import palette_keys
from crashtui.ui.pins import PinBook

if TYPE_CHECKING:
    from crashtui.exchanges.keys import EnvCredentials
    from crashtui.ui.ondemand import OnDemandCandles


class RoutingMixin(AppCore):
    """Which screen is shown, and what opens or closes one."""

    glyphs: Glyphs
    pin_book: PinBook

    chart_candles: OnDemandCandles  # app_candles

    if TYPE_CHECKING:

        def _exchange_creds(self) -> EnvCredentials: ...  # app_exchanges

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

        def import_positions_now(self) -> None: ...  # app_exchanges

    def _open(self, screen: Screen[None]) -> None:
        from crashtui.ui.screens.drilldown import Drilldown

        if isinstance(self.screen, Drilldown):
            self.pop_screen()
        self.push_screen(screen)
        self.call_after_refresh(self.refresh_now, True)

    def action_drilldown(self, name: str) -> None:
        """Open the ``l``/``e``/``f``/``m``/``s`` drilldown."""
        from crashtui.ui.screens.registry import make_drilldown

        self._open(make_drilldown(name, self.glyphs))

    def action_drill(self) -> None:
        """Open the selected symbol's screen."""
        dashboard = self._dashboard()
        symbol = dashboard.selected_symbol if dashboard is not None else None
        if symbol is None:
            self.say("no symbol selected", severity="warning", timeout=3)
            return
        self.open_symbol(symbol)

    def open_symbol(self, symbol: str) -> None:
        """Open the symbol drilldown for ``symbol``."""
        from crashtui.ui.screens.symbol import SymbolScreen

        self._open(SymbolScreen(symbol, self.glyphs, self.pin_book, self.chart_candles))

    def on_watch_table_chosen(self, message: object) -> None:
        """Enter (or a click) on a row of the Price table."""
        symbol = getattr(message, "symbol", None)
        if isinstance(symbol, str):
            self.open_symbol(symbol)

    def action_help(self) -> None:
        """Show every key."""
        from crashtui.ui.screens.help import HelpScreen

        self._open(HelpScreen(self.glyphs))

    def action_alerts(self) -> None:
        """Open the alert log."""
        from crashtui.ui.screens.alerts import AlertLogScreen

        self._open(AlertLogScreen(self.glyphs))

    async def action_back(self) -> None:
        """Close the drilldown (Esc)."""
        from crashtui.ui.screens.drilldown import Drilldown

        if isinstance(self.screen, Drilldown):
            self.pop_screen()
            self.call_after_refresh(self.refresh_now, True)
            return
        dashboard = self._dashboard()
        if dashboard is not None and self.screen is dashboard and dashboard.unzoom():
            self.refresh_now(force=True)

    def action_pane(self, name: str) -> None:
        """``1``-``4``: show one pane (the one-pane layout), or zoom the grid to it; the same
        number again returns to the grid."""
        dashboard = self._dashboard()
        if dashboard is None or self.screen is not dashboard:
            return
        if dashboard.grid:
            if dashboard.zoomed and dashboard.active_pane == name:
                dashboard.unzoom()
            else:
                dashboard.zoom(name)
        else:
            dashboard.show_pane(name)
        self.refresh_now(force=True)

    def action_next_pane(self) -> None:
        """``tab``: the next pane (shown in the one-pane layout, made active in the grid)."""
        dashboard = self._dashboard()
        if dashboard is not None and self.screen is dashboard:
            dashboard.next_pane()
            self.refresh_now(force=True)

    def action_noop(self) -> None:
        """Placeholder for keys a widget handles."""

    def action_command_palette(self) -> None:
        """Textual's command palette; with ``--ascii`` without its emoji, ellipsis and block borders."""
        from textual.command import CommandPalette, SearchIcon

        if not self.glyphs.ascii:
            super().action_command_palette()
            return
        if not self.use_command_palette or CommandPalette.is_open(self):  # type: ignore[arg-type]
            return

        class AsciiCommandPalette(CommandPalette):
            def on_mount(self) -> None:
                for icon in self.query(SearchIcon):
                    icon.icon = ">"

        palette = AsciiCommandPalette(placeholder="Search for commands...", id="--command-palette")
        palette.add_class("-ascii")
        self.push_screen(palette)

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's commands plus every crashtui key."""
        from crashtui.ui.glyphs import ascii_str
        from crashtui.ui.keys import key_label
        from crashtui.ui.screens.dashboard import DashboardScreen

        if isinstance(screen, DashboardScreen):
            # Textual's Maximize/Minimize act on the focused widget (the Price table, even when
            # another pane is shown); on the dashboard they zoom the active pane instead.
            for command in super().get_system_commands(screen):
                if command.title not in ("Maximize", "Minimize"):
                    yield command
            if screen.zoomed:
                yield SystemCommand(
                    "Minimize", "Back to the grid of four panes (esc)", screen.action_minimize
                )
            elif screen.grid:
                yield SystemCommand("Maximize", "Show the active pane alone (1-4)", screen.action_maximize)
        else:
            yield from super().get_system_commands(screen)
        sep = self.glyphs.sep
        for key in palette_keys():
            label = key_label(key, self.glyphs.ascii)
            description = ascii_str(key.description) if self.glyphs.ascii else key.description
            yield SystemCommand(
                description, f"key {label} {sep} {key.group}", partial(self.run_action, key.action)
            )
        if self._exchange_creds().venues:
            yield SystemCommand(
                "Import positions from the exchanges now",
                f"read-only {sep} also every 3 minutes while live",
                self.import_positions_now,
            )
        yield from self._screen_commands(screen)

    def _screen_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """A drilldown's own keys (the symbol chart's zoom, cursor, overlays...) as commands."""
        from textual.binding import Binding

        from crashtui.ui.glyphs import ascii_str
        from crashtui.ui.screens.drilldown import Drilldown

        if not isinstance(screen, Drilldown):
            return
        sep = self.glyphs.sep
        for binding in type(screen).BINDINGS:
            if not isinstance(binding, Binding) or not binding.id or binding.id == "drill.back":
                continue
            label = self.get_key_display(binding)
            description = ascii_str(binding.description) if self.glyphs.ascii else binding.description
            yield SystemCommand(
                description,
                f"key {ascii_str(label)} {sep} this screen",
                partial(screen.run_action, binding.action),
            )
