"""The symbol chart's on-demand candles (5m, 15m): one fetcher for the app, its refresh loop run
as a Textual worker on the event loop (the fetch itself is the feed's async HTTP)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from crashtui.ui.app_base import AppCore

if TYPE_CHECKING:
    from crashtui.engine import Engine
    from crashtui.ui.ondemand import Job, OnDemandCandles


class ChartCandlesMixin(AppCore):
    """Owns :class:`~crashtui.ui.ondemand.OnDemandCandles`; the symbol screen tells it what
    its chart shows."""

    engine: Engine | None
    _chart_candles: OnDemandCandles | None

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

    def _init_chart_candles(self) -> None:
        self._chart_candles = None

    @property
    def chart_candles(self) -> OnDemandCandles:
        """The fetcher, made when first asked for: its module (and the model it reads) need not
        load before the dashboard's first paint."""
        if self._chart_candles is None:
            from crashtui.ui.ondemand import OnDemandCandles

            self._chart_candles = OnDemandCandles(
                lambda: self.engine, self._spawn_chart_fetch, self._chart_candles_changed
            )
        return self._chart_candles

    def _spawn_chart_fetch(self, job: Coroutine[Any, Any, None]) -> Job:
        return self.run_worker(job, name="crashtui-chart-candles", group="chart-candles", exit_on_error=False)

    def _chart_candles_changed(self) -> None:
        """An answer came (candles, or why not): repaint though the state may not have changed."""
        if not self._shutting_down():
            self.refresh_now(force=True)
