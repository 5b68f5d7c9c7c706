"""Archive, unarchive, rename and delete threads, on disk exactly as the Codex CLI does.

- archive: every file of the thread (segments, `.jsonl.zst` copies) is renamed from
  `sessions/YYYY/MM/DD/` into the flat `archived_sessions/`, same file name, mtime kept.
- unarchive: back to `sessions/YYYY/MM/DD/`, the date taken from the file name; the current
  file's mtime is set to now (Codex's `touch_modified_time`), so it sorts as just updated.
- rename: one `{"id", "thread_name", "updated_at"}` line appended to `session_index.jsonl`
  under Codex's lock on `session_index.jsonl.lock` (names are trimmed; blank is refused).
- delete: refused while another thread's paginated history (`session_meta.history_base`)
  still points at this one, archived or not; else every file of the thread is removed,
  then its `session_index.jsonl` entries (rewritten through a temporary file, under the lock).

Codex's SQLite files are never written: Codex re-reads the files and repairs its index.
Archive, unarchive and delete hold Codex's writer lock on the thread
(`thread-writer-locks/<id>.lock`), so a thread Codex has open is refused, not pulled away.

Crash safety: each step is one rename or one unlink, and steps are ordered so that after a
crash between them the thread reads as before or as after: the current (newest) file moves
last when archiving and first when unarchiving (the thread's status flips with it, and the
reader finds older segments in either folder), and is deleted last (the thread stays
listed, with a warning, until it is gone, instead of coming back as an older segment).

Pure standard library (never Textual or Rich).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterable
from contextlib import suppress

import orjson

from .atomic import (
    append_session_index,
    check_writable,
    fsync_dir,
    move_no_replace,
    remove_session_index_entries,
    thread_writer_lock,
)
from .codex_index import IndexRow, index_row
from .errors import StoreError, ThreadNotFound
from .names import read_names
from .paths import ARCHIVED, SESSIONS, RolloutFile, scan_rollout_files

_FIRST_LINE_CHUNK = 64 * 1024
_FIRST_LINE_MAX = 16 * 1024 * 1024
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


# -- finding files ---------------------------------------------------------------------------

def _order(rf: RolloutFile) -> tuple[str, int, int, str]:
    # Oldest first; at one stamp the base file before its segments; a .zst copy before its
    # plain file (the plain one is what Codex reads, so it counts as the newer).
    return (rf.name.stamp, 0 if rf.name.segment_id is None else 1,
            0 if rf.name.compressed else 1, rf.path)


def all_rollouts(codex_home: str) -> list[RolloutFile]:
    return [rf for archived in (False, True) for rf in scan_rollout_files(codex_home, archived)]


def thread_rollouts(codex_home: str, thread_id: str,
                    every: list[RolloutFile] | None = None) -> list[RolloutFile]:
    """Every physical file of a thread, active and archived: segments and `.jsonl.zst`
    copies included, oldest first (the last one is the current file). Without `every`,
    the walk stats this thread's files only (a bulk write does this once per thread)."""
    thread_id = thread_id.lower()
    if every is None:
        found = [rf for archived in (False, True)
                 for rf in scan_rollout_files(codex_home, archived, thread_id)]
    else:
        found = [rf for rf in every if rf.name.thread_id == thread_id]
    return sorted(found, key=_order)


def _current_last(files: list[RolloutFile]) -> list[RolloutFile]:
    return sorted(files, key=_order)


def _first_line(path: str) -> bytes | None:
    """The first line of a rollout, read in chunks (0.169's first line is ~22 KB)."""
    try:
        with open(path, "rb") as stream:
            data = b""
            while len(data) < _FIRST_LINE_MAX:
                chunk = stream.read(_FIRST_LINE_CHUNK)
                if not chunk:
                    return data
                end = chunk.find(b"\n")
                if end >= 0:
                    return data + chunk[:end]
                data += chunk
    except OSError:
        return None
    return None


