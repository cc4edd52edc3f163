"""A one-line input prompt (add a symbol, add or edit a price alert)."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

Check = Callable[[str], str | None]
"""Called with the entered text: a one-line problem to show (the prompt stays, text kept), or None."""


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Esc cancels.

    ``value`` prefills the input. With ``check``, Enter first calls ``check(text)``: when it
    returns a problem, the problem is shown under the input and the prompt stays open with the
    text as typed, so nothing the user typed is lost.
    """

    DEFAULT_CSS = """
    PromptScreen { align: center middle; }
    PromptScreen > Vertical {
        width: 50;
        max-width: 90%;
        height: auto;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    PromptScreen.-wide > Vertical { width: 72; }
    PromptScreen Static { width: 100%; }
    PromptScreen #prompt-error { color: $error; height: auto; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        placeholder: str = "",
        *,
        value: str = "",
        max_length: int = 20,
        check: Check | None = None,
    ) -> None:
        super().__init__()
        self._title = title
        self._placeholder = placeholder
        self._value = value
        self._max_length = max_length
        self._check = check
        if max_length > 30:
            self.add_class("-wide")

    def compose(self) -> ComposeResult:
        """Title, input, the problem line (empty until there is one), hint."""
        with Vertical():
            yield Static(self._title, markup=False)
            yield Input(
                value=self._value,
                placeholder=self._placeholder,
                max_length=self._max_length,
                id="prompt-input",
            )
            yield Static("", markup=False, id="prompt-error")
            yield Static("enter: ok   esc: cancel", markup=False, classes="dim")

    def on_mount(self) -> None:
        """Start typing at the end of the prefilled text."""
        field = self.query_one("#prompt-input", Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return the text (when ``check`` has no problem with it)."""
        event.stop()
        text = event.value.strip()
        if text and self._check is not None:
            problem = self._check(text)
            if problem is not None:
                self.query_one("#prompt-error", Static).update(Text(problem.splitlines()[0][:300]))
                return
        self.dismiss(text or None)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
