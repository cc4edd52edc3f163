"""The market strip: one line with the whole market's size, BTC dominance and the venue's biggest
24 h movers, each part with its freshness.

Shortest form (80 columns): ``MCap $2.41T -6.2% · BTC.D 58.1% · ▼ SOL -14% DOGE -13% ▲ TRX +2%``;
wider terminals get more movers, one decimal and every part's age. A part older than one poll
interval shows its age; older than two it is dimmed. A part with no data is ``—`` with the
reason (``not in this recording``, ``coingecko failing``, ``waiting``). Pair names come from
the venue: they pass through :func:`crashtui.textsafe.plain` and are never markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text

from crashtui.analysis.freshness import Freshness, freshness
from crashtui.catalog import DEFAULT_POLL_S
from crashtui.model import MarketGlobal, MarketMovers, PairMove, SourceState
from crashtui.textsafe import plain
from crashtui.ui.fmt import fmt_age
from crashtui.ui.render.common import fit
from crashtui.ui.render.frame import Frame

MOVERS_SOURCE = "binance"
GLOBAL_SOURCE = "coingecko"


@dataclass(frozen=True, slots=True)
class _Form:
    """One level of detail: labels, movers per side, decimals, ages always or only when late."""

    long_labels: bool
    losers: int
    gainers: int
    digits: int
    ages: bool


# From the richest to the shortest; the first that fits the width is drawn.
FORMS: tuple[_Form, ...] = (
    _Form(True, 5, 5, 1, True),
    _Form(True, 4, 4, 1, True),
    _Form(False, 4, 3, 1, True),
    _Form(False, 3, 3, 1, True),
    _Form(False, 3, 3, 1, False),
    _Form(False, 3, 2, 0, False),
    _Form(False, 2, 1, 0, False),
    _Form(False, 1, 1, 0, False),
    _Form(False, 1, 0, 0, False),
    _Form(False, 0, 0, 0, False),
)


def fmt_cap(value: float) -> str:
    """``$2.41T``, ``$980.5B`` (a market capitalisation)."""
    if abs(value) >= 1e12:
        return f"${value / 1e12:.2f}T"
    if abs(value) >= 1e9:
        return f"${value / 1e9:.1f}B"
    return f"${value / 1e6:.0f}M"


def _pct(value: float | None, digits: int, sign: bool = True) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.{digits}f}%" if sign else f"{value:.{digits}f}%"


def _fresh(ts_ms: int, kind: str, frame: Frame) -> Freshness:
    return freshness(ts_ms, int(DEFAULT_POLL_S[kind] * 1000), frame.now_ms)


def _aged(part: Text, fresh: Freshness, frame: Frame, always: bool) -> Text:
    """``part`` with its age: shown when ``always`` or late; the whole part dim when stale."""
    p = frame.palette
    if fresh.stale:
        part.stylize(f"dim {p.muted}")
        part.append(f" {fmt_age(fresh.age_ms)} old", style=f"dim {p.warning}")
    elif always or fresh.state != "fresh":
        part.append(f" {fmt_age(fresh.age_ms)}", style=p.muted)
    return part


def missing_reason(frame: Frame, source: str) -> str:
    """Why a part has no data: the recording lacks it, its source fails or is off, or not yet."""
    if frame.replay is not None:
        return "not in this recording"
    status = frame.snapshot.statuses.get(source)
    if status is None or status.state is SourceState.DISABLED:
        return f"{source} off"
    if status.state in (SourceState.FAILING, SourceState.BLOCKED):
        return f"{source} {status.state}"
    return "waiting"


def _missing(label: str, frame: Frame, source: str, short: bool) -> Text:
    p = frame.palette
    out = Text(label, style=p.muted)
    out.append(f" {frame.glyphs.dash}", style=p.muted)
    if not short:
        out.append(f" {missing_reason(frame, source)}", style=f"dim {p.muted}")
    return out


def _market(market: MarketGlobal | None, frame: Frame, form: _Form) -> list[Text]:
    """The market cap part and the BTC dominance part."""
    p = frame.palette
    cap_label = "Market cap " if form.long_labels else "MCap "
    dom_label = "BTC dominance " if form.long_labels else "BTC.D "
    if market is None:
        reason = _missing(cap_label.strip(), frame, GLOBAL_SOURCE, False)
        return [reason, _missing(dom_label.strip(), frame, GLOBAL_SOURCE, True)]
    fresh = _fresh(market.ts_ms, "market_global", frame)
    cap = Text(cap_label, style=p.muted)
    cap.append(fmt_cap(market.total_market_cap_usd), style="bold")
    change = market.market_cap_change_24h_pct
    if change is not None:
        cap.append(" ")
        cap.append(_pct(change, 1), style=p.down if change < 0 else p.up)
    dom = Text(dom_label, style=p.muted)
    dom.append(_pct(market.btc_dominance_pct, 1, sign=False), style="bold")
    if fresh.stale:
        cap.stylize(f"dim {p.muted}")
    return [cap, _aged(dom, fresh, frame, form.ages)]  # one age for both: they are one reply


def _side(moves: tuple[PairMove, ...], count: int, frame: Frame, form: _Form, up: bool) -> Text:
    p = frame.palette
    g = frame.glyphs
    out = Text(g.up if up else g.down, style=p.up if up else p.down)
    if form.long_labels:
        out.append(" gainers" if up else " losers", style=p.muted)
    for move in moves[:count]:
        out.append(" ")
        out.append(plain(move.base, 12) or "?", style="bold")
        out.append(" ")
        out.append(_pct(move.change_24h_pct, form.digits), style=p.up if up else p.down)
    return out


def _movers(movers: MarketMovers | None, frame: Frame, form: _Form) -> Text | None:
    p = frame.palette
    if form.losers == 0 and form.gainers == 0:
        return None
    if movers is None:
        return _missing("movers", frame, MOVERS_SOURCE, False)
    if not movers.gainers and not movers.losers:
        return Text(f"movers: none of {movers.ranked} pairs ranked", style=p.muted)
    sides = []
    if movers.losers and form.losers:
        sides.append(_side(movers.losers, form.losers, frame, form, up=False))
    if movers.gainers and form.gainers:
        sides.append(_side(movers.gainers, form.gainers, frame, form, up=True))
    out = Text(" ").join(sides)
    if form.long_labels:
        out.append(f" of {movers.ranked} USDT pairs", style=p.muted)
    return _aged(out, _fresh(movers.ts_ms, "market_movers", frame), frame, form.ages)


def strip_at(frame: Frame, form: _Form) -> Text:
    """The strip in one form (unfitted)."""
    snapshot = frame.snapshot
    if snapshot.market is None and snapshot.movers is None and frame.replay is not None:
        return Text.assemble(
            (" market strip ", frame.palette.muted),
            (frame.glyphs.dash, frame.palette.muted),
            (" not in this recording", f"dim {frame.palette.muted}"),
        )
    parts = _market(snapshot.market, frame, form)
    movers = _movers(snapshot.movers, frame, form)
    if movers is not None:
        parts.append(movers)
    sep = Text(f" {frame.glyphs.sep} ", style=frame.palette.muted)
    return Text(" ").append_text(sep.join(parts))


def build_market_strip(frame: Frame, width: int) -> Text:
    """The strip, as detailed as ``width`` allows (the shortest form cut to fit)."""
    for form in FORMS:
        out = strip_at(frame, form)
        if out.cell_len <= width:
            return out
    out = strip_at(frame, FORMS[-1])
    if frame.glyphs.ascii:  # no ellipsis glyph in 7-bit mode
        out.truncate(width, overflow="crop")
        return out
    return fit(out, width)
