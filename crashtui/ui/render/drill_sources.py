"""The sources drilldown: every source's state, age, last error and hint first; the developer's
counters (next poll, requests, latency, stream frames, what it serves) behind ``c``."""

from __future__ import annotations

from rich.text import Text

from crashtui.catalog import SOURCES
from crashtui.model import LOCAL_SOURCES, SourceState, SourceStatus
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age, fmt_stamp
from crashtui.ui.render.common import Column, lines, table, wrap_plain
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.status import DEMO_HINT, counts, notice, source_age_ms, state_glyph
from crashtui.upstream.health import OFFLINE


def overview(frame: Frame, perf: str, width: int) -> Text:
    """Mode, replay details or the no-network explanation, and UI timing."""
    p = frame.palette
    rows: list[Text] = []
    statuses = frame.snapshot.statuses
    ok, bad, total = counts(statuses)
    said = notice(statuses)
    if frame.replay is not None:
        info = frame.replay
        rows.append(
            Text.assemble(
                ("REPLAY ", f"bold {p.accent}"),
                (plain(info.label, 40), "bold"),
                (f" at {fmt_stamp(info.clock_ms)}", ""),
                (" (statuses below are the recorded ones, not live)", p.muted),
            )
        )
        if info.note:
            rows.extend(wrap_plain(info.note, width, p.warning if info.scenario else p.muted))
        if not info.market_data:
            rows.append(
                Text("no market data in this recording (movers, market cap): no market strip", style=p.muted)
            )
    elif said.kind is not None and said.kind != OFFLINE:
        rows.append(Text(f"LIVE: {said.text}; {ok} of {total} sources ok", style=f"bold {p.warning}"))
        rows.extend(
            wrap_plain(
                "The network works: sources answer, but refuse (rate limits, geo-blocks, anti-bot "
                "pages) or fail. Each source's error and when it is retried are below.",
                width,
                p.warning,
            )
        )
    elif said.kind == OFFLINE:
        rows.append(Text(f"No network? {ok} of {total} sources reachable.", style=f"bold {p.error}"))
        rows.extend(
            wrap_plain(
                "Every source that answered failed (errors below). Check the connection, a proxy or "
                "firewall, or DNS. The panes show the last stored data, if any, marked with its age.",
                width,
                p.error,
            )
        )
        demo = f"To see the dashboard without network, try the bundled {DEMO_HINT}"
        rows.extend(wrap_plain(demo, width, f"bold {p.accent}"))
    else:
        rows.append(Text(f"LIVE: {ok} of {total} sources ok, {bad} failing or blocked", style="bold"))
    serving = frame.snapshot.serving
    if serving:
        rows.append(
            Text(
                "serving: "
                + ", ".join(f"{plain(k, 16)} ← {plain(v, 16)}" for k, v in sorted(serving.items())),
                style=p.muted,
            )
        )
    if perf:
        rows.extend(wrap_plain(perf, width, p.muted))
    return lines(rows)


def _next(status: SourceStatus, now_ms: int) -> str:
    if status.next_attempt_ms is None:
        return "–"
    delta = status.next_attempt_ms - now_ms
    return "now" if delta <= 0 else f"in {fmt_age(delta)}"


def _budget(status: SourceStatus) -> str:
    info = SOURCES.get(status.source)
    if status.requests_budget:
        return f"{status.requests_used}/{status.requests_budget}"
    if info is not None and info.budget_per_min:
        return f"{status.requests_used} (≤{info.budget_per_min}/min)"
    return str(status.requests_used) if status.requests_used else "–"


