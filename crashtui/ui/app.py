"""The crashtui Textual application (minimal shell; panes land with the dashboard work)."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from crashtui.config.schema import Config
from crashtui.engine import Engine


class CrashApp(App[int]):
    """Dashboard shell: starts the engine and shows a status line."""

    TITLE = "crashtui"
    BINDINGS = [("q", "quit", "Quit")]

    def __init__(self, engine: Engine, config: Config) -> None:
        super().__init__()
        self.engine = engine
        self.config_data = config

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("starting…", id="status", markup=False)
        yield Footer()

    async def on_mount(self) -> None:
        self.engine.load_history()
        self.engine.start()
        self.set_interval(1.0, self._refresh)

    def _refresh(self) -> None:
        statuses = ", ".join(f"{s.source}:{s.state}" for s in self.engine.status_list())
        self.query_one("#status", Static).update(statuses or "waiting for data…")

    async def on_unmount(self) -> None:
        await self.engine.stop()
