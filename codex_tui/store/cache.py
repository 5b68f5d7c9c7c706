"""Thread summaries cached in the user's cache directory (never in CODEX_HOME).

An entry is valid only while every file of the thread has the same path, size, mtime and
inode: `codex migrate-rollouts` rewrites files in place keeping their mtime, so mtime alone
is not enough. Names are not cached (they live in session_index.jsonl and change on their
own). A cache that can't be read or written is simply not used.
"""

from __future__ import annotations

import os
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from typing import Any, BinaryIO

import orjson

from .model import Problem, ThreadSummary
from .paths import RolloutFile, ThreadFiles, parse_rollout_name, user_dir

CACHE_VERSION = 7  # 6: bare sessions' cwd; 7: paginated forks list their source's first prompt
FIRST_CHUNK = 128 * 1024
FIRST_MAX_BYTES = 4 * 1024 * 1024  # at most this much of the cache is read before a first frame


def cache_dir() -> str:
    return user_dir("CODEX_TUI_CACHE_DIR", "XDG_CACHE_HOME", ".cache")


def _key(tf: ThreadFiles) -> list[list[Any]]:
    return [[rf.path, rf.size, rf.mtime_ns, rf.inode] for rf in tf.files]


# Cached fields, stored positionally (a list per thread) to keep the file small and its
# decoding fast; path and segments come from the cache key, the name from session_index
# (the home is the store's, set by whoever merges several).
_FIELDS = [f for f in ThreadSummary._fields
           if f not in ("path", "segments", "name", "archived", "home")]
_CREATED = _FIELDS.index("created_at")
_UPDATED = _FIELDS.index("updated_at")
_PROBLEMS = _FIELDS.index("problems")


def _dump(s: ThreadSummary) -> list[Any]:
    values = [getattr(s, f) for f in _FIELDS]
    values[_CREATED] = s.created_at.timestamp() if s.created_at else None
    values[_UPDATED] = s.updated_at.timestamp() if s.updated_at else None
    values[_PROBLEMS] = [[p.message, p.path, p.line] for p in s.problems]
    return values


def _load(values: list[Any], tf: ThreadFiles, name: str | None = None) -> ThreadSummary:
    fields = dict(zip(_FIELDS, values, strict=True))
    created, updated = values[_CREATED], values[_UPDATED]
    fields["created_at"] = datetime.fromtimestamp(created, UTC) if created is not None else None
    fields["updated_at"] = datetime.fromtimestamp(updated, UTC) if updated is not None else None
    problems = values[_PROBLEMS]
    fields["problems"] = tuple(Problem(*p) for p in problems) if problems else ()
    return ThreadSummary(path=tf.current.path, segments=tuple(rf.path for rf in tf.files),
                         archived=tf.archived, name=name, **fields)


