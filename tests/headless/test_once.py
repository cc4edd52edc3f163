"""``--once``: the JSON document on the bundled scenario, the text summary, exit codes."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from crashtui.cli import main
from crashtui.model import RawPayload, freeze_params
from crashtui.replay.recording import RecordingHeader, write_recording

FEB6_1400 = "2026-02-06T14:00Z"


@pytest.fixture(scope="module")
def feb6_document() -> dict[str, Any]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["--once", "--json", "--replay", "feb-2026", "--until", FEB6_1400])
    assert code == 0
    doc: dict[str, Any] = json.loads(out.getvalue())
    return doc


def test_document_header(feb6_document: dict[str, Any]) -> None:
    doc = feb6_document
    assert doc["schema_version"] == 1
    assert doc["mode"] == "replay"
    assert doc["generated_at"] == "2026-02-06T14:00:00Z"
    assert doc["replay"]["recording"] == "feb-2026"
    assert doc["replay"]["scenario"] is True
    assert "not live data" in doc["replay"]["note"]


def test_eth_has_broken_the_pinned_1826_zone(feb6_document: dict[str, Any]) -> None:
    eth = next(row for row in feb6_document["watchlist"] if row["symbol"] == "ETH")
    zone = next(z for z in eth["zones"] if z["low"] <= 1826 <= z["high"])
    assert zone["pinned"] is True
    # price fell through it hours ago and stayed below: the support turned resistance
    assert zone["state"] == "support_turned_resistance"
    assert zone["state_words"] == "support turned resistance"
    assert zone["kind"] == "resistance"
    assert eth["price"] < 1826


def test_worst_24h_liquidations_match_the_reported_crash(feb6_document: dict[str, Any]) -> None:
    liq = feb6_document["liquidations"]
    assert 2.4e9 <= liq["worst_24h_usd"] <= 2.9e9
    day = liq["windows"]["24h"]
    assert day["long_usd"] > day["short_usd"]  # mostly longs
    assert day["lower_bound"] is True  # Binance and OKX streams are sampled
    assert set(day["by_venue"]) == {"binance", "bybit", "okx"}


def test_gauge_fear_and_sources(feb6_document: dict[str, Any]) -> None:
    doc = feb6_document
    assert doc["fear"]["crypto"]["value"] == 9  # real alternative.me value on 2026-02-06
    assert doc["fear"]["crypto"]["classification"] == "Extreme Fear"
    gauge = doc["gauge"]
    assert 0 <= gauge["score"] <= 100
    names = {c["name"] for c in gauge["components"]} | {m["name"] for m in gauge["missing"]}
    assert "fear_greed" in names
    assert all(c["source"] for c in gauge["components"])
    states = {s["source"]: s["state"] for s in doc["sources"]}
    assert states["binance"] == "ok"
    assert states["farside"] == "ok"
    assert doc["etf"]["BTC"]["week_to_date"]["net_usd_m"] is not None


def test_text_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--once", "--replay", "feb-2026", "--until", FEB6_1400]) == 0
    out = capsys.readouterr().out
    assert out.startswith("crashtui 2026-02-06T14:00Z  REPLAY feb-2026 (scenario, not live data)")
    assert "ETH" in out
    assert "Liquidations 24h $2.5" in out


def test_no_data_prints_statuses_and_exits_3(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.jsonl.gz"
    html = b"<!DOCTYPE html><html><title>Just a moment...</title></html>"
    write_recording(
        path,
        RecordingHeader(created_ms=1, label="broken", watchlist=("BTC",)),
        [
            RawPayload(
                "binance", "ticker_24hr", 1_770_000_000_000, b"{not json", freeze_params({"symbols": "BTC"})
            ),
            RawPayload(
                "farside", "etf_page", 1_770_000_001_000, html, freeze_params({"asset": "BTC"}), status=403
            ),
        ],
    )
    assert main(["--once", "--json", "--replay", str(path)]) == 3
    doc = json.loads(capsys.readouterr().out)
    states = {s["source"]: (s["state"], s["last_error"]) for s in doc["sources"]}
    assert states["binance"][0] == "failing"
    assert "invalid JSON" in states["binance"][1]
    assert states["farside"][0] == "blocked"
    assert doc["watchlist"][0]["price"] is None


def test_json_without_once_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--json"]) == 2
    assert "--json only works with --once" in capsys.readouterr().err


def test_unknown_recording_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--once", "--replay", "feb-2062"]) == 2
    err = capsys.readouterr().err.strip()
    assert (
        err == "crashtui: error: no recording 'feb-2062': not a file, and not a bundled scenario "
        "(aug-2024, feb-2026, oct-2025)"
    )


def test_sources_line_is_short_and_safe() -> None:
    from crashtui.headless.once import _sources_line
    from crashtui.model import SourceState, SourceStatus

    osc52 = "cannot resolve host\x1b]52;c;aGk=\x07"  # an OSC 52 clipboard write inside an error
    statuses = {f"s{i}": SourceStatus(f"s{i}", SourceState.FAILING, 1, last_error=osc52) for i in range(6)}
    statuses["farside"] = SourceStatus("farside", SourceState.BLOCKED, 1, last_error="[bold]Cloudflare[/]")
    statuses["binance"] = SourceStatus("binance", SourceState.OK, 1)
    line = _sources_line(statuses, {})
    assert line.startswith("Sources: 1 ok · 7 failing: farside blocked: [bold]Cloudflare[/] · s0: cannot")
    assert line.endswith("+4 more (crashtui sources)")
    assert "\x1b" not in line
    assert "\x07" not in line


def test_sources_line_says_what_was_held_and_refused() -> None:
    # "Sources: 14 ok" alone hid that the gate held orders and frames were refused
    from crashtui.headless.once import _sources_line
    from crashtui.model import HeldCount, SourceState, SourceStatus

    statuses = {
        "binance": SourceStatus("binance", SourceState.OK, 1),
        "binance_liq": SourceStatus("binance_liq", SourceState.OK, 1, bad_frames=6),
    }
    held: dict[str, tuple[HeldCount, ...]] = {
        "binance_liq": (HeldCount("timestamp 204 years ahead", 2, 1), HeldCount("x", 1, 1))
    }
    assert _sources_line(statuses, held) == "Sources: 2 ok (3 items held, 6 bad frames)"
    statuses["binance_liq"] = SourceStatus("binance_liq", SourceState.OK, 1, bad_frames=1)
    held = {"binance_liq": (HeldCount("x", 1, 1),)}
    assert _sources_line(statuses, held) == "Sources: 2 ok (1 item held, 1 bad frame)"
    assert _sources_line(statuses, {}) == "Sources: 2 ok (1 bad frame)"


def test_a_hostile_stream_frame_is_named_in_once_output(tmp_path: Path) -> None:
    # a frame no order of which can be read stays counted and its reason stays on the stream's
    # status (as live) instead of being cleared by the next good frame
    import gzip

    from crashtui.replay.locate import locate_recording

    lines = gzip.decompress(locate_recording("feb-2026").read_bytes()).decode().splitlines()
    at = next(i for i, line in enumerate(lines) if '"src":"binance_liq"' in line)
    frame = json.loads(lines[at])
    body = json.loads(frame["b"])
    body["o"]["p"] = "NaN"
    body["o"]["ap"] = "NaN"
    frame["b"] = json.dumps(body)
    lines[at] = json.dumps(frame)
    path = tmp_path / "nan.jsonl.gz"
    path.write_bytes(gzip.compress("\n".join(lines).encode() + b"\n"))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["--once", "--json", "--replay", str(path)]) == 0
    doc = json.loads(out.getvalue())
    stream = next(s for s in doc["sources"] if s["source"] == "binance_liq")
    assert stream["state"] == "ok"
    assert stream["bad_frames"] == 1
    assert stream["last_error"].startswith("bad frame: ")
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        assert main(["--once", "--replay", str(path)]) == 0
    assert "(1 bad frame)" in text.getvalue()


def test_closed_pipe_is_quiet() -> None:
    import subprocess
    import sys

    proc = subprocess.Popen(
        [sys.executable, "-m", "crashtui", "--once", "--json", "--replay", "feb-2026", "--until", FEB6_1400],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stdout.read(10)
    proc.stdout.close()  # like `| head -c 10`
    _, err = proc.communicate()
    assert err == b""
    assert proc.returncode == 0


def test_every_series_says_how_fresh_it_is(feb6_document: dict[str, Any]) -> None:
    """Friday 6 Feb 14:00Z in the scenario: candles, Fear & Greed and macro series are current;
    each says so against its own cadence (DATA-TRUST.md, Freshness)."""
    doc = feb6_document
    btc = next(row for row in doc["watchlist"] if row["symbol"] == "BTC")
    assert btc["candles"]["1h"]["freshness"] == "fresh"
    assert btc["candles"]["1d"]["freshness"] == "fresh"
    assert doc["fear"]["crypto"]["freshness"] == "fresh"
    states = {series: entry["freshness"] for series, entry in doc["macro"].items()}
    assert states["ICSA"] in ("fresh", "late")  # weekly
    assert set(states.values()) <= {"fresh", "late"}
    assert all(entry["aggregates"] == [] for entry in doc["etf"].values())
    assert doc["replay"]["bad_lines"] == 0


def test_levels_pinned_on_the_dashboard_chart_are_pinned_here_too(capsys: pytest.CaptureFixture[str]) -> None:
    """A level pinned with P on the chart is in the UI state file; ``--once`` (and ``watch``,
    which builds its engine the same way) reads it, so a script sees the zones the screen shows."""
    from crashtui.paths import user_data_dir
    from crashtui.ui.prefs import UiState, load_state, save_state

    errors: list[str] = []

    def btc_zones() -> list[dict[str, Any]]:
        assert main(["--once", "--json", "--replay", "feb-2026", "--until", FEB6_1400]) == 0
        captured = capsys.readouterr()
        errors.append(captured.err)
        doc = json.loads(captured.out)
        zones: list[dict[str, Any]] = next(r for r in doc["watchlist"] if r["symbol"] == "BTC")["zones"]
        return zones

    level = 58_321.0  # no zone of the scenario's own near it
    assert not any(z["low"] <= level <= z["high"] for z in btc_zones())
    state_file = user_data_dir() / "ui-state.json"
    save_state(UiState(active_watchlist="core"), state_file)
    doc = json.loads(state_file.read_text(encoding="utf-8"))
    state_file.write_text(json.dumps({**doc, "pins": {"BTC": [level]}}), encoding="utf-8")
    assert load_state(state_file)[0].pins == {"BTC": (level,)}  # what the dashboard reads
    pinned = [z for z in btc_zones() if z["low"] <= level <= z["high"]]
    assert len(pinned) == 1
    assert pinned[0]["pinned"] is True

    state_file.write_text(json.dumps({**doc, "pins": {"BTC": ["NaN"]}}), encoding="utf-8")
    assert not any(z["low"] <= level <= z["high"] for z in btc_zones())
    assert "pinned levels are not used" in errors[-1]
    assert not any("pinned" in e for e in errors[:-1])


def test_a_price_from_tickers_that_stopped_is_not_shown_as_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Binance's tickers stop 36 h before the end (the 1h candles go on): the price is the last
    1h close, as on the chart, not the 36 h old ticker, and no old 24 h change is shown."""
    from crashtui.replay.locate import locate_recording
    from crashtui.replay.recording import read_recording
    from crashtui.timeparse import parse_instant

    header, payloads = read_recording(locate_recording("feb-2026"))
    stop = parse_instant("2026-02-19T12:00Z")
    kept = [p for p in payloads if not (p.endpoint == "ticker_24hr" and p.received_ms > stop)]
    path = tmp_path / "noticker.jsonl.gz"
    write_recording(path, header, kept)
    assert main(["--once", "--json", "--replay", str(path)]) == 0
    doc = json.loads(capsys.readouterr().out)
    btc = next(w for w in doc["watchlist"] if w["symbol"] == "BTC")
    assert btc["price_source"] == "last 1h close (binance)"
    assert btc["price"] == pytest.approx(68_005.42)
    assert btc["price_age_s"] < 3600
    assert btc["change_24h_pct"] is None
    # the gauge's drawdown and the liquidation map measure from that same price, not the old one
    drawdown = next(c for c in doc["gauge"]["components"] if c["name"] == "drawdown")
    assert drawdown["detail"].startswith("BTC 68,005 is ")
    assert doc["liquidation_map"]["BTC"]["price"] == pytest.approx(68_005.42)
    assert main(["--once", "--replay", str(path)]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("BTC"))
    assert line.startswith("BTC       68,005     n/a")
