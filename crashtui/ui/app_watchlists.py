"""Watchlist actions: switch, add and remove symbols; each change asks for a new engine.

Adding a symbol the symbol table does not know looks it up in the venues' instrument lists
(cache first, a worker thread for the fetch), asks which instrument to use where a venue offers
a choice, and hands the mapping to the next engine (and the state file) with the edit. A replay
never looks anything up: its recording decides which symbols exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING

from crashtui.ui.app_base import AppCore
from crashtui.ui.app_swap import EngineRequest
from crashtui.ui.watchlists import WatchlistBook, WatchlistError

if TYPE_CHECKING:
    from crashtui.config.schema import Config
    from crashtui.engine import Engine
    from crashtui.ui.glyphs import Glyphs
    from crashtui.ui.session import FeedPlan
    from crashtui.ui.symbol_lookup import LookupResult


class WatchlistsMixin(AppCore):
    """The watchlist keys (``w``, ``a``, ``x``) and what the next engine watches."""

    plan: FeedPlan | None
    book: WatchlistBook | None
    engine: Engine | None
    _seek_target: int | None
    _select_after_swap: str | None
    glyphs: Glyphs
    config_data: Config

    if TYPE_CHECKING:

        def _request(self, request: EngineRequest) -> None: ...  # app_swap

        def _ensure_max_refresh(self) -> None: ...  # app_replay

    def _symbols_for_engine(self) -> tuple[str, ...]:
        if self.book is None:
            return self.engine.watchlist if self.engine is not None else ()
        return self.book.symbols()

    def _replay_clock(self) -> int | None:
        if self._seek_target is not None:
            return self._seek_target
        engine = self.engine
        return engine.now_ms() if engine is not None and engine.mode == "replay" else None

    def watchlist_changed(self, select: str | None = None) -> None:
        """The book changed: build an engine for the new symbols."""
        if self.plan is None:
            self.say("watchlist changes need a running feed", severity="warning", timeout=4)
            return
        self._select_after_swap = select
        self._request(EngineRequest(self._symbols_for_engine(), self._replay_clock(), "switching"))
        self._ensure_max_refresh()  # a replay at max plays on in the new engine

    def _select_when_ready(self, symbol: str) -> None:
        from crashtui.ui.widgets.watchtable import WatchTable

        dashboard = self._dashboard()
        if dashboard is not None:
            dashboard.query_one("#watch", WatchTable).select(symbol)

    def action_watchlists(self) -> None:
        """Pick a watchlist."""
        if self.book is None:
            self.say("no watchlists to switch between", timeout=3)
            return
        from crashtui.ui.screens.watchlist import WatchlistScreen

        def chosen(name: str | None) -> None:
            if name is None or self.book is None or name == self.book.current:
                return
            try:
                self.book.switch(name)
            except WatchlistError as exc:
                self.say(str(exc), severity="error", timeout=5)
                return
            self.say(f"watchlist: {name}", timeout=2)
            self.watchlist_changed()

        self.push_screen(WatchlistScreen(self.book), chosen)

    def action_add_symbol(self) -> None:
        """Ask for a symbol and add it to the current watchlist (looked up on the venues when the
        symbol table does not know it)."""
        if self.book is None:
            return
        from crashtui.ui.screens.prompt import PromptScreen

        def entered(text: str | None) -> None:
            if not text or self.book is None:
                return
            try:
                symbol = self.book.check(text)
            except WatchlistError as exc:
                self.say(str(exc), severity="error", timeout=6)
                return
            if self.book.known(symbol):
                self._add_mapped(symbol, None, "")
            elif self.plan is not None and self.plan.replay:
                self.say(
                    f"{symbol} is not in this recording (a replay shows only what was recorded)",
                    severity="error",
                    timeout=6,
                )
            else:
                self._start_lookup(symbol)

        self.push_screen(PromptScreen(f"Add a symbol to {self.book.current}", "e.g. SOL or PEPE"), entered)

    def _add_mapped(self, symbol: str, names: Mapping[str, str] | None, note: str) -> None:
        """Add ``symbol`` (with the instrument names a lookup found) and rebuild the engine."""
        if self.book is None:
            return
        try:
            self.book.add(symbol, names)
        except WatchlistError as exc:
            self.say(str(exc), severity="error", timeout=6)
            return
        if names and self.plan is not None:
            from crashtui.config.symbols import with_symbols

            self.plan = replace(self.plan, config=with_symbols(self.plan.config, {symbol: names}))
        self.say(f"added {symbol} to {self.book.current}{note}", timeout=5)
        self.watchlist_changed(select=symbol)

    def _start_lookup(self, symbol: str) -> None:
        """Look ``symbol`` up in a worker thread (the lists may take a while); answer on the loop."""
        from crashtui.ui.symbol_lookup import venue_count

        self.say(f"looking up {symbol} on {venue_count()} venues{self.glyphs.ellipsis}", timeout=4)
        self.run_worker(
            lambda: self._lookup_in_thread(symbol),
            thread=True,
            name="crashtui-lookup",
            group="lookup",
            exit_on_error=False,
        )

    def _lookup_in_thread(self, symbol: str) -> None:
        from crashtui.clock import SYSTEM_CLOCK
        from crashtui.paths import user_data_dir
        from crashtui.ui.symbol_lookup import lookup_symbol
        from crashtui.upstream.instrument_lists import cache_path

        config = self.plan.config if self.plan is not None else self.config_data
        try:
            result = lookup_symbol(config, symbol, cache_path(user_data_dir()), SYSTEM_CLOCK)
        except Exception as exc:  # a crash in a lookup must not take the dashboard down
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            self.call_from_thread(self.say, f"lookup of {symbol} failed: {reason}", severity="error")
            return
        self.call_from_thread(self._looked_up, result)

    def _looked_up(self, result: LookupResult) -> None:
        """Act on a lookup: add, ask per venue where it offers a choice, or say why not."""
        symbol = result.symbol
        if result.no_lists:
            self.say(
                f"cannot look {symbol} up: no venue answered and no instrument list is cached",
                severity="error",
                timeout=8,
            )
            return
        if not result.found:
            from crashtui.ui.symbol_lookup import not_found_message, unscaled_note

            unscaled = unscaled_note(result)
            message = f"{symbol} not added: {unscaled}" if unscaled else not_found_message(result)
            self.say(message, severity="error", timeout=10)
            return
        self._choose(result, dict(result.resolution.names), list(result.resolution.choices))

    def _choose(self, result: LookupResult, names: dict[str, str], venues: list[str]) -> None:
        """Ask about each venue that offers a choice, one at a time, then add what was picked."""
        if not venues:
            if not names:
                self.say(f"{result.symbol} not added: no instrument chosen", severity="warning", timeout=6)
                return
            from crashtui.ui.symbol_lookup import unscaled_note

            where = ", ".join(sorted(names))
            unscaled = unscaled_note(result, skip=names)
            note = f" ({where}; {result.lists_note()})" + (f"; not mapped: {unscaled}" if unscaled else "")
            self._add_mapped(result.symbol, names, note)
            return
        from crashtui.sources.instrument_match import describe, unscaled_reason
        from crashtui.textsafe import plain
        from crashtui.ui.screens.choice import SKIP, ChoiceScreen

        venue, rest = venues[0], venues[1:]
        listings = result.resolution.choices[venue]
        options = [(plain(describe(x), 70), x.name) for x in listings]
        notes = [plain(unscaled_reason(x), 90) for x in result.resolution.unscaled.get(venue, ())]
        title = f"{venue} lists {result.symbol} as:"

        def picked(value: str | None) -> None:
            if value is None:
                self.say(f"{result.symbol} not added", timeout=3)
                return
            if value != SKIP:
                names[venue] = value
            self._choose(result, names, rest)

        self.push_screen(ChoiceScreen(title, options, skip=f"skip {venue}", notes=notes), picked)

    def action_remove_symbol(self) -> None:
        """Remove the selected symbol from the current watchlist."""
        dashboard = self._dashboard()
        symbol = dashboard.selected_symbol if dashboard is not None else None
        if self.book is None or symbol is None or self.screen is not dashboard:
            return
        try:
            self.book.remove(symbol)
        except WatchlistError as exc:
            self.say(str(exc), severity="error", timeout=5)
            return
        self.say(f"removed {symbol} from {self.book.current} (a to add it back)", timeout=4)
        self.watchlist_changed()
