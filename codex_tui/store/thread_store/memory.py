"""InMemoryThreadStore: ready-made threads, for tests and snapshots."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Collection, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from ..errors import StoreError, ThreadNotFound
from ..model import Problem, ThreadSummary
from ..query import ThreadQuery, apply_query
from .protocol import (
    FIRST_PAGE_BUDGET,
    PROTECT_FORK_SOURCES,
    Keep,
    OneHome,
    ResumeCommand,
    WatchUpdate,
    resolve_ref,
)

if TYPE_CHECKING:
    from ..history import History
    from ..items import Thread
    from ..live import LiveThread
    from ..rollout import Record
    from ..tail import TailBatch
    from ..text_index import Loader, TextIndex, TextSearchResult, UpdateStats


class InMemoryThreadStore(OneHome):
    """A store over ready-made threads, for tests and snapshots."""

    def __init__(self, threads: list[Thread], problems: list[Problem] | None = None,
                 history: History | None = None, *, label: str = "this machine",
                 fail: str | None = None, via: str | None = None) -> None:
        self.label = label
        self.via = via  # what last_write_via() says (as a real store would)
        self.fail = fail  # a message: every listing raises it (a home that is down)
        self.open_in_codex: set[str] = set()  # threads whose writer lock Codex holds
        self.files: dict[str, int] = {}  # what storage_files() says
        self._threads = {t.summary.id: t for t in threads}
        self._problems = list(problems or [])
        self._history = history
        self._text_index: TextIndex | None = None
        self._followers: dict[str, list[InMemoryFollower]] = {}
        self._watchers: list[InMemoryWatcher] = []
        self._follow_lock = threading.Lock()

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    def last_write_via(self) -> str | None:
        return self.via

    def close(self) -> None:
        pass

    def resume_command(self, thread_id: str, cwd: str | None,
                       codex_bin: Callable[[], str]) -> ResumeCommand:
        return ResumeCommand([codex_bin(), "resume", thread_id], {}, cwd, None)

    def first_page(self, cwd: str | None, limit: int, keep: Keep | None = None,
                   budget: float = FIRST_PAGE_BUDGET) -> list[ThreadSummary]:
        return []  # everything arrives at once from scan()

    def cached(self, cwd: str | None = None) -> Iterator[list[ThreadSummary]]:
        return iter(())

    def scan(self) -> list[ThreadSummary]:
        if self.fail:
            raise StoreError(self.fail)
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
        return self._get(thread_id)

    def _get(self, thread_id: str) -> Thread:
        try:
            return self._threads[thread_id]
        except KeyError:
            raise ThreadNotFound(f"no session with id {thread_id}") from None

    def unarchive(self, thread_id: str) -> ThreadSummary:
        summary = self.read_thread(thread_id).summary
        if not summary.archived:
            raise StoreError(f"session {thread_id} is not archived")
        return self._replace(thread_id, archived=False)

    def archive(self, thread_id: str) -> ThreadSummary:
        summary = self.read_thread(thread_id).summary
        if summary.archived:
            raise StoreError(f"session {thread_id} is already archived")
        return self._replace(thread_id, archived=True)

    def set_name(self, thread_id: str, name: str) -> tuple[ThreadSummary, list[str]]:
        from ..manage import normalize_name

        self.read_thread(thread_id)
        stored = normalize_name(name)
        warnings = self.name_warnings(thread_id, stored)
        return self._replace(thread_id, name=stored), warnings

    def name_warnings(self, thread_id: str, name: str) -> list[str]:
        from ..manage import name_warnings

        names = {t.summary.id: t.summary.name for t in self._threads.values() if t.summary.name}
        return name_warnings(names, thread_id, name)

    def codex_index_note(self, thread_id: str) -> str | None:
        return None

    def delete(self, thread_id: str) -> None:
        from ..manage import fork_reference_refusal

        self.read_thread(thread_id)
        users = self._fork_users(thread_id)
        if users:
            raise StoreError(fork_reference_refusal(thread_id, users))
        del self._threads[thread_id]

    def _fork_users(self, thread_id: str) -> list[str]:
        return sorted(t.summary.id for t in self._threads.values()
                      if t.inherited_from == thread_id and t.summary.id != thread_id)

    def write_refusals(self, thread_ids: Collection[str], action: str) -> dict[str, str]:
        from ..atomic import WRITER_LOCKS, open_elsewhere_message
        from ..manage import fork_reference_refusal

        refused = {tid: open_elsewhere_message(tid, f"{WRITER_LOCKS}/{tid}.lock")
                   for tid in thread_ids if tid in self.open_in_codex}
        if action in PROTECT_FORK_SOURCES:
            for tid in thread_ids:
                if tid not in refused and (users := self._fork_users(tid)):
                    refused[tid] = fork_reference_refusal(tid, users, action)
        return refused

    def storage_files(self) -> dict[str, int]:
        return dict(self.files)

    def _replace(self, thread_id: str, **changes: Any) -> ThreadSummary:
        thread = self._get(thread_id)
        summary = thread.summary._replace(**changes)
        self._threads[thread_id] = dataclasses.replace(thread, summary=summary)
        return summary

    def history(self) -> History:
        from ..history import History

        if self._history is None:
            self._history = History([], missing=True)
        return self._history

    def text_index(self) -> TextIndex:
        from ..text_index import TextIndex

        if self._text_index is None:
            self._text_index = TextIndex(None)
        return self._text_index

    def update_text_index(self, progress: Callable[[int, int], None] | None = None,
                          cancelled: Callable[[], bool] | None = None) -> UpdateStats:
        from ..text_index import IndexSource

        sources = [IndexSource(tid, str(id(t)), _loader(t)) for tid, t in self._threads.items()]
        return self.text_index().update(sources, progress, cancelled)

    def search_text(self, query: str, limit: int = 200, update: bool = True,
                    threads: Collection[str] | None = None) -> TextSearchResult:
        if update:
            self.update_text_index()
        return self.text_index().search(query, limit, threads)

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        from ..fork import uuid7

        source = self.read_thread(thread_id)
        total = len(source.turns)
        if isinstance(keep_turns, bool) or keep_turns < 1 or keep_turns > total:
            raise StoreError(f"cannot fork at turn {keep_turns}: session {thread_id} has "
                             f"{total} turn{'s' if total != 1 else ''}")
        new_id = uuid7()
        new_name = source.summary.name if name is None else (name.strip() or None)
        summary = source.summary._replace(
            id=new_id, path=f"memory://{new_id}", name=new_name,
            forked_from_id=thread_id, archived=False, segments=(), problems=())
        turns = [dataclasses.replace(t, inherited=True) for t in source.turns[:keep_turns]]
        from ..items import Thread

        self._threads[new_id] = Thread(summary, turns, [], inherited_from=thread_id)
        return summary

    # -- watching and following (fed by the test) ------------------------------------------

    def watch(self) -> InMemoryWatcher:
        watcher = InMemoryWatcher()
        with self._follow_lock:
            self._watchers.append(watcher)
        return watcher

    def add_thread(self, thread: Thread) -> None:
        """A new session (as Codex creates one), for watchers."""
        self._threads[thread.summary.id] = thread
        self._notify(WatchUpdate(summaries=[thread.summary]))

    def remove_thread(self, thread_id: str) -> None:
        self._threads.pop(thread_id, None)
        self._notify(WatchUpdate(removed=[thread_id]))

    def _notify(self, update: WatchUpdate) -> None:
        with self._follow_lock:
            watchers = list(self._watchers)
        for watcher in watchers:
            watcher.push(update)

    def read_live(self, thread_id: str, known: Thread | None = None) -> LiveThread:
        """The thread as given (its turns kept as they are) and what `append()` adds."""
        from ..live import LiveThread

        thread = known if known is not None else self.read_thread(thread_id)
        follower = self.follow(thread_id)
        return LiveThread(thread.summary, [], list(thread.problems), thread.inherited_from,
                          follower, frozen=list(thread.turns),
                          rolled_back=thread.rolled_back_turns)

    def follow(self, thread_id: str, last: int | None = None) -> InMemoryFollower:
        """A follower of what `append()` adds to the thread from now on."""
        summary = self._get(thread_id).summary
        follower = InMemoryFollower(summary.path)
        follower.mtime = summary.updated_at.timestamp() if summary.updated_at else None
        with self._follow_lock:
            self._followers.setdefault(thread_id, []).append(follower)
        return follower

    def append(self, thread_id: str, records: list[Record], *, reset: bool = False,
               mtime: float | None = None) -> None:
        """Records written to the thread (as Codex appends lines), for its followers; `mtime`
        is the file's new modification time (default: now)."""
        from ..tail import TailBatch

        mtime = time.time() if mtime is None else mtime
        summary = self._replace(thread_id, updated_at=datetime.fromtimestamp(mtime, UTC))
        with self._follow_lock:
            followers = list(self._followers.get(thread_id, ()))
        for follower in followers:
            follower.push(TailBatch(records=list(records), reset=reset), mtime)
        self._notify(WatchUpdate(summaries=[summary]))


