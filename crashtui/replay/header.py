"""A recording's header line, and the streamed gzip line reader every recording read goes through.

Apart from :mod:`crashtui.replay.recording` (payloads, the writer, scans and playback) so that
judging ``--start``/``--until`` and naming a scenario before the dashboard's first paint read
only this: no payload decoding, no model types.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "crashtui-recording"
VERSION = 1


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


_CHUNK = 1 << 16  # compressed bytes read at a time
_HEADER_CHUNK = 1 << 12  # for the header line alone (a 64 KiB read inflates to ~240 KiB of payloads)
_OUT_CHUNK = 1 << 18  # most decompressed bytes produced per step: a gzip bomb stays bounded, and the
# chunk a replay holds between payloads stays small (1 MiB cost ~0.9 MiB of idle RSS)
MAX_LINE_BYTES = 64 * 2**20  # a recorded body is at most [net] max_body_mb (32 MB) as JSON text


def raw_lines(
    path: Path,
    max_line: int = MAX_LINE_BYTES,
    chunk: int = _CHUNK,
    cut: Callable[[int, str], object] | None = None,
) -> Iterator[bytes]:
    """Complete lines of a gzip file, streamed; stops at a truncated end, where a last line
    cut short (a copy in progress, a crash mid-write) is reported to ``cut(line_no, reason)``.

    Memory stays bounded whatever the file holds: decompression runs in steps of at most
    256 KiB of output, and a line longer than ``max_line`` (no recording crashtui writes has
    one; a gzip bomb does) refuses the file with a one-line reason.
    """
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise RecordingError(f"{path}: cannot read recording: {exc.strerror}") from None
    with fh:
        if fh.read(2) != b"\x1f\x8b":
            raise RecordingError(f"{path}: not a gzip-compressed recording")
        fh.seek(0)
        decomp = zlib.decompressobj(16 + zlib.MAX_WBITS)
        parts: list[bytes] = []
        held = 0
        line_no = 0
        while not decomp.eof:
            data = decomp.unconsumed_tail or fh.read(chunk)
            if not data:
                break
            try:
                out = decomp.decompress(data, _OUT_CHUNK)
            except zlib.error as exc:
                raise RecordingError(f"{path}: corrupt recording: {exc}") from None
            start = 0
            while True:
                end = out.find(b"\n", start)
                if end < 0:
                    break
                if parts:
                    parts.append(out[start:end])
                    line = b"".join(parts)
                    parts, held = [], 0
                else:
                    line = out[start:end]
                line_no += 1
                yield line
                start = end + 1
            if start < len(out):
                parts.append(out[start:])
                held += len(out) - start
                if held > max_line:
                    raise RecordingError(
                        f"{path}: line {line_no + 1} is over {max_line // 2**20} MiB decompressed; "
                        "not a recording crashtui wrote (a gzip bomb?)"
                    )
        if parts and cut is not None:
            cut(line_no + 1, f"the recording ends mid-line ({held:,} bytes of a payload cut off)")
        # (one gzip member; anything after it is not ours)


def text_lines(path: Path, chunk: int = _CHUNK) -> Iterator[str]:
    """Complete text lines of a gzip file, stopping quietly at a truncated end."""
    for line in raw_lines(path, chunk=chunk):
        yield line.decode("utf-8", errors="replace")


def parse_header(path: Path, lines: Iterator[str]) -> RecordingHeader:
    """The header from the first of ``lines`` (the rest are left to the caller); a
    :class:`RecordingError` naming ``path`` when it is missing, not ours, too new or malformed."""
    try:
        first = json.loads(next(lines))
    except (StopIteration, ValueError):
        raise RecordingError(f"{path}: empty or unreadable recording header") from None
    if not isinstance(first, dict) or first.get("format") != FORMAT:
        raise RecordingError(f"{path}: not a crashtui recording (no '{FORMAT}' header)")
    try:
        if int(first.get("version", 0)) > VERSION:
            raise RecordingError(
                f"{path}: recording version {first.get('version')} is newer than this crashtui"
            )
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
    except (TypeError, ValueError, AttributeError) as exc:
        raise RecordingError(f"{path}: malformed recording header: {exc}") from None


def read_header(path: Path) -> RecordingHeader:
    """Only the header of a recording (read in small steps: the header line is short)."""
    return parse_header(path, text_lines(path, chunk=_HEADER_CHUNK))
