"""The alert record: what fired, when (engine time: the replay clock in replay), and why.

An :class:`Alert` is immutable and serialises to one JSON object (the alert log line, the
command hook's stdin). ``message`` is one line of plain text: any text that came from the
network (a source's error, an index classification) went through :func:`crashtui.textsafe.plain`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from crashtui.timeparse import iso_utc

SEVERITY_ORDER = {"info": 0, "warning": 1, "critical": 2}

Detail = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Alert:
    """One fired alert.

    ``value`` is the number that tripped the rule (a price, USD, an index value) and
    ``threshold`` the level it was compared with; ``details`` holds kind-specific extras
    (zone bounds, the event's own time, the window). ``mode`` is ``live`` or ``replay``.
    """

    id: str
    at_ms: int
    rule: str
    kind: str
    severity: str
    message: str
    symbol: str | None = None
    value: float | None = None
    threshold: float | None = None
    mode: str = "live"
    details: Mapping[str, Detail] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def at(self) -> str:
        """``at_ms`` as ISO-8601 UTC (``2026-02-06T01:01:00Z``)."""
        return iso_utc(self.at_ms)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the alert log and command hook format)."""
        return {
            "id": self.id,
            "at": self.at,
            "at_ms": self.at_ms,
            "rule": self.rule,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "symbol": self.symbol,
            "value": self.value,
            "threshold": self.threshold,
            "mode": self.mode,
            "details": dict(self.details),
        }

    def to_json(self) -> str:
        """One line of JSON."""
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"), allow_nan=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Alert:
        """Rebuild an alert from :meth:`to_dict` output; KeyError/TypeError/ValueError if malformed."""
        details = data.get("details") or {}
        if not isinstance(details, Mapping):
            raise TypeError("details must be an object")
        return cls(
            id=str(data["id"]),
            at_ms=int(data["at_ms"]),
            rule=str(data["rule"]),
            kind=str(data["kind"]),
            severity=str(data["severity"]),
            message=str(data["message"]),
            symbol=None if data.get("symbol") is None else str(data["symbol"]),
            value=None if data.get("value") is None else float(data["value"]),
            threshold=None if data.get("threshold") is None else float(data["threshold"]),
            mode=str(data.get("mode", "live")),
            details=MappingProxyType(dict(details)),
        )

    def line(self) -> str:
        """One plain-text line for a terminal or a journal: time, severity, rule, message."""
        return f"{self.at} {self.severity.upper():<8} [{self.rule}] {self.message}"


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """A delivery that did not work: the command hook failed or timed out, or the log could not be written.

    ``alert_id`` names the alert it was delivering; ``reason`` is one plain line.
    """

    at_ms: int
    channel: str
    alert_id: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (written to the alert log with ``"type": "delivery_failure"``)."""
        return {
            "at": iso_utc(self.at_ms),
            "at_ms": self.at_ms,
            "channel": self.channel,
            "alert_id": self.alert_id,
            "reason": self.reason,
        }

    def line(self) -> str:
        """One plain-text line."""
        return f"{iso_utc(self.at_ms)} {self.channel} failed for alert {self.alert_id}: {self.reason}"
