"""Frames per minute over a rolling window, for stream status lines."""

from __future__ import annotations

from collections import deque


class FrameRate:
    """Counts events in one-second buckets and reports the rate over the last ``window_s`` seconds."""

    def __init__(self, window_s: int = 60) -> None:
        if window_s < 1:
            raise ValueError("window_s must be at least 1")
        self._window_s = window_s
        self._buckets: deque[list[int]] = deque()  # [epoch second, count], oldest first

    def add(self, now_ms: int, count: int = 1) -> None:
        """Record ``count`` events at ``now_ms``."""
        second = now_ms // 1000
        if self._buckets and self._buckets[-1][0] == second:
            self._buckets[-1][1] += count
        else:
            self._buckets.append([second, count])
            self._trim(second)

    def per_minute(self, now_ms: int) -> float:
        """Events in the window ending at ``now_ms``, scaled to a per-minute rate."""
        self._trim(now_ms // 1000)
        total = sum(count for _, count in self._buckets)
        return total * 60.0 / self._window_s

    def _trim(self, second: int) -> None:
        oldest = second - self._window_s
        while self._buckets and self._buckets[0][0] <= oldest:
            self._buckets.popleft()
