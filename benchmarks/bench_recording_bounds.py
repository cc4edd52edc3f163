"""Memory of reading hostile recordings: a gzip bomb and a large out-of-order file.

Each case opens the recording with ``RecordingSource`` and reads every payload in a fresh
interpreter, and prints its peak RSS (``VmHWM``) and time. Targets: a bomb is refused in
one line without reading it whole; an out-of-order recording costs about what an ordered one
does (it is sorted through temporary files, 32 MiB of lines in memory at most).
Run: ``python benchmarks/bench_recording_bounds.py [--copies 8] [--bomb-mib 512]``.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

from crashtui.model import RawPayload
from crashtui.replay.locate import locate_recording
from crashtui.replay.recording import RecordingHeader, read_recording, write_recording

HEADER = RecordingHeader(created_ms=1, label="bench", watchlist=("BTC",))
MEASURE = r"""
import sys, time
from pathlib import Path
from crashtui.replay.recording import RecordingError, RecordingSource
started = time.perf_counter()
try:
    count = sum(1 for _ in RecordingSource(Path(sys.argv[1])))
    outcome = f"{count:,} payloads"
except RecordingError as exc:
    outcome = f"refused: {str(exc).split(': ', 1)[1][:90]}"
# VmHWM, not getrusage: ru_maxrss survives exec, so it would report the parent's peak
hwm = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
peak = int(hwm.split()[1]) / 1024
print(f"{outcome}; {time.perf_counter() - started:.1f} s; peak RSS {peak:.0f} MiB")
"""


def make_bomb(path: Path, mebibytes: int) -> None:
    """A valid header, then one payload line that never ends."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as fh:
        fh.write(comp.compress(json.dumps(HEADER.to_json()).encode() + b"\n"))
        fh.write(comp.compress(b'{"t":1,"src":"binance","ep":"x","k":"http","st":200,"p":{},"b":"'))
        block = b"A" * 2**20
        for _ in range(mebibytes):
            fh.write(comp.compress(block))
        fh.write(comp.flush())


def make_shuffled(path: Path, ordered: Path, copies: int) -> None:
    """feb-2026 ``copies`` times over in time order (``ordered``) and shuffled (``path``)."""
    _, payloads = read_recording(locate_recording("feb-2026"))
    span = payloads[-1].received_ms - payloads[0].received_ms + 1
    rng = random.Random(1)

    def copy(k: int) -> list[RawPayload]:
        return [
            RawPayload(p.source, p.endpoint, p.received_ms + k * span, p.body, p.params, p.status, p.kind)
            for p in payloads
        ]

    write_recording(ordered, HEADER, (p for k in range(copies) for p in copy(k)))

    def shuffled() -> list[RawPayload]:
        out: list[RawPayload] = []
        for k in range(copies):
            chunk = copy(k)
            rng.shuffle(chunk)
            out.extend(chunk)
        return out

    write_recording(path, HEADER, shuffled())


def measure(path: Path) -> str:
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    return out.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=8, help="feb-2026 copies in the out-of-order file")
    parser.add_argument("--bomb-mib", type=int, default=512, help="decompressed size of the bomb")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="crashtui-bench-") as tmp:
        bomb, shuffled, ordered = (
            Path(tmp, "bomb.jsonl.gz"),
            Path(tmp, "shuffled.jsonl.gz"),
            Path(tmp, "ordered.jsonl.gz"),
        )
        make_bomb(bomb, args.bomb_mib)
        make_shuffled(shuffled, ordered, args.copies)
        size = shuffled.stat().st_size / 1e6
        print(f"gzip bomb ({args.bomb_mib} MiB in {bomb.stat().st_size / 1e6:.1f} MB): {measure(bomb)}")
        print(f"in time order ({args.copies}x feb-2026, {size:.1f} MB): {measure(ordered)}")
        print(f"out of order ({args.copies}x feb-2026, {size:.1f} MB): {measure(shuffled)}")


if __name__ == "__main__":
    main()
