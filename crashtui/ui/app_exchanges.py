"""Positions imported from exchanges in the live dashboard (the ``exchanges`` extra).

With exchange credentials in the environment (:mod:`crashtui.exchanges.keys`), the open
positions are read once the first frame is on screen and every :data:`IMPORT_EVERY_S`
seconds after, in a worker thread (ccxt is blocking and is imported there, never on the event
loop and never without credentials). A replay shows no imported positions and reads none.
They join the position book (:class:`~crashtui.ui.positions.PositionBook`) after the user's
own and are never saved. A venue that fails keeps its last imported positions and says why
once (scrubbed of every credential); nothing else in the app is affected.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from crashtui.ui.app_base import AppCore

if TYPE_CHECKING:
    from crashtui.engine import Engine
    from crashtui.exchanges.fetch import ImportResult
    from crashtui.exchanges.keys import EnvCredentials
    from crashtui.risk.position import Position
    from crashtui.ui.positions import PositionBook
    from crashtui.ui.session import FeedPlan

IMPORT_EVERY_S = 180.0
REPLAY_WHY = "a replay shows only your own positions"


class ExchangesMixin(AppCore):
    """Reads the exchanges' open positions into the position book, off the event loop."""

    engine: Engine | None
    plan: FeedPlan | None
    position_book: PositionBook
    _stopped: bool
    _exchange_environ: Mapping[str, str]
    _exchange_creds_read: EnvCredentials | None
    _import_busy: bool
    _import_said: tuple[str, ...]
    _import_status: str
    _import_timer_started: bool

    if TYPE_CHECKING:

        def _imports_changed(self) -> None: ...  # app_radar

    def _init_exchanges(self, environ: Mapping[str, str] | None = None) -> None:
        self._exchange_environ = os.environ if environ is None else environ
        self._exchange_creds_read = None
        self._import_busy = False
        self._import_said = ()
        self._import_status = ""
        self._import_timer_started = False

    def _exchange_creds(self) -> EnvCredentials:
        """The exchange credentials in the environment, read when first wanted (after the first
        paint: the imports start then)."""
        if self._exchange_creds_read is None:
            from crashtui.exchanges.keys import credentials_from_env

            self._exchange_creds_read = credentials_from_env(self._exchange_environ)
        return self._exchange_creds_read

    @property
    def import_status(self) -> str:
        """One line about the last import for the positions drilldown ("" without credentials)."""
        return self._import_status

    def _in_replay(self) -> bool:
        if self.engine is not None:
            return self.engine.mode == "replay"
        return self.plan is not None and self.plan.replay

    def _start_exchange_imports(self) -> None:
        """After the first paint: the first import now, then every few minutes."""
        if not self._exchange_creds() or self._import_timer_started:
            return
        self._import_timer_started = True
        self.import_positions_now()
        self.set_interval(IMPORT_EVERY_S, self.import_positions_now)

    def import_positions_now(self) -> None:
        """Start an import in a worker thread unless one is running (live data only)."""
        if self._stopped or self._import_busy or not self._exchange_creds():
            return
        if self._in_replay():
            self._drop_imported(REPLAY_WHY)
            return
        self._import_busy = True
        self.run_worker(self._import_job(), name="crashtui-positions-import", group="exchanges")

    def _imports_follow_engine(self) -> None:
        """After a swap to another engine: a replay drops the imported positions at once, going
        live imports at once (not at the next timer tick)."""
        if not self._exchange_creds() or not self._import_timer_started:
            return
        if self._in_replay():
            self._drop_imported(REPLAY_WHY)
        else:
            self.import_positions_now()

    def _drop_imported(self, why: str) -> None:
        if self.position_book.set_imported(()):
            self._imports_changed()
        self._import_status = f"exchange positions not imported: {why}"

    async def _import_job(self) -> None:
        from crashtui.clock import SYSTEM_CLOCK
        from crashtui.exchanges.fetch import import_positions

        try:
            result = await asyncio.to_thread(import_positions, self._exchange_creds(), SYSTEM_CLOCK.now_ms)
        except Exception as exc:  # a bug here must not take the dashboard down; no text: it may hold a key
            result = None
            self._say_once((f"positions import failed ({type(exc).__name__})",))
        finally:
            self._import_busy = False
        if result is None or self._stopped:
            return
        if self._in_replay():
            self._drop_imported(REPLAY_WHY)
            return
        self._apply_import(result)

    def _apply_import(self, result: ImportResult) -> None:
        """Put ``result`` in the book: failed venues keep their last positions."""
        from crashtui.timeparse import iso_utc

        failed = {v.venue for v in result.venues if v.error is not None} | set(result.missing_ccxt)
        kept: tuple[Position, ...] = tuple(p for p in self.position_book.imported if p.venue in failed)
        if self.position_book.set_imported(result.positions + kept):
            self._imports_changed()
        self._say_once(result.errors)
        parts = [f"{v.venue.value} {len(v.positions)}" for v in result.venues if v.error is None]
        shadowed = len(self.position_book.shadowed)
        status = "imported"
        if result.fetched_ms is not None:
            status += f" {iso_utc(result.fetched_ms)[11:16]} UTC"
        status += ": " + (", ".join(parts) if parts else "nothing")
        if shadowed:
            status += f" ({shadowed} also in your own list: yours shown)"
        if result.errors:
            status += " · " + "; ".join(result.errors)
        self._import_status = status

    def _say_once(self, lines: tuple[str, ...]) -> None:
        """Toast the error lines when they differ from the last ones shown."""
        if lines and lines != self._import_said:
            for line in lines:
                self.say(line, severity="error", timeout=10)
        self._import_said = lines
