"""Pick one of a few options (which instrument a venue lists a looked-up symbol as)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

SKIP = "\x00skip"
"""The value a choice screen returns for its "skip" line (never a real option's value)."""


class ChoiceScreen(ModalScreen[str | None]):
    """A title, a list of ``(label, value)`` options, a "skip" line and ``notes`` (greyed lines
    that cannot be chosen, e.g. why a listing is not offered); Enter returns the value
    (:data:`SKIP` for the skip line), Esc returns None. Labels are shown as plain text."""

    DEFAULT_CSS = """
    ChoiceScreen { align: center middle; }
    ChoiceScreen > Vertical {
        width: 76;
        max-width: 95%;
        height: auto;
        max-height: 80%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    ChoiceScreen OptionList { height: auto; max-height: 14; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(
        self, title: str, options: list[tuple[str, str]], skip: str = "skip", notes: list[str] | None = None
    ) -> None:
        super().__init__()
        self._title = title
        self._options = options
        self._skip = skip
        self._notes = notes or []

    def compose(self) -> ComposeResult:
        """Title, options, hint."""
        with Vertical():
            yield Static(self._title, markup=False, id="choice-title")
            items = [Option(label, id=str(i)) for i, (label, _) in enumerate(self._options)]
            items.append(Option(self._skip, id="skip"))
            # what cannot be chosen, and why: shown, never selectable
            items += [Option(note, id=f"note{i}", disabled=True) for i, note in enumerate(self._notes)]
            yield OptionList(*items, id="choice-options", markup=False)
            yield Static("enter: choose   esc: cancel", markup=False, classes="dim")

    def on_mount(self) -> None:
        """Focus the list on its first option."""
        options = self.query_one(OptionList)
        options.highlighted = 0
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Return the chosen option's value."""
        event.stop()
        chosen = event.option.id
        if chosen is not None and chosen.startswith("note"):
            return
        if chosen == "skip" or chosen is None:
            self.dismiss(SKIP)
            return
        self.dismiss(self._options[int(chosen)][1])

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
