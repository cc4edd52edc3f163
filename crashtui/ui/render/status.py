"""The status bar: one badge per source (fresh, age, stale, failing, blocked) and key hints."""

from __future__ import annotations

from collections.abc import Mapping

from rich.text import Text

from crashtui.catalog import SOURCES
from crashtui.model import NOT_PROVIDERS, SourceState, SourceStatus
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age
from crashtui.ui.glyphs import Glyphs
from crashtui.ui.palette import Palette
from crashtui.ui.render.common import fit, join, spread
from crashtui.ui.render.frame import Frame
from crashtui.upstream.health import OFFLINE, NetworkNotice, network_notice

DEMO_HINT = "demo: crashtui --replay feb-2026"
SCENARIO_LONG = "scenario: reconstructed intraday data, not live"
SCENARIO_SHORT = "scenario, not live"
_BAD = (SourceState.FAILING, SourceState.BLOCKED)


def state_glyph(state: SourceState, glyphs: Glyphs, palette: Palette) -> Text:
    """The badge glyph of a source state, coloured."""
    table = {
        SourceState.OK: (glyphs.ok, palette.up),
        SourceState.STALE: (glyphs.stale, palette.warning),
        SourceState.FAILING: (glyphs.failing, palette.error),
        SourceState.BLOCKED: (glyphs.blocked, palette.error),
        SourceState.DISABLED: (glyphs.pending, palette.muted),
        SourceState.CONNECTING: (glyphs.pending, palette.muted),
        SourceState.PENDING: (glyphs.pending, palette.muted),
    }
    glyph, style = table[state]
    return Text(glyph, style=style)


def source_age_ms(status: SourceStatus, now_ms: int) -> int | None:
    """How old the source's latest good data is."""
    last = status.last_frame_ms or status.last_ok_ms
    return None if last is None else max(0, now_ms - last)


def held_count(frame: Frame, source: str) -> int:
    """How many items the gate held back from ``source`` since the start."""
    return sum(h.count for h in frame.snapshot.held.get(source, ()))


def badge(status: SourceStatus, frame: Frame, *, ages: bool, words: bool = True) -> Text:
    """``binance ●``, ``farside ◐3h stale``, ``fred ✗ failing`` (ages only from a minute up),
    with ``3 held`` when the gate held items of this source back (details: the Sources screen)."""
    p, g = frame.palette, frame.glyphs
    info = SOURCES.get(status.source)
    name = plain(info.short_name if info is not None else status.source, 12)
    out = Text(name, style=p.muted if status.state is SourceState.OK else "")
    out.append_text(state_glyph(status.state, g, p))
    age = source_age_ms(status, frame.now_ms)
    if status.state is SourceState.OK:
        if ages and age is not None and age >= 60_000:
            out.append(fmt_age(age), style=p.muted)
    elif status.state is SourceState.STALE:
        out.append(f"{fmt_age(age)} stale" if age is not None else "stale", style=p.warning)
    elif status.state in _BAD and words:
        out.append(str(status.state), style=p.error)
    held = held_count(frame, status.source)
    if held and words:
        out.append(f" {held} held", style=p.warning)
    return out


def counts(statuses: Mapping[str, SourceStatus]) -> tuple[int, int, int]:
    """(ok, bad, total) over enabled providers: the store and recorder are not sources, and on
    a collector's feed the ``collector`` status is the link to the collector, not a provider (a
    live collector whose providers all fail is still "No network?")."""
    enabled = [
        s for s in statuses.values() if s.state is not SourceState.DISABLED and s.source not in NOT_PROVIDERS
    ]
    ok = sum(1 for s in enabled if s.state is SourceState.OK)
    bad = sum(1 for s in enabled if s.state in _BAD)
    return ok, bad, len(enabled)


def offline(statuses: Mapping[str, SourceStatus]) -> bool:
    """Nothing reachable: no source is ok and none that failed got any answer at all."""
    return network_notice(statuses.values()).kind == OFFLINE


def notice(statuses: Mapping[str, SourceStatus]) -> NetworkNotice:
    """The connectivity notice (:func:`crashtui.upstream.health.network_notice`)."""
    return network_notice(statuses.values())


