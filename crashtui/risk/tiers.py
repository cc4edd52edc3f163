"""Maintenance-margin tier tables: the bundled ``tiers.json`` and how a table is chosen.

A table belongs to one venue and one asset. Its tiers are bands of position value (USD,
``band = notional``) or of size in coins (``band = size``, OKX), each with a maintenance-margin
rate and a fixed deduction, so that ``MM = value × mmr − deduction``.

Choosing a table (:meth:`TierBook.table_for`) never happens silently: when the venue has no
table for the asset, the fallback venue's table for the same asset is used, and failing that a
generic flat tier; the reason comes back with the table and is shown with the estimate. A
partial table (``complete = false``) that does not reach the position's band is replaced the
same way by :mod:`crashtui.risk.liquidation`.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from types import MappingProxyType
from typing import Any

from crashtui.model import StrEnum
from crashtui.risk.position import Venue

GENERIC = "generic"
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class TierDataError(ValueError):
    """The tier data is malformed; ``str()`` names the table and the field."""


class Band(StrEnum):
    """What a table's tier bounds measure."""

    NOTIONAL = "notional"
    SIZE = "size"


@dataclass(frozen=True, slots=True)
class Tier:
    """One maintenance-margin tier: ``floor ≤ value < cap`` (``cap`` None: no upper bound)."""

    floor: float
    cap: float | None
    mmr: float
    deduction: float
    max_leverage: float

    def holds(self, value: float) -> bool:
        """Whether ``value`` (in the table's band unit) falls in this tier."""
        return value >= self.floor and (self.cap is None or value < self.cap)


@dataclass(frozen=True, slots=True)
class TierTable:
    """The tiers of one venue for one asset, with where they come from."""

    venue: str
    asset: str
    instrument: str
    band: Band
    complete: bool
    as_of: str
    source: str
    note: str
    tiers: tuple[Tier, ...]

    @property
    def table_id(self) -> str:
        """``venue:ASSET``, e.g. ``bybit:BTC`` (``generic:*`` for the assumption)."""
        return f"{self.venue}:{self.asset}"

    def index_of(self, value: float) -> int | None:
        """Index of the tier holding ``value``; None past the end of a partial table.

        Past the end of a complete table (a position larger than the venue allows) the top
        tier is returned: :func:`beyond_top` tells the caller to say so.
        """
        for i, tier in enumerate(self.tiers):
            if tier.holds(value):
                return i
        if value < self.tiers[0].floor:
            return 0
        return len(self.tiers) - 1 if self.complete else None

    def beyond_top(self, value: float) -> bool:
        """Whether ``value`` lies above the top tier's cap."""
        cap = self.tiers[-1].cap
        return cap is not None and value >= cap


@dataclass(frozen=True, slots=True)
class VenueRules:
    """What a venue's liquidation formula needs besides the tiers."""

    venue: Venue
    name: str
    formula: str
    # Bybit isolated: the maintenance margin is taken at the entry value, not at the mark.
    mm_at_entry_isolated: bool
    # OKX: the taker fee to close is part of the maintenance requirement (a rate on value).
    fee_in_mm: float
    fee_note: str


@dataclass(frozen=True, slots=True)
class TableChoice:
    """The table used for an estimate and, when it is not the venue's own, why."""

    table: TierTable
    fallback: str | None = None


