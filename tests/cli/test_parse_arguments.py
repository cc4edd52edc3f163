"""``parse_arguments`` reads main-option-only command lines without the commands' parsers; its
result, and every message and exit, must be the full tree's."""

from __future__ import annotations

import argparse
import contextlib
import io

import pytest

from crashtui import cli
from crashtui.cli import build_parser, parse_arguments
from tests.cli.test_docs_commands import COMMANDS

SAMPLES: list[list[str]] = [
    [],
    ["--replay", "feb-2026", "--until", "2026-02-06T14:00Z"],
    ["--replay=oct-2025", "--speed", "max", "--start", "2025-10-10T18:00Z"],
    ["--no-store", "--theme", "light", "--ascii", "--no-mouse"],
    ["--once", "--json", "--deadline", "3"],
    ["--pane", "etf", "--feed", "store"],
    ["--rep", "aug-2024", "--wat", "core"],  # abbreviations
    ["--config", "watch"],  # a command's name as an option's value
    ["--check-config"],
    # commands, help and mistakes: the full tree's answer
    ["watch"],
    ["--feed", "store", "watch"],
    ["alerts", "list"],
    ["-h"],
    ["--he"],
    ["--version"],
    ["--pane", "nope"],
    ["--speed", "fast"],
    ["--bogus"],
    ["bogus"],
    ["--replay"],
    ["--", "watch"],
    ["watch", "--pane", "nope"],
    ["--pane", "nope", "watch"],
    ["-x"],
]


def _outcome(parse: object, argv: list[str]) -> tuple[object, int | str | None, str, str]:
    out, err = io.StringIO(), io.StringIO()
    result: object = None
    code: int | str | None = None
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            result = parse(argv)  # type: ignore[operator]
        except SystemExit as exc:
            code = exc.code
    if isinstance(result, argparse.Namespace):
        result = sorted((k, repr(v)) for k, v in vars(result).items())
    return result, code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("argv", SAMPLES + [args for _, args in COMMANDS], ids=" ".join)
def test_same_result_and_messages_as_the_full_tree(argv: list[str]) -> None:
    assert _outcome(parse_arguments, argv) == _outcome(lambda a: build_parser().parse_args(a), argv)


def test_main_options_alone_do_not_build_the_commands(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "SUBCOMMAND_MODULES", ("no.such.module",))
    args = parse_arguments(["--replay", "feb-2026", "--until", "2026-02-06T14:00Z", "--no-store"])
    assert args.replay == "feb-2026"
    assert args.no_store
    assert args.command is None
    with pytest.raises(ModuleNotFoundError):
        parse_arguments(["watch"])
