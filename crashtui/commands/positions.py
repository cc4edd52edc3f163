"""``crashtui positions import [--json]``: read the open positions from the exchanges (read-only).

Credentials come from environment variables only (:mod:`crashtui.exchanges.keys`); ccxt (the
``exchanges`` extra) is imported only when some are set. One line per position found, with our
liquidation estimate and the exchange's own figure; one line per venue that failed, naming the
venue and never a credential. Exit 0 when every venue with credentials answered (positions or
none), 3 when one could not be read (or ccxt is missing, or a venue's variables are half set).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crashtui.config import LoadedConfig
    from crashtui.exchanges.fetch import ImportResult

EXIT_OK, EXIT_FAILED = 0, 3


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``positions`` subcommand."""
    parser = subparsers.add_parser(
        "positions",
        help="read your open positions from the exchanges (read-only; keys from the environment)",
        description="Read the open positions from every exchange whose credentials are set in the "
        "environment (CRASHTUI_BINANCE_API_KEY/_API_SECRET, the same for BYBIT and OKX with "
        "CRASHTUI_OKX_API_PASSPHRASE, CRASHTUI_HYPERLIQUID_WALLET). Needs crashtui[exchanges].",
    )
    common(parser)
    actions = parser.add_subparsers(dest="positions_action", metavar="ACTION", required=True)
    imp = actions.add_parser("import", help="print the open positions found (nothing is saved)")
    imp.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Import and print; the exit code says whether every venue with credentials answered."""
    from crashtui.clock import SYSTEM_CLOCK
    from crashtui.exchanges.fetch import import_positions
    from crashtui.exchanges.keys import ENV_VARS, credentials_from_env

    creds = credentials_from_env(os.environ)
    as_json = bool(getattr(args, "json", False))
    if not creds:
        names = ", ".join(n for names in ENV_VARS.values() for n in names.values())
        message = f"no exchange credentials in the environment (set any of {names})"
        if as_json:
            print(json.dumps({"positions": [], "skipped": [], "errors": [], "note": message}))
        else:
            print(f"crashtui: {message}", file=sys.stderr)
        return EXIT_OK
    result = import_positions(creds, SYSTEM_CLOCK.now_ms)
    return _report(result, as_json)


def _report(result: ImportResult, as_json: bool) -> int:
    from crashtui.exchanges.report import import_json, import_lines

    for error in result.errors:
        print(f"crashtui: {error}", file=sys.stderr)
    if as_json:
        print(json.dumps(import_json(result), indent=2))
    else:
        for line in import_lines(result):
            print(line)
    failed = result.failed or bool(result.incomplete)
    return EXIT_FAILED if failed else EXIT_OK
