"""Watchlists at runtime: the configured ones, switching, adding and removing symbols.

Edits to a configured watchlist are saved in the UI state file (never in the config) and
win over the config's list of the same name. In replay, the recording's own watchlist is
offered first, and every edit (to it or to a configured list) lasts for the replay session
only: the live watchlists and the state file stay as they were unless the user saves a list
on purpose (:meth:`WatchlistBook.save`, ``s`` in the watchlist picker).

A symbol the symbol table does not know can be added with the instrument names a venue lookup
found (:meth:`WatchlistBook.add` with ``names``): the mapping is kept with the edit in the state
file and overlays the config's ``[symbols]`` tables at the next start (the config's own win).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from crashtui.config.parse import SYMBOL_RE
from crashtui.config.schema import Config
from crashtui.textsafe import plain
from crashtui.ui.prefs import UiState

MAX_SYMBOLS = 30
RECORDING = "recording"


class WatchlistError(Exception):
    """A watchlist edit that cannot be made; ``str()`` is a one-line reason for the user."""


class WatchlistBook:
    """The watchlists the user can switch between, with their runtime edits."""

    def __init__(
        self,
        config: Config,
        state: UiState,
        *,
        known: Callable[[str], bool],
        save: Callable[[UiState], None] | None = None,
        recording: tuple[str, ...] | None = None,
        initial: str | None = None,
        remember_active: bool = True,
        session_only: bool = False,
    ) -> None:
        self._config_lists = {wl.name: wl.symbols for wl in config.watchlists}
        self._order = [wl.name for wl in config.watchlists]
        self._edits = {n: s for n, s in state.watchlists.items() if n in self._config_lists}
        self._session: dict[str, tuple[str, ...]] = {}
        self._known = known
        self._save = save
        self._remember = remember_active
        self.session_only = session_only
        self._active_saved = state.active_watchlist
        self._mappings: dict[str, Mapping[str, str]] = dict(state.symbols)
        if recording is not None:
            self._order.insert(0, RECORDING)
            self._session[RECORDING] = recording
        if initial is not None and initial in self._order:
            self.current = initial
        elif recording is not None:
            self.current = RECORDING
        elif state.active_watchlist in self._config_lists:
            self.current = str(state.active_watchlist)
        else:
            self.current = config.default_watchlist

    def set_recording(self, symbols: tuple[str, ...]) -> None:
        """Fill in the recording's own watchlist once the recording has been read."""
        if RECORDING in self._session and not self._session[RECORDING]:
            self._session[RECORDING] = symbols

    def names(self) -> tuple[str, ...]:
        """Every watchlist name, in the order to offer them."""
        return tuple(self._order)

    def symbols(self, name: str | None = None) -> tuple[str, ...]:
        """The effective symbols of ``name`` (default: the current watchlist)."""
        key = name or self.current
        if key in self._session:
            return self._session[key]
        return self._edits.get(key, self._config_lists.get(key, ()))

    def is_edited(self, name: str) -> bool:
        """Whether ``name`` differs from the config because of saved edits."""
        return name in self._edits and self._edits[name] != self._config_lists.get(name)

    def unsaved(self, name: str) -> bool:
        """Whether ``name`` is a configured list with edits made in this replay session that
        are not saved (they end with the session unless :meth:`save` keeps them)."""
        if name == RECORDING or name not in self._session:
            return False
        return self._session[name] != self._edits.get(name, self._config_lists.get(name))

    def save(self, name: str | None = None) -> tuple[str, ...]:
        """Keep the session's edits of configured list ``name`` (default: the current one) in the
        state file, on purpose; returns its symbols."""
        key = name or self.current
        if key == RECORDING:
            raise WatchlistError("the recording's own list lasts for this replay only; nothing to save")
        if key not in self._config_lists:
            raise WatchlistError(f"no watchlist named {plain(key, 40)!r}")
        symbols = self._session.pop(key, None)
        if symbols is None:
            raise WatchlistError(f"{key} has no unsaved edits")
        self._store(key, symbols)
        return symbols

    def switch(self, name: str) -> tuple[str, ...]:
        """Make ``name`` current and return its symbols."""
        if name not in self._order:
            raise WatchlistError(f"no watchlist named {plain(name, 40)!r}")
        self.current = name
        if name != RECORDING and self._remember:
            self._active_saved = name
            self._persist()
        return self.symbols()

    def next_name(self) -> str:
        """The watchlist after the current one (wrapping)."""
        i = self._order.index(self.current) if self.current in self._order else -1
        return self._order[(i + 1) % len(self._order)]

    def check(self, text: str) -> str:
        """The normalised symbol ``text`` names, if the current watchlist can take it (known or
        not: see :meth:`known`); raises :class:`WatchlistError` with the reason otherwise."""
        symbol = plain(text, 20).strip().upper()
        if not SYMBOL_RE.match(symbol):
            raise WatchlistError(
                f"{symbol or 'an empty name'!r} is not a symbol (letters and digits, like SOL)"
            )
        current = self.symbols()
        if symbol in current:
            raise WatchlistError(f"{symbol} is already in {self.current}")
        if len(current) >= MAX_SYMBOLS:
            raise WatchlistError(f"{self.current} already has {MAX_SYMBOLS} symbols")
        return symbol

    def known(self, symbol: str) -> bool:
        """Whether the symbol table or an earlier lookup maps ``symbol``."""
        return self._known(symbol) or symbol in self._mappings

    def mappings(self) -> Mapping[str, Mapping[str, str]]:
        """The instrument names lookups found, by symbol (what the engine's table overlays)."""
        return MappingProxyType(dict(self._mappings))

    def add(self, text: str, names: Mapping[str, str] | None = None) -> str:
        """Add a symbol to the current watchlist; returns the normalised symbol. ``names``
        (symbol-table key → instrument name, from a lookup) maps a symbol the table lacks."""
        symbol = self.check(text)
        if names:
            self._mappings[symbol] = MappingProxyType(dict(names))
        elif not self.known(symbol):
            raise WatchlistError(
                f"unknown symbol {symbol}: add a [symbols.{symbol}] table to your config first"
            )
        self._set((*self.symbols(), symbol))
        return symbol

    def remove(self, symbol: str) -> None:
        """Remove ``symbol`` from the current watchlist (never the last one)."""
        current = self.symbols()
        if symbol not in current:
            raise WatchlistError(f"{plain(symbol, 20)} is not in {self.current}")
        if len(current) == 1:
            raise WatchlistError(f"{symbol} is the last symbol in {self.current}")
        self._set(tuple(s for s in current if s != symbol))

    def reset(self) -> tuple[str, ...]:
        """Drop saved edits of the current watchlist (back to the config's list); in a replay
        session, drop this session's edits only (back to the saved list)."""
        if self.session_only and self.current != RECORDING:
            self._session.pop(self.current, None)
            return self.symbols()
        if self.current in self._edits:
            del self._edits[self.current]
            self._persist()
        return self.symbols()

    def state(self) -> UiState:
        """What to save: the edits and the looked-up mappings of symbols still on a watchlist
        (a removed symbol's mapping is dropped from the file; it stays known until the app
        quits, so adding it back in the same run needs no second lookup)."""
        used = {s for name in self._config_lists for s in self._edits.get(name, self._config_lists[name])}
        used.update(s for symbols in self._session.values() for s in symbols)
        kept = {symbol: names for symbol, names in self._mappings.items() if symbol in used}
        return UiState(
            self._active_saved, MappingProxyType(dict(self._edits)), symbols=MappingProxyType(kept)
        )

    def _set(self, symbols: tuple[str, ...]) -> None:
        if self.current in self._session or self.session_only:
            self._session[self.current] = symbols  # this replay session only
            return
        self._store(self.current, symbols)

    def _store(self, name: str, symbols: tuple[str, ...]) -> None:
        if symbols == self._config_lists.get(name):
            self._edits.pop(name, None)
        else:
            self._edits[name] = symbols
        self._persist()

    def _persist(self) -> None:
        if self._save is not None:
            self._save(self.state())