@dataclass(frozen=True, slots=True)
class TierBook:
    """Every venue's rules and tables, plus the fallback order."""

    rules: Mapping[Venue, VenueRules]
    tables: Mapping[tuple[str, str], TierTable]
    missing: Mapping[tuple[str, str], str]
    fallback_venue: Venue
    generic: TierTable

    def own_table(self, venue: Venue, asset: str) -> TierTable | None:
        """The venue's own table for ``asset``, if bundled."""
        return self.tables.get((venue.value, asset))

    def table_for(self, venue: Venue, asset: str) -> TableChoice:
        """The venue's table for ``asset``, else the fallback venue's, else the generic tier."""
        own = self.own_table(venue, asset)
        if own is not None:
            return TableChoice(own)
        why = self.missing.get((venue.value, asset)) or f"no {venue.value} tiers bundled for {asset}"
        return self.fallback_for(venue, asset, why)

    def fallback_for(self, venue: Venue, asset: str, why: str) -> TableChoice:
        """The table to use instead of ``venue``'s for ``asset``, with ``why`` and what was used."""
        if venue is not self.fallback_venue:
            other = self.own_table(self.fallback_venue, asset)
            if other is not None:
                return TableChoice(other, f"{why}; used {other.table_id} tiers ({other.as_of}) instead")
        flat = self.generic.tiers[0].mmr
        return TableChoice(
            self.generic,
            f"{why}; used the generic assumption (one flat tier at MMR {flat:.2%}, not a venue table)",
        )


