"""Argument types and errors every command shares (the CLI's own module imports these too)."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

FEED_METAVAR = "store|redis://HOST:PORT/DB"


class UsageError(Exception):
    """A bad combination of arguments; ``str()`` is the one-line reason (exit 2)."""


def parse_feed(text: str) -> str:
    """``direct``, ``store`` or a redis URL (argparse type)."""
    from urllib.parse import urlsplit

    value = text.strip()
    if value in ("direct", "store"):
        return value
    parts = urlsplit(value)
    if (parts.scheme in ("redis", "rediss") and parts.netloc) or (parts.scheme == "unix" and parts.path):
        return value
    raise argparse.ArgumentTypeError(f"expected direct, store or a redis://host:port/db URL, got {text!r}")


def instant_arg(text: str) -> int | str:
    """argparse type for ``--start``/``--until``: epoch ms that remember the text typed, or the
    text itself when it is not a time (judged with the recording's range, see
    :func:`check_replay_window`, so the error can name that range)."""
    from crashtui.replay.window import GivenInstant
    from crashtui.timeparse import parse_instant

    try:
        return GivenInstant(parse_instant(text), text)
    except argparse.ArgumentTypeError:
        return text


class SpeedAction(argparse.Action):
    """``--speed``: stores the parsed speed (None for ``max``) and notes that it was given, so
    that ``max`` is never mistaken for "not given" (the dashboard's default is 60)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: str | Sequence[Any] | None,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, values)
        namespace.speed_given = True


def check_replay_window(args: argparse.Namespace, now_ms: int, default_replay: str | None = None) -> None:
    """Exit-2 errors for an impossible ``--start``/``--until`` (see :mod:`crashtui.replay.window`).

    ``default_replay`` is the recording a command uses without ``--replay`` (``backtest``).
    Raises :class:`UsageError` (no recording to judge against) or
    :class:`crashtui.replay.window.WindowError`.
    """
    start = getattr(args, "start", None)
    until = getattr(args, "until", None)
    if start is None and until is None:
        return
    replay = getattr(args, "replay", None) or default_replay
    if not replay:
        raise UsageError("--start and --until only work with --replay (live data has no window)")
    from crashtui.replay.locate import locate_recording
    from crashtui.replay.window import check_window, recording_range

    check_window(recording_range(locate_recording(replay)), start, until, now_ms)
    for name, value in (("start", start), ("until", until)):
        if value is not None:
            setattr(args, name, int(value))  # plain ints from here on (no text attached)
