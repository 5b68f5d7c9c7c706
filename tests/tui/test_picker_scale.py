"""The picker at scale: a cold listing's batches are merged, not re-sorted with every row
already there (at 50,000 sessions that was quadratic: 84% of the time)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from support.apps import fixed_now

from codex_tui.app import CodexTuiApp
from codex_tui.screens.picker import PickerScreen
from codex_tui.store import InMemoryThreadStore, ThreadSummary
from codex_tui.store.query import ListFilters, ThreadQuery, apply_query

BASE = datetime(2026, 1, 1, tzinfo=UTC)
N = 20_000
BATCH = 20


READS = {"updated_at": 0, "archived": 0}


class Counted(ThreadSummary):
    """A summary that counts the reads of its sort time and its status: what any filter or
    sort of it must look at, however it is written."""

    __slots__ = ()

    @property
    def updated_at(self):  # type: ignore[override]
        READS["updated_at"] += 1
        return tuple.__getitem__(self, 3)

    @property
    def archived(self):  # type: ignore[override]
        READS["archived"] += 1
        return tuple.__getitem__(self, 15)


def stub(i: int, rng: random.Random, pending: bool) -> ThreadSummary:
    created = BASE + timedelta(seconds=rng.randrange(10**7))
    return Counted(
        id=f"{i:08x}-0000-7000-8000-000000000000", path=f"/s/{i}.jsonl",
        created_at=created, updated_at=created + timedelta(seconds=i % 89),
        cwd=None if pending else f"/src/p{i % 40}", preview=None if pending else f"fix {i}",
        source=None if pending else "cli", pending=pending)


async def test_feeding_20000_summaries_in_small_batches_costs_each_batch_its_size():
    """Every batch handled as the listing worker posts it: scan stubs, then 1,000 batches
    of 20 read heads. Sorting, filtering or counting all rows per batch would read each
    row's time and status about 20,000 x 1,000 times; merging reads them a few times per
    summary (plus the rows a frame draws)."""
    rng = random.Random(3)
    app = CodexTuiApp(InMemoryThreadStore([]), cwd="/src/p1",
                      filters=ListFilters(all_dirs=True), now=fixed_now)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        screen._on_summaries(PickerScreen.SummariesLoaded(
            [stub(i, rng, pending=True) for i in range(N)], replace=True, done=False))
        done = [stub(i, rng, pending=False) for i in range(N)]
        rng.shuffle(done)
        READS["updated_at"] = READS["archived"] = 0
        for start in range(0, N, BATCH):
            screen._on_summaries(PickerScreen.SummariesLoaded(
                done[start:start + BATCH], replace=False, done=False))
            seen = start + BATCH
            # Checked as it goes: a quadratic merge fails in the first batches.
            assert READS["updated_at"] <= 2 * seen + 100, (start, READS)
            assert READS["archived"] <= 5 * seen + 100, (start, READS)
            if seen == N // 2:
                assert f"reading {N // 2:,}/{N:,}…" in screen.status().plain
        assert len(screen.list.rows) == N
        assert screen.status().plain.endswith(f"{N:,} shown of {N:,}  ·  listing… {N:,} so far")
        assert [s.id for s in screen.list.rows] == [
            s.id for s in apply_query(done, ThreadQuery())]


async def test_a_batch_of_rows_below_the_screen_draws_no_row_again():
    """A listing's later batches mostly add older rows, below the screen: the rows on
    screen are not drawn again (only the count and the scrollbar change). A row that
    arrives on screen is drawn."""
    app = CodexTuiApp(InMemoryThreadStore([]), cwd="/src/p1",
                      filters=ListFilters(all_dirs=True), now=fixed_now)

    def row(i: int) -> ThreadSummary:
        when = BASE + timedelta(hours=i)
        return ThreadSummary(id=f"{i:08x}-0000-7000-8000-000000000000", path=f"/s/{i}.jsonl",
                             created_at=when, updated_at=when, cwd="/src/p1",
                             git_branch="main", preview=f"fix {i}", source="cli")

    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        screen._on_summaries(PickerScreen.SummariesLoaded(
            [row(i) for i in range(1000, 1100)], replace=True, done=False))
        await pilot.pause()
        drawn: list[str] = []
        draw = screen.list._row_segments

        def counted(summary, width):
            drawn.append(summary.preview)
            return draw(summary, width)

        screen.list._row_segments = counted  # type: ignore[method-assign]
        screen._on_summaries(PickerScreen.SummariesLoaded(
            [row(i) for i in range(900, 1000)], replace=False, done=False))
        await pilot.pause()
        assert drawn == []
        assert len(screen.list.rows) == 200
        assert screen.list.virtual_size.height == 200
        assert "200 shown" in screen.status().plain
        screen._on_summaries(PickerScreen.SummariesLoaded([row(2000)], replace=False,
                                                          done=False))
        await pilot.pause()
        assert drawn[0] == "fix 2000"  # (and the rows it pushed down)


async def test_a_search_shows_its_first_screenful_then_every_match():
    """Over 20,000 rows, a key whose matches are most rows draws the first screenful of
    them in its own frame (the header says it is still searching), and every match once
    the search has gone through the rest. Marking every row shown first finishes it."""
    app = CodexTuiApp(InMemoryThreadStore([]), cwd="/src/p1",
                      filters=ListFilters(all_dirs=True), now=fixed_now)
    rng = random.Random(5)
    rows = [stub(i, rng, pending=False)._replace(preview=f"fix {i}" if i % 3 else f"row {i}")
            for i in range(N)]
    matching = [s for s in apply_query(rows, ThreadQuery()) if s.preview.startswith("fix")]
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        screen._on_summaries(PickerScreen.SummariesLoaded(rows, replace=True, done=True))
        await pilot.pause()
        screen._query = "fi"
        screen.refilter()
        first = list(screen.list.rows)
        assert 40 <= len(first) < 2_000 and first == matching[:len(first)]
        assert "searching…" in screen.status().plain
        for _ in range(100):
            await pilot.pause()
            if len(screen.list.rows) == len(matching):
                break
        assert list(screen.list.rows) == matching
        assert "searching…" not in screen.status().plain
        assert f"{len(matching):,} shown of {N:,}" in screen.status().plain

        screen._query = "fix"
        screen.refilter()
        assert len(screen.list.rows) < len(matching)
        screen.action_mark_shown()
        assert screen.list.marks == {s.id for s in matching}


async def test_the_search_index_and_the_rows_drawn_cost_the_collector_nothing():
    """The search index of every row lives as long as the rows: once built it is out of
    the collector's sight (its full passes walked it, 10-25 ms a pass at 50,000 rows, a
    stutter every few keys). Rows drawn and dropped are freed at once, not left as cyclic
    garbage for the collector."""
    import gc

    from codex_tui.screens.picker import INDEX_DELAY

    app = CodexTuiApp(InMemoryThreadStore([]), cwd="/src/p1",
                      filters=ListFilters(all_dirs=True), now=fixed_now)
    rng = random.Random(9)
    rows = [stub(i, rng, pending=False) for i in range(2_000)]
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        screen._on_summaries(PickerScreen.SummariesLoaded(rows, replace=True, done=True))
        await pilot.pause(INDEX_DELAY + 0.1)
        index = list(screen._search._folded.values())
        assert len(index) == len(rows)
        seen = {id(o) for o in gc.get_objects()}  # (what the collector's passes walk)
        assert not any(id(entry) in seen for entry in index)

        drawn = {id(strip) for strip in screen.list._strips.values()}
        assert drawn
        screen._query = "fix"
        screen.refilter()  # (every row drawn before is dropped)
        gc.set_debug(gc.DEBUG_SAVEALL)
        try:
            gc.collect()
            assert not [o for o in gc.garbage if id(o) in drawn]
        finally:
            gc.set_debug(0)
            gc.garbage.clear()


async def test_a_batch_sorted_by_the_listing_worker_costs_the_screen_no_sort_key():
    """The scan's whole list (and any large batch) is filtered and sorted by the listing's
    worker: the screen merges it without computing a row's sort key (at 100,000 sessions
    that work on the UI thread held a key typed meanwhile for 0.9 s). Sorted by rules since
    changed, it is sorted again by the screen."""
    from codex_tui.store.rows import sort_batch

    app = CodexTuiApp(InMemoryThreadStore([]), cwd="/src/p1",
                      filters=ListFilters(all_dirs=True), now=fixed_now)
    rng = random.Random(11)
    async with app.run_test(size=(150, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, PickerScreen)
        stubs = [stub(i, rng, pending=True) for i in range(N)]
        ready = sort_batch(screen._rows.query, stubs)
        READS["updated_at"] = 0
        screen._on_summaries(PickerScreen.SummariesLoaded(stubs, replace=True, done=False,
                                                          ready=ready))
        assert READS["updated_at"] == 0
        assert [s.id for s in screen.list.rows] == [
            s.id for s in apply_query(stubs, ThreadQuery())]
        done = [stub(i, rng, pending=False) for i in range(N)]
        stale = sort_batch(ThreadQuery(sort="created"), done)  # (other rules)
        screen._on_summaries(PickerScreen.SummariesLoaded(done, replace=False, done=True,
                                                          ready=stale))
        assert [s.id for s in screen.list.rows] == [
            s.id for s in apply_query(done, ThreadQuery())]
