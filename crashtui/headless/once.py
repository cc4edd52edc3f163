"""``crashtui --once [--json]``: one snapshot, printed, then exit.

Replay runs the recording at full speed to ``--until`` (or its end). Live starts the feed
and waits until every data kind has an answer (served, or every source failed) or the
deadline passes, then prints what it has. Exit 3 when no source delivered anything.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
from collections.abc import Mapping, Sequence
from typing import Any

from crashtui.analysis.market import MarketAnalysis
from crashtui.analysis.price import current_price
from crashtui.config.loader import LoadedConfig
from crashtui.engine import Engine
from crashtui.model import (
    LOCAL_SOURCES,
    POLLED_INTERVALS,
    HeldCount,
    Snapshot,
    SourceState,
    SourceStatus,
)
from crashtui.numfmt import counted, fmt_price, fmt_usd
from crashtui.textsafe import plain
from crashtui.timeparse import iso_utc
from crashtui.upstream.health import OFFLINE, network_notice

EXIT_NO_DATA = 3
_C1_CONTROLS = re.compile("[\u0080-\u009f]")
_SETTLED = (SourceState.FAILING, SourceState.BLOCKED, SourceState.DISABLED, SourceState.STALE)


def build_engine(args: argparse.Namespace, loaded: LoadedConfig, *, headless: bool) -> Engine:
    """The engine the arguments ask for (``--once`` and ``watch``), via the one builder."""
    from crashtui.assemble import build_engine as build
    from crashtui.assemble import options_from_args, watchlist_from_args
    from crashtui.config.saved_pins import load_saved_pins

    config = loaded.config
    engine = build(
        config, watchlist_from_args(args, config), options_from_args(args, config, headless=headless)
    )
    pins, warning = load_saved_pins()  # the levels pinned on the dashboard's chart, as on screen
    if warning:
        print(f"crashtui: {plain(warning, 300)}", file=sys.stderr)
    engine.ui_pins = pins
    return engine


def settled(engine: Engine, history: Mapping[str, SourceStatus] | None = None) -> bool:
    """Every polled data kind is served, or every source in its chain has answered (or failed)
    in this run.

    ``history`` holds the statuses painted from the store at start: they describe an earlier
    run, so a source whose status is still that very object has not been heard from yet (a
    stored "failing" from last night's outage is not this run's answer).
    """
    state = engine.state
    past = history or {}
    fresh = {k: v for k, v in state.statuses.items() if past.get(k) is not v}
    if not fresh:
        return False
    for kind, chain in engine.config.failover.items():
        if kind in state.serving:
            continue
        enabled = [s for s in chain if engine.config.source(s).enabled]
        if any(fresh.get(s) is None or fresh[s].state not in _SETTLED for s in enabled):
            return False
    return all(t in state.tickers for t in engine.watchlist) or not state.tickers


def delivered_this_run(engine: Engine, history: Mapping[str, SourceStatus]) -> bool:
    """Whether any source (other than the local store and recorder) answered with data in this
    run: stored history painted at start does not count."""
    return any(
        status.state is SourceState.OK and history.get(name) is not status and name not in LOCAL_SOURCES
        for name, status in engine.state.statuses.items()
    )


def json_text(doc: object) -> str:
    """``doc`` as indented UTF-8 JSON that is safe to print to a terminal.

    ``ensure_ascii=False`` keeps "×" and "–" readable but would pass C1 controls through raw,
    and a terminal acts on U+009B (CSI) or U+009D (OSC) from a provider's string: they are
    escaped as ``\\u009b`` like JSON escapes the C0 ones.
    """
    return _C1_CONTROLS.sub(
        lambda m: f"\\u{ord(m.group()):04x}", json.dumps(doc, indent=1, ensure_ascii=False)
    )


def run_once(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Print one snapshot (JSON or text); exit 0, or 3 when no source delivered data."""
    engine = build_engine(args, loaded, headless=True)
    history: dict[str, SourceStatus] = {}
    if engine.replay is not None:
        engine.replay_to_end()
        _say_skipped(engine)
    else:
        engine.load_history()
        history = dict(engine.state.statuses)
        from crashtui.engine import run_until

        asyncio.run(run_until(engine, lambda: settled(engine, history), args.deadline))
    analysis = engine.analysis()
    snapshot = engine.state.snapshot()
    if args.json:
        from crashtui.headless.document import build_document

        doc = build_document(
            snapshot,
            analysis,
            header=engine.header,
            serving=snapshot.serving,
            radar=engine.radar(),
            bad_lines=engine.replay.bad_lines if engine.replay is not None else 0,
        )
        sys.stdout.write(json_text(doc) + "\n")
    else:
        sys.stdout.write(text_summary(engine, analysis, history) + "\n")
    if engine.replay is None and engine.feed_label == "direct":
        # Live: stored history painted at start is shown (with its age) but is not an answer.
        return 0 if delivered_this_run(engine, history) else EXIT_NO_DATA
    return 0 if engine.any_data() else EXIT_NO_DATA


