"""Price alerts set by ``crashtui alerts`` (the file beside the config) and their use by ``watch``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crashtui.cli import main
from crashtui.config.reader import ConfigError
from crashtui.config.user_alerts import add_alert, change_alert, load_user_alerts, parse_phrase, to_rule

KNOWN = ("BTC", "ETH", "SOL")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("BTC below 62000", ("BTC", "down", 62_000.0)),
        ("eth crosses 1,826", ("ETH", "any", 1_826.0)),
        ("SOL above $95.5", ("SOL", "up", 95.5)),
        ("BTC under 62k", ("BTC", "down", 62_000.0)),
        ("  BTC over 1.2m ", ("BTC", "up", 1_200_000.0)),
    ],
)
def test_phrases_a_trader_types_are_read(text: str, expected: tuple[str, str, float]) -> None:
    assert parse_phrase(text) == expected


@pytest.mark.parametrize(
    "text", ["BTC sideways 5", "below 62000", "BTC below", "BTC below -5", "BTC below 0", "BTC"]
)
def test_other_text_is_refused_with_one_line(text: str) -> None:
    with pytest.raises(ValueError) as info:
        parse_phrase(text)
    assert "\n" not in str(info.value)


def test_add_mute_remove_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "user-alerts.json"
    first = add_alert("BTC below 62000", known_symbols=KNOWN, now_ms=1, path=path)
    second = add_alert("ETH crosses 1826", known_symbols=KNOWN, now_ms=2, path=path)
    assert (first.id, second.id) == (1, 2)
    with pytest.raises(ValueError, match="already set: #1"):
        add_alert("BTC under 62,000", known_symbols=KNOWN, now_ms=3, path=path)
    with pytest.raises(ValueError, match=r"PEPE: no source knows this symbol; add a \[symbols.PEPE\]"):
        add_alert("PEPE below 1", known_symbols=KNOWN, now_ms=3, path=path)
    change_alert(1, muted=True, path=path)
    rules = [to_rule(a) for a in load_user_alerts(path)]
    assert [(r.name, r.symbol, r.direction, r.level, r.enabled) for r in rules] == [
        ("BTC below 62,000 (#1)", "BTC", "down", 62_000.0, False),
        ("ETH crosses 1,826 (#2)", "ETH", "any", 1_826.0, True),
    ]
    change_alert(1, remove=True, path=path)
    assert [a.id for a in load_user_alerts(path)] == [2]
    third = add_alert("SOL above 100", known_symbols=KNOWN, now_ms=4, path=path)
    assert third.id == 3  # ids are never reused while a later one exists
    with pytest.raises(KeyError):
        change_alert(9, remove=True, path=path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ("{not json", "not JSON"),
        ('{"alerts": {}}', "alerts: expected a list"),
        ('{"alerts": [{"id": 1, "symbol": "BTC"}]}', "alerts[0].level: expected a price"),
        ('{"alerts": [{"id": 1, "symbol": "BTC", "level": -3}]}', "alerts[0].level"),
        (
            '{"alerts": [{"id": 1, "symbol": "btc", "level": 3}]}',
            "alerts[0].symbol: expected an upper-case symbol",
        ),
        (
            '{"alerts": [{"id": 1, "symbol": "BTC", "level": 3, "direction": "sideways"}]}',
            "alerts[0].direction",
        ),
        (
            '{"alerts": [{"id": 1, "symbol": "BTC", "level": 3}, {"id": 1, "symbol": "ETH", "level": 3}]}',
            "share an id",
        ),
    ],
)
def test_a_hand_edited_file_is_validated_like_the_config(tmp_path: Path, doc: str, message: str) -> None:
    path = tmp_path / "user-alerts.json"
    path.write_text(doc, encoding="utf-8")
    with pytest.raises(ConfigError, match=message.replace("[", r"\[").replace("]", r"\]")) as info:
        load_user_alerts(path)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_the_cli_lists_adds_and_refuses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRASHTUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRASHTUI_CONFIG", raising=False)
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(tmp_path / "no-config"))
    assert main(["alerts", "add", "BTC", "below", "62000"]) == 0
    assert "added #1 BTC below 62,000" in capsys.readouterr().out
    assert main(["alerts", "add", "BTC sideways 1"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert main(["alerts", "mute", "#1"]) == 0
    assert main(["alerts", "list", "--json"]) == 0
    out = capsys.readouterr().out
    listed = json.loads(out[out.index("[") :])
    assert [(a["id"], a["phrase"], a["muted"]) for a in listed] == [(1, "BTC below 62,000", True)]
    assert main(["alerts", "remove", "7"]) == 2
    assert "no alert #7" in capsys.readouterr().err
    (tmp_path / "user-alerts.json").write_text("{broken", encoding="utf-8")
    assert main(["alerts", "list"]) == 2  # every command refuses an invalid file, naming it
    assert "user-alerts.json: not JSON" in capsys.readouterr().err


def test_an_alert_added_by_the_cli_fires_in_watch_when_price_crosses(tmp_path: Path) -> None:
    """Acceptance: ``crashtui alerts add`` then ``crashtui watch --replay feb-2026`` fires at the
    replay minute the BTC price (the one alerts read) first goes below the level."""
    from crashtui.assemble import EngineOptions, ReplayOptions, build_engine
    from crashtui.config.schema import Config
    from crashtui.replay.locate import locate_recording
    from crashtui.timeparse import parse_instant

    level, start, until = 70_000.0, "2026-02-03T00:00Z", "2026-02-06T06:00Z"
    env = {**os.environ, "CRASHTUI_DATA_DIR": str(tmp_path), "CRASHTUI_CONFIG_DIR": str(tmp_path / "cfg")}
    env.pop("CRASHTUI_CONFIG", None)
    cli = [sys.executable, "-m", "crashtui"]
    added = subprocess.run(
        [*cli, "alerts", "add", "BTC below 70k"], env=env, capture_output=True, text=True, check=False
    )
    assert added.returncode == 0, added.stderr
    watch = subprocess.run(
        [*cli, "watch", "--replay", "feb-2026", "--speed", "max", "--start", start, "--until", until],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=280,
    )
    assert watch.returncode == 0, watch.stderr
    log = [json.loads(line) for line in (tmp_path / "alerts-replay.jsonl").read_text().splitlines()]
    fired = [r for r in log if r.get("type") == "alert" and r["rule"] == "BTC below 70,000 (#1)"]
    assert fired, [r.get("rule") for r in log]

    # The oracle: step the same recording minute by minute and watch the BTC ticker.
    engine = build_engine(
        Config(),
        (),
        EngineOptions(
            replay=ReplayOptions(
                locate_recording("feb-2026"),
                speed=None,
                start_ms=parse_instant(start),
                until_ms=fired[0]["at_ms"],
            )
        ),
    )
    crossed_at, above = None, False
    for clock in engine.replay_steps():
        ticker = engine.state.tickers.get("BTC")
        if ticker is None:
            continue
        if ticker.price >= level:
            above = True
        elif above and crossed_at is None:
            crossed_at = clock
    assert crossed_at == fired[0]["at_ms"]
    assert fired[0]["value"] < level
    assert fired[0]["threshold"] == level


def test_adding_an_alert_for_a_coin_on_no_watchlist_says_it_cannot_fire(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CRASHTUI_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("CRASHTUI_CONFIG", raising=False)
    monkeypatch.setenv("CRASHTUI_CONFIG_DIR", str(tmp_path / "no-config"))
    assert main(["alerts", "add", "BTC below 62000"]) == 0
    assert "no watchlist" not in capsys.readouterr().err  # BTC is on the default watchlist
    assert main(["alerts", "add", "AAVE below 100"]) == 0  # known to the symbol table, not watched
    assert "AAVE is on no watchlist" in capsys.readouterr().err
