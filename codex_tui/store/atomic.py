"""Careful writes into CODEX_HOME, shared by every store operation that changes files.

- `write_new_file`: a new file appears whole or not at all (temporary file in the same
  folder, fsync, rename, fsync of the folder).
- `session_index_lock` / `append_session_index`: `session_index.jsonl` is append-only and
  Codex (0.169) appends to it holding an exclusive `flock` on `session_index.jsonl.lock`
  beside it; we take the same lock, so our lines and Codex's never interleave.
- `check_writable`: refuse early, with a clear message, when a folder cannot be written.

Pure standard library (never Textual or Rich).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime

import orjson

from .errors import StoreError
from .names import SESSION_INDEX

SESSION_INDEX_LOCK = SESSION_INDEX + ".lock"
LOCK_TIMEOUT = 5.0  # seconds to wait for Codex to release the session index lock
_LOCK_POLL = 0.1


def current_umask() -> int:
    """The process umask, read without changing it (os.umask would race other threads)."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o022


def fsync_dir(path: str) -> None:
    """Make a rename or a new entry in `path` durable (best effort where unsupported)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _nearest_existing(path: str) -> str:
    path = os.path.abspath(path)
    while not os.path.exists(path):
        parent = os.path.dirname(path)
        if parent == path:
            break
        path = parent
    return path


def check_writable(directory: str, what: str = "folder") -> None:
    """Raise StoreError unless files can be created in `directory` (or, when it does not
    exist yet, in its nearest existing ancestor). A folder with no write permission bit
    counts as read-only even for root, who would otherwise write through it."""
    target = _nearest_existing(directory)
    try:
        st = os.stat(target)
    except OSError as exc:
        raise StoreError(f"cannot use {target}: {exc.strerror or exc}") from exc
    no_write_bits = not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
    if not stat.S_ISDIR(st.st_mode):
        raise StoreError(f"{target} is not a folder")
    if no_write_bits or not os.access(target, os.W_OK | os.X_OK):
        raise StoreError(f"the {what} {target} is read-only; nothing was written")
    try:
        if os.statvfs(target).f_flag & os.ST_RDONLY:
            raise StoreError(f"the {what} {target} is on a read-only file system; "
                             "nothing was written")
    except (OSError, AttributeError):
        pass


def write_new_file(path: str, data: bytes, mode: int | None = None) -> None:
    """Create `path` holding exactly `data`: write a temporary file beside it, fsync it,
    rename it into place (refusing to replace an existing file) and fsync the folder.
    The temporary name never looks like a rollout, so no lister picks it up half-written."""
    directory = os.path.dirname(path) or "."
    check_writable(directory)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {directory}: {exc.strerror or exc}") from exc
    if mode is None:
        mode = 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(prefix=".codex-tui-", suffix=".tmp", dir=directory)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        _publish(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def _publish(tmp: str, path: str) -> None:
    """Rename without replacing: link() fails if `path` exists; where links are not
    supported, fall back to a checked rename."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise StoreError(f"cannot write {path}: it already exists") from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV,
                             errno.EMLINK):
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        if os.path.exists(path):
            raise StoreError(f"cannot write {path}: it already exists") from None
        os.rename(tmp, path)
        return
    os.unlink(tmp)


@contextmanager
def session_index_lock(codex_home: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold Codex's exclusive lock on `session_index.jsonl.lock` (flock, polled the way Codex
    polls it) for the duration of the block."""
    path = os.path.join(codex_home, SESSION_INDEX_LOCK)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise StoreError(
                        "timed out waiting for the session index lock "
                        f"({path}); another Codex process may be holding it") from None
                time.sleep(_LOCK_POLL)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def index_timestamp(now: datetime | None = None) -> str:
    """`updated_at` as Codex writes it: RFC 3339, UTC, nanoseconds, `Z`."""
    if now is None:
        ns = time.time_ns()
        seconds, nanos = divmod(ns, 1_000_000_000)
        stamp = datetime.fromtimestamp(seconds, UTC)
    else:
        stamp = now.astimezone(UTC)
        nanos = stamp.microsecond * 1000
    return stamp.strftime("%Y-%m-%dT%H:%M:%S") + f".{nanos:09d}Z"


def append_session_index(codex_home: str, thread_id: str, name: str,
                         now: datetime | None = None) -> None:
    """Append `{"id", "thread_name", "updated_at"}` to `session_index.jsonl` under Codex's
    lock, in one write, then fsync (newest entry per id wins for every reader)."""
    line = orjson.dumps({"id": thread_id, "thread_name": name,
                         "updated_at": index_timestamp(now)}) + b"\n"
    path = os.path.join(codex_home, SESSION_INDEX)
    with session_index_lock(codex_home):
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        try:
            _ensure_line_start(fd)
            os.write(fd, line)
            os.fsync(fd)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        finally:
            os.close(fd)


def _ensure_line_start(fd: int) -> None:
    """If the file ends in a cut-off line (a crash mid-write), start ours on a new line."""
    size = os.fstat(fd).st_size
    if size == 0:
        return
    if os.pread(fd, 1, size - 1) != b"\n":
        os.write(fd, b"\n")