def hints(width_left: int, glyphs: Glyphs, alerts: int = 0, palette: Palette | None = None) -> Text:
    """Key hints, shortened to fit; after alerts this session, ``! 3 alerts`` leads (the alert log key)."""
    enter = "enter" if glyphs.ascii else "⏎"
    keys = (f"? help  {enter} drill  l e f m s  w lists  q quit", "? help  l e f m s  q", "? help")
    style = f"bold {palette.warning}" if palette is not None else "bold"
    badges = (f"! {alerts} alert{'s' if alerts != 1 else ''}", f"!{alerts}") if alerts else ("",)
    for text in keys:
        for badge_text in badges:
            out = Text.assemble((badge_text, style), ("  " if badge_text else "", ""), (text, "dim"))
            if out.cell_len <= width_left:
                return out
    return Text(badges[-1], style=style) if alerts and len(badges[-1]) <= width_left else Text()


def build_status(frame: Frame, width: int) -> Text:
    """The status bar for ``width`` columns: most detail that fits."""
    p = frame.palette
    statuses = frame.snapshot.statuses
    ordered = [s for _, s in sorted(statuses.items()) if s.state is not SourceState.DISABLED]
    ok, bad, total = counts(statuses)
    if frame.feed_error:
        left = Text.assemble(("feed stopped: ", f"bold {p.error}"), (plain(frame.feed_error, 80), p.error))
        return spread(left, hints(20, frame.glyphs, frame.alerts, p), width)
    said = notice(statuses)
    if frame.live and said.kind is not None:
        if said.kind == OFFLINE:
            lead = Text(f"NO NETWORK? {ok}/{total} sources reachable", style=f"bold {p.error}")
            demo = [Text(DEMO_HINT, style=p.accent)]
        else:  # sources answer, but throttle, block or fail: say that, not "no network"
            lead = Text(said.text, style=f"bold {p.warning}")
            demo = []
        options = [
            join([lead, *[badge(s, frame, ages=False) for s in ordered if s.state in _BAD]], " "),
            join(
                [lead, *[badge(s, frame, ages=False, words=False) for s in ordered if s.state in _BAD]], " "
            ),
            join([lead, Text("s: why", style=p.warning), *demo], "  "),
            join([lead, Text("s: why", style=p.warning)], "  "),
            lead,
        ]
        for option in options:
            if option.cell_len <= width:
                return option
        return fit(options[-1], width)
    if not ordered:
        waiting = "waiting for the first answers…" if frame.live else "replay: no source status yet"
        return spread(Text(waiting, style=p.muted), hints(width // 2, frame.glyphs, frame.alerts, p), width)
    problems = [s for s in ordered if s.state is not SourceState.OK or held_count(frame, s.source)]
    held_total = sum(held_count(frame, s.source) for s in ordered)
    replay_text = replay_lead(frame, width)
    if replay_text is None and frame.feed.startswith("via"):
        replay_text = Text(frame.feed, style=f"bold {p.accent}")  # a collector feeds this dashboard
    candidates = [
        join([badge(s, frame, ages=True) for s in ordered], " "),
        join([Text(f"{ok} ok", style=p.up), *[badge(s, frame, ages=True) for s in problems]], " "),
        join(
            [Text(f"{ok}/{total} ok", style=p.up if not bad else p.warning)]
            + ([Text(f"{bad} failing (s)", style=p.error)] if bad else [])
            + ([Text(f"{held_total} held (s)", style=p.warning)] if held_total else []),
            " ",
        ),
    ]
    if replay_text is not None:
        candidates = [join([replay_text, c], "  ") for c in candidates] + [replay_text]
    for left in candidates:
        if left.cell_len + 8 <= width:
            return spread(left, hints(width - left.cell_len - 2, frame.glyphs, frame.alerts, p), width)
    return fit(candidates[-1], width)


def replay_lead(frame: Frame, width: int) -> Text | None:
    """In replay, what is being replayed: the scenario warning or the recording's label."""
    info = frame.replay
    if info is None:
        return None
    if info.scenario:
        return Text(SCENARIO_LONG if width >= 110 else SCENARIO_SHORT, style=f"bold {frame.palette.warning}")
    return Text(f"recording {plain(info.label, 30)}", style=frame.palette.accent)
