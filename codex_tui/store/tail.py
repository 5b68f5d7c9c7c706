"""Follow a growing rollout file: complete new records only, as Codex appends them.

Codex writes one line per `write(2)` and never fsyncs (spec §9), so a reader can still catch
a line mid-write. The follower polls with `os.stat` a few times a second, reads from the
offset just past the last complete line, and carries the bytes after the last newline over
to the next poll: it never emits half a line and never emits a line twice.

It starts over (a batch with `reset=True`, whose records restart from the file's first line)
when the file is replaced or rotated (another inode), truncated (smaller than what was read)
or rewritten in place (its first line changed). A deleted file is reported once
(`missing=True`) and watched for until it comes back. A line longer than `max_line` is
skipped and reported as a problem; the follower never holds more than `max_line` bytes of
one line.

Pure Python (no Textual, no Rich): the CLI's `tail` and the transcript screen share it.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from .model import Problem
from .rollout import RawLine, Record, decode_line

POLL_SECONDS = 0.1  # the transcript's follow interval: new items within 300 ms
MAX_PARTIAL = 32 * 1024 * 1024  # bytes of one unfinished line held at most
READ_CHUNK = 1024 * 1024
MAX_READ_PER_POLL = 8 * 1024 * 1024  # a poll returns at most this much; `more` says so
FINGERPRINT_BYTES = 4096  # compared from the first line to notice a rewrite in place
RELOCATE_SECONDS = 1.0  # how often a missing file is looked for elsewhere


@dataclass(slots=True)
class TailBatch:
    """What one poll found."""

    records: list[Record] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    reset: bool = False  # the file was replaced/truncated/rewritten: records restart at line 1
    missing: bool = False  # the file is gone (reported once; the follower keeps looking)
    moved_to: str | None = None  # the file was found again under this path (same inode)
    more: bool = False  # more bytes are waiting: poll again without sleeping

    def __bool__(self) -> bool:
        return bool(self.records or self.problems or self.reset or self.missing
                    or self.moved_to or self.more)


class Follower:
    """Follow one rollout file. `poll()` is non-blocking; `follow()` loops over it.

    `offset`/`line_no` start the follower past lines already read (the end of the last
    complete line, and how many lines precede it). `relocate`, when given, is asked for the
    file's new path while it is missing (an archived session moves to archived_sessions/):
    a file found there with the same inode is followed on from where it was."""

    def __init__(self, path: str, offset: int = 0, line_no: int = 0, *,
                 max_line: int = MAX_PARTIAL,
                 relocate: Callable[[], str | None] | None = None) -> None:
        self.path = path
        self.offset = offset  # just past the last complete line
        self.line_no = line_no  # lines before `offset`
        self.max_line = max_line
        self._relocate = relocate
        self._carry = bytearray()  # bytes after the last newline (from `offset`)
        self._oversize = False  # the line at `offset` is over max_line: skipping to its end
        self._skipped = 0  # bytes of that line skipped so far
        self._ident: tuple[int, int] | None = None  # (st_dev, st_ino) of the file read
        self._seen: tuple[int, int] | None = None  # (size, mtime_ns) at the last poll
        self._fingerprint = b""
        self._missing = False
        self._last_relocate = 0.0
        self._more = False  # the last poll left bytes unread (MAX_READ_PER_POLL)
        self.mtime: float | None = None  # the file's mtime at the last poll (seconds)
        self.size: int | None = None  # its size then
        self._start(initial=True)

    # -- public ----------------------------------------------------------------------------

    @property
    def read_to(self) -> int:
        """Bytes read so far, the unfinished line included."""
        return self.offset + self._skipped + len(self._carry)

    def poll(self) -> TailBatch:
        """Read whatever was appended since the last poll."""
        batch = TailBatch()
        try:
            st = os.stat(self.path)
        except OSError:
            self._on_missing(batch)
            return batch
        if self._missing:
            self._missing = False
            if (st.st_dev, st.st_ino) != self._ident:
                self._restart(batch)
        elif (st.st_dev, st.st_ino) != self._ident:
            self._restart(batch)  # replaced or rotated
        elif st.st_size < self.read_to:
            self._restart(batch)  # truncated
        self.mtime = st.st_mtime
        self.size = st.st_size
        seen = (st.st_size, st.st_mtime_ns)
        if seen == self._seen and not batch.reset:
            return batch  # nothing new: the common case, one stat
        if self._seen is not None and not batch.reset and not self._same_first_line():
            self._restart(batch)  # rewritten in place
        self._seen = seen
        self._read(st.st_size, batch)
        return batch

    def stale(self) -> bool:
        """Whether a poll could find anything: one stat compared with the last poll's (cheap
        enough for an event loop to call before handing `poll()` to a thread)."""
        if self._more or self._seen is None:
            return True
        try:
            st = os.stat(self.path)
        except OSError:
            return not self._missing or self._relocate is not None
        return (st.st_dev, st.st_ino) != self._ident or \
            (st.st_size, st.st_mtime_ns) != self._seen

    def follow(self, stop: threading.Event | None = None,
               interval: float = POLL_SECONDS) -> Iterator[TailBatch]:
        """Batches as they come, until `stop` is set (forever without one)."""
        return follow_batches(self.poll, stop, interval)

    # -- internals -------------------------------------------------------------------------

    def _start(self, initial: bool = False) -> None:
        """Take the identity (and first-line fingerprint) of the file now at `path`."""
        try:
            st = os.stat(self.path)
        except OSError:
            self._ident = None
            self._missing = True
            return
        self._ident = (st.st_dev, st.st_ino)
        self.mtime, self.size = st.st_mtime, st.st_size
        self._fingerprint = self._read_fingerprint() if (not initial or self.offset) else b""
        if not initial:
            self._seen = None

    def _restart(self, batch: TailBatch) -> None:
        batch.reset = True
        batch.records.clear()
        batch.problems.clear()
        self.offset = 0
        self.line_no = 0
        self._carry = bytearray()
        self._oversize = False
        self._skipped = 0
        self._seen = None
        self._start()

    def _on_missing(self, batch: TailBatch) -> None:
        if self._relocate is not None and \
                time.monotonic() - self._last_relocate >= RELOCATE_SECONDS:
            self._last_relocate = time.monotonic()
            new = self._relocate()
            if new and new != self.path:
                try:
                    st = os.stat(new)
                except OSError:
                    st = None
                if st is not None:
                    self.path = new
                    batch.moved_to = new
                    if (st.st_dev, st.st_ino) != self._ident:
                        self._restart(batch)
                    self._missing = False
                    return
        if not self._missing:
            self._missing = True
            batch.missing = True

    def _read_fingerprint(self) -> bytes:
        """The start of the first line (as much of it as is written, up to a limit)."""
        try:
            with open(self.path, "rb") as stream:
                head = stream.read(FINGERPRINT_BYTES)
        except OSError:
            return b""
        nl = head.find(b"\n")
        return head if nl == -1 else head[: nl + 1]

    def _same_first_line(self) -> bool:
        """Whether the file still starts as it did (a rewrite in place changes its head)."""
        now = self._read_fingerprint()
        old = self._fingerprint
        if len(now) >= len(old):
            same = now.startswith(old)
        else:
            same = old.startswith(now) and not now.endswith(b"\n")
        if same and len(now) > len(old):
            self._fingerprint = now  # the first line has grown since (it was being written)
        return same

    def _read(self, size: int, batch: TailBatch) -> None:
        pos = self.read_to
        if pos >= size:
            return
        stop = min(size, pos + MAX_READ_PER_POLL)
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except OSError:
            return
        try:
            if (ident := _fd_ident(fd)) != self._ident:
                # Replaced between the stat and the open: start over on the next poll.
                self._ident = ident
                self._restart(batch)
                return
            while pos < stop:
                data = os.pread(fd, min(READ_CHUNK, stop - pos), pos)
                if not data:
                    break
                self._feed(data, batch)
                pos += len(data)
        finally:
            os.close(fd)
        if not self._fingerprint:
            self._fingerprint = self._read_fingerprint()
        batch.more = pos < size and pos >= stop
        self._more = batch.more

    def _feed(self, data: bytes, batch: TailBatch) -> None:
        start = 0
        while start < len(data):
            nl = data.find(b"\n", start)
            piece_end = len(data) if nl == -1 else nl
            if self._oversize:
                self._skipped += piece_end - start
            else:
                self._carry += data[start:piece_end]
                if len(self._carry) > self.max_line:
                    # Too long to hold: skip to its end and say so, never grow without bound.
                    self._oversize = True
                    self._skipped = len(self._carry)
                    self._carry = bytearray()
            if nl == -1:
                return
            self._emit_line(batch)
            start = nl + 1

    def _emit_line(self, batch: TailBatch) -> None:
        line_start = self.offset
        length = (self._skipped if self._oversize else len(self._carry)) + 1
        self.offset += length
        self.line_no += 1
        if self._oversize:
            batch.problems.append(Problem(
                f"line of {length / 1_048_576:.0f} MB is longer than the "
                f"{self.max_line // 1_048_576} MB follow limit; skipped",
                self.path, self.line_no))
            self._oversize = False
            self._skipped = 0
            return
        raw = RawLine(self.line_no, line_start, self.offset, bytes(self._carry), True)
        self._carry = bytearray()
        record, problem = decode_line(raw, self.path)
        if problem is not None:
            batch.problems.append(problem)
        if record is not None:
            batch.records.append(record)


def follow_batches(poll: Callable[[], TailBatch], stop: threading.Event | None = None,
                   interval: float = POLL_SECONDS) -> Iterator[TailBatch]:
    """`poll()`'s batches as they come, every `interval` seconds (at once while a batch says
    there is `more`), until `stop` is set (forever without one): every follower's loop."""
    while stop is None or not stop.is_set():
        batch = poll()
        if batch:
            yield batch
        if batch.more:
            continue
        if stop is not None:
            stop.wait(interval)
        else:
            time.sleep(interval)


