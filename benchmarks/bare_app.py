"""The baseline for start-up and idle figures: a bare Textual app (Header, one Static, Footer)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static


class BareApp(App[None]):
    """What every Textual app pays before doing anything."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("bare-ready")
        yield Footer()


if __name__ == "__main__":
    BareApp().run()
