"""Watchlist actions: switch, add and remove symbols; each change asks for a new engine."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crashtui.ui.app_base import AppCore
from crashtui.ui.app_swap import EngineRequest
from crashtui.ui.watchlists import WatchlistBook, WatchlistError

if TYPE_CHECKING:
    from crashtui.engine import Engine
    from crashtui.ui.session import FeedPlan


class WatchlistsMixin(AppCore):
    """The watchlist keys (``w``, ``a``, ``x``) and what the next engine watches."""

    plan: FeedPlan | None
    book: WatchlistBook | None
    engine: Engine | None
    _seek_target: int | None
    _select_after_swap: str | None

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
        """Ask for a symbol and add it to the current watchlist."""
        if self.book is None:
            return
        from crashtui.ui.screens.prompt import PromptScreen

        def entered(text: str | None) -> None:
            if not text or self.book is None:
                return
            try:
                symbol = self.book.add(text)
            except WatchlistError as exc:
                self.say(str(exc), severity="error", timeout=6)
                return
            self.say(f"added {symbol} to {self.book.current}", timeout=3)
            self.watchlist_changed(select=symbol)

        self.push_screen(PromptScreen(f"Add a symbol to {self.book.current}", "e.g. SOL"), entered)

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
