"""What the symbol chart shows: timeframe, visible window, scale, cursor and overlays (pure).

The window is counted in candles back from the newest one: with ``offset`` 0 the newest
candle is in view and each new candle moves the window on; scrolled back, the window keeps its
distance from the newest. The cursor is counted the same way (0 = the newest candle) and always
lies inside the window: moving it past an edge scrolls.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from crashtui.model import Interval

# Overlays the chart can draw, each toggled by its own key on the symbol screen.
MA = "ma200"
ZONES = "zones"
LIQ = "liq"
POSITIONS = "positions"
OVERLAYS = (MA, ZONES, LIQ, POSITIONS)
OVERLAY_NAMES = {
    MA: "200-day average",
    ZONES: "zones",
    LIQ: "estimated liquidation bands",
    POSITIONS: "positions",
}

# Candles shown before any zoom: the spans the chart always had (3 days of 1h, 20 of 4h, ...),
# and half a day of 5m, a day of 15m.
DEFAULT_CANDLES = {Interval.M5: 144, Interval.M15: 96, Interval.H1: 72, Interval.H4: 120, Interval.D1: 240}
MIN_CANDLES = 12
ZOOM_STEP = 1.5


def default_candles(interval: Interval) -> int:
    """How many candles a fresh chart of ``interval`` shows."""
    return DEFAULT_CANDLES.get(interval, 144)


@dataclass(frozen=True, slots=True)
class ChartState:
    """One chart's view. ``zoom`` is the number of candles in view (0: the default for the
    interval); ``offset`` the candles hidden right of the window; ``cursor`` the cursor's
    candle counted back from the newest."""

    interval: Interval = Interval.H1
    zoom: int = 0
    offset: int = 0
    cursor: int = 0
    log: bool = False
    candles: bool = True
    volume: bool = True
    overlays: frozenset[str] = frozenset(OVERLAYS)

    def count(self, n: int) -> int:
        """Candles in view when ``n`` are available (at least one when any are)."""
        want = self.zoom or default_candles(self.interval)
        return max(0, min(n, want))

    def window(self, n: int) -> tuple[int, int]:
        """``(start, end)`` slice indexes into ``n`` candles (oldest first) of the view."""
        count = self.count(n)
        offset = max(0, min(self.offset, n - count))
        end = n - offset
        return end - count, end

    def cursor_index(self, n: int) -> int | None:
        """Index (oldest first) of the cursor's candle among ``n``, clamped into the window."""
        if n == 0:
            return None
        start, end = self.window(n)
        return max(start, min(end - 1, n - 1 - self.cursor))

    def with_interval(self, interval: Interval) -> ChartState:
        """Another timeframe: window and cursor back to the newest candles."""
        return replace(self, interval=interval, zoom=0, offset=0, cursor=0)

    def zoomed(self, zoom_in: bool, n: int) -> ChartState:
        """Fewer (``zoom_in``) or more candles in view, keeping the cursor's candle in view."""
        count = self.count(n) or default_candles(self.interval)
        new = round(count / ZOOM_STEP) if zoom_in else round(count * ZOOM_STEP)
        new = max(MIN_CANDLES, new)
        if n:
            new = min(new, max(n, MIN_CANDLES))
        return replace(self, zoom=new).clamped(n)

    def scrolled(self, step: int, n: int) -> ChartState:
        """Scroll by ``step`` windows' quarters: negative toward older candles."""
        count = self.count(n)
        if count == 0:
            return self
        shift = max(1, count // 4) * (-step)
        offset = max(0, min(n - count, self.offset + shift))
        moved = replace(self, offset=offset)
        start, end = moved.window(n)
        cursor = max(n - end, min(n - 1 - start, self.cursor))  # keep it inside the window
        return replace(moved, cursor=cursor)

    def cursor_moved(self, step: int, n: int) -> ChartState:
        """Move the cursor ``step`` candles (negative: older); past an edge the window follows."""
        if n == 0:
            return self
        cursor = max(0, min(n - 1, self.cursor - step))
        count = self.count(n)
        offset = min(self.offset, cursor)  # newer than the window: scroll right
        offset = max(offset, cursor - count + 1)  # older than the window: scroll left
        return replace(self, cursor=cursor, offset=max(0, min(offset, n - count)))

    def clamped(self, n: int) -> ChartState:
        """Offset and cursor brought inside ``n`` candles (the cursor into the window)."""
        if n == 0:
            return replace(self, offset=0, cursor=0)
        count = self.count(n)
        offset = max(0, min(self.offset, n - count))
        cursor = max(0, min(n - 1, self.cursor))
        offset = min(offset, cursor)
        offset = max(offset, cursor - count + 1)
        return replace(self, offset=offset, cursor=cursor)

    def reset(self) -> ChartState:
        """The default window at the newest candle (scale and overlays kept)."""
        return replace(self, zoom=0, offset=0, cursor=0)

    def toggled(self, overlay: str) -> ChartState:
        """``overlay`` switched on or off."""
        if overlay not in OVERLAYS:
            raise ValueError(f"unknown overlay {overlay!r}")
        return replace(self, overlays=self.overlays ^ {overlay})

    def shows(self, overlay: str) -> bool:
        """Whether ``overlay`` is drawn."""
        return overlay in self.overlays
