"""Command-line entry point: one argparse tree for every mode of crashtui."""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from crashtui import __version__
from crashtui.commands.args import FEED_METAVAR, SpeedAction, UsageError, instant_arg, parse_feed
from crashtui.config import ConfigError, LoadedConfig, load_config
from crashtui.config.loader import with_saved_alerts

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
LIST = "list"  # --replay list: the bundled scenarios

Command = Callable[[argparse.Namespace, LoadedConfig], int]


class OneLineParser(argparse.ArgumentParser):
    """ArgumentParser whose usage errors are one line on stderr and exit 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``crashtui: error: ...`` and exit 2 (no usage dump)."""
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _common(parser: argparse.ArgumentParser, *, main: bool = False) -> None:
    """Options every command takes. Subcommands must not reset what the main parser set."""
    default = None if main else argparse.SUPPRESS
    parser.add_argument(
        "--config",
        metavar="PATH",
        default=default,
        help="config file (default: $CRASHTUI_CONFIG, then the user config dir, then built-ins)",
    )
    parser.add_argument(
        "--watchlist",
        metavar="NAME",
        default=default,
        help="watchlist to show (default: the one marked default)",
    )


def _replay_options(parser: argparse.ArgumentParser, *, main: bool = False) -> None:
    """--replay and its pacing/window options (dashboard, --once, watch)."""
    from crashtui.timeparse import parse_speed

    default = None if main else argparse.SUPPRESS
    parser.add_argument(
        "--replay",
        metavar="NAME|PATH|list",
        default=default,
        help="replay a recording instead of live data (bundled: aug-2024, feb-2026, oct-2025; "
        "list: show them)",
    )
    parser.add_argument(
        "--speed",
        type=parse_speed,
        action=SpeedAction,
        default=default,
        metavar="N|max",
        help="replay speed: N times real time, or max: as fast as the screen follows "
        "(default: 60 in the dashboard, max headless)",
    )
    parser.add_argument(
        "--start",
        type=instant_arg,
        default=default,
        metavar="ISO",
        help="replay: start showing at this UTC time (default: a bundled scenario's telling moment)",
    )
    parser.add_argument(
        "--until", type=instant_arg, default=default, metavar="ISO", help="replay: stop at this UTC time"
    )


# Modules that add a subcommand: each has ``register(subparsers, common)`` that adds its
# parser and sets ``command=`` to a function taking (args, loaded) and returning an exit
# code. Keep these modules light: import heavy things inside the command function.
SUBCOMMAND_MODULES: tuple[str, ...] = (
    "crashtui.commands.sources",
    "crashtui.commands.record",
    "crashtui.commands.collect",
    "crashtui.commands.watch",
    "crashtui.commands.backtest",
    "crashtui.commands.alerts",
    "crashtui.commands.symbols",
    "crashtui.commands.positions",
)


class _NeedsFullTree(Exception):
    """The main parser's options alone cannot judge these arguments."""


class _MainOnlyParser(OneLineParser):
    """The main parser without the commands' parsers: a usage error means "ask the full tree"."""

    def error(self, message: str) -> NoReturn:
        """Hand over to the full tree, which judges (and words) every mistake."""
        raise _NeedsFullTree(message)


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The full argparse tree; with ``commands=False``, the main parser alone and without ``-h``
    (whose help lists the commands), for :func:`parse_arguments`."""
    parser = (OneLineParser if commands else _MainOnlyParser)(
        prog="crashtui",
        description="Terminal monitor for crypto sell-offs: price vs support zones, "
        "liquidations, ETF flows and fear, live or replayed.",
        add_help=commands,
    )
    parser.add_argument("--version", action="version", version=f"crashtui {__version__}")
    _common(parser, main=True)
    parser.add_argument(
        "--check-config", action="store_true", help="validate the config, print a summary and exit"
    )
    _replay_options(parser, main=True)
    parser.add_argument(
        "--feed",
        type=parse_feed,
        metavar=FEED_METAVAR,
        help="live data from: store (this machine's collector), a collector's redis:// URL, or "
        "direct (the providers); default: [feed] redis_url, else a running collector, else direct",
    )
    parser.add_argument("--once", action="store_true", help="print one snapshot and exit (for scripts)")
    parser.add_argument("--json", action="store_true", help="with --once: print JSON (schema in docs/)")
    parser.add_argument(
        "--deadline",
        type=float,
        default=20.0,
        metavar="S",
        help="with --once on live data: print what is known after S seconds (default 20)",
    )
    parser.add_argument(
        "--pane",
        choices=("price", "liquidations", "etf", "fear", "positions", "macro", "recovery"),
        help="show a single pane at any size (for tmux splits)",
    )
    parser.add_argument("--theme", metavar="NAME", help="theme for this run (overrides [ui] theme)")
    parser.add_argument("--ascii", action="store_true", help="avoid braille and box-drawing glyphs")
    parser.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    parser.add_argument("--no-store", action="store_true", help="do not read or write the history store")
    parser.set_defaults(command=None)
    if commands and SUBCOMMAND_MODULES:
        import importlib

        subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=OneLineParser)
        for module_name in SUBCOMMAND_MODULES:
            importlib.import_module(module_name).register(subparsers, _common)
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` parsed as :func:`build_parser`'s tree parses it.

    Arguments that are all main options (the dashboard, ``--once``) are read by the main parser
    alone: building the commands' parsers cost ~8 ms of the dashboard's start. Anything the main
    parser leaves over or refuses (a command, ``-h``, a mistake) goes to the full tree, so the
    result and every message are the full tree's. The two agree on the rest because no main option
    takes a variable number of values: the tokens the main parser consumes are consumed the same
    way in the full tree, leaving its optional command unset.
    """
    tokens = list(sys.argv[1:] if argv is None else argv)
    try:
        args, extra = build_parser(commands=False).parse_known_args(tokens)
    except _NeedsFullTree:
        extra = tokens
    if not extra:
        return args
    return build_parser().parse_args(tokens)