class InMemoryFollower:
    """A follower fed by `InMemoryThreadStore.append()` (the same `poll()` and `follow()` as
    the file follower)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.mtime: float | None = None
        self._queue: list[TailBatch] = []
        self._lock = threading.Lock()

    def push(self, batch: TailBatch, mtime: float | None) -> None:
        with self._lock:
            self._queue.append(batch)
            if mtime is not None:
                self.mtime = mtime

    def stale(self) -> bool:
        with self._lock:
            return bool(self._queue)

    def poll(self) -> TailBatch:
        from ..tail import TailBatch

        with self._lock:
            queued, self._queue = self._queue, []
        merged = TailBatch()
        for batch in queued:
            if batch.reset:
                merged = TailBatch(reset=True)
            merged.records += batch.records
            merged.problems += batch.problems
            merged.missing = merged.missing or batch.missing
        return merged

    def follow(self, stop: threading.Event | None = None,
               interval: float = 0.1) -> Iterator[TailBatch]:
        from ..tail import follow_batches

        return follow_batches(self.poll, stop, interval)


class InMemoryWatcher:
    """A watcher fed by `InMemoryThreadStore.add_thread()`, `append()` and
    `remove_thread()`."""

    def __init__(self) -> None:
        self._queue: list[WatchUpdate] = []
        self._lock = threading.Lock()

    def push(self, update: WatchUpdate) -> None:
        with self._lock:
            self._queue.append(update)

    def poll(self) -> WatchUpdate:
        with self._lock:
            queued, self._queue = self._queue, []
        merged = WatchUpdate()
        for update in queued:
            merged.summaries += update.summaries
            merged.removed += update.removed
        return merged


def _loader(thread: Thread) -> Loader:
    """The thread as it is now (a later change replaces it in the store, not in the index's
    read)."""
    return lambda: thread
