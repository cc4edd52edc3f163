"""Recording durability: the recorder on a full disk, ``record``'s honest progress and exit
codes, and bounded reading (gzip bombs, out-of-order files, malformed lines, empty files)."""

from __future__ import annotations

import errno
import gc
import gzip
import json
import random
import tempfile
import time
import tracemalloc
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

import httpx
import pytest

from crashtui.assemble import EngineOptions, build_engine
from crashtui.cli import main
from crashtui.commands import record
from crashtui.config.parse import parse_config
from crashtui.model import RawPayload, SourceState, freeze_params
from crashtui.replay.recording import (
    RecordingError,
    RecordingHeader,
    RecordingSource,
    RecordingWriter,
    encode_payload,
    read_recording,
    write_recording,
)
from crashtui.themes import theme_names

T0 = 1_770_000_000_000
HEADER = RecordingHeader(created_ms=1, label="t", watchlist=("BTC",))


def payload(i: int, size: int = 40) -> RawPayload:
    body = json.dumps({"i": i, "pad": "x" * size}).encode()
    return RawPayload("binance", "ticker_24hr", T0 + i, body, freeze_params({"symbols": "BTC"}))


def wait_for(predicate: Callable[[], bool], timeout_s: float = 10.0) -> None:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.01)
    raise AssertionError("condition never held")


class FullDisk:
    """A file that takes ``space`` more bytes, then refuses writes with ENOSPC (None: room)."""

    def __init__(self, path: Path) -> None:
        self.fh: IO[bytes] = path.open("wb", buffering=0)
        self.space: int | None = None

    def write(self, data: Any) -> int:
        if self.space is None:
            return int(self.fh.write(data))
        if self.space == 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        n = int(self.fh.write(bytes(data[: self.space])))  # a partial write, as the kernel does
        self.space -= n
        return n

    def flush(self) -> None:
        self.fh.flush()

    def close(self) -> None:
        self.fh.close()


def full_disk_writer(path: Path, **kwargs: Any) -> tuple[RecordingWriter, list[FullDisk]]:
    made: list[FullDisk] = []

    def opener(p: Path) -> Any:
        made.append(FullDisk(p))
        return made[-1]

    writer = RecordingWriter(
        path, HEADER, flush_interval_s=0.01, retry_s=(0.01, 0.05), opener=opener, **kwargs
    )
    return writer, made


# -- the recorder on a full disk ---------------------------------------------------------------


