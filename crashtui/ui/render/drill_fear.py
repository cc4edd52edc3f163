"""The fear drilldown: Fear & Greed history and every crash-gauge component with its raw value."""

from __future__ import annotations

from rich.text import Text

from crashtui.analysis.days import DAY_MS
from crashtui.numfmt import fmt_ratio
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_day, fmt_stamp
from crashtui.ui.render.charts import ChartSpec, HLine, Series
from crashtui.ui.render.common import Column, lines, table
from crashtui.ui.render.fear import score_style
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.header import gauge_style


def history_chart(frame: Frame) -> tuple[ChartSpec, Text]:
    """Crypto and stock Fear & Greed over the days in memory (0 = extreme fear)."""
    p = frame.palette
    series = []
    first: int | None = None
    for index, color in (("crypto", p.accent), ("stocks", p.primary)):
        readings = [r for r in frame.snapshot.fear.get(index, ()) if r.ts_ms <= frame.now_ms]
        if not readings:
            continue
        first = min(first or readings[0].ts_ms, readings[0].ts_ms)
        xs = tuple((r.ts_ms - frame.now_ms) / DAY_MS for r in readings)
        series.append(Series(xs, tuple(r.value for r in readings), color, index))
    title = Text.assemble(
        ("Fear & Greed history: ", "bold"),
        ("crypto", f"bold {p.accent}"),
        (" and ", ""),
        ("stocks", f"bold {p.primary}"),
        (" (0 extreme fear, 100 extreme greed; lines at 25 and 75)", p.muted),
    )
    if not series or first is None:
        return ChartSpec(empty_text="no Fear & Greed readings yet"), title
    days = list(range(first - first % DAY_MS + DAY_MS, frame.now_ms, DAY_MS))
    step = max(1, len(days) // 6)
    ticks = tuple(((d - frame.now_ms) / DAY_MS, fmt_day(d)) for d in days[::step])
    spec = ChartSpec(
        series=tuple(series),
        hlines=(HLine(25.0, p.down), HLine(75.0, p.up)),
        xticks=ticks,
        y_format="int",
        y_range=(0.0, 100.0),
    )
    return spec, title


def readings(frame: Frame) -> Text:
    """The latest readings with class, time and source."""
    p = frame.palette
    rows = []
    for index, label in (("crypto", "Crypto F&G"), ("stocks", "Stocks F&G")):
        items = frame.snapshot.fear.get(index, ())
        if not items:
            rows.append(Text(f"{label}: no reading yet", style=p.muted))
            continue
        last = items[-1]
        rows.append(
            Text.assemble(
                (f"{label}: ", "bold"),
                (f"{last.value:.0f} {plain(last.classification, 30)}", "bold"),
                (f"  as of {fmt_stamp(last.ts_ms)} from {plain(last.source, 20)}", p.muted),
            )
        )
    return lines(rows)


def gauge_table(frame: Frame, width: int) -> Text:
    """Every present component (raw, 0–100, weight, contribution, band, source) and the missing ones."""
    p = frame.palette
    g = frame.analysis.gauge
    if g.score is None:
        head = Text("Crash gauge: no inputs yet", style=p.muted)
    elif not g.sufficient:
        head = Text.assemble(
            ("Crash gauge ", "bold"),
            (f"{g.label}: {g.coverage_text} components", f"bold {p.warning}"),
            (f"  (partial score {g.score:.0f} from {g.coverage_text} is not shown as a level)", p.muted),
        )
    else:
        head = Text.assemble(
            ("Crash gauge ", "bold"),
            (f"{g.score:.0f}/100 {g.label}", gauge_style(g.score, p)),
            (f"  (coverage {g.coverage * 100:.0f}% of the configured weight)", p.muted),
        )
    rows = [head]
    comps = g.components
    if comps:
        cols = [
            Column("COMPONENT", [Text(plain(c.name, 20), style="bold") for c in comps]),
            Column(
                "RAW", [Text(fmt_ratio(c.raw) if "×" in c.unit else f"{c.raw:,.4g}") for c in comps], "right"
            ),
            Column("UNIT", [Text(plain(c.unit, 40), style=p.muted) for c in comps], priority=3),
            Column(
                "SCORE",
                [Text(f"{c.normalised:.0f}", style=score_style(c.normalised, p)) for c in comps],
                "right",
            ),
            Column("WEIGHT", [Text(f"{c.effective_weight:.2f}") for c in comps], "right", priority=2),
            Column("ADDS", [Text(f"{c.contribution:.1f}") for c in comps], "right", priority=1),
            Column(
                "CALM→PANIC", [Text(f"{c.calm:g} → {c.panic:g}", style=p.muted) for c in comps], priority=4
            ),
            Column("SOURCE", [Text(plain(c.source, 30), style=p.muted) for c in comps], priority=5),
            Column(
                "AS OF",
                [Text(fmt_stamp(c.as_of_ms)[5:] if c.as_of_ms else "–", style=p.muted) for c in comps],
                priority=6,
            ),
        ]
        rows.extend(table(cols, width))
        rows.append(Text(""))
        rows.extend(Text.assemble((f"{plain(c.name, 20)}: ", "bold"), plain(c.detail, 300)) for c in comps)
    for m in g.missing:
        rows.append(
            Text(
                f"{plain(m.name, 20)}: missing ({plain(m.reason, 200)}), left out, not counted as calm",
                style=p.warning,
            )
        )
    return lines(rows)


def raw_value(raw: float, unit: str) -> str:
    """A component's raw value; a multiple (``× baseline``) as everywhere else (:func:`fmt_ratio`)."""
    return fmt_ratio(raw) if "×" in unit else f"{raw:,.4g}"
