"""Judging ``--start``/``--until`` against a recording before anything is replayed.

An impossible window (a time that is not a time, before or after the recording, in the future,
or a start after the end) would open a half-empty screen; it is a usage error instead, one line
that names the recording's range so the user can pick a time inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path


class WindowError(Exception):
    """An impossible replay window; ``str()`` is the one-line reason (exit 2)."""


class GivenInstant(int):
    """Epoch ms that remembers the text the user typed (for error messages)."""

    text: str

    def __new__(cls, ms: int, text: str) -> GivenInstant:
        """``ms`` as an int carrying ``text``."""
        obj = int.__new__(cls, ms)
        obj.text = text
        return obj


@dataclass(frozen=True, slots=True)
class RecordingRange:
    """What a recording covers (epoch ms UTC; None when neither its header nor its payloads say)."""

    start_ms: int | None
    end_ms: int | None

    def describe(self) -> str:
        """``2026-02-01T00:00Z to 2026-02-21T00:00Z``."""
        return f"{_minute(self.start_ms)} to {_minute(self.end_ms)}"


def _minute(ms: int | None) -> str:
    if ms is None:
        return "?"
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def recording_range(path: Path) -> RecordingRange:
    """The header's window, else the first and last payload times (one cheap pass)."""
    from crashtui.replay.header import read_header

    header = read_header(path)
    start, end = header.start_ms, header.end_ms
    if start is None or end is None:
        from crashtui.replay.recording import scan_recording

        scan = scan_recording(path)
        start = start if start is not None else scan.first_ms
        end = end if end is not None else scan.last_ms
    return RecordingRange(start, end)


def _shown(flag: str, value: int | str) -> str:
    if isinstance(value, str):
        return f"{flag} {value}"
    text = getattr(value, "text", None)
    return f"{flag} {text if text else _minute(value)}"


def check_window(
    rng: RecordingRange,
    start: int | str | None,
    until: int | str | None,
    now_ms: int,
) -> None:
    """Raise :class:`WindowError` when ``start``/``until`` cannot show anything of ``rng``.

    A ``str`` is a value that did not parse as a time. Both bounds are inclusive: ``--start``
    equal to ``--until`` shows that moment.
    """
    covers = f"the recording covers {rng.describe()}"
    for flag, value in (("--start", start), ("--until", until)):
        if value is None:
            continue
        if isinstance(value, str):
            raise WindowError(
                f"{_shown(flag, value)}: not a time (use ISO like 2026-02-06 or 2026-02-06T14:00Z); {covers}"
            )
        if rng.end_ms is not None and value > rng.end_ms:
            raise WindowError(f"{_shown(flag, value)}: after the recording, which covers {rng.describe()}")
        if value > now_ms:
            raise WindowError(f"{_shown(flag, value)}: in the future; {covers}")
        if rng.start_ms is not None and value < rng.start_ms:
            raise WindowError(f"{_shown(flag, value)}: before the recording, which covers {rng.describe()}")
    if isinstance(start, int) and isinstance(until, int) and start > until:
        raise WindowError(f"{_shown('--start', start)} is after {_shown('--until', until)}; {covers}")
