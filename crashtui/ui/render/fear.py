"""The Fear pane: crypto and stock Fear & Greed with their class, and the crash gauge."""

from __future__ import annotations

from rich.text import Text

from crashtui.analysis.days import DAY_MS
from crashtui.analysis.gauge import GaugeComponent
from crashtui.model import FearGreedReading
from crashtui.numfmt import fmt_ratio
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age
from crashtui.ui.palette import Palette
from crashtui.ui.render.common import fit, join, lines, wrap_items
from crashtui.ui.render.frame import Frame
from crashtui.ui.render.header import gauge_style
from crashtui.ui.sparkline import meter, sparkline

SHORT_LABELS = {
    "fear_greed": "F&G",
    "drawdown": "drawdown",
    "liquidations": "liq",
    "etf_flows": "ETF",
    "funding": "funding",
    "nasdaq_corr": "Nasdaq corr",
    "spread": "spread",
    "borrow_apy": "borrow",
    "jobless_claims": "claims",
    "leverage": "leverage",
}


def component_value(c: GaugeComponent, times: str) -> str:
    """A component's raw value in its own unit, short."""
    if c.name == "drawdown":
        return f"-{c.raw:.0f}%"
    if c.name in ("liquidations", "spread"):
        return f"{fmt_ratio(c.raw)}{times}"
    if c.name == "etf_flows":
        return f"{c.raw:+,.0f}m/5d"
    if c.name == "funding":
        return f"{c.raw:+.3f}%"
    if c.name == "nasdaq_corr":
        return f"{c.raw:.2f}"
    if c.name == "borrow_apy":
        return f"{c.raw:.1f}%"
    if c.name == "jobless_claims":
        return f"{c.raw:+.0f}k"
    return f"{c.raw:.0f}"


def score_style(normalised: float, palette: Palette) -> str:
    """How alarming a component is (0–100 stress)."""
    if normalised >= 75:
        return palette.down
    if normalised >= 50:
        return palette.warning
    return palette.muted


def fear_line(label: str, readings: tuple[FearGreedReading, ...], frame: Frame, spark: bool) -> Text:
    """``Crypto F&G   9 Extreme Fear ▂▁▁ 30d low`` (or why there is no reading)."""
    p, g = frame.palette, frame.glyphs
    if not readings:
        return Text.assemble((f"{label:<11}", "bold"), ("no reading yet", p.muted))
    last = readings[-1]
    value_style = p.down if last.value <= 25 else p.warning if last.value <= 45 else p.up
    parts: list[Text | str] = [
        Text(f"{label:<10}", style="bold"),
        Text(f"{last.value:>3.0f}", style=f"bold {value_style}"),
        Text(plain(last.classification, 20), style=value_style),
    ]
    month = [r.value for r in readings if r.ts_ms >= last.ts_ms - 30 * DAY_MS]
    if spark and len(month) >= 3:
        parts.append(Text(sparkline(month, 10, g.spark), style=p.muted))
        if last.value <= min(month):
            parts.append(Text("30d low", style=p.down))
    age = frame.now_ms - last.ts_ms
    if age > 2 * DAY_MS:
        parts.append(Text(f"{fmt_age(age)} old", style=p.warning))
    return join(parts)


def component_line(c: GaugeComponent, frame: Frame, width: int) -> Text:
    """``  drawdown   -39%   ██████████ 100  BTC 60,197 is 39.0% below…`` (one gauge component)."""
    p, g = frame.palette, frame.glyphs
    style = score_style(c.normalised, p)
    line = Text.assemble(
        (f"  {SHORT_LABELS.get(c.name, c.name):<12}", p.muted),
        (f"{component_value(c, g.times):>11} ", style),
        (meter(c.normalised / 100, 8, g.bar_full, g.bar_empty), style),
        (f" {c.normalised:>3.0f}  ", style),
        (plain(c.detail, 200), p.muted),
    )
    return fit(line, width)


def build_fear(frame: Frame, width: int, height: int) -> Text:
    """The pane body for ``width`` × ``height``."""
    p, g = frame.palette, frame.glyphs
    fear = frame.snapshot.fear
    spark = width >= 44
    rows = [
        fear_line("Crypto F&G", fear.get("crypto", ()), frame, spark),
        fear_line("Stocks F&G", fear.get("stocks", ()), frame, spark),
    ]
    gauge = frame.analysis.gauge
    if gauge.score is None:
        rows.append(Text("Crash gauge: no inputs yet", style=p.muted))
    else:
        if gauge.sufficient:
            style = gauge_style(gauge.score, p)
            head = Text.assemble(
                ("Gauge", "bold"), (f" {gauge.score:>3.0f}/100 ", style), (gauge.label, style), " "
            )
            bar_width = max(0, min(20, width - head.cell_len))
            if bar_width >= 5:
                head.append(meter(gauge.score / 100, bar_width, g.bar_full, g.bar_empty), style=style)
        else:
            head = Text.assemble(
                ("Gauge ", "bold"),
                (f"{gauge.label} {gauge.coverage_text}", f"bold {p.warning}"),
                (" components", p.muted),
            )
        rows.append(head)
        room = height - len(rows)
        detailed = room >= len(gauge.components) + len(gauge.missing) and width >= 48
        if detailed:
            rows.extend(component_line(c, frame, width) for c in gauge.components)
            rows.extend(
                fit(
                    Text(
                        f"  {SHORT_LABELS.get(m.name, m.name):<12} missing: {plain(m.reason, 80)}",
                        style=p.warning,
                    ),
                    width,
                )
                for m in gauge.missing
            )
        else:
            items = [
                Text.assemble(
                    (SHORT_LABELS.get(c.name, c.name) + " ", p.muted),
                    (component_value(c, g.times), score_style(c.normalised, p)),
                )
                for c in gauge.components
            ]
            items.extend(
                Text(f"{SHORT_LABELS.get(m.name, m.name)} n/a", style=p.muted) for m in gauge.missing
            )
            if gauge.coverage < 0.999 and gauge.sufficient:
                items.append(Text(f"coverage {gauge.coverage * 100:.0f}%", style=p.warning))
            rows.extend(wrap_items(items, width, f" {g.sep} ", indent="  "))
    return lines(rows, height)
