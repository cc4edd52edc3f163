"""What every part of the dashboard app shares: Textual's App (for the type checker), toasts and
the dashboard screen.

:class:`crashtui.ui.app.CrashApp` is put together from small mixins, one job each (session,
refresh, routing, themes, replay, watchlists). Each derives from :class:`AppCore` and declares
the attributes it reads (``CrashApp.__init__`` sets them all) and, under ``TYPE_CHECKING``, the
methods it calls on another mixin. At run time the mixins are plain classes and ``CrashApp``
alone derives from Textual's ``App``, so Textual's bindings and handlers see one app class.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crashtui.textsafe import plain
from crashtui.ui.screens.dashboard import DashboardScreen

if TYPE_CHECKING:
    from textual.app import App
    from textual.notifications import SeverityLevel

    AppBase = App[int]
else:
    AppBase = object


class AppCore(AppBase):
    """The helpers every mixin uses."""

    _stopped: bool  # set by the session mixin once the engines are stopping

    def say(self, message: str, *, severity: SeverityLevel = "information", timeout: float = 4.0) -> None:
        """A toast; the text is never markup and never carries escape sequences."""
        self.notify(plain(message, 300), severity=severity, timeout=timeout, markup=False)

    def _shutting_down(self) -> bool:
        """True once the app is shutting down: a late timer or callback has no screen to paint.

        Textual empties the screen stack before our unmount handler marks the app stopped, so
        both are checked.
        """
        return self._stopped or not self.is_running or not self.screen_stack

    def _dashboard(self) -> DashboardScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, DashboardScreen):
                return screen
        return None
