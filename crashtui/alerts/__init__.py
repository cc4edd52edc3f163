"""Alerts: rules evaluated on the headless engine; delivered to a JSONL log, terminal, command and UI.

The UI and ``crashtui watch`` use :class:`AlertManager` (see :mod:`crashtui.alerts.manager`).
"""

from crashtui.alerts.alert import Alert, DeliveryFailure
from crashtui.alerts.log import read_alerts
from crashtui.alerts.manager import AlertManager
from crashtui.config.alerts_schema import resolve_log_path

__all__ = ["Alert", "AlertManager", "DeliveryFailure", "read_alerts", "resolve_log_path"]
