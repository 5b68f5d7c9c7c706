"""LocalThreadStore: the sessions as the Codex CLI keeps them under CODEX_HOME."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Collection, Iterator
from functools import partial
from typing import TYPE_CHECKING

import orjson

from ..cache import SummaryCache
from ..errors import CodexHomeMissing, StoreError, ThreadNotFound
from ..model import Problem, ThreadSummary
from ..names import read_names
from ..paths import (
    ARCHIVED,
    SESSIONS,
    ThreadFiles,
    newest_rollout_files,
    parse_rollout_name,
)
from ..query import ThreadQuery, apply_query
from .protocol import (
    EPOCH,
    FIRST_PAGE_BUDGET,
    FULL_ID,
    PROTECT_FORK_SOURCES,
    Keep,
    OneHome,
    ResumeCommand,
    page_matcher,
    resolve_ref,
)

if TYPE_CHECKING:
    from ..history import History
    from ..items import Thread
    from ..live import LiveThread
    from ..tail import Follower
    from ..text_index import IndexSource, TextIndex, TextSearchResult, UpdateStats
    from ..usage import ThreadUsage
    from .codex_writes import CodexWrites
    from .local_watch import LocalStoreWatcher
    from .local_writes import LocalWrites
    from .protocol import UsageListing


class LocalThreadStore(OneHome):
    """Sessions as the Codex CLI keeps them under CODEX_HOME. Read-only unless a write
    method is called; never touches Codex's SQLite files.

    Listing has two steps so that a screen can show rows at once: `scan()` is the cheap pass
    (file system, cached summaries, stubs for the rest) and `complete()` reads the heads of
    the stubs, in the order asked for. `list_threads()` does both."""

    def __init__(self, codex_home: str, cache: SummaryCache | bool | None = True, *,
                 codex_bin: str | None = None, label: str = "this machine") -> None:
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
        # Threads found by id before any scan (`show ID` opens one transcript: listing the
        # whole home first would cost ~0.3 s on 10,000 sessions for nothing).
        self._located: dict[str, tuple[ThreadFiles, ThreadSummary | None]] = {}
        self._history: History | None = None
        self._history_key: tuple[int, int, int] | None = None
        self._text_index: TextIndex | None = None
        self.label = label  # how the UI names this home when it shows several
        # Writes go through `codex_bin app-server` when given (local_writes.py).
        self.codex_bin = codex_bin
        self._writes_obj: LocalWrites | None = None

    @property
    def _writes(self) -> LocalWrites:
        from .local_writes import LocalWrites  # (not imported by a start-up that only reads)

        with self._lock:
            if self._writes_obj is None:
                self._writes_obj = LocalWrites(self, self.codex_bin)
            return self._writes_obj

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
        # The budget counts from here: the head readers' import and the names are part of
        # what the first frame waits for.
        deadline = time.perf_counter() + budget
        names = self._early_names()
        accept = page_matcher(cwd, keep)
        if self._cache is not None:
            rows = self._cache.first(names, orjson.dumps(cwd) if cwd else None, limit,
                                     accept=accept)
            if rows is not None:
                return rows
        # Cold: the newest files' heads, until the page is full or the budget spent. What is
        # read goes to the cache object, so that scan() need not read those heads again.
        from ..catalog import summarize  # (the head readers: not imported on a warm start)
        from ..head import peek_cwd

        in_cwd = ThreadQuery(cwd=cwd or None).in_cwd()
        page: list[ThreadSummary] = []
        for rf in newest_rollout_files(self.codex_home):
            if time.perf_counter() > deadline:
                break
            if cwd and (hint := peek_cwd(rf.path)) is not None and not in_cwd(hint):
                continue  # most likely another directory's: its head can wait for scan()
            tf = ThreadFiles(rf.name.thread_id, [rf], False)
            summary = summarize(tf, names, self._locate)
            if self._cache is not None:
                self._cache.put(tf, summary)
            if accept(summary):
                page.append(summary)
            if len(page) >= limit:
                break
        return page

    def scan(self) -> list[ThreadSummary]:
        """The cheap pass: every thread, from the cache when its files are unchanged, else a
        `pending` stub built from the file system alone."""
        from ..catalog import group_files, stub_summary

        names, problems = read_names(self.codex_home)
        files = group_files(self.codex_home)
        summaries: dict[str, ThreadSummary] = {}
        for tid, tf in files.items():
            cached = self._cache.get(tf) if self._cache else None
            if cached is not None:
                summaries[tid] = cached._replace(name=names.get(tid))
            else:
                summaries[tid] = stub_summary(tf, names)
        with self._lock:
            self._files, self._summaries, self._names = files, summaries, names
            self._located.clear()
            self._names_before_scan = names  # a later cached() (a reload) starts from these
            self._problems = problems
            self._scanned = True
        if self._cache:
            self._cache.prune(set(files))
        return list(summaries.values())

    def complete(self, first: list[str] | None = None) -> Iterator[ThreadSummary]:
        """Read the heads of pending threads, `first` ones first, then newest first; yield
        each finished summary. The cache is saved when the iteration ends."""
        from ..catalog import summarize

        with self._lock:
            pending = {tid for tid, s in self._summaries.items() if s.pending}
            order = sorted(pending, key=lambda tid: self._summaries[tid].created_at or EPOCH,
                           reverse=True)
        if first:
            head = [tid for tid in first if tid in pending]
            first_ones = set(head)
            order = head + [tid for tid in order if tid not in first_ones]
        try:
            for tid in order:
                with self._lock:
                    tf = self._files.get(tid)
                    names = self._names
                if tf is None:
                    continue
                summary = summarize(tf, names, self._locate)
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
            self._located.clear()

    def _load(self) -> tuple[dict[str, ThreadFiles], dict[str, ThreadSummary]]:
        with self._lock:
            if not self._scanned:
                self.scan()
                for _ in self.complete():
                    pass
            return self._files, self._summaries

    def thread_usage(self, cwd: str | None = None) -> list[tuple[ThreadSummary, ThreadUsage]]:
        """Token usage of every thread started in `cwd` (None: anywhere), active and
        archived, of every source (a sub-agent's tokens are spent too): store/usage/."""
        from ..usage import collect

        files, summaries = self._load()
        picked = apply_query(list(summaries.values()), ThreadQuery(cwd=cwd, archived=None))
        return collect(self.codex_home, [(s, files[s.id]) for s in picked if s.id in files])

    def usage_listing(self, cwd: str | None = None) -> UsageListing:
        return self.thread_usage(cwd), []  # (every thread's files are here to be read)

    @property
    def problems(self) -> list[Problem]:
        self._load()
        return list(self._problems)

    # -- ThreadStore -----------------------------------------------------------------------

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]:
        _, summaries = self._load()
        return apply_query(list(summaries.values()), query)

    def resolve(self, ref: str) -> ThreadSummary:
        full_id = ref.strip().lower()
        if not self._scanned and re.match(FULL_ID, full_id) and self._locate(full_id):
            return self.summary(full_id)
        _, summaries = self._load()
        return resolve_ref(ref, list(summaries.values()))

    def _locate(self, thread_id: str) -> ThreadFiles | None:
        """One thread's files without a scan: after a scan, the catalog's; before, from a
        walk of the folders' names that stats only this thread's files."""
        from ..catalog import group_files

        with self._lock:
            if self._scanned:
                return self._files.get(thread_id)
            if thread_id not in self._located:
                tf = group_files(self.codex_home, thread_id).get(thread_id)
                if tf is None:
                    return None
                self._located[thread_id] = (tf, None)
            return self._located[thread_id][0]

    def _thread_files(self, thread_id: str) -> ThreadFiles:
        tf = self._locate(thread_id)
        if tf is None:
            raise ThreadNotFound(f"no session with id {thread_id}")
        return tf

    def summary(self, thread_id: str) -> ThreadSummary:
        """One thread's complete summary (its head is read now if `scan()` left it pending)."""
        from ..catalog import summarize

        tf = self._thread_files(thread_id)
        with self._lock:
            if not self._scanned:
                entry = self._located.get(thread_id)  # (a refresh() may have cleared it)
                summary = entry[1] if entry is not None else None
                if summary is None:
                    summary = summarize(tf, self._early_names(), self._locate)
                    self._located[thread_id] = (tf, summary)
                return summary
            summary = self._summaries[thread_id]
            if summary.pending:
                summary = summarize(tf, self._names, self._locate)
                self._summaries[thread_id] = summary
                if self._cache:
                    self._cache.put(tf, summary)
            return summary

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        from ..reader import read_thread  # not needed to list: keep startup light

        summary = self.summary(thread_id)
        # Forks name their parents by id: found the same way as this thread.
        return read_thread(self._thread_files(thread_id), summary, self._locate, max_bytes)

    # -- prompt history and transcript text ------------------------------------------------

    def history(self) -> History:
        from ..history import history_key, read_history

        key = history_key(self.codex_home)
        with self._lock:
            if key is not None and self._history is not None and self._history_key == key:
                return self._history
        history = read_history(self.codex_home)
        with self._lock:
            self._history, self._history_key = history, key
        return history

    def text_index(self) -> TextIndex:
        """The transcript text index of this home, in the cache directory (in memory when
        the store was made without a cache)."""
        from ..text_index import TextIndex, index_path

        with self._lock:
            if self._text_index is None:
                path = index_path(self.codex_home) if self._cache is not None else None
                self._text_index = TextIndex(path)
            return self._text_index

    def index_sources(self) -> list[IndexSource]:
        from ..text_index import IndexSource

        with self._lock:
            if not self._scanned:
                self.scan()
            files = dict(self._files)
        return [IndexSource(tid, _files_key(tf), partial(self.read_thread, tid))
                for tid, tf in files.items()]

    def update_text_index(self, progress: Callable[[int, int], None] | None = None,
                          cancelled: Callable[[], bool] | None = None) -> UpdateStats:
        return self.text_index().update(self.index_sources(), progress, cancelled)

    def search_text(self, query: str, limit: int = 200, update: bool = True,
                    threads: Collection[str] | None = None) -> TextSearchResult:
        if update:
            self.update_text_index()
        return self.text_index().search(query, limit, threads)

    # -- following -------------------------------------------------------------------------

    def follow(self, thread_id: str, last: int | None = None) -> Follower:
        from ..tail import Follower, complete_end, last_lines_start

        current = self._thread_files(thread_id).current
        path = current.path
        if current.name.compressed:
            # Codex writes the plain .jsonl beside it before appending: follow that.
            path = path[: -len(".zst")]
        offset = lines = 0
        if last is not None and os.path.exists(path):
            try:
                offset, lines = complete_end(path) if last == 0 else \
                    last_lines_start(path, last)
            except OSError:
                offset = lines = 0
        return Follower(path, offset, lines, relocate=partial(self._relocate, path))

    def read_live(self, thread_id: str, known: Thread | None = None) -> LiveThread:
        # `known` has no records, and following needs them (to rebuild the last turn as
        # it grows): the files are read again (the screen passes it for small ones only).
        from ..live import LiveThread
        from ..reader import read_thread_records
        from ..tail import Follower

        summary = self.summary(thread_id)
        tf = self._thread_files(thread_id)
        # Parents found by id, as read_thread finds them (no scan needed).
        records, problems, base_id, offset, lines = read_thread_records(tf, summary,
                                                                        self._locate)
        path = tf.current.path
        if tf.current.name.compressed:
            path, offset, lines = path[: -len(".zst")], 0, 0  # Codex appends to the plain file
        follower = Follower(path, offset, lines, relocate=partial(self._relocate, path))
        return LiveThread(summary, records, problems, base_id, follower,
                          reload=partial(self._reload_live, thread_id))

    def watch(self) -> LocalStoreWatcher:
        from ..watch import HomeWatcher
        from .local_watch import LocalStoreWatcher

        with self._lock:
            if not self._scanned:
                self.scan()
            known = {rf.path: (rf.size, rf.mtime_ns, rf.inode)
                     for tf in self._files.values() for rf in tf.files}
        return LocalStoreWatcher(self, HomeWatcher(self.codex_home, known,
                                                   locate=self._current_path))

    def _current_path(self, thread_id: str) -> str | None:
        tf = self._locate(thread_id)
        return tf.current.path if tf is not None else None

    def _reload_live(self, thread_id: str) -> LiveThread:
        """The file was replaced or rewritten: list the thread's files again, read it anew."""
        self.scan()
        return self.read_live(thread_id)

    def _places(self, path: str) -> list[str]:
        """Where a rollout file may be: archived_sessions/ and its dated folder (by the
        date in its name), or its old place (a file above the dated folders)."""
        base = os.path.basename(path)
        name = parse_rollout_name(base)
        places = [os.path.join(self.codex_home, ARCHIVED, base)]
        if name is not None:
            places.append(os.path.join(self.codex_home, SESSIONS, *name.date_parts, base))
        if path not in places:
            places.append(path)
        return places

    def _relocate(self, path: str) -> str | None:
        """Where a rollout went when it left `path`: Codex archives (and unarchives) a
        session by renaming its file between sessions/Y/M/D/ and archived_sessions/."""
        for candidate in self._places(path):
            if candidate != path and os.path.exists(candidate):
                return candidate
        return None

    # -- writes (local_writes.py: through Codex when it is there, else the files) ---------

    def last_write_via(self) -> str | None:
        return self._writes_obj.via if self._writes_obj is not None else None

    def close(self) -> None:
        if self._writes_obj is not None:
            self._writes_obj.close()

    def unarchive(self, thread_id: str) -> ThreadSummary:
        """Move every file of an archived thread back to `sessions/YYYY/MM/DD/` (the date in
        its file name), each with one atomic rename, as Codex does (store/manage.py)."""
        from ..manage import unarchive_thread

        summary = self.summary(thread_id)  # a clear error for an unknown id
        if not summary.archived:
            raise StoreError(f"session {thread_id} is not archived")
        self._writes.run(summary, lambda codex: codex.unarchive(thread_id),
                         lambda: unarchive_thread(self.codex_home, thread_id))
        self._moved(thread_id)
        return self.summary(thread_id)  # read now: the moved file is not in the cache

    def archive(self, thread_id: str) -> ThreadSummary:
        """Move every file of the thread into `archived_sessions/` (store/manage.py)."""
        from ..manage import archive_thread

        summary = self.summary(thread_id)
        if summary.archived:
            raise StoreError(f"session {thread_id} is already archived")
        self._writes.run(summary, lambda codex: codex.archive(thread_id),
                         lambda: archive_thread(self.codex_home, thread_id))
        self._moved(thread_id)
        return self.summary(thread_id)

    def _moved(self, thread_id: str) -> None:
        """The thread's files moved: the catalog (after a scan) or the located entry
        (before one) must not point at the old paths. Only this thread's files are looked
        up again (a bulk archive of 1,000 sessions must not list the home 1,000 times)."""
        from ..catalog import group_files, regroup, summarize

        with self._lock:
            self._located.pop(thread_id, None)
            if not self._scanned:
                return
            names = self._names
            known = self._files.get(thread_id)
        # Where the known files went (each name in archived_sessions/ or its dated folder,
        # as the watcher relocates them): a few stats. A file the listing never knew is
        # found by the watcher, as any file added after the scan.
        tf = None
        if known is not None:
            tf = regroup(self.codex_home, [p for rf in known.files
                                           for p in self._places(rf.path)]).get(thread_id)
        if tf is None:
            tf = group_files(self.codex_home, thread_id).get(thread_id)
        summary = summarize(tf, names, self._locate) if tf is not None else None
        with self._lock:
            if tf is None or summary is None:
                self._files = {k: v for k, v in self._files.items() if k != thread_id}
                self._summaries = {k: v for k, v in self._summaries.items() if k != thread_id}
            else:
                self._files = {**self._files, thread_id: tf}
                self._summaries = {**self._summaries, thread_id: summary}
        if self._cache and tf is not None and summary is not None:
            self._cache.put(tf, summary)

    def set_name(self, thread_id: str, name: str) -> tuple[ThreadSummary, list[str]]:
        """Name the thread: Codex's thread/name/set, or one line appended to
        `session_index.jsonl` under Codex's lock (store/manage.py)."""
        from ..manage import check_name, set_thread_name

        summary = self.summary(thread_id)

        def by_codex(codex: CodexWrites) -> tuple[str, list[str]]:
            stored, warnings, unchanged = check_name(self.codex_home, thread_id, name)
            if not unchanged:
                codex.set_name(thread_id, stored)
            return stored, warnings

        stored, warnings = self._writes.run(
            summary, by_codex, lambda: set_thread_name(self.codex_home, thread_id, name))
        self._named(thread_id, stored)
        return self.summary(thread_id), warnings

    def _named(self, thread_id: str, stored: str) -> None:
        with self._lock:
            self._located.pop(thread_id, None)
            self._names = {**self._names, thread_id: stored}
            if self._names_before_scan is not None:
                self._names_before_scan = {**self._names_before_scan, thread_id: stored}
            summary = self._summaries.get(thread_id)
            if summary is not None:
                summary = summary._replace(name=stored)
                self._summaries = {**self._summaries, thread_id: summary}

    def name_warnings(self, thread_id: str, name: str) -> list[str]:
        from ..manage import name_warnings

        with self._lock:
            names = self._names if self._scanned else (self._names_before_scan or {})
            live = set(self._files) if self._scanned else None
        return name_warnings(names, thread_id, name, live)

    def write_refusals(self, thread_ids: Collection[str], action: str) -> dict[str, str]:
        """Codex holds the writer lock (atomic.py), or forks' histories start from the
        thread (manage.py: one pass over the home for all of them)."""
        from ..atomic import writer_lock_held
        from ..manage import fork_reference_refusal, fork_references

        refused: dict[str, str] = {}
        forks = fork_references(self.codex_home) if action in PROTECT_FORK_SOURCES else {}
        for tid in thread_ids:
            held = writer_lock_held(self.codex_home, tid)
            if held is not None:
                refused[tid] = held
            elif users := forks.get(tid):
                refused[tid] = fork_reference_refusal(tid, users, action)
        return refused

    def storage_files(self) -> dict[str, int]:
        from ..codex_index import state_db_path
        from ..storage import home_files

        return home_files(self.codex_home, os.path.dirname(state_db_path(self.codex_home)))

    def codex_index_note(self, thread_id: str) -> str | None:
        from ..manage import index_note

        if self._writes_obj is not None and self._writes_obj.by_codex:
            return None  # Codex made the change itself: its index agrees
        return index_note(self.codex_home, thread_id)

    def delete(self, thread_id: str) -> None:
        """Remove every file of the thread and its names (Codex's thread/delete, or
        store/manage.py)."""
        from ..manage import delete_thread

        summary = self.summary(thread_id)
        self._writes.run(summary, lambda codex: codex.delete(thread_id),
                         lambda: delete_thread(self.codex_home, thread_id))
        with self._lock:
            self._located.pop(thread_id, None)
            self._files = {k: v for k, v in self._files.items() if k != thread_id}
            self._summaries = {k: v for k, v in self._summaries.items() if k != thread_id}
            self._names = {k: v for k, v in self._names.items() if k != thread_id}
            if self._names_before_scan is not None:
                self._names_before_scan = {k: v for k, v in self._names_before_scan.items()
                                           if k != thread_id}
        if self._cache:
            self._cache.prune(set(self._files))
            self._cache.save()

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        """Fork at a turn: Codex's thread/fork, or a file written the way Codex would
        (store/fork.py). The new thread is added to the catalog at once, without a rescan."""
        from ..catalog import summarize
        from ..fork import add_name, plan_fork, write_fork
        from .local_writes import added_files

        tf = self._thread_files(thread_id)
        source = self.summary(thread_id)
        plan = plan_fork(tf, self._locate, keep_turns, source.format)  # parents found by id
        lock = os.path.join(self.codex_home, "thread-writer-locks", f"{thread_id}.lock")
        if plan.turn_open and os.path.exists(lock):
            raise StoreError(f"cannot fork at turn {keep_turns}: it is still running in Codex; "
                             "fork at an earlier turn or wait until it has finished")
        new_name = source.name if name is None else name.strip()

        def by_codex(codex: CodexWrites) -> tuple[str, str]:
            from .codex_writes import NOT_CANONICAL, CodexRefused

            last = None if plan.whole else plan.last_turn_id
            if not plan.whole and not last:
                raise CodexRefused(f"turn {keep_turns} has no id: {NOT_CANONICAL}")
            created = codex.fork(thread_id, last, new_name or None)
            new_id, path = str(created.get("id") or "").lower(), created.get("path")
            if not new_id or not isinstance(path, str):
                raise StoreError("Codex forked the session but did not say where")
            return new_id, path

        def by_files() -> tuple[str, str]:
            result = write_fork(self.codex_home, plan)
            if new_name:
                add_name(self.codex_home, result.thread_id, new_name)
            return result.thread_id, result.path

        new_id, path = self._writes.run(source, by_codex, by_files)
        new_files = added_files(self.codex_home, path, new_id)
        with self._lock:
            if new_name:
                self._names = {**self._names, new_id: new_name}
                if self._names_before_scan is not None:
                    self._names_before_scan = {**self._names_before_scan, new_id: new_name}
            summary = summarize(new_files, self._names if self._scanned else
                                self._early_names(), self._locate)
            self._files = {**self._files, new_id: new_files}
            self._summaries = {**self._summaries, new_id: summary}
        if self._cache:
            self._cache.put(new_files, summary)
        return summary

    # -- resuming --------------------------------------------------------------------------

    def resume_command(self, thread_id: str, cwd: str | None,
                       codex_bin: Callable[[], str]) -> ResumeCommand:
        """`codex resume ID` in the session's directory (when it still exists), pointed at
        this home."""
        argv = [codex_bin(), "resume", thread_id]
        env = {"CODEX_HOME": os.path.abspath(self.codex_home)}
        if cwd and os.path.isdir(cwd):
            return ResumeCommand(argv, env, cwd, None)
        note = f"the session's directory {cwd} no longer exists" if cwd else None
        return ResumeCommand(argv, env, None, note)


def _files_key(tf: ThreadFiles) -> str:
    """Changes whenever one of the thread's files does (path, size, mtime or inode)."""
    return orjson.dumps([[rf.path, rf.size, rf.mtime_ns, rf.inode] for rf in tf.files]).decode()
