"""Positions at runtime: the config's ``[[positions]]``, or the list entered in the app.

Positions typed into the app are validated exactly like the config (the same
:func:`~crashtui.config.positions.position_from_table`, so the same one-line messages) and
saved in the UI state file (never in the config). Once the app's list has been edited it
wins over ``[[positions]]``; ``reset`` goes back to the config's list.

Positions imported from exchanges (:mod:`crashtui.exchanges`) come after the user's own and
are replaced as a whole by each import; they are never saved. One the user also has in their
own list (same venue, symbol and side) is not listed twice: the user's entry wins, since it
is what they chose to enter. Editing an imported position saves the edited copy as the user's
own (which then wins); an imported position cannot be removed here (close it on the exchange).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace as dataclass_replace
from types import MappingProxyType

from crashtui.config.positions import KEYS, parse_positions, position_from_table
from crashtui.config.reader import ConfigError, Table
from crashtui.risk.position import Position
from crashtui.textsafe import plain
from crashtui.timeparse import iso_utc

MAX_POSITIONS = 50
FORM_KEYS = ("symbol", "side", "size", "size_usd", "entry", "leverage", "margin", "venue", "wallet_usd")
NUMBER_KEYS = frozenset({"size", "size_usd", "entry", "leverage", "wallet_usd"})
SOURCE = "the app"  # how a form's error names its "file"

PositionTable = Mapping[str, object]


class PositionError(Exception):
    """A position edit that cannot be made; ``str()`` is one line for the user."""


def position_table(p: Position) -> dict[str, object]:
    """A position as the table it would be in the config (what the state file keeps)."""
    out: dict[str, object] = {"symbol": p.symbol, "side": p.side.value}
    if p.size is not None:
        out["size"] = p.size
    if p.size_usd is not None:
        out["size_usd"] = p.size_usd
    out.update({"entry": p.entry, "leverage": p.leverage, "margin": p.margin.value, "venue": p.venue.value})
    if p.wallet_usd is not None:
        out["wallet_usd"] = p.wallet_usd
    if p.opened_ms is not None:
        out["opened"] = iso_utc(p.opened_ms)
    return out


def form_fields(p: Position | None) -> dict[str, str]:
    """The form's text fields for ``p`` (blank for a new position)."""
    if p is None:
        return {"side": "long", "margin": "isolated", "venue": "binance"}
    table = position_table(p)
    return {
        k: _number_text(v) if isinstance(v, float) else str(v) for k, v in table.items() if k in FORM_KEYS
    }


