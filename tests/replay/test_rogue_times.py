"""Hostile receive times: one recording line stamped far from its neighbours (a clock that
jumped to 2099, a time in seconds or microseconds) must never become the replay clock."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from crashtui.cli import main
from crashtui.model import RawPayload, freeze_params
from crashtui.replay.recording import (
    MAX_ROGUE_LINES,
    MAX_ROGUE_RUN,
    RecordingError,
    RecordingHeader,
    RecordingSource,
    Skipped,
    encode_payload,
    iter_payloads,
    read_recording,
    scan_recording,
)
from crashtui.replay.window import recording_range

T0 = 1_770_000_000_000  # 2026-02-02
MIN = 60_000
DAY = 86_400_000
FAR_FUTURE = 4_102_444_700_000  # 2099-12-31, inside the 2100 bound
HEADER = RecordingHeader(created_ms=1, label="t", watchlist=("BTC",))


def line(t: int, i: int = 0) -> bytes:
    body = json.dumps({"i": i}).encode()
    return encode_payload(RawPayload("binance", "ticker_24hr", t, body, freeze_params({}))).encode()


def spaced(t: int, i: int = 0) -> bytes:
    """The same payload written another way (spaces after separators): the scan's slow path."""
    return json.dumps(json.loads(line(t, i))).encode()


