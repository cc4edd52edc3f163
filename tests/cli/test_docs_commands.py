"""Every ``crashtui ...`` command line in README.md and docs/*.md parses (argparse only, nothing runs)."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from crashtui.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
_FENCE = re.compile(r"^\s*```")
# a command at the start of a line, or after a path or "ExecStart=" (.venv/bin/crashtui ...)
_LINE = re.compile(r"(?:^|[/=])crashtui((?:\s.*)?)$")
_INLINE = re.compile(r"`crashtui(\s[^`]*)?`")


def _clean(rest: str) -> list[str] | None:
    """Arguments of one command line: comment, pipe and background ``&`` cut off."""
    rest = re.sub(r"\s#.*$", "", rest).split(" | ")[0].strip().removesuffix("&").strip()
    if "[" in rest or "|" in rest or "..." in rest or "…" in rest:
        return None  # a synopsis (``--replay NAME|PATH``), not a command line
    return shlex.split(rest)


def command_lines() -> list[tuple[str, list[str]]]:
    """(``file:line``, arguments); inline spans are marked ``inline`` (they may name a command
    without its required arguments, as prose does: "`crashtui alerts` keeps ...")."""
    found: list[tuple[str, list[str]]] = []
    for doc in DOCS:
        fenced = False
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            where = f"{doc.name}:{number}"
            if _FENCE.match(line):
                fenced = not fenced
                continue
            if fenced:
                match = _LINE.search(line.rstrip())  # indented: a screen picture
                if match is not None and (args := _clean(match.group(1))) is not None:
                    found.append((where, args))
                continue
            for inline in _INLINE.finditer(line):
                if (args := _clean(inline.group(1) or "")) is not None:
                    found.append((f"{where} inline", args))
    return found


COMMANDS = command_lines()


def test_the_docs_have_command_lines_to_check() -> None:
    flat = [" ".join(args) for _, args in COMMANDS]
    assert len(COMMANDS) >= 25
    assert "--pane etf --feed store" in flat
    assert "--feed redis://desk-server:6379/0" in flat
    assert "--feed store watch" in flat  # docs/alerts.md: --feed before the subcommand
    assert "watch" in flat  # ExecStart=/usr/local/bin/crashtui watch


@pytest.mark.parametrize(("where", "args"), COMMANDS, ids=[w for w, _ in COMMANDS])
def test_documented_command_line_parses(
    where: str, args: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        build_parser().parse_args(args)
    except SystemExit:  # OneLineParser: a usage error exits 2
        err = capsys.readouterr().err
        if where.endswith("inline") and "arguments are required" in err:
            return  # prose naming a command ("`crashtui alerts` keeps ..."), every word of it known
        pytest.fail(f"{where}: crashtui {shlex.join(args)} does not parse: {err.strip()}")


@pytest.mark.parametrize(
    "command", ["", "sources", "record", "collect", "watch", "backtest", "alerts", "symbols"]
)
def test_help_of_every_command_prints(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """argparse formats every metavar (``NAME|PATH|list``, ``store|redis://HOST:PORT/DB``)."""
    argv = [command, "--help"] if command else ["--help"]
    with pytest.raises(SystemExit) as exited:
        build_parser().parse_args(argv)
    assert exited.value.code == 0
    assert capsys.readouterr().out.startswith("usage: crashtui")
