"""The user's price alerts in the app: add (``A``), edit (``E``), remove (``X``), mute (``M``),
and their live reload into the running alert rules.

The alerts live in ``user-alerts.json`` beside the config (:mod:`crashtui.config.user_alerts`),
the same file ``crashtui alerts`` edits. Every change made here is written at once and handed to
the running alert manager: unchanged rules keep their trigger state and cooldowns. The file is
also looked at every :data:`~crashtui.config.alerts_reload.POLL_S` seconds (one ``stat``), so an
alert added by ``crashtui alerts add`` in another terminal is picked up while the app runs. In a
replay the user's alerts apply to the replay too.

A write that fails (read-only directory, full disk) changes nothing: the prompt stays open with
the text as typed and the problem under it, or an error notice says what was not saved. An
invalid file is reported once, and the alerts last read stay in force.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import TYPE_CHECKING

from crashtui.config.schema import Config
from crashtui.config.user_alerts import UserAlert, user_alerts_path
from crashtui.numfmt import fmt_price
from crashtui.ui.app_base import AppCore
from crashtui.ui.glyphs import Glyphs

if TYPE_CHECKING:
    from crashtui.config.alerts_reload import UserRulesWatch
    from crashtui.config.alerts_schema import AlertsConfig
    from crashtui.engine import Engine
    from crashtui.ui.alerting import DashboardAlerts


class UserAlertsMixin(AppCore):
    """Price alerts set from the keyboard and the palette; reloads their file."""

    config_data: Config
    engine: Engine | None
    alerts: DashboardAlerts | None
    glyphs: Glyphs
    _user_rules: UserRulesWatch | None

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

        def action_alerts(self) -> None: ...  # app_routing

    def _init_user_alerts(self) -> None:
        self._user_rules = None

    @property
    def user_rules(self) -> UserRulesWatch:
        """The config's alerts plus the file's, made when first wanted (after the first paint)."""
        if self._user_rules is None:
            from crashtui.config.alerts_reload import UserRulesWatch

            self._user_rules = UserRulesWatch(self.config_data.alerts, user_alerts_path())
        return self._user_rules

    def _start_user_alerts(self) -> None:
        """Read the file now (after the first paint) and then every few seconds."""
        from crashtui.config.alerts_reload import POLL_S

        self.poll_user_alerts()
        self.set_interval(POLL_S, self.poll_user_alerts)

    def poll_user_alerts(self, force: bool = False) -> None:
        """Pick up a change to the file (made here or by ``crashtui alerts``); an invalid file is
        said once, in one line, and the alerts in use stay."""
        found = self.user_rules.poll(force=force)
        if found.error is not None:
            self.say(found.error, severity="warning", timeout=12)
        if found.config is not None:
            self._use_alert_rules(found.config)
        if found.config is not None or found.error is not None:
            self._refresh_alert_screen()

    def _use_alert_rules(self, config: AlertsConfig) -> None:
        self.config_data = replace(
            self.config_data, alerts=replace(self.config_data.alerts, rules=config.rules)
        )
        if self.alerts is not None:
            self.alerts.set_config(config)

    def _refresh_alert_screen(self, select: int | None = None) -> None:
        from crashtui.ui.screens.alerts import AlertLogScreen

        for screen in self.screen_stack:
            if isinstance(screen, AlertLogScreen):
                if select is not None:
                    screen.select(select)
                elif screen.is_mounted:
                    screen.refresh_from_last()

    def _saved(self) -> tuple[UserAlert, ...]:
        return tuple(self.user_rules.alerts or ())

    def _known_symbols(self) -> list[str]:
        from crashtui.config.symbols import table_from_config

        return list(table_from_config(self.config_data).known())

    def _now_ms(self) -> int:
        import time

        return int(time.time() * 1000)

    def _changed(self, select: int | None = None) -> None:
        """The file was written here: use it at once (not at the next poll)."""
        self.poll_user_alerts(force=True)
        if select is not None:
            self._refresh_alert_screen(select)

    # -- add ----------------------------------------------------------------------------------

    def _focus_symbol(self) -> str | None:
        """The symbol the trader is looking at: the symbol screen's, else the Price table's row."""
        from crashtui.ui.screens.alerts import AlertLogScreen

        symbol = getattr(self.screen, "symbol", None)  # the symbol screen and the liquidation map
        if isinstance(symbol, str):
            return symbol
        if isinstance(self.screen, AlertLogScreen):
            saved = self._saved()
            if saved:
                return saved[min(self.screen.selected, len(saved) - 1)].symbol
        dashboard = self._dashboard()
        return dashboard.selected_symbol if dashboard is not None else None

    def _shown_price(self, symbol: str) -> float | None:
        """The price the price pane shows for ``symbol`` (:func:`current_price`: a current
        ticker, else the newer of the latest close and an old ticker), never a stale ticker's
        quote when a newer close exists; None without a price."""
        from crashtui.analysis.price import current_price

        engine = self.engine
        if engine is None:
            return None
        read = current_price(engine.state.snapshot(), symbol)
        return read.price if read is not None and read.price > 0 else None

    def alert_prefill(self) -> str:
        """``BTC below 62,000``: the symbol in view at its current price (on the chart: at the
        cursor candle's close), ready to edit."""
        at_cursor = getattr(self.screen, "alert_phrase", None)
        phrase = at_cursor() if callable(at_cursor) else None
        if isinstance(phrase, str):
            return phrase
        symbol = self._focus_symbol()
        if symbol is None:
            return ""
        shown = self._shown_price(symbol)
        if shown is None:
            return f"{symbol} below "
        return f"{symbol} below {fmt_price(shown)}"

    def action_alert_add(self) -> None:
        """Ask for a price alert (``BTC below 62,000``), prefilled with the symbol in view."""
        from crashtui.ui.screens.prompt import PromptScreen

        added: list[UserAlert] = []

        def check(text: str) -> str | None:
            from crashtui.config.user_alerts import add_alert

            try:
                added.append(
                    add_alert(
                        text,
                        known_symbols=self._known_symbols(),
                        now_ms=self._now_ms(),
                        path=self.user_rules.path,
                    )
                )
            except Exception as exc:  # a bad phrase, a bad file, a failed write: said in the prompt
                return self._problem(exc)
            return None

        def done(text: str | None) -> None:
            if not added:
                return
            alert = added[0]
            self.say(f"added price alert #{alert.id} {alert.phrase}{self._already(alert)}", timeout=5)
            self._changed(select=len(self._saved()) - 1)

        self.push_screen(
            PromptScreen(
                "Add a price alert: SYMBOL below|above|crosses PRICE",
                "e.g. BTC below 62,000",
                value=self.alert_prefill(),
                max_length=60,
                check=check,
            ),
            done,
        )

    def _already(self, alert: UserAlert) -> str:
        """A note when price is already beyond the level (it fires on the next cross)."""
        price = self._shown_price(alert.symbol)
        if price is None:
            return ""
        if alert.direction == "down" and price < alert.level:
            return f" (already below: fires when it crosses down through {fmt_price(alert.level)} again)"
        if alert.direction == "up" and price > alert.level:
            return f" (already above: fires when it crosses up through {fmt_price(alert.level)} again)"
        return ""

    def _problem(self, exc: Exception) -> str:
        if isinstance(exc, OSError):
            return f"not saved: cannot write {self.user_rules.path}: {exc.strerror or exc}"
        if isinstance(exc, KeyError):
            return "that alert is gone (removed in another terminal?)"
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__

    # -- the selected alert -------------------------------------------------------------------

    def _selected_alert(self) -> int | None:
        """The index of the alert to act on: the alert screen's selection; with one alert, that
        one; with several, open the alert screen to choose."""
        from crashtui.ui.screens.alerts import AlertLogScreen

        saved = self._saved()
        screen = self.screen
        if isinstance(screen, AlertLogScreen) and saved:
            return min(screen.selected, len(saved) - 1)
        if not saved:
            self.say("no price alerts yet: press A to add one", severity="warning", timeout=3)
            return None
        if len(saved) == 1:
            return 0
        self.action_alerts()
        self.say("select a price alert, then u to edit, D to remove or M to mute", timeout=4)
        return None

    def action_alert_edit(self) -> None:
        """Edit the selected price alert (prefilled with its phrase)."""
        from crashtui.ui.screens.prompt import PromptScreen

        index = self._selected_alert()
        if index is None:
            return
        target = self._saved()[index]
        saved_as: list[UserAlert] = []

        def check(text: str) -> str | None:
            from crashtui.config.user_alerts import edit_alert

            try:
                saved_as.append(
                    edit_alert(
                        target.id, text, known_symbols=self._known_symbols(), path=self.user_rules.path
                    )
                )
            except Exception as exc:  # said in the prompt; the text stays
                return self._problem(exc)
            return None

        def done(text: str | None) -> None:
            if saved_as:
                self.say(f"saved price alert #{target.id}: {saved_as[0].phrase}", timeout=4)
                self._changed(select=index)

        self.push_screen(
            PromptScreen(
                f"Edit price alert #{target.id}",
                "e.g. BTC below 62,000",
                value=target.phrase,
                max_length=60,
                check=check,
            ),
            done,
        )

    def action_alert_remove(self) -> None:
        """Remove the selected price alert (after a y/n confirmation)."""
        from crashtui.ui.screens.position_form import ConfirmScreen

        index = self._selected_alert()
        if index is None:
            return
        target = self._saved()[index]
        self.push_screen(
            ConfirmScreen(f"Remove price alert #{target.id} {target.phrase}?"),
            partial(self._remove, target, index),
        )

    def _remove(self, target: UserAlert, index: int, confirmed: bool | None) -> None:
        from crashtui.config.user_alerts import change_alert

        if not confirmed:
            return
        try:
            change_alert(target.id, remove=True, path=self.user_rules.path)
        except Exception as exc:  # nothing was removed: say why
            self.say(
                f"price alert #{target.id} not removed: {self._problem(exc)}", severity="error", timeout=10
            )
            return
        self.say(f"removed price alert #{target.id} {target.phrase} (A adds it again)", timeout=5)
        self._changed(select=max(0, index - 1))

    def action_alert_mute(self) -> None:
        """Mute the selected price alert (kept, not evaluated), or unmute it."""
        from crashtui.config.user_alerts import change_alert

        index = self._selected_alert()
        if index is None:
            return
        target = self._saved()[index]
        try:
            change_alert(target.id, muted=not target.muted, path=self.user_rules.path)
        except Exception as exc:  # nothing changed: say why
            self.say(
                f"price alert #{target.id} unchanged: {self._problem(exc)}", severity="error", timeout=10
            )
            return
        verb = "unmuted" if target.muted else "muted"
        self.say(f"{verb} price alert #{target.id} {target.phrase}", timeout=4)
        self._changed(select=index)
