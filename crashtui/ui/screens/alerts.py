"""The alert log screen (``!``): this session's alerts, then earlier ones from the JSONL alert log."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult

from crashtui.textsafe import plain
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.alert_log import alert_list, rules_line
from crashtui.ui.render.common import lines, wrap_plain
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView

if TYPE_CHECKING:
    from crashtui.alerts import Alert
    from crashtui.ui.alerting import DashboardAlerts

EARLIER_LIMIT = 200


# A collector logs the alerts this dashboard also shows, stamped at its own check, up to a
# tick or two apart: within this much, the same rule and message are the same alert.
SAME_ALERT_MS = 60_000


def earlier_alerts(path: Path, fired: frozenset[tuple[int, str, str]], limit: int) -> list[Alert]:
    """The log's last ``limit`` alerts not fired in this session, newest first (reads a file)."""
    from crashtui.alerts import read_alerts

    times: dict[tuple[str, str], list[int]] = {}
    for at_ms, rule, message in fired:
        times.setdefault((rule, message), []).append(at_ms)

    def this_session(alert: Alert) -> bool:
        return any(abs(alert.at_ms - t) <= SAME_ALERT_MS for t in times.get((alert.rule, alert.message), ()))

    logged = read_alerts(path, limit=limit + len(fired))
    older = [a for a in logged if not this_session(a)]
    return list(reversed(older[-limit:]))


class AlertLogScreen(Drilldown):
    """Alerts newest first: the session's (times on the replay clock in replay), then the log's."""

    TITLE_TEXT = "Alerts: this session, newest first, then earlier ones from the alert log"

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__(glyphs)
        self.earlier: list[Alert] | None = None
        self.log_path: Path | None = None

    def compose_body(self) -> ComposeResult:
        """Rules, this session's alerts, earlier alerts."""
        yield TextView(id="alerts-rules")
        yield TextView(id="alerts-session-title", classes="section-title")
        yield TextView(id="alerts-session")
        yield TextView(id="alerts-earlier-title", classes="section-title")
        yield TextView(id="alerts-earlier")

    def on_mount(self) -> None:
        """Read the earlier alerts off the event loop."""
        self.run_worker(self._load_earlier(), name="alert-log", exclusive=True)

    def _alerts(self) -> DashboardAlerts | None:
        alerts = getattr(self.app, "alerts", None)
        return alerts if alerts is not None and hasattr(alerts, "session") else None

    async def _load_earlier(self) -> None:
        alerts = self._alerts()
        log_path = getattr(self.app, "alert_log_path", None)
        path = log_path() if callable(log_path) else None
        self.log_path = path
        fired = alerts.fired_keys() if alerts is not None else frozenset()
        if path is None:
            self.earlier = []
        else:
            self.earlier = await asyncio.to_thread(earlier_alerts, path, fired, EARLIER_LIMIT)
        self.refresh_from_last()

    def render_body(self, frame: Frame) -> None:
        """Rules, the session's alerts, the earlier ones."""
        p = frame.palette
        alerts = self._alerts()
        config = getattr(self.app, "config_data", None)
        session: tuple[Alert, ...] = alerts.session() if alerts is not None else ()
        if config is not None:
            toast = "toasts on" if config.alerts.toast else "toasts off ([alerts] toast = false)"
            self.show_text("alerts-rules", lambda w: rules_line(config.alerts, p, w, toast))
        where = "replay clock" if frame.replay is not None else "UTC"
        self.show_text("alerts-session-title", lambda w: Text(f"This session ({len(session)}, {where})"))
        self.show_text("alerts-session", lambda w: alert_list(session, p, w, "no alerts yet in this session"))
        earlier_title = self._earlier_title()
        self.show_text("alerts-earlier-title", lambda w: lines(wrap_plain(earlier_title, w, limit=400)))
        earlier = self.earlier or []
        empty = "reading the alert log…" if self.earlier is None else self._earlier_empty()
        self.show_text("alerts-earlier", lambda w: alert_list(earlier, p, w, empty))

    def _earlier_title(self) -> str:
        if self.earlier is None or self.log_path is None:
            return "Earlier"
        return f"Earlier, newest first (at most {EARLIER_LIMIT}), from {plain(str(self.log_path), 300)}"

    def _earlier_empty(self) -> str:
        if self.log_path is None:
            return "the alert log is off ([alerts] log = false)"
        return "no earlier alerts in the log"
