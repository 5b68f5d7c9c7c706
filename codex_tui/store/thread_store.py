"""The ThreadStore adapter: the only way screens and the CLI reach session data."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Protocol

import orjson

from .cache import SummaryCache
from .errors import AmbiguousThread, CodexHomeMissing, StoreError, ThreadNotFound
from .model import Problem, Thread, ThreadSummary
from .names import read_names
from .paths import SESSIONS, RolloutFile, ThreadFiles, newest_rollout_files, parse_rollout_name
from .query import ThreadQuery, apply_query, cwd_matcher, normalize_path

_EPOCH = datetime.fromtimestamp(0, UTC)
_ID_PREFIX_RE = re.compile(r"^[0-9a-fA-F-]{4,36}$")
FIRST_PAGE_BUDGET = 0.015  # seconds of head reading a cold start may spend before its first frame


Keep = Callable[[ThreadSummary], bool]


class ThreadStore(Protocol):
    def first_page(self, cwd: str | None, limit: int, keep: Keep | None = None,
                   budget: float = FIRST_PAGE_BUDGET) -> list[ThreadSummary]:
        """A first screen of rows (newest first, recorded in `cwd` unless None, accepted by
        `keep`), quickly enough to be drawn in the first frame: at most `budget` seconds of
        reading. Possibly stale or incomplete: `scan()` says what is really there."""
        ...

    def cached(self, cwd: str | None = None) -> Iterator[list[ThreadSummary]]:
        """Possibly stale summaries from a cache, available before `scan()`, in batches
        (those of `cwd`, or the newest, first); may yield nothing."""
        ...

    def scan(self) -> list[ThreadSummary]:
        """Every thread, active and archived, as cheaply as possible: some may be `pending`
        (file system facts only) until `complete()` has read them."""
        ...

    def complete(self, first: list[str] | None = None) -> Iterator[ThreadSummary]:
        """Finish the pending summaries from `scan()`, `first` ones first."""
        ...

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]: ...

    def summary(self, thread_id: str) -> ThreadSummary:
        """One thread's complete summary."""
        ...

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        """The thread's turns; `max_bytes` reads only the start of each file."""
        ...

    def resolve(self, ref: str) -> ThreadSummary:
        """A thread by full id, unique id prefix, or thread name."""
        ...

    def unarchive(self, thread_id: str) -> ThreadSummary:
        """Move an archived thread back among the active ones, as Codex does."""
        ...

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        """Write a new session holding turns 1..keep_turns of `thread_id` and return it.
        `name` None inherits the source's name (as Codex does); "" gives no name."""
        ...

    @property
    def problems(self) -> list[Problem]:
        """Problems with the home itself (an unreadable session index, ...)."""
        ...


