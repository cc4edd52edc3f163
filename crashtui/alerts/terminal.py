"""Terminal delivery: the bell and desktop notifications by OSC 9 / OSC 777, tmux-aware.

* Bell: ``BEL``. Never wrapped: tmux handles it itself (flags the window, ``bell-action``).
* OSC 9 (iTerm2, kitty, WezTerm, ghostty, Windows Terminal): ``ESC ] 9 ; text BEL``. The text
  starts with ``crashtui:`` so it is never read as ConEmu's numeric ``OSC 9;N`` sub-commands.
* OSC 777 (foot, VTE/GNOME Terminal, urxvt, ghostty): ``ESC ] 777 ; notify ; title ; body BEL``;
  ``;`` inside the title or body would split them, so it becomes ``,``.
* Inside tmux (``$TMUX`` set) each OSC is wrapped for passthrough: ``ESC P tmux ; <sequence with
  every ESC doubled> ESC \\``. tmux 3.3+ forwards it only with ``set -g allow-passthrough on``.

Alert text is run through :func:`crashtui.textsafe.plain` again, so nothing in a notification
can end the sequence early or smuggle in another escape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from crashtui.alerts.alert import Alert
from crashtui.textsafe import plain

ESC = "\x1b"
BEL = "\x07"
NOTIFY_LIMIT = 240


def osc9(text: str) -> str:
    """An OSC 9 desktop notification."""
    return f"{ESC}]9;{plain(text, limit=NOTIFY_LIMIT)}{BEL}"


def osc777(title: str, body: str) -> str:
    """An OSC 777 ``notify`` desktop notification."""
    safe_title = plain(title, limit=80).replace(";", ",")
    safe_body = plain(body, limit=NOTIFY_LIMIT).replace(";", ",")
    return f"{ESC}]777;notify;{safe_title};{safe_body}{BEL}"


def tmux_passthrough(sequence: str) -> str:
    """``sequence`` wrapped in tmux's DCS passthrough (every ESC inside doubled)."""
    return f"{ESC}Ptmux;{sequence.replace(ESC, ESC + ESC)}{ESC}\\"


def in_tmux(env: Mapping[str, str]) -> bool:
    """Whether this process runs inside tmux."""
    return bool(env.get("TMUX"))


def alert_sequences(alert: Alert, *, bell: bool, desktop: str, tmux: bool) -> str:
    """Everything to write to the terminal for one alert (empty when bell and desktop are off)."""
    out = BEL if bell else ""
    title = f"crashtui {alert.severity.upper()}"
    notifications = []
    if desktop in ("osc9", "both"):
        notifications.append(osc9(f"crashtui: {alert.message}"))
    if desktop in ("osc777", "both"):
        notifications.append(osc777(title, alert.message))
    for sequence in notifications:
        out += tmux_passthrough(sequence) if tmux else sequence
    return out


class TerminalNotifier:
    """Writes the bell and notifications for each alert through ``write`` (e.g. stdout)."""

    def __init__(self, write: Callable[[str], None], *, bell: bool, desktop: str, tmux: bool) -> None:
        self._write = write
        self.bell = bell
        self.desktop = desktop
        self.tmux = tmux

    def deliver(self, alert: Alert) -> None:
        """Ring and notify for ``alert``."""
        data = alert_sequences(alert, bell=self.bell, desktop=self.desktop, tmux=self.tmux)
        if data:
            self._write(data)
