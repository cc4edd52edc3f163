"""The symbol chart's on-demand candles (5m, 15m): one fetcher for the app, its refresh loop run
as a Textual worker on the event loop (the fetch itself is the feed's async HTTP)."""

from __future__ import annotations

from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

from crashtui.ui.app_base import AppCore
from crashtui.ui.ondemand import Job, OnDemandCandles

if TYPE_CHECKING:
    from crashtui.engine import Engine


class ChartCandlesMixin(AppCore):
    """Owns :class:`~crashtui.ui.ondemand.OnDemandCandles`; the symbol screen tells it what
    its chart shows."""

    engine: Engine | None
    chart_candles: OnDemandCandles

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

    def _init_chart_candles(self) -> None:
        self.chart_candles = OnDemandCandles(
            lambda: self.engine, self._spawn_chart_fetch, self._chart_candles_changed
        )

    def _spawn_chart_fetch(self, job: Coroutine[Any, Any, None]) -> Job:
        return self.run_worker(job, name="crashtui-chart-candles", group="chart-candles", exit_on_error=False)

    def _chart_candles_changed(self) -> None:
        """An answer came (candles, or why not): repaint though the state may not have changed."""
        if not self._shutting_down():
            self.refresh_now(force=True)
