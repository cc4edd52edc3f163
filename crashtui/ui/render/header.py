"""The one-line header: app name, watchlist, LIVE or REPLAY badge with its clock, crash gauge."""

from __future__ import annotations

from rich.text import Text

from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_stamp
from crashtui.ui.palette import Palette
from crashtui.ui.render.common import ext, fit, join, spread
from crashtui.ui.render.frame import Frame, ReplayInfo


def gauge_style(score: float | None, palette: Palette) -> str:
    """Colour of the gauge by band: calm, elevated, high, extreme."""
    if score is None:
        return palette.muted
    if score >= 75:
        return f"bold {palette.down}"
    if score >= 50:
        return f"bold {palette.warning}"
    if score >= 25:
        return palette.accent
    return palette.up


def speed_text(speed: float | None, times: str) -> str:
    """``×60``, ``×1.3`` (two figures below 10, whole numbers above) or ``max``."""
    if speed is None:
        return "max"
    shown = f"{speed:.0f}" if speed >= 10 else f"{speed:.2g}"
    return f"{times}{shown}"


def replay_state(info: ReplayInfo) -> str:
    """PLAYING/PAUSED/END (or what the replay is busy with)."""
    if info.busy:
        return info.busy
    if info.finished:
        return "END"
    return "PAUSED" if info.paused else "PLAYING"


def replay_badge(info: ReplayInfo, frame: Frame, level: int) -> Text:
    """The REPLAY badge at a detail level (0: most detailed)."""
    p, g = frame.palette, frame.glyphs
    stamp = fmt_stamp(info.clock_ms)
    if level >= 2:
        stamp = stamp[5:]  # 02-06 14:00Z
    state = replay_state(info)
    badge = Text("REPLAY", style=f"bold reverse {p.accent}")
    parts: list[Text | str] = [badge]
    if level <= 1:
        parts.append(ext(info.label, 24, style=p.accent))
    parts.append(Text(stamp, style="bold"))
    parts.append(Text(speed_text(info.speed, g.times), style=p.muted))
    parts.append(Text(state, style=f"bold {p.warning}" if state != "PLAYING" else p.muted))
    if info.bad_lines:
        parts.append(Text(bad_lines_text(info.bad_lines, short=level >= 2), style=p.warning))
    return join(parts)


def bad_lines_text(count: int, *, short: bool = False) -> str:
    """``3 bad lines skipped`` (``3 bad`` when narrow)."""
    if short:
        return f"{count} bad"
    return f"{count} bad line{'s' if count != 1 else ''} skipped"


def gauge_text(frame: Frame, level: int) -> Text:
    """``crash gauge 77/100 EXTREME STRESS`` or shorter forms.

    A gauge with too few components shows ``insufficient data 1/10``, never its partial score.
    """
    g = frame.analysis.gauge
    style = gauge_style(g.score, frame.palette)
    if g.score is None:
        return Text("gauge: no data", style=frame.palette.muted)
    if not g.sufficient:
        warn, words = frame.palette.warning, f"{g.label} {g.coverage_text}"
        if level <= 1:
            lead = "crash gauge " if level == 0 else "gauge "
            return Text.assemble((lead, frame.palette.muted), (words, warn))
        return Text(f"n/a {g.coverage_text}", style=warn)
    if level == 0:
        return Text.assemble(("crash gauge ", frame.palette.muted), (f"{g.score:.0f}/100 {g.label}", style))
    if level == 1:
        return Text.assemble(("gauge ", frame.palette.muted), (f"{g.score:.0f} {g.label}", style))
    return Text(f"{g.score:.0f} {g.label.split()[0]}", style=style)


def build_header(frame: Frame, width: int) -> Text:
    """The header line, as detailed as ``width`` allows."""
    p = frame.palette
    name = Text(" crashtui", style=f"bold {p.primary}")
    for level in range(4):
        wl_label = "watchlist: " if level == 0 else ""
        watch = Text.assemble((wl_label, p.muted), (plain(frame.watchlist, 20), "bold"))
        if frame.replay is not None:
            mode = replay_badge(frame.replay, frame, min(level, 2))
        else:
            mode = Text("LIVE", style=f"bold {p.up}")
            if frame.feed not in ("direct", "replay"):
                mode.append(f" {frame.feed}" if level < 2 else " *", style=p.accent)
        left = join([name, watch, mode], "  " if level < 2 else " ")
        right = gauge_text(frame, min(level, 2))
        if left.cell_len + right.cell_len + 1 <= width or level == 3:
            return spread(left, right, width) if level < 3 else fit(join([left, right], " "), width)
    return Text()  # pragma: no cover - the loop always returns