def _stale_candles(symbol: str, snap: Snapshot) -> list[str]:
    """``1h candles stale: closed 3 h ago`` for each candle series too old to pass as current."""
    from crashtui.analysis.freshness import candle_freshness, describe

    out = []
    for interval in POLLED_INTERVALS:  # a chart's 5m/15m from the store are nobody's current data
        verdict = candle_freshness(snap.candles.get((symbol, interval), ()), interval, snap.generated_ms)
        if verdict is not None and verdict.stale:
            out.append(f"{interval.value} candles {describe(verdict, 'closed')}")
    return out


def _say_skipped(engine: Engine) -> None:
    """One stderr line when the recording had malformed lines (skipped, never fatal)."""
    replay = engine.replay
    source = replay.source if replay is not None else None
    skipped = int(getattr(source, "skipped", 0) or 0)
    if skipped:
        first = plain(str(getattr(source, "first_skipped", "") or ""), 160)
        where = plain(str(getattr(source, "path", "the recording")))
        print(f"crashtui: {where}: skipped {skipped} malformed lines ({first})", file=sys.stderr)


def text_summary(
    engine: Engine, analysis: MarketAnalysis, history: Mapping[str, SourceStatus] | None = None
) -> str:
    """A compact plain-text summary for cron, mail or a login banner (``history``: the stored
    statuses painted at start, to tell stored data from this run's answers)."""
    snap = engine.state.snapshot()
    lines = []
    head = f"crashtui {iso_utc(snap.generated_ms)[:16]}Z"
    if engine.header is not None:
        kind = "scenario, not live data" if engine.header.scenario else "recording"
        bad = engine.replay.bad_lines if engine.replay is not None else 0
        if bad:
            kind += f", {bad} bad line{'s' if bad != 1 else ''} skipped"
        head += f"  REPLAY {plain(engine.header.label)} ({kind})"
    g = analysis.gauge
    if g.score is None:
        head += "  crash gauge: no data"
    elif not g.sufficient:
        head += f"  crash gauge {g.label} {g.coverage_text}"
    else:
        head += f"  crash gauge {g.score:.0f}/100 {g.label}"
    lines.append(head)
    for item in analysis.symbols:
        if item.price is None:
            lines.append(f"{item.symbol:<5} no data ({item.note})")
            continue
        read = current_price(snap, item.symbol)  # the price item.price is, with its age
        change = f"{read.change_24h_pct:+.1f}%" if read and read.change_24h_pct is not None else "   n/a"
        parts = [f"{item.symbol:<5} {fmt_price(item.price):>10} {change:>7}"]
        if read is not None and read.stale and read.source.startswith("ticker"):
            parts.append(f"price {read.source}")  # a stale close says so in _stale_candles
        if item.summary is not None:
            s = item.summary.support
            if s is not None:
                parts.append(f"support {fmt_price(s.level)} ({s.distance_pct:+.1f}%)")
            if item.summary.badge_text:
                parts.append(item.summary.badge_text)
        parts.extend(_stale_candles(item.symbol, snap))
        lines.append("  ".join(parts))
    day = analysis.liquidations.window("24h")
    if day is not None and day.total.count:
        share = f"{day.total.long_share * 100:.0f}% longs" if day.total.long_share is not None else ""
        bound = " (lower bound)" if day.lower_bound else ""
        line = f"Liquidations 24h {fmt_usd(day.total.total_usd)}{bound} {share}"
        line += f" · worst 24h {fmt_usd(analysis.worst_24h_usd)}"
        if analysis.liquidations.cascade is not None:
            line += f" · CASCADE since {iso_utc(analysis.liquidations.cascade.start_ms)[11:16]}Z"
        lines.append(line)
    for etf in analysis.etf:
        t = etf.total
        if t.latest_usd_m is None:
            continue
        wtd = t.week_to_date.net_usd_m
        streak = f"streak {t.streak.days}d {t.streak.direction}" if t.streak.days else ""
        wtd_text = f"wtd {wtd:+,.0f}" if wtd is not None else "wtd n/a"
        latest = iso_utc(t.latest_day_ms)[5:10] if t.latest_day_ms is not None else "?"
        lines.append(
            f"ETF {etf.asset} last ({latest}) {t.latest_usd_m:+,.1f} US$m · {wtd_text} · {streak}".rstrip(
                " ·"
            )
        )
    fear = []
    for index, label in (("crypto", "Crypto F&G"), ("stocks", "Stocks F&G")):
        readings = snap.fear.get(index, ())
        if readings:
            fear.append(f"{label} {readings[-1].value:.0f} {plain(readings[-1].classification)}")
    if fear:
        lines.append(" · ".join(fear))
    lines.append(_sources_line(snap.statuses, snap.held))
    if engine.mode == "live" and not engine.any_data():
        said = network_notice(snap.statuses.values())
        if said.kind is not None and said.kind != OFFLINE:  # the network works: say what refused
            lines.append(
                f"No data from any source: {said.text}. The offline demo: crashtui --replay feb-2026"
            )
        else:
            lines.append(
                "No data from any source (no network?). The offline demo: crashtui --replay feb-2026"
            )
    elif history is not None and engine.feed_label == "direct" and not delivered_this_run(engine, history):
        lines.append("No source answered in this run: the figures above are stored history.")
    return "\n".join(lines)