def _number_text(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 and float(f"{value:g}") == value else repr(value)


def position_from_fields(fields: Mapping[str, str], path: str = "position") -> Position:
    """A position from the form's text fields, validated like a ``[[positions]]`` table.

    Blank fields are absent; numbers are parsed here (``1,250.5`` and ``1_250.5`` are read as
    1250.5); text is upper-cased for the symbol and lower-cased for the choices. Raises
    :class:`PositionError` with the config's one-line message (``position.leverage: …``).
    """
    data: dict[str, object] = {}
    for key, raw in fields.items():
        text = plain(raw, 40).strip()
        if not text or key not in KEYS:
            continue
        if key in NUMBER_KEYS:
            cleaned = text.replace(",", "").replace("_", "")
            try:
                data[key] = float(cleaned)
            except ValueError:
                raise PositionError(f"{path}.{key}: expected a number, got {text!r}") from None
        elif key == "symbol":
            data[key] = text.upper()
        elif key == "opened":
            data[key] = text
        else:
            data[key] = text.lower()
    return _validated(data, path)


def _validated(data: Mapping[str, object], path: str) -> Position:
    try:
        return position_from_table(Table(data, path, SOURCE))
    except ConfigError as exc:
        message = str(exc).removeprefix(f"{SOURCE}: ")
        raise PositionError(message) from None


def _unstamped(p: Position) -> Position:
    return dataclass_replace(p, imported_ms=0) if p.imported_ms is not None else p


def position_key(p: Position) -> tuple[str, str, str]:
    """What makes two positions the same position: (venue, symbol, side)."""
    return (p.venue.value, p.symbol, p.side.value)


class PositionBook:
    """The positions the dashboard evaluates, with their runtime edits and imports.

    ``saved`` is the state file's list (None: never edited in the app). Saved tables that no
    longer validate are dropped with a warning in :attr:`warnings`, never a crash.
    """

    def __init__(
        self,
        configured: tuple[Position, ...] = (),
        saved: tuple[PositionTable, ...] | None = None,
        *,
        save: Callable[[tuple[PositionTable, ...]], None] | None = None,
    ) -> None:
        self._configured = configured
        self._save = save
        self._imported: tuple[Position, ...] = ()
        self._shown: tuple[Position, ...] = configured
        self.warnings: list[str] = []
        self.edited = saved is not None
        if saved is None:
            self._positions = configured
        else:
            kept: list[Position] = []
            for i, table in enumerate(saved):
                try:
                    kept.append(_validated(table, f"positions[{i}]"))
                except PositionError as exc:
                    self.warnings.append(f"saved position dropped: {exc}")
            self._positions = tuple(kept)
            if configured and self._positions != configured:
                self.warnings.append(
                    f"positions: the {len(self._positions)} edited in the app (UI state file) are used, "
                    f"not the {len(configured)} [[positions]] of the config"
                )
        self._merge()

    @property
    def positions(self) -> tuple[Position, ...]:
        """The positions in effect: the user's own in the order entered, then the imported
        ones that the user's list does not already hold."""
        return self._shown

    @property
    def own(self) -> tuple[Position, ...]:
        """The user's own positions (config or app)."""
        return self._positions

    @property
    def imported(self) -> tuple[Position, ...]:
        """The last import's positions, the shadowed ones included."""
        return self._imported

    @property
    def shadowed(self) -> tuple[Position, ...]:
        """Imported positions not listed because the user's list has the same one."""
        keys = {position_key(p) for p in self._positions}
        return tuple(p for p in self._imported if position_key(p) in keys)

    def set_imported(self, positions: tuple[Position, ...]) -> bool:
        """Replace the imported positions (never saved); whether the list in effect changed
        (a new read time alone is no change).

        A position the last import had too, with the same size and entry, keeps its first
        read time as ``opened_ms``: it has been open since then, so the price path from then
        on is what could have liquidated it.
        """
        before = tuple(_unstamped(p) for p in self._shown)
        previous = {position_key(p): p for p in self._imported}
        kept: list[Position] = []
        for p in positions:
            if not p.imported:
                continue
            old = previous.get(position_key(p))
            if old is not None and old.qty == p.qty and old.entry == p.entry and old.opened_ms is not None:
                p = dataclass_replace(p, opened_ms=old.opened_ms)
            kept.append(p)
        self._imported = tuple(kept)
        self._merge()
        return tuple(_unstamped(p) for p in self._shown) != before

    def _merge(self) -> None:
        keys = {position_key(p) for p in self._positions}
        self._shown = self._positions + tuple(p for p in self._imported if position_key(p) not in keys)

    def add(self, position: Position, *, now_ms: int | None = None) -> int:
        """Append ``position``; returns its index.

        A position without an opening time is taken as opened at ``now_ms`` (the feed's clock:
        the replay clock in a replay), so only the price from then on can have liquidated it.
        """
        if len(self._positions) >= MAX_POSITIONS:
            raise PositionError(f"already {MAX_POSITIONS} positions")
        if position.opened_ms is None and now_ms is not None:
            position = dataclass_replace(position, opened_ms=now_ms)
        self._set((*self._positions, position))
        return len(self._positions) - 1

    def replace(self, index: int, position: Position) -> int:
        """Put ``position`` in place of the one at ``index``; returns its new index.

        For an imported position the edited copy becomes one of the user's own (saved); the
        imported one stays shadowed behind it while the exchange still reports it.
        """
        self._check(index)
        original = self._shown[index]
        if position.opened_ms is None:
            # the form has no opening time: keep the one it had (when added in the app, or
            # read from an exchange), or older lows could "liquidate" the edited position
            position = dataclass_replace(position, opened_ms=original.opened_ms)
        if index >= len(self._positions):
            if len(self._positions) >= MAX_POSITIONS:
                raise PositionError(f"already {MAX_POSITIONS} positions")
            self._set((*self._positions, position))
            return len(self._positions) - 1
        items = list(self._positions)
        items[index] = position
        self._set(tuple(items))
        return index

    def remove(self, index: int) -> Position:
        """Remove and return the position at ``index`` (not an imported one)."""
        self._check(index)
        if index >= len(self._positions):
            target = self._shown[index]
            raise PositionError(
                f"{describe(target)} is imported from {target.venue.value}: close it on the exchange "
                "and the next import drops it (edit it to keep your own copy)"
            )
        gone = self._positions[index]
        self._set(tuple(p for i, p in enumerate(self._positions) if i != index))
        return gone

    def reset(self) -> tuple[Position, ...]:
        """Back to the config's ``[[positions]]``."""
        self._set(self._configured)
        return self._positions

    def _check(self, index: int) -> None:
        if not 0 <= index < len(self._shown):
            raise PositionError(f"no position number {index + 1}")

    def _set(self, positions: tuple[Position, ...]) -> None:
        # the same check as the config: cross positions of one venue share one wallet
        tables = tuple(MappingProxyType(position_table(p)) for p in positions)
        try:
            parse_positions([Table(t, f"positions[{i}]", SOURCE) for i, t in enumerate(tables)])
        except ConfigError as exc:
            raise PositionError(str(exc).removeprefix(f"{SOURCE}: ")) from None
        self._positions = positions
        self.edited = True
        self._merge()
        if self._save is not None:
            self._save(tables)


def describe(p: Position) -> str:
    """``BTC long 0.5 @ 62,000 10x`` (for toasts and confirmations), ``… (imported from okx)``."""
    size = f"{p.size:g}" if p.size is not None else f"US${p.size_usd:,.0f}"
    text = f"{p.symbol} {p.side.value} {size} @ {p.entry:,.2f} {p.leverage:g}x"
    return f"{text} (imported from {p.venue.value})" if p.imported else text
