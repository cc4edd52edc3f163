"""Command-line entry point: one argparse tree for every mode of crashtui."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence

from crashtui import __version__
from crashtui.config import ConfigError, LoadedConfig, load_config

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2

Command = Callable[[argparse.Namespace, LoadedConfig], int]


def _common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="PATH",
        help="config file (default: $CRASHTUI_CONFIG, then the user config dir, then built-ins)",
    )
    parser.add_argument(
        "--watchlist", metavar="NAME", help="watchlist to show (default: the one marked default)"
    )


# Modules that add a subcommand: each has ``register(subparsers, common)`` that adds its
# parser and sets ``command=`` to a function taking (args, loaded) and returning an exit
# code. Keep these modules light: import heavy things inside the command function.
SUBCOMMAND_MODULES: tuple[str, ...] = ()


def build_parser() -> argparse.ArgumentParser:
    """The full argparse tree."""
    parser = argparse.ArgumentParser(
        prog="crashtui",
        description="Terminal monitor for crypto sell-offs: price vs support zones, "
        "liquidations, ETF flows and fear, live or replayed.",
    )
    parser.add_argument("--version", action="version", version=f"crashtui {__version__}")
    _common(parser)
    parser.add_argument(
        "--check-config", action="store_true", help="validate the config, print a summary and exit"
    )
    parser.set_defaults(command=None)
    if SUBCOMMAND_MODULES:
        import importlib

        subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
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
    print("crashtui: the dashboard is not available in this build yet; try --check-config", file=sys.stderr)
    return EXIT_FAILURE


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: turns known errors into one line on stderr and an exit code."""
    try:
        return run(argv)
    except ConfigError as exc:
        print(f"crashtui: config error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: one line unless asked for the traceback
        if os.environ.get("CRASHTUI_DEBUG"):
            raise
        print(
            f"crashtui: internal error: {type(exc).__name__}: {exc} (set CRASHTUI_DEBUG=1 for details)",
            file=sys.stderr,
        )
        return EXIT_FAILURE
