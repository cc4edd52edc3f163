"""The bundled scenarios: each one's window, note, and the moment it opens at by default.

:func:`scenario_catalog` is pure (headers in, rows out); :func:`bundled_catalog` reads the
headers of the recordings shipped in ``crashtui/scenarios/``. :data:`TELLING_MOMENTS` says
where ``--replay NAME`` starts when no ``--start``/``--until`` is given: shortly before each
crash's decisive hour, so the dashboard shows it unfolding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from types import MappingProxyType

from crashtui.replay.header import RecordingHeader
from crashtui.textsafe import plain


@dataclass(frozen=True, slots=True)
class TellingMoment:
    """Where a scenario opens by default (epoch ms UTC) and why there."""

    start_ms: int
    why: str


def _utc(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp() * 1000)


TELLING_MOMENTS: Mapping[str, TellingMoment] = MappingProxyType(
    {
        "feb-2026": TellingMoment(
            _utc("2026-02-06T12:00"), "two hours before the Feb 6 low (14:00 UTC), the long cascade building"
        ),
        "oct-2025": TellingMoment(
            _utc("2025-10-10T19:00"),
            "Oct 10 after the first tariff post; the 100% tariff threat sets off the plunge at ~20:45 UTC",
        ),
        "aug-2024": TellingMoment(
            _utc("2024-08-05T04:00"),
            "Monday Aug 5 in Tokyo's afternoon (Nikkei -12%); BTC capitulates to 49k by 06:40 UTC",
        ),
    }
)


@dataclass(frozen=True, slots=True)
class ScenarioInfo:
    """One bundled scenario as ``--replay list`` shows it."""

    name: str
    start_ms: int | None
    end_ms: int | None
    note: str
    default_start_ms: int | None
    moment: str | None


def default_start_ms(name: str) -> int | None:
    """The telling moment of a bundled scenario, or None for any other recording."""
    moment = TELLING_MOMENTS.get(name)
    return moment.start_ms if moment else None


def scenario_catalog(headers: Mapping[str, RecordingHeader]) -> tuple[ScenarioInfo, ...]:
    """Rows for the given recordings (name -> header), by name. A telling moment outside a
    recording's window is not offered (the recording would open at its start instead)."""
    rows = []
    for name in sorted(headers):
        h = headers[name]
        moment = TELLING_MOMENTS.get(name)
        inside = (
            moment is not None
            and (h.start_ms is None or h.start_ms <= moment.start_ms)
            and (h.end_ms is None or moment.start_ms < h.end_ms)
        )
        rows.append(
            ScenarioInfo(
                name=name,
                start_ms=h.start_ms,
                end_ms=h.end_ms,
                note=h.note,
                default_start_ms=moment.start_ms if inside and moment else None,
                moment=moment.why if inside and moment else None,
            )
        )
    return tuple(rows)


def _day(ms: int | None) -> str:
    return "?" if ms is None else datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%d")


def _minute(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def format_catalog(rows: Iterable[ScenarioInfo]) -> list[str]:
    """Plain lines for ``--replay list``: name and window, the opening moment, the note.

    The window's end is shown as its last day (the header's end is the following midnight). The
    note comes from a file: control characters are taken out (never markup, never escapes)."""
    lines = []
    for r in rows:
        last = None if r.end_ms is None else r.end_ms - 1
        lines.append(f"{plain(r.name)}  {_day(r.start_ms)} .. {_day(last)}")
        if r.default_start_ms is not None:
            lines.append(f"  opens at {_minute(r.default_start_ms)}: {r.moment}")
        if r.note:
            lines.append(f"  {plain(r.note)}")
    return lines


def bundled_catalog() -> tuple[ScenarioInfo, ...]:
    """The catalog of the recordings shipped with crashtui (reads each header line only)."""
    from crashtui.paths import bundled_dir
    from crashtui.replay.header import read_header
    from crashtui.replay.locate import SUFFIX, bundled_scenarios

    directory = bundled_dir("scenarios")
    return scenario_catalog({n: read_header(directory / f"{n}{SUFFIX}") for n in bundled_scenarios()})