def test_a_full_disk_is_reported_nothing_is_lost_and_writing_resumes(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    writer, (disk,) = full_disk_writer(path)
    for i in range(20):
        writer(payload(i))
    wait_for(lambda: writer.health().written == 20)
    disk.space = 30  # a few bytes, then the disk is full
    for i in range(20, 70):
        writer(payload(i, size=400))
    wait_for(lambda: writer.health().failing)
    health = writer.health()
    assert health.error == "writing failed: No space left on device"
    assert health.written <= 21  # progress is not claimed for what is not on disk
    wait_for(lambda: writer.health().written + writer.health().waiting == 70)
    assert writer.health().dropped == 0
    disk.space = None  # space returns
    wait_for(lambda: writer.health().written == 70 and not writer.health().failing)
    writer.close()
    assert writer.health().dropped == 0
    gzip.decompress(path.read_bytes())  # one whole gzip stream, trailer included
    _, payloads = read_recording(path)
    assert [p.received_ms for p in payloads] == [T0 + i for i in range(70)]


def test_the_buffer_held_for_a_full_disk_is_bounded_and_counted(tmp_path: Path) -> None:
    path = tmp_path / "rec.jsonl.gz"
    writer, (disk,) = full_disk_writer(path, max_buffer_bytes=4_000)
    writer(payload(0))
    wait_for(lambda: writer.health().written == 1)
    disk.space = 0
    rng = random.Random(1)
    for i in range(1, 400):  # incompressible bodies: the buffer fills fast
        body = json.dumps({"i": i, "r": rng.randbytes(300).hex()}).encode()
        writer(RawPayload("binance", "ticker_24hr", T0 + i, body))
    wait_for(lambda: writer.health().dropped > 0 and writer.health().waiting < 399)
    writer.close()  # the disk still refuses: what waited is lost, and said so
    health = writer.health()
    assert health.written == 1
    assert health.dropped == 399
    assert health.error == "writing failed: No space left on device"
    _, payloads = read_recording(path)  # the file is readable up to its last sync point
    assert [p.received_ms for p in payloads] == [T0]


def test_a_payload_that_cannot_be_encoded_costs_only_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "rec.jsonl.gz"
    import crashtui.replay.recording as recording

    real = recording.encode_payload

    def flaky(p: RawPayload) -> str:
        if p.received_ms == T0 + 1:
            raise ValueError("boom")
        return real(p)

    monkeypatch.setattr(recording, "encode_payload", flaky)
    writer = RecordingWriter(path, HEADER, flush_interval_s=0.01)
    for i in range(3):
        writer(payload(i))
    writer.close()
    health = writer.health()
    assert health.written == 2
    assert health.dropped == 1
    assert health.dropped_why == "cannot encode a payload: ValueError: boom"
    _, payloads = read_recording(path)
    assert [p.received_ms for p in payloads] == [T0, T0 + 2]


# -- `crashtui record`: progress it makes, exit codes ------------------------------------------


def engine_for(out: Path, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    config = parse_config({}, "(test)", themes=tuple(theme_names()), env={})

    def factory(_net: Any) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.MockTransport(handler))

    return build_engine(
        config, ("BTC",), EngineOptions(record_path=out, streams=False), client_factory=factory
    )


async def test_record_keeps_error_responses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(record, "PROGRESS_EVERY_S", 0.3)
    statuses = [503, 429, 451, 200]

    def handler(request: httpx.Request) -> httpx.Response:
        code = statuses[zlib.crc32(request.url.path.encode()) % len(statuses)]
        return httpx.Response(code, content=b'{"msg":"nope"}' if code != 200 else b"{}")

    out = tmp_path / "rec.jsonl.gz"
    code = await record._record(engine_for(out, handler), out, 1.0)
    err = capsys.readouterr().err
    assert code == 0, err
    _, payloads = read_recording(out)
    seen = {p.status for p in payloads}
    assert {503, 429, 451} <= seen  # every response, error statuses included
    assert f"wrote {len(payloads)} payloads to {out}" in err


async def test_record_with_no_payload_exits_3_with_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(record, "PROGRESS_EVERY_S", 0.3)

    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    out = tmp_path / "rec.jsonl.gz"
    code = await record._record(engine_for(out, handler), out, 1.0)
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 3
    assert err[-1].startswith("crashtui: recorded no payloads: no source answered (")
    assert "cannot connect" in err[-1]
    with pytest.raises(RecordingError, match="holds no payloads"):
        RecordingSource(out)


async def test_record_progress_says_writing_failed_not_progress(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(record, "PROGRESS_EVERY_S", 0.2)
    disks: list[FullDisk] = []
    real_init = RecordingWriter.__init__

    def init(self: RecordingWriter, path: Path, header: RecordingHeader, **kwargs: Any) -> None:
        def opener(p: Path) -> Any:
            disks.append(FullDisk(p))
            disks[-1].space = 200  # the header, then the disk is full
            return disks[-1]

        real_init(self, path, header, flush_interval_s=0.01, retry_s=(0.05, 0.1), opener=opener)

    monkeypatch.setattr(RecordingWriter, "__init__", init)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b'{"x":' + b"1" * 500 + b"}")

    out = tmp_path / "rec.jsonl.gz"
    engine = engine_for(out, handler)
    code = await record._record(engine, out, 1.2)
    err = capsys.readouterr().err.splitlines()
    progress = [line for line in err if "writing failed" in line]
    assert progress, err
    assert progress[0].startswith("crashtui: writing failed: No space left on device, ")
    assert "events waiting" in progress[0]
    assert "(0 payloads recorded" in progress[0]
    assert code == 3  # nothing reached the disk
    assert err[-1] == "crashtui: recorded no payloads: writing failed: No space left on device"
    status = engine.state.statuses["recorder"]
    assert status.state is SourceState.FAILING
    assert "events waiting" in (status.last_error or "")


def test_record_into_an_impossible_place_is_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    config = tmp_path / "c.toml"
    config.write_text("")
    assert main(["record", "--config", str(config), str(blocker / "rec.jsonl.gz")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0].startswith(f"crashtui: error: cannot write {blocker / 'rec.jsonl.gz'}: ")


# -- reading: empty, bombs, out of order -------------------------------------------------------


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_an_empty_recording_replays_as_one_clear_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], json_flag: list[str]
) -> None:
    path = tmp_path / "empty.jsonl.gz"
    write_recording(path, HEADER, [])
    assert main(["--once", *json_flag, "--replay", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""  # never a screen dated 1970
    assert (
        captured.err.strip()
        == f"crashtui: error: {path}: the recording holds no payloads (nothing was recorded)"
    )


def test_a_recording_of_only_garbage_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "junk.jsonl.gz"
    path.write_bytes(gzip.compress(json.dumps(HEADER.to_json()).encode() + b"\n{junk\n[1,2]\n"))
    assert main(["--once", "--replay", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "no readable payload (2 malformed lines; line 2: malformed payload line" in err


def bomb(path: Path, megabytes: int) -> None:
    """A valid header and the start of a payload line, then ``megabytes`` MiB without a newline."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    with path.open("wb") as fh:
        fh.write(comp.compress(json.dumps(HEADER.to_json()).encode() + b"\n"))
        fh.write(comp.compress(encode_payload(payload(0)).encode() + b'\n{"t":1,"b":"'))
        block = b"A" * 2**20
        for _ in range(megabytes):
            fh.write(comp.compress(block))
        fh.write(comp.flush())


def test_a_gzip_bomb_is_refused_in_bounded_memory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bomb.jsonl.gz"
    bomb(path, 512)  # 512 MiB in ~0.5 MB of file
    assert path.stat().st_size < 2_000_000
    tracemalloc.start()
    try:
        with pytest.raises(RecordingError, match=r"line 3 is over 64 MiB decompressed.*gzip bomb"):
            RecordingSource(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 100 * 2**20  # the cap and one step of output, not the 512 MiB
    assert main(["--once", "--replay", str(path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "gzip bomb" in err[0]


def shuffled_recording(path: Path, n: int) -> list[RawPayload]:
    payloads = [payload(i // 3, size=2000) for i in range(n)]  # three payloads per time
    payloads = [
        RawPayload(p.source, p.endpoint, p.received_ms, p.body + str(k).encode(), p.params)
        for k, p in enumerate(payloads)
    ]
    order = list(range(n))
    random.Random(3).shuffle(order)
    write_recording(path, HEADER, [payloads[k] for k in order])
    # what a replay must see: by time, file order kept for equal times
    return sorted((payloads[k] for k in order), key=lambda p: p.received_ms)


def test_an_out_of_order_recording_is_sorted_in_bounded_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "tmp"
    work.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(work))
    path = tmp_path / "shuffled.jsonl.gz"
    want = shuffled_recording(path, 3000)  # ~6 MB of payload lines
    tracemalloc.start()
    try:
        source = RecordingSource(path, sort_run_bytes=200_000)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not source.ordered
    assert peak < 4 * 2**20  # a run and the reader's buffers, not the whole file
    assert [p.body for p in source] == [p.body for p in want]
    assert [p.body for p in source] == [p.body for p in want]  # a second pass (seeking back)
    assert [p.name for p in work.iterdir()] == [p.name for p in work.iterdir() if "sorted" in p.name]
    del source
    gc.collect()
    assert list(work.iterdir()) == []  # the sorted copy goes with its source


def test_once_replays_around_malformed_lines_and_says_how_many(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = [encode_payload(payload(i)).encode() for i in range(3)]
    path = tmp_path / "rec.jsonl.gz"
    body = json.dumps(HEADER.to_json()).encode() + b"\n" + good[0] + b"\n{broken\n" + good[1] + b"\n"
    path.write_bytes(gzip.compress(body + b'{"t":5,"src":1}\n' + good[2] + b"\n"))
    code = main(["--once", "--json", "--replay", str(path)])
    captured = capsys.readouterr()
    assert code in (0, 3)  # what the payloads hold decides; the bad lines never do
    json.loads(captured.out)
    (line,) = captured.err.strip().splitlines()
    assert line.startswith(f"crashtui: {path}: skipped 2 malformed lines (line 3: malformed payload line")


def test_no_room_to_sort_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shuffled.jsonl.gz"
    shuffled_recording(path, 30)

    def full(*_args: Any, **_kwargs: Any) -> Any:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(tempfile, "mkstemp", full)
    with pytest.raises(RecordingError, match=r"cannot sort .*: No space left on device"):
        RecordingSource(path)


RECORDER = r"""
import sys, time, json
from pathlib import Path
from crashtui.model import RawPayload
from crashtui.replay.recording import RecordingHeader, RecordingWriter
writer = RecordingWriter(Path(sys.argv[1]), RecordingHeader(created_ms=1, label="k"), flush_interval_s=0.02)
i = 0
reported = 0
while True:
    writer(RawPayload("binance", "ticker_24hr", 1_770_000_000_000 + i, json.dumps({"i": i}).encode()))
    i += 1
    written = writer.health().written
    if written > reported:
        reported = written
        print(written, flush=True)
    time.sleep(0.001)
"""


@pytest.mark.slow
def test_kill_9_of_the_recorder_keeps_every_payload_it_reported_written(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys

    rng = random.Random(5)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for round_no in range(5):
        path = tmp_path / f"kill{round_no}.jsonl.gz"
        with subprocess.Popen(
            [sys.executable, "-c", RECORDER, str(path)], stdout=subprocess.PIPE, text=True, env=env
        ) as proc:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            assert first.strip().isdigit()
            time.sleep(rng.uniform(0.05, 0.4))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            reported = max(int(line) for line in [first, *proc.stdout.read().splitlines()] if line.strip())
        _, payloads = read_recording(path)  # the file a kill -9 leaves: no gzip trailer
        assert len(payloads) >= reported
        assert [p.received_ms for p in payloads] == [T0 + i for i in range(len(payloads))]