def _sources_line(statuses: Any, held: Mapping[str, Sequence[HeldCount]], shown: int = 3) -> str:
    """``Sources: N ok (5 items held, 2 bad frames) · M failing: a: why · +K more`` (one line;
    what was held or refused is listed by ``crashtui --once --json`` under ``sources``)."""
    ok = [s for s in statuses.values() if s.state is SourceState.OK and s.source not in LOCAL_SOURCES]
    bad = sorted(
        (s for s in statuses.values() if s.state in (SourceState.FAILING, SourceState.BLOCKED)),
        key=lambda s: (s.state is not SourceState.BLOCKED, s.source),
    )
    out = f"Sources: {len(ok)} ok"
    held_items = sum(h.count for counts in held.values() for h in counts)
    bad_frames = sum(s.bad_frames for s in statuses.values())
    refused = [f"{counted(held_items, 'item')} held"] if held_items else []
    refused += [counted(bad_frames, "bad frame")] if bad_frames else []
    if refused:
        out += f" ({', '.join(refused)})"
    if bad:
        out += f" · {len(bad)} failing: " + " · ".join(
            f"{s.source} {'blocked' if s.state is SourceState.BLOCKED else ''}".rstrip()
            + f": {plain(s.last_error or '', 90)}"
            for s in bad[:shown]
        )
        if len(bad) > shown:
            out += f" · +{len(bad) - shown} more (crashtui sources)"
    return out
