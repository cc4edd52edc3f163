"""AlertManager: evaluates the rules on an engine and delivers each new alert everywhere it should go.

Use (dashboard or ``crashtui watch``), on the event loop's thread::

    manager = AlertManager(engine, engine.config.alerts, terminal=write_to_terminal)
    unsubscribe = manager.subscribe(show_toast)            # called with each new Alert
    manager.subscribe_failures(show_error)                 # called with each DeliveryFailure
    ...
    manager.check()        # on every state change, or on a 1 s timer
    manager.recent()       # alerts so far (newest last), for an alert log screen
    await manager.aclose() # at exit: waits for running commands, closes the log

Delivery order for each alert: the JSONL log (so it is on disk first), the terminal (bell and
OSC notifications, when a ``terminal`` writer is given and they are on), the command hook, then
the listeners. A failing delivery never stops the others; it is recorded as a
:class:`DeliveryFailure`, written to the log and passed to the failure listeners.
"""

from __future__ import annotations

import contextlib
import os
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from crashtui.alerts.alert import Alert, DeliveryFailure
from crashtui.alerts.evaluator import Evaluator
from crashtui.alerts.hook import CommandHook
from crashtui.alerts.inputs import AlertSource
from crashtui.alerts.log import AlertLog
from crashtui.alerts.terminal import TerminalNotifier, in_tmux
from crashtui.config.alerts_schema import AlertRule, AlertsConfig, resolve_log_path
from crashtui.textsafe import plain

RECENT_LIMIT = 500

AlertListener = Callable[[Alert], None]
FailureListener = Callable[[DeliveryFailure], None]


class AlertManager:
    """Rules, delivery and listeners for one engine (see the module docstring)."""

    def __init__(
        self,
        source: AlertSource,
        config: AlertsConfig | None = None,
        *,
        terminal: Callable[[str], None] | None = None,
        log_path: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        """``log_path`` (e.g. ``watch --log``) overrides the config, even ``log = false``; ``terminal``
        receives the bell and OSC sequences as text."""
        self.config = config if config is not None else source.config.alerts
        self.source = source
        environ = os.environ if env is None else env
        self.evaluator = Evaluator(source, self.config.rules)
        path = log_path if log_path is not None else resolve_log_path(self.config, source.mode)
        self.log_path = path
        self._log = AlertLog(path) if path is not None else None
        self._terminal = (
            TerminalNotifier(
                terminal, bell=self.config.bell, desktop=self.config.desktop, tmux=in_tmux(environ)
            )
            if terminal is not None and (self.config.bell or self.config.desktop != "off")
            else None
        )
        self.hook = (
            CommandHook(
                self.config.command,
                self.config.command_timeout_s,
                on_failure=self._failed,
                now_ms=source.now_ms,
                env=environ,
            )
            if self.config.command
            else None
        )
        self._listeners: list[AlertListener] = []
        self._failure_listeners: list[FailureListener] = []
        self._recent: deque[Alert] = deque(maxlen=RECENT_LIMIT)
        self._failures: deque[DeliveryFailure] = deque(maxlen=RECENT_LIMIT)
        self.fired = 0

    # -- listeners ---------------------------------------------------------------------------

    def subscribe(self, listener: AlertListener) -> Callable[[], None]:
        """Call ``listener(alert)`` for each new alert; returns a function that unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def subscribe_failures(self, listener: FailureListener) -> Callable[[], None]:
        """Call ``listener(failure)`` for each failed delivery; returns a function that unsubscribes."""
        self._failure_listeners.append(listener)
        return lambda: (
            self._failure_listeners.remove(listener) if listener in self._failure_listeners else None
        )

    def recent(self, limit: int | None = None) -> tuple[Alert, ...]:
        """Alerts fired in this session, oldest first (at most the last ``limit``; 500 are kept)."""
        items = tuple(self._recent)
        return items if limit is None else items[max(0, len(items) - limit) :]

    def failures(self) -> tuple[DeliveryFailure, ...]:
        """Failed deliveries in this session, oldest first."""
        return tuple(self._failures)

    @property
    def suppressed(self) -> int:
        """Firings swallowed by a cooldown."""
        return self.evaluator.suppressed

    def set_rules(self, rules: Sequence[AlertRule]) -> None:
        """Evaluate ``rules`` from the next check on (the user's alerts changed): unchanged rules
        keep their trigger state and cooldowns (see :meth:`Evaluator.set_rules`)."""
        self.evaluator.set_rules(rules)
        self.config = replace(self.config, rules=tuple(rules))

    # -- evaluation and delivery -------------------------------------------------------------

    def check(self) -> list[Alert]:
        """Evaluate every rule now and deliver the new alerts; returns them.

        In replay nothing is evaluated until the player has caught up with the window start (see
        :func:`replay_ready`), so the rules arm at the start and read the replay clock.
        """
        if not replay_ready(self.source):
            return []
        alerts = self.evaluator.evaluate()
        for alert in alerts:
            self._deliver(alert)
        return alerts

    def _deliver(self, alert: Alert) -> None:
        self.fired += 1
        self._recent.append(alert)
        if self._log is not None:
            try:
                self._log.write_alert(alert)
            except OSError as exc:
                self._failed(DeliveryFailure(alert.at_ms, "log", alert.id, _os_reason(exc, self._log.path)))
        if self._terminal is not None:
            try:
                self._terminal.deliver(alert)
            except OSError as exc:
                self._failed(DeliveryFailure(alert.at_ms, "terminal", alert.id, plain(str(exc))))
        if self.hook is not None:
            self.hook.submit(alert)
        for listener in list(self._listeners):
            try:
                listener(alert)
            except Exception as exc:  # a broken listener must not stop the others
                self._failed(
                    DeliveryFailure(alert.at_ms, "listener", alert.id, plain(f"{type(exc).__name__}: {exc}"))
                )

    def _failed(self, failure: DeliveryFailure) -> None:
        self._failures.append(failure)
        if self._log is not None and failure.channel != "log":
            # When the log itself is failing the listeners still hear about it.
            with contextlib.suppress(OSError):
                self._log.write_failure(failure)
        for listener in list(self._failure_listeners):
            # A broken failure listener has nowhere left to report to.
            with contextlib.suppress(Exception):
                listener(failure)

    async def aclose(self) -> None:
        """Wait for running commands (each bounded by its timeout), then close the log."""
        if self.hook is not None:
            await self.hook.aclose()
        if self._log is not None:
            self._log.close()


def replay_ready(source: AlertSource) -> bool:
    """False while a replay has not yet applied everything up to its window start.

    Before the player's first clock event the feed state's clock is wall time, and reading the
    liquidation tally at wall time would move its clock months ahead and drop every replayed
    liquidation after it as late; during the catch-up to ``--start`` the state is not yet the
    one the user asked to start from. Live sources are always ready.
    """
    if source.mode != "replay":
        return True
    player = getattr(source, "player", None)
    return player is not None and bool(player.started)


def _os_reason(exc: OSError, path: Path) -> str:
    return plain(f"cannot write {path}: {exc.strerror or exc}")
