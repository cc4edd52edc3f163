"""Single-instance lock for the collector of one store.

An exclusive ``flock`` on ``<store>.collector.lock``: the kernel drops it when the process
dies, even on ``kill -9``, so a stale lock from a killed collector is recovered by simply
locking again. The file holds the owner's pid for messages; readers use the lock (not the
pid) to tell whether a collector is alive.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import IO

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no shared feed lock
    fcntl = None  # type: ignore[assignment]


def lock_path(store_path: Path) -> Path:
    """The lock file of a store."""
    return store_path.with_name(store_path.name + ".collector.lock")


class CollectorLock:
    """Holds the collector lock of one store while acquired."""

    def __init__(self, store_path: Path) -> None:
        self.path = lock_path(store_path)
        self._fh: IO[str] | None = None

    def acquire(self) -> bool:
        """Take the lock; False when another live collector holds it."""
        if fcntl is None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fh = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            fh.close()
            return False
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        self._fh = fh
        return True

    def release(self) -> None:
        """Drop the lock (also happens when the process exits)."""
        if self._fh is not None and fcntl is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fh.fileno(), fcntl.LOCK_UN)
            self._fh.close()
            self._fh = None

    def owner_pid(self) -> int | None:
        """Pid written by the current or last owner, if readable."""
        try:
            return int(self.path.read_text(encoding="utf-8").split()[0])
        except (OSError, ValueError, IndexError):
            return None


def collector_alive(store_path: Path) -> bool:
    """Whether a live collector holds the lock of ``store_path``."""
    if fcntl is None:
        return False
    path = lock_path(store_path)
    if not path.exists():
        return False
    with path.open("a+", encoding="utf-8") as fh:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
    return False