def _in_page(s: ThreadSummary, spellings: set[str] | None, keep: Keep | None) -> bool:
    if s.archived or (keep is not None and not keep(s)):
        return False
    return spellings is None or (s.cwd is not None and normalize_path(s.cwd) in spellings)


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
    method is called; never touches Codex's SQLite files.

    Listing has two steps so that a screen can show rows at once: `scan()` is the cheap pass
    (file system, cached summaries, stubs for the rest) and `complete()` reads the heads of
    the stubs, in the order asked for. `list_threads()` does both."""

    def __init__(self, codex_home: str, cache: SummaryCache | bool | None = True) -> None:
        home = os.path.expanduser(codex_home)
        if not os.path.isdir(home):
            raise CodexHomeMissing(
                f"Codex home not found: {home} (set CODEX_HOME or pass --codex-home)")
        self.codex_home = home
        if cache is True:
            cache = SummaryCache(home)
        self._cache: SummaryCache | None = cache or None
        self._lock = threading.RLock()
        self._files: dict[str, ThreadFiles] = {}
        self._summaries: dict[str, ThreadSummary] = {}
        self._names: dict[str, str] = {}
        self._names_before_scan: dict[str, str] | None = None
        self._problems: list[Problem] = []
        self._scanned = False

    # -- catalog ---------------------------------------------------------------------------

    def cached(self, cwd: str | None = None) -> Iterator[list[ThreadSummary]]:
        """Summaries as the cache last saw them, before the file system is looked at: rows a
        screen can show at once (`scan()` then says what is really there). Batches: those
        recorded for `cwd` (or the newest when None) first, then the others."""
        if self._cache is None:
            return
        names = self._early_names()
        needle = orjson.dumps(cwd) if cwd else None
        yield from self._cache.snapshot(names, needle)

    def _early_names(self) -> dict[str, str]:
        """Thread names for the rows shown before `scan()`: read once for first_page() and
        cached() (scan() reads them again, as the truth)."""
        if self._names_before_scan is None:
            self._names_before_scan, _ = read_names(self.codex_home)
        return self._names_before_scan

    def first_page(self, cwd: str | None, limit: int, keep: Keep | None = None,
                   budget: float = FIRST_PAGE_BUDGET) -> list[ThreadSummary]:
        names = self._early_names()
        spellings = cwd_matcher(cwd) if cwd else None
        if self._cache is not None:
            rows = self._cache.first(names, orjson.dumps(cwd) if cwd else None, limit * 2)
            if rows is not None:
                return [s for s in rows if _in_page(s, spellings, keep)][:limit]
        # Cold: the newest files' heads, until the page is full or the budget spent. What is
        # read goes to the cache object, so that scan() need not read those heads again.
        from .catalog import summarize  # (the head readers: not imported on a warm start)
        from .head import peek_cwd

        deadline = time.perf_counter() + budget
        page: list[ThreadSummary] = []
        for rf in newest_rollout_files(self.codex_home):
            if time.perf_counter() > deadline:
                break
            if spellings is not None and (hint := peek_cwd(rf.path)) is not None \
                    and normalize_path(hint) not in spellings:
                continue  # most likely another directory's: its head can wait for scan()
            tf = ThreadFiles(rf.name.thread_id, [rf], False)
            summary = summarize(tf, names)
            if self._cache is not None:
                self._cache.put(tf, summary)
            if _in_page(summary, spellings, keep):
                page.append(summary)
            if len(page) >= limit:
                break
        return page

    def scan(self) -> list[ThreadSummary]:
        """The cheap pass: every thread, from the cache when its files are unchanged, else a
        `pending` stub built from the file system alone."""
        from .catalog import group_files, stub_summary

        names, problems = read_names(self.codex_home)
        files = group_files(self.codex_home)
        summaries: dict[str, ThreadSummary] = {}
        for tid, tf in files.items():
            cached = self._cache.get(tf) if self._cache else None
            if cached is not None:
                cached.name = names.get(tid)
                summaries[tid] = cached
            else:
                summaries[tid] = stub_summary(tf, names)
        with self._lock:
            self._files, self._summaries, self._names = files, summaries, names
            self._names_before_scan = names  # a later cached() (a reload) starts from these
            self._problems = problems
            self._scanned = True
        if self._cache:
            self._cache.prune(set(files))
        return list(summaries.values())

    def complete(self, first: list[str] | None = None) -> Iterator[ThreadSummary]:
        """Read the heads of pending threads, `first` ones first, then newest first; yield
        each finished summary. The cache is saved when the iteration ends."""
        from .catalog import summarize

        with self._lock:
            pending = {tid for tid, s in self._summaries.items() if s.pending}
            order = sorted(pending, key=lambda tid: self._summaries[tid].created_at or _EPOCH,
                           reverse=True)
        if first:
            head = [tid for tid in first if tid in pending]
            order = head + [tid for tid in order if tid not in set(head)]
        try:
            for tid in order:
                with self._lock:
                    tf = self._files.get(tid)
                    names = self._names
                if tf is None:
                    continue
                summary = summarize(tf, names)
                with self._lock:
                    self._summaries[tid] = summary
                if self._cache:
                    self._cache.put(tf, summary)
                yield summary
        finally:
            if self._cache:
                self._cache.save()

    def refresh(self) -> None:
        with self._lock:
            self._scanned = False

    def _load(self) -> tuple[dict[str, ThreadFiles], dict[str, ThreadSummary]]:
        with self._lock:
            if not self._scanned:
                self.scan()
                for _ in self.complete():
                    pass
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

    def _thread_files(self, thread_id: str) -> ThreadFiles:
        with self._lock:
            if not self._scanned:
                self.scan()
            tf = self._files.get(thread_id)
        if tf is None:
            raise ThreadNotFound(f"no session with id {thread_id}")
        return tf

    def summary(self, thread_id: str) -> ThreadSummary:
        """One thread's complete summary (its head is read now if `scan()` left it pending)."""
        from .catalog import summarize

        tf = self._thread_files(thread_id)
        with self._lock:
            summary = self._summaries[thread_id]
            if summary.pending:
                summary = summarize(tf, self._names)
                self._summaries[thread_id] = summary
                if self._cache:
                    self._cache.put(tf, summary)
            return summary

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        from .reader import read_thread  # not needed to list: keep startup light

        summary = self.summary(thread_id)
        with self._lock:
            files = self._files
        return read_thread(files[thread_id], summary, files.get, max_bytes)

    # -- writes ----------------------------------------------------------------------------

    def unarchive(self, thread_id: str) -> ThreadSummary:
        """Move every file of an archived thread back to `sessions/YYYY/MM/DD/` (the date in
        its file name), each with one atomic rename, as Codex does."""
        tf = self._thread_files(thread_id)
        if not tf.archived:
            raise StoreError(f"session {thread_id} is not archived")
        lock = os.path.join(self.codex_home, "thread-writer-locks", f"{thread_id}.lock")
        if os.path.exists(lock):
            raise StoreError(f"session {thread_id} is open in Codex; close it there first")
        moves = []
        for rf in tf.files:
            year, month, day = rf.name.date_parts
            directory = os.path.join(self.codex_home, SESSIONS, year, month, day)
            dest = os.path.join(directory, os.path.basename(rf.path))
            if os.path.exists(dest):
                raise StoreError(f"cannot unarchive: {dest} already exists")
            moves.append((rf.path, directory, dest))
        try:
            for src, directory, dest in moves:
                os.makedirs(directory, exist_ok=True)
                os.rename(src, dest)
                _fsync_dir(directory)
            _fsync_dir(os.path.dirname(moves[0][0]))
        except OSError as exc:
            raise StoreError(f"cannot unarchive {thread_id}: {exc.strerror or exc}") from exc
        self.scan()
        return self.summary(thread_id)  # read now: the moved file is not in the cache

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        """Fork at a turn (store/fork.py writes the file the way Codex would). The new
        thread is added to the catalog at once, without a rescan."""
        from .catalog import summarize
        from .fork import add_name, plan_fork, write_fork

        tf = self._thread_files(thread_id)
        source = self.summary(thread_id)
        with self._lock:
            files = self._files
        plan = plan_fork(tf, files.get, keep_turns, source.format)
        lock = os.path.join(self.codex_home, "thread-writer-locks", f"{thread_id}.lock")
        if plan.turn_open and os.path.exists(lock):
            raise StoreError(f"cannot fork at turn {keep_turns}: it is still running in Codex; "
                             "fork at an earlier turn or wait until it has finished")
        result = write_fork(self.codex_home, plan)
        new_name = source.name if name is None else name.strip()
        if new_name:
            add_name(self.codex_home, result.thread_id, new_name)
        st = os.stat(result.path)
        rollout_name = parse_rollout_name(os.path.basename(result.path))
        assert rollout_name is not None
        rf = RolloutFile(result.path, rollout_name, False, st.st_size, st.st_mtime_ns,
                         st.st_ino)
        new_files = ThreadFiles(result.thread_id, [rf], False)
        with self._lock:
            if new_name:
                self._names = {**self._names, result.thread_id: new_name}
                if self._names_before_scan is not None:
                    self._names_before_scan = {**self._names_before_scan,
                                               result.thread_id: new_name}
            summary = summarize(new_files, self._names)
            self._files = {**self._files, result.thread_id: new_files}
            self._summaries = {**self._summaries, result.thread_id: summary}
        if self._cache:
            self._cache.put(new_files, summary)
        return summary


