"""The ThreadStore adapter: the only way screens and the CLI reach session data."""

from __future__ import annotations

import os
import re
import threading
from typing import Protocol

from .catalog import ThreadFiles, group_files, summarize
from .errors import AmbiguousThread, CodexHomeMissing, ThreadNotFound
from .model import Problem, Thread, ThreadSummary
from .names import read_names
from .query import ThreadQuery, apply_query
from .reader import read_thread

_ID_PREFIX_RE = re.compile(r"^[0-9a-fA-F-]{4,36}$")


class ThreadStore(Protocol):
    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]: ...

    def read_thread(self, thread_id: str) -> Thread: ...

    def resolve(self, ref: str) -> ThreadSummary:
        """A thread by full id, unique id prefix, or thread name."""
        ...

    @property
    def problems(self) -> list[Problem]:
        """Problems with the home itself (an unreadable session index, ...)."""
        ...


def resolve_ref(ref: str, summaries: list[ThreadSummary]) -> ThreadSummary:
    """Shared id / prefix / name resolution, with clear errors."""
    ref = ref.strip()
    if not ref:
        raise ThreadNotFound("no session id or name given")
    low = ref.lower()
    by_id = [s for s in summaries if s.id == low]
    if by_id:
        return by_id[0]
    matches: dict[str, ThreadSummary] = {}
    if _ID_PREFIX_RE.match(ref):
        for s in summaries:
            if s.id.startswith(low):
                matches[s.id] = s
    for s in summaries:
        if s.name == ref:
            matches[s.id] = s
    if not matches:
        for s in summaries:
            if s.name and s.name.lower() == low:
                matches[s.id] = s
    if len(matches) == 1:
        return next(iter(matches.values()))
    if not matches:
        raise ThreadNotFound(f"no session matches {ref!r} (by id, id prefix or name)")
    ids = sorted(matches)
    listed = "\n".join(f"  {i}  {matches[i].title or ''}" for i in ids[:20])
    more = f"\n  ... and {len(ids) - 20} more" if len(ids) > 20 else ""
    raise AmbiguousThread(f"{ref!r} matches {len(ids)} sessions:\n{listed}{more}", ids)


class LocalThreadStore:
    """Sessions as the Codex CLI keeps them under CODEX_HOME. Read-only unless a write
    method is called; never touches Codex's SQLite files."""

    def __init__(self, codex_home: str) -> None:
        home = os.path.expanduser(codex_home)
        if not os.path.isdir(home):
            raise CodexHomeMissing(
                f"Codex home not found: {home} (set CODEX_HOME or pass --codex-home)")
        self.codex_home = home
        self._lock = threading.Lock()
        self._files: dict[str, ThreadFiles] | None = None
        self._summaries: dict[str, ThreadSummary] | None = None
        self._problems: list[Problem] = []

    # -- catalog ---------------------------------------------------------------------------

    def refresh(self) -> None:
        with self._lock:
            self._files = None
            self._summaries = None

    def _load(self) -> tuple[dict[str, ThreadFiles], dict[str, ThreadSummary]]:
        with self._lock:
            if self._files is None or self._summaries is None:
                names, problems = read_names(self.codex_home)
                files = group_files(self.codex_home)
                self._summaries = {tid: summarize(tf, names) for tid, tf in files.items()}
                self._files = files
                self._problems = problems
            return self._files, self._summaries

    @property
    def problems(self) -> list[Problem]:
        self._load()
        return list(self._problems)

    # -- ThreadStore -----------------------------------------------------------------------

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]:
        _, summaries = self._load()
        return apply_query(list(summaries.values()), query)

    def resolve(self, ref: str) -> ThreadSummary:
        _, summaries = self._load()
        return resolve_ref(ref, list(summaries.values()))

    def read_thread(self, thread_id: str) -> Thread:
        files, summaries = self._load()
        tf = files.get(thread_id)
        if tf is None:
            raise ThreadNotFound(f"no session with id {thread_id}")
        return read_thread(tf, summaries[thread_id], files.get)


class InMemoryThreadStore:
    """A store over ready-made threads, for tests and snapshots."""

    def __init__(self, threads: list[Thread], problems: list[Problem] | None = None) -> None:
        self._threads = {t.summary.id: t for t in threads}
        self._problems = list(problems or [])

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]:
        return apply_query([t.summary for t in self._threads.values()], query)

    def resolve(self, ref: str) -> ThreadSummary:
        return resolve_ref(ref, [t.summary for t in self._threads.values()])

    def read_thread(self, thread_id: str) -> Thread:
        try:
            return self._threads[thread_id]
        except KeyError:
            raise ThreadNotFound(f"no session with id {thread_id}") from None
