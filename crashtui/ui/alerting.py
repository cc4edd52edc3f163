"""The dashboard's alerts: one AlertManager per engine, the alert line, the bell and desktop
notifications.

The rules, the JSONL log and the command hook are :mod:`crashtui.alerts`'; this module gives
each engine the dashboard swaps in its :class:`~crashtui.alerts.AlertManager`, checks it on the
refresh tick and shows what it fires: a place on the :class:`AlertLine` (when ``[alerts]
toast``; the app draws it above the status bar, never over a pane), the bell and OSC 9/777
notifications (``bell``/``desktop``; written through the app's terminal writer, tmux-wrapped
when inside tmux), an error toast for each failed delivery, and the session's list for the
alert log screen.

**Engine swaps.** A watchlist change or a backward replay seek builds a new engine, and a new
manager whose rules start over at the new time (the alert engine re-arms on a new state). Left
alone it would repeat what the trader has already seen: a rewind replays the same zone breaks
and cascades, and a condition on a state that is still true (crash gauge, Fear & Greed,
liquidations) fires once at every re-arm. So an alert from any manager after the session's first
is a *repeat* when this session already showed one for the same rule and target (symbol,
threshold, source, direction) and

* it is the same event (the same zone break, cascade or ETF day), or
* it fired when its manager armed (a condition that was already true and already shown), or
* it lies within the rule's cooldown of the one shown (a rewind replaying that stretch).

A repeat gets no place on the alert line, no bell and no new line on the alert log screen. The
JSONL log and the command hook belong to the alert engine and see every alert its managers
fire: after a rewind they get the replayed stretch's alerts again, each at its own replay time,
as a second pass of the recording would. A seek back to before anything was shown (say, before
the session's start) shows the alerts of that stretch: they are new to the trader.

**On a collector's feed** (``--feed store``/``redis://``, or a collector found at start) the
collector runs the hook and writes the log once for the desk; the dashboard's manager then only
shows alerts, and the alert log screen reads the collector's log.

Nothing here imports textual; the app passes its toast, raw terminal writer and error callbacks.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections import deque
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING

from crashtui.config.alerts_schema import AlertsConfig
from crashtui.textsafe import plain

if TYPE_CHECKING:
    from crashtui.alerts import Alert, AlertManager, DeliveryFailure
    from crashtui.alerts.inputs import AlertSource

SESSION_LIMIT = 500
FIRED_LIMIT = 5000
# Details that name the event an alert is about: the same event is the same alert.
EVENT_DETAILS = ("event_ms", "start_ms", "day", "to_day")
# Details that name the target (with the symbol and threshold) of a condition on a state.
TARGET_DETAILS = ("source", "direction")

AlertKey = tuple[Hashable, ...]


def alert_key(alert: Alert) -> AlertKey:
    """Rule and target of an alert (the event's time is kept apart: see :func:`event_of`)."""
    details = alert.details
    return (
        alert.rule,
        alert.kind,
        alert.symbol,
        alert.threshold,
        *(str(details.get(name)) for name in TARGET_DETAILS),
    )


def event_of(alert: Alert) -> str | None:
    """The event an alert reports (a zone break's candle, a cascade's start, an ETF day), if any."""
    for name in EVENT_DETAILS:
        value = alert.details.get(name)
        if value is not None:
            return f"{name}={value}"
    return None


class ShownAlerts:
    """What this session has shown, to tell a new alert from a repeat after an engine swap."""

    def __init__(self, cooldowns_ms: Mapping[str, float]) -> None:
        self._cooldowns_ms = cooldowns_ms
        self._times: dict[AlertKey, deque[int]] = {}
        self._events: set[tuple[AlertKey, str]] = set()

    def set_cooldowns(self, cooldowns_ms: Mapping[str, float]) -> None:
        """The rules' cooldowns after the rules changed."""
        self._cooldowns_ms = cooldowns_ms

    def is_repeat(self, alert: Alert, *, arming: bool) -> bool:
        """Whether ``alert`` repeats one already shown (see the module docstring)."""
        key = alert_key(alert)
        times = self._times.get(key)
        if not times:
            return False
        event = event_of(alert)
        if event is not None:
            return (key, event) in self._events
        if arming:
            return True
        cooldown = self._cooldowns_ms.get(alert.rule, 0.0)
        return any(abs(alert.at_ms - at) < cooldown for at in times)

    def add(self, alert: Alert) -> None:
        """Remember a shown alert."""
        key = alert_key(alert)
        self._times.setdefault(key, deque(maxlen=16)).append(alert.at_ms)
        event = event_of(alert)
        if event is not None:
            self._events.add((key, event))


class DashboardAlerts:
    """The alert managers of one dashboard session and what the trader sees of them.

    ``toast(alert)`` shows an alert (the app puts it on the alert line), ``error(text)`` a
    failure; ``terminal(data)`` writes raw bell/OSC sequences to the terminal (None: never).
    Call :meth:`attach` with each engine the dashboard starts using, :meth:`check` on the
    refresh tick, :meth:`aclose` at exit.
    """

    def __init__(
        self,
        config: AlertsConfig,
        *,
        toast: Callable[[Alert], None],
        error: Callable[[str], None],
        terminal: Callable[[str], None] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.config = config
        self._toast = toast
        self._error = error
        self._terminal = terminal if (config.bell or config.desktop != "off") else None
        self._tmux = bool((os.environ if env is None else env).get("TMUX"))
        self._terminal_failed = False
        self.manager: AlertManager | None = None
        self._managers = 0
        self._arming = False
        self._rearming = False
        self._closing: set[asyncio.Task[None]] = set()
        self._session: deque[Alert] = deque(maxlen=SESSION_LIMIT)
        self._fired: deque[tuple[int, str, str]] = deque(maxlen=FIRED_LIMIT)
        self._shown = ShownAlerts({rule.name: rule.cooldown_s * 1000 for rule in config.rules})
        self.repeats = 0
        self._shown_count = 0
        self._read_log: Path | None = None  # the collector's log, when a collector delivers

    @property
    def log_path(self) -> Path | None:
        """The JSONL alert log of the current manager, or of the collector it reads from (None
        when logging is off or no engine yet)."""
        if self.manager is None:
            return None
        return self.manager.log_path if self._read_log is None else self._read_log

    def session(self) -> tuple[Alert, ...]:
        """Alerts shown in this session, newest first by their own time (the replay clock in replay,
        so a rewind's alerts fall into place), repeats after engine swaps left out."""
        order = sorted(enumerate(self._session), key=lambda shown: (shown[1].at_ms, shown[0]), reverse=True)
        return tuple(alert for _, alert in order)

    @property
    def count(self) -> int:
        """How many alerts this session has shown."""
        return self._shown_count

    def fired_keys(self) -> frozenset[tuple[int, str, str]]:
        """``(at_ms, rule, message)`` of every alert this session's managers fired (and logged),
        repeats included: the alert log's lines that are not from earlier sessions."""
        return frozenset(self._fired)

    def attach(self, engine: AlertSource, *, via_collector: bool = False) -> None:
        """Give ``engine`` its own manager; the previous one is closed in the background.

        ``via_collector``: the engine reads a collector's feed, and the collector already runs
        the command hook and writes the log once for the whole desk. This dashboard then only
        shows its alerts (alert line, bell, desktop) and reads the collector's log; otherwise every
        pane on the desk would page the trader and log each alert once more.
        """
        from crashtui.alerts import AlertManager, resolve_log_path

        old, self.manager = self.manager, None
        if old is not None:
            task = asyncio.ensure_future(old.aclose())
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
        config = self.config
        self._read_log = None
        if via_collector:
            config = replace(config, command=(), log=False)
            self._read_log = resolve_log_path(self.config, engine.mode)
        try:
            manager = AlertManager(engine, config)
        except Exception as exc:  # the dashboard runs on without alerts rather than not at all
            self._error(f"alerts are off for this feed: {type(exc).__name__}: {exc}")
            return
        manager.subscribe(partial(self._on_alert, self._managers > 0))
        manager.subscribe_failures(self._on_failure)
        self.manager = manager
        self._managers += 1

    def set_config(self, config: AlertsConfig) -> None:
        """New rules (the user's price alerts changed): the running manager evaluates them from
        its next check, keeping the state and cooldowns of every unchanged rule; later engines
        get them too. Delivery settings stay as they were at start."""
        self.config = replace(self.config, rules=config.rules)
        self._shown.set_cooldowns({rule.name: rule.cooldown_s * 1000 for rule in config.rules})
        if self.manager is not None:
            self.manager.set_rules(config.rules)

    def last_fired(self) -> dict[str, int]:
        """When each rule last fired in this session (its newest alert's time), by rule name."""
        out: dict[str, int] = {}
        for at_ms, rule, _ in self._fired:
            if at_ms > out.get(rule, -1):
                out[rule] = at_ms
        return out

    def check(self) -> None:
        """Evaluate the rules now (the refresh tick); what fires is shown by the listeners."""
        manager = self.manager
        if manager is None:
            return
        self._arming = manager.evaluator.arms_next()
        # a forward seek starts the same manager's rules over: a condition already shown that
        # still holds is a repeat, as after an engine swap
        self._rearming = self._arming and manager.evaluator.armed_at_ms is not None
        try:
            manager.check()
        except Exception as exc:  # a broken rule must not take the refresh tick (and the app) down
            self.manager = None
            self._error(f"alert rules stopped until the next feed change: {type(exc).__name__}: {exc}")
        finally:
            self._arming = self._rearming = False

    def _on_alert(self, after_swap: bool, alert: Alert) -> None:
        self._fired.append((alert.at_ms, alert.rule, alert.message))
        if (after_swap or self._rearming) and self._shown.is_repeat(alert, arming=self._arming):
            self.repeats += 1
            return
        self._shown.add(alert)
        self._session.append(alert)
        self._shown_count += 1
        if self.config.toast:
            self._toast(alert)
        self._ring(alert)

    def _ring(self, alert: Alert) -> None:
        """Bell and desktop notification; a terminal that cannot be written is reported once."""
        if self._terminal is None or self._terminal_failed:
            return
        from crashtui.alerts.terminal import alert_sequences

        data = alert_sequences(alert, bell=self.config.bell, desktop=self.config.desktop, tmux=self._tmux)
        if not data:
            return
        try:
            self._terminal(data)
        except Exception as exc:  # a dead terminal must never take the dashboard down
            self._terminal_failed = True
            self._error(f"alert bell/notification could not be written: {type(exc).__name__}: {exc}")

    def _on_failure(self, failure: DeliveryFailure) -> None:
        self._error(f"alert {failure.channel} failed: {failure.reason}")

    async def aclose(self) -> None:
        """Close every manager (each waits for its running commands, bounded by their timeout)."""
        manager, self.manager = self.manager, None
        closing = list(self._closing)
        if manager is not None:
            closing.append(asyncio.ensure_future(manager.aclose()))
        for task in closing:
            with contextlib.suppress(Exception):
                await task


# How long an alert stays on the alert line (wall-clock seconds): a critical one until it is
# dismissed or two minutes have passed, so it is seen on return from a drilldown.
LINE_SECONDS = {"info": 10.0, "warning": 30.0, "critical": 120.0}
SNOOZE_SECONDS = 15 * 60.0


@dataclass(frozen=True, slots=True)
class LineEntry:
    """An alert on the alert line and when (monotonic seconds) it leaves it."""

    alert: Alert
    shown_s: float
    expires_s: float


class AlertLine:
    """The alerts waiting on the dashboard's alert line: a place that covers no data.

    Each alert the session shows joins the line for a time scaled by its severity
    (:data:`LINE_SECONDS`). The line shows the most severe one, newest first among equals (a
    critical alert is not pushed off by an info a second later), and how many others wait.
    ``d`` dismisses the one shown; ``z`` snoozes its rule for 15 minutes (the rule's alerts
    still reach the alert log, the bell and the hook, only the line stays quiet); a replay seek
    clears the line (what it said was about a time no longer on screen). Time is wall time
    (``clock``, monotonic seconds): how long a trader needs to read, not replay time.
    """

    def __init__(self, clock: Callable[[], float] | None = None) -> None:
        import time

        self._clock = clock or time.monotonic
        self._entries: list[LineEntry] = []
        self._snoozed: dict[str, float] = {}
        self.version = 0
        """Bumped on every change, so the screen repaints only when the line changes."""

    def push(self, alert: Alert) -> None:
        """Put a new alert on the line (unless its rule is snoozed)."""
        now = self._clock()
        if self._snoozed.get(alert.rule, 0.0) > now:
            return
        life = LINE_SECONDS.get(alert.severity, LINE_SECONDS["info"])
        self._entries.append(LineEntry(alert, now, now + life))
        self.version += 1

    def _live(self) -> list[LineEntry]:
        now = self._clock()
        live = [e for e in self._entries if e.expires_s > now]
        if len(live) != len(self._entries):
            self._entries = live
            self.version += 1
        return live

    def current(self) -> tuple[Alert | None, int]:
        """The alert to show (None: the line is empty) and how many others wait."""
        from crashtui.alerts.alert import SEVERITY_ORDER

        live = self._live()
        if not live:
            return None, 0
        order = sorted(
            range(len(live)),
            key=lambda i: (SEVERITY_ORDER.get(live[i].alert.severity, 0), live[i].shown_s, i),
        )
        return live[order[-1]].alert, len(live) - 1

    def dismiss(self) -> Alert | None:
        """Take the shown alert off the line; returns it (None when the line was empty)."""
        alert, _ = self.current()
        if alert is None:
            return None
        self._entries = [e for e in self._entries if e.alert is not alert]
        self.version += 1
        return alert

    def snooze(self, seconds: float = SNOOZE_SECONDS) -> Alert | None:
        """Quiet the shown alert's rule on the line for ``seconds``; returns the alert."""
        alert, _ = self.current()
        if alert is None:
            return None
        self._snoozed[alert.rule] = self._clock() + seconds
        self._entries = [e for e in self._entries if e.alert.rule != alert.rule]
        self.version += 1
        return alert

    def clear(self) -> None:
        """Empty the line (a replay seek); snoozes stay."""
        if self._entries:
            self._entries = []
            self.version += 1


def toast_text(alert: Alert) -> tuple[str, str]:
    """Title and body of an alert, plain text (the alert line and the log screen use these words)."""
    title = f"{alert.severity.upper()} · {alert.rule} · {alert.at[11:16]}Z"
    return plain(title, 120), plain(alert.message, 300)
