"""[alerts] validation: one-line errors with key paths and did-you-mean; the example's rule blocks parse."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from crashtui.cli import main
from crashtui.config import load_config
from crashtui.config.alerts_schema import (
    DEFAULT_RULES,
    CascadeRule,
    EtfOutflowRule,
    EtfStreakRule,
    FearGreedRule,
    LiqClusterRule,
    LiquidationRule,
    PriceCrossRule,
    PriceMoveRule,
    SourceFailingRule,
    ZoneRule,
)

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "config.example.toml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def rules_of(tmp_path: Path, text: str) -> tuple[object, ...]:
    return load_config(str(write(tmp_path, text)), env={}).config.alerts.rules


BAD = [
    pytest.param(
        '[[alerts.rules]]\nkind = "zone_brake"\n',
        "alerts.rules[0].kind: unknown value 'zone_brake' (did you mean 'zone_break'?)",
        id="unknown-kind",
    ),
    pytest.param(
        '[[alerts.rules]]\nname = "x"\n',
        "alerts.rules[0].kind: expected the rule's kind, but the key is missing",
        id="missing-kind",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "zone_break"\nsymbol = "ETH"\nlevl = 1826\n',
        "alerts.rules[0].levl: unknown key (did you mean 'level'?)",
        id="unknown-key",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "cascade"\nusd = 5e6\n',
        "alerts.rules[0].usd: not a key of kind 'cascade'; its keys: kind, name, severity, cooldown_s, "
        "enabled, side",
        id="key-of-another-kind",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "cascade"\n[[alerts.rules]]\nkind = "price_cross"\nsymbol = "BTC"\n',
        "alerts.rules[1].level: expected a price, but the key is missing",
        id="missing-level-second-rule",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "price_cross"\nsymbol = "BTC"\nlevel = -1\n',
        "alerts.rules[0].level: expected a price greater than 0, got -1",
        id="negative-level",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "price_cross"\nsymbol = "btc"\nlevel = 1\n',
        "alerts.rules[0].symbol: expected an upper-case symbol like 'BTC', got 'btc'",
        id="lowercase-symbol",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "zone_enter"\nlevel = 1826\n',
        "alerts.rules[0].symbol: expected a symbol for the zone at 'level', but the key is missing",
        id="level-without-symbol",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "price_move"\nsymbol = "ETH"\npct = 5\nwindow = "90s"\n',
        "alerts.rules[0].window: expected a duration from '1m' to '24h' like '15m' or '4h', got '90s'",
        id="bad-move-window",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "price_move"\nsymbol = "ETH"\npct = 5\nwindow = "48h"\n',
        "alerts.rules[0].window: expected a duration from '1m' to '24h'",
        id="move-window-too-long",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "price_move"\nsymbol = "ETH"\npct = 2\nwindow = "1h"\nhysteresis_pct = 2\n',
        "alerts.rules[0].hysteresis_pct: expected less than pct (2), got 2",
        id="move-hysteresis-too-large",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "liquidations"\nwindow = "2h"\nusd = 1e8\n',
        "alerts.rules[0].window: unknown value '2h'",
        id="liquidation-window",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "liquidations"\nwindow = "1h"\n',
        "alerts.rules[0].usd: expected a USD amount, but the key is missing",
        id="liquidation-usd-missing",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "fear_greed"\nat_or_below = 20\nat_or_above = 80\n',
        "alerts.rules[0].at_or_below: expected exactly one of at_or_below or at_or_above",
        id="fear-both-bounds",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "fear_greed"\nindex = "stock"\nat_or_below = 20\n',
        "alerts.rules[0].index: unknown value 'stock' (did you mean 'stocks'?)",
        id="fear-index",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "gauge"\nat_or_above = 120\n',
        "alerts.rules[0].at_or_above: expected a gauge score 0–100 of at most 100, got 120",
        id="gauge-range",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "source_failing"\nsource = "binanse"\nminutes = 10\n',
        "alerts.rules[0].source: unknown value 'binanse' (did you mean 'binance'?)",
        id="unknown-source",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "etf_streak"\ndays = 0\n',
        "alerts.rules[0].days: expected a number of days of at least 1, got 0",
        id="streak-days",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "cascade"\nseverity = "urgent"\n',
        "alerts.rules[0].severity: unknown value 'urgent'",
        id="severity",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "cascade"\ncooldown_s = -1\n',
        "alerts.rules[0].cooldown_s: expected seconds of at least 0, got -1",
        id="negative-cooldown",
    ),
    pytest.param(
        '[[alerts.rules]]\nkind = "cascade"\n[[alerts.rules]]\nkind = "cascade"\n',
        "alerts.rules[1].name: rule name 'liquidation cascade' is already used by rules[0]",
        id="duplicate-names",
    ),
    pytest.param(
        '[alerts]\ncommand = "notify-send crashtui"\n',
        "alerts.command: expected an array of strings, got string 'notify-send crashtui'",
        id="command-as-string",
    ),
    pytest.param(
        '[alerts]\ncommand = ["", "x"]\n',
        "alerts.command: expected the program as the first item, got an empty string",
        id="command-empty-program",
    ),
    pytest.param(
        "[alerts]\ncommand_timeout_s = 0\n",
        "alerts.command_timeout_s: expected seconds greater than 0, got 0",
        id="command-timeout",
    ),
    pytest.param(
        '[alerts]\ndesktop = "osc99"\n',
        "alerts.desktop: unknown value 'osc99' (did you mean 'osc9'?)",
        id="desktop-mode",
    ),
    pytest.param(
        "[alerts]\nbel = false\n",
        "alerts.bel: unknown key (did you mean 'bell'?)",
        id="unknown-alerts-key",
    ),
    pytest.param(
        '[alerts.rules]\nkind = "cascade"\n',
        "alerts.rules: expected an array of tables ([[alerts.rules]]), got a table",
        id="rules-as-table",
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_alert_config_is_one_line_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = write(tmp_path, text)
    assert main(["--config", str(path), "--check-config"]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"crashtui: config error: {path}: ")
    assert expected in lines[0]
    assert captured.out == ""


def test_no_rules_key_gives_the_defaults(tmp_path: Path) -> None:
    assert rules_of(tmp_path, "[alerts]\nbell = false\n") == DEFAULT_RULES


def test_empty_rules_turns_every_rule_off(tmp_path: Path) -> None:
    assert rules_of(tmp_path, "[alerts]\nrules = []\n") == ()


def test_own_rules_replace_the_defaults_and_get_names_and_kind_defaults(tmp_path: Path) -> None:
    rules = rules_of(
        tmp_path,
        '[[alerts.rules]]\nkind = "zone_break"\nsymbol = "ETH"\nlevel = 1826\n'
        '[[alerts.rules]]\nkind = "liquidations"\nwindow = "1h"\nusd = 5e8\nside = "long"\n'
        '[[alerts.rules]]\nkind = "price_move"\nsymbol = "BTC"\npct = 5\nwindow = "90m"\nname = "btc dump"\n',
    )
    assert rules == (
        ZoneRule(
            kind="zone_break", name="ETH zone break 1,826", severity="warning", cooldown_s=1800.0,
            symbol="ETH", level=1826.0,
        ),
        LiquidationRule(
            name="liquidations 1h longs >= $500.0M", severity="warning", cooldown_s=3600.0,
            window="1h", usd=5e8, side="long",
        ),
        PriceMoveRule(
            name="btc dump", severity="warning", cooldown_s=1800.0, symbol="BTC", pct=5.0, window_min=90,
        ),
    )  # fmt: skip


def _example_rule_blocks() -> list[str]:
    """The commented ``[[alerts.rules]]`` examples in config.example.toml, uncommented."""
    text = EXAMPLE.read_text(encoding="utf-8")
    blocks = re.findall(r"#   \[\[alerts\.rules\]\]\n((?:#   [^\n]+\n)+)", text)
    return ["[[alerts.rules]]\n" + re.sub(r"^#   ", "", b, flags=re.M) for b in blocks]


def test_every_commented_example_rule_is_valid(tmp_path: Path) -> None:
    blocks = _example_rule_blocks()
    assert len(blocks) >= 8
    rules = rules_of(tmp_path, "".join(blocks))
    kinds = {type(r) for r in rules}
    assert kinds == {
        ZoneRule,
        PriceCrossRule,
        PriceMoveRule,
        LiquidationRule,
        EtfOutflowRule,
        EtfStreakRule,
        FearGreedRule,
        SourceFailingRule,
        LiqClusterRule,
    }


def test_example_documents_every_kind_and_key() -> None:
    from crashtui.config.alerts_parse import COMMON_KEYS, KIND_KEYS

    text = EXAMPLE.read_text(encoding="utf-8")
    alerts_part = text[text.index("[alerts]") :]
    for kind, keys in KIND_KEYS.items():
        assert kind in alerts_part
        for key in (*keys, *COMMON_KEYS):
            assert re.search(rf"\b{key}\b", alerts_part), (kind, key)
    assert CascadeRule in {type(r) for r in DEFAULT_RULES}


def test_check_config_summarises_the_alerts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(
        tmp_path,
        '[alerts]\nbell = false\ncommand = ["notify-send", "{message}"]\nlog_path = "~/x/alerts.jsonl"\n'
        '[[alerts.rules]]\nkind = "gauge"\nat_or_above = 80\n'
        '[[alerts.rules]]\nkind = "cascade"\nenabled = false\n',
    )
    assert main(["--config", str(path), "--check-config"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line == (
        f"alerts: 1 rules: crash gauge >= 80 (gauge); log: {Path('~/x/alerts.jsonl').expanduser()}; "
        "bell: off; desktop: both; command: notify-send {message} (timeout 10s)"
    )


def test_every_rule_kind_has_a_parser_defaults_and_a_checker() -> None:
    """Adding a rule kind is one registry entry plus its checker: the two must stay together."""
    from crashtui.alerts.checks import CHECKERS, make_checker
    from crashtui.config.alerts_parse import RULE_REGISTRY
    from crashtui.config.alerts_schema import AlertRule

    rule_classes = set(typing.get_args(AlertRule))
    assert set(CHECKERS) == rule_classes
    assert len({spec.kind for spec in RULE_REGISTRY}) == len(RULE_REGISTRY)
    for rule in DEFAULT_RULES:
        assert make_checker(rule, 0) is not None
