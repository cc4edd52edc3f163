"""Every key the dashboard answers to, in one table: Bindings, `?` help and the command palette."""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding, BindingType

HOUR_MS = 3_600_000
DAY_MS = 86_400_000


@dataclass(frozen=True, slots=True)
class Key:
    """One key: what it is called, what it does, and where help lists it."""

    keys: str
    action: str
    description: str
    id: str
    group: str
    label: str
    show: bool = True


KEYS: tuple[Key, ...] = (
    Key(
        "enter",
        "drill",
        "Open the selected symbol: candles, zones, funding, depth",
        "drill.symbol",
        "Drilldowns",
        "⏎",
    ),
    Key(
        "l",
        "drilldown('liquidations')",
        "Liquidations by venue, side, symbol; cascades",
        "drill.liquidations",
        "Drilldowns",
        "l",
    ),
    Key(
        "e",
        "drilldown('etf')",
        "ETF flows per fund and day, cumulative chart",
        "drill.etf",
        "Drilldowns",
        "e",
    ),
    Key(
        "f",
        "drilldown('fear')",
        "Fear & Greed history, crash-gauge components",
        "drill.fear",
        "Drilldowns",
        "f",
    ),
    Key(
        "m",
        "drilldown('macro')",
        "Macro and stress: claims, Nasdaq, borrow APY, spreads",
        "drill.macro",
        "Drilldowns",
        "m",
    ),
    Key(
        "s",
        "drilldown('sources')",
        "Sources: status, last error, next poll, budget",
        "drill.sources",
        "Drilldowns",
        "s",
    ),
    Key(
        "p",
        "drilldown('positions')",
        "Positions: liquidation, levels between, shocks; edit",
        "drill.positions",
        "Drilldowns",
        "p",
    ),
    Key(
        "h",
        "liqmap",
        "Estimated liquidation map: heat band and price bands",
        "drill.liqmap",
        "Drilldowns",
        "h",
    ),
    Key(
        "r",
        "drilldown('recovery')",
        "Recovery checklist: each item, since when, evidence",
        "drill.recovery",
        "Drilldowns",
        "r",
    ),
    Key(
        "exclamation_mark",
        "alerts",
        "Alert log: this session's alerts, then earlier ones",
        "alerts.log",
        "Drilldowns",
        "!",
    ),
    Key("d", "dismiss_alert", "Dismiss the alert on the alert line", "alerts.dismiss", "Alerts", "d"),
    Key(
        "z",
        "snooze_alert",
        "Snooze the alert line's rule for 15 minutes (still logged)",
        "alerts.snooze",
        "Alerts",
        "z",
    ),
    Key(
        "A",
        "alert_add",
        "Add a price alert: the selected symbol at its price (e.g. BTC below 62,000)",
        "alerts.add",
        "Alerts",
        "A",
    ),
    Key("E", "alert_edit", "Edit the selected price alert (alert screen !)", "alerts.edit", "Alerts", "E"),
    Key(
        "X",
        "alert_remove",
        "Remove the selected price alert (alert screen !)",
        "alerts.remove",
        "Alerts",
        "X",
    ),
    Key(
        "M",
        "alert_mute",
        "Mute or unmute the selected price alert (alert screen !)",
        "alerts.mute",
        "Alerts",
        "M",
    ),
    Key("question_mark", "help", "Keys and what the badges mean", "help", "General", "?"),
    Key("escape", "back", "Back (close the drilldown, or a pane shown alone)", "back", "General", "esc"),
    Key("q", "quit", "Quit (flushes the history store)", "quit", "General", "q"),
    Key("t", "next_theme", "Next theme (dark, light, ansi, high-contrast…)", "theme.next", "General", "t"),
    Key("w", "watchlists", "Switch watchlist", "watchlist.switch", "Watchlist", "w"),
    Key(
        "a",
        "add_symbol",
        "Add a symbol (an unknown one is looked up on the venues; saved, except in a replay)",
        "watchlist.add",
        "Watchlist",
        "a",
    ),
    Key(
        "x,delete",
        "remove_symbol",
        "Remove the selected symbol (saved, except in a replay)",
        "watchlist.remove",
        "Watchlist",
        "x",
    ),
    Key("up,k", "noop", "Previous symbol (in the Price table)", "table.up", "Watchlist", "↑/k", show=False),
    Key("down,j", "noop", "Next symbol (in the Price table)", "table.down", "Watchlist", "↓/j", show=False),
    Key(
        "n", "position_add", "Add a position (saved in the UI state file)", "positions.add", "Positions", "n"
    ),
    Key(
        "u",
        "position_edit",
        "Edit the selected position (positions screen)",
        "positions.edit",
        "Positions",
        "u",
    ),
    Key(
        "D",
        "position_remove",
        "Remove the selected position (positions screen; d dismisses an alert)",
        "positions.remove",
        "Positions",
        "D",
    ),
    Key(
        "1",
        "pane('price')",
        "Only the Price pane (again: all four)",
        "pane.price",
        "Layout",
        "1",
    ),
    Key(
        "2",
        "pane('liquidations')",
        "Only the Liquidations pane (again: all four)",
        "pane.liquidations",
        "Layout",
        "2",
    ),
    Key(
        "3",
        "pane('etf')",
        "Only the ETF flows pane (again: all four)",
        "pane.etf",
        "Layout",
        "3",
    ),
    Key("4", "pane('fear')", "Only the Fear pane (again: all four)", "pane.fear", "Layout", "4"),
    Key(
        "5", "pane('positions')", "Show the Positions pane (one-pane layout)", "pane.positions", "Layout", "5"
    ),
    Key("6", "pane('macro')", "Show the Macro pane (one-pane layout)", "pane.macro", "Layout", "6"),
    Key("7", "pane('recovery')", "Show the Recovery pane (one-pane layout)", "pane.recovery", "Layout", "7"),
    Key("tab", "next_pane", "Next pane (in the grid: the active one)", "pane.next", "Layout", "tab"),
    Key("space", "pause", "Replay: pause or resume", "replay.pause", "Replay", "space"),
    Key("left", f"seek({-HOUR_MS})", "Replay: back one hour", "replay.back_hour", "Replay", "←"),
    Key("right", f"seek({HOUR_MS})", "Replay: forward one hour", "replay.forward_hour", "Replay", "→"),
    Key("shift+left", f"seek({-DAY_MS})", "Replay: back one day", "replay.back_day", "Replay", "shift+←"),
    Key(
        "shift+right", f"seek({DAY_MS})", "Replay: forward one day", "replay.forward_day", "Replay", "shift+→"
    ),
    Key(
        "greater_than_sign",
        "speed(2.0)",
        "Replay: faster (next round speed, then max)",
        "replay.faster",
        "Replay",
        ">",
    ),
    Key(
        "less_than_sign",
        "speed(0.5)",
        "Replay: slower (previous round speed)",
        "replay.slower",
        "Replay",
        "<",
    ),
)

