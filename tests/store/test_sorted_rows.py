"""SortedRows: the listing's filtered, sorted rows, merged batch by batch in time
proportional to the batch (never re-sorting or re-filtering what is already there)."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from codex_tui.store import query as query_module
from codex_tui.store.model import ThreadSummary
from codex_tui.store.query import ListFilters, ThreadQuery, apply_query
from codex_tui.store.rows import SortedRows, sort_batch

BASE = datetime(2026, 1, 1, tzinfo=UTC)
DIRS = ("/src/a", "/src/b", None)
SOURCES = ("cli", "exec", "subagent:review", None)


def summary(i: int, rng: random.Random, pending: bool = False) -> ThreadSummary:
    created = BASE + timedelta(seconds=rng.randrange(10**7))
    same = rng.random() < 0.1  # ties on time: the id orders them
    return ThreadSummary(
        id=f"{i:08x}-0000-7000-8000-000000000000", path=f"/s/{i}.jsonl",
        created_at=created, updated_at=BASE if same else created + timedelta(seconds=i % 97),
        cwd=None if pending else rng.choice(DIRS), git_branch=rng.choice((None, "", "main",
                                                                          "feature/long")),
        source=None if pending else
        rng.choice(SOURCES), archived=rng.random() < 0.1, pending=pending)


QUERIES = [
    ThreadQuery(),
    ThreadQuery(cwd="/src/a", sort="created"),
    ThreadQuery(archived=True),
    ThreadQuery(archived=None, all_sources=False),
    ListFilters(all_dirs=False).query("/src/b"),
]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10**6), batch=st.integers(1, 150), which=st.integers(0, 4))
def test_batches_give_the_rows_a_full_filter_and_sort_gives(seed, batch, which):
    rng = random.Random(seed)
    query = QUERIES[which]
    stubs = [summary(i, rng, pending=True) for i in range(120)]
    model = SortedRows(query)
    model.replace(stubs, sort_batch(query, stubs) if seed % 2 else None)
    assert model.rows == apply_query(stubs, query)
    done = {s.id: s for s in stubs}
    fresh = [summary(i, rng) for i in rng.sample(range(150), 150)]  # 30 new ids
    # Some stubs finish with the times they had (their place stays): swapped in place.
    fresh = [stubs[int(s.path[3:-6])]._replace(pending=False, cwd=s.cwd, source=s.source)
             if int(s.path[3:-6]) < len(stubs) and rng.random() < 0.4 else s for s in fresh]
    for start in range(0, len(fresh), batch):
        part = fresh[start:start + batch]
        # Sorted by a listing's worker (by these rules, or by rules since changed), or not.
        pick = rng.random()
        ready = sort_batch(query if pick < 0.4 else QUERIES[(which + 2) % len(QUERIES)],
                           part) if pick < 0.7 else None
        model.update(part, ready)
        done.update((s.id, s) for s in part)
        gone = rng.sample(sorted(done), 2 if len(done) > 100 else 0)
        model.remove(gone)
        for thread_id in gone:
            done.pop(thread_id)
        assert model.rows == apply_query(list(done.values()), query)
        assert model.pending == sum(s.pending for s in done.values())
        assert model.total(archived=True) == sum(s.archived for s in done.values())
        assert model.total(archived=False) == sum(not s.archived for s in done.values())
        for field in ("cwd", "git_branch"):
            assert model.longest(field) == max(
                (len(getattr(s, field) or "") for s in model.rows), default=0)
    other = QUERIES[(which + 1) % len(QUERIES)]
    model.set_query(other)
    assert model.rows == apply_query(list(done.values()), other)


class Counted:
    """A sort key that counts its comparisons."""

    compared = 0
    __slots__ = ("key",)

    def __init__(self, key: tuple) -> None:
        self.key = key

    def __lt__(self, other: Counted) -> bool:
        Counted.compared += 1
        return self.key < other.key

    def __eq__(self, other: object) -> bool:
        Counted.compared += 1
        return isinstance(other, Counted) and self.key == other.key

    __hash__ = None  # type: ignore[assignment]


def test_merging_a_batch_costs_the_batch_not_the_list(monkeypatch):
    """20,000 summaries in batches of 10 over 20,000 stubs: a re-sort or re-filter of the
    whole list per batch would take about 2,000 x 20,000 key calls and tests; a merge
    takes one of each per summary and O(log n) comparisons."""
    keys = 0
    plain = query_module._updated_key

    def counted_key(s: ThreadSummary) -> Counted:
        nonlocal keys
        keys += 1
        return Counted(plain(s))

    tests = 0
    plain_matcher = ThreadQuery.matcher

    def counted_matcher(self: ThreadQuery):
        accept = plain_matcher(self)

        def matches(s: ThreadSummary) -> bool:
            nonlocal tests
            tests += 1
            return accept(s)
        return matches

    monkeypatch.setattr(query_module, "_updated_key", counted_key)
    monkeypatch.setattr(ThreadQuery, "matcher", counted_matcher)
    n = 20_000
    rng = random.Random(7)
    model = SortedRows(ThreadQuery(archived=None))
    model.replace([summary(i, rng, pending=True) for i in range(n)])
    Counted.compared, keys, tests = 0, 0, 0
    done = [summary(i, rng) for i in range(n)]
    rng.shuffle(done)
    per_summary = 2 * (2 * n.bit_length() + 1)  # drop the stub, place the summary: bisects
    for start in range(0, n, 10):
        model.update(done[start:start + 10])
        assert len(model.rows) == n
        seen = start + 10  # checked as it goes: a quadratic merge fails at once, not in hours
        assert keys == seen  # one key per summary
        assert tests == seen  # one filter test per summary
        assert Counted.compared <= seen * per_summary
    assert [s.id for s in model.rows] == [s.id for s in apply_query(done, ThreadQuery(
        archived=None))]


class CountedList(list):
    """A list that counts the calls that move its items (insert, delete)."""

    moves = 0

    def insert(self, index, item):  # type: ignore[override]
        CountedList.moves += 1
        super().insert(index, item)

    def __delitem__(self, index):  # type: ignore[override]
        CountedList.moves += 1
        super().__delitem__(index)


def test_a_stub_finished_with_its_own_time_stays_in_place():
    """A cold listing finishes every stub, most with the time the stub had (the file's):
    those are put in the same place, with no list items moved (at 50,000 rows, each
    delete and insert moves tens of thousands of pointers)."""
    rng = random.Random(3)
    stubs = [summary(i, rng, pending=True) for i in range(2_000)]
    model = SortedRows(ThreadQuery(archived=None))
    model.replace(stubs)
    model._keys, model._asc = CountedList(model._keys), CountedList(model._asc)
    CountedList.moves = 0
    done = [s._replace(pending=False, cwd="/src/a", git_branch="main") for s in stubs]
    for start in range(0, len(done), 50):
        model.update(done[start:start + 50])
    assert CountedList.moves == 0
    assert model.rows == apply_query(done, ThreadQuery(archived=None))
    assert model.pending == 0
    assert model.longest("cwd") == len("/src/a")
    moved = stubs[0]._replace(pending=False, updated_at=BASE + timedelta(days=999))
    model.update([moved])  # a new time: it moves to the top
    assert CountedList.moves == 4 and model.rows[0] is moved


def test_query_with_search_keeps_rows_unsearched():
    rng = random.Random(1)
    rows = [summary(i, rng) for i in range(50)]
    model = SortedRows(ThreadQuery(search="zzz-not-there", limit=3))
    model.replace(rows)
    assert model.rows == apply_query(rows, ThreadQuery())
    assert model.query == ThreadQuery()


@pytest.mark.parametrize("age, live", [(-6.0, False), (-4.0, True), (0.0, True), (59.0, True),
                                       (60.0, False)])
def test_a_summary_is_live_for_a_minute_after_its_last_write(age, live):
    now = BASE + timedelta(days=1)
    s = ThreadSummary("x", "/x", BASE, now - timedelta(seconds=age))
    assert s.live(now) is live
    assert ThreadSummary("y", "/y", BASE, None).live(now) is False


def test_a_batch_as_large_as_the_rows_is_sorted_in_not_inserted_one_by_one():
    """A warm start's cache hands its 50,000 rows over in one batch: sorted in at once, not
    put in place one by one (each insert moves the pointers after it)."""
    rng = random.Random(4)
    model = SortedRows(ThreadQuery(archived=None))
    first = [summary(i, rng) for i in range(40)]
    model.update(first)
    model._keys, model._asc = CountedList(model._keys), CountedList(model._asc)
    CountedList.moves = 0
    rest = [summary(i, rng) for i in range(20, 5_000)]  # (20 of them replace rows there)
    model.update(rest)
    assert CountedList.moves == 0
    everything = {s.id: s for s in first + rest}
    assert model.rows == apply_query(list(everything.values()), ThreadQuery(archived=None))
    assert model.total(archived=True) == sum(s.archived for s in everything.values())
