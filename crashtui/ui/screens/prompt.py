"""A one-line input prompt (add a symbol)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


class PromptScreen(ModalScreen[str | None]):
    """Ask for one line of text; Enter returns it, Esc cancels."""

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
    PromptScreen Static { width: 100%; }
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, placeholder: str = "") -> None:
        super().__init__()
        self._title = title
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        """Title, input, hint."""
        with Vertical():
            yield Static(self._title, markup=False)
            yield Input(placeholder=self._placeholder, max_length=20, id="prompt-input")
            yield Static("enter: ok   esc: cancel", markup=False, classes="dim")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Return the text."""
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)
