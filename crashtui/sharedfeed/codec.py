"""Events to JSON and back, for the shared feed (SQLite log and Redis streams).

Data items reuse the store's row codecs, so a collector and its readers agree on one
representation; statuses and serving changes are plain objects.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from crashtui.events import DataEvent, Event, HeldEvent, ServingEvent, StatusEvent
from crashtui.model import (
    EtfFlow,
    FundingPoint,
    Liquidation,
    LongShortRatio,
    MarketGlobal,
    MarketMovers,
    OpenInterestPoint,
    PairMove,
    SourceState,
    SourceStatus,
    TakerVolume,
)
from crashtui.store.codec import TABLE_FOR_TYPE, TABLES, TableSpec

_BY_NAME: dict[str, TableSpec] = {spec.name: spec for spec in TABLES}
# Items the store keeps no table for (the radar's positioning series, the market strip) still
# reach followers: as their fields by name, under the type's name.
_PLAIN_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (OpenInterestPoint, TakerVolume, LongShortRatio, FundingPoint, MarketGlobal, MarketMovers)
}


def _plain_item(name: str, fields: dict[str, Any]) -> object:
    if name == "MarketMovers":
        for side in ("gainers", "losers"):
            fields[side] = tuple(PairMove(**m) for m in fields[side])
    return _PLAIN_TYPES[name](**fields)


class FeedDecodeError(Exception):
    """A shared-feed message could not be decoded (one-line reason)."""


def encode_event(event: Event) -> str | None:
    """JSON text for one event, or None for events that are not shared (replay clock)."""
    if isinstance(event, DataEvent):
        groups: dict[str, list[Any]] = {}
        plain: dict[str, list[Any]] = {}
        for item in event.items:
            spec = TABLE_FOR_TYPE.get(type(item))
            # the rows have no ETF period: a week's or a month's total would arrive as a day
            if isinstance(item, EtfFlow) and item.period != "day":
                continue
            if spec is not None:
                groups.setdefault(spec.name, []).append(spec.to_row(item))
            elif type(item).__name__ in _PLAIN_TYPES:
                plain.setdefault(type(item).__name__, []).append(asdict(item))  # type: ignore[call-overload]
        body: dict[str, Any] = {"t": "data", "src": event.source, "kind": event.kind, "at": event.received_ms}
        body["rows"] = groups
        if plain:
            body["items"] = plain
        return json.dumps(body, separators=(",", ":"))
    if isinstance(event, StatusEvent):
        data = asdict(event.status)
        data["state"] = str(event.status.state)
        data["serving"] = list(event.status.serving)
        return json.dumps({"t": "status", "s": data}, separators=(",", ":"))
    if isinstance(event, ServingEvent):
        return json.dumps({"t": "serving", "kind": event.kind, "src": event.source}, separators=(",", ":"))
    if isinstance(event, HeldEvent):
        # Followers show the collector's held counts; the items themselves (only the quarantined
        # liquidations matter to a reader) travel as rows like data.
        liqs = [TABLE_FOR_TYPE[Liquidation].to_row(i) for i in event.items if isinstance(i, Liquidation)]
        held = {"src": event.source, "kind": event.kind, "reason": event.reason, "at": event.at_ms}
        held |= {"n": len(event.items), "liqs": liqs}
        return json.dumps({"t": "held", **held}, separators=(",", ":"))
    return None


def decode_event(text: str | bytes) -> Event:
    """The event in one shared-feed message."""
    try:
        body = json.loads(text)
        kind = body["t"]
        if kind == "data":
            items: list[object] = []
            for table, rows in body["rows"].items():
                spec = _BY_NAME[table]
                items.extend(spec.from_row(tuple(row)) for row in rows)
            for name, fields in body.get("items", {}).items():
                items.extend(_plain_item(name, dict(f)) for f in fields)
            return DataEvent(str(body["src"]), str(body["kind"]), tuple(items), int(body["at"]))
        if kind == "status":
            data = dict(body["s"])
            data["state"] = SourceState(data["state"])
            data["serving"] = tuple(data.get("serving") or ())
            return StatusEvent(SourceStatus(**data))
        if kind == "serving":
            src = body["src"]
            return ServingEvent(str(body["kind"]), None if src is None else str(src))
        if kind == "held":
            liqs = tuple(TABLE_FOR_TYPE[Liquidation].from_row(tuple(row)) for row in body["liqs"])
            others = max(0, int(body["n"]) - len(liqs))
            held_items: tuple[object, ...] = (*liqs, *((None,) * others))
            return HeldEvent(
                str(body["src"]), str(body["kind"]), str(body["reason"]), held_items, int(body["at"])
            )
    except (ValueError, KeyError, TypeError, IndexError) as exc:
        raise FeedDecodeError(f"bad shared-feed message: {type(exc).__name__}: {exc}") from None
    raise FeedDecodeError(f"bad shared-feed message: unknown type {kind!r}")
