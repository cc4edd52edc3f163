"""Levels pinned at the chart cursor: per symbol, saved in the UI state file, merged into the
engine's pinned zones (so zone alerts with ``zones = "pinned"`` watch them, live and replay)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

MAX_PINS = 20  # per symbol: a chart stays readable, the zone finder stays cheap

Pins = Mapping[str, tuple[float, ...]]


class PinBook:
    """The pinned levels, per symbol; ``save`` is called with every change (None: not saved)."""

    def __init__(self, saved: Pins | None = None, save: Callable[[Pins], None] | None = None) -> None:
        self._pins: dict[str, tuple[float, ...]] = {
            sym: tuple(sorted(levels)) for sym, levels in (saved or {}).items() if levels
        }
        self._save = save
        self.save_error: str | None = None
        self.on_change: Callable[[], None] | None = None  # the app hands the pins to its engine

    @property
    def pins(self) -> Pins:
        """Every symbol's pins (read-only)."""
        return MappingProxyType(dict(self._pins))

    def of(self, symbol: str) -> tuple[float, ...]:
        """The levels pinned for ``symbol``, lowest first."""
        return self._pins.get(symbol, ())

    def toggle(
        self, symbol: str, level: float, near: tuple[float, float] | None = None
    ) -> tuple[bool, float]:
        """Unpin the pin inside ``near`` (a candle's low..high) or equal to ``level``, else pin
        ``level``. Returns ``(pinned, the level pinned or unpinned)``; raises ValueError for a
        level that is not a positive price or past :data:`MAX_PINS`."""
        if not level > 0 or level != level or level == float("inf"):
            raise ValueError(f"cannot pin {level!r}: expected a positive price")
        current = self.of(symbol)
        low, high = near if near is not None else (level, level)
        hits = [p for p in current if low <= p <= high or p == level]
        if hits:
            gone = min(hits, key=lambda p: abs(p - level))
            self._set(symbol, tuple(p for p in current if p != gone))
            return False, gone
        if len(current) >= MAX_PINS:
            raise ValueError(f"{symbol} already has {MAX_PINS} pins: unpin one first")
        self._set(symbol, tuple(sorted((*current, level))))
        return True, level

    def _set(self, symbol: str, levels: tuple[float, ...]) -> None:
        if levels:
            self._pins[symbol] = levels
        else:
            self._pins.pop(symbol, None)
        if self._save is not None:
            try:
                self._save(self.pins)
                self.save_error = None
            except OSError as exc:
                self.save_error = f"pins not saved: {exc.strerror or exc}"
        if self.on_change is not None:
            self.on_change()
