"""Where a Codex home's space goes: per project, month, source or size, active against
archived, the largest sessions, and the home's own files (history, name index, Codex's
SQLite files).

Built from what a listing already has (each ThreadSummary's `size` is the bytes of every
file of the thread) and one walk of the session folders that stats, never reads: a home
of 10,000 sessions reports in about the time of a warm listing. Pure standard library.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, NamedTuple

from .model import ThreadSummary
from .query import normalize_path

if TYPE_CHECKING:
    from .thread_store.protocol import ThreadStore

GROUPINGS = ("project", "month", "source", "size")
LARGEST = 10

# Size classes (by=size), smallest first: (upper bound exclusive, key).
KIB, MIB, GIB = 1024, 1024**2, 1024**3
SIZE_CLASSES: tuple[tuple[float, str], ...] = (
    (100 * KIB, "< 100 KiB"),
    (MIB, "100 KiB - 1 MiB"),
    (10 * MIB, "1 - 10 MiB"),
    (100 * MIB, "10 - 100 MiB"),
    (float("inf"), ">= 100 MiB"),
)
UNKNOWN_SIZE = "size not known"

# Codex's SessionSource labels (fields.source_label) by kind. A label not listed here is
# its own group, spelled as Codex wrote it: nothing is folded into a guess.
INTERACTIVE_SOURCES = frozenset({"cli", "vscode"})
SUBAGENT_PREFIX = "subagent"


class StorageGroup(NamedTuple):
    key: str | None  # the project's cwd (None: not recorded), "2026-11", "exec", ...
    sessions: int
    bytes: int  # active and archived
    archived_sessions: int
    archived_bytes: int

    @property
    def active_bytes(self) -> int:
        return self.bytes - self.archived_bytes


class StorageReport(NamedTuple):
    by: str
    groups: list[StorageGroup]  # biggest first
    largest: list[ThreadSummary]  # biggest first
    files: dict[str, int]  # "sessions/", "archived_sessions/", "history.jsonl", ...
    sessions: int
    session_bytes: int  # the listed sessions' files
    archived_sessions: int
    archived_bytes: int
    unknown_size: int  # sessions whose size the store does not know (a remote home)

    @property
    def total_bytes(self) -> int:
        """Everything the report covers: the home's files when the store knows them (the
        session folders included), else the sessions' own bytes."""
        return sum(self.files.values()) if self.files else self.session_bytes


def source_kind(source: str | None) -> str:
    """interactive (the TUI, an IDE), exec, sub-agent, or the label itself."""
    if source in INTERACTIVE_SOURCES:
        return "interactive"
    if source == "exec":
        return "exec"
    if source is not None and (source == SUBAGENT_PREFIX
                               or source.startswith(SUBAGENT_PREFIX + ":")):
        return "sub-agent"
    return source or "unknown"


def size_class(size: int | None) -> str:
    if size is None:
        return UNKNOWN_SIZE
    for bound, key in SIZE_CLASSES:
        if size < bound:
            return key
    return SIZE_CLASSES[-1][1]


def group_key(summary: ThreadSummary, by: str) -> str | None:
    """The group a session counts in: its project (cwd as recorded, None when it has
    none), its creation month (UTC, "YYYY-MM"), its kind of source, or its size class."""
    if by == "project":
        return normalize_path(summary.cwd) if summary.cwd else None
    if by == "month":
        when = summary.created_at or summary.updated_at
        return when.strftime("%Y-%m") if when is not None else None
    if by == "source":
        return source_kind(summary.source)
    if by == "size":
        return size_class(summary.size)
    raise ValueError(f"cannot group by {by!r} (one of {', '.join(GROUPINGS)})")


def storage_report(summaries: Iterable[ThreadSummary], files: dict[str, int] | None = None,
                   by: str = "project", largest: int = LARGEST) -> StorageReport:
    """The report of these sessions grouped `by` one of GROUPINGS; `files` are the home's
    own files and folders with their bytes (`home_files`)."""
    if by not in GROUPINGS:
        raise ValueError(f"cannot group by {by!r} (one of {', '.join(GROUPINGS)})")
    counts: dict[str | None, list[int]] = {}
    every: list[ThreadSummary] = []
    sessions = total = archived_n = archived_total = unknown = 0
    for s in summaries:
        size = s.size or 0
        if s.size is None:
            unknown += 1
        sessions += 1
        total += size
        if s.archived:
            archived_n += 1
            archived_total += size
        row = counts.setdefault(group_key(s, by), [0, 0, 0, 0])
        row[0] += 1
        row[1] += size
        if s.archived:
            row[2] += 1
            row[3] += size
        every.append(s)
    groups = [StorageGroup(key, n, b, an, ab) for key, (n, b, an, ab) in counts.items()]
    if by == "month":
        groups.sort(key=lambda g: g.key or "", reverse=True)  # newest month first
    elif by == "size":
        order = {key: i for i, (_bound, key) in enumerate(SIZE_CLASSES)}
        groups.sort(key=lambda g: order.get(g.key or "", len(order)), reverse=True)
    else:
        groups.sort(key=lambda g: (-g.bytes, -g.sessions, g.key or ""))
    biggest = sorted(every, key=lambda s: (-(s.size or 0), s.id))[:max(largest, 0)]
    return StorageReport(by, groups, biggest, dict(files or {}), sessions, total,
                         archived_n, archived_total, unknown)


