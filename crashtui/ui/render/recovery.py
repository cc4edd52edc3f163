"""The recovery checklist: each item met, not met or unknown, since when, and the evidence.

Statuses and evidence are the analysis' own (:mod:`crashtui.analysis.recovery`), written from
the numbers it read; ``unknown`` means the data is missing, never a guess. Pure: frame in,
Rich ``Text`` out; evidence passes through :func:`plain` (it quotes venue names and values).
"""

from __future__ import annotations

from rich.text import Text

from crashtui.analysis.recovery import MET, NOT_MET, ChecklistItem
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_stamp
from crashtui.ui.render.common import fit, lines, wrap_plain
from crashtui.ui.render.frame import Frame

STATUS_TEXT = {MET: "met", NOT_MET: "not met"}


def _mark(item: ChecklistItem, frame: Frame) -> Text:
    p, g = frame.palette, frame.glyphs
    if item.status == MET:
        return Text(f"{g.ok} met    ", style=f"bold {p.up}")
    if item.status == NOT_MET:
        return Text(f"{g.failing} not met", style=f"bold {p.down}")
    return Text(f"{g.pending} unknown", style=p.muted)


def since_text(item: ChecklistItem) -> str:
    """``since 2026-02-05 00:00Z`` (``since ≤ …`` when the run began then or earlier)."""
    if item.since_ms is None:
        return ""
    return f"since {'<= ' if item.since_open else ''}{fmt_stamp(item.since_ms)}"


def summary(frame: Frame) -> Text:
    """``Recovery checklist: 1 of 7 met · 4 not met · 2 unknown``."""
    p, g = frame.palette, frame.glyphs
    radar = frame.radar
    if radar is None:
        return Text(f"Recovery checklist: computing{frame.glyphs.ellipsis}", style=p.muted)
    items = radar.recovery
    if not items:
        return Text("Recovery checklist: no items", style=p.muted)
    met = sum(i.status == MET for i in items)
    not_met = sum(i.status == NOT_MET for i in items)
    unknown = len(items) - met - not_met
    return Text.assemble(
        ("Recovery checklist: ", "bold"),
        (f"{met} of {len(items)} met", f"bold {p.up}" if met == len(items) else "bold"),
        (f" {g.sep} {not_met} not met {g.sep} {unknown} unknown", p.muted),
    )


def checklist(frame: Frame, width: int, evidence: bool = True) -> Text:
    """Every item: status, label, since; with ``evidence`` the numbers behind it, wrapped."""
    p = frame.palette
    out = [fit(summary(frame), width)]
    radar = frame.radar
    if radar is None:
        return lines(out)
    for item in radar.recovery:
        row = _mark(item, frame) + Text(" ") + Text(plain(item.label, 120), style="bold" if evidence else "")
        out.append(fit(row, width))
        if evidence:
            since = since_text(item)
            paragraph = f"{since}: {item.evidence}" if since else item.evidence
            out.extend(
                Text("    ") + line for line in wrap_plain(paragraph, max(10, width - 4), style=p.muted)
            )
    if evidence:
        out.append(Text(""))
        out.append(
            Text(
                "unknown: the data is missing, too short or stale (never a guess); thresholds in "
                "[analysis.recovery]",
                style=p.muted,
            )
        )
    return lines(out)


def build_recovery(frame: Frame, width: int, height: int) -> Text:
    """The checklist pane: one line per item."""
    text = checklist(frame, width, evidence=False)
    rows = text.split("\n")
    rows.append(Text("r: drilldown (evidence, since)", style=frame.palette.muted))
    return lines(list(rows), height)
