"""MergedThreadStore: several homes (local and remote) as one store.

Listings of every home are merged and sorted together, each summary tagged with its home's
label (`ThreadSummary.home`); every other call goes to the store the thread came from. A
home that cannot be listed (a host that is down, a refused login) is a failure (`failures()`:
a screen shows it as one line), never an error of the whole: the other homes still work.
Homes are listed in parallel, so a slow host does not hold up the others.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Collection, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from ..errors import AmbiguousThread, StoreError, ThreadNotFound
from ..model import Problem, ThreadSummary
from ..query import ThreadQuery, apply_query
from .protocol import FIRST_PAGE_BUDGET, Keep, ResumeCommand, ThreadStore, WatchUpdate

if TYPE_CHECKING:
    from ..history import History
    from ..items import Thread
    from ..live import LiveThread
    from ..text_index import TextSearchResult, UpdateStats
    from ..usage.accounting import ThreadUsage
    from .protocol import UsageListing

T = TypeVar("T")


class MergedThreadStore:
    label = "every home"

    def __init__(self, stores: list[ThreadStore]) -> None:
        labels = [s.label for s in stores]
        if len(set(labels)) != len(labels):
            raise StoreError(f"two homes have the same name: {', '.join(labels)}")
        self.stores = stores
        self._lock = threading.RLock()
        self._owner: dict[str, ThreadStore] = {}
        self._failures: dict[str, str] = {}
        self._via = threading.local()

    @property
    def homes(self) -> list[str]:
        return [s.label for s in self.stores]

    # -- fan-out -----------------------------------------------------------------------------

    def _each(self, call: Callable[[ThreadStore], T],
              listing: bool = True) -> list[tuple[ThreadStore, T | None]]:
        """`call` on every store at once; a store that fails is recorded (a `listing` that
        works again clears it), not raised."""
        def run(store: ThreadStore) -> tuple[ThreadStore, T | None]:
            try:
                result = call(store)
            except StoreError as exc:
                with self._lock:
                    self._failures[store.label] = str(exc)
                return store, None
            if listing:
                with self._lock:
                    self._failures.pop(store.label, None)
            return store, result

        if len(self.stores) == 1:
            return [run(self.stores[0])]
        with ThreadPoolExecutor(max_workers=len(self.stores)) as pool:
            return list(pool.map(run, self.stores))

    def _tag(self, store: ThreadStore, rows: list[ThreadSummary]) -> list[ThreadSummary]:
        label = store.label
        tagged = [s if s.home == label else s._replace(home=label) for s in rows]
        with self._lock:
            for s in tagged:
                self._owner[s.id] = store
        return tagged

    def _store_of(self, thread_id: str) -> ThreadStore:
        with self._lock:
            store = self._owner.get(thread_id)
        if store is not None:
            return store
        return self._resolve_owner(thread_id)[0]

    def _on(self, thread_id: str, call: Callable[[ThreadStore], T]) -> T:
        store = self._store_of(thread_id)
        return call(store)

    def failures(self) -> list[tuple[str, str]]:
        with self._lock:
            return sorted(self._failures.items())

    @property
    def problems(self) -> list[Problem]:
        out: list[Problem] = []
        for store, problems in self._each(lambda s: s.problems, listing=False):
            out.extend(p._replace(message=f"{store.label}: {p.message}")
                       for p in problems or [])
        return out

    # -- listing ---------------------------------------------------------------------------

    def first_page(self, cwd: str | None, limit: int, keep: Keep | None = None,
                   budget: float = FIRST_PAGE_BUDGET) -> list[ThreadSummary]:
        rows: list[ThreadSummary] = []
        share = budget / max(1, len(self.stores))
        for store in self.stores:  # local ones answer within their budget, remote ones at once
            try:
                rows += self._tag(store, store.first_page(cwd, limit, keep, share))
            except StoreError:
                continue
        rows.sort(key=_updated, reverse=True)
        return rows[:limit]

    def cached(self, cwd: str | None = None) -> Iterator[list[ThreadSummary]]:
        """Every home's batches as they come (a server's pages stream in while a local
        cache answers at once); a home that fails is recorded, as in `_each`."""
        batches: queue.Queue[tuple[ThreadStore, list[ThreadSummary]] | None] = queue.Queue()

        def stream(store: ThreadStore) -> None:
            try:
                for batch in store.cached(cwd):
                    batches.put((store, batch))
            except StoreError as exc:
                with self._lock:
                    self._failures[store.label] = str(exc)
            finally:
                batches.put(None)

        for store in self.stores:
            threading.Thread(target=stream, args=(store,), daemon=True,
                             name=f"cached {store.label}").start()
        running = len(self.stores)
        while running:
            item = batches.get()
            if item is None:
                running -= 1
                continue
            store, batch = item
            yield self._tag(store, batch)

    def scan(self) -> list[ThreadSummary]:
        rows: list[ThreadSummary] = []
        for store, found in self._each(lambda s: s.scan()):
            rows += self._tag(store, found or [])
        return rows

    def complete(self, first: list[str] | None = None) -> Iterator[ThreadSummary]:
        for store in self.stores:
            try:
                for summary in store.complete(first):
                    yield self._tag(store, [summary])[0]
            except StoreError as exc:
                with self._lock:
                    self._failures[store.label] = str(exc)

    def refresh(self) -> None:
        for store in self.stores:
            refresh = getattr(store, "refresh", None)
            if refresh is not None:
                refresh()

    def list_threads(self, query: ThreadQuery) -> list[ThreadSummary]:
        rows: list[ThreadSummary] = []
        for store, found in self._each(lambda s: s.list_threads(query)):
            rows += self._tag(store, found or [])
        # Each home applied the query; sort the union and cut it to the limit once more.
        return apply_query(rows, ThreadQuery(archived=query.archived, sort=query.sort,
                                             limit=query.limit))

    def summary(self, thread_id: str) -> ThreadSummary:
        store = self._store_of(thread_id)
        return self._tag(store, [store.summary(thread_id)])[0]

    def resolve(self, ref: str) -> ThreadSummary:
        store, summary = self._resolve_owner(ref)
        return self._tag(store, [summary])[0]

    def _resolve_owner(self, ref: str) -> tuple[ThreadStore, ThreadSummary]:
        found: list[tuple[ThreadStore, ThreadSummary]] = []
        errors: list[str] = []
        for store, result in self._each(lambda s: _resolve_or_none(s, ref), listing=False):
            if isinstance(result, AmbiguousThread):
                errors.append(f"{store.label}: {result}")
            elif result is not None:
                found.append((store, result))
        if len(found) == 1 and not errors:
            return found[0]
        if not found and not errors:
            failed = "".join(f"; {label} could not be searched ({why})"
                             for label, why in self.failures())
            raise ThreadNotFound(f"no session matches {ref!r} in any home{failed}")
        listed = [f"  {s.id}  on {store.label}" for store, s in found] + errors
        raise AmbiguousThread(f"{ref!r} matches sessions in several homes:\n"
                              + "\n".join(listed), [s.id for _, s in found])

    # -- one thread: its own store -------------------------------------------------------------

    def read_thread(self, thread_id: str, max_bytes: int | None = None) -> Thread:
        store = self._store_of(thread_id)
        thread = store.read_thread(thread_id, max_bytes)
        thread.summary = self._tag(store, [thread.summary])[0]
        return thread

    def follow(self, thread_id: str, last: int | None = None) -> Any:
        return self._on(thread_id, lambda s: s.follow(thread_id, last))

    def read_live(self, thread_id: str, known: Thread | None = None) -> LiveThread:
        return self._on(thread_id, lambda s: s.read_live(thread_id, known))

    def resume_command(self, thread_id: str, cwd: str | None,
                       codex_bin: Callable[[], str]) -> ResumeCommand:
        return self._on(thread_id, lambda s: s.resume_command(thread_id, cwd, codex_bin))

    # -- writes ----------------------------------------------------------------------------

    def _write(self, thread_id: str, call: Callable[[ThreadStore], T]) -> T:
        store = self._store_of(thread_id)
        self._via.text = None
        try:
            return call(store)
        finally:
            via = store.last_write_via()
            self._via.text = f"{via} on {store.label}" if via else None

    def last_write_via(self) -> str | None:
        return getattr(self._via, "text", None)

    def archive(self, thread_id: str) -> ThreadSummary:
        return self._write(thread_id, lambda s: self._tag(s, [s.archive(thread_id)])[0])

    def unarchive(self, thread_id: str) -> ThreadSummary:
        return self._write(thread_id, lambda s: self._tag(s, [s.unarchive(thread_id)])[0])

    def set_name(self, thread_id: str, name: str) -> tuple[ThreadSummary, list[str]]:
        def rename(store: ThreadStore) -> tuple[ThreadSummary, list[str]]:
            summary, warnings = store.set_name(thread_id, name)
            return self._tag(store, [summary])[0], warnings

        return self._write(thread_id, rename)

    def name_warnings(self, thread_id: str, name: str) -> list[str]:
        return self._on(thread_id, lambda s: s.name_warnings(thread_id, name))

    def codex_index_note(self, thread_id: str) -> str | None:
        return self._on(thread_id, lambda s: s.codex_index_note(thread_id))

    def write_refusals(self, thread_ids: Collection[str], action: str) -> dict[str, str]:
        by_store: dict[int, tuple[ThreadStore, list[str]]] = {}
        for tid in thread_ids:
            store = self._store_of(tid)
            by_store.setdefault(id(store), (store, []))[1].append(tid)
        refused: dict[str, str] = {}
        for store, ids in by_store.values():
            refused.update(store.write_refusals(ids, action))
        return refused

    def usage_listing(self, cwd: str | None = None) -> UsageListing:
        """Every home's usage, each thread tagged with its home; a home that fails is
        named among those not read."""
        rows: list[tuple[ThreadSummary, ThreadUsage]] = []
        unread: list[str] = []
        for store, listing in self._each(lambda s: s.usage_listing(cwd), listing=False):
            if listing is None:
                unread.append(store.label)
                continue
            label = store.label
            rows += [(s if s.home == label else s._replace(home=label), u)
                     for s, u in listing[0]]
            unread += listing[1]
        return rows, unread

    def storage_files(self) -> dict[str, int]:
        """Each home's files, summed by name (a report of several homes is their sum)."""
        total: dict[str, int] = {}
        for _store, files in self._each(lambda s: s.storage_files(), listing=False):
            for name, size in (files or {}).items():
                total[name] = total.get(name, 0) + size
        return total

    def delete(self, thread_id: str) -> None:
        self._write(thread_id, lambda s: s.delete(thread_id))
        with self._lock:
            self._owner.pop(thread_id, None)

    def fork_thread(self, thread_id: str, keep_turns: int,
                    name: str | None = None) -> ThreadSummary:
        return self._write(thread_id, lambda s: self._tag(
            s, [s.fork_thread(thread_id, keep_turns, name)])[0])

    # -- search and history ------------------------------------------------------------------

    def history(self) -> History:
        from ..history import History

        entries = []
        for _, history in self._each(lambda s: s.history(), listing=False):
            if history is not None:
                entries += history.entries
        return History(entries, path=", ".join(self.homes))

    def update_text_index(self, progress: Callable[[int, int], None] | None = None,
                          cancelled: Callable[[], bool] | None = None) -> UpdateStats:
        from ..text_index import UpdateStats

        total = UpdateStats()
        for store in self.stores:
            try:
                stats = store.update_text_index(progress, cancelled)
            except StoreError as exc:
                with self._lock:
                    self._failures[store.label] = str(exc)
                continue
            for field in ("added", "updated", "removed", "unchanged", "failed", "items",
                          "seconds"):
                setattr(total, field, getattr(total, field) + getattr(stats, field))
            total.cancelled = total.cancelled or stats.cancelled
        return total

    def search_text(self, query: str, limit: int = 200, update: bool = True,
                    threads: Collection[str] | None = None) -> TextSearchResult:
        from ..text_index import TextSearchResult

        merged = TextSearchResult(query, [])
        found = self._each(lambda s: s.search_text(query, limit, update, threads),
                           listing=False)
        for store, result in found:
            if result is None:
                continue
            for hit in result.hits:
                with self._lock:
                    self._owner.setdefault(hit.thread_id, store)
            merged.hits += result.hits
            merged.more = merged.more or result.more
            merged.mode = result.mode if not merged.hits else merged.mode
            merged.notes += result.notes
            if result.error:
                merged.notes.append(f"{store.label}: {result.error}")
        merged.more = merged.more or len(merged.hits) > limit
        merged.hits = merged.hits[:limit]
        return merged

    # -- live ------------------------------------------------------------------------------

    def watch(self) -> MergedWatcher:
        watchers = []
        for store, watcher in self._each(lambda s: s.watch(), listing=False):
            if watcher is not None:
                watchers.append((store, watcher))
        return MergedWatcher(self, watchers)

    def close(self) -> None:
        for store in self.stores:
            close = getattr(store, "close", None)
            if close is not None:
                close()


class MergedWatcher:
    def __init__(self, merged: MergedThreadStore, watchers: list[tuple[ThreadStore, Any]]):
        self._merged = merged
        self._watchers = watchers

    def poll(self) -> WatchUpdate:
        update = WatchUpdate()
        for store, watcher in self._watchers:
            try:
                part = watcher.poll()
            except StoreError:
                continue  # that home is unreachable for now; the next poll tries again
            update.summaries += self._merged._tag(store, part.summaries)
            update.removed += part.removed
        return update


def _resolve_or_none(store: ThreadStore, ref: str) -> ThreadSummary | AmbiguousThread | None:
    try:
        return store.resolve(ref)
    except AmbiguousThread as exc:
        return exc
    except ThreadNotFound:
        return None


def _updated(s: ThreadSummary) -> float:
    return s.updated_at.timestamp() if s.updated_at else 0.0
