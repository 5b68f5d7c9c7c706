"""The rows of a listing, kept filtered and sorted as summaries arrive in batches.

A cold listing of 50,000 sessions arrives in a few hundred batches. Filtering and sorting
every row again for each batch made the listing quadratic (84% of a cold picker's time at
50,000 sessions); here a batch costs its own size: each summary is tested once and put in
its place by binary search. (The list insert itself moves pointers in C: at 50,000 rows
that is microseconds.) The counts a header shows, and the longest directory and branch
a list sizes its columns by, are kept the same way.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import compress
from operator import attrgetter, itemgetter, not_
from typing import NamedTuple

from .model import ThreadSummary
from .query import ThreadQuery

MEASURED = ("cwd", "git_branch")  # fields whose longest value among the rows is kept
_ID = attrgetter("id")
_PENDING = attrgetter("pending")
_ARCHIVED = attrgetter("archived")


class SortedBatch(NamedTuple):
    """A batch of summaries filtered and sorted by a query's rules away from the screen (in
    a listing's worker): merging it costs the screen C-level loops, not a Python test and
    a sort key per row (at 100,000 sessions a scan's list took the screen 0.9 s)."""

    query: ThreadQuery  # without its search and limit
    pairs: list[tuple[tuple, ThreadSummary]]  # (sort key, summary) of those it accepts


def sort_batch(query: ThreadQuery, summaries: Iterable[ThreadSummary]) -> SortedBatch:
    query = query.without_search()
    accept, key = query.matcher(), query.sort_key()
    latest = {s.id: s for s in summaries}  # (one row per id: the last)
    return SortedBatch(query, sorted((key(s), s) for s in latest.values() if accept(s)))


class SortedRows:
    """Every summary by id, and the ones `query` accepts in its order (newest first).

    `query` is applied without its search and limit: a screen searches the rows itself (its
    search keeps their order) on every keystroke, against this list kept between keys."""

    def __init__(self, query: ThreadQuery) -> None:
        self.by_id: dict[str, ThreadSummary] = {}
        self.version = 0  # changes with every change of the rows or the counts
        self._pending = 0  # summaries whose head is not read yet
        self._archived = 0
        self._set_query(query)

    # -- the query -------------------------------------------------------------------------

    @property
    def query(self) -> ThreadQuery:
        return self._query

    def set_query(self, query: ThreadQuery) -> None:
        """Filter and sort every row again: a new filter is the one time that costs them
        all (an O(n log n) sort)."""
        if query.without_search() != self._query:
            self._set_query(query)
            self._rebuild()

    def _set_query(self, query: ThreadQuery) -> None:
        self._query = query.without_search()
        self._accept: Callable[[ThreadSummary], bool] = self._query.matcher()
        self._key: Callable[[ThreadSummary], tuple] = self._query.sort_key()
        self._keys: list[tuple] = []  # sort keys of the accepted rows, ascending
        self._asc: list[ThreadSummary] = []  # the accepted rows, oldest first
        self._shown: dict[str, tuple] = {}  # id -> its key in _keys, for accepted rows
        self._newest_first: list[ThreadSummary] | None = []
        # field -> {length: rows with a value that long}: the longest, as rows come and go.
        self._lengths: dict[str, dict[int, int]] = {f: {} for f in MEASURED}

    def _rebuild(self) -> None:
        self._adopt(sort_batch(self._query, self.by_id.values()).pairs)

    def _adopt(self, pairs: list[tuple[tuple, ThreadSummary]]) -> None:
        """The accepted rows are `pairs` (key, summary), ascending (C-level loops only)."""
        self._keys = list(map(itemgetter(0), pairs))
        self._asc = list(map(itemgetter(1), pairs))
        self._shown = dict(zip(map(_ID, self._asc), self._keys, strict=True))
        self._lengths = {f: dict(Counter(map(len, filter(None, map(attrgetter(f), self._asc)))))
                         for f in MEASURED}
        self._newest_first = None
        self.version += 1

    def _ready(self, batch: SortedBatch | None) -> SortedBatch | None:
        """`batch`, if it was sorted by the rules the rows are kept by now."""
        return batch if batch is not None and batch.query == self._query else None

    def sorts_in(self, count: int) -> bool:
        """Whether a batch of `count` summaries is sorted in with the rows (and so worth
        sorting beforehand, with `sort_batch`) rather than put in place one by one."""
        return count * 4 > len(self._asc) + 64

    # -- changes ---------------------------------------------------------------------------

    def replace(self, summaries: Iterable[ThreadSummary], ready: SortedBatch | None = None) -> None:
        """A whole new listing (a scan): everything is filtered and sorted once (`ready`:
        already, by `sort_batch`)."""
        self.by_id = {s.id: s for s in summaries}
        self._pending = sum(map(_PENDING, self.by_id.values()))
        self._archived = sum(map(_ARCHIVED, self.by_id.values()))
        if (ready := self._ready(ready)) is not None:
            self._adopt(ready.pairs)
        else:
            self._rebuild()

    def update(self, summaries: Iterable[ThreadSummary], ready: SortedBatch | None = None) -> None:
        """New or changed summaries: each is tested once and moved to its place (O(log n)
        comparisons), whatever the number of rows already there. A batch as large as a
        quarter of the rows is sorted in with them instead (`ready`: sorted already, by
        `sort_batch`): a cache's 50,000 rows put in one by one moved a growing list's
        pointers 50,000 times (a third of a second)."""
        summaries = list(summaries)
        if self.sorts_in(len(summaries)):
            summaries = list({s.id: s for s in summaries}.values())  # (one per id: the last)
            ids = list(map(_ID, summaries))
            olds = list(filter(None, map(self.by_id.get, ids)))
            self._pending += sum(map(_PENDING, summaries)) - sum(map(_PENDING, olds))
            self._archived += sum(map(_ARCHIVED, summaries)) - sum(map(_ARCHIVED, olds))
            self.by_id.update(zip(ids, summaries, strict=True))
            if (ready := self._ready(ready)) is not None:
                # The rows kept (not in the batch) and the batch's: two sorted runs, which
                # a sort merges in one C-level pass.
                gone = set(ids).__contains__
                kept = compress(zip(self._keys, self._asc, strict=True),
                                map(not_, map(gone, map(_ID, self._asc))))
                self._adopt(sorted([*kept, *ready.pairs]))
            else:
                self._rebuild()
            return
        shown = self._shown
        for s in summaries:
            accepted = self._accept(s)
            k = self._key(s) if accepted else None
            if accepted and shown.get(s.id) == k:
                self._swap(s)  # (a stub finished with its time: no list items move)
                continue
            self._drop(s.id)
            self.by_id[s.id] = s
            self._pending += s.pending
            self._archived += s.archived
            if k is not None:
                self._shown[s.id] = k
                i = bisect_left(self._keys, k)
                self._keys.insert(i, k)
                self._asc.insert(i, s)
                self._measure(s, 1)
        self._newest_first = None
        self.version += 1

    def _swap(self, s: ThreadSummary) -> None:
        """`s` for the shown row of its id, whose sort key it keeps: put in the same place.
        (A cold listing finishes 50,000 stubs; deleting and inserting each moved up to
        50,000 pointers twice, ~1 s of a cold listing's main thread at 50,000 sessions.)"""
        old = self.by_id[s.id]
        self.by_id[s.id] = s
        self._pending += s.pending - old.pending
        self._archived += s.archived - old.archived
        self._asc[bisect_left(self._keys, self._shown[s.id])] = s
        self._measure(old, -1)
        self._measure(s, 1)

    def remove(self, ids: Iterable[str]) -> None:
        for thread_id in ids:
            self._drop(thread_id)
        self._newest_first = None
        self.version += 1

    def _drop(self, thread_id: str) -> None:
        old = self.by_id.pop(thread_id, None)
        if old is None:
            return
        self._pending -= old.pending
        self._archived -= old.archived
        k = self._shown.pop(thread_id, None)
        if k is not None:
            i = bisect_left(self._keys, k)  # keys are unique: the id is part of them
            del self._keys[i]
            del self._asc[i]
            self._measure(old, -1)

    def _measure(self, s: ThreadSummary, step: int) -> None:
        for field in MEASURED:
            value = getattr(s, field)
            if value:
                counts = self._lengths[field]
                n = counts.get(len(value), 0) + step
                if n:
                    counts[len(value)] = n
                else:
                    del counts[len(value)]

    # -- what a screen shows ---------------------------------------------------------------

    @property
    def rows(self) -> list[ThreadSummary]:
        """The accepted rows, newest first (the same list until the next change)."""
        if self._newest_first is None:
            self._newest_first = self._asc[::-1]
        return self._newest_first

    def longest(self, field: str) -> int:
        """The length of the longest non-empty `field` ("cwd", "git_branch") of the rows."""
        return max(self._lengths[field], default=0)

    def get(self, thread_id: str) -> ThreadSummary | None:
        return self.by_id.get(thread_id)

    def __len__(self) -> int:
        return len(self.by_id)

    def __contains__(self, thread_id: object) -> bool:
        return thread_id in self.by_id

    @property
    def pending(self) -> int:
        """Summaries whose head is still to be read (a listing's progress)."""
        return self._pending

    def total(self, archived: bool) -> int:
        """Summaries that are archived (or active), whatever the other filters say."""
        return self._archived if archived else len(self.by_id) - self._archived


