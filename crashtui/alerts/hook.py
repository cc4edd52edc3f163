"""The command hook: run the user's program for each alert, in the background, never via a shell.

The alert goes to the program's stdin as one line of JSON (:meth:`Alert.to_json`) and in
``CRASHTUI_ALERT_*`` environment variables; ``{message}``-style placeholders in the argv are
replaced by the alert's fields (each argument on its own, so no quoting problem can arise).
Each run is an asyncio task: the caller never waits. At most :data:`MAX_RUNNING` run at once;
a run that outlives the timeout is killed with its whole process group. Every failure (cannot
start, non-zero exit, killed, timed out, too many queued) is reported through ``on_failure``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from collections.abc import Callable, Mapping, Sequence

from crashtui.alerts.alert import Alert, DeliveryFailure
from crashtui.exchanges.keys import without_secrets
from crashtui.textsafe import plain

MAX_RUNNING = 4
MAX_PENDING = 100
CHANNEL = "command"
_PLACEHOLDER = re.compile(r"\{(message|rule|kind|severity|symbol|id|at)\}")


def expand_argv(argv: Sequence[str], alert: Alert) -> list[str]:
    """``argv`` with the placeholders ``{message}``, ``{rule}``, ``{kind}``, ``{severity}``, ``{symbol}``,
    ``{id}`` and ``{at}`` replaced by the alert's fields."""
    fields = {
        "message": alert.message,
        "rule": alert.rule,
        "kind": alert.kind,
        "severity": alert.severity,
        "symbol": alert.symbol or "",
        "id": alert.id,
        "at": alert.at,
    }
    return [_PLACEHOLDER.sub(lambda m: fields[m.group(1)], arg) for arg in argv]


def alert_env(alert: Alert, base: Mapping[str, str]) -> dict[str, str]:
    """``base`` plus ``CRASHTUI_ALERT_ID``, ``_KIND``, ``_SEVERITY``, ``_RULE``, ``_SYMBOL``,
    ``_MESSAGE`` and ``_AT``; never the exchange credential variables (``CRASHTUI_*_API_KEY``…)."""
    env = without_secrets(base)
    env.update(
        CRASHTUI_ALERT_ID=alert.id,
        CRASHTUI_ALERT_KIND=alert.kind,
        CRASHTUI_ALERT_SEVERITY=alert.severity,
        CRASHTUI_ALERT_RULE=alert.rule,
        CRASHTUI_ALERT_SYMBOL=alert.symbol or "",
        CRASHTUI_ALERT_MESSAGE=alert.message,
        CRASHTUI_ALERT_AT=alert.at,
    )
    return env


class CommandHook:
    """Runs ``argv`` per alert as a background task (see the module docstring)."""

    def __init__(
        self,
        argv: Sequence[str],
        timeout_s: float,
        *,
        on_failure: Callable[[DeliveryFailure], None],
        now_ms: Callable[[], int],
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.argv = tuple(argv)
        self.timeout_s = timeout_s
        self._on_failure = on_failure
        self._now_ms = now_ms
        self._env = dict(os.environ if env is None else env)
        self._tasks: set[asyncio.Task[None]] = set()
        self._slots: asyncio.Semaphore | None = None
        self.succeeded = 0
        self.failed = 0

    @property
    def pending(self) -> int:
        """Runs started or waiting for a slot."""
        return len(self._tasks)

    def submit(self, alert: Alert) -> None:
        """Start running the command for ``alert`` in the background (needs a running event loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self._fail(alert, "not started: no running event loop")
            return
        if len(self._tasks) >= MAX_PENDING:
            self._fail(alert, f"dropped: {len(self._tasks)} commands already running or queued")
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(MAX_RUNNING)
        task = loop.create_task(self._run(alert, self._slots), name=f"crashtui-alert-hook-{alert.id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def aclose(self) -> None:
        """Wait for every run to finish (each is bounded by the timeout)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    async def _run(self, alert: Alert, slots: asyncio.Semaphore) -> None:
        async with slots:
            reason = await self._execute(alert)
        if reason is None:
            self.succeeded += 1
        else:
            self._fail(alert, reason)

    async def _execute(self, alert: Alert) -> str | None:
        """Run once; None on success, else the one-line reason."""
        argv = expand_argv(self.argv, alert)
        try:
            proc = await asyncio.create_subprocess_exec(
                *argv,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.PIPE,
                env=alert_env(alert, self._env),
                start_new_session=True,
            )
        except FileNotFoundError:
            return f"not started: command not found: {argv[0]}"
        except PermissionError:
            return f"not started: permission denied: {argv[0]}"
        except OSError as exc:
            return f"not started: {argv[0]}: {exc.strerror or exc}"
        payload = (alert.to_json() + "\n").encode()
        try:
            _, stderr = await asyncio.wait_for(proc.communicate(payload), timeout=self.timeout_s)
        except asyncio.TimeoutError:
            await _kill(proc)
            return f"timed out after {self.timeout_s:g} s (killed)"
        except asyncio.CancelledError:
            await _kill(proc)
            raise
        code = proc.returncode
        if code == 0:
            return None
        last = next(
            (line for line in reversed(stderr.decode(errors="replace").splitlines()) if line.strip()), ""
        )
        detail = f": {plain(last, limit=200)}" if last.strip() else ""
        if code is not None and code < 0:
            return f"killed by signal {-code}{detail}"
        return f"exited with status {code}{detail}"

    def _fail(self, alert: Alert, reason: str) -> None:
        self.failed += 1
        self._on_failure(DeliveryFailure(self._now_ms(), CHANNEL, alert.id, reason))


async def _kill(proc: asyncio.subprocess.Process) -> None:
    """Kill the process and its group (a hook's own children too), then reap it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if hasattr(os, "killpg"):
            os.killpg(proc.pid, signal.SIGKILL)
        else:  # pragma: no cover - not POSIX
            proc.kill()
    with contextlib.suppress(ProcessLookupError):
        await proc.wait()