def _history_base_compressed(path: str) -> str | None:
    try:
        import zstandard
    except ImportError:
        return None
    try:
        with open(path, "rb") as raw:
            reader = zstandard.ZstdDecompressor().stream_reader(raw)
            data = b""
            while b"\n" not in data and len(data) < _FIRST_LINE_MAX:
                chunk = reader.read(_FIRST_LINE_CHUNK)
                if not chunk:
                    break
                data += chunk
    except (OSError, zstandard.ZstdError):
        return None
    line = data.split(b"\n", 1)[0]
    return _base_of(line) if b"history_base" in line else None


def _base_of(line: bytes) -> str | None:
    try:
        value = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(value, dict):
        return None
    payload = value.get("payload") if value.get("type") == "session_meta" else value
    base = payload.get("history_base") if isinstance(payload, dict) else None
    thread = base.get("thread_id") if isinstance(base, dict) else None
    if not isinstance(thread, str):
        return None
    try:
        return str(uuid.UUID(thread))
    except ValueError:
        return None


def referencing_threads(codex_home: str, thread_id: str) -> list[str]:
    """Ids of the other threads (active or archived) whose paginated history starts with a
    prefix of `thread_id`'s: while one exists Codex refuses to delete `thread_id`."""
    return fork_references(codex_home).get(thread_id.lower(), [])


def fork_references(codex_home: str) -> dict[str, list[str]]:
    """For each thread some other thread's paginated history starts from: those threads'
    ids, sorted. One pass over the first lines of every rollout (remembered per file while
    the file is unchanged, so a bulk delete does not read them again per thread)."""
    found: dict[str, set[str]] = {}
    for rf in all_rollouts(codex_home):
        base = _history_base_of(rf)
        if base is not None and base != rf.name.thread_id:
            found.setdefault(base, set()).add(rf.name.thread_id)
    return {base: sorted(users) for base, users in found.items()}


# (path, size, mtime, inode) -> the thread its history_base names. A rollout's first line
# (its session_meta) is written once, when the file is made; a file that changed in any
# way is read again.
_BASES: dict[tuple[str, int, int, int], str | None] = {}
_BASES_MAX = 200_000


def _history_base_of(rf: RolloutFile) -> str | None:
    key = (rf.path, rf.size, rf.mtime_ns, rf.inode)
    if key in _BASES:
        return _BASES[key]
    if not rf.name.compressed:
        line = _first_line(rf.path)
        base = _base_of(line) if line and b"history_base" in line else None
    else:
        base = _history_base_compressed(rf.path)
    if len(_BASES) >= _BASES_MAX:
        _BASES.clear()
    _BASES[key] = base
    return base


def fork_reference_refusal(thread_id: str, users: list[str], verb: str = "delete") -> str:
    """Why a thread that forks' histories start from is left alone."""
    listed = ", ".join(users[:5]) + (f" and {len(users) - 5} more" if len(users) > 5 else "")
    return (f"cannot {verb} thread {thread_id}: forked history still references it "
            f"(session{'s' if len(users) != 1 else ''} {listed}); {verb} those first")


# -- checks ----------------------------------------------------------------------------------

def _require(files: list[RolloutFile], thread_id: str) -> None:
    if not files:
        raise ThreadNotFound(f"no session with id {thread_id}")


def _check_dirs(directories: Iterable[str]) -> None:
    for directory in dict.fromkeys(directories):
        check_writable(directory)


# -- archive / unarchive -----------------------------------------------------------------------

