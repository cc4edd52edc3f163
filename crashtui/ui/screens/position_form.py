"""The position form (add or edit one position) and a yes/no confirmation.

The form is validated exactly like a ``[[positions]]`` table of the config; a problem is shown
as the config's one-line message under the fields and the form stays open.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from crashtui.risk.position import Position
from crashtui.ui.positions import FORM_KEYS, PositionError, form_fields, position_from_fields

LABELS = {
    "symbol": ("symbol", "BTC"),
    "side": ("side", "long | short"),
    "size": ("size (coins)", "0.5   (or size_usd)"),
    "size_usd": ("size_usd", "35000   (or size)"),
    "entry": ("entry", "70000"),
    "leverage": ("leverage", "10"),
    "margin": ("margin", "isolated | cross"),
    "venue": ("venue", "binance | bybit | okx | hyperliquid"),
    "wallet_usd": ("wallet_usd", "cross margin only"),
}


class PositionFormScreen(ModalScreen[Position | None]):
    """Fields of one position; Enter on the last field (or ctrl+s) saves, Esc cancels."""

    DEFAULT_CSS = """
    PositionFormScreen { align: center middle; }
    PositionFormScreen > Vertical {
        width: 64;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        padding: 0 1;
        background: $surface;
    }
    PositionFormScreen Horizontal { height: 1; }
    PositionFormScreen .label { width: 14; height: 1; }
    PositionFormScreen Input { width: 1fr; height: 1; border: none; padding: 0 1; }
    PositionFormScreen #form-error { color: $error; height: auto; }
    PositionFormScreen Static { width: 100%; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
        Binding("ctrl+s", "save", "Save", id="form.save"),
    ]

    def __init__(self, position: Position | None) -> None:
        super().__init__()
        self._editing = position is not None
        self._initial = form_fields(position)

    def compose(self) -> ComposeResult:
        """Title, one input per key, the error line, the hint."""
        with Vertical():
            title = "Edit position" if self._editing else "Add a position"
            yield Static(f"{title} (validated like [[positions]] in the config)", markup=False)
            for key in FORM_KEYS:
                label, hint = LABELS[key]
                with Horizontal():
                    yield Static(label, markup=False, classes="label")
                    yield Input(
                        value=self._initial.get(key, ""),
                        placeholder=hint,
                        max_length=40,
                        id=f"pf-{key}",
                    )
            yield Static("", markup=False, id="form-error")
            yield Static("tab: next field   enter/ctrl+s: save   esc: cancel", markup=False)

    def on_mount(self) -> None:
        """Start in the first field."""
        self.query_one("#pf-symbol", Input).focus()

    def fields(self) -> dict[str, str]:
        """The text of every field."""
        return {key: self.query_one(f"#pf-{key}", Input).value for key in FORM_KEYS}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in any field saves (when the form is valid)."""
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Validate; return the position, or show the problem and stay."""
        try:
            position = position_from_fields(self.fields())
        except PositionError as exc:
            self.query_one("#form-error", Static).update(Text(str(exc)))
            return
        self.dismiss(position)

    def action_cancel(self) -> None:
        """Return nothing."""
        self.dismiss(None)


class ConfirmScreen(ModalScreen[bool]):
    """A yes/no question: y (or Enter) confirms, n or Esc declines."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        border: round $warning;
        padding: 0 1;
        background: $surface;
    }
    ConfirmScreen Static { width: 100%; }
    """

    BINDINGS = [
        Binding("y,enter", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self._question = question

    def compose(self) -> ComposeResult:
        """The question and the keys."""
        with Vertical():
            yield Static(self._question, markup=False)
            yield Static("y: yes   n/esc: no", markup=False)

    def action_answer(self, yes: bool) -> None:
        """Return the answer."""
        self.dismiss(yes)
