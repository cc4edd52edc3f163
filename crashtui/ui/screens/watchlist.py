"""Pick a watchlist (the configured ones, plus the recording's own in replay).

In a replay, edits last for the session; ``s`` here keeps the highlighted list's edits on purpose."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crashtui.textsafe import plain
from crashtui.ui.watchlists import RECORDING, WatchlistBook, WatchlistError


class WatchlistScreen(ModalScreen[str | None]):
    """A list of watchlists with their symbols; Enter switches, Esc cancels."""

    DEFAULT_CSS = """
    WatchlistScreen { align: center middle; }
    WatchlistScreen > Vertical {
        width: 70;
        max-width: 95%;
        height: auto;
        max-height: 80%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    WatchlistScreen OptionList { height: auto; max-height: 20; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="watchlist.cancel"),
        Binding("s", "save", "Save this replay's edits", id="watchlist.save"),
    ]

    def __init__(self, book: WatchlistBook) -> None:
        super().__init__()
        self._book = book

    def compose(self) -> ComposeResult:
        """Title, list, hint."""
        with Vertical():
            yield Static("Switch watchlist", markup=False)
            yield OptionList(*self._options(), id="watchlist-options", markup=False)
            yield Static(self._hint(), id="watchlist-hint", markup=False)

    def _options(self) -> list[Option]:
        options = []
        for name in self._book.names():
            symbols = " ".join(plain(s, 10) for s in self._book.symbols(name))
            label = "recording (this replay's own)" if name == RECORDING else plain(name, 30)
            if self._book.unsaved(name):
                edited = " (edited in this replay, not saved)"
            else:
                edited = " (edited)" if self._book.is_edited(name) else ""
            mark = "*" if name == self._book.current else " "
            options.append(Option(f"{mark} {label}{edited}: {symbols}", id=name))
        return options

    def _hint(self, said: str = "") -> str:
        if said:
            return said
        hint = "enter: switch   esc: cancel   a / x on the dashboard: add / remove"
        if self._book.session_only:
            hint += "\nedits last for this replay only; s: save the highlighted list's edits"
        return hint

    def action_save(self) -> None:
        """Keep the highlighted list's replay edits in the state file (on purpose)."""
        if not self._book.session_only:
            return  # live edits are saved as they are made
        options = self.query_one(OptionList)
        names = list(self._book.names())
        if options.highlighted is None or not 0 <= options.highlighted < len(names):
            return
        name = names[options.highlighted]
        try:
            symbols = self._book.save(name)
            said = f"saved {plain(name, 30)}: {' '.join(plain(s, 10) for s in symbols)}"
        except WatchlistError as exc:
            said = str(exc)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options(self._options())
        options.highlighted = highlighted
        self.query_one("#watchlist-hint", Static).update(self._hint(said))

    def on_mount(self) -> None:
        """Highlight the current watchlist."""
        options = self.query_one(OptionList)
        names = list(self._book.names())
        if self._book.current in names:
            options.highlighted = names.index(self._book.current)
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Return the chosen watchlist."""
        event.stop()
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
