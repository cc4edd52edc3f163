"""Live reload of the user's price alerts (``user-alerts.json``) into a running alert manager.

The dashboard and ``crashtui watch`` poll :meth:`UserRulesWatch.poll` on a slow timer. A poll
costs one ``stat`` of the file; only when its modification time, size or inode changed is the
file read (alerts added in the app, or by ``crashtui alerts add`` in another terminal). The
rules are then the config's own plus the file's; the manager keeps the trigger state and
cooldowns of every rule that did not change (:meth:`AlertManager.set_rules`).

An invalid file (a bad hand edit, a half-copied file) keeps the rules in use and is reported
once per distinct error, as one line, until the file changes again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from crashtui.config.alerts_schema import AlertsConfig
from crashtui.config.reader import ConfigError
from crashtui.config.user_alerts import UserAlert, load_user_alerts, with_user_alerts, without_user_alerts

POLL_S = 2.0
"""How often the dashboard and ``watch`` look at the file (wall-clock seconds)."""

Stamp = tuple[int, int, int] | None


def file_stamp(path: Path) -> Stamp:
    """What tells a changed file apart: modification time (ns), size, inode; None when absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


@dataclass(frozen=True, slots=True)
class Reload:
    """What a poll found: the new alert settings (None: unchanged) and an error to report once."""

    config: AlertsConfig | None = None
    error: str | None = None


class UserRulesWatch:
    """The config's alert settings plus the user's alerts as last read from ``path``."""

    def __init__(self, config: AlertsConfig, path: Path) -> None:
        """``config`` may already hold the user's alerts (the CLI merges them at start)."""
        self.base = without_user_alerts(config)
        self.path = path
        self.alerts: tuple[UserAlert, ...] | None = None
        self.error: str | None = None
        self._stamp: Stamp | bool = False  # False: never looked

    def current(self) -> AlertsConfig:
        """The settings in effect: the config's rules and the user's alerts last read."""
        return with_user_alerts(self.base, self.alerts or (), file=str(self.path))

    def poll(self, *, force: bool = False) -> Reload:
        """Read the file again when it changed (or ``force``); see :class:`Reload`."""
        stamp = file_stamp(self.path)
        if stamp == self._stamp and not force:
            return Reload()
        self._stamp = stamp
        try:
            alerts = load_user_alerts(self.path)
        except ConfigError as exc:
            message = str(exc).splitlines()[0]
            fresh = message != self.error
            self.error = message
            if not fresh:
                return Reload()
            return Reload(error=f"{message}; the saved price alerts in use are kept until it is fixed")
        was_bad, self.error = self.error is not None, None
        if alerts == self.alerts and not was_bad:
            return Reload()
        self.alerts = alerts
        return Reload(config=self.current())
