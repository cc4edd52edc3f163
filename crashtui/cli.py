"""Command-line entry point: one argparse tree for every mode of crashtui."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import NoReturn

from crashtui import __version__
from crashtui.commands.args import UsageError
from crashtui.config import ConfigError, LoadedConfig, load_config

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

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
    from crashtui.timeparse import parse_instant, parse_speed

    default = None if main else argparse.SUPPRESS
    parser.add_argument(
        "--replay",
        metavar="NAME|PATH",
        default=default,
        help="replay a recording instead of live data (bundled: feb-2026)",
    )
    parser.add_argument(
        "--speed",
        type=parse_speed,
        default=default,
        metavar="N|max",
        help="replay speed: N times real time, or max (default: 60 in the dashboard, max headless)",
    )
    parser.add_argument(
        "--start",
        type=parse_instant,
        default=default,
        metavar="ISO",
        help="replay: start showing at this UTC time",
    )
    parser.add_argument(
        "--until", type=parse_instant, default=default, metavar="ISO", help="replay: stop at this UTC time"
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
)


def build_parser() -> argparse.ArgumentParser:
    """The full argparse tree."""
    parser = OneLineParser(
        prog="crashtui",
        description="Terminal monitor for crypto sell-offs: price vs support zones, "
        "liquidations, ETF flows and fear, live or replayed.",
    )
    parser.add_argument("--version", action="version", version=f"crashtui {__version__}")
    _common(parser, main=True)
    parser.add_argument(
        "--check-config", action="store_true", help="validate the config, print a summary and exit"
    )
    _replay_options(parser, main=True)
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
    if SUBCOMMAND_MODULES:
        import importlib

        subparsers = parser.add_subparsers(title="commands", metavar="COMMAND", parser_class=OneLineParser)
        for module_name in SUBCOMMAND_MODULES:
            importlib.import_module(module_name).register(subparsers, _common)
    return parser


def _check_config(loaded: LoadedConfig) -> int:
    from crashtui.config.summary import summarize

    print(summarize(loaded))
    return EXIT_OK


def run(argv: Sequence[str] | None = None) -> int:
    """Parse ``argv`` and run the chosen mode; raises on unexpected errors."""
    parser = build_parser()
    args = parser.parse_args(argv)
    loaded = load_config(args.config)
    for warning in loaded.warnings:
        print(f"crashtui: {warning}", file=sys.stderr)
    if args.watchlist:
        from crashtui.config.parse import check_watchlist_name

        check_watchlist_name(loaded.config, args.watchlist, str(loaded.path or "(defaults)"))
    if args.check_config:
        return _check_config(loaded)
    command: Command | None = args.command
    if command is not None:
        return command(args, loaded)
    if args.once:
        from crashtui.headless.once import run_once

        return run_once(args, loaded)
    if args.json:
        raise UsageError("--json only works with --once")
    from crashtui.ui.run import run_dashboard

    return run_dashboard(args, loaded)


def _input_errors() -> tuple[type[Exception], ...]:
    """Errors that mean bad user input (a missing or unreadable recording), not a bug."""
    from crashtui.replay.locate import RecordingNotFound
    from crashtui.replay.recording import RecordingError

    return (RecordingNotFound, RecordingError)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: turns known errors into one line on stderr and an exit code."""
    try:
        return run(argv)
    except ConfigError as exc:
        print(f"crashtui: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except UsageError as exc:
        print(f"crashtui: error: {exc} (see crashtui --help)", file=sys.stderr)
        return EXIT_USAGE
    except _input_errors() as exc:
        print(f"crashtui: error: {exc}", file=sys.stderr)
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