def write(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(gzip.compress(json.dumps(HEADER.to_json()).encode() + b"\n" + b"\n".join(lines) + b"\n"))
    return path


def minutes(n: int, start: int = T0) -> list[bytes]:
    return [line(start + i * MIN, i) for i in range(n)]


def times(path: Path) -> list[int]:
    return [p.received_ms for p in RecordingSource(path)]


@pytest.mark.parametrize("make", [line, spaced], ids=["prefix", "slow-path"])
@pytest.mark.parametrize("where", [0, 5, 10], ids=["first", "middle", "last"])
def test_a_far_future_line_is_skipped_wherever_it_is(tmp_path: Path, make: object, where: int) -> None:
    good = minutes(10)
    rows = [*good[:where], make(FAR_FUTURE, 99), *good[where:]]  # type: ignore[operator]
    path = write(tmp_path / "rec.jsonl.gz", rows)
    scan = scan_recording(path)
    assert (scan.first_ms, scan.last_ms, scan.count) == (T0, T0 + 9 * MIN, 10)
    assert scan.ordered
    assert scan.skipped == 1
    assert scan.first_skipped == (
        f"line {where + 2}: receive time {FAR_FUTURE} (2099-12-31T23:58:20Z) "
        "is more than 7 days from the lines next to it"
    )
    source = RecordingSource(path)
    assert (source.first_ms, source.last_ms, source.count) == (T0, T0 + 9 * MIN, 10)
    want = [T0 + i * MIN for i in range(10)]
    assert [p.received_ms for p in source] == want
    assert [p.received_ms for p in source] == want  # a second pass counts no line twice
    assert source.bad_lines == 1
    assert source.first_skipped == scan.first_skipped
    bad = Skipped()
    assert [p.received_ms for p in read_recording(path, bad)[1]] == want
    assert (bad.count, bad.first) == (1, scan.first_skipped)
    assert [p.received_ms for p in iter_payloads(path)] == want


@pytest.mark.parametrize(
    ("t", "unit"),
    [((T0 + 5 * MIN) // 1000, "seconds"), ((T0 + 5 * MIN) * 1000, "µs"), (5, None)],
    ids=["seconds", "microseconds", "1970"],
)
def test_a_time_in_another_unit_is_malformed_and_says_which(tmp_path: Path, t: int, unit: str | None) -> None:
    good = minutes(10)
    path = write(tmp_path / "rec.jsonl.gz", [*good[:5], line(t, 99), *good[5:]])
    source = RecordingSource(path)
    assert (source.first_ms, source.last_ms) == (T0, T0 + 9 * MIN)  # never 1970, never year 58,000
    assert times(path) == [T0 + i * MIN for i in range(10)]
    assert source.bad_lines == 1
    assert source.first_skipped is not None
    assert source.first_skipped.startswith("line 7: ")
    if unit is None:
        assert source.first_skipped.endswith(f"receive time {t} is not epoch ms between 2009-01-03 and 2100")
    else:
        assert f"receive time {t} looks like {unit}, not epoch ms" in source.first_skipped


def test_times_before_bitcoin_are_refused_as_the_gate_refuses_them(tmp_path: Path) -> None:
    from crashtui.ingest.timing import EARLIEST_MS
    from crashtui.replay import recording

    assert recording._EARLIEST_T_MS == EARLIEST_MS
    path = write(tmp_path / "rec.jsonl.gz", [line(EARLIEST_MS - 1), *minutes(3)])
    assert RecordingSource(path).first_ms == T0


def test_a_real_gap_of_days_keeps_both_sides(tmp_path: Path) -> None:
    """The recorder stopped for three weeks, then resumed: every line has a close neighbour."""
    later = T0 + 21 * DAY
    rows = [*minutes(3), *minutes(3, later)]
    path = write(tmp_path / "rec.jsonl.gz", rows)
    source = RecordingSource(path)
    assert (source.first_ms, source.last_ms, source.count, source.bad_lines) == (T0, later + 2 * MIN, 6, 0)
    assert len(times(path)) == 6
    # ... and a rogue line inside that gap is still one line far from both sides.
    path = write(tmp_path / "rec2.jsonl.gz", [*rows[:3], line(T0 + 10 * DAY, 99), *rows[3:]])
    assert scan_recording(path).rogues == {5: T0 + 10 * DAY}
    assert len(times(path)) == 6


def reason(t: int, when: str) -> str:
    return f"receive time {t} ({when}) is more than 7 days from the lines next to it"


@pytest.mark.parametrize("make", [line, spaced], ids=["prefix", "slow-path"])
@pytest.mark.parametrize("run", [2, 3, MAX_ROGUE_RUN])
def test_rogue_lines_in_a_row_are_skipped_as_a_group(tmp_path: Path, make: object, run: int) -> None:
    """Each line of a run stamped 2099 has a close neighbour (the next 2099 line): the run is
    far from the lines just before and after it, which agree, so all of it is skipped."""
    good = minutes(10)
    stray = [make(FAR_FUTURE - i * MIN, 90 + i) for i in range(run)]  # type: ignore[operator]
    path = write(tmp_path / "rec.jsonl.gz", [*good[:5], *stray, *good[5:]])
    scan = scan_recording(path)
    assert scan.rogues == {7 + i: FAR_FUTURE - i * MIN for i in range(run)}
    assert (scan.first_ms, scan.last_ms, scan.count, scan.skipped) == (T0, T0 + 9 * MIN, 10, run)
    assert scan.first_skipped == f"line 7: {reason(FAR_FUTURE, '2099-12-31T23:58:20Z')}"
    source = RecordingSource(path)
    want = [T0 + i * MIN for i in range(10)]
    assert [p.received_ms for p in source] == want
    assert (source.last_ms, source.bad_lines, source.first_skipped) == (T0 + 9 * MIN, run, scan.first_skipped)
    bad = Skipped()
    assert [p.received_ms for p in read_recording(path, bad)[1]] == want
    assert bad.count == run
    assert [p.received_ms for p in iter_payloads(path)] == want


def test_a_run_from_the_past_is_a_group_too(tmp_path: Path) -> None:
    stray = 1_420_070_400_000  # 2015-01-01: inside the bounds, not this recording's clock
    rows = [*minutes(4), line(stray), line(stray + MIN), *minutes(4, T0 + 4 * MIN)]
    scan = scan_recording(path := write(tmp_path / "rec.jsonl.gz", rows))
    assert scan.rogues == {6: stray, 7: stray + MIN}
    assert times(path) == [T0 + i * MIN for i in range(8)]


def test_a_run_longer_than_the_bound_is_kept(tmp_path: Path) -> None:
    """More than MAX_ROGUE_RUN lines in a row are a stretch of the recording, not a glitch."""
    stray = [line(T0 + 30 * DAY + i * MIN, 90 + i) for i in range(MAX_ROGUE_RUN + 1)]
    path = write(tmp_path / "rec.jsonl.gz", [*minutes(12), *stray, *minutes(12, T0 + 12 * MIN)])
    assert scan_recording(path).rogues == {}
    assert len(times(path)) == 24 + MAX_ROGUE_RUN + 1


def test_a_short_real_stretch_between_two_gaps_is_kept(tmp_path: Path) -> None:
    """Feb, three lines ten days later, then April: the sides of the short stretch disagree
    with each other, so nothing says it is the odd one out: all of it is kept."""
    later, latest = T0 + 10 * DAY, T0 + 60 * DAY
    rows = [*minutes(12), *minutes(3, later), *minutes(12, latest)]
    path = write(tmp_path / "rec.jsonl.gz", rows)
    source = RecordingSource(path)
    assert (source.first_ms, source.last_ms, source.count, source.bad_lines) == (
        T0,
        latest + 11 * MIN,
        27,
        0,
    )
    # ... and a long recording that resumes days later keeps both sides too.
    path = write(tmp_path / "gap.jsonl.gz", [*minutes(20), *minutes(20, T0 + 21 * DAY)])
    assert scan_recording(path).rogues == {}
    assert len(times(path)) == 40


@pytest.mark.parametrize("run", [2, 3])
def test_a_run_at_the_start_or_end_is_rogue_beside_an_established_clock(tmp_path: Path, run: int) -> None:
    """At an edge a run has one side: it is skipped when that side is an established clock
    (more than MAX_ROGUE_RUN lines in a row, each close to the one before), so two lines
    stamped 2099 at the end never become the replay's end."""
    body = minutes(MAX_ROGUE_RUN + 1)
    stray = [line(FAR_FUTURE - i * MIN, 90 + i) for i in range(run)]
    want = [T0 + i * MIN for i in range(MAX_ROGUE_RUN + 1)]
    at_end = write(tmp_path / "end.jsonl.gz", [*body, *stray])
    assert scan_recording(at_end).rogues == {MAX_ROGUE_RUN + 3 + i: FAR_FUTURE - i * MIN for i in range(run)}
    assert (RecordingSource(at_end).last_ms, times(at_end)) == (want[-1], want)
    at_start = write(tmp_path / "start.jsonl.gz", [*stray, *body])
    assert scan_recording(at_start).rogues == {2 + i: FAR_FUTURE - i * MIN for i in range(run)}
    assert (RecordingSource(at_start).first_ms, times(at_start)) == (T0, want)


def test_a_run_at_an_edge_beside_a_short_stretch_is_kept(tmp_path: Path) -> None:
    """Two lines then a week's gap then a few lines: which side is the recording's clock is
    not known, so both are kept (a lone line at an edge is still judged on its own)."""
    short = minutes(MAX_ROGUE_RUN)  # one line short of an established clock
    far = [line(T0 + 30 * DAY), line(T0 + 30 * DAY + MIN)]
    for name, rows in (("end", [*short, *far]), ("start", [*far, *short])):
        path = write(tmp_path / f"{name}.jsonl.gz", rows)
        assert scan_recording(path).rogues == {}
        assert len(times(path)) == MAX_ROGUE_RUN + 2


def test_fewer_than_three_lines_are_never_judged(tmp_path: Path) -> None:
    path = write(tmp_path / "rec.jsonl.gz", [line(T0), line(T0 + 30 * DAY)])
    assert times(path) == [T0, T0 + 30 * DAY]
    path = write(tmp_path / "one.jsonl.gz", [line(T0)])
    assert times(path) == [T0]


def test_neighbours_are_the_lines_with_a_time(tmp_path: Path) -> None:
    """Blank and malformed lines between two payloads do not make either one an orphan."""
    good = minutes(4)
    rows = [good[0], b"", b"{junk", good[1], line(FAR_FUTURE), b"[1]", good[2], good[3]]
    path = write(tmp_path / "rec.jsonl.gz", rows)
    source = RecordingSource(path)
    assert times(path) == [T0 + i * MIN for i in range(4)]
    assert source.last_ms == T0 + 3 * MIN
    assert source.bad_lines == 3
    assert source.first_skipped is not None
    assert source.first_skipped.startswith("line 4: malformed payload line")  # the first, by line


def test_a_rogue_line_is_judged_in_file_order_before_sorting(tmp_path: Path) -> None:
    good = minutes(12)
    rows = [good[1], good[0], *good[2:6], line(FAR_FUTURE, 99), *good[6:]]
    path = write(tmp_path / "rec.jsonl.gz", rows)
    source = RecordingSource(path, sort_run_bytes=300)
    assert not source.ordered
    want = [T0 + i * MIN for i in range(12)]
    assert [p.received_ms for p in source] == want
    assert [p.received_ms for p in source] == want
    assert (source.last_ms, source.count, source.bad_lines) == (T0 + 11 * MIN, 12, 1)


def test_a_far_past_line_in_range_is_also_a_rogue(tmp_path: Path) -> None:
    """2015 inside a 2026 recording is within the bounds but not this recording's clock."""
    stray = 1_420_070_400_000  # 2015-01-01
    path = write(tmp_path / "rec.jsonl.gz", [*minutes(4), line(stray, 99), *minutes(4, T0 + 4 * MIN)])
    source = RecordingSource(path)
    assert (source.first_ms, source.count, source.bad_lines) == (T0, 8, 1)


def test_the_window_checks_use_the_consistent_lines(tmp_path: Path) -> None:
    """A header without a span: ``--start``/``--until`` are judged against the payloads' span."""
    path = write(tmp_path / "rec.jsonl.gz", [*minutes(5), line(FAR_FUTURE)])
    rng = recording_range(path)
    assert (rng.start_ms, rng.end_ms) == (T0, T0 + 4 * MIN)


def test_too_many_rogue_lines_refuse_the_file_in_one_line(tmp_path: Path) -> None:
    rows = [line(T0 if i % 2 else FAR_FUTURE, i) for i in range(MAX_ROGUE_LINES + 5)]
    path = write(tmp_path / "rec.jsonl.gz", rows)
    with pytest.raises(RecordingError, match="not one recorded session"):
        RecordingSource(path)


def test_once_skips_the_rogue_line_and_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path / "rec.jsonl.gz", [*minutes(5), line(FAR_FUTURE)])
    code = main(["--once", "--json", "--replay", str(path)])
    captured = capsys.readouterr()
    assert code in (0, 3)  # the bodies are not tickers; the clock is what this checks
    doc = json.loads(captured.out)
    assert "2099" not in captured.out
    assert doc["replay"]["bad_lines"] == 1
    (err,) = captured.err.strip().splitlines()
    assert err == (
        f"crashtui: {path}: skipped 1 malformed lines (line 7: receive time {FAR_FUTURE} "
        "(2099-12-31T23:58:20Z) is more than 7 days from the lines next to it)"
    )
