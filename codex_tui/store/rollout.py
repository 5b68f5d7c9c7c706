"""Decode the lines of a rollout file, whatever Codex release wrote it.

Three generations share one decoder:
- bare lines (Codex 0.20 era): a first line `{"id", "timestamp", "instructions", "git"}`,
  `{"record_type": "state"}` markers, and response items written directly;
- envelopes `{"timestamp", "type", "payload"}` (0.3x to 0.150 legacy mode);
- envelopes with an `ordinal` (paginated mode, 0.150 and later).

Nothing here raises on bad input: every line becomes a `Record` or a `Problem`.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO, NamedTuple, Protocol

import orjson

from .model import Problem

# A line longer than this is skipped (and reported) instead of being held in memory whole.
MAX_LINE_BYTES = 64 * 1024 * 1024
_CHUNK = 1024 * 1024


class ByteReader(Protocol):
    """All the line reader needs of a stream: a file, a zstd reader, a bounded view of one."""

    def read(self, size: int = -1, /) -> bytes: ...


class RawLine(NamedTuple):
    line_no: int  # 1-based
    offset: int  # byte offset of the line's first byte
    end: int  # byte offset just past the line (past its newline when it has one)
    data: bytes | None  # None when the line was over MAX_LINE_BYTES
    terminated: bool  # False for a last line without "\n" (cut off, or still being written)


def iter_raw_lines(
    stream: ByteReader, start: int = 0, max_line: int = MAX_LINE_BYTES
) -> Iterator[RawLine]:
    """Yield physical lines with their byte offsets, never holding more than `max_line` bytes
    of one line."""
    offset = start
    line_no = 0
    pending = bytearray()
    pending_start = start
    oversize = False
    while True:
        chunk = stream.read(_CHUNK)
        if not chunk:
            break
        pos = 0
        while pos < len(chunk):
            nl = chunk.find(b"\n", pos)
            piece_end = len(chunk) if nl == -1 else nl
            if not oversize:
                pending += chunk[pos:piece_end]
                if len(pending) > max_line:
                    oversize = True
                    pending = bytearray()
            if nl == -1:
                offset += len(chunk) - pos
                break
            offset += nl + 1 - pos
            line_no += 1
            data = None if oversize else bytes(pending)
            yield RawLine(line_no, pending_start, offset, data, True)
            pending = bytearray()
            pending_start = offset
            oversize = False
            pos = nl + 1
    if pending or oversize:
        line_no += 1
        yield RawLine(line_no, pending_start, offset, None if oversize else bytes(pending), False)


@dataclass(slots=True)
class Record:
    """One decoded line. `kind` is the envelope type (`session_meta`, `response_item`,
    `event_msg`, `turn_context`, `compacted`, ...); `type` is the payload's own type for
    `response_item` and `event_msg`."""

    kind: str
    type: str | None
    payload: Any
    timestamp: str | None = None
    ordinal: int | None = None
    line_no: int = 0
    offset: int = 0
    end: int = 0
    bare: bool = False  # written in the 0.20-era bare-line format
    path: str | None = None  # the file it came from (set by readers that merge files)
    inherited: bool = False  # part of a fork's parent history
    metadata: Any = None  # a response_item's sibling `metadata` (0.169+), as recorded


def parse_json(data: bytes) -> tuple[Any, str | None]:
    """Parse one JSON document. Returns (value, note); value is None when it can't be parsed,
    and the note then says why. A note beside a value says what was repaired (invalid UTF-8,
    lone surrogates)."""
    try:
        return orjson.loads(data), None
    except orjson.JSONDecodeError:
        pass
    # orjson is strict about UTF-8 and surrogates; the standard library is not.
    bad_utf8 = False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("utf-8", "replace")
        bad_utf8 = True
    try:
        value = json.loads(text)
    except RecursionError:
        return None, "not valid JSON (nested too deeply)"
    except ValueError as exc:
        why = getattr(exc, "msg", None) or "unreadable"
        extra = ", and not UTF-8" if bad_utf8 else ""
        return None, f"not valid JSON ({why.lower()}{extra})"
    note = "invalid UTF-8 bytes replaced with U+FFFD" if bad_utf8 else None
    if _has_surrogates(value):
        value = _scrub_surrogates(value)
        note = "lone UTF-16 surrogates replaced with U+FFFD"
    return value, note


_SURROGATES = "[\ud800-\udfff]"  # (compiled on first use)


def _has_surrogates(value: Any) -> bool:
    # Iterative: values can nest as deep as the JSON parser allows.
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= ch <= "\udfff" for ch in item):
                return True
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
    return False


def _scrub_surrogates(value: Any) -> Any:
    """A copy of `value` with lone surrogates replaced, built without recursion."""

    def clean(text: str) -> str:
        return re.sub(_SURROGATES, "\ufffd", text)

    def shallow(item: Any) -> Any:
        if isinstance(item, str):
            return clean(item)
        if isinstance(item, list):
            return list(item)
        if isinstance(item, dict):
            return {clean(k) if isinstance(k, str) else k: v for k, v in item.items()}
        return item

    root = shallow(value)
    stack = [root] if isinstance(root, list | dict) else []
    while stack:
        container = stack.pop()
        keys = range(len(container)) if isinstance(container, list) else list(container)
        for key in keys:
            child = shallow(container[key])
            container[key] = child
            if isinstance(child, list | dict):
                stack.append(child)
    return root


def classify(obj: Any) -> tuple[str, str | None, Any, str | None, int | None, bool]:
    """Map a parsed line to (kind, type, payload, timestamp, ordinal, bare)."""
    if not isinstance(obj, dict):
        return "unknown", None, obj, None, None, False
    timestamp = obj.get("timestamp")
    timestamp = timestamp if isinstance(timestamp, str) else None
    kind = obj.get("type")
    if isinstance(kind, str) and "payload" in obj:
        payload = obj["payload"]
        ordinal = obj.get("ordinal")
        ordinal = ordinal if isinstance(ordinal, int) and not isinstance(ordinal, bool) else None
        sub = payload.get("type") if isinstance(payload, dict) else None
        return kind, sub if isinstance(sub, str) else None, payload, timestamp, ordinal, False
    # 0.20-era bare lines
    if "record_type" in obj:
        return "state", None, obj, None, None, True
    if isinstance(kind, str):
        return "response_item", kind, obj, None, None, True
    if "id" in obj and "timestamp" in obj:
        return "session_meta", None, obj, timestamp, None, True
    return "unknown", None, obj, timestamp, None, False


def decode_line(raw: RawLine, path: str | None = None) -> tuple[Record | None, Problem | None]:
    """Decode one physical line. Blank lines give (None, None)."""
    if raw.data is None:
        size = raw.end - raw.offset
        return None, Problem(
            f"line of {size / 1_048_576:.0f} MB is longer than the "
            f"{MAX_LINE_BYTES // 1_048_576} MB limit; skipped",
            path,
            raw.line_no,
        )
    data = raw.data
    if not data.strip():
        return None, None
    value, note = parse_json(data)
    if value is None:
        if not raw.terminated:
            return None, Problem("last line is incomplete (cut off or still being written)",
                                 path, raw.line_no)
        return None, Problem(note or "not valid JSON", path, raw.line_no)
    kind, sub, payload, timestamp, ordinal, bare = classify(value)
    record = Record(kind, sub, payload, timestamp, ordinal, raw.line_no, raw.offset, raw.end,
                    bare, path)
    if kind == "response_item" and not bare:
        record.metadata = value.get("metadata")
    problem = Problem(note, path, raw.line_no) if note else None
    if problem is None and not raw.terminated:
        # A complete JSON value without its newline: Codex may still be writing this line.
        problem = Problem("last line has no newline (file cut off or still being written)",
                          path, raw.line_no)
    return record, problem


def read_records(
    stream: ByteReader, path: str | None = None, start: int = 0, stop: int | None = None
) -> Iterator[Record | Problem]:
    """Yield records and problems, in file order, from `start` up to byte `stop`."""
    if stop is not None:
        stream = _Bounded(stream, stop - start)
    for raw in iter_raw_lines(stream, start):
        record, problem = decode_line(raw, path)
        if problem is not None:
            yield problem
        if record is not None:
            yield record


class _Bounded(io.RawIOBase):
    """Reads at most `limit` bytes from a stream."""

    def __init__(self, stream: ByteReader, limit: int) -> None:
        self._stream = stream
        self._left = max(0, limit)

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size < 0 else min(size, self._left)
        data = self._stream.read(size)
        self._left -= len(data)
        return data

    def readable(self) -> bool:
        return True


class CompressedUnavailable(Exception):
    """A `.jsonl.zst` rollout, and the optional `zstandard` package is not installed."""


def open_rollout(path: str) -> BinaryIO:
    """Open a rollout for reading, decompressing `.jsonl.zst` transparently."""
    if path.endswith(".zst"):
        try:
            import zstandard
        except ImportError as exc:
            raise CompressedUnavailable(
                "compressed rollout (.jsonl.zst): install the 'zstd' extra to read it"
            ) from exc
        raw = open(path, "rb")  # noqa: SIM115 - owned by the reader returned
        return zstandard.ZstdDecompressor().stream_reader(raw, closefd=True)
    return open(path, "rb")
