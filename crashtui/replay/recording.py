"""Recording files: gzip-compressed JSON Lines of raw payloads (see docs/recording-format.md).

The writer runs on a background thread and does a gzip sync-flush every
``flush_interval_s``, so a crash or ``kill -9`` loses at most that last moment; the
reader accepts a file cut off mid-stream and returns every complete line before it.
"""

from __future__ import annotations

import base64
import gzip
import json
import queue
import re
import threading
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

from crashtui import jsonfast
from crashtui.model import RawPayload

FORMAT = "crashtui-recording"
VERSION = 1
_SECRET_PARAM = re.compile(r"(key|token|secret|signature|auth|password)", re.IGNORECASE)
_STOP = object()
# A payload's receive time drives the replay clock: one outside these bounds (negative, the
# year 30,000) is a malformed line, skipped, never the clock.
_EARLIEST_T_MS = 0
_LATEST_T_MS = 4_102_444_800_000  # 2100-01-01


class RecordingError(Exception):
    """A recording file cannot be read; ``str()`` is a one-line reason."""


@dataclass(frozen=True, slots=True)
class RecordingHeader:
    """First line of a recording: what it is and how to label it."""

    created_ms: int
    label: str
    scenario: bool = False
    note: str = ""
    watchlist: tuple[str, ...] = ()
    pinned_zones: Mapping[str, tuple[float, ...]] = field(default_factory=dict)
    start_ms: int | None = None
    end_ms: int | None = None

    def to_json(self) -> dict[str, Any]:
        """The header line as a JSON object."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "created_ms": self.created_ms,
            "label": self.label,
            "scenario": self.scenario,
            "note": self.note,
            "watchlist": list(self.watchlist),
            "pinned_zones": {k: list(v) for k, v in self.pinned_zones.items()},
            "start_ms": self.start_ms,
            "end_ms": self.end_ms,
        }


def redact_params(params: Mapping[str, str]) -> dict[str, str]:
    """Drop any parameter whose name looks like a credential (defence in depth)."""
    return {k: v for k, v in params.items() if not _SECRET_PARAM.search(k)}


def encode_payload(payload: RawPayload) -> str:
    """One JSON line for a payload (body as text when UTF-8, else base64)."""
    record: dict[str, Any] = {
        "t": payload.received_ms,
        "src": payload.source,
        "ep": payload.endpoint,
        "k": payload.kind,
        "st": payload.status,
        "p": redact_params(payload.params),
    }
    try:
        record["b"] = payload.body.decode("utf-8")
    except UnicodeDecodeError:
        record["b64"] = base64.b64encode(payload.body).decode("ascii")
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False)


def decode_payload(line: str) -> RawPayload:
    """Parse one payload line; raises RecordingError on a malformed line."""
    try:
        record = jsonfast.loads(line)
        body = base64.b64decode(record["b64"]) if "b64" in record else str(record["b"]).encode("utf-8")
        params = record.get("p") or {}
        if not isinstance(params, dict):
            raise TypeError("params")
        if not all(type(v) is str for v in params.values()):
            params = {str(k): str(v) for k, v in params.items()}
        received_ms = int(record["t"])
        if not _EARLIEST_T_MS <= received_ms <= _LATEST_T_MS:
            raise ValueError(f"receive time {received_ms} is not epoch ms between 1970 and 2100")
        return RawPayload(
            source=str(record["src"]),
            endpoint=str(record["ep"]),
            received_ms=received_ms,
            body=body,
            params=MappingProxyType(params),
            status=int(record.get("st", 200)),
            kind=str(record.get("k", "http")),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordingError(f"malformed payload line: {type(exc).__name__}: {exc}") from None


class RecordingWriter:
    """Appends payloads to a recording from a background thread."""

    def __init__(self, path: Path, header: RecordingHeader, *, flush_interval_s: float = 1.0) -> None:
        self.path = path
        self._flush_interval_s = flush_interval_s
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw: IO[bytes] = path.open("wb")
        self._gz = gzip.GzipFile(fileobj=self._raw, mode="wb", compresslevel=6)
        self._write_line(json.dumps(header.to_json(), separators=(",", ":")))
        self._sync()
        self.count = 0
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="crashtui-recorder", daemon=True)
        self._thread.start()

    def __call__(self, payload: RawPayload) -> None:
        """RawSink: queue one payload (never blocks)."""
        if not self._closed:
            self._queue.put(payload)

    def _write_line(self, line: str) -> None:
        self._gz.write(line.encode("utf-8") + b"\n")

    def _sync(self) -> None:
        self._gz.flush(zlib.Z_SYNC_FLUSH)
        self._raw.flush()

    def _run(self) -> None:
        last_flush = time.monotonic()
        dirty = False
        while True:
            try:
                item = self._queue.get(timeout=self._flush_interval_s)
            except queue.Empty:
                item = None
            if item is _STOP:
                break
            if isinstance(item, RawPayload):
                self._write_line(encode_payload(item))
                self.count += 1
                dirty = True
            if dirty and time.monotonic() - last_flush >= self._flush_interval_s:
                self._sync()
                last_flush = time.monotonic()
                dirty = False

    def close(self) -> None:
        """Write what is queued, finish the gzip stream and close the file."""
        if self._closed:
            return
        self._closed = True
        self._queue.put(_STOP)
        self._thread.join(timeout=30)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, RawPayload):
                self._write_line(encode_payload(item))
                self.count += 1
        self._gz.close()
        self._raw.close()


def write_recording(path: Path, header: RecordingHeader, payloads: Iterable[RawPayload]) -> int:
    """Write a whole recording at once, byte-for-byte reproducible (gzip mtime 0)."""
    count = 0
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(json.dumps(header.to_json(), separators=(",", ":")).encode() + b"\n")
        for payload in payloads:
            gz.write(encode_payload(payload).encode("utf-8") + b"\n")
            count += 1
    return count


_CHUNK = 1 << 16
_TIME_PREFIX = re.compile(rb'^\{"t":(\d+),')


def _raw_lines(path: Path) -> Iterator[bytes]:
    """Complete lines of a gzip file, streamed; stops quietly at a truncated end."""
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read recording: {exc.strerror}") from None
    with fh:
        if fh.read(2) != b"\x1f\x8b":
            raise RecordingError(f"{path}: not a gzip-compressed recording")
        fh.seek(0)
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        pending = b""
        while True:
            chunk = fh.read(_CHUNK)
            if not chunk:
                break
            try:
                pending += decomp.decompress(chunk)
            except zlib.error as exc:
                raise RecordingError(f"{path}: corrupt recording: {exc}") from None
            *complete, pending = pending.split(b"\n")
            yield from complete
            if decomp.eof:  # one gzip member; anything after it is not ours
                break


def _lines(path: Path) -> Iterator[str]:
    """Complete text lines of a gzip file, stopping quietly at a truncated end."""
    for line in _raw_lines(path):
        yield line.decode("utf-8", errors="replace")


def _parse_header(path: Path, lines: Iterator[str]) -> RecordingHeader:
    try:
        first = json.loads(next(lines))
    except (StopIteration, ValueError):
        raise RecordingError(f"{path}: empty or unreadable recording header") from None
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise RecordingError(f"{path}: not a crashtui recording (no '{FORMAT}' header)")
    if int(first.get("version", 0)) > VERSION:
        raise RecordingError(f"{path}: recording version {first.get('version')} is newer than this crashtui")
    return RecordingHeader(
        created_ms=int(first.get("created_ms", 0)),
        label=str(first.get("label", path.name)),
        scenario=bool(first.get("scenario", False)),
        note=str(first.get("note", "")),
        watchlist=tuple(str(s) for s in first.get("watchlist") or ()),
        pinned_zones={
            str(k): tuple(float(x) for x in v) for k, v in (first.get("pinned_zones") or {}).items()
        },
        start_ms=first.get("start_ms"),
        end_ms=first.get("end_ms"),
    )


def read_header(path: Path) -> RecordingHeader:
    """Only the header of a recording."""
    return _parse_header(path, _lines(path))


@dataclass(slots=True)
class BadLines:
    """Malformed payload lines skipped while reading a recording (never fatal): which lines
    (1 is the header) and the first reason. A line is counted once however often it is read."""

    lines: set[int] = field(default_factory=set)
    first_reason: str = ""

    def note(self, number: int, reason: str) -> None:
        """Record that line ``number`` was skipped because of ``reason``."""
        if not self.lines:
            self.first_reason = reason
        self.lines.add(number)

    @property
    def count(self) -> int:
        """How many distinct lines were skipped."""
        return len(self.lines)


def _decoded(lines: Iterator[str], bad: BadLines | None) -> Iterator[RawPayload]:
    """The payloads of the lines after the header; a malformed line is skipped (and noted)."""
    for number, line in enumerate(lines, start=2):
        if not line.strip():
            continue
        try:
            yield decode_payload(line)
        except RecordingError as exc:
            if bad is not None:
                bad.note(number, str(exc))


def iter_payloads(path: Path, bad: BadLines | None = None) -> Iterator[RawPayload]:
    """Payloads in file order, streamed (memory stays flat whatever the file's size).

    A malformed line is skipped and noted in ``bad``; it never ends the replay.
    """
    lines = _lines(path)
    _parse_header(path, lines)
    yield from _decoded(lines, bad)


def read_recording(path: Path, bad: BadLines | None = None) -> tuple[RecordingHeader, list[RawPayload]]:
    """Read a whole recording (header, payloads ordered by receive time; bad lines skipped)."""
    lines = _lines(path)
    header = _parse_header(path, lines)
    payloads = list(_decoded(lines, bad))
    payloads.sort(key=lambda p: p.received_ms)
    return header, payloads


@dataclass(frozen=True, slots=True)
class RecordingScan:
    """What one cheap pass over a recording tells: its span, size and whether it is in order."""

    first_ms: int | None
    last_ms: int | None
    count: int
    ordered: bool


def scan_recording(path: Path, bad: BadLines | None = None) -> RecordingScan:
    """Times of a recording without decoding its payloads (reads each line's ``"t"``)."""
    first = last = None
    count = 0
    ordered = True
    lines = _raw_lines(path)
    next(lines, None)  # header
    for number, line in enumerate(lines, start=2):
        match = _TIME_PREFIX.match(line)
        if match is None:
            if not line.strip():
                continue
            try:
                t = decode_payload(line.decode("utf-8", errors="replace")).received_ms
            except RecordingError as exc:
                if bad is not None:
                    bad.note(number, str(exc))
                continue
        else:
            t = int(match[1])
            if not _EARLIEST_T_MS <= t <= _LATEST_T_MS:
                continue  # decoding it says why (and notes it)
        if last is not None and t < last:
            ordered = False
        first = t if first is None else min(first, t)
        last = t if last is None else max(last, t)
        count += 1
    return RecordingScan(first, last, count, ordered)


class RecordingSource:
    """A recording to replay, iterable any number of times in receive-time order.

    A recording written in time order (what ``record`` and the scenario builder write) is
    streamed from disk on every pass, so a replay holds no payloads in memory; one that is
    not in order is read and sorted once and kept.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.header = read_header(path)
        self.bad = BadLines()
        scan = scan_recording(path, self.bad)
        self.first_ms = scan.first_ms
        self.last_ms = scan.last_ms
        self.count = scan.count
        self._sorted: list[RawPayload] | None = None if scan.ordered else read_recording(path, self.bad)[1]

    @property
    def bad_lines(self) -> int:
        """Malformed lines skipped so far (known after the first full pass)."""
        return self.bad.count

    def __iter__(self) -> Iterator[RawPayload]:
        if self._sorted is not None:
            return iter(self._sorted)
        return iter_payloads(self.path, self.bad)
