"""Refresh timing: how long analysis and rendering took, so slow ticks are visible."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class TickStats:
    """Running figures for the refresh tick (milliseconds)."""

    ticks: int = 0
    skipped: int = 0
    last_analysis_ms: float = 0.0
    last_render_ms: float = 0.0
    max_analysis_ms: float = 0.0
    max_render_ms: float = 0.0
    total_ms: float = 0.0

    def record(self, analysis_ms: float, render_ms: float) -> None:
        """Add one tick's timings."""
        self.ticks += 1
        self.last_analysis_ms = analysis_ms
        self.last_render_ms = render_ms
        self.max_analysis_ms = max(self.max_analysis_ms, analysis_ms)
        self.max_render_ms = max(self.max_render_ms, render_ms)
        self.total_ms += analysis_ms + render_ms

    def summary(self) -> str:
        """One line for the sources screen."""
        mean = self.total_ms / self.ticks if self.ticks else 0.0
        return (
            f"UI refresh: {self.ticks} ticks ({self.skipped} idle, nothing to redraw), "
            f"mean {mean:.1f} ms, worst analysis {self.max_analysis_ms:.1f} ms, "
            f"worst render {self.max_render_ms:.1f} ms"
        )
