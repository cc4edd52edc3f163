"""The symbol chart's short timeframes (5m, 15m), fetched only while the chart shows them.

Nobody polls 5m or 15m candles: for every watchlist symbol they would double the candle
requests of a cycle (BENCHMARKS.md, "requests/cycle candles"). When the symbol chart switches
to one, :class:`OnDemandCandles` asks the engine (its feed's client, rate budgets and recorder,
the one ingest pipeline and gate) for that symbol's full history once, then for the recent tail
every :data:`REFRESH_S` while the chart stays on it. Another timeframe or symbol, or leaving the
screen, stops it. A replay answers "not in this recording" (a live session's fetches are
recorded, so a recording made with a 5m chart open does hold them).

What the chart says comes from here: ``5m candles: loading`` until the first answer, the reason
when there are none (``5m candles: not in this recording``), and a note in the title when it
shows older candles (from the store) and a live fetch or refresh failed. Reasons are plain text,
never markup. Only the screen that asked can stop it (:meth:`OnDemandCandles.release`): a
symbol screen closing after the next one opened leaves the new chart's fetch running.
"""

from __future__ import annotations

import asyncio
import contextlib
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from crashtui.model import ON_DEMAND_INTERVALS, Interval
from crashtui.textsafe import ERROR_LINE, plain

if TYPE_CHECKING:
    from crashtui.engine import Engine

# How often the open chart's candles are asked again: a few times per 5m candle, so the forming
# candle moves; one request of weight 2 every 30 s is 0.01% of Binance's 6000/min.
REFRESH_S = {Interval.M5: 30.0, Interval.M15: 60.0}
LOADING = "loading"
TAIL_COVERS = 4  # candles a refresh's tail surely covers (Binance's tail is 5 rows)


class Job(Protocol):
    """What starting the refresh loop returns: something that can be cancelled (a Textual
    worker, an asyncio task)."""

    def cancel(self) -> object:
        """Stop the loop."""
        ...


Spawn = Callable[[Coroutine[Any, Any, None]], Job]


@dataclass(frozen=True, slots=True)
class FetchState:
    """The last answer for the chart's symbol and interval: ``why`` is None after a success;
    ``live``: it came from a feed that fetches (a replay's answer is final)."""

    why: str | None
    ever_ok: bool
    live: bool = False


class OnDemandCandles:
    """Fetches the candles of the one chart that shows a short timeframe.

    ``engine`` returns the current engine (it changes on a watchlist swap), ``spawn`` starts the
    refresh loop (the app runs it as a worker), ``on_change`` repaints after an answer.
    """

    def __init__(
        self,
        engine: Callable[[], Engine | None],
        spawn: Spawn,
        on_change: Callable[[], None],
        refresh_s: dict[Interval, float] | None = None,
    ) -> None:
        self._engine = engine
        self._spawn = spawn
        self._on_change = on_change
        self._refresh_s = refresh_s if refresh_s is not None else REFRESH_S
        self._target: tuple[str, Interval] | None = None
        self._owner: object = None
        self._job: Job | None = None
        self._state: FetchState | None = None
        self._wake = asyncio.Event()

    @property
    def target(self) -> tuple[str, Interval] | None:
        """The symbol and interval being fetched, or None."""
        return self._target

    def want(self, symbol: str | None, interval: Interval | None, owner: object = None) -> None:
        """The chart of ``owner`` (a screen) now shows ``symbol`` at ``interval`` (None: no
        chart): start fetching when that is a short timeframe, stop fetching anything else."""
        wanted = (symbol, interval) if symbol and interval in ON_DEMAND_INTERVALS else None
        if wanted == self._target:
            self._owner = owner
            return
        self.stop()
        if wanted is None:
            return
        self._target, self._owner = wanted, owner
        self._state = FetchState(LOADING, ever_ok=False)
        self._wake = asyncio.Event()
        self._job = self._spawn(self._run(*wanted))

    def stop(self) -> None:
        """Stop fetching."""
        job, self._job = self._job, None
        self._target = self._owner = None
        self._state = None
        if job is not None:
            job.cancel()

    def release(self, owner: object) -> None:
        """``owner``'s screen closed: stop, unless another screen's chart took over since."""
        if self._owner is owner:
            self.stop()

    def poke(self) -> None:
        """Ask again now instead of at the next refresh (a new engine was swapped in)."""
        self._wake.set()

    def missing(self, symbol: str, interval: Interval) -> str | None:
        """What the chart says while it has no candles of ``interval``: ``5m candles: loading``
        or why there are none; None when nothing is being fetched for it."""
        state = self._state_for(symbol, interval)
        if state is None or state.why is None:
            return None
        return f"{interval.value} candles: {state.why}"

    def note(self, symbol: str, interval: Interval) -> str | None:
        """For the title while the chart has candles (e.g. from the store): ``5m candles:
        loading``, a failed refresh, a live fetch that failed; None otherwise (a replay's
        "not in this recording" under candles the recording does hold)."""
        state = self._state_for(symbol, interval)
        if state is None or state.why is None:
            return None
        if state.why == LOADING:
            return f"{interval.value} candles: loading"
        if state.ever_ok:
            return f"{interval.value} refresh failed: {state.why}"
        return f"{interval.value} fetch failed: {state.why}" if state.live else None

    def _state_for(self, symbol: str, interval: Interval) -> FetchState | None:
        return self._state if self._target == (symbol, interval) else None

    async def _run(self, symbol: str, interval: Interval) -> None:
        """Fetch in full, then the tail every refresh, until cancelled."""
        target = (symbol, interval)
        loop = asyncio.get_running_loop()
        has_history: weakref.ref[Engine] | None = None  # the engine that got the full history
        last_ok_s = 0.0
        while self._target == target:
            self._wake.clear()  # before the fetch: a poke while it runs asks again at once
            engine = self._engine()
            if engine is not None:
                # the full history again for a new engine, or after failures longer than the
                # tail a refresh asks for covers (the chart would keep a gap)
                gap = loop.time() - last_ok_s > TAIL_COVERS * interval.ms / 1000
                backfill = has_history is None or has_history() is not engine or gap
                why = await self._ask(engine, symbol, interval, backfill)
                if self._target != target:
                    return
                if why is None:
                    has_history, last_ok_s = weakref.ref(engine), loop.time()
                ever_ok = why is None or (self._state is not None and self._state.ever_ok)
                self._state = FetchState(why, ever_ok, live=engine.mode == "live")
                self._on_change()
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._refresh_s[interval])

    @staticmethod
    async def _ask(engine: Engine, symbol: str, interval: Interval, backfill: bool) -> str | None:
        try:
            why = await engine.fetch_candles(symbol, interval, backfill=backfill)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a feed stopping under the fetch must not end the refresh
            why = f"{type(exc).__name__}: {exc}"
        return None if why is None else plain(why, ERROR_LINE)
