"""Careful writes into CODEX_HOME, shared by every store operation that changes files.

- `write_new_file`: a new file appears whole or not at all (temporary file in the same
  folder, fsync, rename, fsync of the folder).
- `session_index_lock` / `append_session_index`: `session_index.jsonl` is append-only and
  Codex (0.169) appends to it holding an exclusive `flock` on `session_index.jsonl.lock`
  beside it; we take the same lock, so our lines and Codex's never interleave, and publish
  the index with our line whole (temporary file, rename), so a crash never cuts an entry.
- `check_writable`: refuse early, with a clear message, when a folder cannot be written.
- `move_no_replace`: one atomic rename that never replaces a file already at the target.
- `replace_file`: replace a file's contents whole (temporary file, fsync, rename over it).
- `remove_session_index_entries`: drop a thread's lines from `session_index.jsonl` the way
  Codex does when it deletes a thread (rewritten through a temporary file, under its lock).
- `thread_writer_lock`: Codex's single-writer lock on `thread-writer-locks/<id>.lock`
  (taken under `thread-writer-locks/.coordination.lock`); held while a thread's files move.

Pure standard library (never Textual or Rich).
"""

from __future__ import annotations

import errno
import fcntl
import os
import stat
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Literal

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
        _write_durably(fd, data, mode)
        _publish(tmp, path)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(directory)


def _write_durably(fd: int, data: bytes, mode: int) -> None:
    """All of `data` into the new temporary file `fd`, its mode set, fsynced, closed."""
    try:
        view = memoryview(data)
        while view:
            written = os.write(fd, view)
            view = view[written:]
        os.fchmod(fd, mode)
        os.fsync(fd)
    finally:
        os.close(fd)


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


def _flock_polled(fd: int, what: str, timeout: float) -> None:
    """Take an exclusive flock on `fd`, polled the way Codex polls it, for at most
    `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            if time.monotonic() >= deadline:
                raise StoreError(f"timed out waiting for {what}; another Codex process "
                                 "may be holding it") from None
            time.sleep(_LOCK_POLL)


@contextmanager
def session_index_lock(codex_home: str, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold Codex's exclusive lock on `session_index.jsonl.lock` (flock, polled the way Codex
    polls it) for the duration of the block."""
    path = os.path.join(codex_home, SESSION_INDEX_LOCK)
    with _held_flock(path, "the session index lock", timeout):
        yield


@contextmanager
def _held_flock(path: str, what: str, timeout: float) -> Iterator[None]:
    """Open (creating it) the lock file at `path` and hold an exclusive flock on it, polled
    up to `timeout` seconds, for the duration of the block."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from exc
    try:
        _flock_polled(fd, f"{what} ({path})", timeout)
        yield
    finally:
        os.close(fd)  # closing releases the flock


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
    """Append `{"id", "thread_name", "updated_at"}` to `session_index.jsonl` as Codex does:
    under its lock, one O_APPEND write, then fsync (newest entry per id wins for readers).

    Appending, not rewriting the file: Codex releases that append without the lock would
    lose a line to a rewrite published in between. The price: a crash inside this one small
    write could leave a cut last line, which every reader skips, and the next append (ours,
    starting on a new line) puts after it."""
    line = orjson.dumps({"id": thread_id, "thread_name": name,
                         "updated_at": index_timestamp(now)}) + b"\n"
    path = os.path.join(codex_home, SESSION_INDEX)
    with session_index_lock(codex_home):
        try:
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        try:
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                line = b"\n" + line  # a line cut off by a crash: ours starts on a new one
            os.write(fd, line)
            os.fsync(fd)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        finally:
            os.close(fd)


# -- moves and rewrites -------------------------------------------------------------------

_AT_FDCWD = -100
_RENAME_NOREPLACE = 1
# resolved on first use; False when the C library lacks it
_renameat2_fn: Callable[..., int] | Literal[False] | None = None


def _renameat2() -> Callable[..., int] | None:
    global _renameat2_fn
    if _renameat2_fn is None:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            fn = libc.renameat2
            fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                           ctypes.c_uint]
            fn.restype = ctypes.c_int
            _renameat2_fn = fn
        except (OSError, AttributeError, ImportError):
            _renameat2_fn = False
    return _renameat2_fn or None


def move_no_replace(src: str, dest: str) -> None:
    """Rename `src` to `dest` in one step (the file is at one path or the other, never both
    or neither), refusing when `dest` exists: renameat2(RENAME_NOREPLACE) where the system
    has it, else a check just before a plain rename."""
    fn = _renameat2()
    if fn is not None:
        import ctypes

        if fn(_AT_FDCWD, os.fsencode(src), _AT_FDCWD, os.fsencode(dest), _RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err == errno.EEXIST:
            raise StoreError(f"cannot move {src}: {dest} already exists")
        if err not in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise StoreError(f"cannot move {src} to {dest}: {os.strerror(err)}")
    if os.path.lexists(dest):
        raise StoreError(f"cannot move {src}: {dest} already exists")
    try:
        os.rename(src, dest)
    except OSError as exc:
        raise StoreError(f"cannot move {src} to {dest}: {exc.strerror or exc}") from exc


def replace_file(path: str, data: bytes, mode: int | None = None,
                 prefix: str = ".codex-tui-") -> None:
    """Give `path` exactly `data`, whole or not at all: a temporary file beside it, fsync,
    rename over `path`, fsync of the folder. The file keeps its permissions (or takes
    `mode`, or the umask's default when it is new)."""
    directory = os.path.dirname(path) or "."
    check_writable(directory)
    if mode is None:
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except OSError:
            mode = 0o666 & ~current_umask()
    try:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=directory)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
    try:
        _write_durably(fd, data, mode)
        os.replace(tmp, path)
    except BaseException as exc:
        with suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc
        raise
    fsync_dir(directory)