def _fd_ident(fd: int) -> tuple[int, int] | None:
    try:
        st = os.fstat(fd)
    except OSError:
        return None
    return (st.st_dev, st.st_ino)


def complete_end(path: str) -> tuple[int, int]:
    """(byte just past the last complete line, number of lines before it) of a file now: where
    a follower starts so as to emit only what is appended from here on."""
    offset = lines = 0
    pos = 0
    with open(path, "rb") as stream:
        while True:
            chunk = stream.read(READ_CHUNK)
            if not chunk:
                break
            n = chunk.count(b"\n")
            if n:
                lines += n
                offset = pos + chunk.rfind(b"\n") + 1
            pos += len(chunk)
    return offset, lines


def last_lines_start(path: str, count: int) -> tuple[int, int]:
    """(offset, lines before it) of the start of the last `count` complete lines, like
    `tail -n`: the follower started there emits them first."""
    end, total = complete_end(path)
    if count <= 0 or total == 0:
        return end, total
    if count >= total:
        return 0, 0
    # Walk back from the end of the last complete line over `count` newlines.
    found = 0
    pos = end - 1  # the newline ending the last complete line
    with open(path, "rb") as stream:
        while pos > 0:
            lo = max(0, pos - READ_CHUNK)
            stream.seek(lo)
            chunk = stream.read(pos - lo)
            idx = len(chunk)
            while True:
                idx = chunk.rfind(b"\n", 0, idx)
                if idx == -1:
                    break
                found += 1
                if found == count:
                    return lo + idx + 1, total - count
            pos = lo
    return 0, 0
