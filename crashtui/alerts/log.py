"""The JSONL alert log: one JSON object per line, appended, flushed and fsync'ed at once.

Lines are ``{"type": "alert", ...Alert.to_dict()}`` or ``{"type": "delivery_failure", ...}``.
Each is written with a single ``write`` on a file opened with ``O_APPEND``, then fsync'ed, so
a kill (even ``-9``) loses nothing already reported, and lines from two crashtui processes
appending to the same log on a local filesystem do not interleave. The file is created private (mode 600).
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

from crashtui.alerts.alert import Alert, DeliveryFailure


class AlertLog:
    """Append-only JSONL writer; opens the file on first use."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def write_alert(self, alert: Alert) -> None:
        """Append one alert; raises OSError when the file cannot be written."""
        self._append({"type": "alert", **alert.to_dict()})

    def write_failure(self, failure: DeliveryFailure) -> None:
        """Append one delivery failure; raises OSError when the file cannot be written."""
        self._append({"type": "delivery_failure", **failure.to_dict()})

    def _append(self, record: dict[str, Any]) -> None:
        line = (
            json.dumps(record, ensure_ascii=False, separators=(",", ":"), allow_nan=False) + "\n"
        ).encode()
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        written = os.write(self._fd, line)
        if written != len(line):
            raise OSError(f"short write to {self.path} ({written} of {len(line)} bytes)")
        os.fsync(self._fd)

    def close(self) -> None:
        """Close the file (a later write reopens it)."""
        if self._fd is not None:
            fd, self._fd = self._fd, None
            with contextlib.suppress(OSError):
                os.close(fd)


def read_alerts(path: Path, limit: int | None = None) -> list[Alert]:
    """Alerts in the log, oldest first (the last ``limit``); unreadable lines are skipped."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return []
    alerts = []
    for line in text.splitlines():
        try:
            record = json.loads(line)
            if isinstance(record, dict) and record.get("type") == "alert":
                alerts.append(Alert.from_dict(record))
        except (ValueError, KeyError, TypeError):
            continue
    return alerts if limit is None else alerts[max(0, len(alerts) - limit) :]
