"""A text widget fed by a builder; it redraws only when the built text actually changes."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.events import Resize
from textual.widget import Widget

from crashtui.ui.glyphs import ascii_screen, ascii_text
from crashtui.ui.widgets.linediff import refresh_changed

Builder = Callable[[int, int], Text]


class TextView(Widget):
    """Shows ``builder(width, height)``; :meth:`show` returns whether anything changed.

    An idle dashboard writes nothing to the terminal: the builder runs on every refresh
    tick, but the widget only repaints when the resulting text differs.
    """

    DEFAULT_CSS = """
    TextView {
        height: auto;
        text-wrap: nowrap;
        text-overflow: clip;
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, markup=False)
        self._builder: Builder | None = None
        self._text = Text()
        self._built_for: tuple[int, int] = (-1, -1)
        self.repaints = 0

    @property
    def text(self) -> Text:
        """The text currently shown."""
        return self._text

    def show(self, builder: Builder) -> bool:
        """Use ``builder`` from now on and rebuild; True when the text changed."""
        self._builder = builder
        return self._rebuild(force=True)

    def _room(self) -> tuple[int, int]:
        size = self.content_size
        height = size.height if self.styles.height is not None and not self.styles.height.is_auto else 200
        return size.width, height

    def _rebuild(self, force: bool = False) -> bool:
        if self._builder is None:
            return False
        width, height = self._room()
        if width <= 0:
            return False
        if not force and (width, height) == self._built_for:
            return False
        self._built_for = (width, height)
        text = self._builder(width, height)
        if ascii_screen(self):
            text = ascii_text(text)
        if text == self._text:
            return False
        old, self._text = self._text, text
        self.repaints += 1
        refresh_changed(self, old, text)
        return True

    def on_resize(self, event: Resize) -> None:
        """Rebuild for the new size."""
        self._rebuild()

    def render(self) -> Text:
        """The built text."""
        return self._text
