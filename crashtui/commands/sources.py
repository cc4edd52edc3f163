"""``crashtui sources``: probe every configured source once and print what is reachable.

Run it on a new server to see which providers answer from there. Every enabled REST source
(each kind, every watchlist symbol), the OKX REST side and every websocket stream is asked;
one row per source, kind and symbol (endpoint, status, latency, a sample value or the
one-line reason). Exits 0 only when every enabled source answered, 3 otherwise, so a script
can tell. Output is plain text: provider messages are never interpreted as markup.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from crashtui.textsafe import plain

if TYPE_CHECKING:
    from crashtui.config import LoadedConfig
    from crashtui.feeds.probe import ProbeResult

EXIT_OK = 0
EXIT_FAILED = 3
_HEADERS = ("SOURCE", "KIND", "SYMBOL", "ENDPOINT", "STATUS", "LATENCY", "SAMPLE / ERROR")
_LATENCY_COLUMN = 5


def register(subparsers: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """Add the ``sources`` subcommand."""
    parser = subparsers.add_parser(
        "sources",
        help="probe every configured source once and print what is reachable from here",
        description="Probe every enabled source once (REST for every watchlist symbol, the OKX "
        "REST side, the websocket streams; concurrently, within the configured timeouts) and "
        "print a table of what answered. Exits 0 when every enabled source answered, 3 otherwise.",
    )
    common(parser)
    parser.add_argument(
        "--strict", action="store_true", help="kept for old scripts: the exit code is always strict now"
    )
    parser.set_defaults(command=run)


def run(args: argparse.Namespace, loaded: LoadedConfig) -> int:
    """Probe, print the table, return the exit code."""
    import asyncio

    config = loaded.config
    watchlist = config.watchlist(getattr(args, "watchlist", None))
    symbols = tuple(watchlist.symbols) or ("BTC",)
    net = config.net
    print(
        f"crashtui sources: probing from this machine with {', '.join(plain(s, 32) for s in symbols)} "
        f"(connect timeout {net.connect_timeout_s:g} s, read timeout {net.read_timeout_s:g} s)",
        flush=True,
    )
    started = time.monotonic()
    results = asyncio.run(_probe(loaded, symbols))
    elapsed = time.monotonic() - started
    width = shutil.get_terminal_size((120, 24)).columns if sys.stdout.isatty() else 10_000
    print(render(results, width=width))
    counts: dict[str, int] = {}
    for result in results:
        counts[result.state.value] = counts.get(result.state.value, 0) + 1
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
    print(f"{summary} ({len(results)} probes in {elapsed:.1f} s)")
    silent = sorted({r.source for r in results if not r.answered})
    if silent:
        print(f"not answering: {', '.join(silent)}")
    return EXIT_FAILED if silent else EXIT_OK


async def _probe(loaded: LoadedConfig, symbols: tuple[str, ...]) -> list[ProbeResult]:
    from crashtui.feeds.probe import probe_all
    from crashtui.net.http import make_client

    async with make_client(loaded.config.net) as client:
        return await probe_all(loaded.config, client, symbols)


def render(results: Sequence[ProbeResult], width: int = 120) -> str:
    """The table as plain text; the last column is cut to fit ``width``."""
    rows = [_row(r) for r in results]
    widths = [max(len(h), *(len(row[i]) for row in rows)) if rows else len(h) for i, h in enumerate(_HEADERS)]
    lead = sum(widths[:-1]) + 2 * (len(widths) - 1)
    room = max(30, width - lead - 1)
    lines = []
    for row in [_HEADERS, *rows]:
        cells = [
            row[i].ljust(widths[i]) if i != _LATENCY_COLUMN else row[i].rjust(widths[i])
            for i in range(len(row) - 1)
        ]
        last = row[-1] if len(row[-1]) <= room else row[-1][: room - 1] + "…"
        lines.append("  ".join([*cells, last]).rstrip())
    return "\n".join(lines)


def _row(result: ProbeResult) -> tuple[str, str, str, str, str, str, str]:
    latency = (
        f"{result.latency_ms:.0f} ms"
        if result.latency_ms is not None and result.state.value != "disabled"
        else "-"
    )
    if result.state.value == "disabled":
        detail = "disabled in config"
    elif result.error is not None:
        prefix = f"{result.source} {result.endpoint}: "
        detail = result.error[len(prefix) :] if result.error.startswith(prefix) else result.error
        if result.hint:
            detail += f" (hint: {result.hint})"
    elif not result.items and result.note:
        detail = result.note
    else:
        detail = describe(result.kind, result.items)
        if result.note and result.symbol is None:
            detail += f"; {result.note}"
    symbol = plain(result.symbol, 32) if result.symbol else "-"
    # the source answered, but nothing for this symbol (not listed there, or an unknown pair)
    status = "no data" if result.symbol and result.ok and not result.items else result.state.value
    return (result.source, result.kind, symbol, result.endpoint, status, latency, plain(detail))


def describe(kind: str, items: Sequence[object]) -> str:
    """A short sample of what a probe returned, e.g. ``BTC 61,940.00 (-8.9% 24h)``."""
    from crashtui.model import (
        BookStats,
        BorrowRate,
        Candle,
        EtfFlow,
        FearGreedReading,
        FundingSnapshot,
        MacroObservation,
        Ticker,
    )

    if not items:
        return "answered, but no data for these symbols"
    last = items[-1]
    if isinstance(last, Ticker):
        change = f" ({last.change_24h_pct:+.1f}% 24h)" if last.change_24h_pct is not None else ""
        return f"{last.symbol} {last.price:,.2f}{change}"
    if isinstance(last, Candle):
        return f"{last.symbol} {last.interval} close {last.close:,.2f} ({len(items)} candles)"
    if isinstance(last, BookStats):
        return (
            f"{last.symbol} spread {last.spread_bps:.2f} bps, ±1% depth "
            f"${last.bid_depth_usd / 1e6:,.1f}M / ${last.ask_depth_usd / 1e6:,.1f}M"
        )
    if isinstance(last, FundingSnapshot):
        parts = [last.symbol]
        if last.funding_rate_8h is not None:
            parts.append(f"funding {last.funding_rate_8h * 100:.4f}%/8h")
        if last.open_interest_base is not None:
            parts.append(f"OI {last.open_interest_base:,.0f}")
        if last.mark_price is not None:
            parts.append(f"mark {last.mark_price:,.2f}")
        return " ".join(parts)
    if isinstance(last, EtfFlow):
        published = [f for f in items if isinstance(f, EtfFlow) and f.published]
        if not published:
            return f"{last.asset}: no published day yet"
        day = published[-1]
        total = day.total_usd_m or 0.0
        return f"{day.asset} {time.strftime('%Y-%m-%d', time.gmtime(day.day_ms / 1000))} {total:+,.1f} US$m"
    if isinstance(last, FearGreedReading):
        return f"{last.value:.0f} {last.classification}"
    if isinstance(last, MacroObservation):
        return f"{last.series} {time.strftime('%Y-%m-%d', time.gmtime(last.day_ms / 1000))} {last.value:,.2f}"
    if isinstance(last, BorrowRate):
        rates = ", ".join(f"{r.asset} {r.borrow_apy_pct:.2f}%" for r in items if isinstance(r, BorrowRate))
        return f"{last.protocol} {last.chain} borrow APY {rates}"
    return f"{len(items)} items"
