"""The app's alerts: one alert manager per session, attached to every engine the app starts."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.config.schema import Config
from crashtui.ui.app_base import AppCore

if TYPE_CHECKING:
    from crashtui.alerts import Alert
    from crashtui.engine import Engine
    from crashtui.ui.alerting import DashboardAlerts
    from crashtui.ui.session import FeedPlan


class AlertsMixin(AppCore):
    """Creates the session's alerts, attaches them to engines, shows and logs what fires."""

    config_data: Config
    plan: FeedPlan | None
    engine: Engine | None
    alerts: DashboardAlerts | None

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
        from crashtui.ui.alerting import TOAST_SECONDS, TOAST_SEVERITY, toast_text

        title, body = toast_text(alert)
        severity = TOAST_SEVERITY.get(alert.severity, "information")
        timeout = TOAST_SECONDS.get(alert.severity, 8.0)
        self.notify(body, title=title, severity=severity, timeout=timeout, markup=False)

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