def source_table(frame: Frame, width: int, counters: bool = False) -> Text:
    """One row per source: state, age of its data, last error, hint; with ``counters`` also the
    next poll, requests, latency, stream health and what it serves."""
    p, g = frame.palette, frame.glyphs
    statuses = [s for _, s in sorted(frame.snapshot.statuses.items())]
    if not statuses:
        return Text("no source has reported yet", style=p.muted)
    names = [Text(plain(s.source, 20), style="bold") for s in statuses]
    states = []
    for s in statuses:
        cell = state_glyph(s.state, g, p)
        cell.append(
            f" {s.state}",
            style=""
            if s.state is SourceState.OK
            else p.error
            if s.state in (SourceState.FAILING, SourceState.BLOCKED)
            else p.warning,
        )
        states.append(cell)
    ages = [
        Text(
            fmt_age(source_age_ms(s, frame.now_ms))
            if source_age_ms(s, frame.now_ms) is not None
            else "never",
            style=p.muted,
        )
        for s in statuses
    ]
    errors = [Text(plain(s.last_error or "", 200), style=p.error) for s in statuses]
    hints = [Text(plain(s.hint or "", 200), style=p.warning) for s in statuses]
    kinds = [
        Text(
            ", ".join(
                plain(k, 16) for k in (s.serving or (SOURCES[s.source].kinds if s.source in SOURCES else ()))
            ),
            style=p.muted,
        )
        for s in statuses
    ]
    streams = []
    for s in statuses:
        if s.connected is None:
            streams.append(Text("–", style=p.muted))
            continue
        parts = ["up" if s.connected else "down", f"{s.reconnects} reconn"]
        if s.frames_per_min is not None:
            parts.append(f"{s.frames_per_min:.0f}/min")
        if s.bad_frames:
            parts.append(f"{s.bad_frames} bad")
        if s.sampled:
            parts.append("sampled")
        streams.append(Text(" ".join(parts)))
    lead = [
        Column("SOURCE", names),
        Column("STATE", states),
        Column("AGE", ages, "right"),
    ]
    # What a trader needs first; the last two are cut on narrow screens, never dropped.
    trailer = [
        Column("LAST ERROR", errors, priority=0, max_width=60 if any(s.hint for s in statuses) else 80),
        Column("HINT", hints, priority=1, max_width=60),
    ]
    if not any(s.hint for s in statuses):
        trailer.pop()
    if not counters:
        return lines(table([*lead, *trailer], width))
    cols = [
        *lead,
        Column("NEXT", [Text(_next(s, frame.now_ms)) for s in statuses], priority=2),
        Column("REQUESTS", [Text(_budget(s)) for s in statuses], "right", priority=4),
        Column(
            "LATENCY",
            [Text(f"{s.latency_ms:.0f} ms" if s.latency_ms is not None else "–") for s in statuses],
            "right",
            priority=5,
        ),
        Column("STREAM", streams, priority=3),
        Column("SERVES", kinds, priority=6),
        *trailer,
    ]
    return lines(table(cols, width))


def problems(frame: Frame, width: int) -> Text:
    """Full error and hint for every source that is not ok, and what the gate held back from
    each source (by reason: how many, when last)."""
    p = frame.palette
    rows: list[Text] = []
    held = frame.snapshot.held
    for _, s in sorted(frame.snapshot.statuses.items()):
        reasons = held.get(s.source, ())
        if s.state is SourceState.OK and reasons:
            rows.append(
                Text.assemble((plain(s.source, 20), "bold"), (": ok, some data held back", p.warning))
            )
        if reasons:
            for h in reasons[:8]:
                line = f"  held {h.count}×: {plain(h.reason, 160)} (last {fmt_stamp(h.last_ms)})"
                rows.extend(wrap_plain(line, width, p.warning))
            if len(reasons) > 8:
                rows.append(Text(f"  … {len(reasons) - 8} more reasons", style=p.muted))
        if s.state is SourceState.OK and s.hint and s.source in LOCAL_SOURCES:
            # the store's own note (a corrupt file moved aside at start): said, not an error
            rows.append(Text.assemble((plain(s.source, 20), "bold"), (": ok", p.up)))
            rows.extend(wrap_plain(f"  note: {s.hint}", width, p.warning))
        if s.state in (SourceState.OK, SourceState.DISABLED):
            continue
        info = SOURCES.get(s.source)
        label = (
            f"{plain(s.source, 20)} ({plain(info.label, 30)})" if info is not None else plain(s.source, 20)
        )
        rows.append(Text.assemble((label, "bold"), (f": {s.state}", p.error)))
        if s.last_error:
            rows.extend(wrap_plain(f"  error: {s.last_error}", width))
        if s.hint:
            rows.extend(wrap_plain(f"  hint: {s.hint}", width, p.warning))
        if s.last_ok_ms is not None:
            rows.append(Text(f"  last good data {fmt_stamp(s.last_ok_ms)}", style=p.muted))
    if not rows:
        return Text("every source is ok", style=p.up)
    return lines(rows)
