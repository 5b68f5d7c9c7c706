"""Following a session that lives behind an app-server: the local follower (tail.py) on the
file's copy (mirror.py), the copy brought up to date when the server says the file changed.

The server is asked at most once per `SYNC_SECONDS` (one `fs/getMetadata`, and a
`fs/readFile` only when the mtime moved); the copy grows by what was appended, so the
follower reads just the new lines, and a session archived there is followed to its new
place (`moved_to`), as a local one is.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import StoreError
from ..tail import (
    POLL_SECONDS,
    Follower,
    TailBatch,
    complete_end,
    follow_batches,
    last_lines_start,
)

if TYPE_CHECKING:
    from .appserver import AppServerThreadStore

SYNC_SECONDS = 1.0


class RemoteFollower:
    def __init__(self, store: AppServerThreadStore, thread_id: str, local: str,
                 last: int | None = None, offset: int = 0, lines: int = 0) -> None:
        self._store = store
        self._thread_id = thread_id
        self._remote = store.summary(thread_id).path
        self._known_ms = store.mirror().modified_ms(self._remote)
        self._last_sync = time.monotonic()
        if last is not None:
            with contextlib.suppress(OSError):
                offset, lines = complete_end(local) if last == 0 else \
                    last_lines_start(local, last)
        self._inner = Follower(local, offset, lines)
        self._moved_to: str | None = None

    @property
    def path(self) -> str:
        return self._inner.path

    @property
    def mtime(self) -> float | None:
        return self._inner.mtime

    @property
    def size(self) -> int | None:
        return self._inner.size

    def stale(self) -> bool:
        return time.monotonic() - self._last_sync >= SYNC_SECONDS or self._inner.stale()

    def poll(self) -> TailBatch:
        if time.monotonic() - self._last_sync >= SYNC_SECONDS:
            self._sync()
        batch = self._inner.poll()
        if self._moved_to is not None:
            batch.moved_to, self._moved_to = self._moved_to, None
        return batch

    def follow(self, stop: threading.Event | None = None,
               interval: float = POLL_SECONDS) -> Iterator[TailBatch]:
        return follow_batches(self.poll, stop, interval)

    def _sync(self) -> None:
        self._last_sync = time.monotonic()
        mirror = self._store.mirror()
        try:
            stamp = mirror.modified_ms(self._remote)
            if stamp is None:  # moved (archived, unarchived) or deleted there
                self._store.refresh_summary(self._thread_id)
                moved = self._store.summary(self._thread_id).path
                if moved == self._remote:
                    return
                self._remote = moved
                stamp = mirror.modified_ms(moved)
                local = mirror.fetch(moved, stamp)
                self._inner = Follower(local, self._inner.offset, self._inner.line_no)
                self._moved_to = f"{self._store.label}:{moved}"
            elif stamp != self._known_ms:
                mirror.fetch(self._remote, stamp)
            self._known_ms = stamp
        except StoreError:
            return  # the server is unreachable for now: the next sync tries again