def _get(obj: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in obj:
        raise TierDataError(f"{where}: missing {key!r}")
    return obj[key]


def _optional_number(obj: Mapping[str, Any], key: str, where: str) -> float | None:
    value = _get(obj, key, where)
    if value is None:
        return None
    return _number({key: value}, key, where)


def _number(obj: Mapping[str, Any], key: str, where: str) -> float:
    value = _get(obj, key, where)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise TierDataError(f"{where}.{key}: expected a finite number, got {value!r}")
    return float(value)


def _text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = _get(obj, key, where)
    if not isinstance(value, str):
        raise TierDataError(f"{where}.{key}: expected a string, got {type(value).__name__}")
    return value


def _tier(raw: object, where: str) -> Tier:
    if not isinstance(raw, dict):
        raise TierDataError(f"{where}: expected an object")
    floor = _number(raw, "floor", where)
    cap = _optional_number(raw, "cap", where)
    mmr = _number(raw, "mmr", where)
    deduction = _number(raw, "deduction", where)
    max_lev = _number(raw, "max_leverage", where)
    if not 0.0 < mmr < 1.0:
        raise TierDataError(f"{where}.mmr: expected a fraction between 0 and 1, got {mmr!r}")
    if floor < 0 or deduction < 0 or max_lev < 1:
        raise TierDataError(f"{where}: expected floor >= 0, deduction >= 0 and max_leverage >= 1")
    if cap is not None and cap <= floor:
        raise TierDataError(f"{where}.cap: expected more than floor {floor:g}, got {cap:g}")
    return Tier(floor, cap, mmr, deduction, max_lev)


def _table(venue: str, asset: str, raw: object, where: str) -> TierTable:
    if not isinstance(raw, dict):
        raise TierDataError(f"{where}: expected an object")
    band_raw = _text(raw, "band", where)
    try:
        band = Band(band_raw)
    except ValueError:
        raise TierDataError(f"{where}.band: expected 'notional' or 'size', got {band_raw!r}") from None
    complete = _get(raw, "complete", where)
    if not isinstance(complete, bool):
        raise TierDataError(f"{where}.complete: expected true or false")
    as_of = _text(raw, "as_of", where)
    if not _DATE.match(as_of):
        raise TierDataError(f"{where}.as_of: expected a date YYYY-MM-DD, got {as_of!r}")
    source = _text(raw, "source", where)
    if not source.strip():
        raise TierDataError(f"{where}.source: expected where the table comes from")
    rows = _get(raw, "tiers", where)
    if not isinstance(rows, list) or not rows:
        raise TierDataError(f"{where}.tiers: expected a non-empty list")
    tiers = tuple(_tier(row, f"{where}.tiers[{i}]") for i, row in enumerate(rows))
    if tiers[0].floor != 0:
        raise TierDataError(f"{where}.tiers[0].floor: expected 0")
    for i, tier in enumerate(tiers[:-1]):
        if tier.cap is None:
            raise TierDataError(f"{where}.tiers[{i}].cap: only the last tier may be open-ended")
    for i in range(1, len(tiers)):
        if tiers[i - 1].cap != tiers[i].floor:
            raise TierDataError(f"{where}.tiers[{i}].floor: expected the previous tier's cap")
        if tiers[i].mmr <= tiers[i - 1].mmr:
            raise TierDataError(f"{where}.tiers[{i}].mmr: expected more than the previous tier's")
    return TierTable(
        venue=venue,
        asset=asset,
        instrument=_text(raw, "instrument", where),
        band=band,
        complete=complete,
        as_of=as_of,
        source=source,
        note=_text(raw, "note", where),
        tiers=tiers,
    )


def _venue(raw: object, venue: Venue, where: str) -> VenueRules:
    if not isinstance(raw, dict):
        raise TierDataError(f"{where}: expected an object")
    flag = _get(raw, "mm_at_entry_isolated", where)
    if not isinstance(flag, bool):
        raise TierDataError(f"{where}.mm_at_entry_isolated: expected true or false")
    fee = _number(raw, "fee_in_mm", where)
    if not 0.0 <= fee < 0.01:
        raise TierDataError(f"{where}.fee_in_mm: expected a rate from 0 to 0.01, got {fee!r}")
    return VenueRules(
        venue=venue,
        name=_text(raw, "name", where),
        formula=_text(raw, "formula", where),
        mm_at_entry_isolated=flag,
        fee_in_mm=fee,
        fee_note=_text(raw, "fee_note", where),
    )


def book_from_json(data: object) -> TierBook:
    """Validate a decoded ``tiers.json`` document into a :class:`TierBook`."""
    if not isinstance(data, dict):
        raise TierDataError("tiers: expected an object")
    venues_raw = _get(data, "venues", "tiers")
    if not isinstance(venues_raw, dict):
        raise TierDataError("tiers.venues: expected an object")
    rules: dict[Venue, VenueRules] = {}
    tables: dict[tuple[str, str], TierTable] = {}
    missing: dict[tuple[str, str], str] = {}
    for venue in Venue:
        where = f"tiers.venues.{venue.value}"
        raw = _get(venues_raw, venue.value, "tiers.venues")
        rules[venue] = _venue(raw, venue, where)
        tables_raw = _get(raw, "tables", where)
        if not isinstance(tables_raw, dict):
            raise TierDataError(f"{where}.tables: expected an object")
        for asset, table_raw in tables_raw.items():
            tables[(venue.value, asset)] = _table(venue.value, asset, table_raw, f"{where}.tables.{asset}")
        for asset, why in dict(raw.get("missing") or {}).items():
            missing[(venue.value, asset)] = str(why)
    fallback_raw = _text(data, "fallback_venue", "tiers")
    try:
        fallback = Venue(fallback_raw)
    except ValueError:
        raise TierDataError(f"tiers.fallback_venue: unknown venue {fallback_raw!r}") from None
    generic_raw = _get(data, "generic", "tiers")
    if not isinstance(generic_raw, dict):
        raise TierDataError("tiers.generic: expected an object")
    tier = _tier({**generic_raw, "floor": 0, "cap": None}, "tiers.generic")
    note = _text(generic_raw, "note", "tiers.generic")
    generic = TierTable(GENERIC, "*", "", Band.NOTIONAL, True, "", "assumption", note, (tier,))
    return TierBook(
        rules=MappingProxyType(rules),
        tables=MappingProxyType(tables),
        missing=MappingProxyType(missing),
        fallback_venue=fallback,
        generic=generic,
    )


@functools.lru_cache(maxsize=1)
def bundled_tiers() -> TierBook:
    """The tier book shipped in the package (``crashtui/risk/tiers.json``), read once."""
    text = resources.files("crashtui.risk").joinpath("tiers.json").read_text(encoding="utf-8")
    return book_from_json(json.loads(text))
