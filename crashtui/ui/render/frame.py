"""The view model one refresh renders from: a snapshot, its analysis and how to draw them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the analysis is not needed to paint the first frame
    from crashtui.analysis.market import MarketAnalysis
    from crashtui.analysis.radar import Radar
    from crashtui.model import Snapshot
    from crashtui.ui.glyphs import Glyphs
    from crashtui.ui.palette import Palette


@dataclass(frozen=True, slots=True)
class ReplayInfo:
    """What the REPLAY badge shows."""

    label: str
    scenario: bool
    note: str
    clock_ms: int
    speed: float | None
    paused: bool
    finished: bool
    busy: str = ""  # e.g. "seeking" while a new engine catches up
    bad_lines: int = 0  # malformed recording lines skipped
    market_data: bool = True  # the recording holds market-strip payloads (else no strip)
    symbols: frozenset[str] = frozenset()  # the recording's watchlist (empty: not stated)


@dataclass(frozen=True, slots=True)
class Frame:
    """Everything a renderer may look at. ``now_ms`` is the replay clock in replay."""

    now_ms: int
    snapshot: Snapshot
    analysis: MarketAnalysis
    palette: Palette
    glyphs: Glyphs
    watchlist: str
    replay: ReplayInfo | None = None
    selected: str | None = None
    feed_error: str | None = None
    poll_s: float = 10.0
    alerts: int = 0  # alerts shown this session (the status bar's ``! 3 alerts``)
    feed: str = "direct"  # Engine.feed_label: "direct", "via collector", "via collector (redis)"
    # Built by the refresh timer: charts may redraw a loop turn later instead of in this one.
    deferred_charts: bool = False
    # The latest radar (derivatives, liquidation map, checklist, positions), computed off the
    # event loop every few seconds: None until the first one is ready. ``radar.generated_ms``
    # says what moment it describes.
    radar: Radar | None = None
    positions: int = 0  # positions in effect (the radar may not have evaluated them yet)
    imports: str = ""  # the last exchange import, one line ("" without exchange credentials)

    @property
    def live(self) -> bool:
        """Whether this frame shows live data."""
        return self.replay is None