def sort_groups(groups: list[StorageGroup], column: str) -> list[StorageGroup]:
    """Groups ordered by "bytes", "sessions", "archived" (bytes) or "key" (A to Z); the
    biggest first for the figures."""
    if column == "key":
        return sorted(groups, key=lambda g: (g.key is None, g.key or ""))
    if column == "sessions":
        return sorted(groups, key=lambda g: (-g.sessions, -g.bytes, g.key or ""))
    if column == "archived":
        return sorted(groups, key=lambda g: (-g.archived_bytes, -g.bytes, g.key or ""))
    return sorted(groups, key=lambda g: (-g.bytes, -g.sessions, g.key or ""))


# -- the home's own files ------------------------------------------------------------------

SESSIONS_DIR = "sessions/"
ARCHIVED_DIR = "archived_sessions/"
HOME_FILES = ("history.jsonl", "session_index.jsonl")
SQLITE_SUFFIXES = (".sqlite", ".sqlite-wal", ".sqlite-shm")


def home_files(codex_home: str, sqlite_home: str | None = None) -> dict[str, int]:
    """Bytes of the home's session folders (every regular file under them, rollouts or
    not), history.jsonl, session_index.jsonl and Codex's SQLite files (in `sqlite_home`,
    default the home). Stats only; what is missing is left out."""
    from .paths import ARCHIVED, SESSIONS

    files: dict[str, int] = {}
    for key, folder in ((SESSIONS_DIR, SESSIONS), (ARCHIVED_DIR, ARCHIVED)):
        path = os.path.join(codex_home, folder)
        if os.path.isdir(path):
            files[key] = folder_bytes(path)
    for name in HOME_FILES:
        size = _file_size(os.path.join(codex_home, name))
        if size is not None:
            files[name] = size
    where = sqlite_home or codex_home
    try:
        entries = sorted(os.scandir(where), key=lambda e: e.name)
    except OSError:
        entries = []
    for entry in entries:
        if entry.name.endswith(SQLITE_SUFFIXES):
            size = _file_size(entry.path)
            if size is not None:
                files[entry.name] = size
    return files


def file_rows(files: dict[str, int]) -> list[tuple[str, int]]:
    """The home's files as shown (CLI and screen), biggest first: a SQLite database with its
    -wal and -shm files as one row ("state_5.sqlite (+wal, shm)"); JSON keeps each file."""
    rows: dict[str, list] = {}
    for name, size in files.items():
        base = name
        for side in ("-wal", "-shm"):
            if name.endswith(".sqlite" + side):
                base = name[: -len(side)]
        row = rows.setdefault(base, [0, []])
        row[0] += size
        if base != name:
            row[1].append(name[len(base) + 1:])
    shown = [(base + (f" (+{', '.join(sorted(sides))})" if sides else ""), size)
             for base, (size, sides) in rows.items()]
    return sorted(shown, key=lambda row: (-row[1], row[0]))


def folder_bytes(path: str) -> int:
    """Apparent size (st_size) of every regular file below `path`; symlinks not followed."""
    total = 0
    stack = [path]
    while stack:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                elif entry.is_file(follow_symlinks=False):
                    total += entry.stat(follow_symlinks=False).st_size
            except OSError:
                continue  # vanished mid-walk
    return total


def _file_size(path: str) -> int | None:
    import stat

    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


# -- JSON (`du --json`; scripts rely on these names: extend, don't rename) ------------------

def report_json(report: StorageReport) -> dict[str, Any]:
    return {
        "total_bytes": report.total_bytes,
        "by": report.by,
        "sessions": report.sessions,
        "session_bytes": report.session_bytes,
        "archived_sessions": report.archived_sessions,
        "archived_bytes": report.archived_bytes,
        "unknown_size": report.unknown_size,
        "groups": [{"key": g.key, "sessions": g.sessions, "bytes": g.bytes,
                    "archived_sessions": g.archived_sessions,
                    "archived_bytes": g.archived_bytes} for g in report.groups],
        "largest": [{"id": s.id, "title": s.title, "cwd": s.cwd, "bytes": s.size,
                     "archived": s.archived, "path": s.path, "home": s.home}
                    for s in report.largest],
        "files": report.files,
    }


def human_bytes(n: int | None) -> str:
    """1,234,567 -> "1.2 MiB" (binary units, as `du -h` counts and as Codex users quote
    their homes: "39.4 GiB")."""
    if n is None:
        return "?"
    value = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(value) < 1024:
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} TiB"


# -- from a store --------------------------------------------------------------------------

def every_thread(store: ThreadStore) -> list[ThreadSummary]:
    """Every thread of a ThreadStore, active and archived, every directory and source: what
    the store has listed already (the picker's listing, kept current by its watcher), else
    one listing (heads and sizes, cached heads not read again)."""
    from .query import ThreadQuery

    found = {s.id: s for s in store.list_threads(ThreadQuery(archived=None))}
    if any(s.pending for s in found.values()):  # listed, but not every head read yet
        for s in store.complete():
            found[s.id] = s
    return list(found.values())


def store_report(store: ThreadStore, by: str = "project", largest: int = LARGEST) -> StorageReport:
    return storage_report(every_thread(store), store.storage_files(), by, largest)
