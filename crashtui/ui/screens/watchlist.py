"""Pick a watchlist (the configured ones, plus the recording's own in replay)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from crashtui.textsafe import plain
from crashtui.ui.watchlists import RECORDING, WatchlistBook


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

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="watchlist.cancel")]

    def __init__(self, book: WatchlistBook) -> None:
        super().__init__()
        self._book = book

    def compose(self) -> ComposeResult:
        """Title, list, hint."""
        options = []
        for name in self._book.names():
            symbols = " ".join(plain(s, 10) for s in self._book.symbols(name))
            label = "recording (this replay's own)" if name == RECORDING else plain(name, 30)
            edited = " (edited)" if self._book.is_edited(name) else ""
            mark = "*" if name == self._book.current else " "
            options.append(Option(f"{mark} {label}{edited}: {symbols}", id=name))
        with Vertical():
            yield Static("Switch watchlist", markup=False)
            yield OptionList(*options, id="watchlist-options", markup=False)
            yield Static("enter: switch   esc: cancel   a / x on the dashboard: add / remove", markup=False)

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
