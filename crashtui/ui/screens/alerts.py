"""The alert screen (``!``): the user's price alerts (select, add, edit, remove, mute), this
session's alerts, then earlier ones from the JSONL alert log."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll

from crashtui.textsafe import plain
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.render.alert_log import alert_list, rules_line, user_alert_rows
from crashtui.ui.render.common import lines, wrap_plain
from crashtui.ui.render.frame import Frame
from crashtui.ui.screens.drilldown import Drilldown
from crashtui.ui.widgets.textview import TextView

if TYPE_CHECKING:
    from crashtui.alerts import Alert
    from crashtui.config.alerts_reload import UserRulesWatch
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

    TITLE_TEXT = "Alerts: your price alerts, this session's (newest first), earlier ones"
    KEYS_TEXT = "↑↓ select  A add  u edit  D remove  M mute "
    BINDINGS = [
        Binding("up,k", "move(-1)", "Previous price alert", show=False, priority=True, id="alerts.up"),
        Binding("down,j", "move(1)", "Next price alert", show=False, priority=True, id="alerts.down"),
        Binding("u,enter", "app.alert_edit", "Edit the price alert", show=False, id="alerts.screen.edit"),
        Binding(
            "D,delete", "app.alert_remove", "Remove the price alert", show=False, id="alerts.screen.remove"
        ),
    ]

    def __init__(self, glyphs: Glyphs) -> None:
        super().__init__(glyphs)
        self.earlier: list[Alert] | None = None
        self.log_path: Path | None = None
        self.selected = 0
        if glyphs.ascii:
            self.KEYS_TEXT = "up/down select  A add  u edit  D remove  M mute "

    def compose_body(self) -> ComposeResult:
        """Rules, the user's price alerts, this session's alerts, earlier alerts."""
        yield TextView(id="alerts-rules")
        yield TextView(id="alerts-user-title", classes="section-title")
        yield TextView(id="alerts-user")
        yield TextView(id="alerts-session-title", classes="section-title")
        yield TextView(id="alerts-session")
        yield TextView(id="alerts-earlier-title", classes="section-title")
        yield TextView(id="alerts-earlier")

    def on_mount(self) -> None:
        """Read the earlier alerts off the event loop."""
        self.run_worker(self._load_earlier(), name="alert-log", exclusive=True)

    def _user_rules(self) -> UserRulesWatch | None:
        return getattr(self.app, "user_rules", None)

    def user_alert_count(self) -> int:
        """How many price alerts the user has (as last read)."""
        watch = self._user_rules()
        return len(watch.alerts or ()) if watch is not None else 0

    def select(self, index: int) -> None:
        """Put the selection on the price alert at ``index`` (clamped) and redraw."""
        count = self.user_alert_count()
        self.selected = max(0, min(index, count - 1)) if count else 0
        if self.is_mounted:
            self.refresh_from_last()

    def action_move(self, step: int) -> None:
        """Select the previous or next price alert (without any, scroll the screen)."""
        if not self.user_alert_count():
            self.query_one("#dd-body", VerticalScroll).scroll_relative(y=step, animate=False)
            return
        self.select(self.selected + step)

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
        self._render_user_alerts(frame, alerts)
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

    def _render_user_alerts(self, frame: Frame, alerts: DashboardAlerts | None) -> None:
        watch = self._user_rules()
        saved = tuple(watch.alerts or ()) if watch is not None else ()
        if saved and self.selected >= len(saved):
            self.selected = len(saved) - 1
        fired = alerts.last_fired() if alerts is not None else {}
        for alert in self.earlier or ():  # the log's earlier firings count too
            if alert.at_ms > fired.get(alert.rule, -1):
                fired[alert.rule] = alert.at_ms
        where = plain(str(watch.path), 200) if watch is not None else "user-alerts.json"
        title = f"Your price alerts ({len(saved)}, in {where})"
        self.show_text("alerts-user-title", lambda w: lines(wrap_plain(title, w, limit=400)))
        selected, error, palette = self.selected, watch.error if watch is not None else None, frame.palette
        marker = ">" if self.glyphs.ascii else "›"
        self.show_text(
            "alerts-user",
            lambda w: user_alert_rows(saved, fired, selected, palette, w, error=error, marker=marker),
        )

    def _earlier_title(self) -> str:
        if self.earlier is None or self.log_path is None:
            return "Earlier"
        return f"Earlier, newest first (at most {EARLIER_LIMIT}), from {plain(str(self.log_path), 300)}"

    def _earlier_empty(self) -> str:
        if self.log_path is None:
            return "the alert log is off ([alerts] log = false)"
        return "no earlier alerts in the log"
