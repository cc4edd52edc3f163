"""What `--once` over a bundled scenario costs, stage by stage, against the issue's baseline.

Usage: ``python benchmarks/bench_once_floor.py [SCENARIO...]`` (default: all three).

Process CPU, in one process, per stage:

- **decode baseline**: decompress the recording and JSON-decode every line and every JSON
  body with the standard library, the baseline issue 19 measures ``--once`` against;
- **read**: the recording read into payloads (crashtui's reader: orjson, rogue-line checks);
- **parse**: those payloads decoded to models by the real parsers, with no gate and no state;
- **once**: the whole ``crashtui --once --json --replay SCENARIO`` command in a subprocess
  (interpreter, imports, gate, state, analysis, the document), user + system CPU.

``read + parse`` is a floor for any ``--once`` that checks every item: the gate and the state
come on top of it.
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SCENARIOS = ("feb-2026", "oct-2025", "aug-2024")

_R = TypeVar("_R")


@dataclass(frozen=True)
class Floor:
    """One scenario's stage costs, in seconds of process CPU."""

    scenario: str
    payloads: int
    decode_s: float
    read_s: float
    parse_s: float
    once_s: float


def _cpu(work: Callable[[], _R]) -> tuple[float, _R]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def _decode_baseline(path: Path) -> int:
    """Decompress and JSON-decode every line and JSON body; the number of payload lines."""
    count = 0
    with gzip.open(path, "rb") as lines:
        lines.readline()  # the header
        for line in lines:
            record = json.loads(line)
            body = record.get("b")
            if isinstance(body, str) and body[:1] in "[{":
                json.loads(body)
            count += 1
    return count


def _once_cpu(scenario: str) -> float:
    """User + system CPU of one ``--once --json --replay`` run, in an isolated data dir."""
    from benchmarks.run import _env

    env = _env()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(
        [sys.executable, "-m", "crashtui", "--once", "--json", "--replay", scenario],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        check=True,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(scenario: str) -> Floor:
    """The stage costs of ``scenario`` (a bundled name)."""
    from crashtui.ingest.decode import PayloadDecoder
    from crashtui.replay.locate import locate_recording
    from crashtui.replay.recording import read_recording

    path = locate_recording(scenario)
    decode_s, count = _cpu(lambda: _decode_baseline(path))
    read_s, (_, payloads) = _cpu(lambda: read_recording(path))
    decoder = PayloadDecoder()
    parse_s, _ = _cpu(lambda: [decoder.decode(p) for p in payloads])
    return Floor(scenario, count, decode_s, read_s, parse_s, _once_cpu(scenario))


def main(argv: list[str] | None = None) -> int:
    """Print one line per scenario."""
    names = (argv if argv is not None else sys.argv[1:]) or list(SCENARIOS)
    print("scenario   payloads  decode  read   parse  read+parse  once   once/decode  (s of CPU)")
    for name in names:
        f = measure(name)
        print(
            f"{f.scenario:<10} {f.payloads:>8,}  {f.decode_s:5.2f}  {f.read_s:5.2f}  {f.parse_s:5.2f}  "
            f"{f.read_s + f.parse_s:10.2f}  {f.once_s:5.2f}  {f.once_s / f.decode_s:10.1f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