def archive_thread(codex_home: str, thread_id: str) -> list[str]:
    """Move the thread's files into `archived_sessions/`; returns their new paths."""
    thread_id = thread_id.lower()
    files = thread_rollouts(codex_home, thread_id)
    _require(files, thread_id)
    active = [rf for rf in files if not rf.archived]
    if not active:
        raise StoreError(f"session {thread_id} is already archived")
    target_dir = os.path.join(codex_home, ARCHIVED)
    moves = [(rf.path, os.path.join(target_dir, os.path.basename(rf.path)))
             for rf in _current_last(active)]
    for _src, dest in moves:
        if os.path.lexists(dest):
            raise StoreError(f"cannot archive {thread_id}: {dest} already exists")
    _check_dirs([codex_home, target_dir, *(os.path.dirname(src) for src, _ in moves)])
    with thread_writer_lock(codex_home, thread_id):
        try:
            os.makedirs(target_dir, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {target_dir}: {exc.strerror or exc}") from exc
        _move_all(moves)
    return [dest for _src, dest in moves]


def unarchive_thread(codex_home: str, thread_id: str) -> list[str]:
    """Move the thread's archived files back to `sessions/YYYY/MM/DD/` (the date in each
    file name); returns their new paths. The current file is moved first and its mtime
    set to now, as Codex does."""
    thread_id = thread_id.lower()
    files = thread_rollouts(codex_home, thread_id)
    _require(files, thread_id)
    archived = [rf for rf in files if rf.archived]
    if not archived:
        raise StoreError(f"session {thread_id} is not archived")
    row = index_row(codex_home, thread_id)
    if row is not None and row.archived and _row_is_for(row, codex_home, archived):
        # Codex archived it and recorded that in its index, which codex-tui never writes:
        # moved back by us, Codex would go on refusing it as archived (and could not
        # unarchive it either). Codex itself has to do this one.
        raise StoreError(
            f"Codex's own index (state_5.sqlite) records session {thread_id} as archived, "
            "and codex-tui never writes Codex's database: unarchive it with "
            f"`codex unarchive {thread_id}`")
    moves = []
    for rf in reversed(_current_last(archived)):
        year, month, day = rf.name.date_parts
        dest = os.path.join(codex_home, SESSIONS, year, month, day, os.path.basename(rf.path))
        if os.path.lexists(dest):
            raise StoreError(f"cannot unarchive {thread_id}: {dest} already exists")
        moves.append((rf.path, dest))
    _check_dirs([codex_home, os.path.join(codex_home, ARCHIVED),
                 *(os.path.dirname(dest) for _src, dest in moves)])
    with thread_writer_lock(codex_home, thread_id):
        for _src, dest in moves:
            try:
                os.makedirs(os.path.dirname(dest), exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create {os.path.dirname(dest)}: "
                                 f"{exc.strerror or exc}") from exc
        _move_all(moves)
        with suppress(OSError):  # moved all the same; only the "updated" time stays
            os.utime(moves[0][1])
    return [dest for _src, dest in moves]


def _move_all(moves: list[tuple[str, str]]) -> None:
    sources: dict[str, None] = {}
    for src, dest in moves:
        move_no_replace(src, dest)
        fsync_dir(os.path.dirname(dest))
        sources[os.path.dirname(src)] = None
    for directory in sources:
        fsync_dir(directory)


def _row_is_for(row: IndexRow, codex_home: str, files: list[RolloutFile]) -> bool:
    """Whether the index row names one of these files (by name, in this home): a row
    copied from another machine's home says nothing about this one."""
    if not row.rollout_path:
        return False
    home = os.path.realpath(codex_home)
    where = os.path.realpath(os.path.dirname(row.rollout_path))
    if not (where == home or where.startswith(home + os.sep)):
        return False
    return os.path.basename(row.rollout_path) in {os.path.basename(rf.path) for rf in files}


def index_note(codex_home: str, thread_id: str) -> str | None:
    """A warning when Codex's own index disagrees with where the thread's files now are
    (Codex 0.169 does not repair such a row by itself; see codex_index.py)."""
    thread_id = thread_id.lower()
    row = index_row(codex_home, thread_id)
    if row is None:
        return None
    files = thread_rollouts(codex_home, thread_id)
    if not files or not _row_is_for(row, codex_home, files):
        return None
    archived = all(rf.archived for rf in files)
    if archived and not row.archived:
        return ("Codex's own index (state_5.sqlite) still lists this session as active at "
                "its old path: until it is unarchived here, `codex resume` answers \"no "
                "rollout found\" rather than \"archived\", and `codex unarchive` cannot "
                "restore it")
    if row.archived and not archived:
        return ("Codex's own index (state_5.sqlite) still lists this session as archived: "
                "`codex resume` will refuse it until it is archived here again and then "
                "unarchived with `codex unarchive`")
    return None


# -- delete ----------------------------------------------------------------------------------

def delete_thread(codex_home: str, thread_id: str) -> list[str]:
    """Remove every file of the thread, then its `session_index.jsonl` entries; returns the
    removed paths. Refused while another thread's history is a prefix of this one's."""
    thread_id = thread_id.lower()
    files = thread_rollouts(codex_home, thread_id)
    _require(files, thread_id)
    users = referencing_threads(codex_home, thread_id)
    if users:
        raise StoreError(fork_reference_refusal(thread_id, users))
    _check_dirs([codex_home, *(os.path.dirname(rf.path) for rf in files)])
    removed: list[str] = []
    with thread_writer_lock(codex_home, thread_id):
        for rf in _current_last(files):
            try:
                os.unlink(rf.path)
            except FileNotFoundError:
                continue  # already gone: counts as deleted, as in Codex
            except OSError as exc:
                raise StoreError(f"cannot delete {rf.path}: {exc.strerror or exc}") from exc
            fsync_dir(os.path.dirname(rf.path))
            removed.append(rf.path)
        remove_session_index_entries(codex_home, thread_id)
    return removed


# -- rename ----------------------------------------------------------------------------------

def normalize_name(name: str) -> str:
    """A name as Codex stores it: trimmed; blank or multi-line names are refused."""
    name = name.strip()
    if not name:
        raise StoreError("a session name cannot be empty")
    if _CONTROL.search(name):
        raise StoreError("a session name must be one line of text (no control characters)")
    return name


def name_warnings(names: dict[str, str], thread_id: str, name: str,
                  live: set[str] | None = None) -> list[str]:
    """What a user should know before giving `thread_id` this name: other sessions that
    have it (Codex resolves a name to the newest entry, so this session would win), and
    names that `codex resume` would read as an id."""
    thread_id = thread_id.lower()
    name = name.strip()
    warnings: list[str] = []
    if not name:
        return warnings
    others = sorted(tid for tid, other in names.items()
                    if other == name and tid != thread_id and (live is None or tid in live))
    if others:
        listed = ", ".join(others[:3]) + (f" and {len(others) - 3} more"
                                          if len(others) > 3 else "")
        warnings.append(f"{'another session is' if len(others) == 1 else 'other sessions are'}"
                        f" also named {name!r} ({listed}); `codex resume {name}` picks the "
                        "one named last: this one")
    try:
        uuid.UUID(name)
        warnings.append(f"{name!r} reads as a session id: `codex resume {name}` looks it up "
                        "as an id, not as a name")
    except ValueError:
        pass
    return warnings


def check_name(codex_home: str, thread_id: str, name: str) -> tuple[str, list[str], bool]:
    """What naming the thread would do: (the stored name, warnings (see `name_warnings`),
    whether the thread already has exactly this name, so nothing need be written)."""
    thread_id = thread_id.lower()
    name = normalize_name(name)
    every = all_rollouts(codex_home)
    _require(thread_rollouts(codex_home, thread_id, every), thread_id)
    names, _problems = read_names(codex_home)
    if names.get(thread_id) == name:
        return name, [f"session {thread_id} is already named {name!r}; nothing written"], True
    live = {rf.name.thread_id for rf in every}
    return name, name_warnings(names, thread_id, name, live), False


def set_thread_name(codex_home: str, thread_id: str, name: str) -> tuple[str, list[str]]:
    """Name the thread (appending to `session_index.jsonl` as Codex does); returns the
    stored name and warnings. Nothing is written when the thread already has this name."""
    name, warnings, unchanged = check_name(codex_home, thread_id, name)
    if not unchanged:
        check_writable(codex_home)
        append_session_index(codex_home, thread_id.lower(), name)
    return name, warnings
