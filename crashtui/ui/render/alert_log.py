"""The alert log screen's text: alerts newest first, each with time, severity, rule, symbol, message.

An alert whose line does not fit the width gets its message on the lines below, indented and
word-wrapped, so every message can be read in full at 80 columns.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_clock, fmt_day
from crashtui.ui.render.common import fit, lines, wrap_plain

if TYPE_CHECKING:
    from collections.abc import Mapping

    from crashtui.alerts import Alert
    from crashtui.config.alerts_schema import AlertsConfig
    from crashtui.config.user_alerts import UserAlert
    from crashtui.ui.palette import Palette

RULE_WIDTH = 22
SYMBOL_WIDTH = 5
INDENT = "    "


def severity_style(severity: str, palette: Palette) -> str:
    """Colour of a severity word."""
    return {"critical": f"bold {palette.error}", "warning": palette.warning}.get(severity, palette.muted)


def alert_rows(alert: Alert, palette: Palette, width: int) -> list[Text]:
    """One alert: ``02-06 01:01Z WARNING  rule  SYM  message`` (message below when it does not fit)."""
    head = Text.assemble(
        (f"{fmt_day(alert.at_ms)} {fmt_clock(alert.at_ms)} ", ""),
        (f"{alert.severity.upper():<8} ", severity_style(alert.severity, palette)),
        (fit(plain(alert.rule, 60), RULE_WIDTH).plain + " ", "bold"),
        (f"{plain(alert.symbol or '', 10):<{SYMBOL_WIDTH}} ", palette.primary),
    )
    message = plain(alert.message, 400)
    if head.cell_len + len(message) <= width:
        head.append(message)
        return [head]
    body = textwrap.wrap(message, max(20, width - len(INDENT))) or [""]
    head.rstrip()
    return [fit(head, width), *(Text(INDENT + line) for line in body)]


def alert_list(alerts: Sequence[Alert], palette: Palette, width: int, empty: str) -> Text:
    """Every alert in ``alerts`` (already newest first), or ``empty`` in the muted colour."""
    if not alerts:
        return Text(empty, style=palette.muted)
    rows: list[Text] = []
    for alert in alerts:
        rows.extend(alert_rows(alert, palette, width))
    return lines(rows)


def rules_line(config: AlertsConfig, palette: Palette, width: int, toast_state: str) -> Text:
    """The rules in force and where alerts go, wrapped to ``width``."""
    names = [plain(rule.name, 60) for rule in config.rules if rule.enabled]
    rules = ", ".join(names) if names else "none (add [[alerts.rules]] to the config)"
    where = [toast_state, f"bell {'on' if config.bell else 'off'}", f"desktop {config.desktop}"]
    if config.command:
        where.append(f"command {plain(config.command[0], 60)}")
    text = f"Rules: {rules}. Delivery: {', '.join(where)}."
    return lines(wrap_plain(text, width, palette.muted))


def user_alert_rows(
    alerts: Sequence[UserAlert],
    last_fired: Mapping[str, int],
    selected: int,
    palette: Palette,
    width: int,
    *,
    error: str | None = None,
    marker: str = ">",
) -> Text:
    """The user's price alerts: ``> #3  BTC below 62,000  active  warning  last fired 02-06 01:01Z``.

    ``error``: why the file could not be read (the alerts shown are the last good ones).
    """
    rows: list[Text] = []
    if error is not None:
        rows.extend(wrap_plain(error, width, style=palette.error, limit=400))
    if not alerts:
        rows.append(Text("no price alerts yet: A adds one (e.g. BTC below 62,000)", style=palette.muted))
        return lines(rows)
    for index, alert in enumerate(alerts):
        fired = last_fired.get(alert.rule_name)
        when = f"last fired {fmt_day(fired)} {fmt_clock(fired)}" if fired is not None else "not fired yet"
        state = ("muted", palette.muted) if alert.muted else ("active", palette.up)
        mark = marker if index == selected else " "
        row = Text.assemble(
            (f"{mark} ", "bold"),
            (f"{'#' + str(alert.id):>4}  ", "bold"),
            (f"{plain(alert.phrase, 40):<24} ", palette.muted if alert.muted else ""),
            (f"{state[0]:<7}", state[1]),
            (f"{alert.severity:<8} ", severity_style(alert.severity, palette)),
            (when, palette.muted),
        )
        if index == selected:
            row.stylize("reverse")
        rows.append(fit(row, width))
    return lines(rows)
