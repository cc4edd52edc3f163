"""The watchlist table: a focusable list of symbol rows with a cursor; Enter opens a symbol."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from crashtui.ui.glyphs import ascii_screen, ascii_text
from crashtui.ui.widgets.linediff import refresh_changed

if TYPE_CHECKING:
    from crashtui.ui.render.price import WatchRows


class WatchTable(Widget, can_focus=True):
    """Rows from :func:`build_watch_rows`; the selected row is marked and highlighted."""

    DEFAULT_CSS = """
    WatchTable {
        height: auto;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    BINDINGS = [
        Binding("up,k", "move(-1)", "Previous symbol", show=False, id="table.up"),
        Binding("down,j", "move(1)", "Next symbol", show=False, id="table.down"),
        Binding("home", "jump(0)", "First symbol", show=False, id="table.home"),
        Binding("end", "jump(-1)", "Last symbol", show=False, id="table.end"),
    ]

    class Selected(Message):
        """The cursor moved to ``symbol``."""

        def __init__(self, symbol: str) -> None:
            super().__init__()
            self.symbol = symbol

    class Chosen(Message):
        """The user asked for the symbol's drilldown."""

        def __init__(self, symbol: str) -> None:
            super().__init__()
            self.symbol = symbol

    def __init__(self, cursor: str = "▶", *, id: str | None = None) -> None:
        super().__init__(id=id, markup=False)
        self._cursor = cursor
        self._rows: WatchRows | None = None
        self._builder: Callable[[int], WatchRows] | None = None
        self._text = Text()
        self.index = 0
        self.repaints = 0

    @property
    def symbols(self) -> tuple[str, ...]:
        """The symbols in row order."""
        return self._rows.symbols if self._rows is not None else ()

    @property
    def selected(self) -> str | None:
        """The symbol under the cursor."""
        syms = self.symbols
        return syms[self.index] if syms else None

    @property
    def text(self) -> Text:
        """The text currently shown."""
        return self._text

    def show(self, builder: Callable[[int], WatchRows]) -> bool:
        """Build rows with ``builder(width)`` now and on every resize; True when the text changed."""
        self._builder = builder
        return self._rebuild()

    def _rebuild(self) -> bool:
        width = self.content_size.width
        if self._builder is None or width <= 0:
            return False
        return self.set_rows(self._builder(width))

    def on_resize(self) -> None:
        """Rebuild for the new width."""
        self._rebuild()

    def set_rows(self, rows: WatchRows) -> bool:
        """New rows (keeps the cursor on the same symbol when it is still there)."""
        keep = self.selected
        self._rows = rows
        if keep in rows.symbols:
            self.index = rows.symbols.index(keep)
        self.index = max(0, min(self.index, len(rows.symbols) - 1))
        return self._redraw()

    def select(self, symbol: str) -> None:
        """Put the cursor on ``symbol``."""
        if symbol in self.symbols:
            self.index = self.symbols.index(symbol)
            self._redraw()

    def _compose_text(self) -> Text:
        if self._rows is None:
            return Text("")
        out = [Text(" ").append_text(self._rows.header.copy())]
        out[0].stylize("bold dim")
        for i, row in enumerate(self._rows.rows):
            mark = self._cursor if i == self.index else " "
            line = Text(mark, style="bold").append_text(row.copy())
            if i == self.index:
                line.stylize("reverse" if self.has_focus else "underline")
            out.append(line)
        return Text("\n").join(out)

    def _redraw(self) -> bool:
        text = self._compose_text()
        if ascii_screen(self):
            text = ascii_text(text)
        if text == self._text:
            return False
        old, self._text = self._text, text
        self.repaints += 1
        refresh_changed(self, old, text)
        return True

    def render(self) -> Text:
        """The table text."""
        return self._text

    def on_focus(self) -> None:
        """Highlight the cursor row strongly while focused."""
        self._redraw()

    def on_blur(self) -> None:
        """Dim the cursor row when focus leaves."""
        self._redraw()

    def action_move(self, step: int) -> None:
        """Move the cursor by ``step`` rows (wrapping)."""
        if not self.symbols:
            return
        self.index = (self.index + step) % len(self.symbols)
        self._redraw()
        self.post_message(self.Selected(self.symbols[self.index]))

    def action_jump(self, where: int) -> None:
        """Jump to the first (0) or last (-1) row."""
        if not self.symbols:
            return
        self.index = where % len(self.symbols)
        self._redraw()
        self.post_message(self.Selected(self.symbols[self.index]))

    def key_enter(self, event: events.Key) -> None:
        """Enter: open the selected symbol (no rows yet, e.g. hidden: the app's ``drill`` decides)."""
        if self.selected is not None:
            event.stop()
            self.post_message(self.Chosen(self.selected))

    def on_click(self, event: events.Click) -> None:
        """Click a row to select it; click the selected row (or double-click) to open it."""
        row = event.y - 1
        if 0 <= row < len(self.symbols):
            again = row == self.index
            self.index = row
            self._redraw()
            self.post_message(self.Selected(self.symbols[row]))
            if again or event.chain >= 2:
                self.post_message(self.Chosen(self.symbols[row]))
