"""A listing as it arrives, for a screen that shows rows while the rest is read: first what
the summary cache remembers (with no cache, the newest heads for a screenful), then the scan
(every thread, some only as file-system facts), then those finished one by one, sent in
batches a screen can take between keystrokes.

The order and the batching are the same for the picker and the history search; each screen
only decides what it does with a batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import NamedTuple

from .model import ThreadSummary
from .thread_store.protocol import Keep, ThreadStore

# With no cache, the newest heads are read for a screenful this long at most before the
# whole home is listed (which takes seconds at 50,000 sessions).
SCREENFUL_BUDGET = 1.0
# The longer a listing runs, the further apart its batches: each costs the screen a
# repaint (~10 ms), and at 50,000 sessions a batch every 0.1 s took a third of the picker's
# CPU. The gap is a quarter of the time the listing has taken, at most SLOWEST_INTERVAL.
GROWTH = 0.25
SLOWEST_INTERVAL = 1.0


class ListingBatch(NamedTuple):  # (not a dataclass: imported before the first frame)
    summaries: list[ThreadSummary]
    cached: bool = False  # possibly stale rows from the cache (the scan corrects them)
    replace: bool = False  # the scan's whole list: it replaces what came before
    known: set[str] | None = None  # every thread's id, from the scan on
    done: bool = False  # nothing more will come
    failures: list[tuple[str, str]] | None = None  # (home, why) of homes that failed


def stream_listing(store: ThreadStore, cwd: str | None, *, interval: float,
                   first_interval: float | None = None, first: list[str] | None = None,
                   cancelled: Callable[[], bool] = lambda: False,
                   fill: tuple[int, int, Keep] | None = None) -> Iterator[ListingBatch]:
    """The cache's batches (`cwd`'s first), the scan, then the pending summaries finished
    (`first` ones first) in batches `interval` seconds apart (`first_interval` for the
    first one: rows soon), further apart as the listing goes on (GROWTH). Stops when
    `cancelled()`.

    `fill` = (rows the screen has, a screenful, what it shows): when the cache gave no rows,
    the newest day folders' heads until there is a screenful (`first_page`, within
    SCREENFUL_BUDGET) come before the scan, which must not wait for a walk of the home."""
    for cached in store.cached(cwd):
        if cancelled():
            return
        if cached:
            fill = None  # the cache had rows: no cold screenful to read
        yield ListingBatch(cached, cached=True)
    if fill is not None:
        yield from _screenful(store, cwd, fill, cancelled)
        if cancelled():
            return
    stubs = store.scan()
    known = {s.id for s in stubs}
    pending = any(s.pending for s in stubs)
    yield ListingBatch(stubs, replace=True, known=known, done=not pending,
                       failures=store.failures())
    if not pending:
        return
    batch: list[ThreadSummary] = []
    started = last = time.monotonic()
    wait = interval if first_interval is None else first_interval
    for summary in store.complete(first):
        if cancelled():
            return
        batch.append(summary)
        now = time.monotonic()
        if now - last >= wait:
            wait = max(interval, min(SLOWEST_INTERVAL, GROWTH * (now - started)))
            yield ListingBatch(batch, known=known)
            batch = []
            last = time.monotonic()
    yield ListingBatch(batch, known=known, done=True)


def _screenful(store: ThreadStore, cwd: str | None, fill: tuple[int, int, Keep],
               cancelled: Callable[[], bool]) -> Iterator[ListingBatch]:
    have, screenful, keep = fill
    # A first row as soon as there is one (this directory's sessions may be 1 in 70), then
    # the screenful (the second walk passes the same files again: ~1 ms each).
    for limit in ((1,) if have == 0 else ()) + ((screenful,) if have < screenful else ()):
        page = store.first_page(cwd, limit=limit, keep=keep, budget=SCREENFUL_BUDGET)
        if cancelled():
            return
        if len(page) > have:
            yield ListingBatch(page, cached=True)  # not stale, but as early, and as partial
            have = len(page)
        if len(page) < limit:
            return  # the budget ran out: list the rest
