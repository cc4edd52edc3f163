"""Find a recording by bundled scenario name or path."""

from __future__ import annotations

from pathlib import Path

from crashtui.paths import bundled_dir

SUFFIX = ".jsonl.gz"


class RecordingNotFound(Exception):
    """No recording by that name or path; ``str()`` is the one-line reason."""


def bundled_scenarios() -> list[str]:
    """Names of the recordings shipped with crashtui."""
    directory = bundled_dir("scenarios")
    return sorted(p.name.removesuffix(SUFFIX) for p in directory.glob(f"*{SUFFIX}"))


def locate_recording(name_or_path: str) -> Path:
    """A bundled scenario by name (``feb-2026``), else an existing file path that holds at least
    one readable payload (RecordingError otherwise)."""
    bundled = bundled_dir("scenarios") / f"{name_or_path}{SUFFIX}"
    if "/" not in name_or_path and bundled.is_file():
        return bundled
    path = Path(name_or_path).expanduser()
    if path.is_file():
        from crashtui.replay.recording import check_playable

        check_playable(path)  # an empty or unreadable file: one line now, not 1970 on screen
        return path
    names = ", ".join(bundled_scenarios()) or "none"
    raise RecordingNotFound(
        f"no recording {name_or_path!r}: not a file, and not a bundled scenario ({names})"
    )
