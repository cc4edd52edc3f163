"""The UI state file: watchlist edits, the last watchlist, the symbol mappings found by looking a
symbol up from the watchlist editor, the positions entered in the app and the levels pinned on
the chart, kept apart from the user's config.

``<user data dir>/ui-state.json``. The config file is never rewritten; edits made at runtime
overlay the configured watchlists by name. A missing or unreadable state file means "no edits"
(with a warning for a broken one); writes are atomic (temp file + rename).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from crashtui.config.saved_pins import STATE_FILE, parse_pins
from crashtui.paths import user_data_dir, write_atomic

VERSION = 1


@dataclass(frozen=True, slots=True)
class UiState:
    """What the dashboard remembers between runs."""

    active_watchlist: str | None = None
    watchlists: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # Position tables as entered in the app (validated by crashtui.ui.positions when read);
    # None: never edited in the app, the config's [[positions]] apply.
    positions: tuple[Mapping[str, object], ...] | None = None
    # Levels pinned at the chart cursor, per symbol (crashtui.ui.pins).
    pins: Mapping[str, tuple[float, ...]] = field(default_factory=lambda: MappingProxyType({}))
    # Symbols added from the watchlist editor after a venue lookup: symbol -> symbol-table key ->
    # instrument name, the same shape as the config's [symbols.NAME] tables (which win).
    symbols: Mapping[str, Mapping[str, str]] = field(default_factory=lambda: MappingProxyType({}))


def state_path() -> Path:
    """Where the state file lives."""
    return user_data_dir() / STATE_FILE


def load_state(path: Path | None = None) -> tuple[UiState, str | None]:
    """The saved state, or an empty one with a one-line warning when the file is unusable."""
    target = path or state_path()
    try:
        raw = target.read_text(encoding="utf-8")
    except FileNotFoundError:
        return UiState(), None
    except OSError as exc:
        return UiState(), f"cannot read {target}: {exc.strerror}; starting without saved watchlist edits"
    try:
        data = json.loads(raw)
        active = data.get("active_watchlist")
        lists = data.get("watchlists", {})
        if active is not None and not isinstance(active, str):
            raise ValueError("active_watchlist is not a string")
        if not isinstance(lists, dict):
            raise ValueError("watchlists is not a table")
        parsed: dict[str, tuple[str, ...]] = {}
        for name, symbols in lists.items():
            if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
                raise ValueError(f"watchlist {name!r} is not a list of symbols")
            parsed[str(name)] = tuple(symbols)
        positions = _positions(data.get("positions"))
        pins = parse_pins(data.get("pins"))
        symbols = _symbols(data.get("symbols", {}))
    except (ValueError, AttributeError) as exc:
        return UiState(), f"{target} is unusable ({exc}); starting without saved watchlist edits"
    return UiState(active, MappingProxyType(parsed), positions, pins=pins, symbols=symbols), None


def _symbols(raw: object) -> Mapping[str, Mapping[str, str]]:
    from crashtui.config.parse import SYMBOL_RE
    from crashtui.sources.instrument_match import safe_name
    from crashtui.symbols import PROVIDERS, split_multiplier

    if not isinstance(raw, dict):
        raise ValueError("symbols is not a table")
    out: dict[str, Mapping[str, str]] = {}
    for symbol, names in raw.items():
        if not isinstance(names, dict) or not all(
            isinstance(v, str) and safe_name(v) for v in names.values()
        ):
            raise ValueError(f"symbols.{str(symbol)[:20]!r} is not a table of instrument names")
        if not SYMBOL_RE.match(str(symbol)):
            raise ValueError(f"{str(symbol)[:20]!r} is not a symbol")
        # a per-1,000 listing (an older lookup's pick) is never read as a per-coin one
        kept = {k: v for k, v in names.items() if k in PROVIDERS and split_multiplier(v)[1] == 1}
        out[str(symbol)] = MappingProxyType(kept)
    return MappingProxyType(out)


def _positions(raw: object) -> tuple[Mapping[str, object], ...] | None:
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise ValueError("positions is not a list of tables")
    return tuple(MappingProxyType(dict(t)) for t in raw)


def _read_doc(target: Path) -> dict[str, object]:
    """The file's JSON object as it is (keys another writer owns are kept), else empty."""
    try:
        data = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(state: UiState, path: Path | None = None) -> None:
    """Write the state atomically (raises OSError when the directory is not writable).

    ``state.positions`` None keeps the positions already in the file (the watchlist book
    does not own them)."""
    target = path or state_path()
    doc = _read_doc(target)
    doc.update(
        {
            "version": VERSION,
            "active_watchlist": state.active_watchlist,
            "watchlists": {name: list(symbols) for name, symbols in sorted(state.watchlists.items())},
            "symbols": {name: dict(names) for name, names in sorted(state.symbols.items())},
        }
    )
    if state.positions is not None:
        doc["positions"] = [dict(t) for t in state.positions]
    _write(target, doc)


def save_positions(tables: tuple[Mapping[str, object], ...], path: Path | None = None) -> None:
    """Replace the positions in the state file, keeping everything else in it."""
    target = path or state_path()
    doc = _read_doc(target)
    doc.setdefault("version", VERSION)
    doc["positions"] = [dict(t) for t in tables]
    _write(target, doc)


def save_pins(pins: Mapping[str, tuple[float, ...]], path: Path | None = None) -> None:
    """Replace the pinned levels in the state file, keeping everything else in it."""
    target = path or state_path()
    doc = _read_doc(target)
    doc.setdefault("version", VERSION)
    doc["pins"] = {symbol: list(levels) for symbol, levels in sorted(pins.items()) if levels}
    _write(target, doc)


def _write(target: Path, doc: Mapping[str, object]) -> None:
    write_atomic(target, json.dumps(doc, indent=1) + "\n")
