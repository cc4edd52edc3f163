"""Peak RSS of ``crashtui --once`` while every provider sends a huge body.

A loopback HTTP server (its own process, so its buffers never count) answers every request of
every REST source with one of:

* ``json``: a 29 MiB JSON body (chunked, no Content-Length), the size that took ``--once``
  to 1.7 GB before bodies were capped while streaming;
* ``gzip``: a gzip bomb, ``Content-Encoding: gzip``, about 1 MB on the wire that inflates to
  1 GiB;
* ``small``: a small valid JSON error (the baseline: what ``--once`` costs anyway).

``crashtui --once`` runs against it with a config pointing every source there (streams off)
and its peak RSS is read with ``resource.getrusage(RUSAGE_CHILDREN)`` once it has exited (the
parent stays small and the server is reaped only afterwards, so neither counts). The target:
under 150 MiB whatever the providers send.

Run: ``python benchmarks/bench_body_cap.py [--root CHECKOUT] [--deadline S] [MODE ...]``;
``--root`` measures another checkout (e.g. the one before the change) with the same server.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MiB = 2**20
JSON_MIB = 29
BOMB_MIB = 1024
TARGET_MIB = 150
MODES = ("small", "json", "gzip")


# --- the server (runs in its own process: ``--serve MODE``) -----------------------------------


def _json_chunks() -> list[bytes]:
    row = b'{"symbol":"BTCUSDT","lastPrice":"61940.00","openPrice":"68000.00","quoteVolume":"1"},'
    chunk = row * (64 * 1024 // len(row))
    count = JSON_MIB * MiB // len(chunk)
    return [b"[", *([chunk] * count), b"{}]"]


def _bomb() -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b"0" * (16 * MiB)
    parts = [packer.compress(zeros) for _ in range(BOMB_MIB // 16)]
    return b"".join(parts) + packer.flush()


async def _serve(mode: str) -> None:
    chunks = _json_chunks() if mode == "json" else []
    bomb = _bomb() if mode == "gzip" else b""

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                await reader.readuntil(b"\r\n\r\n")
                if mode == "json":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Transfer-Encoding: chunked\r\n\r\n"
                    )
                    for chunk in chunks:
                        writer.write(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                        await writer.drain()
                    writer.write(b"0\r\n\r\n")
                elif mode == "gzip":
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\n"
                        + f"Content-Length: {len(bomb)}\r\n\r\n".encode()
                        + bomb
                    )
                else:
                    body = b'{"code":-1121,"msg":"Invalid symbol."}'
                    writer.write(
                        b"HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n"
                        + f"Content-Length: {len(body)}\r\n\r\n".encode()
                        + body
                    )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


# --- the measurement ------------------------------------------------------------------------


def _config(port: int, home: Path) -> Path:
    sys.path.insert(0, str(ROOT))
    from crashtui.catalog import SOURCES

    lines = []
    for name, info in SOURCES.items():
        lines.append(f"[sources.{name}]")
        if info.stream:
            lines.append("enabled = false")
        else:
            lines.append(f'base_url = "http://127.0.0.1:{port}/{name}"')
        lines.append("")
    path = home / "config.toml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def measure(mode: str, root: Path, deadline_s: float) -> tuple[float, int]:
    """(peak RSS in MiB, exit code) of one ``--once`` run against a ``mode`` server."""
    server = subprocess.Popen([sys.executable, __file__, "--serve", mode], stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        home = Path(tempfile.mkdtemp(prefix="crashtui-bodycap-"))
        env = dict(os.environ)
        env.update(
            PYTHONPATH=str(root),
            CRASHTUI_CONFIG=str(_config(port, home)),
            CRASHTUI_CONFIG_DIR=str(home / "config"),
            CRASHTUI_DATA_DIR=str(home / "data"),
        )
        once = subprocess.run(
            [sys.executable, "-m", "crashtui", "--once", "--deadline", str(deadline_s)],
            env=env,
            cwd=home,  # `python -m` puts the working directory first on sys.path
            capture_output=True,
            text=True,
            timeout=deadline_s + 120,
        )
        # the server is still running (not reaped): only --once counts here
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        return peak_kib / 1024, once.returncode
    finally:
        server.terminate()
        server.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modes", nargs="*", metavar="MODE", help=f"any of {', '.join(MODES)} (all)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to measure")
    parser.add_argument("--deadline", type=float, default=10.0, help="--once deadline (s)")
    parser.add_argument("--serve", choices=MODES, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        asyncio.run(_serve(args.serve))
        return 0
    modes = args.modes or list(MODES)
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        parser.error(f"unknown mode {unknown[0]!r}: choose from {', '.join(MODES)}")
    worst = 0.0
    for mode in modes:
        # one fresh measuring process per mode: RUSAGE_CHILDREN keeps the largest child ever
        out = subprocess.run(
            [sys.executable, __file__, "--measure-one", mode, str(args.root), str(args.deadline)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        peak, code = float(out[0]), int(out[1])
        worst = max(worst, peak) if mode != "small" else worst
        print(f"--once peak RSS, providers send {mode:>5}: {peak:6.1f} MiB (exit {code})", flush=True)
    verdict = "under" if worst < TARGET_MIB else "OVER"
    print(f"worst {worst:.1f} MiB: {verdict} the {TARGET_MIB} MiB target")
    return 0 if worst < TARGET_MIB else 1


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--measure-one":
        peak_mib, exit_code = measure(sys.argv[2], Path(sys.argv[3]), float(sys.argv[4]))
        print(f"{peak_mib:.1f} {exit_code}")
        sys.exit(0)
    sys.exit(main())
