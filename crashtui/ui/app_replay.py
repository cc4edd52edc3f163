"""Replay controls: pause, speed and seek. Seeking forward moves the running player; seeking back
asks for a new engine that starts at the target (see :mod:`crashtui.ui.app_swap`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crashtui.ui.app_base import AppCore
from crashtui.ui.app_swap import EngineRequest

if TYPE_CHECKING:
    from textual.timer import Timer

    from crashtui.engine import Engine
    from crashtui.ui.session import FeedPlan

# At max the screen repaints this often (the refresh tick's usual pace is a second): the replay
# runs as fast as the screen follows, each repaint showing everything applied since the last.
MAX_REFRESH_S = 0.1

# The speeds ``<`` and ``>`` step through (times real time); above the last one is max (None):
# as fast as the screen follows. Round steps, so the header never shows x1.31836.
SPEED_STEPS: tuple[float, ...] = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 14_400, 86_400)
MIN_SPEED = SPEED_STEPS[0]
MAX_SPEED = SPEED_STEPS[-1]


def next_speed(speed: float | None, factor: float) -> float | None:
    """The step after ``speed`` in the direction of ``factor`` (>1 faster, <1 slower).

    Faster than the last step is max (None); slower than max is the last step; slower than the
    first step stays there. A speed between steps (``--speed 7``) moves to the nearest step on
    that side.
    """
    if factor > 1:
        if speed is None:
            return None
        return next((s for s in SPEED_STEPS if s > speed), None)
    if speed is None:
        return MAX_SPEED
    return next((s for s in reversed(SPEED_STEPS) if s < speed), min(speed, MIN_SPEED))


class ReplayMixin(AppCore):
    """The replay keys (space, ``<``/``>``, arrows)."""

    plan: FeedPlan | None
    engine: Engine | None
    _speed: float | None
    _seek_target: int | None
    _switching: bool
    _max_timer: Timer | None

    if TYPE_CHECKING:

        def refresh_now(self, force: bool = False) -> None: ...  # app_refresh

        def _tick(self) -> None: ...  # app_refresh

        def _request(self, request: EngineRequest) -> None: ...  # app_swap

        def _symbols_for_engine(self) -> tuple[str, ...]: ...  # app_watchlists

    def _ensure_max_refresh(self) -> None:
        """Repaint every :data:`MAX_REFRESH_S` while the replay plays at max (stops by itself)."""
        if self._max_timer is None and self._speed is None and self.plan is not None and self.plan.replay:
            self._max_timer = self.set_interval(MAX_REFRESH_S, self._max_refresh)

    def _max_refresh(self) -> None:
        engine = self.engine
        player = engine.player if engine is not None else None
        if player is None or self._switching:
            return  # the engine is being built: wait for it
        playing = player.speed is None and not player.paused and not player.finished
        self._tick()  # one more after the end or a pause: the last state is shown at once
        if not playing and self._max_timer is not None:
            self._max_timer.stop()
            self._max_timer = None

    def _replay_engine(self) -> Engine | None:
        engine = self.engine
        if engine is None or engine.mode != "replay":
            self.say("replay keys work with --replay (try crashtui --replay feb-2026)", timeout=4)
            return None
        return engine

    def action_pause(self) -> None:
        """Pause or resume the replay."""
        engine = self._replay_engine()
        if engine is None:
            return
        if engine.player is None:
            self.say("replay is not running", timeout=3)
            return
        engine.player.toggle_pause()
        self._ensure_max_refresh()
        self.refresh_now(force=True)

    def action_speed(self, factor: float) -> None:
        """One speed step faster (``factor`` > 1) or slower; past the fastest step is max."""
        engine = self._replay_engine()
        if engine is None or engine.player is None:
            return
        speed = next_speed(engine.player.speed, factor)
        engine.player.speed = speed
        self._speed = speed
        self._ensure_max_refresh()
        self.refresh_now(force=True)

    def _bounds(self, engine: Engine) -> tuple[int, int]:
        if engine.player is not None:
            return engine.player.first_ms, engine.player.end_ms
        header = engine.header
        first = header.start_ms if header is not None and header.start_ms is not None else engine.now_ms()
        end = header.end_ms if header is not None and header.end_ms is not None else engine.now_ms()
        if self.plan is not None and self.plan.until_ms is not None:
            end = min(end, self.plan.until_ms)
        return first, end

    def action_seek(self, delta_ms: int) -> None:
        """Move the replay clock (forward in place; backward by rebuilding off the loop)."""
        engine = self._replay_engine()
        if engine is None:
            return
        first, end = self._bounds(engine)
        player = engine.player
        # The player's clock, not the state's: catching up to a later start, the state trails
        # the data applied so far while the player already stands at the start asked for.
        now = player.clock_ms if player is not None else engine.now_ms()
        base = self._seek_target if self._seek_target is not None else now
        target = max(first, min(end, base + delta_ms))
        if target > base and self._seek_target is None and player is not None:
            player.seek(target - base)
            self._ensure_max_refresh()
            self.refresh_now(force=True)
            return
        if target == base or self.plan is None:
            return
        self._seek_target = target
        self._request(EngineRequest(self._symbols_for_engine(), target, "seeking"))
        self._ensure_max_refresh()