def _same_thread(value: object, thread_id: uuid.UUID) -> bool:
    if not isinstance(value, str):
        return False
    try:
        return uuid.UUID(value) == thread_id
    except ValueError:
        return False


def is_index_entry_for(line: bytes, thread_id: str) -> bool:
    """Whether one `session_index.jsonl` line is a whole entry (`id`, `thread_name`,
    `updated_at`) for `thread_id`: only such lines are dropped, as Codex drops them."""
    try:
        value = orjson.loads(line.strip())
    except orjson.JSONDecodeError:
        return False
    return (isinstance(value, dict) and isinstance(value.get("thread_name"), str)
            and isinstance(value.get("updated_at"), str)
            and _same_thread(value.get("id"), uuid.UUID(thread_id)))


def remove_session_index_entries(codex_home: str, thread_id: str) -> int:
    """Drop every entry of `thread_id` from `session_index.jsonl` (the other lines, even
    unreadable ones, are kept as they are), as Codex does when it deletes a thread: under
    the index lock, the rest is written to a temporary file that replaces the index.
    Returns how many entries were dropped (nothing is written when there are none)."""
    path = os.path.join(codex_home, SESSION_INDEX)
    with session_index_lock(codex_home):
        try:
            with open(path, "rb") as stream:
                data = stream.read()
        except FileNotFoundError:
            return 0
        except OSError as exc:
            raise StoreError(f"cannot read {path}: {exc.strerror or exc}") from exc
        kept: list[bytes] = []
        dropped = 0
        for line in data.split(b"\n"):
            if not line:
                continue
            if is_index_entry_for(line, thread_id):
                dropped += 1
            else:
                kept.append(line + b"\n")
        if dropped:
            replace_file(path, b"".join(kept), prefix=".codex-tui-session-index-")
        return dropped


# -- Codex's per-thread writer lock ---------------------------------------------------------

WRITER_LOCKS = "thread-writer-locks"
COORDINATION_LOCK = ".coordination.lock"


class ThreadOpenElsewhere(StoreError):
    """Codex holds the thread's writer lock: it has the session open."""


@contextmanager
def _coordination(directory: str, timeout: float) -> Iterator[None]:
    with _held_flock(os.path.join(directory, COORDINATION_LOCK),
                     "the thread writer coordination lock", timeout):
        yield


@contextmanager
def thread_writer_lock(codex_home: str, thread_id: str,
                       timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold Codex's writer lock on one thread, as Codex takes it before it writes, moves or
    deletes a thread's files: under the coordination lock, open (creating it)
    `thread-writer-locks/<id>.lock` and flock it exclusively without waiting. When Codex
    has the thread open the lock is held and ThreadOpenElsewhere is raised. On release the
    lock file is removed if nobody else holds it (as Codex cleans up), again under the
    coordination lock."""
    directory = os.path.join(codex_home, WRITER_LOCKS)
    try:
        os.makedirs(directory, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create {directory}: {exc.strerror or exc}") from exc
    path = os.path.join(directory, f"{thread_id}.lock")
    with _coordination(directory, timeout):
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        except OSError as exc:
            raise StoreError(f"cannot open {path}: {exc.strerror or exc}") from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise ThreadOpenElsewhere(open_elsewhere_message(thread_id, path)) from None
        except OSError as exc:
            os.close(fd)
            raise StoreError(f"cannot lock {path}: {exc.strerror or exc}") from exc
    try:
        yield
    finally:
        _release_writer_lock(directory, path, fd, timeout)


def open_elsewhere_message(thread_id: str, path: str) -> str:
    return f"session {thread_id} is open in Codex (it holds {path}); close it there and retry"


def writer_lock_held(codex_home: str, thread_id: str) -> str | None:
    """Whether Codex holds the thread's writer lock now: the refusal `thread_writer_lock`
    would give, or None. Read only: the lock file is opened read-only (never created) and
    a shared lock tried and dropped at once, which an exclusive holder refuses."""
    path = os.path.join(codex_home, WRITER_LOCKS, f"{thread_id}.lock")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return None  # no lock file: nobody holds it
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return open_elsewhere_message(thread_id, path)
    except OSError:
        return None  # cannot tell: the write itself will say
    finally:
        os.close(fd)  # (closing drops the shared lock, if it was taken)
    return None


def _release_writer_lock(directory: str, path: str, fd: int, timeout: float) -> None:
    try:
        with _coordination(directory, timeout):
            os.close(fd)
            fd = -1
            try:
                probe = os.open(path, os.O_RDWR | os.O_CLOEXEC)
            except OSError:
                return
            try:
                fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                return  # someone else took it meanwhile: leave their file alone
            finally:
                os.close(probe)
            with suppress(OSError):
                os.unlink(path)
    except StoreError:
        pass  # the lock is released by closing; only the tidy-up was skipped
    finally:
        if fd >= 0:
            os.close(fd)