def _check_config(loaded: LoadedConfig) -> int:
    from crashtui.commands.checkconfig import check_config

    return check_config(loaded)


def _list_scenarios() -> int:
    from crashtui.replay.catalog import bundled_catalog, format_catalog

    print("\n".join(format_catalog(bundled_catalog())))
    return EXIT_OK


def _check_arguments(args: argparse.Namespace) -> None:
    """Combinations argparse cannot judge: ``--feed`` in replay, ``--speed`` live, an impossible
    replay window."""
    from crashtui.clock import SYSTEM_CLOCK
    from crashtui.commands.args import check_replay_window

    if getattr(args, "replay", None) and getattr(args, "feed", None):
        raise UsageError("--feed chooses where live data comes from; it does not work with --replay")
    if getattr(args, "speed_given", False) and not getattr(args, "replay", None):
        raise UsageError("--speed paces a replay; it only works with --replay")
    if getattr(args, "all", False):
        return  # backtest --all: every bundled scenario; it refuses a window itself
    check_replay_window(args, SYSTEM_CLOCK.now_ms(), getattr(args, "default_replay", None))


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen mode; raises on unexpected errors."""
    args = parse_arguments(argv)
    if getattr(args, "replay", None) == LIST:
        return _list_scenarios()
    # --check-config and `alerts` refuse an invalid alerts file; the dashboard and watch warn, run on
    strict = bool(args.check_config) or getattr(args, "alerts_action", None) is not None
    loaded = with_saved_alerts(load_config(args.config), strict=strict)
    for warning in loaded.warnings:
        print(f"crashtui: {warning}", file=sys.stderr)
    if args.watchlist:
        from crashtui.config.parse import check_watchlist_name

        check_watchlist_name(loaded.config, args.watchlist, str(loaded.path or "(defaults)"))
    if args.check_config:
        return _check_config(loaded)
    _check_arguments(args)
    command: Command | None = args.command
    if command is not None:
        gc.enable()
        return command(args, loaded)
    if args.once:
        from crashtui.headless.once import run_once

        gc.enable()
        return run_once(args, loaded)
    if args.json:
        raise UsageError("--json only works with --once")
    from crashtui.ui.run import run_dashboard

    # The collector stays paused until the dashboard's first paint (CrashApp._after_first_paint).
    return run_dashboard(args, loaded)


def _input_errors() -> tuple[type[Exception], ...]:
    """Errors that mean bad user input (a missing or unreadable recording), not a bug."""
    from crashtui.replay.header import RecordingError
    from crashtui.replay.locate import RecordingNotFound
    from crashtui.replay.window import WindowError

    return (RecordingNotFound, RecordingError, WindowError)


def _say(line: str) -> None:
    """One error line on stderr; a name or value quoted from a file or the command line may
    hold escape sequences, and none reaches the terminal."""
    from crashtui.textsafe import plain

    print(f"crashtui: {plain(line)}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: turns known errors into one line on stderr and an exit code.

    The cyclic garbage collector is paused while the command starts: start-up builds tens of
    thousands of long-lived objects (modules, classes, the config, the dashboard's widgets) and
    collecting them over and over cost ~8% of the dashboard's first paint, with next to no
    garbage to find. Commands resume it before their work; the dashboard after its first paint.
    """
    gc.disable()
    try:
        return run(argv)
    except ConfigError as exc:
        _say(f"config error: {exc}")
        return EXIT_USAGE
    except UsageError as exc:
        _say(f"error: {exc} (see crashtui --help)")
        return EXIT_USAGE
    except _input_errors() as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (`crashtui --once | head`): not an error worth a message.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: one line unless asked for the traceback
        if os.environ.get("CRASHTUI_DEBUG"):
            raise
        print(
            f"crashtui: internal error: {type(exc).__name__}: {exc} (set CRASHTUI_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
    finally:
        gc.enable()
