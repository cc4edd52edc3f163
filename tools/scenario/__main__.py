"""``python -m tools.scenario {list | build NAME... | build --all | check NAME...}``.

``build`` writes ``crashtui/scenarios/<name>.jsonl.gz`` (``--out FILE`` for one scenario
elsewhere); ``check`` rebuilds into a temporary directory and says whether the bundled file
is byte-for-byte what the spec and data give.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from .build import BUNDLED, build
from .spec import SpecError, load, scenario_names


def main(argv: list[str]) -> int:
    """Run the command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m tools.scenario", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="scenarios with a spec")
    b = sub.add_parser("build", help="build scenarios into crashtui/scenarios/")
    b.add_argument("names", nargs="*")
    b.add_argument("--all", action="store_true")
    b.add_argument("--out", type=Path, help="write one scenario to this file instead")
    c = sub.add_parser("check", help="rebuild and compare with the bundled files")
    c.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    names = scenario_names() if args.command == "list" or getattr(args, "all", False) else args.names
    if args.command == "list":
        for name in names:
            spec = load(name)
            print(f"{name}  {spec.first_day}..{spec.last_day}  {', '.join(spec.families)}")
        return 0
    if not names:
        names = scenario_names()
    try:
        specs = [load(n) for n in names]
    except SpecError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.command == "build":
        if args.out and len(specs) != 1:
            print("error: --out takes one scenario", file=sys.stderr)
            return 2
        for spec in specs:
            path, count = build(spec, args.out)
            print(f"wrote {count} payloads to {path} ({path.stat().st_size / 1e6:.2f} MB)")
        return 0
    status = 0
    with tempfile.TemporaryDirectory() as tmp:
        for spec in specs:
            path, _ = build(spec, Path(tmp) / f"{spec.name}.jsonl.gz")
            bundled = BUNDLED / path.name
            same = bundled.is_file() and bundled.read_bytes() == path.read_bytes()
            print(f"{spec.name}: {'identical' if same else 'DIFFERS from'} {bundled}")
            status |= 0 if same else 1
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
