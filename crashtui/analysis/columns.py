"""Column helpers shared by the zones and the liquidation map (plain Python in place of numpy)."""

from __future__ import annotations

from operator import lt
from typing import overload


@overload
def sorted_last(rows: list[int], ts: list[int]) -> list[int]: ...
@overload
def sorted_last(rows: None, ts: list[int]) -> list[int] | None: ...
def sorted_last(rows: list[int] | None, ts: list[int]) -> list[int] | None:
    """``rows`` (None: every row) sorted by ``ts`` (stable), keeping the last row given for each
    timestamp; None when that is every row, in the order given."""
    times = ts if rows is None else [ts[i] for i in rows]
    if all(map(lt, times, times[1:])):
        return rows
    ordered = sorted(range(len(ts)) if rows is None else rows, key=ts.__getitem__)
    return [i for i, j in zip(ordered, [*ordered[1:], -1], strict=True) if j < 0 or ts[j] != ts[i]]
