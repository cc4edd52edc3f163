"""Run the reliability suite's fault server by hand and point crashtui at it.

    python benchmarks/fault_server.py --port 8765 --mode slow
    python benchmarks/fault_server.py --port 8765 --fault binance=429 --fault bybit_liq=storm

It impersonates every provider (REST on ``--port``, the three liquidation websockets on
``--ws-port``, default port + 1) and prints a config snippet that points every source at
it: save it as a file and run ``crashtui --config FILE`` (or ``crashtui sources``,
``crashtui --once``). While it runs, type commands on stdin to change faults:

    binance 5xx            set one source's fault
    * ok                   set the default fault of every source without its own
    binance 429 retry_after_s=120
    clear                  everything healthy again
    stats                  requests and connections so far

Modes: see ``--list-modes`` (tests/reliability/fault_modes.py documents each one).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make tests.reliability importable
    sys.path.insert(0, str(ROOT))

from tests.reliability.fault_modes import Fault  # noqa: E402
from tests.reliability.fault_server import FaultServer  # noqa: E402

KNOBS = {"retry_after_s": float, "slow_s": float, "drip_s": float, "oversize_mb": float, "message": str}


def parse_fault(text: str) -> tuple[str | None, Fault, dict[str, Any]]:
    """``SOURCE=MODE`` or ``SOURCE MODE``, then optional ``knob=value`` words (``*``: every source)."""
    words = text.split()
    if "=" in words[0]:
        (source, mode), rest = words[0].split("=", 1), words[1:]
    else:
        source, mode, rest = words[0], words[1], words[2:]
    knobs: dict[str, Any] = {}
    for word in rest:
        name, _, value = word.partition("=")
        if name not in KNOBS:
            raise ValueError(f"unknown knob {name!r}; known: {', '.join(KNOBS)}")
        knobs[name] = KNOBS[name](value)
    return (None if source in ("*", "all") else source), Fault(mode), knobs


def build_parser() -> argparse.ArgumentParser:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--port", type=int, default=8765, help="REST port (0: any free port)")
    parser.add_argument("--ws-port", type=int, default=None, help="websocket port (default: --port + 1)")
    parser.add_argument("--mode", default="ok", help="default fault of every source (default ok)")
    parser.add_argument(
        "--fault", action="append", default=[], metavar="SOURCE=MODE", help="a source's fault"
    )
    parser.add_argument("--retry-after", type=float, default=30.0, help="Retry-After seconds for 429/418")
    parser.add_argument("--slow", type=float, default=2.0, help="delay of slow answers, seconds")
    parser.add_argument("--ws-interval", type=float, default=0.5, help="seconds between pushed liquidations")
    parser.add_argument("--list-modes", action="store_true", help="print the fault modes and exit")
    parser.add_argument("--quiet", action="store_true", help="print only the config snippet")
    return parser


def handle(server: FaultServer, line: str) -> str:
    """Apply one stdin command; returns what to print."""
    words = line.split()
    if not words:
        return ""
    if words[0] == "clear":
        server.clear()
        return "all healthy"
    if words[0] == "stats":
        counts = Counter(h.source for h in server.hits)
        ws = Counter(h.source for h in server.ws_hits)
        return f"{server.requests} requests {dict(counts)}; websocket connections {dict(ws)}"
    try:
        source, mode, knobs = parse_fault(line)
    except (ValueError, IndexError) as exc:
        return f"? {exc} (try: binance 429, * ok, clear, stats)"
    server.set_fault(source, mode, **knobs)
    return f"{source or 'every source'}: {mode.value}"


async def serve(args: argparse.Namespace) -> None:
    """Start the server, print the snippet, obey stdin until it closes or Ctrl-C."""
    server = FaultServer(ws_interval_s=args.ws_interval, keep_hits=10_000)
    server.set_fault(None, Fault(args.mode), retry_after_s=args.retry_after, slow_s=args.slow)
    for text in args.fault:
        source, mode, knobs = parse_fault(text)
        server.set_fault(source, mode, **knobs)
    ws_port = args.ws_port if args.ws_port is not None else (args.port + 1 if args.port else 0)
    await server.start(args.port, ws_port)
    print(f"# crashtui fault server: http 127.0.0.1:{server.http_port}, ws 127.0.0.1:{server.ws_port}")
    print("# save this as a config file and run: crashtui --config FILE")
    print(server.config_toml(), flush=True)
    if not args.quiet:
        print("# commands on stdin: SOURCE MODE [knob=value], * MODE, clear, stats", file=sys.stderr)
    loop = asyncio.get_running_loop()
    try:
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:  # stdin closed: keep serving until interrupted
                await asyncio.Event().wait()
            reply = handle(server, line.strip())
            if reply and not args.quiet:
                print(reply, file=sys.stderr, flush=True)
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    args = build_parser().parse_args(argv)
    if args.list_modes:
        for mode in Fault:
            print(mode.value)
        return 0
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
