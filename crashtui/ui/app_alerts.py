"""The app's alerts: one alert manager per session, attached to every engine the app starts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.config.schema import Config
from crashtui.ui.app_base import AppCore
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.palette import Palette

if TYPE_CHECKING:
    from crashtui.alerts import Alert
    from crashtui.engine import Engine
    from crashtui.ui.alerting import AlertLine, DashboardAlerts
    from crashtui.ui.session import FeedPlan


class AlertsMixin(AppCore):
    """Creates the session's alerts, attaches them to engines, shows and logs what fires.

    Alerts are shown on the alert line (:class:`~crashtui.ui.alerting.AlertLine`), one row
    above the status bar of the dashboard and of every drilldown, never over a pane.
    """

    config_data: Config
    plan: FeedPlan | None
    engine: Engine | None
    alerts: DashboardAlerts | None
    alert_line: AlertLine
    palette: Palette
    glyphs: Glyphs
    _alert_line_key: tuple[object, ...] | None

    def _attach_alerts(self, engine: Engine) -> None:
        """Give a started engine its alert manager (the first one creates the session's alerts)."""
        from crashtui.ui.alerting import DashboardAlerts

        if self.alerts is None:
            self.alerts = DashboardAlerts(
                self.config_data.alerts,
                toast=self._toast_alert,
                error=lambda text: self.say(text, severity="error", timeout=10),
                terminal=self._write_terminal,
            )
        self.alerts.attach(engine, via_collector=engine.feed_label.startswith("via collector"))

    def _toast_alert(self, alert: Alert) -> None:
        """A new alert: onto the alert line (``[alerts] toast = false`` keeps the line quiet)."""
        self.alert_line.push(alert)
        self.paint_alert_line()

    def paint_alert_line(self, force: bool = False) -> None:
        """Show the alert line on the visible screen (when it changed, or ``force``)."""
        from crashtui.ui.screens.base import AlertLineView

        if self._shutting_down():
            return
        screen = self.screen
        if not isinstance(screen, AlertLineView) or not screen.is_mounted:
            return
        alert, others = self.alert_line.current()
        key = (id(screen), self.alert_line.version, self.theme, id(alert), others)
        if key == self._alert_line_key and not force:
            return
        self._alert_line_key = key
        if alert is None:
            screen.show_alert_line(None)
            return
        from crashtui.ui.render.alert_line import build_alert_line

        shown, palette, glyphs = alert, self.palette, self.glyphs
        screen.show_alert_line(lambda width: build_alert_line(shown, others, palette, glyphs, width))

    def action_dismiss_alert(self) -> None:
        """Take the alert shown on the alert line off it (``d``)."""
        if self.alert_line.dismiss() is not None:
            self.paint_alert_line()

    def action_snooze_alert(self) -> None:
        """Quiet the shown alert's rule on the alert line for 15 minutes (``z``)."""
        alert = self.alert_line.snooze()
        if alert is not None:
            self.paint_alert_line()

    def action_seek(self, delta_ms: int) -> None:
        """A replay seek clears the alert line (it spoke of a time no longer on screen), then seeks."""
        self.alert_line.clear()
        self.paint_alert_line()
        super().action_seek(delta_ms)  # type: ignore[misc]  # app_replay.ReplayMixin, later in the MRO

    def _write_terminal(self, data: str) -> None:
        """Raw bytes for the terminal (bell, OSC notifications), in order with the screen updates."""
        driver = self._driver
        if driver is not None and not self.is_headless:
            driver.write(data)

    def alert_log_path(self) -> Path | None:
        """The JSONL alert log of this session (None when ``[alerts] log`` is off)."""
        if self.alerts is not None and self.alerts.manager is not None:
            return self.alerts.log_path
        from crashtui.alerts import resolve_log_path

        replay = (
            self.plan.replay
            if self.plan is not None
            else self.engine is not None and self.engine.mode == "replay"
        )
        return resolve_log_path(self.config_data.alerts, "replay" if replay else "live")