def _fsync_dir(path: str) -> None:
    """Make a rename durable."""
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


class InMemoryThreadStore:
    """A store over ready-made threads, for tests and snapshots."""

    def __init__(self, threads: list[Thread], problems: list[Problem] | None = None) -> None:
        self._threads = {t.summary.id: t for t in threads}
        self._problems = list(problems or [])

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    def first_page(self, cwd: str | None, limit: int, keep: Keep | None = None,
                   budget: float = FIRST_PAGE_BUDGET) -> list[ThreadSummary]:
        return []  # everything arrives at once from scan()

    def cached(self, cwd: str | None = None) -> Iterator[list[ThreadSummary]]:
        return iter(())

    def scan(self) -> list[ThreadSummary]:
        return [t.summary for t in self._threads.values()]

    def complete(self, first: list[str] | None = None) -> Iterator[ThreadSummary]:
        return iter(())

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]:
        return apply_query(self.scan(), query)

    def resolve(self, ref: str) -> ThreadSummary:
        return resolve_ref(ref, self.scan())

    def summary(self, thread_id: str) -> ThreadSummary:
        return self.read_thread(thread_id).summary

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        try:
            return self._threads[thread_id]
        except KeyError:
            raise ThreadNotFound(f"no session with id {thread_id}") from None

    def unarchive(self, thread_id: str) -> ThreadSummary:
        summary = self.read_thread(thread_id).summary
        if not summary.archived:
            raise StoreError(f"session {thread_id} is not archived")
        summary.archived = False
        return summary

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        import dataclasses

        from .fork import uuid7

        source = self.read_thread(thread_id)
        total = len(source.turns)
        if isinstance(keep_turns, bool) or keep_turns < 1 or keep_turns > total:
            raise StoreError(f"cannot fork at turn {keep_turns}: session {thread_id} has "
                             f"{total} turn{'s' if total != 1 else ''}")
        new_id = uuid7()
        new_name = source.summary.name if name is None else (name.strip() or None)
        summary = dataclasses.replace(
            source.summary, id=new_id, path=f"memory://{new_id}", name=new_name,
            forked_from_id=thread_id, archived=False, segments=(), problems=())
        turns = [dataclasses.replace(t, inherited=True) for t in source.turns[:keep_turns]]
        self._threads[new_id] = Thread(summary, turns, [], inherited_from=thread_id)
        return summary
