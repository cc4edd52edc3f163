"""``crashtui alerts``: list, add, remove, mute and unmute the price alerts kept beside the config.

The same file the dashboard edits (see :mod:`crashtui.config.user_alerts`); ``crashtui watch``
and the dashboard evaluate these alerts with the config's rules, and pick up a change made here
within 2 seconds while they run (see :mod:`crashtui.config.alerts_reload`).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crashtui.config import LoadedConfig
    from crashtui.config.user_alerts import UserAlert

EXIT_OK, EXIT_USAGE = 0, 2


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``alerts`` subcommand and its actions."""
    parser = subparsers.add_parser(
        "alerts",
        help="list, add, remove, mute price alerts (e.g. alerts add 'BTC below 62000')",
        description="Price alerts kept in <data dir>/user-alerts.json, evaluated by the dashboard and "
        "`crashtui watch` with the config's rules.",
    )
    common(parser)
    actions = parser.add_subparsers(dest="alerts_action", metavar="ACTION", required=True)
    listing = actions.add_parser("list", help="list the alerts")
    listing.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    add = actions.add_parser("add", help="add an alert: SYMBOL below|above|crosses PRICE")
    add.add_argument("phrase", nargs="+", metavar="PHRASE", help="e.g. BTC below 62000, ETH crosses 1,826")
    add.add_argument("--severity", choices=("info", "warning", "critical"), default="warning")
    add.add_argument(
        "--cooldown", type=float, default=600.0, metavar="S", help="seconds between firings (600)"
    )
    for action, text in (
        ("remove", "remove an alert"),
        ("mute", "keep but do not fire"),
        ("unmute", "fire again"),
    ):
        sub = actions.add_parser(action, help=text)
        sub.add_argument("id", metavar="ID", help="the alert's number, as `alerts list` shows it (3 or #3)")
    parser.set_defaults(command=run)


def _as_json(alert: UserAlert) -> dict[str, object]:
    return {
        "id": alert.id,
        "phrase": alert.phrase,
        "symbol": alert.symbol,
        "direction": alert.direction,
        "level": alert.level,
        "muted": alert.muted,
        "severity": alert.severity,
        "cooldown_s": alert.cooldown_s,
        "created_ms": alert.created_ms,
        "rule": alert.rule_name,
    }


def format_alerts(alerts: Sequence[UserAlert], config_rules: int) -> str:
    """The ``alerts list`` table."""
    if not alerts:
        lines = ["no price alerts set; add one with: crashtui alerts add 'BTC below 62000'"]
    else:
        lines = [f"{'ID':>4}  {'ALERT':<28} {'STATE':<6} {'SEVERITY':<8} COOLDOWN"]
        for a in alerts:
            state = "muted" if a.muted else "active"
            lines.append(
                f"{'#' + str(a.id):>4}  {a.phrase:<28} {state:<6} {a.severity:<8} {a.cooldown_s:g} s"
            )
    lines.append(f"plus {config_rules} rule(s) from the config (crashtui --check-config lists them)")
    return "\n".join(lines)


def _parse_id(text: str) -> int | None:
    digits = text.strip().removeprefix("#")
    return int(digits) if digits.isdigit() else None


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Run one ``alerts`` action."""
    from crashtui.config.reader import ConfigError
    from crashtui.config.symbols import table_from_config
    from crashtui.config.user_alerts import add_alert, change_alert, load_user_alerts, user_alerts_path

    path = user_alerts_path()
    action: str = args.alerts_action
    try:
        if action == "list":
            alerts = load_user_alerts(path)
            if getattr(args, "json", False):
                print(json.dumps([_as_json(a) for a in alerts], indent=1))
            else:
                user = {a.rule_name for a in alerts}
                config_rules = sum(1 for r in loaded.config.alerts.rules if r.name not in user)
                print(format_alerts(alerts, config_rules))
            return EXIT_OK
        if action == "add":
            alert = add_alert(
                " ".join(args.phrase),
                known_symbols=table_from_config(loaded.config).known(),
                now_ms=int(time.time() * 1000),
                severity=args.severity,
                cooldown_s=args.cooldown,
                path=path,
            )
            verb = {"down": "crosses below", "up": "crosses above", "any": "crosses"}[alert.direction]
            level = alert.phrase.rsplit(" ", 1)[-1]
            print(
                f"added #{alert.id} {alert.phrase}: fires when {alert.symbol} {verb} {level}; "
                "a running dashboard or `crashtui watch` uses it within 2 s"
            )
            if not any(alert.symbol in wl.symbols for wl in loaded.config.watchlists):
                # alerts read the watchlist's prices: off every watchlist, it could never fire
                print(
                    f"crashtui: note: {alert.symbol} is on no watchlist; add it to one (a key in the "
                    "dashboard, or [watchlists] in the config) or this alert never fires",
                    file=sys.stderr,
                )
            return EXIT_OK
        alert_id = _parse_id(args.id)
        if alert_id is None:
            print(
                f"crashtui: error: expected an alert number like 3 or #3, got {args.id[:20]!r}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        changed = change_alert(
            alert_id, remove=action == "remove", muted={"mute": True, "unmute": False}.get(action), path=path
        )
        done = {"remove": "removed", "mute": "muted", "unmute": "unmuted"}[action]
        print(f"{done} #{changed.id} {changed.phrase}")
        return EXIT_OK
    except KeyError:
        print(
            f"crashtui: error: no alert #{args.id.lstrip('#')} (crashtui alerts list shows them)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    except (ValueError, ConfigError) as exc:
        print(f"crashtui: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        if action == "list":
            raise  # a closed stdout pipe: the CLI's own handling
        print(f"crashtui: error: cannot write {path}: {exc.strerror}", file=sys.stderr)
        return 1
