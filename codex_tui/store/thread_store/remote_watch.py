"""What changed on a server since the listing: the watcher behind a live remote picker.

Every few seconds it asks `thread/list` for the rows updated since the newest one it has
seen (ascending, from that row's backwards cursor: the server's own way to catch up), and
takes in what the server notified (archives, deletions, renames, new threads made through
this connection). Now and then it lists everything again: archives and deletions made on the
server by others appear in no "updated since" query.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from ..model import ThreadSummary
from .appserver import PAGE_LIMIT
from .convert import summary_from_thread
from .protocol import WatchUpdate

if TYPE_CHECKING:
    from .appserver import AppServerThreadStore

POLL_SECONDS = 3.0  # how often a watcher asks for what changed
RECONCILE_SECONDS = 60.0  # how often it lists everything (archives and deletions elsewhere)


class AppServerWatcher:
    """What changed on the server since the listing: rows updated since the newest one
    (`thread/list` ascending from its backwards cursor), what the server notified, and,
    now and then, the whole listing again (archives and deletions made elsewhere)."""

    def __init__(self, store: AppServerThreadStore,
                 poll_seconds: float = POLL_SECONDS,
                 reconcile_seconds: float = RECONCILE_SECONDS) -> None:
        self.store = store
        self.poll_seconds = poll_seconds
        self.reconcile_seconds = reconcile_seconds
        self._anchor: str | None = None
        self._seen: dict[str, ThreadSummary] = dict(store._load())
        self._last_poll = 0.0
        self._last_reconcile = time.monotonic()
        self._set_anchor()

    def _set_anchor(self) -> None:
        _, result = self.store._list_page(False, 1, None)
        cursor = result.get("backwardsCursor")
        self._anchor = cursor if isinstance(cursor, str) else None

    def poll(self) -> WatchUpdate:
        update = WatchUpdate()
        self._apply_events(update)
        now = time.monotonic()
        if now - self._last_poll < self.poll_seconds:
            return update
        self._last_poll = now
        if now - self._last_reconcile >= self.reconcile_seconds:
            self._last_reconcile = now
            self._reconcile(update)
            return update
        changed: list[ThreadSummary] = []
        cursor = self._anchor
        while True:
            extra: dict[str, Any] = {"sortDirection": "asc"}
            rows, result = self.store._list_page(False, PAGE_LIMIT, cursor, **extra)
            changed.extend(rows)
            cursor = result.get("nextCursor")
            if not isinstance(cursor, str) or not rows:
                break
        fresh = [s for s in changed if self._seen.get(s.id) != s]
        if fresh:
            self._set_anchor()
        self._record(update, fresh)
        return update

    def _record(self, update: WatchUpdate, summaries: list[ThreadSummary]) -> None:
        for s in summaries:
            self._seen[s.id] = s
            self.store._changed(s)
            update.summaries = [u for u in update.summaries if u.id != s.id]
            update.summaries.append(s)

    def _apply_events(self, update: WatchUpdate) -> None:
        for method, params in self.store.take_events():
            thread_id = str(params.get("threadId") or "").lower()
            known = self._seen.get(thread_id)
            if method == "thread/deleted" and thread_id:
                self._seen.pop(thread_id, None)
                update.removed.append(thread_id)
            elif method in ("thread/archived", "thread/unarchived") and known is not None:
                self._record(update, [known._replace(archived=method == "thread/archived")])
            elif method == "thread/name/updated" and known is not None:
                name = params.get("threadName")
                self._record(update, [known._replace(
                    name=name.strip() or None if isinstance(name, str) else None)])
            elif method == "thread/started" and isinstance(params.get("thread"), dict):
                s = summary_from_thread(params["thread"], False, self.store.label)
                if s is not None:
                    self._record(update, [s])

    def _reconcile(self, update: WatchUpdate) -> None:
        now = {s.id: s for s in self.store.scan()}
        for thread_id in set(self._seen) - set(now):
            update.removed.append(thread_id)
        self._record(update, [s for tid, s in now.items() if self._seen.get(tid) != s])
        self._seen = now
        self._set_anchor()