ASCII_LABELS = {"⏎": "enter", "←": "left", "→": "right", "↑/k": "up/k", "↓/j": "down/j"}


def key_label(key: Key, ascii_only: bool) -> str:
    """How help shows a key (ASCII names with ``--ascii``)."""
    if not ascii_only:
        return key.label
    label = key.label
    for glyph, name in ASCII_LABELS.items():
        label = label.replace(glyph, name)
    return label


# Keys handled by a widget or a screen rather than the app (listed in help, not bound here):
# the dashboard binds tab itself because Textual's screens bind tab to focus movement.
WIDGET_KEYS = {"table.up", "table.down", "pane.next"}


# Keys that do nothing in some layouts, and where: the Price table's cursor keys while the
# Price pane is not shown (the one-pane layout or a zoomed grid on another pane). Such keys are
# never hinted in that layout (they are not in the status bar's or the tab strip's hints).
TABLE_KEYS = frozenset({"table.up", "table.down"})


def applies(key_id: str, *, one_pane: bool, active_pane: str) -> bool:
    """Whether the key ``key_id`` does something in this layout (see :data:`TABLE_KEYS`)."""
    if key_id in TABLE_KEYS:
        return not one_pane or active_pane == "price"
    return True


def app_bindings() -> list[BindingType]:
    """The app's Bindings (ids and descriptions from :data:`KEYS`)."""
    return [
        Binding(k.keys, k.action, k.description, show=k.show, id=k.id, key_display=k.label)
        for k in KEYS
        if k.id not in WIDGET_KEYS
    ]


def palette_keys() -> list[Key]:
    """Keys worth offering in the command palette (actions, not cursor moves)."""
    return [k for k in KEYS if k.id not in ("table.up", "table.down")]
