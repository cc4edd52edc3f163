"""Recording files: gzip-compressed JSON Lines of raw payloads (see docs/recording-format.md).

The writer runs on a background thread and does a gzip sync-flush every
``flush_interval_s``, so a crash or ``kill -9`` loses at most that last moment; the
reader accepts a file cut off mid-stream and returns every complete line before it.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import gzip
import json
import queue
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import IO, Any

import orjson

from crashtui import jsonfast
from crashtui.model import RawPayload
from crashtui.replay.header import RecordingError as RecordingError
from crashtui.replay.header import RecordingHeader as RecordingHeader
from crashtui.replay.header import parse_header, raw_lines, text_lines
from crashtui.replay.header import read_header as read_header

_SECRET_PARAM = re.compile(r"(key|token|secret|signature|auth|password)", re.IGNORECASE)
_STOP = object()
# A payload's receive time drives the replay clock: one outside these bounds (seconds since
# 1970, the year 30,000) is a malformed line, skipped, never the clock. The earliest is the
# gate's ingest.timing.EARLIEST_MS (a layer above; a test holds them equal): no market datum
# predates the first bitcoin block.
_EARLIEST_T_MS = 1_230_940_800_000  # 2009-01-03
_LATEST_T_MS = 4_102_444_800_000  # 2100-01-01
# A receive time inside those bounds can still be a clock that jumped (one line stamped 2099
# in a February recording): a line more than this far from both its neighbours in file order
# (a missing neighbour counts as far) is skipped as malformed. A real gap (the recorder
# stopped for days) keeps both sides: each line there has a close neighbour.
ROGUE_GAP_MS = 7 * 86_400_000
# Rogue lines in a row (two lines stamped 2099) each have a close neighbour: a run of up to
# this many consecutive lines, all more than ROGUE_GAP_MS from the line just before the run and
# the one just after it, while those two agree (within ROGUE_GAP_MS), is rogue as a group. A
# real gap keeps everything: its two sides disagree. At the file's start or end the run has one
# side: it is rogue when that side is an established clock (more than this many consecutive
# lines each within ROGUE_GAP_MS of the one before), so a small file split by a gap keeps both
# parts, and a clock that jumps for the last lines never becomes the replay's end.
MAX_ROGUE_RUN = 8
# The scan remembers the rogue lines for the reader; past this many the file is refused (no
# recording of one session has them; memory stays bounded).
MAX_ROGUE_LINES = 10_000


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
    except ValueError as exc:
        raise RecordingError(f"malformed payload line: {type(exc).__name__}: {exc}") from None
    return _payload(record)


def _payload(record: Any) -> RawPayload:
    """The payload one decoded line holds; raises RecordingError when it is malformed."""
    try:
        body = base64.b64decode(record["b64"]) if "b64" in record else str(record["b"]).encode("utf-8")
        params = record.get("p") or {}
        if not isinstance(params, dict):
            raise TypeError("params")
        if params and not all(type(v) is str for v in params.values()):
            params = {str(k): str(v) for k, v in params.items()}
        received_ms = int(record["t"])
        if not _EARLIEST_T_MS <= received_ms <= _LATEST_T_MS:
            raise ValueError(_out_of_bounds(received_ms))
        return RawPayload(
            str(record["src"]),
            str(record["ep"]),
            received_ms,
            body,
            MappingProxyType(params),
            int(record.get("st", 200)),
            str(record.get("k", "http")),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise RecordingError(f"malformed payload line: {type(exc).__name__}: {exc}") from None


def _out_of_bounds(t: int) -> str:
    """Why receive time ``t`` is refused, naming the unit it looks like when it looks like one."""
    for unit, to_ms in (("seconds", 1000.0), ("µs", 1e-3), ("ns", 1e-6)):
        if _EARLIEST_T_MS <= t * to_ms <= _LATEST_T_MS:
            return f"receive time {t} looks like {unit}, not epoch ms between 2009-01-03 and 2100"
    return f"receive time {t} is not epoch ms between 2009-01-03 and 2100"


def _rogue_reason(t: int) -> str:
    from datetime import datetime, timezone

    when = datetime.fromtimestamp(t / 1000, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    days = ROGUE_GAP_MS // 86_400_000
    return f"receive time {t} ({when}) is more than {days} days from the lines next to it"


@dataclass(frozen=True, slots=True)
class RecorderHealth:
    """What the recorder is doing, for ``record``'s progress line and the ``recorder`` status.

    ``written`` payloads are on disk (readable after a crash); ``waiting`` were received and
    are not yet on disk (the disk refuses them, or the next flush is due); ``dropped`` were
    given up on (the buffer held for a full disk was at its cap); ``error`` is why writing
    fails now, None while it works.
    """

    written: int = 0
    waiting: int = 0
    dropped: int = 0
    error: str | None = None
    since_ms: int | None = None
    dropped_why: str | None = None

    @property
    def failing(self) -> bool:
        """Whether the last write failed."""
        return self.error is not None


class RecordingWriter:
    """Appends payloads to a recording from a background thread.

    Compressed bytes go through a buffer of their own to an unbuffered file, so a write the
    disk refuses (full, I/O error) loses nothing: the buffer is kept and written again with
    backoff, and the gzip stream stays whole. Up to ``max_buffer_bytes`` of compressed data
    wait for space; payloads beyond that are dropped and counted. :meth:`health` says which.
    Opening the file raises ``OSError`` (the caller says so in one line).
    """

    def __init__(
        self,
        path: Path,
        header: RecordingHeader,
        *,
        flush_interval_s: float = 1.0,
        max_buffer_bytes: int = 64 * 2**20,
        retry_s: tuple[float, float] = (1.0, 30.0),
        opener: Callable[[Path], IO[bytes]] | None = None,
    ) -> None:
        self.path = path
        self._flush_interval_s = flush_interval_s
        self._max_buffer_bytes = max_buffer_bytes
        self._retry_s = retry_s
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        path.parent.mkdir(parents=True, exist_ok=True)
        self._raw: IO[bytes] = opener(path) if opener is not None else path.open("wb", buffering=0)
        self._comp = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # a gzip stream
        self._out = bytearray()  # compressed bytes not yet accepted by the file
        self._fed = 0  # payloads handed to the compressor
        self.count = 0  # payloads on disk (as of the last sync-flush the file took whole)
        self._dropped = 0
        self._dropped_why: str | None = None
        self._error: str | None = None
        self._since_ms: int | None = None
        self._failures = 0
        self._retry_at = 0.0
        self._lock = threading.Lock()
        self._compress(json.dumps(header.to_json(), separators=(",", ":")))
        self._sync()
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="crashtui-recorder", daemon=True)
        self._thread.start()

    def __call__(self, payload: RawPayload) -> None:
        """RawSink: queue one payload (never blocks, never raises)."""
        if self._closed:
            return
        if self._thread.is_alive():
            self._queue.put(payload)
        else:  # the writer stopped (its health says why): count, do not pile up
            self._drop(1, self._error or "the recorder stopped")

    def health(self) -> RecorderHealth:
        """What the recorder is doing now (thread-safe)."""
        with self._lock:
            return RecorderHealth(
                written=self.count,
                waiting=self._fed - self.count + self._queue.qsize(),
                dropped=self._dropped,
                error=self._error,
                since_ms=self._since_ms,
                dropped_why=self._dropped_why,
            )

    def _drop(self, n: int, why: str) -> None:
        with self._lock:
            self._dropped += n
            self._dropped_why = why

    def _compress(self, line: str) -> None:
        self._out += self._comp.compress(line.encode("utf-8") + b"\n")

    def _take(self, payload: RawPayload) -> None:
        if len(self._out) >= self._max_buffer_bytes:
            self._drop(1, self._error or "the write buffer is full")
            return
        try:
            line = encode_payload(payload)
        except Exception as exc:  # one payload that cannot be encoded costs only itself
            self._drop(1, f"cannot encode a payload: {type(exc).__name__}: {exc}")
            return
        self._compress(line)
        with self._lock:
            self._fed += 1

    def _sync(self, mode: int = zlib.Z_SYNC_FLUSH) -> bool:
        """Flush the compressor and hand the file everything buffered; True when it all went.
        Payloads count as written once a sync point containing them is on disk."""
        fed = self._fed
        self._out += self._comp.flush(mode)
        return self._drain(fed)

    def _drain(self, fed: int) -> bool:
        try:
            while self._out:
                n = self._raw.write(self._out)
                if not n:
                    raise OSError(errno.ENOSPC, "the file took no bytes")
                del self._out[:n]
            self._raw.flush()
        except OSError as exc:
            self._failed(f"writing failed: {exc.strerror or exc}")
            return False
        with self._lock:
            self.count = fed
            self._error = None
            self._since_ms = None
        self._failures = 0
        return True

    def _failed(self, reason: str) -> None:
        with self._lock:
            if self._error is None:
                self._since_ms = int(time.time() * 1000)
            self._error = reason
        self._failures += 1
        delay = min(self._retry_s[1], self._retry_s[0] * 2 ** min(self._failures - 1, 10))
        self._retry_at = time.monotonic() + delay

    def _run(self) -> None:
        try:
            self._loop()
        except Exception as exc:  # never die silently: the health says the recorder stopped
            with self._lock:
                self._error = f"recorder stopped: {type(exc).__name__}: {exc}"
                self._since_ms = int(time.time() * 1000)

    def _loop(self) -> None:
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
                self._take(item)
                dirty = True
            now = time.monotonic()
            if self._failures:
                if now >= self._retry_at:
                    if dirty:
                        self._sync()
                    else:
                        self._drain(self._fed)
                    dirty = False
                    last_flush = now
            elif dirty and now - last_flush >= self._flush_interval_s:
                self._sync()
                last_flush = now
                dirty = False

    def close(self) -> None:
        """Write what is queued, finish the gzip stream and close the file (one last attempt
        if the disk is refusing writes: what it still refuses is lost, and :meth:`health`
        says how much)."""
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
                self._take(item)
        finished = self._sync(zlib.Z_FINISH)
        with contextlib.suppress(OSError):
            self._raw.close()
        if not finished:
            lost = self._fed - self.count
            with self._lock:
                self._fed = self.count
            self._drop(lost, self._error or "the disk refused them")


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


SORT_RUN_BYTES = 32 * 2**20  # payload lines held in memory while sorting an out-of-order file
_TIME_PREFIX = re.compile(rb'^\{"t":(\d+),')
# What ``encode_payload`` writes: the time, then the source and endpoint (a line written
# otherwise is decoded to find them). Groups: time, source, endpoint.
_SCAN_PREFIX = re.compile(rb'^\{"t":(\d+),"src":"([A-Za-z0-9_.-]{1,60})","ep":"([A-Za-z0-9_./-]{1,80})"')


@dataclass(slots=True)
class Skipped:
    """Malformed payload lines passed over in one read (mutable tally, not a model)."""

    count: int = 0
    first: str | None = None
    first_line: int | None = None

    def add(self, line_no: int, reason: str) -> None:
        """Count one skipped line (the first one's reason is kept for the message: the scan
        judges a line's time against the next line's, so it may learn of a line late)."""
        self.count += 1
        if self.first_line is None or line_no < self.first_line:
            self.first = f"line {line_no}: {reason}"
            self.first_line = line_no


def _decoded(lines: Iterable[str], skipped: Skipped | None, first_line_no: int = 2) -> Iterator[RawPayload]:
    """Payloads of payload lines; a malformed line is skipped and counted (never fatal)."""
    for line_no, line in enumerate(lines, first_line_no):
        if not line.strip():
            continue
        try:
            yield decode_payload(line)
        except RecordingError as exc:
            if skipped is not None:
                skipped.add(line_no, str(exc))


def _decoded_raw(
    lines: Iterable[bytes], skipped: Skipped | None, first_line_no: int = 2
) -> Iterator[RawPayload]:
    """:func:`_decoded` over the undecoded bytes of the lines.

    A line orjson reads as it stands is valid UTF-8 JSON, so decoding it as text first (with
    replacement characters) would change nothing: it is read once, as bytes. Any other line
    (blank, not UTF-8, not JSON) takes the text path and is judged exactly as there.
    """
    loads = orjson.loads
    payload = _payload
    for line_no, line in enumerate(lines, first_line_no):
        try:
            record = loads(line)
        except orjson.JSONDecodeError:
            yield from _decoded((line.decode("utf-8", errors="replace"),), skipped, line_no)
            continue
        try:
            raw = payload(record)
        except RecordingError as exc:
            if skipped is not None:
                skipped.add(line_no, str(exc))
            continue
        yield raw


def _without_rogues(
    lines: Iterable[bytes], rogues: Mapping[int, int], skipped: Skipped | None, first_line_no: int = 2
) -> Iterator[bytes]:
    """``lines`` with each rogue line (see :data:`ROGUE_GAP_MS`) counted in ``skipped`` and
    blanked: a blank line is passed over uncounted, and the lines after it keep their numbers."""
    for line_no, line in enumerate(lines, first_line_no):
        t = rogues.get(line_no)
        if t is None:
            yield line
            continue
        if skipped is not None:
            skipped.add(line_no, _rogue_reason(t))
        yield b""


def _payload_lines(
    path: Path, skipped: Skipped | None, rogues: Mapping[int, int] | None
) -> tuple[RecordingHeader, Iterator[bytes]]:
    """The header and the payload lines still to read, rogue lines blanked (the file is
    scanned for them first unless ``rogues`` says which they are)."""
    lines = raw_lines(path)
    header = parse_header(path, (line.decode("utf-8", errors="replace") for line in lines))
    if rogues is None:
        rogues = scan_recording(path).rogues
    return header, _without_rogues(lines, rogues, skipped) if rogues else lines


def iter_payloads(
    path: Path, skipped: Skipped | None = None, rogues: Mapping[int, int] | None = None
) -> Iterator[RawPayload]:
    """Payloads in file order, streamed (memory stays flat whatever the file's size);
    malformed lines are skipped and counted in ``skipped``, rogue ones (a receive time far from
    both neighbours') too: ``rogues`` is what :func:`scan_recording` found, or None to scan."""
    _, lines = _payload_lines(path, skipped, rogues)
    yield from _decoded_raw(lines, skipped)


def read_recording(path: Path, skipped: Skipped | None = None) -> tuple[RecordingHeader, list[RawPayload]]:
    """Read a whole recording (header, payloads ordered by receive time) into memory."""
    header, lines = _payload_lines(path, skipped, None)
    payloads = list(_decoded_raw(lines, skipped))
    payloads.sort(key=lambda p: p.received_ms)
    return header, payloads


@dataclass(frozen=True, slots=True)
class RecordingScan:
    """What one cheap pass over a recording tells: its span, size and whether it is in order."""

    first_ms: int | None
    last_ms: int | None
    count: int
    ordered: bool
    skipped: int = 0
    first_skipped: str | None = None
    endpoints: frozenset[tuple[str, str]] = frozenset()
    """Every ``(source, endpoint)`` the recording holds a payload of."""
    rogues: Mapping[int, int] = field(default_factory=dict)
    """Line number -> receive time of each rogue line (counted in ``skipped``; the span,
    count and endpoints leave them out)."""


def _line_time(line: bytes) -> int:
    """A payload line's ``t`` (cheaply from its prefix); raises RecordingError if malformed."""
    match = _TIME_PREFIX.match(line)
    if match is not None and _EARLIEST_T_MS <= int(match[1]) <= _LATEST_T_MS:
        return int(match[1])
    return decode_payload(line.decode("utf-8", errors="replace")).received_ms


def _line_name(line: bytes) -> tuple[str, str]:
    """A payload line's ``(source, endpoint)`` (cheaply from its prefix when it has them)."""
    match = _SCAN_PREFIX.match(line)
    if match is not None:
        return match[2].decode("ascii"), match[3].decode("ascii")
    payload = decode_payload(line.decode("utf-8", errors="replace"))
    return payload.source, payload.endpoint


# A timed payload line: its number, its receive time, and its (source, endpoint) as read
# from its prefix (bytes, decoded once at the end) or, failing that, from the whole line.
_Timed = tuple[int, int, tuple[bytes, bytes] | None, tuple[str, str] | None]


def _timed_lines(lines: Iterable[bytes], skipped: Skipped) -> Iterator[_Timed]:
    """The payload lines whose time can be read; the others are counted in ``skipped``."""
    scan = _SCAN_PREFIX.match
    for line_no, line in enumerate(lines, 2):
        match = scan(line)
        if match is not None and _EARLIEST_T_MS <= (t := int(match[1])) <= _LATEST_T_MS:
            yield line_no, t, (match[2], match[3]), None
            continue
        if not line.strip():  # what _line_time and _line_name read another way (or refuse)
            continue
        try:
            t = _line_time(line)
            name = _line_name(line)
        except RecordingError as exc:
            skipped.add(line_no, str(exc))
            continue
        yield line_no, t, None, name


def _judged(timed: Iterator[_Timed]) -> Iterator[tuple[_Timed, bool]]:
    """Each timed line with its verdict, True for a rogue: more than :data:`ROGUE_GAP_MS` from
    both the timed line before it and the one after it in file order (a missing one counts
    as far). Fewer than three timed lines leave nothing to judge against: all are kept."""
    import itertools

    head = list(itertools.islice(timed, 3))
    if len(head) < 3:
        yield from ((item, False) for item in head)
        return
    gap = ROGUE_GAP_MS
    prev_t: int | None = None
    cur = head[0]
    for nxt in itertools.chain(head[1:], timed):
        t = cur[1]
        yield cur, (prev_t is None or abs(t - prev_t) > gap) and abs(t - nxt[1]) > gap
        prev_t, cur = t, nxt
    yield cur, prev_t is None or abs(cur[1] - prev_t) > gap


_Judged = tuple[_Timed, bool]


class _RunJudge:
    """Runs of rogue lines (see :data:`MAX_ROGUE_RUN`) on top of the one-line verdicts of
    :func:`_judged`, in one pass holding at most ``2 * MAX_ROGUE_RUN + 1`` lines: lines go in
    with :meth:`feed` and come out, in file order and with their final verdict, in ``out``."""

    def __init__(self) -> None:
        self.prev: int | None = None  # the time of the line just before the pending run
        self.streak = 0  # consecutive lines (each close to the one before) ending at prev
        self.pending: list[_Judged] = []  # the lines since prev, each far from it
        self.out: list[_Judged] = []

    def feed(self, entry: _Judged) -> None:
        t = entry[0][1]
        prev = self.prev
        if prev is not None and abs(t - prev) > ROGUE_GAP_MS:
            self.pending.append(entry)
            if len(self.pending) > MAX_ROGUE_RUN:
                self._restart()
            return
        if self.pending:  # the run ends at a line close to the one before it
            group = all(abs(e[0][1] - t) > ROGUE_GAP_MS for e in self.pending)
            self.out.extend((e[0], e[1] or group) for e in self.pending)
            self.pending.clear()
        self.out.append(entry)
        self.prev, self.streak = t, self.streak + 1

    def _restart(self) -> None:
        """The pending lines are no rogue run: the first keeps its one-line verdict and is the
        line before the others, which are judged again (at most MAX_ROGUE_RUN of them)."""
        first, *rest = self.pending
        self.pending = []
        self.out.append(first)
        self.prev, self.streak = first[0][1], 1
        for entry in rest:
            self.feed(entry)

    def finish(self) -> None:
        """The file ended: a run at the end is rogue when the lines before it are an
        established clock, else it is judged line by line."""
        while self.pending:
            if self.streak > MAX_ROGUE_RUN:
                self.out.extend((e[0], True) for e in self.pending)
                self.pending = []
            else:
                self._restart()


def _opening_run(head: Sequence[_Judged]) -> int:
    """How many of the first lines are a rogue run at the file's start: up to
    :data:`MAX_ROGUE_RUN` lines all far from the line after them, which starts an established
    clock (it and the next MAX_ROGUE_RUN lines each close to the one before); else 0."""
    from itertools import pairwise

    gap = ROGUE_GAP_MS
    times = [e[0][1] for e in head]
    for k in range(1, MAX_ROGUE_RUN + 1):
        body = times[k : k + MAX_ROGUE_RUN + 1]
        if len(body) <= MAX_ROGUE_RUN:
            return 0
        if all(abs(t - body[0]) > gap for t in times[:k]) and all(
            abs(a - b) <= gap for a, b in pairwise(body)
        ):
            return k
    return 0


def _judged_runs(judged: Iterator[_Judged]) -> Iterator[_Judged]:
    """:func:`_judged`'s verdicts with rogue runs (see :data:`MAX_ROGUE_RUN`) rogue too."""
    import itertools

    head = list(itertools.islice(judged, 2 * MAX_ROGUE_RUN + 1))
    opening = _opening_run(head)
    yield from ((item, True) for item, _ in head[:opening])
    runs = _RunJudge()
    gap = ROGUE_GAP_MS
    for entry in itertools.chain(head[opening:], judged):
        prev = runs.prev
        if prev is not None and not runs.pending and -gap <= entry[0][1] - prev <= gap:
            runs.prev = entry[0][1]  # the common case, inline: a line close to the one before
            runs.streak += 1
            yield entry
            continue
        runs.feed(entry)
        if runs.out:
            yield from runs.out
            runs.out.clear()
    runs.finish()
    yield from runs.out


def scan_recording(path: Path) -> RecordingScan:
    """Times and endpoints of a recording without decoding its payloads (reads each line's
    ``"t"``, ``"src"`` and ``"ep"``); rogue lines (see :data:`ROGUE_GAP_MS`) are counted as
    skipped and listed in :attr:`RecordingScan.rogues`, in memory bounded by
    :data:`MAX_ROGUE_LINES` (a file with more is refused)."""
    first = last = None
    count = 0
    ordered = True
    skipped = Skipped()
    rogues: dict[int, int] = {}
    endpoints: set[tuple[str, str]] = set()
    prefixed: set[tuple[bytes, bytes]] = set()  # names read from the prefix, decoded at the end
    lines = raw_lines(path, cut=skipped.add)
    next(lines, None)  # header
    for (line_no, t, fast_name, name), rogue in _judged_runs(_judged(_timed_lines(lines, skipped))):
        if rogue:
            skipped.add(line_no, _rogue_reason(t))
            rogues[line_no] = t
            if len(rogues) > MAX_ROGUE_LINES:
                raise RecordingError(
                    f"{path}: over {MAX_ROGUE_LINES} lines have a receive time more than "
                    f"{ROGUE_GAP_MS // 86_400_000} days from the lines next to them: not one recorded session"
                )
            continue
        if fast_name is not None:
            prefixed.add(fast_name)
        elif name is not None:
            endpoints.add(name)
        if first is None or last is None:
            first = last = t
        elif t < last:
            ordered = False
            if t < first:
                first = t
        else:
            last = t
        count += 1
    endpoints.update((src.decode("ascii"), ep.decode("ascii")) for src, ep in prefixed)
    return RecordingScan(
        first, last, count, ordered, skipped.count, skipped.first, frozenset(endpoints), rogues
    )


def check_playable(path: Path) -> RecordingHeader:
    """The header of a recording that has something to play; RecordingError (one line)
    otherwise: an empty recording would replay an empty screen at 1970-01-01."""
    lines = text_lines(path)
    header = parse_header(path, lines)
    skipped = Skipped()
    for _ in _decoded(lines, skipped):
        return header
    if skipped.count:
        raise RecordingError(
            f"{path}: no readable payload ({skipped.count} malformed lines; {skipped.first})"
        )
    raise RecordingError(f"{path}: the recording holds no payloads (nothing was recorded)")


def _sort_to_file(path: Path, run_bytes: int, rogues: Mapping[int, int] | None = None) -> Path:
    """An out-of-order recording's payload lines sorted by ``t`` (file order kept for equal
    times) into a temporary plain JSON Lines file, holding at most ``run_bytes`` of lines in
    memory: sorted runs go to temporary files, then are merged. The ``rogues`` the scan found
    are left out (judged in file order, which the sorted copy no longer has)."""
    import heapq
    import os
    import tempfile

    def write_run(buf: list[tuple[int, int, bytes]]) -> Path:
        buf.sort(key=lambda r: (r[0], r[1]))
        fd, name = tempfile.mkstemp(prefix="crashtui-run-", suffix=".txt")
        with os.fdopen(fd, "wb") as fh:
            for t, seq, line in buf:
                fh.write(b"%d %d %s\n" % (t, seq, line))
        return Path(name)

    def read_run(run: Path) -> Iterator[tuple[int, int, bytes]]:
        with run.open("rb") as fh:
            for row in fh:
                t, seq, line = row.rstrip(b"\n").split(b" ", 2)
                yield int(t), int(seq), line

    runs: list[Path] = []
    try:
        buf: list[tuple[int, int, bytes]] = []
        size = 0
        lines = raw_lines(path)
        next(lines, None)  # header
        rogues = rogues or {}
        for seq, line in enumerate(lines):
            if not line.strip() or seq + 2 in rogues:  # seq 0 is line 2
                continue
            try:
                t = _line_time(line)
            except RecordingError:
                continue  # counted by the scan
            buf.append((t, seq, line))
            size += len(line) + 64
            if size >= run_bytes:
                runs.append(write_run(buf))
                buf, size = [], 0
        runs.append(write_run(buf))
        fd, name = tempfile.mkstemp(prefix="crashtui-sorted-", suffix=".jsonl")
        with os.fdopen(fd, "wb") as out:
            for _t, _seq, line in heapq.merge(*(read_run(r) for r in runs)):
                out.write(line + b"\n")
        return Path(name)
    finally:
        for run in runs:
            run.unlink(missing_ok=True)


def _plain_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb") as fh:
        for line in fh:
            yield line.rstrip(b"\n")


class RecordingSource:
    """A recording to replay, iterable any number of times in receive-time order.

    A recording written in time order (what ``record`` and the scenario builder write) is
    streamed from disk on every pass, so a replay holds no payloads in memory. One that is
    not in order is sorted once through temporary files (at most ``SORT_RUN_BYTES`` of lines
    in memory) and then streamed from the sorted copy, deleted with the source. Malformed
    lines are skipped and counted (:attr:`skipped`, :attr:`first_skipped`).
    """

    def __init__(self, path: Path, *, sort_run_bytes: int = SORT_RUN_BYTES) -> None:
        import weakref

        self.path = path
        self.header = read_header(path)
        scan = scan_recording(path)
        self.first_ms = scan.first_ms
        self.last_ms = scan.last_ms
        self.count = scan.count
        self.ordered = scan.ordered
        self.endpoints = scan.endpoints
        self._rogues = scan.rogues
        self.skipped = self._scan_skipped = scan.skipped
        self.first_skipped = scan.first_skipped
        if scan.count == 0:
            what = f" ({scan.skipped} malformed lines; {scan.first_skipped})" if scan.skipped else ""
            raise RecordingError(f"{path}: the recording holds no payloads{what}")
        self._sorted: Path | None = None
        if not scan.ordered:
            try:
                self._sorted = _sort_to_file(path, sort_run_bytes, scan.rogues)
            except OSError as exc:
                raise RecordingError(
                    f"{path}: cannot sort this out-of-order recording in the temporary directory: "
                    f"{exc.strerror or exc}"
                ) from None
            weakref.finalize(self, self._sorted.unlink, missing_ok=True)

    @property
    def bad_lines(self) -> int:
        """Malformed lines skipped so far (all of them once a pass has read the whole file)."""
        return self.skipped

    def _tally(self) -> Skipped:
        # The sorted copy no longer holds the lines the scan could not time or found rogue:
        # count them in.
        return _SourceTally(self, self._scan_skipped if self._sorted is not None else 0)

    def __iter__(self) -> Iterator[RawPayload]:
        if self._sorted is not None:
            return _decoded_raw(_plain_lines(self._sorted), self._tally())
        return iter_payloads(self.path, self._tally(), self._rogues)


class _SourceTally(Skipped):
    """Counts a pass's skipped lines into its source (the scan may not have seen them all:
    it reads only each line's time)."""

    def __init__(self, source: RecordingSource, base: int) -> None:
        super().__init__(count=base)
        self._source = source

    def add(self, line_no: int, reason: str) -> None:
        super().add(line_no, reason)
        if self.count > self._source.skipped:
            self._source.skipped = self.count
            if self._source.first_skipped is None:
                self._source.first_skipped = self.first
