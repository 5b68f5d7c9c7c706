"""Watching a local home: the threads whose files a `HomeWatcher` saw change are grouped and
read again (only those), and the names when session_index.jsonl changed."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..names import read_names
from ..paths import parse_rollout_name
from .protocol import WatchUpdate

if TYPE_CHECKING:
    from ..watch import Changes, HomeWatcher
    from .local import LocalThreadStore


class LocalStoreWatcher:
    """`HomeWatcher` polls; the store re-reads only the threads it names."""

    def __init__(self, store: LocalThreadStore, watcher: HomeWatcher) -> None:
        self._store = store
        self._watcher = watcher

    def poll(self) -> WatchUpdate:
        changes = self._watcher.poll()
        if not changes:
            return WatchUpdate()
        return self._apply(changes)

    def _apply(self, changes: Changes) -> WatchUpdate:
        """Bring the listing up to date with what a watcher saw: re-group and re-read the
        heads of the threads whose files changed (only those), re-read names if asked."""
        from ..catalog import regroup, summarize

        store = self._store
        update = WatchUpdate()
        if changes.names:
            names, problems = read_names(store.codex_home)
            with store._lock:
                store._names = names
                store._problems = problems
                renamed = {tid: s._replace(name=names.get(tid))
                           for tid, s in store._summaries.items() if s.name != names.get(tid)}
                store._summaries = {**store._summaries, **renamed}
                update.summaries.extend(renamed.values())
        touched: set[str] = set()
        for path in [*changes.added, *changes.changed, *changes.removed]:
            name = parse_rollout_name(os.path.basename(path))
            if name is not None:
                touched.add(name.thread_id)
        with store._lock:
            names = store._names
            paths = {tid: [rf.path for rf in store._files[tid].files]
                     if tid in store._files else [] for tid in touched}
        for path in [*changes.added, *changes.changed]:
            name = parse_rollout_name(os.path.basename(path))
            if name is not None and path not in paths[name.thread_id]:
                paths[name.thread_id].append(path)
        for tid in sorted(touched):
            tf = regroup(store.codex_home, paths[tid]).get(tid)
            if tf is None:
                with store._lock:
                    store._files.pop(tid, None)
                    gone = store._summaries.pop(tid, None)
                if gone is not None:
                    update.removed.append(tid)
                continue
            summary = summarize(tf, names, store._locate)
            with store._lock:
                store._files[tid] = tf
                store._summaries[tid] = summary
            if store._cache:
                store._cache.put(tf, summary)
            update.summaries = [s for s in update.summaries if s.id != tid]
            update.summaries.append(summary)
        return update