class SummaryCache:
    """One JSON line per thread, newest first, after a header line. Being lines, the rows a
    screen needs first (those of one directory, or the newest) can be found with a byte
    search and decoded alone."""

    def __init__(self, codex_home: str, directory: str | None = None) -> None:
        # One file per home. crc32, not hashlib: importing hashlib (OpenSSL) costs a start-up
        # 2-4 ms, and a clash would only share a file whose entries are keyed by full path.
        digest = f"{zlib.crc32(os.path.realpath(codex_home).encode()):08x}"
        self.path = os.path.join(directory or cache_dir(), f"threads-{digest}.jsonl")
        self._raw: list[bytes] = []  # undecoded entry lines, newest first
        # id -> the entry as read from the file (a dict), or as put since: (files, summary),
        # turned into a line only when saved (a dumped entry per thread would cost ~25 MB
        # more at 50,000 sessions than the summaries the store keeps anyway).
        self._entries: dict[str, dict[str, Any] | tuple[ThreadFiles, ThreadSummary]] = {}
        self._decoded = False
        self._dirty = False
        self._loaded = False
        self._lock = threading.Lock()

    def _read(self) -> None:
        with self._lock:  # a screen's worker and the main thread may both ask first
            if self._loaded:
                return
            self._loaded = True
            try:
                with open(self.path, "rb") as stream:
                    lines = stream.read().split(b"\n")
            except OSError:
                return
            if _is_header(lines[0]):
                self._raw = [line for line in lines[1:] if line]

    def _decode_all(self) -> None:
        self._read()
        with self._lock:
            if self._decoded:
                return
            for line in self._raw:
                entry = _entry(line)
                if entry is not None:
                    self._entries.setdefault(entry["id"], entry)
            self._raw = []
            self._decoded = True

    def get(self, tf: ThreadFiles) -> ThreadSummary | None:
        self._decode_all()
        entry = self._entries.get(tf.thread_id)
        if isinstance(entry, tuple):
            entry = _line_entry(tf.thread_id, entry)
        if entry is None or entry.get("key") != _key(tf):
            return None
        try:
            return _load(entry["summary"], tf)
        except (KeyError, TypeError, ValueError):
            return None

    def first(self, names: dict[str, str], needle: bytes | None, limit: int,
              accept: Callable[[ThreadSummary], bool] | None = None,
              ) -> list[ThreadSummary] | None:
        """The newest `limit` cached summaries whose line contains `needle` (any when None)
        and that `accept` keeps, or None when there is no usable cache. Reads only as far
        into the file as it needs, and decodes only the lines it returns or refuses (the
        first screen of a start-up should not wait for all 10,000 lines)."""
        out: list[ThreadSummary] = []
        try:
            with open(self.path, "rb") as stream:
                if not _is_header(stream.readline()):
                    return None
                for line in _lines_with(stream, needle):
                    for summary in self._summaries([line], names, remember=False):
                        if accept is None or accept(summary):
                            out.append(summary)
                    if len(out) >= limit:
                        break
        except OSError:
            return None
        return out

    def snapshot(self, names: dict[str, str], first: bytes | None = None,
                 first_count: int = 200) -> Iterator[list[ThreadSummary]]:
        """Every cached summary as it was when cached, without touching CODEX_HOME: rows to
        show while the file system pass checks them. Two batches: the lines containing
        `first` (or the `first_count` newest when it is None), then all the others."""
        self._read()
        with self._lock:
            lines = list(self._raw)
        if first is not None:
            head = [line for line in lines if first in line]
        else:
            head = lines[:first_count]
        yield self._summaries(head, names)
        chosen = set(map(id, head))
        yield self._summaries([line for line in lines if id(line) not in chosen], names)
        with self._lock:
            # Every line is decoded now: get() and scan() need not decode them again.
            self._raw = []
            self._decoded = True

    def _summaries(self, lines: list[bytes], names: dict[str, str],
                   remember: bool = True) -> list[ThreadSummary]:
        out: list[ThreadSummary] = []
        for line in lines:
            entry = _entry(line)
            if entry is None:
                continue
            if remember:
                with self._lock:
                    self._entries.setdefault(entry["id"], entry)
            try:
                files = [RolloutFile(path, name, f"{os.sep}archived_sessions{os.sep}" in path,
                                     size, mtime, inode)
                         for path, size, mtime, inode in entry["key"]
                         if (name := parse_rollout_name(os.path.basename(path)))]
                if not files:
                    continue
                summary = _load(entry["summary"],
                                ThreadFiles(entry["id"], files, files[-1].archived),
                                names.get(entry["id"]))
            except (KeyError, TypeError, ValueError):
                continue
            out.append(summary)
        return out

    def put(self, tf: ThreadFiles, summary: ThreadSummary) -> None:
        self._decode_all()
        self._entries[tf.thread_id] = (tf, summary)
        self._dirty = True

    def prune(self, live_ids: set[str]) -> None:
        self._decode_all()
        stale = [tid for tid in self._entries if tid not in live_ids]
        for tid in stale:
            del self._entries[tid]
        self._dirty = self._dirty or bool(stale)

    def save(self) -> None:
        """Write atomically, newest first; silently skip when the cache directory is not
        writable."""
        if not self._dirty:
            return
        entries = sorted(self._entries.items(), key=_entry_time, reverse=True)
        # (each entry encoded as it is written: a list of them all would double the peak)
        lines = (orjson.dumps(_line_entry(tid, e) if isinstance(e, tuple) else e)
                 for tid, e in entries)
        if write_cache_file(self.path, ".threads-", {"version": CACHE_VERSION}, lines):
            self._dirty = False


def write_cache_file(path: str, prefix: str, header: dict[str, Any],
                     lines: Iterable[bytes]) -> bool:
    """A cache file written whole: the header's JSON, then each line, into a temporary file
    renamed over `path`. False when the cache directory is not writable (a cache is never
    worth an error)."""
    directory = os.path.dirname(path)
    try:
        os.makedirs(directory, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=prefix, dir=directory)
        try:
            with os.fdopen(fd, "wb") as stream:
                stream.write(orjson.dumps(header) + b"\n")
                for line in lines:
                    stream.write(line + b"\n")
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        return False
    return True


def _lines_with(stream: BinaryIO, needle: bytes | None) -> Iterator[bytes]:
    """The lines of `stream` containing `needle` (every line when None), in order, found by
    a byte search rather than by splitting every line. Bounded by FIRST_MAX_BYTES: a
    directory with few cached sessions must not make the first frame wait for the whole
    file (the worker's snapshot brings the rest)."""
    rest = b""
    read = 0
    while read < FIRST_MAX_BYTES:
        chunk = stream.read(FIRST_CHUNK)
        read += len(chunk)
        buf = rest + chunk
        end = buf.rfind(b"\n") + 1 if chunk else len(buf)  # whole lines only
        rest = buf[end:]
        if needle is None:
            yield from (line for line in buf[:end].split(b"\n") if line)
        else:
            pos = buf.find(needle, 0, end)
            while pos != -1:
                start = buf.rfind(b"\n", 0, pos) + 1
                stop = buf.find(b"\n", pos, end)
                stop = end if stop == -1 else stop
                yield buf[start:stop]
                pos = buf.find(needle, stop, end)
        if not chunk:
            return


def _line_entry(tid: str, put: tuple[ThreadFiles, ThreadSummary]) -> dict[str, Any]:
    tf, summary = put
    return {"id": tid, "key": _key(tf), "summary": _dump(summary)}


def _entry_time(item: tuple[str, Any]) -> float:
    entry = item[1]
    if isinstance(entry, tuple):
        updated = entry[1].updated_at
        return updated.timestamp() if updated else 0
    return entry["summary"][_UPDATED] or 0


def _is_header(line: bytes) -> bool:
    try:
        header = orjson.loads(line)
    except orjson.JSONDecodeError:
        return False
    return isinstance(header, dict) and header.get("version") == CACHE_VERSION


def _entry(line: bytes) -> dict[str, Any] | None:
    try:
        entry = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if isinstance(entry, dict) and isinstance(entry.get("id"), str):
        return entry
    return None
