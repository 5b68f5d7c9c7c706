"""Notice new and growing sessions without looking at every file (the picker's live rows).

What can change while the picker is open, and what is looked at for it, per poll:
- new sessions: Codex creates them in today's dated folder (`sessions/YYYY/MM/DD`, local
  date; yesterday's too, around midnight). Those folders' mtimes are stat'ed, and listed
  again only when they change.
- archived and unarchived sessions: the mtime of `archived_sessions/` (listed on change).
- growing sessions: the files in those dated folders, the files of threads Codex holds a
  writer lock on (`thread-writer-locks/<id>.lock`: a resumed old session grows in an old
  folder), and files seen growing in the last minute are stat'ed.
- names: the size and mtime of `session_index.jsonl`.

So a poll costs a few stats plus one per session of today and per live session, however
many sessions the home has. Pure Python (no Textual, no Rich).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from .paths import ARCHIVED, SESSIONS, parse_rollout_name

WATCH_SECONDS = 1.0  # the picker's poll interval
HOT_SECONDS = 60.0  # a file that changed this recently is stat'ed on every poll
LOCKS = "thread-writer-locks"
INDEX = "session_index.jsonl"

Stat = tuple[int, int, int]  # size, mtime_ns, inode


@dataclass(slots=True)
class Changes:
    added: list[str] = field(default_factory=list)  # new rollout paths
    changed: list[str] = field(default_factory=list)  # paths whose size or mtime changed
    removed: list[str] = field(default_factory=list)  # paths that are gone
    names: bool = False  # session_index.jsonl changed

    def __bool__(self) -> bool:
        return bool(self.added or self.changed or self.removed or self.names)


class HomeWatcher:
    """Polls the few places of a CODEX_HOME where sessions appear or grow (see above).

    `known` maps the paths already listed to their stats (a listing's result): changes are
    reported relative to it. `locate(thread_id)` gives the current file of a thread (for the
    writer locks); `today` is the local date (injected in tests)."""

    def __init__(self, codex_home: str, known: dict[str, Stat] | None = None, *,
                 locate: Callable[[str], str | None] | None = None,
                 today: Callable[[], datetime] = datetime.now,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.home = codex_home
        self._known: dict[str, Stat] = dict(known or {})
        self._locate = locate
        self._today = today
        self._clock = clock
        self._dirs: dict[str, tuple[int, frozenset[str]]] = {}  # dir -> (mtime_ns, names)
        self._hot: dict[str, float] = {}  # path -> when it last changed
        self._locks: tuple[int, frozenset[str]] | None = None
        self._locked_paths: set[str] = set()
        self._index = _stat_key(os.path.join(codex_home, INDEX))
        # The folders as they are now are the baseline: only later changes are reported.
        for directory in self._watched_dirs():
            self._list_if_changed(directory, Changes(), baseline=True)

    # -- public ----------------------------------------------------------------------------

    def poll(self) -> Changes:
        changes = Changes()
        watched = self._watched_dirs()
        for directory in watched:
            self._list_if_changed(directory, changes)
        self._check_locks()
        now = self._clock()
        candidates = {p for d in watched if d in self._dirs
                      for p in self._paths_in(d)}
        candidates |= self._locked_paths
        candidates |= {p for p, when in self._hot.items() if now - when < HOT_SECONDS}
        for path in candidates:
            if path in changes.added:
                continue
            try:
                st = os.stat(path)
            except OSError:
                if path in self._known:
                    del self._known[path]
                    changes.removed.append(path)
                continue
            key = (st.st_size, st.st_mtime_ns, st.st_ino)
            old = self._known.get(path)
            if old != key:
                self._known[path] = key
                self._hot[path] = now
                (changes.changed if old is not None else changes.added).append(path)
        for path in [p for p, when in self._hot.items() if now - when >= HOT_SECONDS]:
            del self._hot[path]
        index = _stat_key(os.path.join(self.home, INDEX))
        if index != self._index:
            self._index = index
            changes.names = True
        return changes

    # -- internals -------------------------------------------------------------------------

    def _watched_dirs(self) -> list[str]:
        today = self._today()
        dirs = []
        for day in (today, today - timedelta(days=1)):
            dirs.append(os.path.join(self.home, SESSIONS, f"{day:%Y}", f"{day:%m}", f"{day:%d}"))
        dirs.append(os.path.join(self.home, ARCHIVED))
        return dirs

    def _paths_in(self, directory: str) -> list[str]:
        if directory.endswith(ARCHIVED):
            return []  # archived files are not written to; only their coming and going counts
        return [os.path.join(directory, n) for n in self._dirs[directory][1]]

    def _list_if_changed(self, directory: str, changes: Changes, baseline: bool = False) -> None:
        try:
            mtime = os.stat(directory).st_mtime_ns
        except OSError:
            if directory in self._dirs:
                gone = self._dirs.pop(directory)[1]
                self._forget(directory, gone, changes)
            return
        old = self._dirs.get(directory)
        if old is not None and old[0] == mtime:
            return
        try:
            names = frozenset(n for n in os.listdir(directory)
                              if parse_rollout_name(n) is not None)
        except OSError:
            return
        self._dirs[directory] = (mtime, names)
        if baseline:
            return
        before = old[1] if old is not None else frozenset()
        for name in sorted(names - before):
            path = os.path.join(directory, name)
            if path in self._known:
                continue
            try:
                st = os.stat(path)
            except OSError:
                continue
            self._known[path] = (st.st_size, st.st_mtime_ns, st.st_ino)
            self._hot[path] = self._clock()
            changes.added.append(path)
        self._forget(directory, before - names, changes)

    def _forget(self, directory: str, names: frozenset[str], changes: Changes) -> None:
        for name in sorted(names):
            path = os.path.join(directory, name)
            if self._known.pop(path, None) is not None:
                changes.removed.append(path)
            self._hot.pop(path, None)

    def _check_locks(self) -> None:
        directory = os.path.join(self.home, LOCKS)
        try:
            mtime = os.stat(directory).st_mtime_ns
        except OSError:
            self._locks, self._locked_paths = None, set()
            return
        if self._locks is not None and self._locks[0] == mtime:
            return
        try:
            ids = frozenset(n[: -len(".lock")].lower() for n in os.listdir(directory)
                            if n.endswith(".lock") and not n.startswith("."))
        except OSError:
            return
        self._locks = (mtime, ids)
        paths = set()
        if self._locate is not None:
            for thread_id in ids:
                if (path := self._locate(thread_id)) is not None:
                    paths.add(path)
        self._locked_paths = paths


def _stat_key(path: str) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
