"""The macro radar: each series' latest value, its change from the observation before, a
sparkline and its age; the risk-off read, stated from the same numbers; crypto's correlation
with equities.

The risk-off verdict is the analysis' own (:mod:`crashtui.analysis.risk_off`): every condition
line names the series, values and dates it was read from, never free text. Pure: frame in,
Rich ``Text`` out; series ids and sources pass through :func:`plain`.
"""

from __future__ import annotations

from rich.text import Text

from crashtui.analysis.days import DAY_MS
from crashtui.analysis.risk_off import RiskOffRead
from crashtui.model import MacroObservation
from crashtui.numfmt import fmt_price, fmt_usd
from crashtui.sources.macro_series import info
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age, fmt_day
from crashtui.ui.render.common import Column, fit, lines, table, wrap_plain
from crashtui.ui.render.frame import Frame
from crashtui.ui.sparkline import sparkline

ORDER = (
    "SP500",
    "NASDAQCOM",
    "VIXCLS",
    "DGS10",
    "DTB3",
    "DTWEXBGS",
    "GOLD",
    "NVDA",
    "MSFT",
    "GOOGL",
    "STABLECOINS_USD",
    "DEFI_TVL_USD",
    "ICSA",
    "IC4WSA",
)
SPARK_POINTS = 30
STALE_DAYS = {"daily": 5, "weekly": 12}  # older than this (in days) is shown as stale


def _value(series: str, value: float) -> str:
    meta = info(series)
    if meta is not None and meta.unit == "%":
        return f"{value:.2f}%"
    if meta is not None and meta.unit == "USD" and abs(value) >= 1e6:
        return fmt_usd(value)
    if meta is not None and meta.unit == "persons":
        return f"{value:,.0f}"
    return fmt_price(value)


def _change(series: str, last: float, prev: float) -> tuple[str, float]:
    meta = info(series)
    if meta is not None and meta.change == "points":
        bp = (last - prev) * 100
        return f"{bp:+.0f} bp", bp
    if prev == 0:
        return "n/a", 0.0
    pct = (last / prev - 1) * 100
    return f"{pct:+.2f}%", pct


def _ordered(frame: Frame) -> list[str]:
    present = list(frame.snapshot.macro)
    return [s for s in ORDER if s in present] + sorted(s for s in present if s not in ORDER)


def series_columns(frame: Frame, spark_width: int = 16) -> list[Column]:
    """One row per macro series in the snapshot."""
    p, g = frame.palette, frame.glyphs
    names, latest, change, spark, age = [], [], [], [], []
    for series in _ordered(frame):
        obs: tuple[MacroObservation, ...] = frame.snapshot.macro[series]
        if not obs:
            continue
        meta = info(series)
        names.append(Text(plain(series, 16), style="bold"))
        last = obs[-1]
        latest.append(Text(_value(series, last.value)))
        if len(obs) >= 2:
            text, move = _change(series, last.value, obs[-2].value)
            risk_up = series in ("VIXCLS",)
            style = p.signed(-move if risk_up else move)
            change.append(Text(text, style=style))
        else:
            change.append(Text("n/a", style=p.muted))
        values = [o.value for o in obs[-SPARK_POINTS:]]
        spark.append(Text(sparkline(values, spark_width, g.spark), style=p.muted))
        days = (frame.now_ms - last.day_ms) / DAY_MS
        limit = STALE_DAYS.get(meta.frequency if meta is not None else "daily", 5)
        stamp = f"{fmt_day(last.day_ms)} {fmt_age(frame.now_ms - last.day_ms)}"
        age.append(Text(stamp, style=p.warning if days > limit else p.muted))
    return [
        Column("Series", names, priority=0),
        Column("Latest", latest, "right", priority=0),
        Column("Chg", change, "right", priority=0),
        Column("Trend", spark, priority=2),
        Column("As of", age, priority=1),
    ]


def series_table(frame: Frame, width: int) -> Text:
    """The macro series table, or why it is empty."""
    if not any(frame.snapshot.macro.values()):
        return Text("no macro series yet (FRED, Yahoo, DefiLlama)", style=frame.palette.muted)
    return lines(table(series_columns(frame), width))


def risk_off_headline(read: RiskOffRead | None, frame: Frame) -> Text:
    """``Risk-off: yes (4 of 4 conditions hold)`` / ``no`` / ``unknown``."""
    p = frame.palette
    if read is None:
        return Text(f"Risk-off: computing{frame.glyphs.ellipsis}", style=p.muted)
    if read.risk_off is True:
        verdict, style = "yes", f"bold {p.down}"
    elif read.risk_off is False:
        verdict, style = "no", f"bold {p.up}"
    else:
        verdict, style = "unknown", f"bold {p.warning}"
    return Text.assemble(("Risk-off: ", "bold"), (verdict, style), (f"  {plain(read.text, 120)}", p.muted))


def risk_off_lines(frame: Frame, width: int) -> Text:
    """The verdict and each condition with the moves it was read from."""
    p, g = frame.palette, frame.glyphs
    read = frame.radar.risk_off if frame.radar is not None else None
    out = [fit(risk_off_headline(read, frame), width)]
    if read is None:
        return lines(out)
    for c in read.conditions:
        mark, style = (
            (g.ok, p.down) if c.holds else (g.pending, p.muted) if c.holds is None else (g.failing, p.up)
        )
        first, *rest = wrap_plain(c.text, max(10, width - 4)) or [Text("")]
        out.append(Text(f" {mark} ", style=style) + first)
        out.extend(Text("   ") + line for line in rest)
    out.append(Text("yields down, gold up, equities and crypto down on their latest day", style=p.muted))
    return lines(out)


def correlation_lines(frame: Frame, width: int) -> Text:
    """``BTC vs NASDAQCOM  r 0.65  beta 2.66  14 of 30 days``."""
    p = frame.palette
    radar = frame.radar
    if radar is None:
        return Text(f"computing{frame.glyphs.ellipsis}", style=p.muted)
    if not radar.correlations:
        return Text("no correlation: daily closes missing", style=p.muted)
    out = []
    for c in radar.correlations:
        head = f"{plain(c.symbol, 12)} vs {plain(c.series, 16)}"
        if c.r is None:
            out.append(
                fit(Text(f"{head:<22} n/a: {plain(c.reason or 'too few days', 80)}", style=p.muted), width)
            )
            continue
        beta = f"  beta {c.beta:.2f}" if c.beta is not None else ""
        out.append(fit(Text(f"{head:<22} r {c.r:+.2f}{beta}  {c.days} of {c.window_days} days"), width))
    return lines(out)


def build_macro(frame: Frame, width: int, height: int) -> Text:
    """The macro pane: the risk-off verdict, then one row per series."""
    rows = list(risk_off_lines(frame, width).split("\n"))[:-1]  # without the rule's footnote
    if any(frame.snapshot.macro.values()):
        rows += table(series_columns(frame, 12), width)
    else:
        rows.append(Text("no macro series yet", style=frame.palette.muted))
    rows.append(Text("m: drilldown (conditions, correlation)", style=frame.palette.muted))
    return lines(rows, height)
