"""Where rollout files live and what their names say.

`rollout-YYYY-MM-DDThh-mm-ss-<thread uuid>[_<segment uuid>].jsonl[.zst]` under
`sessions/YYYY/MM/DD/` (and, from very old releases, directly under `sessions/`), or flat
under `archived_sessions/`. The name's timestamp is the writer's *local* time.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime
from typing import NamedTuple

from .model import Problem

SESSIONS = "sessions"
ARCHIVED = "archived_sessions"

_NAME_RE = re.compile(
    r"^rollout-(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2})-"
    r"(?P<id>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})"
    r"(?:_(?P<seg>[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}))?"
    r"\.jsonl(?P<zst>\.zst)?$"
)


class RolloutName(NamedTuple):
    thread_id: str
    segment_id: str | None
    stamp: str  # "YYYY-MM-DDThh-mm-ss", the writer's local time
    compressed: bool

    @property
    def local_time(self) -> datetime | None:
        # The name pattern fixed every digit's place; slicing beats strptime (which goes
        # through locale and _strptime), and a listing does this 10,000 times.
        s = self.stamp
        try:
            return datetime(int(s[0:4]), int(s[5:7]), int(s[8:10]),
                            int(s[11:13]), int(s[14:16]), int(s[17:19]))
        except ValueError:
            return None

    @property
    def date_parts(self) -> tuple[str, str, str]:
        return self.stamp[0:4], self.stamp[5:7], self.stamp[8:10]


def parse_rollout_name(name: str) -> RolloutName | None:
    match = _NAME_RE.match(name)
    if match is None:
        return None
    thread_id = match.group("id").lower()  # the pattern already checked the UUID's shape
    seg = match.group("seg")
    return RolloutName(thread_id, seg.lower() if seg else None, match.group("ts"),
                       bool(match.group("zst")))


class RolloutFile(NamedTuple):
    path: str
    name: RolloutName
    archived: bool
    size: int
    mtime_ns: int
    inode: int


class ThreadFiles:
    """One thread's files, as the catalog grouped them. (A plain class: a dataclass would
    compile its methods at every start-up.)"""

    __slots__ = ("archived", "files", "problems", "thread_id")

    def __init__(self, thread_id: str, files: list[RolloutFile], archived: bool,
                 problems: list[Problem] | None = None) -> None:
        self.thread_id = thread_id
        self.files = files  # oldest first; the last one is the current file
        self.archived = archived
        self.problems = [] if problems is None else problems

    @property
    def current(self) -> RolloutFile:
        return self.files[-1]


def scan_rollout_files(codex_home: str, archived: bool,
                       thread_id: str | None = None) -> Iterator[RolloutFile]:
    """Every rollout file under `sessions/` (or `archived_sessions/`), stat'ed, in no
    particular order. Never follows directory symlinks; skips what vanishes mid-scan.
    With `thread_id`, only that thread's files: the others are not even stat'ed."""
    root = os.path.join(codex_home, ARCHIVED if archived else SESSIONS)
    yield from _walk(root, archived, depth=0, only=thread_id)


def _walk(directory: str, archived: bool, depth: int,
          only: str | None = None) -> Iterator[RolloutFile]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                # sessions/YYYY/MM/DD: only numeric folders, three levels deep.
                if depth < 3 and entry.name.isdigit():
                    yield from _walk(entry.path, archived, depth + 1, only)
                continue
            if only is not None and only not in entry.name.lower():
                continue
            name = parse_rollout_name(entry.name)
            if name is None or (only is not None and name.thread_id != only):
                continue
            st = entry.stat(follow_symlinks=True)
        except OSError:
            continue  # vanished, a dangling link, or unreadable
        if not _is_regular(st.st_mode):
            continue
        yield RolloutFile(entry.path, name, archived, st.st_size, st.st_mtime_ns, st.st_ino)


def newest_rollout_files(codex_home: str) -> Iterator[RolloutFile]:
    """Rollout files under `sessions/`, newest first by the date folders and the name stamp,
    listing only as many day folders as the caller consumes: the first screen of a cold
    start needs the newest few dozen files, not a walk of 10,000."""
    root = os.path.join(codex_home, SESSIONS)
    yield from _newest(root, depth=0)


def _newest(directory: str, depth: int) -> Iterator[RolloutFile]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    folders: list[os.DirEntry] = []
    files: list[tuple[str, RolloutName, os.DirEntry]] = []
    for entry in entries:
        if depth < 3 and entry.name.isdigit():
            folders.append(entry)
        elif (name := parse_rollout_name(entry.name)) is not None:
            files.append((name.stamp, name, entry))
    files.sort(key=lambda item: (item[0], item[2].name), reverse=True)
    if depth < 3:
        for entry in sorted(folders, key=lambda e: (len(e.name), e.name), reverse=True):
            try:
                if entry.is_dir(follow_symlinks=False):
                    yield from _newest(entry.path, depth + 1)
            except OSError:
                continue
    # Files above the day folders come from very old releases: older than any folder's.
    for _stamp, name, entry in files:
        if (rf := _stat(entry, name)) is not None:
            yield rf


def _stat(entry: os.DirEntry, name: RolloutName) -> RolloutFile | None:
    try:
        st = entry.stat(follow_symlinks=True)
    except OSError:
        return None
    if not _is_regular(st.st_mode):
        return None
    return RolloutFile(entry.path, name, False, st.st_size, st.st_mtime_ns, st.st_ino)


def _is_regular(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)


def user_dir(own: str, xdg: str, fallback: str) -> str:
    """codex-tui's folder of a kind: `$own` when set, else `codex-tui` under `$xdg` (the
    XDG base directory) or under `~/fallback`."""
    explicit = os.environ.get(own)
    if explicit:
        return explicit
    base = os.environ.get(xdg) or os.path.join(os.path.expanduser("~"), fallback)
    return os.path.join(base, "codex-tui")
