"""A plotext chart that rebuilds only when its spec, size or theme changes, cut to its width.

plotext and textual-plotext are imported when the first chart is drawn, not when the dashboard
is built: the first frame (the loading screen) has no chart, and the import costs ~12 ms. The
chart geometry (:mod:`crashtui.ui.render.charts`, ~5 ms of dataclasses) comes with the first spec.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget

from crashtui.ui.fmt import fmt_flow, fmt_price
from crashtui.ui.glyphs import Glyphs, to_ascii

if TYPE_CHECKING:
    from textual_plotext.plot import Plot

    from crashtui.ui.render.charts import ChartSpec

# plotext's cost grows with the candles drawn: past this many, neighbours are merged.
MAX_CANDLES = 120
DRAW_GAP_S = 0.002  # a deferred draw waits this long: other work (keys, frames) goes first

_NAMED = {
    "yellow": "orange",
    "bright_yellow": "orange+",
    "bright_black": "gray",
    "white": "gray+",
    "bright_white": "white",
    "default": "default",
}


def plot_color(style: str) -> Any:
    """A Rich colour (last word of a style) as plotext wants it: an RGB tuple or a colour name."""
    color = style.split()[-1] if style.strip() else "default"
    if color.startswith("#") and len(color) == 7:
        return (int(color[1:3], 16), int(color[3:5], 16), int(color[5:7], 16))
    if color in _NAMED:
        return _NAMED[color]
    if color.startswith("bright_"):
        return color.removeprefix("bright_") + "+"
    return color


def y_label(value: float, y_format: str) -> str:
    """A y tick label (``logprice``: ``value`` is a price's natural logarithm)."""
    if y_format == "logprice":
        return fmt_price(math.exp(value))
    if y_format == "flow":
        return fmt_flow(value)
    if y_format == "int":
        return f"{value:,.0f}"
    return fmt_price(value)


def y_ticks(low: float, high: float, count: int, y_format: str) -> list[float]:
    """Round tick values; on a log axis round prices, placed at their logarithms."""
    from crashtui.ui.render.charts import nice_ticks

    if y_format == "logprice":
        return [math.log(t) for t in nice_ticks(math.exp(low), math.exp(high), count) if t > 0]
    return nice_ticks(low, high, count)


def volume_row_count(height: int) -> int:
    """Text rows given to volume bars under a plot of ``height`` rows (none when cramped)."""
    return 0 if height < 8 else 1 if height < 12 else 2 if height < 18 else 3


@dataclass(frozen=True, slots=True)
class PlotArea:
    """Where plotext put the plot in the text: inner columns and rows, and the x span drawn."""

    left: int  # first inner column
    width: int  # inner columns
    top: int  # first inner row
    rows: int  # inner rows
    x_low: float
    x_high: float
    volume_rows: int = 0

    def column(self, x: float) -> int | None:
        """The text column of ``x`` (None outside the plotted span)."""
        span = self.x_high - self.x_low
        if not self.x_low <= x <= self.x_high:
            return None
        offset = round((x - self.x_low) / span * (self.width - 1)) if span > 0 else self.width - 1
        return self.left + offset


def find_area(plain: str, x_low: float, x_high: float) -> PlotArea | None:
    """The plot's frame (plotext's box ``┌…┐`` … ``└…┘``) in the built text, if drawn."""
    rows = plain.split("\n")
    top = next((i for i, r in enumerate(rows) if "┌" in r and "┐" in r), None)
    bottom = next((i for i, r in enumerate(rows) if "└" in r), None)
    if top is None or bottom is None or bottom <= top + 1:
        return None
    left, right = rows[top].index("┌"), rows[top].index("┐")
    if right <= left + 1:
        return None
    return PlotArea(left + 1, right - left - 1, top + 1, bottom - top - 1, x_low, x_high)


def plotext_theme(app_theme: str, variables: dict[str, str], ansi: bool) -> str:
    """The plotext theme for a Textual theme, registered with plotext on first use.

    ANSI themes draw in the terminal's own colours (plotext's ``clear``); others get the app
    theme's surface and foreground (what textual-plotext's ``auto`` theme does).
    """
    if ansi:
        return "clear"
    from plotext._dict import themes
    from textual.color import Color
    from textual_plotext.plot import _rgbify_theme, _sequence

    name = f"textual-auto-{app_theme}"
    if name not in themes:
        surface = Color.parse(variables.get("surface", "black")).rgb
        foreground = Color.parse(variables.get("foreground", "white")).rgb
        themes[name] = _rgbify_theme(surface, surface, foreground, "default", list(_sequence))
    return name


class ChartView(Widget):
    """Draws a :class:`ChartSpec`; series are decimated to the plot's width before plotting."""

    DEFAULT_CSS = """
    ChartView {
        width: 1fr;
        height: 1fr;
        min-height: 5;
    }
    """

    def __init__(
        self, glyphs: Glyphs, *, id: str | None = None, classes: str | None = None, cursor_row: bool = False
    ) -> None:
        super().__init__(id=id, classes=classes)
        # The bottom row is kept for the cursor's caret (under the candle it points at).
        self._cursor_row = cursor_row
        self._plot: Plot | None = None
        self._glyphs = glyphs
        self._spec: ChartSpec | None = None
        self._cache: tuple[ChartSpec, tuple[int, int, str], Text] | None = None  # spec, size+theme
        self._shown_key: tuple[tuple[int, int], object] | None = None
        self.builds = 0
        self.last_build_ms = 0.0
        self.worst_build_ms = 0.0
        self._draw_pending = False  # a deferred draw is scheduled
        self._cursor_x: float | None = None
        self._area: PlotArea | None = None  # of the cached picture
        self._x_range = (0.0, 1.0)
        self.cursor_repaints = 0  # cursor moves repainted as two columns, not the whole chart

    def on_mount(self) -> None:
        """Follow the app's theme: ANSI themes draw the plot in the terminal's own colours."""
        self.app.theme_changed_signal.subscribe(self, lambda theme: self._follow_theme())
        self._follow_theme()

    def _follow_theme(self) -> None:
        self._cache = None
        self.refresh()

    @property
    def plt(self) -> Plot:
        """The plotext figure (created, and plotext imported, on first use)."""
        if self._plot is None:
            from textual_plotext.plot import Plot

            self._plot = Plot()
        return self._plot

    def _plot_text(self, width: int, height: int) -> Text:
        """What textual-plotext's ``PlotextPlot.render`` does: size, theme, build, parse the ANSI."""
        plt = self.plt
        plt.plotsize(width, height)
        plt._set_size(width, height)  # textual-plotext issue 5: resizing needs both calls
        plt.theme(plotext_theme(self.app.theme, self.app.theme_variables, self.app.current_theme.ansi))
        return Text.from_ansi(plt.build())

    @property
    def spec(self) -> ChartSpec | None:
        """The spec being shown."""
        return self._spec

    def set_spec(self, spec: ChartSpec, *, defer: bool = False) -> bool:
        """Show ``spec``; True (and a repaint) only when the picture would change.

        A spec that differs only below the plot's resolution is kept for the next repaint but
        does not trigger one (each chart repaint costs kilobytes over SSH). With ``defer`` the
        plot is drawn in a later loop turn, not in the screen update that follows this call:
        plotext takes ~5 ms, and the refresh tick spreads its work so input is never kept waiting.
        """
        from crashtui.ui.render.charts import visual_key

        if spec == self._spec:
            return False
        width, height = self.size.width, self.size.height
        key = visual_key(spec, width, height)
        old_key = self._shown_key
        if old_key is None or old_key[0] != (width, height):
            old = visual_key(self._spec, width, height) if self._spec is not None else None
            old_key = ((width, height), old)
        self._spec = spec
        self._shown_key = ((width, height), key)
        if key == old_key[1]:
            return False
        if not defer:
            self.refresh()
        elif not self._draw_pending:
            self._draw_pending = True
            self.set_timer(DRAW_GAP_S, self._draw_ahead)
        return True

    @property
    def cursor_column(self) -> int | None:
        """The text column the cursor is drawn in (None: no cursor or no picture yet)."""
        if self._cursor_x is None or self._area is None:
            return None
        return self._area.column(self._cursor_x)

    def set_cursor(self, x: float | None) -> None:
        """Put the cursor at ``x`` (None: no cursor), repainting only the caret's row.

        The plot is neither rebuilt nor resent: the caret sits in the bottom row (kept with
        ``cursor_row``), so a cursor move costs one short line over SSH, not the chart. (A
        reversed column over the plot cost more than a full repaint: Textual resends each
        line's run of same-styled cells from its start up to a changed cell.)
        """
        if x == self._cursor_x:
            return
        self._cursor_x = x
        if not self._cursor_row:
            return
        if self._area is None or self._cache is None or self._draw_pending:
            self.refresh()
            return
        self.cursor_repaints += 1
        self.refresh(Region(0, self.size.height - 1, self.size.width, 1))

    def _draw_ahead(self) -> None:
        """Draw the current spec into the cache, then repaint (which only copies the cached text).

        Whatever spec is current by now is drawn: one set since with the same picture returned
        False and relies on this draw.
        """
        self._draw_pending = False
        if not self.is_attached:
            return
        self.render()
        self.refresh()

    def render(self) -> Text:
        """The plot, from the cache when nothing it depends on changed."""
        spec = self._spec
        width, height = self.size.width, self.size.height
        if spec is None or spec.empty or width < 12 or height < 4:
            message = spec.empty_text if spec is not None else ""
            return Text(message, style="dim")
        key = (width, height, self.app.theme)
        if self._cache is not None and self._cache[0] is spec and self._cache[1] == key:
            return self._with_cursor(self._cache[2])
        started = time.perf_counter()
        height -= 1 if self._cursor_row else 0
        vol_rows = volume_row_count(height) if spec.volume is not None else 0
        self._draw(spec, width, height - vol_rows)
        text = self._plot_text(width, height - vol_rows)
        self._area = find_area(text.plain, *self._x_range)
        if vol_rows and self._area is not None and spec.volume is not None:
            text = self._add_volume(text, spec, self._area, vol_rows, height)
            self._area = replace(self._area, volume_rows=vol_rows)
        if self._glyphs.ascii:
            text = Text(to_ascii(text.plain), spans=list(text.spans), end="")
        self.last_build_ms = (time.perf_counter() - started) * 1000
        self.worst_build_ms = max(self.worst_build_ms, self.last_build_ms)
        self.builds += 1
        self._cache = (spec, key, text)
        return self._with_cursor(text)

    def _add_volume(self, text: Text, spec: ChartSpec, area: PlotArea, rows: int, height: int) -> Text:
        """Volume bars under the plot, one per text column of the plot area."""
        from crashtui.ui.render.charts import volume_columns, volume_rows

        assert spec.volume is not None
        cells = volume_columns(spec.volume, area.x_low, area.x_high, area.width)
        bars = volume_rows(cells, rows, self._glyphs.ascii)
        plot_lines = list(text.split("\n"))[: height - rows]  # plotext ends with a newline
        while len(plot_lines) < height - rows:
            plot_lines.append(Text(""))
        label = "vol".rjust(max(0, area.left - 1))[: max(0, area.left - 1)]
        color = spec.volume.color.split()[-1] if spec.volume.color.strip() else "default"
        for i, bar in enumerate(bars):
            line = Text((label if i == rows - 1 else " " * len(label)) + " ", style="dim")
            line.append(bar, style=color)
            plot_lines.append(line)
        return Text("\n").join(plot_lines)

    def _with_cursor(self, text: Text) -> Text:
        """``text`` and, with ``cursor_row``, the caret row under the cursor's candle."""
        if not self._cursor_row:
            return text
        col = self.cursor_column
        caret = Text("")
        if col is not None:
            caret = Text(" " * col)
            caret.append("^" if self._glyphs.ascii else "▲", style="bold reverse")
        plot_lines = list(text.split("\n"))[: max(0, self.size.height - 1)]
        while len(plot_lines) < self.size.height - 1:
            plot_lines.append(Text(""))
        return Text("\n").join([*plot_lines, caret])

    def _draw(self, spec: ChartSpec, width: int, height: int) -> None:
        from crashtui.ui.render.charts import aggregate_candles, decimate, open_range, y_bounds

        plt = self.plt
        plt.clear_figure()
        plot_width = max(10, width - 10)
        marker = self._glyphs.plot_marker
        bounds = y_bounds(spec)
        xs_all = [x for s in spec.series for x in s.xs]
        if spec.candles is not None:
            xs_all.extend(spec.candles.xs)
        x_low, x_high = open_range(min(xs_all), max(xs_all)) if xs_all else (0.0, 1.0)
        self._x_range = (x_low, x_high)
        band_marker = "." if self._glyphs.ascii else "░"
        for band in spec.bands:
            plt.rectangle(
                [x_low, x_high],  # type: ignore[arg-type]
                [band.low, band.high],  # type: ignore[arg-type]
                fill=True,
                color=plot_color(band.color),
                marker=band_marker,
            )
        for line in spec.hlines:
            plt.hline(line.y, plot_color(line.color))
        for series in spec.series:
            if not series.xs:
                continue
            if series.bars:
                plt.bar(list(series.xs), list(series.ys), color=plot_color(series.color), width=0.6)
            else:
                xs, ys = decimate(series.xs, series.ys, plot_width)
                label = series.label if len(spec.series) > 1 and series.label else None
                plt.plot(xs, ys, marker=marker, color=plot_color(series.color), label=label)
        if spec.candles is not None and spec.candles.xs:
            c = aggregate_candles(spec.candles, max(8, min(MAX_CANDLES, plot_width - 2)))
            data = {
                "Open": list(c.opens),
                "High": list(c.highs),
                "Low": list(c.lows),
                "Close": list(c.closes),
            }
            candle_xs: list[Any] = list(c.xs)  # plotext takes numbers here although its stubs say dates
            plt.candlestick(candle_xs, data, colors=[plot_color(c.up), plot_color(c.down)])
        self._labels(spec, bounds, x_low, x_high, width, height)
        if bounds is not None:
            plt.ylim(*bounds)
            ticks = y_ticks(bounds[0], bounds[1], max(2, height // 3), spec.y_format)
            plt.yticks(ticks, [y_label(t, spec.y_format) for t in ticks])
        if spec.xticks:
            plt.xticks([x for x, _ in spec.xticks], [label for _, label in spec.xticks])
        plt.xlim(x_low, x_high)

    def _labels(
        self,
        spec: ChartSpec,
        bounds: tuple[float, float] | None,
        x_low: float,
        x_high: float,
        width: int,
        height: int,
    ) -> None:
        """Label lines and bands at an edge where they cover no data (see ``place_labels``)."""
        from crashtui.ui.render.charts import place_labels

        if bounds is None or width < 30 or height < 6:
            return
        plt = self.plt
        wanted = [(line.y, line.label, line.color, "left") for line in spec.hlines if line.label]
        wanted += [((b.low + b.high) / 2, b.label, b.color, "right") for b in spec.bands if b.label]
        data = [
            (x, min(y, 0.0), max(y, 0.0)) if s.bars else (x, y, y)
            for s in spec.series
            for x, y in zip(s.xs, s.ys, strict=True)
        ]
        if spec.candles is not None:
            c = spec.candles
            data += list(zip(c.xs, c.lows, c.highs, strict=True))
        spots = place_labels(wanted, data, bounds, (x_low, x_high), max(10, width - 10), max(1, height - 3))
        for spot in spots:
            x = x_low if spot.side == "left" else x_high
            plt.text(spot.text, x=x, y=spot.y, alignment=spot.side, color=plot_color(spot.color))
