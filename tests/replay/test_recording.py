"""Recording files: round trip, redaction, truncated files, bad files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from crashtui.model import RawPayload, freeze_params
from crashtui.replay.recording import (
    RecordingError,
    RecordingHeader,
    RecordingSource,
    RecordingWriter,
    Skipped,
    encode_payload,
    read_recording,
    scan_recording,
)


def payload(i: int, body: bytes = b'{"x":1}', **params: str) -> RawPayload:
    return RawPayload("binance", "ticker_24hr", 1_770_000_000_000 + i, body, freeze_params(params))


def test_round_trip_keeps_every_field(tmp_path: Path, fixture_bytes) -> None:
    path = tmp_path / "rec.jsonl.gz"
    header = RecordingHeader(
        created_ms=1, label="test", watchlist=("BTC", "ETH"), pinned_zones={"ETH": (1826.0,)}
    )
    writer = RecordingWriter(path, header)
    klines = fixture_bytes("binance_klines.json")
    # (receive times before 2009 are malformed: these are just before payload(3)'s)
    writer(
        RawPayload(
            "binance", "klines", 1_769_999_999_005, klines, freeze_params({"symbol": "BTC", "interval": "1h"})
        )
    )
    writer(
        RawPayload(
            "bybit_liq", "allLiquidation", 1_769_999_999_007, b"\xff\xfe binary", kind="ws", status=101
        )
    )
    writer(payload(3))
    writer.close()
    got_header, payloads = read_recording(path)
    assert got_header.watchlist == ("BTC", "ETH")
    assert got_header.pinned_zones == {"ETH": (1826.0,)}
    assert [p.received_ms for p in payloads] == [1_769_999_999_005, 1_769_999_999_007, 1_770_000_000_003]
    by_ep = {p.endpoint: p for p in payloads}
    assert by_ep["klines"].body == klines
    assert dict(by_ep["klines"].params) == {"symbol": "BTC", "interval": "1h"}
    assert by_ep["allLiquidation"].body == b"\xff\xfe binary"
    assert by_ep["allLiquidation"].kind == "ws"
    assert by_ep["allLiquidation"].status == 101
    assert [p.received_ms for p in payloads] == sorted(p.received_ms for p in payloads)


def test_credentials_never_written(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    writer = RecordingWriter(path, RecordingHeader(created_ms=1, label="t"))
    writer(payload(1, api_key="SECRET-123", x_cg_demo_api_key="SECRET-456", symbol="BTC"))
    writer.close()
    text = gzip.decompress(path.read_bytes()).decode()
    assert "SECRET" not in text
    _, (p,) = read_recording(path)
    assert dict(p.params) == {"symbol": "BTC"}


def test_truncated_file_keeps_complete_lines(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    writer = RecordingWriter(path, RecordingHeader(created_ms=1, label="t"), flush_interval_s=0.01)
    for i in range(50):
        writer(payload(i))
    writer.close()
    data = path.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) - 20])  # as if killed before the gzip trailer
    _, payloads = read_recording(cut)
    assert 0 < len(payloads) <= 50
    assert [p.received_ms for p in payloads] == [payload(i).received_ms for i in range(len(payloads))]


def _gzip_cut(path: Path, text: bytes) -> None:
    """``text`` gzip-compressed and flushed, never finished: what a copy in progress or a crash
    mid-write leaves on disk."""
    import zlib

    comp = zlib.compressobj(wbits=31)
    path.write_bytes(comp.compress(text) + comp.flush(zlib.Z_SYNC_FLUSH))


@pytest.mark.parametrize("mid_line", [True, False])
def test_a_last_line_cut_short_is_counted_not_silent(tmp_path: Path, mid_line: bool) -> None:
    full = tmp_path / "rec.jsonl.gz"
    writer = RecordingWriter(full, RecordingHeader(created_ms=1, label="t"))
    for i in range(4):
        writer(payload(i))
    writer.close()
    text = gzip.decompress(full.read_bytes())
    last = text.rstrip(b"\n").rsplit(b"\n", 1)[1]
    cut = tmp_path / "cut.jsonl.gz"
    _gzip_cut(cut, text[: len(text) - len(last) // 2 - 1] if mid_line else text)
    scan = scan_recording(cut)
    assert scan.count == (3 if mid_line else 4)
    if mid_line:  # data was lost: the replay says so (a killed recorder's whole lines are not)
        assert scan.skipped == 1
        assert scan.first_skipped is not None
        assert scan.first_skipped.startswith("line 5: the recording ends mid-line (")
    else:
        assert scan.skipped == 0
    assert len(read_recording(cut)[1]) == scan.count


def test_kill_before_close_keeps_flushed_payloads(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    writer = RecordingWriter(path, RecordingHeader(created_ms=1, label="t"), flush_interval_s=0.01)
    writer(payload(1))
    writer(payload(2))
    import time

    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        if len(read_recording(path)[1]) == 2:
            break
        time.sleep(0.02)
    # never closed: the file on disk is what a kill -9 would leave
    assert [p.received_ms for p in read_recording(path)[1]] == [
        payload(1).received_ms,
        payload(2).received_ms,
    ]
    writer.close()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"plain text", "not a gzip-compressed recording"),
        (gzip.compress(b'{"format":"other"}\n', mtime=0), "not a crashtui recording"),
        (gzip.compress(b"", mtime=0), "empty or unreadable recording header"),
        (
            gzip.compress(b'{"format":"crashtui-recording","version":99}\n', mtime=0),
            "newer than this crashtui",
        ),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(content)
    with pytest.raises(RecordingError, match=message):
        read_recording(path)


def test_malformed_payload_lines_are_skipped_and_counted(tmp_path: Path) -> None:
    good = encode_payload(payload(1)).encode()
    path = tmp_path / "bad.jsonl.gz"
    path.write_bytes(
        gzip.compress(
            b'{"format":"crashtui-recording","version":1}\n{"t":"x"}\n' + good + b"\n"
            + good.replace(b'"t":1770000000001', b'"t":99999999999999999') + b"\n"
            + good[: len(good) // 2] + b"\n" + b"not json at all\n" + good + b"\n"
        )
    )  # fmt: skip
    bad = Skipped()
    _, payloads = read_recording(path, bad)
    assert [p.received_ms for p in payloads] == [1_770_000_000_001] * 2
    assert bad.count == 4  # the year-3 million receive time would have moved the replay clock
    assert bad.first is not None
    assert bad.first.startswith("line 2: malformed payload line")
    source = RecordingSource(path)  # the replay's source: scan, then stream
    assert len(list(source)) == 2
    assert len(list(source)) == 2  # a second pass (seeking back) counts no line twice
    assert source.bad_lines == 4
    assert source.last_ms == 1_770_000_000_001  # the far-future line never set the replay's end


def test_malformed_lines_of_a_short_file_are_counted_in_the_source(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl.gz"
    good = encode_payload(payload(1)).encode()
    path.write_bytes(
        gzip.compress(b'{"format":"crashtui-recording","version":1}\n{"t":"x"}\n' + good + b"\n{oops\n")
    )
    skipped = Skipped()
    _, payloads = read_recording(path, skipped)
    assert [p.received_ms for p in payloads] == [payload(1).received_ms]
    assert skipped.count == 2
    assert skipped.first is not None
    assert skipped.first.startswith("line 2: malformed payload line")
    source = RecordingSource(path)
    assert [p.received_ms for p in source] == [payload(1).received_ms]
    assert source.skipped == 2


def test_lines_that_are_not_clean_utf8_json_read_as_their_text_does(tmp_path: Path) -> None:
    """Lines are read as bytes when orjson takes them; any other line must come out exactly as
    its text (decoded with replacement characters) would: a body that is not UTF-8, a number
    beyond 64 bits, a blank line of Unicode whitespace, a payload line of another shape."""
    from crashtui.replay.recording import decode_payload

    good = encode_payload(payload(1)).encode()
    lines = [
        good,
        good.replace(b'{\\"x\\":1}', b'{\\"x\\":\xff\xfe1}'),  # not UTF-8 inside the body
        good.replace(b'"st":200', b'"st":200000000000000000000000'),  # beyond 64 bits
        b"\x1c\x1d  ",  # whitespace to str.strip(), not to bytes.strip()
        b"",
        b"[1,2]",
        good.replace(b'"p":{}', b'"p":{"a":1}'),  # a param value that is not text
    ]
    path = tmp_path / "odd.jsonl.gz"
    path.write_bytes(
        gzip.compress(b'{"format":"crashtui-recording","version":1}\n' + b"\n".join(lines) + b"\n")
    )
    want: list[RawPayload] = []
    want_bad = 0
    for line in lines:
        text = line.decode("utf-8", errors="replace")
        if not text.strip():
            continue
        try:
            want.append(decode_payload(text))
        except RecordingError:
            want_bad += 1
    skipped = Skipped()
    _, got = read_recording(path, skipped)
    assert got == want
    assert want[1].body == '{"x":\ufffd\ufffd1}'.encode()
    assert want[2].status > 10**20
    assert dict(want[3].params) == {"a": "1"}
    assert skipped.count == want_bad == 1
